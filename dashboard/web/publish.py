"""`hubdash publish`: the public pages of the current release as a static site, for any number of readers.

Funders and the public read the public summary, and it changes once a release: it
needs no server, no session and no JavaScript. Every figure comes through the
functions the live pages use (public_summary, report, governance, the feedback
board), read as a visitor, so the site cannot show what the live page would not.

The site is plain HTML and one stylesheet, with the charts inline as SVG, and
only relative links: it works from file://, `python -m http.server` or any CDN.
It is built in a folder beside the target and swapped in whole, so a reader never
meets half a site.
"""

from __future__ import annotations

import ctypes
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlparse

import jinja2
import pandas as pd
from markdown_it import MarkdownIt
from markupsafe import Markup

from feedback import cycles
from feedback.i18n import LANGUAGES, t

from .. import paths
from ..csvsafe import to_csv_bytes
from ..identity.auth import VISITOR
from ..read import data, metrics
from . import feedback_ui, governance, public_summary, report, ui

TEMPLATES = Path(__file__).with_name("site")
CHART_WIDTHS = {"wide": 640, "narrow": 340}
"""Each chart is drawn twice, and the stylesheet shows the one that fits: scaled down, a wide chart's text would
be too small to read on a phone."""
BOARD = "you-said-we-did"
SITE_URL_VARIABLE = "HUBDASH_PUBLIC_SITE"


class FolderNotEmpty(Exception):
    """The target holds files already: publishing would replace them."""


class ReleaseChanged(Exception):
    """A new release was published while the site was being built: it would mix two releases."""


@dataclass(frozen=True)
class Published:
    folder: Path
    files: int
    bytes: int
    release: int


def site_url() -> str | None:
    """Where the deployment serves its static site (HUBDASH_PUBLIC_SITE), for the live pages to link to."""
    url = os.environ.get(SITE_URL_VARIABLE, "").strip()
    if not url:
        return None
    if urlparse(url).scheme not in ("http", "https"):
        raise ValueError(f"{SITE_URL_VARIABLE} must be an http or https address, not {url!r}")
    return url


def publish(
    out: Path, replace: bool = False, base_url: str | None = None, progress: Callable[[str], None] = lambda line: None
) -> Published:
    """Write the site of the current release to `out`, which must be empty or absent unless `replace`."""
    out = out.absolute()
    if out.exists() and not out.is_dir():
        raise NotADirectoryError(f"{out} is a file, not a folder")
    if out.exists() and any(out.iterdir()) and not replace:
        raise FolderNotEmpty(f"{out} is not empty")
    if not data.ready():
        raise FileNotFoundError(f"no release published yet at {paths.warehouse()}: run `hubdash ingest` first")
    release = _release()
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.publishing-", dir=out.parent))
    try:
        _Site(staging, release, base_url, progress).write()
        now = _release()["number"]
        if now != release["number"]:
            raise ReleaseChanged(
                f"release {now} was published while the site of release {release['number']} "
                "was built; nothing was changed, run it again"
            )
        files, size = _readable_by_all(staging)
        _swap_in(staging, out)
    finally:
        shutil.rmtree(staging, ignore_errors=True)  # after a swap, the old site
    return Published(out, files, size, int(release["number"]))


def _release() -> pd.Series:
    return data.run("release_info").iloc[0]


@dataclass(frozen=True)
class _Link:
    path: str
    """Relative to the site's root, with forward slashes."""
    text: str


