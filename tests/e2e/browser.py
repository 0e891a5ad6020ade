"""What browser tests do again and again: wait for the app, sign in, keep a screenshot.

Import it in a test module as `from browser import sign_in, screenshot, wait_for_app`.
"""

from __future__ import annotations

from pathlib import Path

SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"


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
        timeout=60_000,
    )
    page.wait_for_timeout(500)


def sign_in(page, app_url: str, username: str, password: str, path: str = "sign-in") -> None:
    page.goto(f"{app_url}/{path}")
    wait_for_app(page)
    page.get_by_label("Username").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text(f"Signed in as {username}").first.wait_for()
    wait_for_app(page)
