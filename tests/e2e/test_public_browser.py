"""The public pages in a real browser: nothing fetched from elsewhere, no accessibility violation of ours, the PDF.

axe-core runs with the WCAG 2.1 A and AA rules over the whole page (the window is
made as tall as the page, so every element is checked, none skipped as off-screen).
Any violation fails, Streamlit's own markup included: on these pages it has none
(st.caption's faded grey fails contrast in the default theme; the app sets a
darker text colour, which fixes it).
"""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import DESKTOP, PHONE, screenshot, wait_for_app
from pypdf import PdfReader

WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

SETTLED = """() => {
    const main = document.querySelector('[data-testid="stMain"]');
    const charts = [...main.querySelectorAll('[data-testid="stVegaLiteChart"]')];
    const state = `${main.innerHTML.length}:${main.scrollHeight}`;
    if (window.lastState !== state) {
        window.lastState = state;
        window.stateSince = Date.now();
        return false;
    }
    return charts.every(chart => chart.querySelector('svg, canvas')) && Date.now() - window.stateSince > 1000;
}"""
"""True once the page has not changed for a second and every chart on it is drawn: Streamlit loads the
code of charts and tables lazily, after the script run has ended."""


def show_whole_page(page, width: int) -> None:
    """Wait until the page has settled, then grow the window to the whole page and let it settle again.

    Streamlit scrolls inside its own container, so a screenshot or an audit would
    otherwise see only what fits in the window.
    """
    wait_for_app(page)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    page.wait_for_function(SETTLED, polling=200)
    height = page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": width, "height": height})
    page.wait_for_function(SETTLED, polling=200)


def violations(page) -> list[str]:
    """Every WCAG 2.1 A or AA violation axe-core finds on the page, as 'rule: element'."""
    result = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_21_AA}, "resultTypes": ["violations"]})
    return [f"{v['id']}: {node['html'][:200]}" for v in result.response["violations"] for node in v["nodes"]]


@pytest.mark.parametrize("viewport, name", [(DESKTOP, "desktop"), (PHONE, "phone")])
def test_a_visitor_loads_the_summary_from_the_app_alone(page, app_url, viewport, name):
    page.set_viewport_size(viewport)
    page.goto(app_url)
    show_whole_page(page, viewport["width"])
    assert page.locator("[data-testid='stVegaLiteChart'] svg").count() == 4
    assert page.get_by_role("heading", name="How the network is doing").is_visible()
    screenshot(page, f"public-summary-{name}")
    assert page.hosts_contacted == {urlparse(app_url).netloc}


@pytest.mark.parametrize("path", ["", "governance"], ids=["summary", "governance"])
@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_accessibility_violation(page, app_url, path, viewport):
    page.set_viewport_size(viewport)
    page.goto(f"{app_url}/{path}")
    show_whole_page(page, viewport["width"])
    assert violations(page) == []


def test_a_region_with_suppressed_figures_has_no_violation(page, app_url):
    """A region's figures include suppressed ones, drawn as grey marks and written as 'suppressed'."""
    page.goto(app_url)
    wait_for_app(page)
    page.get_by_label("Where").click()
    region = page.get_by_role("option").filter(has_text="Region:").first
    place = region.inner_text()
    region.click()
    page.get_by_role("heading", name=f"{place} · Year").wait_for()
    show_whole_page(page, DESKTOP["width"])
    assert page.get_by_text("on this view are suppressed").is_visible()
    screenshot(page, "public-summary-region")
    assert violations(page) == []


def test_the_one_page_report_downloads_as_a_pdf(page, app_url):
    page.goto(app_url)
    wait_for_app(page)
    button = page.get_by_role("button", name="Download a one-page report (PDF)")
    button.wait_for(state="visible")
    with page.expect_download(timeout=90_000) as download:  # the PDF is drawn when asked for, charts and all
        button.click()
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = PdfReader(download.value.path())
    assert len(pdf.pages) == 1
    assert "Public summary: The whole network" in pdf.pages[0].extract_text()
    assert page.hosts_contacted == {urlparse(app_url).netloc}
