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


def totals(hub_values: dict[str, int]) -> pd.DataFrame:
    """One measure's quarterly totals at every hub, region and the network, as the benchmark reads them."""
    rows = dict(hub_values)
    for region, members in HUBS.groupby("region")["hub"]:
        rows[region] = sum(hub_values[h] for h in members)
    rows["network"] = sum(hub_values.values())
    level = {**dict.fromkeys(HUBS["hub"], "hub"), **dict.fromkeys(HUBS["region"], "region"), "network": "network"}
    return pd.DataFrame(
        {
            "topic": "referrals",
            "measure": "completed",
            "period_level": "quarter",
            "period": "2025-Q1",
            "geo_level": [level[g] for g in rows],
            "geo": list(rows),
            "service_line": "all",
            "language": "all",
            "funding_stream": "all",
            "outcome": "all",
            "true": list(rows.values()),
        }
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
