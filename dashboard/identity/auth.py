"""Signing in: who is viewing, on every run, and for how long.

streamlit-authenticator 0.4.2 draws the sign-in form and keeps its session-state
keys. Three of its behaviours do not fit, so `_authenticator` replaces them on the
one instance it builds (the library has no hooks for them):

- Its password check. Ours asks the throttle first (see Throttle): a guess from a
  client that must wait is refused without being checked, even if it is right,
  while waits caused by other clients only hold an attempt for a few seconds, so
  no client can keep another out. The throttle counts the username as typed,
  known or not, so neither its waits nor its messages say whether a username
  exists; an unknown username costs a bcrypt check too.
- Its cookie. It trusts any cookie signed with the key until the cookie's
  exp_date, and its sign-out only deletes the cookie from that browser, so a
  copied cookie keeps working. Our cookie is the library's JWT (username,
  exp_date) plus `sid`, the random id of a row in the session registry
  (sessions.py: sign-in.sqlite in the data folder). A cookie restores a session only while
  its row exists, for the same user and the same accounts (demo or the users
  file), with activity within the idle timeout and less than 12 hours after
  sign-in. Sign-out, `hubdash users remove` and expiry delete the row: the cookie
  then restores nobody, wherever it was copied to. The registry is an allow-list
  rather than a list of revoked (username, exp_date) pairs, so a session that
  cannot be found, for whatever reason, is refused rather than let in.
- Restoring from the cookie. `current_viewer` does it before the app builds its
  navigation, so a reload on a deep link stays on that page; the library never
  restores a session by itself.

The browser gets the cookie from the server (server.py), HttpOnly and without an
expiry, so scripts cannot read it and it ends with the browser (see _sync_cookie).
The session id is a claim in the signed token, so it cannot be swapped without
the key. The key is HUBDASH_COOKIE_KEY, or else a random key kept in the data
folder (cookie.key, 0600), so that sessions survive a restart.

Sign-in through the organisation's identity provider is Streamlit's own (`st.login`,
configured in secrets.toml's [auth] or by the HUBDASH_OIDC_* variables): Authlib checks the identity token's signature,
issuer, audience, nonce and expiry, and Streamlit keeps its claims in a signed cookie
for 30 days, which no sign-out anywhere can take back. So that cookie only starts a
session, once, within minutes of the token being issued (`provider_sign_in`); from
then on the person holds one of our sessions like anyone else (same registry, same
cookie, same timeouts, same sign-out), and server.py drops Streamlit's cookie when
it hands over ours. Roles come from the users file on every run, by the provider's
subject or verified e-mail (users.signed_in_by_provider): a stranger to the users
file is signed in with no role. `restore` is the one place that decides who a
session stands for, whichever way it began.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import math
import os
import secrets
import tempfile
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import jwt

from .. import internals, paths
from ..markdownsafe import markdown_text
from . import sessions, users
from .users import User

COOKIE_NAME = "hubdash_session"
COOKIE_ROUTE = "/hubdash/session-cookie"
"""Where the browser fetches the session cookie (served by server.py)."""
MIN_KEY_LENGTH = 32

_SESSION = "hubdash_auth_session"
_REFUSAL = "hubdash_auth_refusal"
_COOKIE_TO_SET = "hubdash_auth_cookie_to_set"
_COOKIE_TO_FORGET = "hubdash_auth_cookie_to_forget"

PROVIDER = "provider:"
"""Before the subject, the registry's name for a session begun at the identity provider (no user name has a colon)."""
PROVIDER_SETTINGS = ("redirect_uri", "cookie_secret", "client_id", "client_secret", "server_metadata_url")
"""What secrets.toml's [auth] needs for sign-in through the identity provider."""
PROVIDER_VARIABLES = {setting: f"HUBDASH_OIDC_{setting.upper()}" for setting in PROVIDER_SETTINGS}
"""The environment variables that give the same settings instead (provider_settings_from_environment)."""
MIN_COOKIE_SECRET = 32
"""Characters: the cookie secret signs Streamlit's identity cookie, so it must not be guessable."""
PROVIDER_SIGN_IN_WINDOW = 300.0
"""Seconds after the provider issued an identity token during which it may start a session, once."""
CLOCK_SKEW = 60.0
"""Seconds the provider's clock may run ahead of ours."""
PROBLEM = "problem"
"""The sign-in page's query parameter saying why a sign-in at the provider did not complete (set by server.py)."""
PROVIDER_PROBLEMS = {
    "failed": "Signing in with your organisation's account did not complete: it was refused or cancelled at the "
    "sign-in service, or its answer could not be verified (it had expired, or was altered). Please try "
    "again. If it keeps failing, an administrator can find the reason in the app's log.",
    "unavailable": "Your organisation's sign-in service cannot be reached just now, so nobody can sign in with it. "
    "Please try again later; the public pages work meanwhile.",
}

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Viewer:
    username: str | None
    """None for a visitor."""
    roles: frozenset[str] = frozenset()
    hubs: tuple[str, ...] | None = None
    """The hubs whose detail this viewer sees; None means every hub."""

    @property
    def signed_in(self) -> bool:
        return self.username is not None


