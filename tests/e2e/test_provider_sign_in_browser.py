"""Sign-in through the organisation's identity provider, in Chromium, against a real OpenID Connect provider
(oidc-provider-mock on a loopback port): roles and hubs from the users file, strangers with no role, sign-out,
tokens that expired or were altered, a provider that is down, and a provider configured through the environment
for two app processes.
"""

from __future__ import annotations

from urllib.parse import urlparse

import duckdb
import pytest
from browser import finished, free_port, serve, sign_in, sign_out, wait_for_app, wait_for_session_cookie
from playwright.sync_api import expect
from provider import ALTERED, AS_ISSUED, EXPIRED, Provider

from dashboard.identity import users
from dashboard.identity.users import User

PASSWORD = "harbour lantern quilt 7"
SIGN_IN_BUTTON = "Sign in with your organisation's account"
NO_ROLE = "this dashboard has given you no role"


@pytest.fixture(scope="module")
def provider():
    provider = Provider()
    provider.person("lena-7f3", email="lena@hub.example", email_verified=True, name="Lena")
    provider.person("adviser-subject-91", email="ade@elsewhere.example", email_verified=True)
    provider.person("nadia-c2", email="Nadia@Hub.example", email_verified=True)
    provider.person("stranger-5e", email="stranger@hub.example", email_verified=True)
    provider.person("unverified-0a", email="lena@hub.example", email_verified=False)
    provider.start()
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
def first_hub(seed_release) -> str:
    with duckdb.connect(str(seed_release), read_only=True) as con:
        return con.execute("SELECT min(hub) FROM hubs").fetchone()[0]


@pytest.fixture(scope="module")
def users_file(tmp_path_factory, first_hub):
    path = tmp_path_factory.mktemp("provider-users") / "users.yaml"
    users.add_user(path, User("lena", None, frozenset({"leadership"}), email="lena@hub.example"))
    users.add_user(path, User("ade", None, frozenset({"advisory"}), subject="adviser-subject-91"))
    users.add_user(path, User("nadia", None, frozenset({"leadership"}), (first_hub,), email="nadia@hub.example"))
    users.add_user(path, User("olu", users.hash_password(PASSWORD), frozenset({"leadership"})))
    return path


@pytest.fixture(scope="module")
def app_url(tmp_path_factory, seed_release, provider, users_file):
    """The app with password and provider sign-in, configured as a deployment would: .streamlit/secrets.toml."""
    home = tmp_path_factory.mktemp("provider-home")
    (home / "warehouse.duckdb").symlink_to(seed_release)
    folder = tmp_path_factory.mktemp("provider-deployment")
    port = free_port()
    (folder / ".streamlit").mkdir()
    (folder / ".streamlit" / "secrets.toml").write_text(
        "[auth]\n"
        f'redirect_uri = "http://127.0.0.1:{port}/oauth2callback"\n'
        'cookie_secret = "a test cookie secret of forty-odd characters"\n'
        'client_id = "hub-dashboard"\n'
        'client_secret = "hub-dashboard-secret"\n'
        f'server_metadata_url = "{provider.metadata_url}"\n'
    )
    with serve(home, port=port, users=users_file, folder=folder) as url:
        yield url


@pytest.fixture(autouse=True)
def tokens_as_issued(provider):
    yield
    provider.tokens = AS_ISSUED


def sign_in_at_provider(page, app_url: str, provider: Provider, subject: str) -> None:
    page.goto(f"{app_url}/sign-in")
    wait_for_app(page)
    page.get_by_role("button", name=SIGN_IN_BUTTON).click()
    page.wait_for_url(f"{provider.url}/**")
    page.locator("input[name=sub]").fill(subject)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_url(f"{app_url}/sign-in**")
    wait_for_app(page)


def expect_refused(page, app_url: str, path: str) -> None:
    page.goto(f"{app_url}/{path}")
    finished(page)
    expect(page.get_by_text("who may not see this page").or_(page.get_by_text("Please sign in"))).to_be_visible()
    assert page.locator("[data-testid='stVegaLiteChart']").count() == 0