class _Site:
    def __init__(self, root: Path, release: pd.Series, base_url: str | None, progress: Callable[[str], None]):
        self.root = root
        self.release = release
        self.base_url = base_url
        self.progress = progress
        self.pages: list[_Link] = []
        self.markdown = MarkdownIt("commonmark", {"html": False})
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.places = public_summary.places()
        self.place_names = ui.place_labels(self.places)
        self.folders = _place_folders(self.places)
        self.periods = {level: public_summary.periods(level) for level in public_summary.PERIOD_LEVELS}

    def write(self) -> None:
        shutil.copyfile(TEMPLATES / "site.css", self.root / "site.css")
        for level, periods in self.periods.items():
            for period in periods:
                self.progress(f"{ui.LEVEL_LABELS[level].lower()} {period}")
                for place in self.places:
                    self._summary(place, level, period)
                self._page(
                    f"periods/{period}.html",
                    "period.html",
                    ui.period_label(level, [period]),
                    places=[(self.place_names[p], self._summary_path(p, period)) for p in self.places],
                )
        for place in self.places:
            self._page(
                f"{self.folders[place]}/index.html",
                "place.html",
                self.place_names[place],
                periods=[
                    (ui.LEVEL_LABELS[level], [(p, self._summary_path(place, p)) for p in periods[::-1]])
                    for level, periods in self.periods.items()
                ],
            )
        self._governance()
        self._board()
        self._index()
        self._sitemap()

    def _summary(self, place: tuple[str, str], level: str, period: str) -> None:
        summary = public_summary.gather(*place, level, period)
        folder = self.folders[place]
        (self.root / folder).mkdir(parents=True, exist_ok=True)
        (self.root / folder / f"{summary.file_stem}.csv").write_bytes(to_csv_bytes(public_summary.all_figures(summary)))
        (self.root / folder / f"{summary.file_stem}.pdf").write_bytes(report.pdf(summary))
        charts = public_summary.charts(summary)
        tables = {table.key: table for table in public_summary.tables(summary)}
        sections = [
            (heading, [self._chart(charts[key]) if key in charts else _table(tables[key]) for key in keys])
            for heading, keys in public_summary.SECTIONS
        ]
        self._page(
            self._summary_path(place, period),
            "summary.html",
            f"{summary.where} · {summary.when}",
            summary=summary,
            heading=public_summary.TITLE,
            introduction=self._markdown(public_summary.introduction(self._from(folder, "governance.html"))),
            headlines=[
                (
                    h.label,
                    h.value,
                    summary.delta(h),
                    "Where the published figures put it: " if h.hidden_range else f"Change against {summary.earlier}: ",
                )
                for h in summary.headlines
            ],
            headline_table=_table(tables["summary-headlines"]),
            sections=sections,
            downloads=[
                (f"{summary.file_stem}.pdf", "A one-page report (PDF)"),
                (f"{summary.file_stem}.csv", "All figures on this page (CSV)"),
            ],
            suppression=ui.suppression_note(public_summary.counts_shown(summary), ["count"]),
            place_index=self._from(folder, f"{folder}/index.html"),
            period_index=self._from(folder, f"periods/{period}.html"),
        )

    def _chart(self, chart: public_summary.Chart) -> dict:
        if chart.figure is None:
            return {"kind": "empty", "title": chart.title, "text": public_summary.NO_FIGURE}
        drawn = {
            size: _inline_svg(chart.figure.properties(width=width, autosize=ui.FIT_WIDTH), chart.alt_text)
            for size, width in CHART_WIDTHS.items()
        }
        return {"kind": "chart", "svg": drawn}

    def _governance(self) -> None:
        blocks = []
        for block in governance.blocks():
            if block.kind == "table":
                blocks.append({"kind": "table", "table": _table(block.table)})
            elif block.kind == "markdown":
                blocks.append({"kind": "html", "html": self._markdown(block.text)})
            else:
                blocks.append({"kind": block.kind, "text": block.text})
        self._page("governance.html", "governance.html", governance.TITLE, blocks=blocks)

    def _board(self) -> None:
        """The board in each language of the feedback form: built from themes, counts and the cycles' public
        fields alone (cycles.public_board), never from what anyone wrote."""
        k = int(self.release["threshold"])
        store = feedback_ui.store()
        for lang in LANGUAGES:
            board = cycles.public_board(store, k, lambda spec: metrics.metric_series(spec, VISITOR), lang)
            entries = [
                {
                    "theme": entry.theme,
                    "count": t(lang, "board.count", count=entry.count_label),
                    "actions": [
                        {
                            "title": a.title,
                            "done": a.done,
                            "act": a.act,
                            "outcome": a.outcome,
                            "change": a.board_change(lang),
                        }
                        for a in entry.actions
                    ],
                }
                for entry in board
            ]
            self._page(
                _board_path(lang),
                "board.html",
                t(lang, "board.title"),
                lang=lang,
                entries=entries,
                t=lambda key, **fmt: t(lang, key, **fmt),  # noqa: B023 - the page is written at once
                languages=[(code, name, _board_path(code)) for code, name in LANGUAGES.items()],
            )

    def _index(self) -> None:
        latest = {level: periods[-1] for level, periods in self.periods.items() if periods}
        self._page(
            "index.html",
            "index.html",
            public_summary.TITLE,
            introduction=self._markdown(public_summary.introduction("governance.html")),
            latest=[
                (
                    self.place_names[p],
                    [
                        (ui.period_label(level, [period]), self._summary_path(p, period))
                        for level, period in latest.items()
                    ],
                )
                for p in self.places
            ],
            places=[(self.place_names[p], f"{self.folders[p]}/index.html") for p in self.places],
            periods=[
                (ui.LEVEL_LABELS[level], [(p, f"periods/{p}.html") for p in periods[::-1]])
                for level, periods in self.periods.items()
            ],
        )

    def _sitemap(self) -> None:
        every = sorted(self.pages + [_Link("sitemap.html", "Every page of this site")], key=lambda link: link.path)
        self._page("sitemap.html", "sitemap.html", "Every page of this site", links=every)
        if self.base_url:
            base = self.base_url.rstrip("/") + "/"
            (self.root / "sitemap.txt").write_text("".join(f"{base}{quote(link.path)}\n" for link in every))

    def _page(self, path: str, template: str, title: str, lang: str = "en", **context) -> None:
        folder = path.rsplit("/", 1)[0] if "/" in path else ""
        if path != "sitemap.html":
            self.pages.append(_Link(path, title))
        html = self.templates.get_template(template).render(
            title=title,
            lang=lang,
            root=self._from(folder, ""),
            here=path.rsplit("/", 1)[-1],
            release=self.release,
            built_on=date.today(),
            rule=ui.suppression_explained(),
            governance=self._from(folder, "governance.html"),
            **context,
        )
        target = self.root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(html, encoding="utf-8")

    def _summary_path(self, place: tuple[str, str], period: str) -> str:
        return f"{self.folders[place]}/{period}.html"

    @staticmethod
    def _from(folder: str, path: str) -> str:
        """`path` (from the site's root) as a link from a page in `folder`."""
        up = "../" * (folder.count("/") + 1) if folder else ""
        return quote(up + path)

    def _markdown(self, text: str) -> Markup:
        return Markup(self.markdown.render(text))


