"""A hub's users see their own hub unsuppressed, from a file of that hub's; nobody else ever does.

The browser half of the proof (pages and downloads, as each kind of user) is in
tests/e2e/test_own_figures_browser.py.
"""

from __future__ import annotations

import os

import duckdb
import pandas as pd
import pytest

from dashboard.hierarchy import CELL_KEY, OTHER_LANGUAGES, shown_languages
from dashboard.identity.auth import VISITOR, Viewer
from dashboard.pipeline import warehouse
from dashboard.pipeline.cube import true_figures
from dashboard.pipeline.ingest import DEFAULT_THRESHOLD as K
from dashboard.read import data


def hubs_of(release_file) -> list[str]:
    with duckdb.connect(str(release_file), read_only=True) as con:
        return [hub for (hub,) in con.execute("SELECT hub FROM hubs ORDER BY hub").fetchall()]


def lead_of(hub: str) -> Viewer:
    return Viewer("lead", frozenset({"leadership"}), (hub,))


LEADER = Viewer("leader", frozenset({"leadership"}))


def test_each_hub_has_a_private_file_of_exactly_its_own_true_figures(seed_release):
    release_file = warehouse.current_file(seed_release)
    staged = warehouse.read_staging(release_file.parents[1] / "warehouse.duckdb", int(release_file.stem))
    truth = true_figures(
        staged, shown_languages(warehouse.read_release(release_file.parents[1] / "warehouse.duckdb").cells)
    )
    folder = warehouse.own_file(release_file, "x").parent

    assert oct(folder.stat().st_mode & 0o777) == oct(0o700)
    assert sorted(f.name for f in folder.iterdir()) == [f"{hub}.duckdb" for hub in hubs_of(release_file)]
    for hub in hubs_of(release_file):
        file = warehouse.own_file(release_file, hub)
        assert oct(file.stat().st_mode & 0o777) == oct(0o600)
        with duckdb.connect(str(file), read_only=True) as con:
            cells = con.execute(f"SELECT {', '.join(CELL_KEY)}, value, suppressed FROM cells").df()
            assert con.execute("SELECT hub FROM hubs").fetchall() == [(hub,)]
        assert not cells["suppressed"].any() and cells["value"].notna().all()
        # language by language: their own hub needs no OTHER_LANGUAGES group
        mine = truth[(truth["geo_level"] == "hub") & (truth["geo"] == hub) & (truth["language"] != OTHER_LANGUAGES)]
        expected = mine.astype({c: str for c in CELL_KEY}).sort_values(list(CELL_KEY)).reset_index(drop=True)
        got = cells.astype({c: str for c in CELL_KEY}).sort_values(list(CELL_KEY)).reset_index(drop=True)
        pd.testing.assert_frame_equal(got[[*CELL_KEY, "value"]], expected[[*CELL_KEY, "value"]], check_dtype=False)


def funnel(viewer: Viewer, hub: str) -> pd.DataFrame:
    year = data.run("periods", period_level="year")["period"].iloc[-1]
    return data.figures(
        "referral_funnel",
        viewer,
        geo_level="hub",
        geos=[hub],
        period_level="year",
        periods=[year],
        breakdown="service_line",
    ).set_index("category")


def test_a_hub_lead_sees_their_hub_in_full_and_the_leader_sees_it_published(published):
    hub = hubs_of(warehouse.current_file(published / "warehouse.duckdb"))[0]
    leader_sees = funnel(LEADER, hub)
    lead_sees = funnel(lead_of(hub), hub)
    leader_again = funnel(LEADER, hub)

    hidden = leader_sees["completed"].isna()
    assert hidden.any(), "the seed must hide some of this hub's counts, or this test proves nothing"
    small = lead_sees["completed"][hidden]
    assert small.notna().all() and ((small > 0) & (small < K)).any()
    assert lead_sees[["referred", "accepted", "completed"]].notna().all().all()
    pd.testing.assert_frame_equal(leader_again, leader_sees)
    assert data.own_figures(lead_of(hub), "hub", [hub]) and not data.own_figures(LEADER, "hub", [hub])


def test_nobody_else_gets_a_hubs_own_figures(published):
    first, second = hubs_of(warehouse.current_file(published / "warehouse.duckdb"))[:2]
    funnel(lead_of(first), first)

    with pytest.raises(PermissionError):
        funnel(lead_of(second), first)
    with pytest.raises(PermissionError):
        funnel(VISITOR, first)
    assert not data.own_figures(lead_of(second), "hub", [first])
    network = data.figures(
        "referral_funnel",
        lead_of(first),
        geo_level="network",
        geos=["network"],
        period_level="year",
        periods=data.run("periods", period_level="year")["period"].tolist(),
        breakdown="service_line",
    )
    published_network = data.figures(
        "referral_funnel",
        LEADER,
        geo_level="network",
        geos=["network"],
        period_level="year",
        periods=data.run("periods", period_level="year")["period"].tolist(),
        breakdown="service_line",
    )
    pd.testing.assert_frame_equal(network, published_network)


def test_a_new_warehouse_gets_every_hubs_own_file_private_and_no_temporary_folder(home):
    from dashboard.pipeline.ingest import ingest
    from seed.generate import write_seed

    write_seed(home / "extract", hubs=3, months=3)
    path = home / "warehouse.duckdb"
    ingest(home / "extract", path)
    first = warehouse.current_file(path)
    assert all(warehouse.own_file(first, hub).exists() for hub in hubs_of(first))
    assert not [f for f in warehouse.own_dir(path).iterdir() if f.name.startswith(".")]
    modes = {oct(p.stat().st_mode & 0o777) for p in warehouse.own_dir(path).rglob("*")}
    assert modes <= {oct(0o700), oct(0o600)}
    assert os.stat(warehouse.own_dir(path)).st_mode & 0o077 == 0
