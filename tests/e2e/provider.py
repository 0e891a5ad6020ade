"""The organisation's identity provider, for browser tests: oidc-provider-mock on a loopback port.

A test says who the provider knows (`person`), and can make it misbehave: issue identity
tokens that have already expired, have a token altered on its way to the app (a claim
changed, the provider's signature kept), or stop answering altogether (`down`).

Import it as `from provider import Provider`.
"""

from __future__ import annotations

import base64
import contextlib
import json
import threading
from datetime import timedelta
from urllib.parse import quote

import oidc_provider_mock
import werkzeug.serving
from browser import free_port

AS_ISSUED, EXPIRED, ALTERED = "as issued", "expired", "altered"


class Provider:
    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.metadata_url = f"{self.url}/.well-known/openid-configuration"
        # Two providers behind one address, knowing the same people: one issues tokens valid for an hour, the
        # other tokens that expired ten minutes ago (beyond the two minutes' leeway Authlib allows).
        self._providers = {
            AS_ISSUED: oidc_provider_mock.app(),
            EXPIRED: oidc_provider_mock.app(access_token_max_age=timedelta(minutes=-10)),
        }
        self.tokens = AS_ISSUED
        self.altered_claims: dict = {}
        """With tokens = ALTERED: the claims changed in each identity token on its way to the app."""
        self._server = None

    def person(self, subject: str, **claims) -> None:
        """Someone the provider can sign in, with the claims it vouches for (email, email_verified, name...)."""
        for provider in self._providers.values():
            response = provider.test_client().put(f"/users/{quote(subject, safe='')}", json=claims)
            assert response.status_code == 204, response.text

    def start(self) -> None:
        self._server = werkzeug.serving.make_server("127.0.0.1", self.port, self, threaded=True)
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @contextlib.contextmanager
    def down(self):
        """Nothing answers at the provider's address until the block ends."""
        self.stop()
        try:
            yield
        finally:
            self.start()

    def __call__(self, environ, start_response):
        provider = self._providers[EXPIRED if self.tokens == EXPIRED else AS_ISSUED]
        if self.tokens != ALTERED or environ["PATH_INFO"] != "/oauth2/token":
            return provider(environ, start_response)
        answered = {}
        body = b"".join(provider(environ, lambda status, headers, exc_info=None: answered.update(status=status)))
        token = json.loads(body)
        token["id_token"] = _altered(token["id_token"], self.altered_claims)
        body = json.dumps(token).encode()
        start_response(answered["status"], [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]


def _altered(id_token: str, claims: dict) -> str:
    """The token with its claims changed and the provider's signature kept, as an attacker on the way would."""
    header, payload, signature = id_token.split(".")
    decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    payload = base64.urlsafe_b64encode(json.dumps({**decoded, **claims}).encode()).rstrip(b"=").decode()
    return ".".join((header, payload, signature))
