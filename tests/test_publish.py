"""`hubdash publish`: the public summaries as a static site.

The site is published once for this module from the shared seed release, with a
feedback store holding themes, cycles and feedback text. The safety scan reads
every file of it as a reader (or a crawler) would: the text of each page and its
text alternatives, every CSV cell, the text of every PDF.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import stat
import uuid
from datetime import date
from pathlib import Path
from urllib.parse import unquote

import duckdb
import pytest
from apptest import app
from bs4 import BeautifulSoup
from pypdf import PdfReader
from test_public_pages import choose

from dashboard.cli import main
from dashboard.pipeline.ingest import DEFAULT_THRESHOLD as K
from dashboard.web import feedback_ui, public_summary, publish, report
from feedback import cycles, review
from feedback.i18n import LANGUAGES

SECRETS = ("The night shift nurse laughed at me", "Owner Quiroga", "plan to phone Hoa", "studied the rota closely")
"""What the store holds and the board must never show: feedback text, a cycle's owner and its notes."""
HUB_MEASURE = {"metric": "referrals", "geo_level": "hub", "geo": None}
"""A cycle measured on one hub's figures (the hub is filled in from the release)."""


@pytest.fixture(scope="module")
def site_home(tmp_path_factory, seed_release) -> Path:
    """A data folder with the seed release and a feedback store with themes, cycles and secrets."""
    home = tmp_path_factory.mktemp("publish-home")
    (home / "warehouse.duckdb").symlink_to(seed_release)
    with duckdb.connect(str(seed_release), read_only=True) as con:
        hub = con.execute("SELECT min(hub) FROM hubs").fetchone()[0]
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUBDASH_HOME", str(home))
        store = feedback_ui.store()  # the app's, which the site's board reads too
        small, large = review.add_theme(store, "Bus fares"), review.add_theme(store, "Waiting times")
        for theme, count in ((small, 3), (large, K + 1)):
            for _ in range(count):
                sent = store.submit(
                    text=SECRETS[0], about="medical", respondent="survivor", language="en", token=uuid.uuid4().hex
                )
                review.set_themes(store, sent.feedback_id, [theme])
        on_hub = cycles.open_cycle(
            store,
            title="Cheaper travel",
            owner=SECRETS[1],
            theme_ids=[small],
            start=date(2024, 6, 1),
            target=date(2026, 6, 1),
            measure={**HUB_MEASURE, "geo": hub},
        )
        cycles.record_notes(store, on_hub, plan=SECRETS[2], study=SECRETS[3])
        on_network = cycles.open_cycle(
            store,
            title="Evening clinics",
            owner=SECRETS[1],
            theme_ids=[large],
            start=date(2024, 6, 1),
            target=date(2026, 6, 1),
            measure={"metric": "completion_rate", "geo_level": "network", "geo": "network"},
        )
        cycles.close_cycle(store, on_network, outcome="Waits fell", act="Kept the evening clinics")
    return home


