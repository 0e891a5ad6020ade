"""Signing in: the throttle, sessions that end, the cookie that cannot outlive them, and the form."""

from __future__ import annotations

import sqlite3
import stat
import time

import bcrypt
import jwt
import pytest
from streamlit.testing.v1 import AppTest

from dashboard.identity import auth, sessions, users
from dashboard.identity.auth import (
    CLIENT_AND_USERNAME,
    EVERYONE,
    USERNAME,
    Admission,
    Session,
    Throttle,
    check_sign_in,
    refusal_message,
)
from dashboard.identity.sessions import SessionRegistry
from dashboard.identity.users import User

PASSWORD = "harbour lantern quilt 7"
ALICE = User(
    "alice", bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(4)).decode(), frozenset({"leadership"}), ("north",)
)
ACCOUNTS = {"alice": ALICE}


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(autouse=True)
def fresh_app_throttle(monkeypatch):
    """The app's throttle lives as long as the process: each test starts with one that has seen no attempt."""
    monkeypatch.setattr(auth, "THROTTLE", Throttle())


@pytest.fixture
def throttle(clock):
    return Throttle(clock, sleep=clock.advance)


@pytest.fixture
def users_file(home, tmp_path, monkeypatch):
    path = tmp_path / "users.yaml"
    monkeypatch.setenv("HUBDASH_USERS", str(path))
    users.add_user(path, ALICE)
    return path


HOME, AWAY = "198.51.100.7", "203.0.113.9"
"""Two client addresses."""


def fail(throttle: Throttle, username: str = "alice", client: str = HOME) -> float:
    """One wrong guess, admitted; the wait it leaves this client."""
    assert throttle.admit(client, username).refused == 0
    return throttle.wait(client, username)


def hold(throttle: Throttle, username: str = "alice", client: str = HOME) -> float:
    """How long the next attempt is held before being checked (it is then counted as failed)."""
    admission = throttle.admit(client, username)
    assert admission.refused == 0
    return admission.hold


# The throttle


def test_after_three_failures_each_attempt_waits_twice_as_long_up_to_the_lock_out(throttle, clock):
    waits = []
    for _ in range(14):
        waits.append(fail(throttle))
        clock.advance(waits[-1])
    assert waits == [0, 0, 2, 4, 8, 16, 32, 64, 128, 256, 512, 900, 900, 900]


def test_an_attempt_during_a_wait_is_refused_without_being_counted(throttle, clock):
    for _ in range(3):
        fail(throttle)
    assert throttle.admit(HOME, "alice").refused == 2
    clock.advance(1.5)
    assert throttle.admit(HOME, "alice").refused == pytest.approx(0.5)
    clock.advance(0.5)
    assert fail(throttle) == 4


def test_the_right_password_during_this_clients_lock_out_is_still_refused(throttle, clock):
    for _ in range(4):
        clock.advance(fail(throttle))
    assert fail(throttle) == 8
    refused = check_sign_in(HOME, "alice", PASSWORD, ACCOUNTS, throttle)
    assert refused.user is None and refused.wait == 8 and not refused.checked
    clock.advance(8)
    assert check_sign_in(HOME, "alice", PASSWORD, ACCOUNTS, throttle).user == ALICE


def test_a_client_locked_out_of_an_account_keeps_no_other_client_from_it(throttle, clock):
    for _ in range(20):
        clock.advance(fail(throttle, client=AWAY))
    assert fail(throttle, client=AWAY) == 900
    assert check_sign_in(HOME, "alice", PASSWORD, ACCOUNTS, throttle).user == ALICE


def test_many_clients_guessing_one_account_slow_it_down_but_the_right_password_gets_in(throttle, clock):
    for n in range(40):
        fail(throttle, client=f"192.0.2.{n}")
    started = clock.now
    assert check_sign_in(HOME, "alice", PASSWORD, ACCOUNTS, throttle).user == ALICE
    assert 0 < clock.now - started <= USERNAME.longest


