"""The one-page printable report of the public summary: a PDF the app makes itself, offline.

It is drawn from the same `public_summary.Summary` as the page, so whoever prints
it takes away exactly the figures the page shows. The text is set in DejaVu Sans,
embedded: the PDF core fonts cover Latin-1 only, and a region or language name
may not. The charts are the page's own, rendered to PNG by vl-convert.
"""

from __future__ import annotations

import io
from pathlib import Path

import altair as alt
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from ..read import data, metrics
from . import public_summary, ui
from .public_summary import Summary

FONT_DIR = Path("/usr/share/fonts/truetype/dejavu")
"""Debian's fonts-dejavu-core: Latin (Vietnamese included), Greek, Cyrillic, and more."""
FONT = "DejaVu"

MARGIN = 14
PAGE_WIDTH, PAGE_HEIGHT = 210, 297
TEXT = (20, 20, 20)
MUTED = (80, 80, 80)
RULE = (190, 190, 190)


def pdf(summary: Summary) -> bytes:
    """One A4 page: headline figures with their change, findings, four charts, and how to read them."""
    document = _Document()
    document.add_page()
    _title(document, summary)
    _headlines(document, summary)
    _findings(document, summary)
    _charts(document, summary, bottom=PAGE_HEIGHT - MARGIN - 17)
    _footnote(document, summary)
    return bytes(document.output())


class _Document(FPDF):
    def __init__(self) -> None:
        super().__init__(orientation="portrait", unit="mm", format="A4")
        missing = [name for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf") if not (FONT_DIR / name).exists()]
        if missing:
            raise FileNotFoundError(
                f"{', '.join(missing)} not found in {FONT_DIR}: install the Debian package fonts-dejavu-core"
            )
        self.add_font(FONT, "", FONT_DIR / "DejaVuSans.ttf")
        self.add_font(FONT, "B", FONT_DIR / "DejaVuSans-Bold.ttf")
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(False)
        self.set_lang("en")
        self.set_creator("Hub Dashboard")

    def text_line(
        self, text: str, size: float, bold: bool = False, colour=TEXT, height: float | None = None, width: float = 0
    ) -> None:
        """A paragraph from the current position; width 0 runs to the right margin."""
        self.set_font(FONT, "B" if bold else "", size)
        self.set_text_color(*colour)
        self.multi_cell(width, height or size * 0.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)


def _title(document: _Document, summary: Summary) -> None:
    release = data.run("release_info").iloc[0]
    title = f"Public summary: {summary.place[0].upper()}{summary.place[1:]}, {summary.period_level} {summary.period}"
    document.set_title(title)
    document.text_line("Hub Dashboard · public summary", 9, colour=MUTED)
    document.text_line(title, 15, bold=True, height=7.5)
    compared = (
        f"Changes are against {summary.earlier}."
        if summary.earlier_published
        else f"No figures for {summary.earlier} were published, so nothing is compared."
    )
    document.text_line(
        f"Release {release['number']}, published {release['published_on']:%d %B %Y}. {compared}", 8.5, colour=MUTED
    )
    document.ln(3)


def _headlines(document: _Document, summary: Summary) -> None:
    gap = 2.5
    count = len(summary.headlines)
    width = (PAGE_WIDTH - 2 * MARGIN - gap * (count - 1)) / count
    top, height = document.get_y(), 25
    document.set_draw_color(*RULE)
    for i, headline in enumerate(summary.headlines):
        x = MARGIN + i * (width + gap)
        document.rect(x, top, width, height)
        document.set_xy(x + 2, top + 2)
        document.set_font(FONT, "", 7.5)
        document.set_text_color(*MUTED)
        document.multi_cell(width - 4, 3.3, headline.label, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
        document.set_xy(x + 2, top + 9.5)
        document.set_font(FONT, "B", 15)
        document.set_text_color(*TEXT)
        document.cell(width - 4, 7, headline.value, new_x=XPos.LEFT, new_y=YPos.NEXT)
        change = metrics.change_text(headline.now, headline.before, headline.percent)
        if change:
            note = f"{change} from {summary.earlier}"
        else:
            note = headline.hidden_range or (
                summary.why_not_compared(headline.now, headline.before, headline.kind)
                if summary.earlier_published
                else None
            )
        if note:
            document.set_x(x + 2)
            document.set_font(FONT, "", 7)
            document.set_text_color(*MUTED)
            document.multi_cell(width - 4, 3, note, align="L", new_x=XPos.LEFT, new_y=YPos.NEXT)
    document.set_xy(MARGIN, top + height + 4)


def _findings(document: _Document, summary: Summary) -> None:
    document.text_line("What stands out", 11, bold=True, height=6)
    for sentence in summary.findings:
        document.set_font(FONT, "", 8.5)
        document.set_text_color(*TEXT)
        document.cell(4, 4.2, "•")
        document.multi_cell(0, 4.2, sentence, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    document.ln(2)


def _charts(document: _Document, summary: Summary, bottom: float) -> None:
    """The page's four charts, two by two, each as large as the space left allows."""
    gap = 4
    top = document.get_y()
    width = (PAGE_WIDTH - 2 * MARGIN - gap) / 2
    height = (bottom - top - gap) / 2
    for i, chart in enumerate(public_summary.charts(summary).values()):
        x = MARGIN + (i % 2) * (width + gap)
        y = top + (i // 2) * (height + gap)
        if chart.figure is None:
            document.set_xy(x, y)
            document.text_line(f"{chart.title}: {public_summary.NO_FIGURE}", 8.5, width=width)
        else:
            document.image(
                io.BytesIO(_png(chart.figure, width, height)),
                x=x,
                y=y,
                w=width,
                h=height,
                keep_aspect_ratio=True,
                alt_text=chart.alt_text,
            )
    document.set_xy(MARGIN, bottom + 1)


def _footnote(document: _Document, summary: Summary) -> None:
    document.set_draw_color(*RULE)
    document.line(MARGIN, document.get_y(), PAGE_WIDTH - MARGIN, document.get_y())
    document.ln(1)
    document.text_line(
        f"{ui.suppression_explained()} A suppressed count is never a zero. A rate is shown only where both of its "
        f"parts are published and its base is at least {ui.threshold()}. A hidden figure reads with the range the "
        "published figures already imply, and is a grey line in the charts. Money is not a count of people and is "
        "never suppressed. Every figure on the public summary page can be downloaded there as CSV.",
        6.8,
        colour=MUTED,
        height=3.2,
    )


def _png(chart: alt.TopLevelMixin, width_mm: float, height_mm: float) -> bytes:
    """The chart laid out for a box of this size, with text large enough to read on paper."""
    pixels_per_mm = 80 / 25.4
    sized = chart.properties(width=int(width_mm * pixels_per_mm) - 180, height=int(height_mm * pixels_per_mm) - 105)
    styled = (
        sized.configure_title(fontSize=12)
        .configure_axis(labelFontSize=10, titleFontSize=10)
        .configure_legend(labelFontSize=10)
    )
    return ui.png(styled, scale=3)