@pytest.fixture(scope="module")
def site(site_home, tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("published") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUBDASH_HOME", str(site_home))
        assert main(["publish", "--out", str(out), "--base-url", "https://hubs.example.org/public/"]) == 0
    return out


@pytest.fixture(scope="module")
def release(seed_release):
    with duckdb.connect(str(seed_release), read_only=True) as con:
        yield {
            "k": con.execute("SELECT threshold FROM release").fetchone()[0],
            "hubs": con.execute("SELECT hub, name, region FROM hubs").fetchall(),
            "periods": {
                level: [
                    p
                    for (p,) in con.execute(
                        "SELECT DISTINCT period FROM cells WHERE period_level = ? ORDER BY 1", [level]
                    ).fetchall()
                ]
                for level in ("year", "quarter")
            },
        }


# What a reader can read in each file


def page_text(html: str) -> str:
    """The text of a page as a reader gets it: what is shown, and every text alternative and tooltip."""
    soup = BeautifulSoup(html, "html.parser")
    for hidden in soup(["style", "script"]):
        hidden.decompose()
    said = [element[name] for name in ("aria-label", "alt", "title") for element in soup.find_all(attrs={name: True})]
    return "\n".join([soup.get_text(" "), *said])


def readable(site: Path) -> dict[str, str]:
    """Every file's readable text, by path."""
    texts = {}
    for path in sorted(site.rglob("*")):
        name = str(path.relative_to(site))
        if path.suffix == ".html":
            texts[name] = page_text(path.read_text())
        elif path.suffix == ".csv":
            texts[name] = "\n".join(" ; ".join(row) for row in csv.reader(io.StringIO(path.read_text("utf-8-sig"))))
        elif path.suffix == ".pdf":
            pdf = PdfReader(path)
            texts[name] = "\n".join(
                [*(page.extract_text() for page in pdf.pages), *map(str, (pdf.metadata or {}).values())]
            )
        elif path.suffix == ".txt":
            texts[name] = path.read_text()
    return texts


NUMBER = re.compile(r"(?<![\w.,])\d[\d,]*(?:\.\d+)?")
NOT_A_COUNT_OF_PEOPLE = [
    r"^\d+%",  # a rate
    r"^[\d,]+ ; (?:percent|money)\b",  # a rate or an amount in the all-figures CSV, its unit beside it
    r"^\d+ points?\b",  # a change of a rate
    r"(?:\bup|\bdown|[+\-−]) ?$",  # a change between two published counts: '+12', 'down 3'
    r"^1 to \d+\b",
    r"\bfrom 1 to $",  # the rule itself: 'a count from 1 to 10 is never shown'
    r"\brelease $",  # the release's number
    r"^\d+ (?:January|February|March|April|May|June|July|August|September|October|November|December) \d{4}",  # a date
    r"^\d+ figure\(s\) on this view are suppressed",  # how many figures are hidden, not what they hide
    r"\bhidden \($",
    r"\bhidden \([\d,]+%?–$",  # the range the published figures imply (checked below)
    r"\bbetween $",
    r"\bbetween [\d,]+ and $",  # the same range under a hidden headline figure
]
HIDDEN_RANGE = re.compile(r"\bhidden \(([\d,]+)–([\d,]+)\)|\bbetween ([\d,]+) and ([\d,]+)\b")


def small_counts(text: str, k: int) -> list[str]:
    """Every number from 1 to K-1 in the text that is not plainly a rate, a change, the rule, a release, a date or
    a hidden figure's range; and every such range narrower than K around a figure that could be small."""
    found = []
    for m in HIDDEN_RANGE.finditer(text):
        lower, upper = (int(end.replace(",", "")) for end in m.groups() if end is not None)
        if lower < k and upper - lower < k:
            found.append(f"hidden figure narrowed to {m.group(0)}")
    for match in NUMBER.finditer(text):
        token = match.group().rstrip(",")
        if "." in token or not 1 <= int(token.replace(",", "")) < k:
            continue
        before, after = text[max(0, match.start() - 24) : match.start()], text[match.start() : match.start() + 50]
        if not any(
            re.search(rule, before if rule.endswith("$") else after, re.IGNORECASE) for rule in NOT_A_COUNT_OF_PEOPLE
        ):
            found.append(text[max(0, match.start() - 40) : match.end() + 20].replace("\n", " "))
    return found


def foreign_urls(raw: str) -> list[str]:
    """Any address with a host: the site links only within itself, with relative links."""
    return re.findall(r"(?i)(?:\b[a-z][a-z0-9+.-]*:)?//[^\s\"'<>)]+|\burl\(\s*['\"]?(?:https?:|//)[^)]*\)", raw)


def problems(
    site: Path, k: int, hubs: list[tuple[str, str, str]], secrets=SECRETS, own_base="https://hubs.example.org/public/"
) -> list[str]:
    """What the safety scan finds: counts from 1 to K-1, hub names or ids, feedback text, other hosts."""
    found = []
    for name, text in readable(site).items():
        if name != "governance.html":  # rules, not figures: 'a feeling from 1 to 5', '6 hubs in 3 regions'
            found += [f"{name}: count below {k}: …{hit}…" for hit in small_counts(text, k)]
        for hub, hub_name, _ in hubs:
            found += [
                f"{name}: hub {word!r}" for word in (hub, hub_name) if re.search(rf"(?i)\b{re.escape(word)}\b", text)
            ]
        found += [f"{name}: feedback {secret!r}" for secret in secrets if secret.lower() in text.lower()]
    for path in site.rglob("*"):
        if path.suffix in (".html", ".css", ".txt"):
            raw = path.read_text().replace(own_base, "") if path.name == "sitemap.txt" else path.read_text()
            found += [f"{path.relative_to(site)}: address {url}" for url in foreign_urls(raw)]
            if path.suffix == ".html":
                soup = BeautifulSoup(raw, "html.parser")
                found += [f"{path.relative_to(site)}: script" for _ in soup("script")]
                found += [f"{path.relative_to(site)}: {tag.name} loads {tag.get('src')}" for tag in soup(src=True)]
        elif path.suffix == ".pdf":
            found += [
                f"{path.relative_to(site)}: link in the PDF"
                for page in PdfReader(path).pages
                for annotation in page.get("/Annots") or []
                if "/URI" in str(annotation.get_object())
            ]
    return found


def folder_of(region: str) -> str:
    """'High Plains (rural)' -> 'regions/high-plains-rural'."""
    return "regions/" + "-".join(re.findall(r"\w+", region.lower()))


def html_files(site: Path) -> list[str]:
    return sorted(str(p.relative_to(site)) for p in site.rglob("*.html"))


# The safety scan


def test_the_whole_site_passes_the_safety_scan(site, release):
    assert problems(site, release["k"], release["hubs"]) == []


def test_the_safety_scan_finds_each_kind_of_leak(site, release, tmp_path):
    """Planted in a copy of the site, each leak is found: the scan above cannot pass by seeing nothing."""
    copy = tmp_path / "site"
    shutil.copytree(site, copy)
    page = copy / "network" / f"{release['periods']['year'][-1]}.html"
    hub, hub_name, _ = release["hubs"][0]
    page.write_text(
        page.read_text().replace(
            "</main>",
            f"<p>Referred: 7</p><p>{hub_name}</p><p>{SECRETS[0]}</p><a href='https://tracker.example'>x</a>"
            "<svg role='img' aria-label='Legal aid 4 referred'></svg></main>",
        )
    )
    found = problems(copy, release["k"], release["hubs"])
    assert any("count below" in p and "Referred: 7" in p for p in found)
    assert any("count below" in p and "Legal aid 4" in p for p in found)
    assert any(hub_name in p for p in found)
    assert any("feedback" in p for p in found)
    assert any("tracker.example" in p for p in found)


# What the site holds


def test_every_place_and_complete_period_has_a_page_with_its_csv_and_pdf(site, release):
    regions = sorted({region for _, _, region in release["hubs"]})
    every_period = release["periods"]["year"] + release["periods"]["quarter"]
    pages = html_files(site)
    for folder in ["network", *(folder_of(region) for region in regions)]:
        assert f"{folder}/index.html" in pages
        for period in every_period:
            assert f"{folder}/{period}.html" in pages
            assert len(list((site / folder).glob(f"hub-summary-*-{period}.pdf"))) == 1
            assert len(list((site / folder).glob(f"hub-summary-*-{period}.csv"))) == 1
    for period in every_period:
        assert f"periods/{period}.html" in pages
    assert {"index.html", "governance.html", "sitemap.html", "you-said-we-did.html"} <= set(pages)
    assert {f"you-said-we-did.{lang}.html" for lang in LANGUAGES if lang != "en"} <= set(pages)


def test_the_sitemaps_list_every_page(site):
    listed = {a["href"] for a in BeautifulSoup((site / "sitemap.html").read_text(), "html.parser").select("main a")}
    assert listed == set(html_files(site))
    assert (site / "sitemap.txt").read_text().split() == [
        f"https://hubs.example.org/public/{p}" for p in sorted(listed)
    ]


def test_every_link_leads_to_a_file_of_the_site(site):
    """Relative links to files, never to a folder: file:// shows no index.html for a folder."""
    for name in html_files(site):
        page = site / name
        for a in BeautifulSoup(page.read_text(), "html.parser")("a", href=True):
            if a["href"].startswith("#"):
                continue
            target = (page.parent / unquote(a["href"])).resolve()
            assert target.is_file(), f"{name} links to {a['href']}"


def test_each_summary_states_release_period_rule_and_when_published(site, release):
    year = release["periods"]["year"][-1]
    text = page_text((site / "network" / f"{year}.html").read_text())
    soup = BeautifulSoup((site / "network" / f"{year}.html").read_text(), "html.parser")
    assert soup.html["lang"] == "en"
    assert f"Whole network · Year {year}" in text
    assert re.search(r"Release \d+ of the figures, published \d\d \w+ \d{4}", text)
    assert f"fewer than {release['k']}" in text
    assert soup.select_one("footer a")["href"] == "../governance.html"
    assert soup.select_one("a.skip-link")["href"] == "#main"


def test_every_chart_carries_the_live_pages_text_alternative(site, published, release):
    year = release["periods"]["year"][-1]
    summary = public_summary.gather("network", "network", "year", year)
    soup = BeautifulSoup((site / "network" / f"{year}.html").read_text(), "html.parser")
    labels = [svg["aria-label"] for svg in soup.select("svg.chart-svg")]
    drawn = [chart.alt_text for chart in public_summary.charts(summary).values() if chart.figure is not None]
    assert labels and labels == [alt for alt in drawn for _ in publish.CHART_WIDTHS]
    assert all(svg["role"] == "img" for svg in soup.select("svg.chart-svg"))


def test_the_board_shows_themes_and_counts_in_every_language_and_never_names_a_hub(site, release):
    english = page_text((site / "you-said-we-did.html").read_text())
    assert f"Feedback received: fewer than {K}" in english and f"Feedback received: {K + 1}" in english
    assert "Kept the evening clinics" in english and "Waits fell" in english
    assert "The figures for this are shown only to signed-in hub staff." in english
    assert "Accepted referrals completed" in english
    for lang in LANGUAGES:
        name = "you-said-we-did.html" if lang == "en" else f"you-said-we-did.{lang}.html"
        soup = BeautifulSoup((site / name).read_text(), "html.parser")
        assert soup.html["lang"] == lang
        assert "Bus fares" in soup.get_text() and "Waiting times" in soup.get_text()


def test_the_site_is_readable_by_everyone_whatever_the_umask(site):
    for path in [site, *site.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o755 if path.is_dir() else 0o644), path


# The same figures as the live page


@pytest.mark.parametrize("which", ["network, latest year", "a region, a quarter", "the first year"])
def test_the_figures_are_the_live_pages(site, published, release, which):
    region = sorted({r for _, _, r in release["hubs"]})[0]
    level, period, geo_level, geo = {
        "network, latest year": ("year", release["periods"]["year"][-1], "network", "network"),
        "a region, a quarter": ("quarter", release["periods"]["quarter"][-2], "region", region),
        "the first year": ("year", release["periods"]["year"][0], "network", "network"),
    }[which]
    at = choose(app(), level, period, geo_level, geo)
    assert not at.exception
    folder = "network" if geo_level == "network" else folder_of(geo)
    soup = BeautifulSoup((site / folder / f"{period}.html").read_text(), "html.parser")

    live_headlines = [(m.label, m.value, m.delta or "") for m in at.metric]
    static_headlines = [
        (
            h.dt.get_text(strip=True),
            h.select_one(".value").get_text(strip=True),
            h.select_one(".delta").contents[-1].strip() if h.select_one(".delta") else "",
        )
        for h in soup.select(".headline")
    ]
    assert static_headlines == live_headlines
    tables = soup("table")  # in the live page's order: the headline table first, then each section's
    assert len(tables) == len(at.table)
    for table, frame in zip(tables, at.table):
        rows = [[cell.get_text(strip=True) for cell in row(["th", "td"])] for row in table("tr")]
        assert rows[0] == list(frame.value.columns)
        assert rows[1:] == [[str(v) for v in row] for row in frame.value.itertuples(index=False)]
    live_findings = [m.value[2:] for m in at.markdown if m.value.startswith("- ")]
    assert [li.get_text() for li in soup.select("ul.findings li")] == [_unescaped(f) for f in live_findings]
    assert soup.select_one("p.suppression").get_text() == at.caption[-1].value


def _unescaped(markdown: str) -> str:
    return re.sub(r"\\(.)", r"\1", markdown)


def test_the_csv_and_pdf_are_the_live_downloads(site, published, release):
    """The live page offers these same bytes: all_figures through to_csv_bytes, and report.pdf (its text)."""
    from dashboard.csvsafe import to_csv_bytes

    period = release["periods"]["year"][-1]
    summary = public_summary.gather("network", "network", "year", period)
    assert (site / "network" / f"{summary.file_stem}.csv").read_bytes() == to_csv_bytes(
        public_summary.all_figures(summary)
    )
    static = PdfReader(site / "network" / f"{summary.file_stem}.pdf").pages[0].extract_text()
    assert static == PdfReader(io.BytesIO(report.pdf(summary))).pages[0].extract_text()


# Writing the site


def test_a_folder_that_is_not_empty_is_refused_and_left_alone(site_home, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HUBDASH_HOME", str(site_home))
    out = tmp_path / "site"
    out.mkdir()
    (out / "notes.txt").write_text("mine")
    assert main(["publish", "--out", str(out)]) == 2
    assert "--replace" in capsys.readouterr().err
    assert [p.name for p in out.iterdir()] == ["notes.txt"] and (out / "notes.txt").read_text() == "mine"
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_replace_swaps_the_whole_site_in_and_a_failed_build_leaves_the_old_one(site, site_home, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBDASH_HOME", str(site_home))
    out = tmp_path / "site"
    shutil.copytree(site, out)
    (out / "stale.html").write_text("from an older release")
    before = sorted(str(p.relative_to(out)) for p in out.rglob("*"))
    made = 0

    def pdf_then_fail(summary):
        nonlocal made
        made += 1
        if made == 5:
            raise RuntimeError("the disk is full")
        return b"%PDF-1.4"

    monkeypatch.setattr(report, "pdf", pdf_then_fail)
    with pytest.raises(RuntimeError, match="the disk is full"):
        publish.publish(out, replace=True)
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir()] == ["site"]

    monkeypatch.undo()
    monkeypatch.setenv("HUBDASH_HOME", str(site_home))
    monkeypatch.setattr(report, "pdf", lambda summary: b"%PDF-1.4")
    publish.publish(out, replace=True)
    assert not (out / "stale.html").exists() and (out / "index.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_a_release_published_meanwhile_stops_the_site_from_being_swapped_in(site_home, tmp_path, monkeypatch):
    monkeypatch.setenv("HUBDASH_HOME", str(site_home))
    numbers = iter([1, 2])
    monkeypatch.setattr(publish, "_release", lambda: {"number": next(numbers), "threshold": 11})
    monkeypatch.setattr(publish._Site, "write", lambda self: None)
    with pytest.raises(publish.ReleaseChanged):
        publish.publish(tmp_path / "site")
    assert not (tmp_path / "site").exists() and list(tmp_path.iterdir()) == []


# The live page


def test_the_live_summary_links_to_the_static_site_when_one_is_configured(published, monkeypatch):
    assert not any("static" in m.value for m in app().markdown)
    monkeypatch.setenv("HUBDASH_PUBLIC_SITE", "https://hubs.example.org/public/")
    at = app()
    assert any("(https://hubs.example.org/public/)" in m.value for m in at.markdown)