def _table(table: public_summary.Table) -> dict:
    shown = table.shown()
    return {
        "kind": "table",
        "title": table.title,
        "key": table.key,
        "columns": list(shown.columns),
        "rows": [[str(value) for value in row] for row in shown.itertuples(index=False)],
    }


def _place_folders(places: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """'network', and 'regions/<name in lower case, words joined by ->', numbered where two names would meet."""
    folders, taken = {}, set()
    for level, geo in places:
        if level == "network":
            folders[level, geo] = "network"
            continue
        stem = "-".join("".join(c if c.isalnum() else " " for c in geo.lower()).split()) or "region"
        folder, n = f"regions/{stem}", 1
        while folder in taken:
            n += 1
            folder = f"regions/{stem}-{n}"
        taken.add(folder)
        folders[level, geo] = folder
    return folders


def _board_path(lang: str) -> str:
    return f"{BOARD}.html" if lang == "en" else f"{BOARD}.{lang}.html"


_SVG_OPENING = re.compile(r"<svg\b[^>]*>")
_VEGA_ARIA = re.compile(r'\s(?:role|aria-[a-z]+)="[^"]*"')
"""Vega's own description of each axis and mark: inside an image a screen reader never reaches them, and the
image's text alternative says what they would."""


def _inline_svg(figure, alt_text: str) -> Markup:
    """The chart as one image inside the page, whose text alternative is the live page's; the namespaces an
    SVG file needs are implied in HTML, and the fixed size gives way to the page's width (the stylesheet)."""
    drawn = ui.svg(figure)
    opening = _SVG_OPENING.match(drawn).group(0)
    width, height = (re.search(rf'\b{name}="([\d.]+)"', opening).group(1) for name in ("width", "height"))
    tag = Markup(
        '<svg class="chart-svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}" role="img" '
        'aria-label="{alt}" focusable="false">'
    ).format(w=width, h=height, alt=alt_text)
    return tag + Markup(_VEGA_ARIA.sub("", drawn[len(opening) :]))


def _readable_by_all(folder: Path) -> tuple[int, int]:
    """Make the site world-readable (it is public; the data folder's owner-only mask must not reach it);
    returns its number of files and bytes."""
    files = size = 0
    folder.chmod(0o755)
    for parent, folders, names in os.walk(folder):
        for name in folders:
            Path(parent, name).chmod(0o755)
        for name in names:
            path = Path(parent, name)
            path.chmod(0o644)
            files += 1
            size += path.stat().st_size
    return files, size


_RENAME_EXCHANGE = 2


def _swap_in(staging: Path, out: Path) -> None:
    """Put the finished site at `out` in one step; the old site, if any, ends up at `staging`.

    An absent or empty `out` is simply replaced. A full one is exchanged with the new site by
    renameat2(RENAME_EXCHANGE), so `out` always holds a whole site; where the file system cannot exchange,
    the old site is moved aside first, and `out` is missing for the moment between two renames.
    """
    if not out.exists() or not any(out.iterdir()):
        os.replace(staging, out)
        return
    libc = ctypes.CDLL(None, use_errno=True)
    at_cwd = -100
    if libc.renameat2(at_cwd, os.fsencode(staging), at_cwd, os.fsencode(out), _RENAME_EXCHANGE) == 0:
        return
    if ctypes.get_errno() not in (errno.EINVAL, errno.ENOSYS):
        raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()), str(out))
    aside = staging.with_name(staging.name + "-old")
    os.replace(out, aside)
    os.replace(staging, out)
    os.replace(aside, staging)
