"""The leadership pages in Chromium at 1366 pixels and on a phone: every table shows every row and column without
scrolling inside it, and its download holds numbers, a hidden figure empty, with a status column."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest
from browser import LAST_LINE, PHONE, finished, phone_beside, screenshot, sign_in, wait_for_session_cookie
from playwright.sync_api import expect

LAPTOP = {"width": 1366, "height": 900}
TABLES_FIT = """() => [...document.querySelectorAll('[data-testid=stTable]')].map(t => {
    const box = t.getBoundingClientRect();
    return {overflow: t.scrollWidth - t.clientWidth, right: box.right, rows: t.querySelectorAll('tbody tr').length};
})"""


@pytest.mark.parametrize("path, charts, tables", [("referrals", 2, 3), ("language-access", 3, 4)])
def test_every_table_fits_at_1366_pixels_and_on_a_phone(page, context, browser, app_url, path, charts, tables):
    sign_in(page, app_url, "leader", "leader-demo")
    wait_for_session_cookie(context)
    with phone_beside(browser, context) as phone:
        for tab, size, name in ((page, LAPTOP, "laptop"), (phone, PHONE, "phone")):
            tab.set_viewport_size(size)
            tab.goto(f"{app_url}/{path}")
            expect(tab.get_by_text(LAST_LINE)).to_be_visible()
            finished(tab, charts=charts)
            tab.wait_for_function(
                "(n) => document.querySelectorAll('[data-testid=stTable] tbody tr').length > 0 "
                "&& document.querySelectorAll('[data-testid=stTable]').length >= n",
                arg=tables,
            )
            drawn = tab.evaluate(TABLES_FIT)
            screenshot(tab, f"{path}-tables-{name}")
            assert all(t["overflow"] <= 1 and t["right"] <= size["width"] for t in drawn), (name, drawn)
            assert all(t["rows"] > 0 for t in drawn)


def test_a_tables_download_holds_numbers_and_says_which_are_hidden(page, app_url):
    sign_in(page, app_url, "leader", "leader-demo")
    page.goto(f"{app_url}/referrals")
    finished(page, charts=2)
    with page.expect_download() as download:
        page.get_by_role("button", name="Download “Funnel over time, Whole network” as CSV").click()
    csv = pd.read_csv(io.BytesIO(Path(download.value.path()).read_bytes()), encoding="utf-8-sig")

    counts = ["Referred", "Accepted", "First appointment", "Completed", "Waited over 30 days"]
    assert csv.columns[-1] == "Status"
    assert all(pd.api.types.is_numeric_dtype(csv[column]) for column in counts)
    for _, row in csv.iterrows():
        hidden = [column for column in counts if pd.isna(row[column])]
        assert all(f"{column}: hidden (" in row["Status"] for column in hidden)
        assert (row["Status"] == "published") == (not row.drop("Status").isna().any())
