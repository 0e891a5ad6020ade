"""What the app's HTTP responses promise a browser: headers, no framing by another site, a private cookie."""

from __future__ import annotations

import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from browser import free_port, sign_in, wait_for_app, wait_for_session_cookie


def fetch(url: str):
    try:
        return urllib.request.urlopen(url, timeout=10)
    except urllib.error.HTTPError as error:
        return error


@pytest.mark.parametrize("path", ["", "feedback", "sign-in", "_stcore/health"])
def test_every_response_carries_the_security_headers(app_url, path):
    with fetch(f"{app_url}/{path}") as response:
        headers = response.headers
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_metrics_are_not_served(app_url):
    with fetch(f"{app_url}/_stcore/metrics") as response:
        assert response.status == 404
        assert b"session" not in response.read()


@pytest.fixture
def other_origin(app_url):
    """A page on another loopback port that frames the feedback form, the sign-in form and a page of its own."""
    pages = {
        "/": (
            f'<iframe name="feedback" src="{app_url}/feedback"></iframe>'
            f'<iframe name="sign-in" src="{app_url}/sign-in"></iframe>'
            '<iframe name="own" src="/own"></iframe>'
        ),
        "/own": "<p>a page of this origin</p>",
    }

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            body = pages[self.path].encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", free_port()), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


def test_another_origin_cannot_frame_the_feedback_or_sign_in_form(page, other_origin, app_url):
    page.goto(other_origin, wait_until="load")
    frames = {frame.name: frame for frame in page.frames if frame.name}
    assert frames["own"].inner_text("body") == "a page of this origin"  # framing works here, for a page that allows it
    for name in ("feedback", "sign-in"):
        assert not frames[name].url.startswith(app_url), name
        assert frames[name].query_selector("[data-testid='stApp']") is None, name


def test_the_session_cookie_lasts_the_browser_session_and_is_hidden_from_scripts(page, context, app_url):
    sign_in(page, app_url, "leader", "leader-demo")
    cookie = wait_for_session_cookie(context)
    assert cookie["expires"] == -1  # a session cookie: gone when the browser closes
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert "hubdash_session" not in page.evaluate("document.cookie")
    page.goto(f"{app_url}/referrals")
    wait_for_app(page)
    assert page.get_by_text("Signed in as leader").count() == 1
