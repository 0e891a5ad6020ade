"""What browser tests (and the page benchmark) do again and again: serve the app, launch Chromium,
wait for a page, sign in, keep a screenshot.

Import it as `from browser import sign_in, screenshot, wait_for_app`.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
LEADERSHIP_PAGES = {
    "referrals": ("Referral gaps", 2),
    "language-access": ("Language access", 4),
    "funding": ("Funding use", 4),
    "outcomes": ("Outcomes", 2),
}
"""Each leadership page's title and how many charts it draws for a leader seeing every hub."""
CHARTS = "[data-testid='stVegaLiteChart']"
PATIENCE_MS = 60_000
"""How long a browser step may wait for the app: on two cores the other test worker's ingests and browser slow
a page run down, and a step that waited 30 s timed out now and then in full runs (never alone)."""
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LAST_LINE = re.compile(r"on this view (is|are) suppressed")
"""The status line every leadership page ends with: the page has run to its end."""


def seeded_home(tmp_path_factory, seed_release: Path, name: str) -> Path:
    """A data folder of its own whose current release is the published seed network."""
    home = tmp_path_factory.mktemp(name)
    (home / "warehouse.duckdb").symlink_to(seed_release)
    return home


@contextlib.contextmanager
def phone_beside(browser, context):
    """A page on a phone carrying the sign-in of `context`, closed afterwards."""
    phone_context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    phone_context.set_default_timeout(PATIENCE_MS)
    try:
        phone_context.add_cookies(context.cookies())
        yield phone_context.new_page()
    finally:
        phone_context.close()


def launch(playwright):
    """Debian's Chromium, headless, kept from calling any host of its own."""
    if not os.path.exists(CHROMIUM):
        raise RuntimeError("Debian's chromium is not installed: run `make test`, which installs it")
    return playwright.chromium.launch(
        executable_path=CHROMIUM,
        headless=True,
        args=[
            "--no-sandbox",
            "--disable-background-networking",
            "--disable-gpu",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    )


@contextlib.contextmanager
def serve(home: Path, port: int | None = None, users: Path | None = None, folder: Path | None = None):
    """`hubdash run` on a local port over the data folder `home`, with the users file `users` or else the demo
    accounts, started in `folder` (where Streamlit looks for .streamlit/secrets.toml); yields its URL."""
    port = port or free_port()
    env = {**os.environ, "HUBDASH_HOME": str(home)}
    env.pop("HUBDASH_USERS", None)
    if users is not None:
        env["HUBDASH_USERS"] = str(users)
    with open(home / "server.log", "a") as log:
        server = subprocess.Popen(
            [sys.executable, "-m", "dashboard.cli", "run", "--port", str(port)],
            env=env,
            cwd=folder,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            _wait_until_healthy(url, server)
            yield url
        finally:
            server.terminate()
            server.wait(timeout=20)


def free_port() -> int:
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


def finished(page, charts: int = 0) -> None:
    """Wait until the script has run and at least `charts` charts are drawn (Vega renders after the run)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']")
    page.wait_for_function(
        """([selector, wanted]) => {
            const charts = [...document.querySelectorAll(selector)];
            return charts.length >= wanted && charts.every(c => c.querySelector('canvas, svg'));
        }""",
        arg=[CHARTS, charts],
    )


def screenshot(page, name: str) -> Path:
    """Keep a full-page screenshot under artifacts/screenshots/ and return its path."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def wait_for_app(page) -> None:
    """Wait until Streamlit has finished running the script for this page."""
    page.wait_for_selector("[data-testid='stApp']")
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelector('[data-testid=\"stMain\"]')?.innerText.length > 0",
        timeout=PATIENCE_MS,
    )
    page.wait_for_timeout(500)


def wait_for_session_cookie(context, timeout: float = 30) -> dict:
    """The session cookie, once the browser has it. It is HttpOnly, so no page can see it: ask the cookie jar."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for cookie in context.cookies():
            if cookie["name"] == "hubdash_session":
                return cookie
        time.sleep(0.1)
    raise AssertionError("the browser never got the session cookie")


def sign_out(page) -> None:
    """Sign out, and wait until the page no longer says who is signed in: only then has the session ended."""
    from playwright.sync_api import expect

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("Signed in as")).to_have_count(0)


def sign_in(page, app_url: str, username: str, password: str, path: str = "sign-in") -> None:
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)
    page.get_by_label("Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.get_by_text(f"Signed in as {username}").first.wait_for()
    wait_for_app(page)
