"""What `hubdash run` serves: the Streamlit app (app.py) as an st.App, Streamlit's way of adding
routes and middleware to its own server, with

- security headers on every HTTP response, which Streamlit has no option for: no site
  but this one may frame a page (the feedback and sign-in forms among them), no
  Referer leaves the app, no content-type guessing, no plugins, images from this
  origin only;
- /_stcore/metrics not served: Streamlit serves it to anyone, and it tells how many
  sessions are open and how much memory they use;
- the route that hands the browser its session cookie as HttpOnly (auth.py);
- the end of a sign-in at the identity provider on the sign-in page, saying what went
  wrong if anything did: Streamlit sends the browser to the home page either way;
- the identity provider's settings from the HUBDASH_OIDC_* variables, if set, as
  Streamlit's [auth] secrets (they take the place of secrets.toml's [auth]).

`streamlit run dashboard/web/server.py` finds `app` below and serves it with uvicorn.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from dashboard.identity import auth

SECURITY_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'self'; object-src 'none'; base-uri 'self'; form-action 'self';"
    " img-src 'self' data: blob:",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}
NOT_SERVED = "/_stcore/metrics"
PROVIDER_LOGIN = "/auth/login"
PROVIDER_CALLBACK = "/oauth2callback"
"""Streamlit's routes for st.login: to the identity provider, and back."""
STREAMLIT_IDENTITY_COOKIE = "_streamlit_user"
"""Streamlit's cookie with the identity token's claims (and `_streamlit_user_tokens`, and chunks of either)."""


class SecurityHeaders:
    """ASGI middleware: the headers above on every HTTP response, and no metrics."""

    _encoded = [(name.lower().encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["path"].rstrip("/").endswith(NOT_SERVED):
            await Response(status_code=404)(scope, receive, self._with_headers(send))
            return
        await self.app(scope, receive, self._with_headers(send))

    def _with_headers(self, send):
        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                ours = {name for name, _ in self._encoded}
                kept = [(name, value) for name, value in message.get("headers", []) if name.lower() not in ours]
                message = {**message, "headers": kept + self._encoded}
            await send(message)

        return send_with_headers


class ProviderSignInOutcome:
    """ASGI middleware: a sign-in at the identity provider ends on the sign-in page, which says why if it failed.

    Streamlit ends it on the home page whether it worked or not, and answers a provider it
    cannot reach with a bare "Authentication error" page. It worked if the callback sets
    Streamlit's identity cookie (auth.current_viewer then starts the session).
    """

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or scope["path"] not in (PROVIDER_LOGIN, PROVIDER_CALLBACK):
            await self.app(scope, receive, send)
            return

        async def send_to_sign_in_page(message):
            if message["type"] == "http.response.start":
                headers = message.get("headers", [])
                if scope["path"] == PROVIDER_CALLBACK:
                    signed_in = any(
                        name.lower() == b"set-cookie"
                        and value.startswith(f"{STREAMLIT_IDENTITY_COOKIE}=".encode())
                        and not value.startswith(f'{STREAMLIT_IDENTITY_COOKIE}="";'.encode())
                        for name, value in headers
                    )
                    location = "/sign-in" if signed_in else f"/sign-in?{auth.PROBLEM}=failed"
                elif message["status"] >= 400:
                    location = f"/sign-in?{auth.PROBLEM}=unavailable"
                else:
                    location = None
                if location:
                    kept = [(name, value) for name, value in headers if name.lower() != b"location"]
                    message = {**message, "status": 302, "headers": kept + [(b"location", location.encode())]}
            await send(message)

        await self.app(scope, receive, send_to_sign_in_page)


async def session_cookie(request: Request) -> Response:
    """Set the session cookie a ticket stands for (once), or delete it (`?forget`): HttpOnly, for
    this site only, and without an expiry, so the browser forgets it when it closes. Either way
    Streamlit's identity cookies go: a session begun at the identity provider is ours from then on."""
    response = Response(status_code=204, headers={"Cache-Control": "no-store"})
    secure = request.url.scheme == "https"
    if "forget" in request.query_params:
        response.delete_cookie(auth.COOKIE_NAME, httponly=True, samesite="strict", secure=secure)
    elif token := auth.take_cookie(request.query_params.get("ticket", "")):
        response.set_cookie(auth.COOKIE_NAME, token, httponly=True, samesite="strict", secure=secure)
    for name in request.cookies:
        if name.startswith(STREAMLIT_IDENTITY_COOKIE):
            response.delete_cookie(name, httponly=True, samesite="lax", secure=secure)
    return response


provider_settings = auth.provider_settings_from_environment()
app = st.App(
    Path(__file__).with_name("app.py"),
    routes=[Route(auth.COOKIE_ROUTE, session_cookie)],
    middleware=[Middleware(SecurityHeaders), Middleware(ProviderSignInOutcome)],
    secrets={"auth": provider_settings} if provider_settings else None,
)