VISITOR = Viewer(None)


@dataclass(frozen=True)
class Session:
    id: str
    username: str
    """A users-file name, or PROVIDER and the provider's subject."""
    email: str | None = None
    """Begun at the provider: the e-mail it verified, if any."""

    @property
    def subject(self) -> str | None:
        """The identity provider's subject, for a session begun there."""
        return self.username.removeprefix(PROVIDER) if self.username.startswith(PROVIDER) else None


# Configuration


def cookie_key() -> str:
    """HUBDASH_COOKIE_KEY, or the random key kept in the data folder (made on first use)."""
    configured = os.environ.get("HUBDASH_COOKIE_KEY")
    if configured:
        if len(configured) < MIN_KEY_LENGTH:
            raise ValueError(f"HUBDASH_COOKIE_KEY must have at least {MIN_KEY_LENGTH} characters")
        return configured
    path = paths.home() / "cookie.key"
    if not path.exists():
        paths.private(path.parent)
        descriptor, temporary = tempfile.mkstemp(dir=path.parent)  # 0600
        with os.fdopen(descriptor, "w") as file:
            file.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)  # never replaces a key another thread made first
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


def start_session(username: str) -> Session:
    return Session(sessions.session_registry().start(username, users.accounts_source()), username)


def restore(session: Session | None, hubs: Sequence[str]) -> Viewer:
    """Who a session stands for, if it is still good: the user it names now in the users file, for
    either way of signing in; a person the identity provider knows and the users file does not has no role."""
    if session is None:
        return VISITOR
    accounts = _accounts(hubs)
    if session.subject is None:
        user = accounts.get(session.username)
    else:
        user = users.signed_in_by_provider(accounts, session.subject, session.email)
    registry = sessions.session_registry()
    if user is None and session.subject is None:
        registry.end(session.id)
        return VISITOR
    if not registry.resume(session.id, session.username, users.accounts_source()):
        return VISITOR
    if user is None:
        return Viewer(session.email or session.subject, frozenset(), ())
    return Viewer(user.username, user.roles, user.hubs)


def provider_sign_in(claims: Mapping, registry: sessions.SessionRegistry, now: float) -> Session | None:
    """A session for the person in a verified identity token's claims (st.user), if the token was issued
    moments ago and has not started a session before: Streamlit's cookie that carries them cannot be revoked."""
    subject, issued = claims.get("sub"), claims.get("iat")
    if not (isinstance(subject, str) and subject and isinstance(issued, (int, float))):
        return None
    if not now - PROVIDER_SIGN_IN_WINDOW <= issued <= now + CLOCK_SKEW:
        return None
    fingerprint = hashlib.sha256(
        json.dumps([claims.get("iss"), subject, issued, claims.get("nonce")]).encode()
    ).hexdigest()
    if not registry.first_use(fingerprint, issued + PROVIDER_SIGN_IN_WINDOW + CLOCK_SKEW):
        return None
    email = claims.get("email")
    verified = claims.get("email_verified") in (True, "true")
    email = email.lower() if verified and isinstance(email, str) else None
    return Session(registry.start(PROVIDER + subject, users.accounts_source()), PROVIDER + subject, email)


class ProviderSettingsError(ValueError):
    """The HUBDASH_OIDC_* variables are incomplete or malformed; the message names them, never their values."""


