"""Driving the whole app in AppTest: open a page by its URL path, sign in.

Import as `from apptest import app, open_page, sign_in`.
"""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

ENTRY = Path(__file__).resolve().parents[1] / "dashboard" / "web" / "app.py"


def app() -> AppTest:
    at = AppTest.from_file(str(ENTRY), default_timeout=60)
    return at.run()


def open_page(at: AppTest, url_path: str) -> AppTest:
    """Open the page routed at /url_path, as typing that URL would.

    AppTest.switch_page only finds pages by file, and a page the viewer may not
    see is routed to the sign-in form (a function, not a file), so look the
    route up among the pages st.navigation registered on the last run.
    """
    routes = {info.get("url_pathname"): h for h, info in at._registered_pages.items()}
    at._page_hash = routes[url_path]
    return at.run()


def sign_in(at: AppTest, username: str, password: str) -> AppTest:
    """Fill the sign-in form shown on the current page (username, then password) and submit it."""
    at.text_input[0].input(username)
    at.text_input[1].input(password)
    next(b for b in at.button if b.label == "Sign in").click()
    return at.run()