def test_a_client_failing_on_many_usernames_is_locked_out_of_all_of_them_alone(throttle):
    for n in range(10):
        fail(throttle, f"guess{n}", client=AWAY)
    assert throttle.admit(AWAY, "alice").refused == 2
    assert throttle.admit(HOME, "alice") == Admission(0.0, 0.0)


def test_a_flood_from_many_clients_holds_everyones_attempts_but_lets_the_right_password_in(throttle, clock):
    for n in range(60):
        fail(throttle, f"guess{n}", client=f"192.0.2.{n}")
    started = clock.now
    assert check_sign_in(HOME, "alice", PASSWORD, ACCOUNTS, throttle).user == ALICE
    assert 0 < clock.now - started <= EVERYONE.longest


def test_a_successful_sign_in_clears_the_usernames_failures(throttle):
    fail(throttle)
    fail(throttle)
    assert check_sign_in(HOME, "alice", PASSWORD, ACCOUNTS, throttle).user == ALICE
    assert [fail(throttle) for _ in range(3)] == [0, 0, 2]


def test_attempts_sent_together_cannot_all_get_in_before_the_first_is_counted(throttle):
    fail(throttle)
    fail(throttle)
    assert throttle.admit(HOME, "alice").refused == 0
    assert throttle.admit(HOME, "alice").refused == 2


def test_an_unknown_username_is_slowed_down_and_answered_exactly_like_a_known_one(throttle):
    known = [check_sign_in(HOME, "alice", "a wrong guess", ACCOUNTS, throttle) for _ in range(4)]
    unknown = [check_sign_in(HOME, "mallory", "a wrong guess", ACCOUNTS, throttle) for _ in range(4)]
    assert [refusal_message(a) for a in known] == [refusal_message(a) for a in unknown]
    assert "checked in 2 seconds" in refusal_message(known[2])
    assert refusal_message(known[3]) == "Too many failed attempts: this one was not checked. Try again in 2 seconds."


def test_failures_are_forgotten_a_day_after_the_last_attempt(throttle, clock):
    for _ in range(4):
        clock.advance(fail(throttle))
    assert throttle.wait(HOME, "alice") == 0 and fail(throttle) == 8
    clock.advance(CLIENT_AND_USERNAME.memory + 1)
    assert fail(throttle) == 0


# Sessions


@pytest.fixture
def registry(home, clock):
    return SessionRegistry(home / "sign-in.sqlite", idle=30 * 60, clock=clock)


def test_a_session_ends_after_thirty_minutes_without_activity(registry, clock):
    session_id = registry.start("alice", "demo")
    clock.advance(29 * 60)
    assert registry.resume(session_id, "alice", "demo")
    clock.advance(29 * 60)
    assert registry.resume(session_id, "alice", "demo")
    clock.advance(31 * 60)
    assert not registry.resume(session_id, "alice", "demo")
    clock.advance(-31 * 60)
    assert not registry.resume(session_id, "alice", "demo")


def test_a_session_ends_twelve_hours_after_sign_in_however_active(registry, clock):
    session_id = registry.start("alice", "demo")
    for _ in range(12 * 4):
        clock.advance(15 * 60)
        assert registry.resume(session_id, "alice", "demo")
    clock.advance(1)
    assert not registry.resume(session_id, "alice", "demo")


def test_an_ended_session_stays_ended_after_a_restart(registry, home, clock):
    ended, kept = registry.start("alice", "demo"), registry.start("alice", "demo")
    registry.end(ended)
    restarted = SessionRegistry(home / "sign-in.sqlite", idle=30 * 60, clock=clock)
    assert not restarted.resume(ended, "alice", "demo")
    assert restarted.resume(kept, "alice", "demo")


def test_a_session_resumes_only_for_its_own_user_and_accounts(registry):
    session_id = registry.start("alice", "demo")
    assert not registry.resume(session_id, "bob", "demo")
    session_id = registry.start("alice", "demo")
    assert not registry.resume(session_id, "alice", "/etc/hubdash/users.yaml")