def provider_settings_from_environment(environ: Mapping[str, str] = os.environ) -> dict[str, str] | None:
    """[auth] for st.login from the HUBDASH_OIDC_* variables, or None if none is set.

    Streamlit reads [auth] from secrets files only (streamlit/streamlit#10543); deployments that keep
    secrets in the environment (systemd credentials, containers) hand them to st.App instead (server.py),
    so the client secret is never written to disk. Some set and not others is refused as a whole: a
    half-configured provider would fail only when someone tries to sign in."""
    from urllib.parse import urlsplit

    given = {setting: environ.get(variable, "").strip() for setting, variable in PROVIDER_VARIABLES.items()}
    if not any(given.values()):
        return None
    problems = [f"{PROVIDER_VARIABLES[setting]} is not set" for setting, value in given.items() if not value]
    problems += [
        f"{PROVIDER_VARIABLES[setting]} must be an http:// or https:// address"
        for setting in ("redirect_uri", "server_metadata_url")
        if given[setting]
        and not (urlsplit(given[setting]).scheme in ("http", "https") and urlsplit(given[setting]).netloc)
    ]
    if given["cookie_secret"] and len(given["cookie_secret"]) < MIN_COOKIE_SECRET:
        problems.append(
            f"{PROVIDER_VARIABLES['cookie_secret']} must be at least {MIN_COOKIE_SECRET} characters "
            "(a random string, such as the output of `openssl rand -base64 32`)"
        )
    if problems:
        raise ProviderSettingsError("; ".join(problems))
    return given


def provider_url() -> str | None:
    """The identity provider's metadata URL if sign-in through it is configured (secrets.toml's [auth], or the
    HUBDASH_OIDC_* variables that server.py gives Streamlit as [auth]), else None."""
    import streamlit as st

    if not st.secrets.load_if_toml_exists():
        return None
    section = st.secrets.get("auth") or {}
    if not all(isinstance(section.get(key), str) and section.get(key) for key in PROVIDER_SETTINGS):
        return None
    return section["server_metadata_url"]


def sign_in_methods() -> list[str]:
    """Which ways of signing in are on, for people to read (the governance page)."""
    from urllib.parse import urlsplit

    provider = provider_url()
    if paths.users_file() is None:
        passwords = "**Password**: on, for the demo accounts only (no users file is configured: a demonstration)."
    elif any(user.password_hash for user in _accounts([]).values()):
        passwords = "**Password**: on, for the accounts in this server's users file that have a password."
    else:
        passwords = "**Password**: off (no account in this server's users file has a password)."
    if provider is None:
        organisation = "**Your organisation's account** (OpenID Connect): off."
    else:
        organisation = (
            f"**Your organisation's account** (OpenID Connect, at `{urlsplit(provider).netloc}`): on. Roles and "
            "hubs still come from this server's users file, by the account's subject or its verified "
            "e-mail; anyone else who signs in this way sees the public pages only."
        )
    return [passwords, organisation]


def _accounts(hubs: Sequence[str]) -> dict[str, User]:
    try:
        return users.accounts(hubs)
    except users.UsersFileError as error:
        _log.error("nobody can sign in until the users file is fixed: %s", error)
        return {}


# The cookie


def issue_token(session: Session, key: str, expires: float) -> str:
    claims = {"username": session.username, "exp_date": expires, "sid": session.id}
    if session.email is not None:
        claims["email"] = session.email
    return jwt.encode(claims, key, algorithm="HS256")


def read_token(token: str | None, key: str, now: float) -> Session | None:
    """The session a cookie names, if it is signed with the key and not past its date."""
    if not token:
        return None
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"])
    except jwt.InvalidTokenError:
        return None
    session_id, username, expires, email = (
        claims.get("sid"),
        claims.get("username"),
        claims.get("exp_date"),
        claims.get("email"),
    )
    if not (
        isinstance(session_id, str)
        and isinstance(username, str)
        and isinstance(expires, (int, float))
        and isinstance(email, (str, type(None)))
    ):
        return None
    return Session(session_id, username, email) if expires > now else None


# The throttle


