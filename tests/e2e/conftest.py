"""The real app in a real browser: a server on a free local port, and Debian's Chromium.

One server per test worker, on the built-in seed, in its own data folder. Every
page a test opens records the requests it makes, and the screenshots a test
takes are kept under artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

import pytest
from browser import PATIENCE_MS, launch, seeded_home, serve


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def app_home(tmp_path_factory, seed_release) -> Path:
    return seeded_home(tmp_path_factory, seed_release, "e2e-home")


@pytest.fixture(scope="session")
def app_url(app_home) -> str:
    with serve(app_home) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        try:
            browser = launch(playwright)
        except RuntimeError as error:
            pytest.fail(str(error))
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    context.set_default_timeout(PATIENCE_MS)
    yield context
    context.close()


@pytest.fixture
def page(context, app_url, request):
    """A fresh tab that remembers every host it contacted (`page.hosts_contacted`)."""
    page = context.new_page()
    page.hosts_contacted = set()
    page.on("request", lambda r: page.hosts_contacted.add(urlparse(r.url).netloc or r.url.split(":")[0]))
    yield page
    page.close()