def test_ending_all_of_a_users_sessions_leaves_the_others(registry):
    alices = [registry.start("alice", "demo") for _ in range(2)]
    bobs = registry.start("bob", "demo")
    assert registry.end_all("alice") == 2
    assert not any(registry.resume(s, "alice", "demo") for s in alices)
    assert registry.resume(bobs, "bob", "demo")


def test_the_session_timeout_is_configurable_in_minutes(monkeypatch):
    monkeypatch.delenv("HUBDASH_SESSION_MINUTES", raising=False)
    assert sessions.idle_timeout() == 30 * 60
    monkeypatch.setenv("HUBDASH_SESSION_MINUTES", "5")
    assert sessions.idle_timeout() == 5 * 60
    monkeypatch.setenv("HUBDASH_SESSION_MINUTES", "0")
    with pytest.raises(ValueError, match="HUBDASH_SESSION_MINUTES"):
        sessions.idle_timeout()


# The cookie


def cookie_for(session: Session, expires_in: float = sessions.LIFETIME) -> str:
    return auth.issue_token(session, auth.cookie_key(), time.time() + expires_in)


def from_cookie(token: str):
    return auth.restore(auth.read_token(token, auth.cookie_key(), time.time()), [])


def test_a_cookie_restores_its_session_until_sign_out_and_never_after(users_file):
    session = auth.start_session("alice")
    token = cookie_for(session)
    assert from_cookie(token) == auth.Viewer("alice", frozenset({"leadership"}), ("north",))
    sessions.session_registry().end(session.id)
    assert from_cookie(token) == auth.VISITOR


def test_a_cookie_restores_nobody_once_its_session_has_idled_out(users_file, registry, clock, monkeypatch):
    monkeypatch.setattr(sessions, "session_registry", lambda: registry)
    token = cookie_for(auth.start_session("alice"))
    clock.advance(29 * 60)
    assert from_cookie(token).signed_in
    clock.advance(31 * 60)
    assert from_cookie(token) == auth.VISITOR


def test_a_cookie_restores_nobody_once_its_user_is_removed(users_file):
    token = cookie_for(auth.start_session("alice"))
    users.remove_user(users_file, "alice")
    assert from_cookie(token) == auth.VISITOR


def test_a_demo_session_does_not_carry_over_to_a_configured_user_of_the_same_name(home, tmp_path, monkeypatch):
    monkeypatch.delenv("HUBDASH_USERS", raising=False)
    token = cookie_for(auth.start_session("admin"))
    assert from_cookie(token).signed_in
    path = tmp_path / "users.yaml"
    users.add_user(path, User("admin", ALICE.password_hash, frozenset({"admin"})))
    monkeypatch.setenv("HUBDASH_USERS", str(path))
    assert from_cookie(token) == auth.VISITOR


def test_a_cookie_not_signed_with_the_key_or_past_its_date_or_without_a_session_restores_nobody(users_file):
    session = auth.start_session("alice")
    forged = auth.issue_token(session, "another key, at least thirty-two characters", time.time() + 3600)
    expired = cookie_for(session, expires_in=-1)
    without_session = jwt.encode(
        {"username": "alice", "exp_date": time.time() + 3600}, auth.cookie_key(), algorithm="HS256"
    )
    for token in (forged, expired, without_session, "not a token"):
        assert from_cookie(token) == auth.VISITOR
    assert from_cookie(cookie_for(session)).signed_in


def test_the_generated_cookie_key_is_random_private_and_kept(home, monkeypatch):
    monkeypatch.delenv("HUBDASH_COOKIE_KEY", raising=False)
    key = auth.cookie_key()
    assert len(key) >= auth.MIN_KEY_LENGTH and auth.cookie_key() == key
    assert stat.S_IMODE((home / "cookie.key").stat().st_mode) == 0o600


def test_a_configured_cookie_key_is_used_if_long_enough(home, monkeypatch):
    monkeypatch.setenv("HUBDASH_COOKIE_KEY", "k" * 40)
    assert auth.cookie_key() == "k" * 40
    monkeypatch.setenv("HUBDASH_COOKIE_KEY", "short")
    with pytest.raises(ValueError, match="HUBDASH_COOKIE_KEY"):
        auth.cookie_key()


