"""A hub's own figures in a real browser: its lead sees their small counts; the leader, another hub's lead and a
visitor never do, in pages or downloads.

The app runs here with a users file of three leaders: one for every hub, and one for each of two hubs. Expected
figures are read from the files on disk with DuckDB, not through the app.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from browser import finished, screenshot, serve, sign_in, sign_out
from playwright.sync_api import expect

from dashboard.identity.access import LEADERSHIP
from dashboard.identity.users import User, add_user, hash_password
from dashboard.pipeline import warehouse

OWN_NOTE = "Your hub's own figures, not published"
PASSWORD = "a long demo password"
STAGES = {
    "referred": "Referred",
    "accepted": "Accepted",
    "first_appointment": "First appointment",
    "completed": "Completed",
}


def read(file: Path, sql: str, *params) -> pd.DataFrame:
    with duckdb.connect(str(file), read_only=True) as con:
        return con.execute(sql, list(params)).df()


@pytest.fixture(scope="module")
def network(tmp_path_factory, seed_release):
    """The app over the seed release, with leaders `leader`, `lead-a` (the first hub) and `lead-b` (the second)."""
    home = tmp_path_factory.mktemp("own-figures-home")
    (home / "warehouse.duckdb").symlink_to(seed_release)
    release = Path(os.path.realpath(seed_release))
    hubs = read(release, "SELECT hub, name FROM hubs ORDER BY hub")
    first, second, *_ = hubs.itertuples(index=False)
    users = home / "users.yaml"
    for name, scope in (("leader", None), ("lead-a", (first.hub,)), ("lead-b", (second.hub,))):
        add_user(users, User(name, hash_password(PASSWORD), frozenset({LEADERSHIP}), scope))
    with serve(home, users=users) as url:
        yield {"url": url, "release": release, "first": first, "second": second}


def small_hidden_cell(network) -> tuple[str, str, str, int]:
    """A count of the first hub's, latest year by service line, suppressed in the release and from 1 to K-1:
    (year, service line, measure, its true value)."""
    release, hub = network["release"], network["first"].hub
    year = read(release, "SELECT max(period) AS y FROM cells WHERE period_level = 'year'")["y"].iloc[0]
    threshold = int(read(release, "SELECT threshold FROM release")["threshold"].iloc[0])
    hidden = read(
        release,
        "SELECT service_line, measure FROM cells WHERE topic = 'referrals' AND period_level = 'year' AND period = ? "
        "AND geo_level = 'hub' AND geo = ? AND language = 'all' AND service_line <> 'all' AND suppressed "
        f"AND measure IN ({', '.join(repr(m) for m in STAGES)})",
        year,
        hub,
    )
    own = read(
        warehouse.own_file(release, hub),
        "SELECT service_line, measure, value FROM cells WHERE topic = 'referrals' AND period_level = 'year' "
        "AND period = ? AND language = 'all' AND service_line <> 'all'",
        year,
    )
    small = hidden.merge(own, on=["service_line", "measure"])
    small = small[(small["value"] > 0) & (small["value"] < threshold)]
    assert len(small), "the seed hides no small count of this hub's: this test would prove nothing"
    cell = small.iloc[0]
    return year, cell["service_line"], cell["measure"], int(cell["value"])


def where_options(page) -> list[str]:
    page.get_by_test_id("stSelectbox").filter(has_text="Where").click()
    options = page.get_by_role("option").all_inner_texts()
    page.keyboard.press("Escape")
    return options


def choose(page, place: str) -> None:
    page.get_by_test_id("stSelectbox").filter(has_text="Where").click()
    page.get_by_role("option", name=place, exact=True).click()
    expect(page.get_by_text(f"{place} · Years")).to_be_visible()
    finished(page)


def funnel_csv(page, year: str) -> pd.DataFrame:
    with page.expect_download() as download:
        page.get_by_role("button", name=f"Download “Funnel by service line, {year}” as CSV").click()
    return pd.read_csv(io.BytesIO(Path(download.value.path()).read_bytes()), encoding="utf-8-sig", dtype=str)


def shown(csv: pd.DataFrame, service_line: str, measure: str) -> str:
    row = csv[csv["Group"] == service_line.replace("_", " ").capitalize()]
    return str(row[STAGES[measure]].iloc[0])


def as_number(text: str) -> int | None:
    cleaned = text.replace(",", "")
    return int(float(cleaned)) if cleaned.replace(".", "").isdigit() else None


def open_referrals(page, network, username: str) -> None:
    sign_in(page, network["url"], username, PASSWORD)
    page.goto(f"{network['url']}/referrals")
    finished(page)


def test_the_hub_lead_sees_their_small_counts_marked_as_their_own(page, network):
    year, service_line, measure, value = small_hidden_cell(network)
    open_referrals(page, network, "lead-a")
    choose(page, f"Hub: {network['first'].name}")

    expect(page.get_by_text(OWN_NOTE)).to_be_visible()
    screenshot(page, "referrals-hub-lead")
    assert as_number(shown(funnel_csv(page, year), service_line, measure)) == value


def test_the_leader_sees_that_hub_only_as_published(page, network):
    year, service_line, measure, value = small_hidden_cell(network)
    open_referrals(page, network, "leader")
    choose(page, f"Hub: {network['first'].name}")

    expect(page.get_by_text(OWN_NOTE)).to_have_count(0)
    assert as_number(shown(funnel_csv(page, year), service_line, measure)) is None


def test_another_hubs_lead_never_reaches_it_and_the_network_is_the_published_one_for_everyone(page, context, network):
    year, *_ = small_hidden_cell(network)
    open_referrals(page, network, "lead-b")
    assert f"Hub: {network['first'].name}" not in where_options(page)
    choose(page, "Whole network")
    expect(page.get_by_text(OWN_NOTE)).to_have_count(0)
    lead_b_network = funnel_csv(page, year)

    sign_out(page)
    open_referrals(page, network, "lead-a")
    choose(page, "Whole network")
    expect(page.get_by_text(OWN_NOTE)).to_have_count(0)
    lead_a_network = funnel_csv(page, year)

    sign_out(page)
    open_referrals(page, network, "leader")
    choose(page, "Whole network")
    pd.testing.assert_frame_equal(lead_a_network, funnel_csv(page, year))
    pd.testing.assert_frame_equal(lead_b_network, lead_a_network)


def test_a_visitor_never_sees_a_hub(page, network):
    page.goto(f"{network['url']}/referrals")
    finished(page)
    expect(page.get_by_label("Username")).to_be_visible()
    expect(page.get_by_text(OWN_NOTE)).to_have_count(0)

    page.goto(f"{network['url']}/")
    finished(page)
    expect(page.get_by_text(OWN_NOTE)).to_have_count(0)
    assert not [option for option in where_options(page) if option.startswith("Hub")]
    with page.expect_download() as download:
        page.get_by_role("button", name="Download all figures on this page (CSV)").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert network["first"].name not in text and network["second"].name not in text
