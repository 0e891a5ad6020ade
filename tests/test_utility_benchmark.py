"""The utility benchmark's bound (benchmarks/utility.py, least_hidden): the fewest hub and region totals any
release must hide while it publishes the network's, against anyone and each hub's staff. The README's targets
are read against it, so it must be right on networks small enough to reason about by hand."""

import importlib.util
from pathlib import Path

import pandas as pd

K = 11
HUBS = pd.DataFrame(
    {
        "hub": ["a", "b", "c", "d", "e", "f"],
        "region": ["north", "north", "coast", "coast", "plains", "plains"],
    }
)


def utility():
    spec = importlib.util.spec_from_file_location(
        "utility", Path(__file__).resolve().parents[1] / "benchmarks" / "utility.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def totals(hub_values: dict[str, int], months_of_a: tuple[int, int, int] | None = None) -> pd.DataFrame:
    """One measure's quarterly totals at every hub, region and the network, as the benchmark reads them; with
    `months_of_a`, hub a's three months too."""
    rows = dict(hub_values)
    for region, members in HUBS.groupby("region")["hub"]:
        rows[region] = sum(hub_values[h] for h in members)
    rows["network"] = sum(hub_values.values())
    level = {**dict.fromkeys(HUBS["hub"], "hub"), **dict.fromkeys(HUBS["region"], "region"), "network": "network"}
    frame = pd.DataFrame(
        {"period_level": "quarter", "period": "2025-Q1", "geo": list(rows), "true": list(rows.values())}
    )
    if months_of_a:
        months = pd.DataFrame(
            {"period_level": "month", "period": ["2025-01", "2025-02", "2025-03"], "geo": "a", "true": months_of_a}
        )
        frame = pd.concat([frame, months], ignore_index=True)
    return frame.assign(
        topic="referrals",
        measure="completed",
        geo_level=frame["geo"].map(level),
        service_line="all",
        language="all",
        funding_stream="all",
        outcome="all",
    )


def test_a_small_hub_in_a_region_of_two_costs_two_other_hubs_and_a_second_region():
    """The neighbour's staff subtract their own figure from the region's, so the region is hidden; then the
    network's sum gives the region back unless another region is hidden, and that region's two hubs must each
    be unknown to the other's staff: two hub totals of 100 hidden for one small count."""
    rows = utility().least_hidden(totals({"a": 5, "b": 100, "c": 100, "d": 100, "e": 100, "f": 100}), HUBS, K)
    assert rows == [["completed", "quarter", 5, 2, 3, 2, 0]]


def test_nothing_need_be_hidden_where_no_total_is_small():
    rows = utility().least_hidden(totals({"a": 50, "b": 100, "c": 100, "d": 100, "e": 100, "f": 100}), HUBS, K)
    assert rows == [["completed", "quarter", 6, 0, 3, 0, 0]]


def test_a_total_its_small_months_would_pin_is_hidden_like_a_small_one():
    """Hub a's quarter of 12 is at least K, but published it would hold its months of 4 each to 1..10 (all
    three hidden): so it is hidden, its region with it (the neighbour's staff would read it), and it costs the
    same two other hubs. At 14 its months span K values and nothing need be hidden."""
    pinned = utility().least_hidden(
        totals({"a": 12, "b": 100, "c": 100, "d": 100, "e": 100, "f": 100}, (4, 4, 4)), HUBS, K
    )
    assert pinned == [["completed", "quarter", 6, 3, 3, 2, 0]]
    wide = utility().least_hidden(
        totals({"a": 14, "b": 100, "c": 100, "d": 100, "e": 100, "f": 100}, (4, 5, 5)), HUBS, K
    )
    assert wide == [["completed", "quarter", 6, 0, 3, 0, 0]]