def test_a_cookie_ticket_hands_over_its_cookie_once_and_only_for_a_while(clock):
    handover = auth.CookieHandover(clock)
    ticket = handover.offer("token")
    assert handover.take("a guessed ticket") is None
    assert handover.take(ticket) == "token"
    assert handover.take(ticket) is None
    late = handover.offer("token")
    clock.advance(auth.HANDOVER_TIME + 1)
    assert handover.take(late) is None


# Sign-in at the identity provider (the browser tests drive a real one: tests/e2e/test_provider_sign_in_browser.py)


def claims(clock, **changed) -> dict:
    """What Streamlit keeps from a verified identity token (st.user), issued just now."""
    return {
        "iss": "https://login.hub.example",
        "sub": "7f3a",
        "iat": int(clock.now),
        "nonce": "n-1",
        "email": "Alice@Hub.example",
        "email_verified": True,
        **changed,
    }


@pytest.fixture
def provider_users(users_file, monkeypatch, registry):
    monkeypatch.setattr(sessions, "session_registry", lambda: registry)
    users.add_user(users_file, User("ade", None, frozenset({"advisory"}), subject="9c1e"))
    users.add_user(users_file, User("lena", None, frozenset({"leadership"}), ("east",), email="alice@hub.example"))
    return users_file


def test_a_verified_identity_starts_one_session_only_and_only_while_fresh(provider_users, registry, clock):
    session = auth.provider_sign_in(claims(clock), registry, clock.now)
    assert auth.restore(session, []) == auth.Viewer("lena", frozenset({"leadership"}), ("east",))
    assert auth.provider_sign_in(claims(clock), registry, clock.now) is None, "the same token twice (a copied cookie)"
    clock.advance(auth.PROVIDER_SIGN_IN_WINDOW + 1)
    assert (
        auth.provider_sign_in(claims(clock, iat=int(clock.now) - auth.PROVIDER_SIGN_IN_WINDOW - 1), registry, clock.now)
        is None
    )
    assert auth.provider_sign_in(claims(clock, iat=int(clock.now) + 3600), registry, clock.now) is None
    assert auth.provider_sign_in(claims(clock, nonce="n-2"), registry, clock.now) is not None, "a new sign-in"


def test_the_subject_decides_before_the_email_and_an_unverified_email_counts_for_nothing(
    provider_users, registry, clock
):
    by_subject = auth.provider_sign_in(claims(clock, sub="9c1e"), registry, clock.now)
    assert auth.restore(by_subject, []).username == "ade"
    unverified = auth.provider_sign_in(claims(clock, nonce="n-2", email_verified=False), registry, clock.now)
    assert auth.restore(unverified, []) == auth.Viewer("7f3a", frozenset(), ())


def test_a_stranger_to_the_users_file_is_signed_in_with_no_role_until_the_file_names_them(
    provider_users, registry, clock
):
    session = auth.provider_sign_in(claims(clock, sub="55", email="sam@hub.example"), registry, clock.now)
    assert auth.restore(session, []) == auth.Viewer("sam@hub.example", frozenset(), ())
    users.add_user(provider_users, User("sam", None, frozenset({"advisory"}), email="sam@hub.example"))
    assert auth.restore(session, []).roles == {"advisory"}
    users.remove_user(provider_users, "sam")
    assert auth.restore(session, []).roles == frozenset()


def test_a_provider_session_ends_at_sign_out_wherever_its_cookie_is(provider_users, registry, clock):
    session = auth.provider_sign_in(claims(clock), registry, clock.now)
    token = cookie_for(session)
    assert auth.read_token(token, auth.cookie_key(), time.time()) == session
    registry.end(session.id)
    assert from_cookie(token) == auth.VISITOR


