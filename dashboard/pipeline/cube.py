"""The fixed set of published views, built from finest-grain extract data.

Every published figure is one cell of this cube: a topic and measure, a period
(month, quarter or year), a geography (hub, region or network) and a breakdown
(service line, language, funding stream, outcome, or their totals). Totals are
computed here, once, so that no page ever sums cells itself.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Protocol

import pandas as pd

from ..hierarchy import (
    ALL,
    BREAKDOWN_COLUMNS,
    CELL_KEY,
    GEO_LEVELS,
    NETWORK,
    OUTCOME_MEASURES,
    PERIOD_LEVELS,
    SERVICE_LINES,
    TOPICS,
    Topic,
    complete_periods,
    with_rollup_columns,
)

_KNOWN_CATEGORIES = {"service_line": SERVICE_LINES, "outcome": OUTCOME_MEASURES}
"""Categories published even when an extract has none of them, so that a zero
is shown as a zero rather than as a missing line."""


class FinestData(Protocol):
    """What the cube is built from: a validated extract, or the staged merge of several."""

    hubs: pd.DataFrame
    months: list[str]
    tables: dict[str, pd.DataFrame]


def build_cube(data: FinestData) -> pd.DataFrame:
    """Every published cell with its true value, before disclosure control."""
    return _cells(data, published_view)


def unpublished_margins(data: FinestData) -> pd.DataFrame:
    """The counts by category of one hub in one month, which no view publishes.

    They are the finest unknowns the attacker reasons about (each at least 0), so
    the suppressor needs their true values to find other values, consistent with
    everything published, that the attacker cannot rule out.
    """
    return _cells(data, lambda *view: not published_view(*view))


def true_figures(data: FinestData) -> pd.DataFrame:
    """Every cell and unpublished margin with its true value: what the staff of each hub know of their own.

    The audit's insiders know their own hub's rows of this; nothing of it is ever published.
    """
    return pd.concat([build_cube(data), unpublished_margins(data)], ignore_index=True)


def _cells(data: FinestData, wanted: Callable[[Topic, str, str, tuple[str, ...]], bool]) -> pd.DataFrame:
    periods = complete_periods(data.months)
    geos = _geographies(data.hubs)
    frames = [
        _topic_cells(TOPICS[name], table, periods, geos, data.hubs, wanted) for name, table in data.tables.items()
    ]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype="string") for c in CELL_KEY}).assign(value=pd.Series(dtype="Int64"))
    return pd.concat(frames, ignore_index=True)[[*CELL_KEY, "value"]]


def _geographies(hubs: pd.DataFrame) -> dict[str, list[str]]:
    return {"hub": sorted(hubs["hub"]), "region": sorted(hubs["region"].unique()), "network": [NETWORK]}


def _topic_cells(topic: Topic, table: pd.DataFrame, periods, geos, hubs: pd.DataFrame, wanted) -> pd.DataFrame:
    if table.empty and not topic.count_of_people:
        return pd.DataFrame()
    finest = with_rollup_columns(table, hubs)
    categories = {col: sorted(set(_KNOWN_CATEGORIES.get(col, ())) | set(table[col].unique())) for col in topic.grain}
    parts = []
    for period_level, geo_level, breakdown in itertools.product(PERIOD_LEVELS, GEO_LEVELS, topic.breakdowns):
        if not wanted(topic, period_level, geo_level, breakdown):
            continue
        rows = finest[finest[period_level].isin(periods[period_level])]
        by = [period_level, geo_level, *breakdown]
        summed = rows.groupby(by, observed=True)[list(topic.measures)].sum().reset_index()
        summed = summed.rename(columns={period_level: "period", geo_level: "geo"})
        if topic.count_of_people:
            summed = _with_zeros(
                summed,
                {
                    "period": periods[period_level],
                    "geo": geos[geo_level],
                    **{col: categories[col] for col in breakdown},
                },
                topic.measures,
            )
        summed["period_level"] = period_level
        summed["geo_level"] = geo_level
        for col in BREAKDOWN_COLUMNS:
            if col not in breakdown:
                summed[col] = ALL
        parts.append(summed)
    if not parts:
        return pd.DataFrame()
    wide = pd.concat(parts, ignore_index=True)
    long = wide.melt(
        id_vars=["period_level", "period", "geo_level", "geo", *BREAKDOWN_COLUMNS],
        value_vars=list(topic.measures),
        var_name="measure",
        value_name="value",
    )
    long["topic"] = topic.name
    long["value"] = long["value"].astype("Int64")
    for col in CELL_KEY:
        long[col] = long[col].astype("string")
    return long


def published_view(topic: Topic, period_level: str, geo_level: str, breakdown: tuple[str, ...]) -> bool:
    """Counts of people by category are not published per hub per month.

    A hub's month by service line or language is a handful of people spread over
    dozens of categories: nearly every cell would be hidden, and protecting them
    would hide much of what the quarters and years could show. The hub's monthly
    total, and every category by region and network, are published.
    """
    return not (topic.count_of_people and period_level == "month" and geo_level == "hub" and breakdown)


def _with_zeros(summed: pd.DataFrame, axes: dict[str, list[str]], measures) -> pd.DataFrame:
    """Every combination of the axes, zero where nothing was reported: zeros are published."""
    if not all(axes.values()):
        return summed.iloc[0:0]
    full = pd.MultiIndex.from_product(list(axes.values()), names=list(axes)).to_frame(index=False)
    out = full.merge(summed, on=list(axes), how="left")
    out[list(measures)] = out[list(measures)].fillna(0).astype("int64")
    return out