@dataclass(frozen=True)
class Rule:
    """After `free` failures, an attempt waits `first_wait` seconds, doubling with each
    further failure up to `longest`. Failures are forgotten `memory` seconds after the last attempt.

    A rule that `blocks` refuses an attempt during its wait without checking it; one that
    does not holds the attempt for the wait and then checks it, so the right password
    still gets in: only rules that count one client's own failures may block, or one
    client could keep everyone else out.
    """

    name: str
    per_client: bool
    per_username: bool
    blocks: bool
    free: int
    first_wait: float
    longest: float
    memory: float

    def wait_after(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return min(self.first_wait * 2 ** min(failures - self.free, 32), self.longest)


CLIENT_AND_USERNAME = Rule(
    "client and username",
    per_client=True,
    per_username=True,
    blocks=True,
    free=3,
    first_wait=2.0,
    longest=15 * 60.0,
    memory=24 * 3600.0,
)
"""Against guessing one account's password from one client."""
CLIENT = Rule(
    "client",
    per_client=True,
    per_username=False,
    blocks=True,
    free=10,
    first_wait=2.0,
    longest=15 * 60.0,
    memory=24 * 3600.0,
)
"""Against one client trying a few passwords on many usernames."""
USERNAME = Rule(
    "username", per_client=False, per_username=True, blocks=False, free=10, first_wait=1.0, longest=10.0, memory=3600.0
)
"""Against many clients guessing one account's password: slows them down, never locks the account."""
EVERYONE = Rule(
    "everyone",
    per_client=False,
    per_username=False,
    blocks=False,
    free=30,
    first_wait=1.0,
    longest=5.0,
    memory=15 * 60.0,
)
"""Against a flood from many clients: everyone's attempts are held a few seconds at most."""
RULES = (CLIENT_AND_USERNAME, CLIENT, USERNAME, EVERYONE)


@dataclass(frozen=True)
class Admission:
    refused: float
    """Seconds this client must wait before an attempt with this username is checked; 0 if admitted."""
    hold: float = 0.0
    """Seconds to hold an admitted attempt before checking it."""


class Throttle:
    """Slows guessing down, on the server, per client, per username and for everyone.

    In memory only: what was typed as a username (perhaps a password) and the client's
    address are kept as keyed hashes, with a key that dies with the process, and are
    forgotten with the failures. A restart forgets them all.
    """

    def __init__(
        self,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        rules: tuple[Rule, ...] = RULES,
    ):
        self._clock = clock
        self.sleep = sleep
        self._rules = rules
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._failures: dict[tuple[str, bytes], tuple[int, float]] = {}
        """(rule name, subject) -> (failures, last attempt)."""

    def admit(self, client: str, username: str) -> Admission:
        """Whether an attempt may be checked now, and after how long a hold.

        An admitted attempt counts as failed until `succeeded` says otherwise, so
        attempts sent together cannot all get in before the first is counted.
        """
        now = self._clock()
        with self._lock:
            self._forget(now)
            refused = self._wait(client, username, now, blocking=True)
            if refused > 0:
                return Admission(refused)
            hold = self._wait(client, username, now, blocking=False)
            for rule in self._rules:
                key = self._key_for(rule, client, username)
                failures, _ = self._failures.get(key, (0, now))
                self._failures[key] = (failures + 1, now)
        return Admission(0.0, hold)

    def wait(self, client: str, username: str) -> float:
        """Seconds before this client's next attempt with this username will be checked."""
        now = self._clock()
        with self._lock:
            return self._wait(client, username, now, blocking=True)

    def succeeded(self, client: str, username: str) -> None:
        """Clear the failures with this username and take back the count the attempt added to the others."""
        with self._lock:
            for rule in self._rules:
                key = self._key_for(rule, client, username)
                if rule.per_username:
                    self._failures.pop(key, None)
                elif key in self._failures:
                    failures, last = self._failures[key]
                    self._failures[key] = (max(failures - 1, 0), last)

    def _wait(self, client: str, username: str, now: float, blocking: bool) -> float:
        wait = 0.0
        for rule in self._rules:
            if rule.blocks == blocking:
                failures, last = self._failures.get(self._key_for(rule, client, username), (0, now))
                wait = max(wait, last + rule.wait_after(failures) - now)
        return wait

    def _forget(self, now: float) -> None:
        memory = {rule.name: rule.memory for rule in self._rules}
        for key, (_, last) in list(self._failures.items()):
            if last < now - memory[key[0]]:
                del self._failures[key]

    def _key_for(self, rule: Rule, client: str, username: str) -> tuple[str, bytes]:
        subject = f"{client if rule.per_client else ''}\n{username if rule.per_username else ''}"
        return rule.name, hmac.digest(self._key, subject.encode(), "sha256")


THROTTLE = Throttle()
"""The app's throttle: one per server process, for sign-in only."""


@dataclass(frozen=True)
class SignIn:
    user: User | None
    """Who signed in; None if refused."""
    wait: float
    """Seconds before this client's next attempt with this username will be checked."""
    checked: bool = True
    """Whether the password was checked at all."""


def check_sign_in(client: str, username: str, password: str, accounts: dict[str, User], throttle: Throttle) -> SignIn:
    admission = throttle.admit(client, username)
    if admission.refused > 0:
        return SignIn(None, admission.refused, checked=False)
    if admission.hold > 0:
        throttle.sleep(admission.hold)
    user = accounts.get(username)
    if users.verify_password(password, user.password_hash if user else None):
        throttle.succeeded(client, username)
        return SignIn(user, 0.0)
    return SignIn(None, throttle.wait(client, username))


def refusal_message(attempt: SignIn) -> str:
    """The same words whether or not the username exists."""
    if attempt.wait <= 0:
        return "The username or password is incorrect."
    seconds = math.ceil(attempt.wait)
    if seconds >= 120:
        later = f"{math.ceil(seconds / 60)} minutes"
    else:
        later = "1 second" if seconds == 1 else f"{seconds} seconds"
    if attempt.checked:
        return f"The username or password is incorrect. After too many failed attempts, the next one can be checked in {later}."
    return f"Too many failed attempts: this one was not checked. Try again in {later}."


def client_address() -> str:
    """The viewer's network address as the server sees it: Streamlit gives none for the
    same machine, and behind a reverse proxy it is the proxy's unless the proxy forwards
    the client's (X-Forwarded-For, trusted from 127.0.0.1 only; see the README).
    AppTest gives a stand-in object: every run of it is "local" too."""
    import streamlit as st

    address = st.context.ip_address
    return address if isinstance(address, str) else "local"


# Streamlit


def current_viewer(hubs: Sequence[str]) -> Viewer:
    """Who is viewing, from this tab's session, the browser's cookie, or a sign-in at the identity
    provider just now. Call it first on every run, before building the navigation; it draws nothing.
    `hubs`: the warehouse's hubs."""
    import streamlit as st

    held = st.session_state.get(_SESSION)
    session = held or read_token(st.context.cookies.get(COOKIE_NAME), cookie_key(), time.time())
    viewer = restore(session, hubs)
    if not viewer.signed_in and provider_url() is not None and st.user.is_logged_in:
        session = provider_sign_in(st.user.to_dict(), sessions.session_registry(), time.time())
        viewer = restore(session, hubs)
        if viewer.signed_in:
            _hand_over_cookie(session)
    if viewer.signed_in:
        st.session_state[_SESSION] = session
    elif held:
        st.session_state.clear()  # expired or revoked: nothing of it stays in the tab
    return viewer


def sign_in_form(hubs: Sequence[str]) -> Viewer:
    """streamlit-authenticator's form, and why an attempt failed. Returns the Viewer once signed in.

    After a successful sign-in the navigation built earlier in this run is still
    the visitor's: rerun (st.rerun or st.switch_page) to rebuild it.
    """
    import streamlit as st

    viewer = current_viewer(hubs)
    if viewer.signed_in:
        return viewer
    problem = PROVIDER_PROBLEMS.get(st.query_params.get(PROBLEM, ""))
    if problem:
        st.error(problem)
    provider = provider_url() is not None
    if provider and st.button(
        "Sign in with your organisation's account", key="hubdash-provider-sign-in", type="primary"
    ):
        st.login()
    accounts = {name: user for name, user in _accounts(hubs).items() if user.password_hash}
    if not accounts:
        if not provider:
            st.warning(
                "Sign-in is not available: no accounts are set up, or the users file cannot be read. "
                "An administrator can check with `hubdash users list`."
            )
        return VISITOR
    fields = {
        "Form name": "Or with a password" if provider else "Sign in",
        "Username": "Username",
        "Password": "Password",
        "Login": "Sign in",
    }
    _authenticator(accounts).login(fields=fields, key="hubdash-sign-in")
    if paths.users_file() is None:
        st.caption(_demo_accounts_note(accounts))
    refused = st.session_state.pop(_REFUSAL, None)
    if refused is not None:
        st.error(refusal_message(refused))
    return restore(st.session_state.get(_SESSION), hubs)


def sign_out_button(viewer: Viewer) -> None:
    """The sidebar's "Signed in as ..." and Sign out. Call it on every run, signed in or not:
    it also hands the session cookie to the browser, or takes it back after a sign-out."""
    import streamlit as st

    with st.sidebar:
        _sync_cookie()
        session = st.session_state.get(_SESSION)
        if session and viewer.signed_in:
            st.caption(f"Signed in as **{markdown_text(viewer.username)}**")
            st.button("Sign out", key="hubdash-sign-out", icon=":material/logout:", on_click=_sign_out, args=(session,))


def _sign_out(session: Session) -> None:
    """Ends the session wherever its cookie is; the person stays signed in at their identity provider."""
    import streamlit as st

    sessions.session_registry().end(session.id)
    st.session_state.clear()
    st.session_state[_COOKIE_TO_FORGET] = True


def _sync_cookie() -> None:
    """Hand the session cookie to the browser, or take it back after a sign-out.

    Only an HTTP response can set an HttpOnly cookie, and a script run sends none: the
    run draws a hidden image whose URL carries a one-time ticket, and the server's answer
    to it (server.py) sets the cookie. The image is drawn again on every run until its
    ticket is taken, as a rerun can remove it before the browser asked for it.
    """
    import streamlit as st

    ticket = st.session_state.get(_COOKIE_TO_SET)
    if ticket and not _handover.waiting(ticket):
        del st.session_state[_COOKIE_TO_SET]
        ticket = None
    forget = st.session_state.pop(_COOKIE_TO_FORGET, False)
    if ticket or forget:
        query = f"ticket={ticket}" if ticket else "forget"
        st.html(f'<img src="{COOKIE_ROUTE.lstrip("/")}?{query}" alt="" hidden>')


HANDOVER_TIME = 600.0
"""Seconds a session cookie waits for the browser to fetch it."""


class CookieHandover:
    """Session cookies waiting for the browser to fetch them, each under a random one-time ticket."""

    def __init__(self, clock: Callable[[], float] = time.monotonic):
        self._clock = clock
        self._lock = threading.Lock()
        self._waiting: dict[str, tuple[str, float]] = {}

    def offer(self, token: str) -> str:
        ticket = secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            for old in [t for t, (_, offered) in self._waiting.items() if offered < now - HANDOVER_TIME]:
                del self._waiting[old]
            self._waiting[ticket] = (token, now)
        return ticket

    def take(self, ticket: str) -> str | None:
        """The cookie's value, once, if the ticket was offered in the last HANDOVER_TIME seconds."""
        with self._lock:
            token, offered = self._waiting.pop(ticket, (None, 0.0))
        return token if offered >= self._clock() - HANDOVER_TIME else None

    def waiting(self, ticket: str) -> bool:
        with self._lock:
            return ticket in self._waiting


_handover = CookieHandover()


def _hand_over_cookie(session: Session) -> None:
    import streamlit as st

    st.session_state[_COOKIE_TO_SET] = _handover.offer(
        issue_token(session, cookie_key(), time.time() + sessions.LIFETIME)
    )


def take_cookie(ticket: str) -> str | None:
    """For the server's cookie route: the session cookie a ticket stands for, once."""
    return _handover.take(ticket)


def _authenticator(accounts: dict[str, User]):
    """streamlit-authenticator, given a copy of the accounts, with our password check and session cookie."""
    import streamlit as st
    import streamlit_authenticator as stauth

    credentials = {
        "usernames": {
            name: {"password": user.password_hash, "roles": sorted(user.roles)} for name, user in accounts.items()
        }
    }
    authenticator = stauth.Authenticate(
        credentials,
        COOKIE_NAME,
        cookie_key(),
        sessions.LIFETIME / 86400,
        auto_hash=False,
        login_sleep_time=0,  # its fixed pause on every signed-out run; the throttle does this job
    )

    def check_credentials(username: str, password: str) -> bool:
        attempt = check_sign_in(client_address(), username, password, accounts, THROTTLE)
        st.session_state[_REFUSAL] = None if attempt.user else attempt
        return attempt.user is not None

    def set_cookie() -> None:
        session = start_session(st.session_state["username"])
        st.session_state[_SESSION] = session
        _hand_over_cookie(session)

    internals.use_our_password_check_and_cookie(authenticator, check_credentials, set_cookie)
    return authenticator


def _demo_accounts_note(accounts: dict[str, User]) -> str:
    def scope(user: User) -> str:
        if user.hubs is None:
            return ", ".join(sorted(user.roles))
        return f"{', '.join(sorted(user.roles))}, hub {', '.join(user.hubs) or 'none'} only"

    listed = "; ".join(
        f"{name} / {password} ({scope(accounts[name])})" for name, password in users.DEMO_PASSWORDS.items()
    )
    return f"Demo accounts, until HUBDASH_USERS names a users file: {listed}."