def test_a_password_session_cannot_pass_for_a_provider_one(provider_users):
    """A users-file name never has the colon that marks a session begun at the provider."""
    assert not users.USERNAME.fullmatch(auth.PROVIDER + "9c1e")


PROVIDER_ENVIRONMENT = {
    "HUBDASH_OIDC_REDIRECT_URI": "https://dashboard.hub.example/oauth2callback",
    "HUBDASH_OIDC_COOKIE_SECRET": "k3J9-random-cookie-secret-of-40-characters",
    "HUBDASH_OIDC_CLIENT_ID": "hub-dashboard",
    "HUBDASH_OIDC_CLIENT_SECRET": "s3cr3t-client-value",
    "HUBDASH_OIDC_SERVER_METADATA_URL": "https://login.hub.example/.well-known/openid-configuration",
}


def test_the_provider_is_configured_from_the_environment_as_secrets_toml_would_configure_it():
    assert auth.provider_settings_from_environment({}) is None
    assert auth.provider_settings_from_environment(PROVIDER_ENVIRONMENT) == {
        "redirect_uri": "https://dashboard.hub.example/oauth2callback",
        "cookie_secret": "k3J9-random-cookie-secret-of-40-characters",
        "client_id": "hub-dashboard",
        "client_secret": "s3cr3t-client-value",
        "server_metadata_url": "https://login.hub.example/.well-known/openid-configuration",
    }


@pytest.mark.parametrize(
    ("changed", "named"),
    [
        (
            {"HUBDASH_OIDC_CLIENT_ID": "", "HUBDASH_OIDC_REDIRECT_URI": " "},
            ["HUBDASH_OIDC_CLIENT_ID is not set", "HUBDASH_OIDC_REDIRECT_URI is not set"],
        ),
        (
            {"HUBDASH_OIDC_SERVER_METADATA_URL": "login.hub.example"},
            ["HUBDASH_OIDC_SERVER_METADATA_URL must be an http"],
        ),
        ({"HUBDASH_OIDC_COOKIE_SECRET": "short-secret"}, ["HUBDASH_OIDC_COOKIE_SECRET must be at least 32 characters"]),
    ],
)
def test_a_half_configured_provider_is_refused_naming_each_variable_and_never_a_secret(changed, named):
    with pytest.raises(auth.ProviderSettingsError) as refused:
        auth.provider_settings_from_environment({**PROVIDER_ENVIRONMENT, **changed})
    for problem in named:
        assert problem in str(refused.value)
    assert "s3cr3t" not in str(refused.value) and "short-secret" not in str(refused.value)


def test_hubdash_run_refuses_to_start_on_a_half_configured_provider(home, monkeypatch, capsys):
    from dashboard import cli

    monkeypatch.setenv("HUBDASH_OIDC_CLIENT_SECRET", PROVIDER_ENVIRONMENT["HUBDASH_OIDC_CLIENT_SECRET"])
    monkeypatch.setattr("os.execv", lambda *args: pytest.fail("the app was started"))
    assert cli.main(["run"]) == 2
    said = capsys.readouterr()
    assert "HUBDASH_OIDC_CLIENT_ID is not set" in said.err
    assert "s3cr3t" not in said.err + said.out
    assert not (home / "warehouse.duckdb").exists(), "it published the seed before refusing"


# The form, in a running app (demo accounts)

APP = """
import streamlit as st
from dashboard.identity import auth

HUBS = ["north", "east"]
viewer = auth.current_viewer(HUBS)
auth.sign_out_button(viewer)
if not viewer.signed_in:
    viewer = auth.sign_in_form(HUBS)
st.write(f"viewer: {viewer.username} {sorted(viewer.roles)} {viewer.hubs}")
"""


@pytest.fixture
def app(home, monkeypatch):
    monkeypatch.delenv("HUBDASH_USERS", raising=False)
    return AppTest.from_string(APP, default_timeout=30).run()


def shown_viewer(app: AppTest) -> str:
    return next(m.value for m in app.markdown if m.value.startswith("viewer:"))