def test_a_leader_known_by_verified_email_sees_the_dashboard_and_no_other_host_is_contacted(
    page, context, app_url, provider
):
    from_app = set()
    """Hosts contacted by the app's own pages (the provider's pages fetch what they like)."""
    page.on("request", lambda r: from_app.add(urlparse(r.url).netloc) if r.frame.url.startswith(app_url) else None)
    sign_in_at_provider(page, app_url, provider, "lena-7f3")
    expect(page.get_by_text("You are signed in as lena. Choose a page")).to_be_visible()
    wait_for_session_cookie(context)
    page.goto(f"{app_url}/referrals")
    finished(page, charts=2)
    expect(page.get_by_role("heading", name="Referral gaps")).to_be_visible()
    expect_refused(page, app_url, "review")
    assert not [c for c in context.cookies() if c["name"].startswith("_streamlit_user")], (
        "Streamlit's identity cookie outlived the hand-over to the app's own session"
    )
    assert from_app == {urlparse(app_url).netloc, urlparse(provider.url).netloc}


def test_an_adviser_known_by_subject_sees_the_review_but_not_the_dashboard(page, app_url, provider):
    sign_in_at_provider(page, app_url, provider, "adviser-subject-91")
    expect(page.get_by_text("You are signed in as ade.")).to_be_visible()
    page.goto(f"{app_url}/review")
    finished(page)
    expect(page.get_by_role("heading", name="Feedback review")).to_be_visible()
    expect_refused(page, app_url, "referrals")


def test_a_hub_scoped_leader_chooses_among_their_hub_and_the_network_only(page, app_url, provider, first_hub):
    sign_in_at_provider(page, app_url, provider, "nadia-c2")  # the provider's e-mail has capitals: still nadia
    expect(page.get_by_text("You are signed in as nadia.")).to_be_visible()
    page.goto(f"{app_url}/referrals")
    finished(page, charts=1)
    page.get_by_label("Where").click()
    options = page.get_by_role("option").all_inner_texts()
    assert len(options) == 2 and "Whole network" in options, options
    assert not any(option.startswith("Region") for option in options)


@pytest.mark.parametrize("subject", ["stranger-5e", "unverified-0a"])
def test_a_person_the_users_file_does_not_name_has_no_role_and_sees_the_public_pages(page, app_url, provider, subject):
    """Including someone whose provider gives a leader's e-mail without saying it verified it."""
    sign_in_at_provider(page, app_url, provider, subject)
    expect(page.get_by_text(NO_ROLE)).to_be_visible()
    for path in ("referrals", "review"):
        expect_refused(page, app_url, path)
    page.goto(f"{app_url}/")
    finished(page, charts=1)


def test_a_change_to_the_users_file_takes_effect_on_the_next_page_run(page, app_url, provider, users_file):
    sign_in_at_provider(page, app_url, provider, "stranger-5e")
    expect(page.get_by_text(NO_ROLE)).to_be_visible()
    users.add_user(users_file, User("sam", None, frozenset({"advisory"}), email="stranger@hub.example"))
    try:
        page.goto(f"{app_url}/review")
        finished(page)
        expect(page.get_by_role("heading", name="Feedback review")).to_be_visible()
    finally:
        users.remove_user(users_file, "sam")
    expect_refused(page, app_url, "review")


def test_sign_out_ends_the_session_even_for_a_copied_cookie(page, context, browser, app_url, provider):
    sign_in_at_provider(page, app_url, provider, "lena-7f3")
    copied = wait_for_session_cookie(context)
    sign_out(page)
    page.goto(f"{app_url}/referrals")  # the same tab still holds Streamlit's record of the provider's sign-in
    finished(page)
    expect(page.get_by_text("Please sign in")).to_be_visible()
    other = browser.new_context()
    try:
        other.add_cookies([copied])
        elsewhere = other.new_page()
        elsewhere.goto(f"{app_url}/referrals")
        finished(elsewhere)
        expect(elsewhere.get_by_text("Please sign in")).to_be_visible()
    finally:
        other.close()


