"""The real app in a real browser: a server on a free local port, and Debian's Chromium.

One server per test worker, on the built-in seed, in its own data folder. Every
page a test opens records the requests it makes, and the screenshots a test
takes are kept under artifacts/screenshots/ for a person to look at.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlparse

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"


def pytest_collection_modifyitems(items):
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def app_home(tmp_path_factory, seed_release) -> Path:
    """A data folder whose current release is the published seed network."""
    home = tmp_path_factory.mktemp("e2e-home")
    (home / "warehouse.duckdb").symlink_to(seed_release)
    return home


@pytest.fixture(scope="session")
def app_url(app_home) -> str:
    port = _free_port()
    env = {**os.environ, "HUBDASH_HOME": str(app_home)}
    env.pop("HUBDASH_USERS", None)
    log = open(app_home / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "run", "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)
        log.close()


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    if not os.path.exists(CHROMIUM):
        pytest.fail("Debian's chromium is not installed: run `make test`, which installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-background-networking", "--disable-gpu", "--disable-component-update",
                  "--disable-sync", "--no-first-run"],
        )
        yield browser
        browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    yield context
    context.close()


@pytest.fixture
def page(context, app_url, request):
    """A fresh tab that remembers every host it contacted (`page.hosts_contacted`)."""
    page = context.new_page()
    page.hosts_contacted = set()
    page.on("request", lambda r: page.hosts_contacted.add(urlparse(r.url).netloc or r.url.split(":")[0]))
    page.set_default_timeout(30_000)
    yield page
    page.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_until_healthy(url: str, server: subprocess.Popen, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the app exited with {server.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the app did not become healthy in time")