def sign_in(app: AppTest, username: str, password: str) -> AppTest:
    next(t for t in app.text_input if t.label == "Username").input(username)
    next(t for t in app.text_input if t.label == "Password").input(password)
    return next(b for b in app.button if b.label == "Sign in").click().run()


def test_a_wrong_password_does_not_sign_in_and_says_so(app):
    sign_in(app, "leader", "not-the-password")
    assert shown_viewer(app) == "viewer: None [] None"
    assert [e.value for e in app.error] == ["The username or password is incorrect."]


def test_the_right_password_signs_in_with_the_accounts_roles_and_hubs(app):
    sign_in(app, "hublead", "hublead-demo")
    assert not app.exception and not app.error
    assert shown_viewer(app) == "viewer: hublead ['leadership'] ('east',)"
    app.run()
    assert shown_viewer(app) == "viewer: hublead ['leadership'] ('east',)"
    assert [c.value for c in app.sidebar.caption] == ["Signed in as **hublead**"]


def test_the_form_refuses_even_the_right_password_while_this_client_must_wait(app):
    for _ in range(3):
        sign_in(app, "leader", "a wrong guess")
    sign_in(app, "leader", "leader-demo")
    assert shown_viewer(app) == "viewer: None [] None"
    assert "this one was not checked" in app.error[0].value


def test_sign_out_ends_the_session_on_the_server(app):
    sign_in(app, "leader", "leader-demo").run()
    assert shown_viewer(app) == "viewer: leader ['leadership'] None"
    app.button(key="hubdash-sign-out").click().run()
    assert shown_viewer(app) == "viewer: None [] None"
    assert sessions.session_registry().end_all("leader") == 0


def test_a_session_ended_elsewhere_signs_this_tab_out_at_its_next_run(app):
    sign_in(app, "admin", "admin-demo")
    assert shown_viewer(app) == "viewer: admin ['admin'] None"
    assert sessions.session_registry().end_all("admin") == 1
    app.run()
    assert shown_viewer(app) == "viewer: None [] None"
    assert "hubdash-sign-out" not in [b.key for b in app.button]
    assert [t.label for t in app.text_input] == ["Username", "Password"]


# One client against the others (issue 14)


def as_client(monkeypatch, address: str) -> None:
    """Make the app see every run as coming from this client address."""
    monkeypatch.setattr(auth, "client_address", lambda: address, raising=False)


def test_one_client_failing_on_an_account_does_not_keep_another_client_out(home, monkeypatch):
    monkeypatch.delenv("HUBDASH_USERS", raising=False)
    as_client(monkeypatch, "203.0.113.9")
    attacker = AppTest.from_string(APP, default_timeout=30).run()
    for _ in range(5):
        sign_in(attacker, "advisor", "a wrong guess")
    as_client(monkeypatch, "198.51.100.7")
    victim = AppTest.from_string(APP, default_timeout=30).run()
    sign_in(victim, "advisor", "advisor-demo")
    assert shown_viewer(victim) == "viewer: advisor ['advisory'] None"


def test_a_username_typed_at_sign_in_is_kept_nowhere_on_disk(app, home):
    sign_in(app, "harbour lantern quilt", "a wrong guess")
    assert app.error
    kept = [path.name for path in home.rglob("*") if path.is_file() and b"harbour lantern quilt" in path.read_bytes()]
    assert kept == []


def test_usernames_an_earlier_version_kept_are_erased_from_the_sign_in_store(home):
    path = home / "sign-in.sqlite"
    with sqlite3.connect(path) as db:
        db.execute(
            "CREATE TABLE failed_sign_ins (rule TEXT NOT NULL, subject TEXT NOT NULL,"
            " failures INTEGER NOT NULL, last_attempt REAL NOT NULL, PRIMARY KEY (rule, subject))"
        )
        db.execute("INSERT INTO failed_sign_ins VALUES ('username', 'harbour lantern quilt', 1, 0)")
    db.close()
    sessions.session_registry()
    assert b"harbour lantern quilt" not in path.read_bytes()
