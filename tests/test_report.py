"""The printable report: one page of PDF per place and period, with the page's own figures."""

from __future__ import annotations

import dataclasses
import io

import duckdb
import pytest
from pypdf import PdfReader

from dashboard import public_summary, report


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
def region_year(warehouse) -> tuple[str, str]:
    """The latest year, and a region whose headline figures that year are all published."""
    year = warehouse.execute("SELECT max(period) FROM cells WHERE period_level = 'year'").fetchone()[0]
    region = warehouse.execute(
        "SELECT geo FROM cells WHERE period_level = 'year' AND period = ? AND geo_level = 'region' "
        "AND service_line = 'all' AND language = 'all' AND funding_stream = 'all' AND outcome = 'all' "
        "AND measure IN ('referred', 'accepted', 'completed', 'appointments_needing_interpreter', "
        "'appointments_with_interpreter') GROUP BY geo HAVING bool_and(NOT suppressed) ORDER BY geo LIMIT 1",
        [year],
    ).fetchone()[0]
    return region, year


def total(con, topic: str, measure: str, period: str, region: str) -> int:
    level = "year" if len(period) == 4 else "quarter"
    return con.execute(
        f"SELECT value FROM cells WHERE topic = ? AND measure = ? AND period_level = '{level}' AND period = ? "
        "AND geo_level = 'region' AND geo = ? AND service_line = 'all' AND language = 'all' "
        "AND funding_stream = 'all' AND outcome = 'all'",
        [topic, measure, period, region],
    ).fetchone()[0]


def read(pdf: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf))


def words(page) -> str:
    """The page's text with every run of spaces and line breaks as one space: lines wrap where they fit."""
    return " ".join(page.extract_text().split())


def test_the_report_is_one_page_with_the_regions_headline_figures(warehouse, region_year):
    region, quarter = region_year
    pdf = read(report.pdf(public_summary.gather("region", region, "year", quarter)))
    assert len(pdf.pages) == 1
    text = words(pdf.pages[0])
    assert f"{region} region" in text and quarter in text
    referred = total(warehouse, "referrals", "referred", quarter, region)
    completed = total(warehouse, "referrals", "completed", quarter, region)
    accepted = total(warehouse, "referrals", "accepted", quarter, region)
    needing = total(warehouse, "language_access", "appointments_needing_interpreter", quarter, region)
    covered = total(warehouse, "language_access", "appointments_with_interpreter", quarter, region)
    spent, budget = total(warehouse, "funding", "spent", quarter, region), total(warehouse, "funding", "budget", quarter, region)
    for figure in (f"{referred:,}", f"{completed:,}", f"{completed / accepted:.0%}", f"{covered / needing:.0%}",
                   f"{spent / budget:.0%}"):
        assert figure in text


def test_the_report_carries_the_four_charts_and_the_disclosure_rule(warehouse, region_quarter):
    k = warehouse.execute("SELECT threshold FROM release").fetchone()[0]
    year = warehouse.execute("SELECT max(period) FROM cells WHERE period_level = 'year'").fetchone()[0]
    region, _ = region_quarter
    page = read(report.pdf(public_summary.gather("region", region, "year", year))).pages[0]
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


def test_the_report_shows_the_change_against_a_year_earlier(warehouse, region_year):
    region, quarter = region_year
    earlier = f"{int(quarter[:4]) - 1}{quarter[4:]}"
    moved = total(warehouse, "referrals", "referred", quarter, region) - total(warehouse, "referrals", "referred", earlier, region)
    text = words(read(report.pdf(public_summary.gather("region", region, "year", quarter))).pages[0])
    change = "no change" if moved == 0 else f"{'up' if moved > 0 else 'down'} {abs(moved):,}"
    assert f"{change} from {earlier}" in text


def test_a_place_name_beyond_latin_1_prints_as_written(region_quarter):
    """The embedded font covers what the core PDF fonts cannot: a region may be called anything."""
    region, quarter = region_quarter
    summary = public_summary.gather("region", region, "quarter", quarter)
    renamed = dataclasses.replace(summary, geo="Đồng bằng Đà Nẵng")
    text = words(read(report.pdf(renamed)).pages[0])
    assert "Đồng bằng Đà Nẵng region" in text
