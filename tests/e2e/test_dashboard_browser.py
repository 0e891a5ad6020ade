"""The leadership pages in a real browser: drawn, filtered, downloaded, and kept behind the sign-in.

Expected figures are read from the release file with DuckDB, not through the app.
"""

from __future__ import annotations

import io
import os

import duckdb
import pandas as pd
from browser import (
    CHARTS,
    DESKTOP,
    LAST_LINE,
    LEADERSHIP_PAGES,
    finished,
    phone_beside,
    screenshot,
    sign_in,
    sign_out,
    wait_for_session_cookie,
)
from playwright.sync_api import expect

FIGURES = f"{CHARTS}, [data-testid='stTable'], [data-testid='stMetric'], [data-testid='stDownloadButton']"


def keep(page, name: str) -> None:
    """A screenshot of the whole page: Streamlit scrolls inside its main area, so grow the window to fit it."""
    size = page.viewport_size
    height = page.evaluate("() => document.querySelector('[data-testid=stMain]').scrollHeight")
    page.set_viewport_size({"width": size["width"], "height": max(height, size["height"])})
    page.wait_for_function(
        "(width) => [...document.querySelectorAll('[data-testid=stVegaLiteChart] canvas, "
        "[data-testid=stVegaLiteChart] svg')].every(c => c.getBoundingClientRect().right <= width)",
        arg=size["width"],
    )
    screenshot(page, name)
    page.set_viewport_size(size)


def warehouse(app_home, sql: str, *params) -> pd.DataFrame:
    with duckdb.connect(os.path.realpath(app_home / "warehouse.duckdb"), read_only=True) as con:
        return con.execute(sql, list(params)).df()


def test_a_visitor_typing_a_leadership_url_sees_only_the_sign_in_form(page, app_url):
    page.goto(f"{app_url}/referrals")
    finished(page)
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_role("textbox", name="Password")).to_be_visible()
    assert page.locator(FIGURES).count() == 0
    keep(page, "referrals-visitor")


def test_a_leader_sees_each_page_drawn_on_a_desktop_and_a_phone(page, context, browser, app_url):
    sign_in(page, app_url, "leader", "leader-demo")
    wait_for_session_cookie(context)
    with phone_beside(browser, context) as phone:
        for path, (title, charts) in LEADERSHIP_PAGES.items():
            for tab, name in ((page, f"{path}-desktop"), (phone, f"{path}-phone")):
                tab.goto(f"{app_url}/{path}")
                expect(tab.get_by_role("heading", name=title, level=1)).to_be_visible()
                expect(tab.get_by_text(LAST_LINE)).to_be_visible()
                finished(tab, charts=charts)
                keep(tab, name)


def test_a_leader_filters_funding_by_region_and_downloads_exactly_what_is_shown(page, app_url, app_home):
    year = warehouse(app_home, "SELECT max(period) AS year FROM cells WHERE period_level = 'year'")["year"].iloc[0]
    region = warehouse(app_home, "SELECT min(region) AS region FROM hubs")["region"].iloc[0]
    sign_in(page, app_url, "leader", "leader-demo")
    page.goto(f"{app_url}/funding")
    finished(page, charts=4)
    expect(page.get_by_text("Whole network · Years")).to_be_visible()

    page.get_by_test_id("stSelectbox").filter(has_text="Where").click()
    page.get_by_role("option", name=f"Region: {region}").click()
    expect(page.get_by_text(f"Region: {region} · Years")).to_be_visible()
    finished(page, charts=4)
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download “Budget and spend by funding stream, {year}” as CSV").click()
    shown = pd.read_csv(io.BytesIO(open(download.value.path(), "rb").read()), encoding="utf-8-sig", dtype=str)

    published = warehouse(
        app_home,
        "SELECT funding_stream, measure, value FROM cells WHERE topic = 'funding' AND period_level = 'year' AND period = ? "
        "AND geo_level = 'region' AND geo = ? AND service_line = 'all' AND funding_stream <> 'all'",
        year,
        region,
    ).pivot(index="funding_stream", columns="measure", values="value")
    assert shown.columns.tolist() == ["Funding stream", "Budget", "Spent", "Share of budget spent (%)", "Status"]
    assert dict(zip(shown["Funding stream"], zip(shown["Budget"], shown["Spent"]))) == {
        stream.replace("_", " ").capitalize(): (str(row.budget), str(row.spent)) for stream, row in published.iterrows()
    }


def test_a_session_survives_a_reload_travels_with_its_cookie_and_ends_everywhere_on_sign_out(
    page, context, browser, app_url
):
    sign_in(page, app_url, "leader", "leader-demo")
    wait_for_session_cookie(context)
    page.goto(f"{app_url}/funding")
    finished(page, charts=4)
    page.reload()
    expect(page.get_by_role("heading", name="Funding use", level=1)).to_be_visible()
    finished(page, charts=4)
    assert page.url == f"{app_url}/funding"

    copy = browser.new_context(viewport=DESKTOP)
    try:
        copy.add_cookies(context.cookies())
        other = copy.new_page()
        other.goto(f"{app_url}/referrals")
        expect(other.get_by_role("heading", name="Referral gaps", level=1)).to_be_visible()
        finished(other, charts=2)

        sign_out(page)
        other.reload()
        finished(other)
        expect(other.get_by_label("Username")).to_be_visible()
        assert other.locator(FIGURES).count() == 0
    finally:
        copy.close()