@pytest.mark.parametrize("tokens", [EXPIRED, ALTERED])
def test_an_expired_or_altered_identity_token_signs_nobody_in_and_says_so(page, app_url, provider, tokens):
    provider.tokens = tokens
    provider.altered_claims = {
        "email": "lena@hub.example",
        "email_verified": True,
    }  # a stranger claiming the leader's e-mail
    sign_in_at_provider(page, app_url, provider, "stranger-5e")
    expect(page.get_by_text("did not complete")).to_be_visible()
    expect(page.get_by_text("Signed in as")).to_have_count(0)
    expect_refused(page, app_url, "referrals")


def test_while_the_provider_is_down_sign_in_says_so_and_the_public_pages_and_passwords_still_work(
    page, app_url, provider
):
    with provider.down():
        page.goto(f"{app_url}/sign-in")
        wait_for_app(page)
        page.get_by_role("button", name=SIGN_IN_BUTTON).click()
        page.wait_for_url(f"{app_url}/sign-in?problem=unavailable")
        wait_for_app(page)
        expect(page.get_by_text("cannot be reached just now")).to_be_visible()
        page.goto(f"{app_url}/")
        finished(page, charts=1)
        page.goto(f"{app_url}/governance")
        finished(page)
        expect(page.get_by_text("Your organisation's account (OpenID Connect")).to_be_visible()
        sign_in(page, app_url, "olu", PASSWORD)
        page.goto(f"{app_url}/referrals")
        finished(page, charts=2)
        expect(page.get_by_role("heading", name="Referral gaps")).to_be_visible()


def test_a_provider_configured_only_through_the_environment_signs_in_across_two_app_processes(
    page, context, tmp_path, seed_release, provider, users_file, postgres
):
    """No secrets.toml anywhere: the HUBDASH_OIDC_* variables alone. The sign-in begins on one process and the
    provider sends the browser back to the other, as a load balancer may; the client secret is never printed."""
    home = tmp_path / "home"
    home.mkdir()
    (home / "warehouse.duckdb").symlink_to(seed_release)
    folder = tmp_path / "deployment"  # where each process starts: no .streamlit/ in it
    folder.mkdir()
    client_secret = "hub-dashboard-secret-from-the-environment"
    ports = free_port(), free_port()
    with pytest.MonkeyPatch.context() as env:
        env.setenv("HOME", str(folder))  # nor a ~/.streamlit/secrets.toml
        env.setenv("HUBDASH_FEEDBACK_URL", postgres.new_store())  # two processes cannot share a DuckDB store
        env.setenv("HUBDASH_OIDC_REDIRECT_URI", f"http://127.0.0.1:{ports[1]}/oauth2callback")
        env.setenv("HUBDASH_OIDC_COOKIE_SECRET", "another test cookie secret, forty-odd characters")
        env.setenv("HUBDASH_OIDC_CLIENT_ID", "hub-dashboard")
        env.setenv("HUBDASH_OIDC_CLIENT_SECRET", client_secret)
        env.setenv("HUBDASH_OIDC_SERVER_METADATA_URL", provider.metadata_url)
        with (
            serve(home, port=ports[0], users=users_file, folder=folder) as first,
            serve(home, port=ports[1], users=users_file, folder=folder) as second,
        ):
            page.goto(f"{first}/sign-in")
            wait_for_app(page)
            page.get_by_role("button", name=SIGN_IN_BUTTON).click()
            page.wait_for_url(f"{provider.url}/**")
            page.locator("input[name=sub]").fill("lena-7f3")
            page.get_by_role("button", name="Authorize").click()
            page.wait_for_url(f"{second}/sign-in**")
            wait_for_app(page)
            expect(page.get_by_text("You are signed in as lena. Choose a page")).to_be_visible()
            wait_for_session_cookie(context)
            page.goto(f"{first}/referrals")
            finished(page, charts=2)
            expect(page.get_by_role("heading", name="Referral gaps")).to_be_visible()
            page.goto(f"{first}/governance")
            finished(page)
            expect(page.get_by_text("Your organisation's account (OpenID Connect, at 127.0.0.1")).to_be_visible()
    assert client_secret not in (home / "server.log").read_text()
