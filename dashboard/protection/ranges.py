"""The range every hidden figure already has: what the published figures imply about it.

Anyone holding the release can work out, for each suppressed cell, the smallest and largest value consistent
with every published figure (the outsider of dashboard/protection/audit.py). Showing that range gives nothing away that
the release does not already give, and tells a reader what a hidden figure can and cannot be. It is computed
from the published release alone, never from true values, and rounded outward to whole numbers.

A release protected against the extract format's order rules (referred >= accepted, ...) also has its ranges
narrowed by them, cell by cell: a hidden count of referrals is at least the accepted referrals published beside
it. The attacker knows the rules, so this too gives nothing away; it spares a reader a range that the figure
next to it already contradicts.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..hierarchy import CELL_KEY, TOPICS
from .audit import intervals
from .release import Release
from .tuning import TOLERANCE


def implied_ranges(release: Release, order_rules: bool = True) -> pd.DataFrame:
    """CELL_KEY, lower, upper for every suppressed cell; upper is missing where nothing published bounds it.

    `order_rules`: narrow the ranges by the order rules between a cell's measures; only for a release protected
    against them (the ranges must not tell more than the release was protected against)."""
    report = intervals(release, exact_for_all=True)
    lower = np.floor(report["lower"].to_numpy(float) + TOLERANCE)
    upper = np.ceil(report["upper"].to_numpy(float) - TOLERANCE)
    ranges = report[list(CELL_KEY)].copy()
    ranges["lower"], ranges["upper"] = lower, upper
    if order_rules:
        ranges = _within_the_order_rules(release.cells, ranges)
    ranges["lower"] = pd.array(ranges["lower"], dtype="Int64")
    ranges["upper"] = pd.array(np.where(np.isfinite(ranges["upper"]), ranges["upper"], np.nan), dtype="Int64")
    return ranges


def _within_the_order_rules(cells: pd.DataFrame, ranges: pd.DataFrame) -> pd.DataFrame:
    """Each hidden figure at least every figure of its cell ordered below it (its value if published, else its
    lower end) and at most every one ordered above it, repeated along chains (referred >= accepted >= ...)."""
    place = [c for c in CELL_KEY if c != "measure"]
    bounds = cells[[*CELL_KEY, "value"]].merge(ranges, on=list(CELL_KEY), how="left")
    value = bounds["value"].astype(float)
    bounds["lower"] = value.fillna(bounds["lower"])
    bounds["upper"] = value.fillna(bounds["upper"])
    narrowed = []
    for topic, of_topic in bounds.groupby("topic", sort=False):
        pairs = TOPICS[topic].order
        if not pairs:
            continue
        table = of_topic.set_index([*place, "measure"])[["lower", "upper"]].unstack("measure")
        lower, upper = table["lower"].copy(), table["upper"].copy()
        for _ in pairs:  # a chain is no longer than the rules it is made of
            for greater, lesser in pairs:
                lower[greater] = np.fmax(lower[greater], lower[lesser])
                upper[lesser] = np.fmin(upper[lesser], upper[greater])
        narrowed.append(pd.concat({"lower": lower, "upper": upper}, axis=1).stack("measure").reset_index())
    if not narrowed:
        return ranges
    narrowed = pd.concat(narrowed, ignore_index=True)
    merged = ranges.merge(narrowed, on=list(CELL_KEY), how="left", suffixes=("_additive", ""))
    unordered = merged["lower"].isna()
    for end in ("lower", "upper"):
        merged[end] = merged[end].where(~unordered, merged[f"{end}_additive"])
    return merged[[*CELL_KEY, "lower", "upper"]]
