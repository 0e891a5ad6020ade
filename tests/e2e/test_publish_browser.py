"""The static site of `hubdash publish` in Chromium: served by `python -m http.server`, and opened from file://.

axe-core checks WCAG 2.1 A and AA on every kind of page, on a desktop and a
phone; any violation fails. The site needs no JavaScript, and asks no host but
its own for anything.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import free_port, screenshot
from test_public_browser import DESKTOP, PHONE, violations

from dashboard.cli import main


@pytest.fixture(scope="module")
def site(seed_release, tmp_path_factory) -> Path:
    """The seed's site, from a data folder of its own: the app of the other browser tests holds its feedback store."""
    home = tmp_path_factory.mktemp("static-home")
    (home / "warehouse.duckdb").symlink_to(seed_release)
    out = tmp_path_factory.mktemp("static") / "site"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("HUBDASH_HOME", str(home))
        assert main(["publish", "--out", str(out)]) == 0
    return out


@pytest.fixture(scope="module")
def site_url(site):
    """The README's one command, on a free port of this machine."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_for(url)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


def _wait_for(url: str) -> None:
    import time
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("python -m http.server did not start")


def pages(site: Path) -> dict[str, str]:
    """One page of each kind: the home page, a summary with every chart, a region's quarter with suppressed
    figures and an empty chart, the indexes, governance, the board in English and Chinese, the sitemap."""
    quarters = sorted(p.stem for p in (site / "network").glob("*-Q*.html"))
    years = sorted(p.stem for p in (site / "network").glob("[0-9][0-9][0-9][0-9].html"))
    region = sorted(p.name for p in (site / "regions").iterdir())[0]
    return {
        "home": "index.html",
        "network-year": f"network/{years[-1]}.html",
        "region-quarter": f"regions/{region}/{quarters[-1]}.html",
        "place-index": f"regions/{region}/index.html",
        "period-index": f"periods/{years[-1]}.html",
        "governance": "governance.html",
        "board": "you-said-we-did.html",
        "board-zh": "you-said-we-did.zh.html",
        "sitemap": "sitemap.html",
    }


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_no_accessibility_violation_on_any_kind_of_page(page, site, site_url, viewport):
    page.set_viewport_size(viewport)
    found = {}
    for name, path in pages(site).items():
        page.goto(f"{site_url}/{path}")
        page.set_viewport_size({"width": viewport["width"], "height": page.evaluate("document.body.scrollHeight")})
        found[name] = violations(page)
        page.set_viewport_size(viewport)
    assert found == {name: [] for name in found}
    assert page.hosts_contacted == {urlparse(site_url).netloc}


def test_a_summary_reads_without_javascript_and_fits_a_phone(browser, site, site_url):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    try:
        tab = context.new_page()
        tab.goto(f"{site_url}/{pages(site)['network-year']}")
        assert tab.get_by_role("heading", name="How the network is doing", level=1).is_visible()
        shown = tab.locator("svg.chart-svg:visible")
        assert shown.count() == 4
        assert all(box["width"] <= PHONE["width"] for box in (shown.nth(i).bounding_box() for i in range(4)))
        assert tab.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(tab, "static-summary-phone")
    finally:
        context.close()


def test_the_site_works_from_file_without_any_request_elsewhere(page, site):
    page.goto((site / "index.html").as_uri())
    page.get_by_role("link", name="Whole network").first.click()
    page.get_by_role("link", name=sorted(p.stem for p in (site / "network").glob("[0-9]*.html"))[-1]).first.click()
    assert page.locator("svg.chart-svg:visible").count() == 4
    assert page.evaluate("getComputedStyle(document.querySelector('.chart-narrow')).display") == "none"
    page.get_by_role("link", name="How the figures are protected").click()
    assert page.get_by_role("heading", name="Data governance", level=1).is_visible()
    assert page.hosts_contacted <= {"", "file"}


def test_printing_leaves_out_the_navigation_and_keeps_the_figures(page, site, site_url):
    page.goto(f"{site_url}/{pages(site)['network-year']}")
    page.emulate_media(media="print")
    assert not page.get_by_role("navigation", name="Site").is_visible()
    assert not page.get_by_role("link", name="Skip to the content").is_visible()
    assert page.locator("svg.chart-svg:visible").count() == 4
    assert page.locator(".headline").first.is_visible()
