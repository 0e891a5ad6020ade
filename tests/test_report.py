"""The printable report: one page of PDF per place and period, with the page's own figures."""

from __future__ import annotations

import dataclasses
import io
import threading

import altair as alt
import duckdb
import pytest
from pypdf import PdfReader

from dashboard import internals
from dashboard.web import public_summary, report


@pytest.fixture
def warehouse(published):
    con = duckdb.connect(str(published / "warehouse.duckdb"), read_only=True)
    yield con
    con.close()


@pytest.fixture
def region_quarter(warehouse) -> tuple[str, str]:
    region = warehouse.execute(  # the busiest region: its quarter totals are published
        "SELECT geo FROM cells WHERE topic = 'referrals' AND measure = 'referred' AND period_level = 'year' "
        "AND geo_level = 'region' AND service_line = 'all' AND language = 'all' ORDER BY value DESC NULLS LAST LIMIT 1"
    ).fetchone()[0]
    quarter = warehouse.execute("SELECT max(period) FROM cells WHERE period_level = 'quarter'").fetchone()[0]
    return region, quarter


@pytest.fixture
def place_year(warehouse) -> tuple[str, str, str]:
    """The latest year, and a place whose headline figures that year and the year before are all published.

    A region if one qualifies, else the network: in the small test network each region is a single hub, and
    suppression may hide every region's year.
    """
    year = warehouse.execute("SELECT max(period) FROM cells WHERE period_level = 'year'").fetchone()[0]
    level, geo = warehouse.execute(
        "SELECT geo_level, geo FROM cells WHERE period_level = 'year' AND period IN (?, ?) "
        "AND geo_level IN ('region', 'network') "
        "AND service_line = 'all' AND language = 'all' AND funding_stream = 'all' AND outcome = 'all' "
        "AND measure IN ('referred', 'accepted', 'completed', 'appointments_needing_interpreter', "
        "'appointments_with_interpreter') GROUP BY geo_level, geo HAVING bool_and(NOT suppressed) "
        "ORDER BY geo_level = 'network', geo LIMIT 1",
        [year, str(int(year) - 1)],
    ).fetchone()
    return level, geo, year


def total(con, topic: str, measure: str, period: str, geo_level: str, geo: str) -> int:
    level = "year" if len(period) == 4 else "quarter"
    return con.execute(
        f"SELECT value FROM cells WHERE topic = ? AND measure = ? AND period_level = '{level}' AND period = ? "
        "AND geo_level = ? AND geo = ? AND service_line = 'all' AND language = 'all' "
        "AND funding_stream = 'all' AND outcome = 'all'",
        [topic, measure, period, geo_level, geo],
    ).fetchone()[0]


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def words(page) -> str:
    """The page's text with every run of spaces and line breaks as one space: lines wrap where they fit."""
    return " ".join(page.extract_text().split())


def test_the_report_is_one_page_with_the_places_headline_figures(warehouse, place_year):
    level, geo, year = place_year
    summary = public_summary.gather(level, geo, "year", year)
    pdf = read(report.pdf(summary))
    assert len(pdf.pages) == 1
    text = words(pdf.pages[0])
    assert (f"{geo} region" if level == "region" else "The whole network") in text and year in text

    def headline(topic: str, measure: str) -> int:
        return total(warehouse, topic, measure, year, level, geo)

    referred, completed, accepted = (headline("referrals", m) for m in ("referred", "completed", "accepted"))
    needing = headline("language_access", "appointments_needing_interpreter")
    covered = headline("language_access", "appointments_with_interpreter")
    spent, budget = headline("funding", "spent"), headline("funding", "budget")
    for figure in (
        f"{referred:,}",
        f"{completed:,}",
        f"{completed / accepted:.0%}",
        f"{covered / needing:.0%}",
        f"{spent / budget:.0%}",
    ):
        assert figure in text


def test_the_report_carries_the_four_charts_and_the_disclosure_rule(warehouse, place_year):
    k = warehouse.execute("SELECT threshold FROM release").fetchone()[0]
    level, geo, year = place_year
    page = read(report.pdf(public_summary.gather(level, geo, "year", year))).pages[0]
    assert len(page.images) == 4
    assert f"fewer than {k}" in words(page)


def test_a_chart_with_nothing_published_is_replaced_by_a_sentence_saying_so(region_quarter):
    region, quarter = region_quarter
    summary = public_summary.gather("region", region, "quarter", quarter)
    empty = [chart for chart in public_summary.charts(summary).values() if chart.figure is None]
    assert empty, "the seed should leave some quarter's rates for a region all unpublished"
    page = read(report.pdf(summary)).pages[0]
    assert len(page.images) == 4 - len(empty)
    assert f"{empty[0].title}: no figure in this chart can be shown" in words(page)


def test_the_report_shows_the_change_against_a_year_earlier(warehouse, place_year):
    level, geo, year = place_year
    earlier = str(int(year) - 1)
    moved = total(warehouse, "referrals", "referred", year, level, geo) - total(
        warehouse, "referrals", "referred", earlier, level, geo
    )
    text = words(read(report.pdf(public_summary.gather(level, geo, "year", year))).pages[0])
    change = "no change" if moved == 0 else f"{'up' if moved > 0 else 'down'} {abs(moved):,}"
    assert f"{change} from {earlier}" in text


def test_a_place_name_beyond_latin_1_prints_as_written(region_quarter):
    """The embedded font covers what the core PDF fonts cannot: a region may be called anything."""
    region, quarter = region_quarter
    summary = public_summary.gather("region", region, "quarter", quarter)
    renamed = dataclasses.replace(summary, geo="Đồng bằng Đà Nẵng")
    text = words(read(report.pdf(renamed)).pages[0])
    assert "Đồng bằng Đà Nẵng region" in text


def test_the_report_draws_its_charts_while_streamlit_draws_another_sessions_chart(place_year):
    """The report is made in a download's own thread; meanwhile Streamlit may be drawing a chart for anyone.

    To draw one, Streamlit swaps Altair's process-wide data transformer for its own, under its lock: a chart
    serialised in that moment comes out without its data, and its PNG fails ("SVG has an invalid size").
    """
    level, geo, year = place_year
    summary = public_summary.gather(level, geo, "year", year)
    alt.data_transformers.register("kept_by_name", lambda data, **options: {"name": "sent-beside-the-chart"})
    swapped, done = threading.Event(), threading.Event()

    def streamlit_drawing_a_chart() -> None:
        """As Streamlit does: a transformer that leaves the data out of the chart, referred to by name."""
        with internals.altair_globals_lock(), alt.data_transformers.enable("kept_by_name"):
            swapped.set()
            done.wait(timeout=1)

    drawing = threading.Thread(target=streamlit_drawing_a_chart)
    drawing.start()
    swapped.wait()
    try:
        page = read(report.pdf(summary)).pages[0]
    finally:
        done.set()
        drawing.join()
    assert len(page.images) == 4
