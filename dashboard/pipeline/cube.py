"""The fixed set of published views, built from finest-grain extract data.

Every published figure is one cell of this cube: a topic and measure, a period
(month, quarter or year), a geography (hub, region or network) and a breakdown
(service line, language, funding stream, outcome, or their totals). Totals are
computed here, once, so that no page ever sums cells itself.
"""

from __future__ import annotations

import itertools
from typing import Protocol

import pandas as pd

from ..hierarchy import (
    ALL,
    BREAKDOWN_COLUMNS,
    CELL_KEY,
    GEO_LEVELS,
    LANGUAGES_GROUPED_AT,
    LANGUAGES_SHOWN_BELOW_NETWORK,
    NETWORK,
    OTHER_LANGUAGES,
    OUTCOME_MEASURES,
    PERIOD_LEVELS,
    SERVICE_LINES,
    TOPICS,
    Topic,
    categories_published,
    complete_periods,
    language_group,
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


Shown = dict[str, frozenset[str]]
"""For each year, the languages shown by themselves below the network (hierarchy.shown_languages)."""


def build_cube(data: FinestData, shown: Shown) -> pd.DataFrame:
    """Every published cell with its true value, before disclosure control."""
    cells = _cells(data, shown)
    return cells[cells["published"]].drop(columns="published").reset_index(drop=True)


def unpublished_margins(data: FinestData, shown: Shown) -> pd.DataFrame:
    """The counts no view publishes: each hub's monthly counts by category, and each language of OTHER_LANGUAGES
    below the network.

    They are the unknowns the attacker reasons about (each at least 0) between the published figures, so the
    suppressor needs their true values to find other values, consistent with everything published, that the
    attacker cannot rule out.
    """
    cells = _cells(data, shown)
    return cells[~cells["published"]].drop(columns="published").reset_index(drop=True)


def true_figures(data: FinestData, shown: Shown) -> pd.DataFrame:
    """Every cell and unpublished margin with its true value: what the staff of each hub know of their own.

    The audit's insiders know their own hub's rows of this; nothing of it is ever published.
    """
    return _cells(data, shown).drop(columns="published")


def choose_shown_languages(data: FinestData, previous: Shown) -> Shown:
    """Which languages each year shows by themselves below the network: hierarchy.LANGUAGES_SHOWN_BELOW_NETWORK,
    except that a year keeps the grouping it was first published with (`previous`), so that a group never changes
    its members between releases."""
    return {year: previous.get(year, LANGUAGES_SHOWN_BELOW_NETWORK) for year in sorted({m[:4] for m in data.months})}


def _cells(data: FinestData, shown: Shown) -> pd.DataFrame:
    """Every cell of every view, with whether it is published."""
    periods = complete_periods(data.months)
    geos = _geographies(data.hubs)
    frames = [_topic_cells(TOPICS[name], table, periods, geos, data.hubs, shown) for name, table in data.tables.items()]
    frames = [f for f in frames if len(f)]
    if not frames:
        empty = pd.DataFrame({c: pd.Series(dtype="string") for c in CELL_KEY})
        return empty.assign(value=pd.Series(dtype="Int64"), published=pd.Series(dtype="bool"))
    return pd.concat(frames, ignore_index=True)[[*CELL_KEY, "value", "published"]]


def _geographies(hubs: pd.DataFrame) -> dict[str, list[str]]:
    return {"hub": sorted(hubs["hub"]), "region": sorted(hubs["region"].unique()), "network": [NETWORK]}


def _topic_cells(topic: Topic, table: pd.DataFrame, periods, geos, hubs: pd.DataFrame, shown: Shown) -> pd.DataFrame:
    if table.empty and not topic.count_of_people:
        return pd.DataFrame()
    finest = with_rollup_columns(table, hubs)
    categories = {col: sorted(set(_KNOWN_CATEGORIES.get(col, ())) | set(table[col].unique())) for col in topic.grain}
    if "language" in topic.grain:
        finest["language_group"] = [
            language_group(language, shown.get(month[:4], frozenset()))
            for language, month in zip(finest["language"], finest["month"])
        ]
        if (finest["language_group"] == OTHER_LANGUAGES).any():
            categories["language"] = [*categories["language"], OTHER_LANGUAGES]
    parts = []
    for period_level, geo_level, breakdown in itertools.product(PERIOD_LEVELS, GEO_LEVELS, topic.breakdowns):
        rows = finest[finest[period_level].isin(periods[period_level])]
        summed = _summed(rows, [period_level, geo_level], breakdown, topic.measures)
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
        summed["published"] = _published(topic, period_level, geo_level, breakdown, summed, shown)
        for col in BREAKDOWN_COLUMNS:
            if col not in breakdown:
                summed[col] = ALL
        parts.append(summed)
    if not parts:
        return pd.DataFrame()
    wide = pd.concat(parts, ignore_index=True)
    long = wide.melt(
        id_vars=["period_level", "period", "geo_level", "geo", *BREAKDOWN_COLUMNS, "published"],
        value_vars=list(topic.measures),
        var_name="measure",
        value_name="value",
    )
    long["topic"] = topic.name
    long["value"] = long["value"].astype("Int64")
    long["published"] = long["published"].astype(bool)
    for col in CELL_KEY:
        long[col] = long[col].astype("string")
    return long


def _summed(rows: pd.DataFrame, by: list[str], breakdown: tuple[str, ...], measures) -> pd.DataFrame:
    """The rows added up per period, place and category; by language, each language and OTHER_LANGUAGES."""
    summed = rows.groupby([*by, *breakdown], observed=True)[list(measures)].sum().reset_index()
    if "language" not in breakdown:
        return summed
    grouped = rows[rows["language_group"] == OTHER_LANGUAGES]
    other = grouped.groupby([*by, *(c for c in breakdown if c != "language")], observed=True)[list(measures)].sum()
    return pd.concat([summed, other.reset_index().assign(language=OTHER_LANGUAGES)], ignore_index=True)


def _published(topic: Topic, period_level, geo_level, breakdown, cells: pd.DataFrame, shown: Shown) -> pd.Series:
    """Whether each cell of one view is published.

    Counts of people by category are not published per hub per month (hierarchy.categories_published); the hub's
    monthly total, and every category by region and network, are. Below the network, languages are published
    grouped (hierarchy.OTHER_LANGUAGES).
    """
    if topic.count_of_people and breakdown and not categories_published(period_level, geo_level):
        return pd.Series(False, index=cells.index)
    if "language" not in breakdown or geo_level not in LANGUAGES_GROUPED_AT:
        return pd.Series(True, index=cells.index)
    years = cells["period"].str.slice(0, 4)
    return pd.Series(
        [
            language_group(language, shown.get(year, frozenset())) == language
            for language, year in zip(cells["language"], years)
        ],
        index=cells.index,
    )


def _with_zeros(summed: pd.DataFrame, axes: dict[str, list[str]], measures) -> pd.DataFrame:
    """Every combination of the axes, zero where nothing was reported: zeros are published."""
    if not all(axes.values()):
        return summed.iloc[0:0]
    full = pd.MultiIndex.from_product(list(axes.values()), names=list(axes)).to_frame(index=False)
    out = full.merge(summed, on=list(axes), how="left")
    out[list(measures)] = out[list(measures)].fillna(0).astype("int64")
    return out
