"""The dimensions of the published tables, defined once.

The extract reader, the cube, the suppressor, the audit and the page filters all
read these definitions, so that they cannot disagree about what a cell is or
which cells add up to which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

SERVICE_LINES = (
    "medical",
    "mental_health",
    "reproductive_health",
    "substance_use",
    "legal",
    "immigration",
    "housing",
    "employment",
    "education",
    "peer_support",
    "case_management",
)

OUTCOME_MEASURES = (
    "safety_improved",
    "housing_stable",
    "symptom_relief",
    "employment_or_education",
    "satisfied_with_care",
)

ALL = "all"
"""The value of a breakdown column for a total along it, or where it does not apply."""

NETWORK = "network"
"""The single geography at the top of the hierarchy."""

OTHER_LANGUAGES = "other"
"""Below the network, every language of a year not shown by itself is counted in this one group.

Most languages bring a hub a handful of referrals a year: shown by themselves they would be nearly all hidden,
and protecting them would hide the totals around them. The network shows every language, and this group too.
Not an ISO 639 code, so no extract can use it."""

LANGUAGES_GROUPED_AT = ("hub", "region")
"""The geography levels that show languages grouped (the shown ones, and OTHER_LANGUAGES)."""

LANGUAGES_SHOWN_BELOW_NETWORK = frozenset({"en", "es"})
"""The languages hubs and regions show by themselves. A fixed list, not chosen from the counts: a rule on the
counts ("shown where the network had at least N") would tell every reader that each language not shown had fewer,
which is a bound on figures that may be hidden."""

PERIOD_LEVELS = ("month", "quarter", "year")
"""Finest first: each level's periods add up to the next level's."""
GEO_LEVELS = ("hub", "region", "network")
"""Finest first: each level's places add up to the next level's."""
PARENT_LEVEL = {**dict(zip(PERIOD_LEVELS, PERIOD_LEVELS[1:])), **dict(zip(GEO_LEVELS, GEO_LEVELS[1:]))}
"""The level whose cells each level's cells add up to; the year and the network add up to nothing."""
BREAKDOWN_COLUMNS = ("service_line", "language", "funding_stream", "outcome")

CELL_KEY = ("topic", "measure", "period_level", "period", "geo_level", "geo", *BREAKDOWN_COLUMNS)
"""The columns that identify one published cell."""


@dataclass(frozen=True)
class Topic:
    """One extract file, as published.

    `grain` is the file's key below month and hub: the finest cell an agency
    reports. `breakdowns` are the published views along those columns; the empty
    tuple is the total. `count_of_people` says whether the figures count events
    about survivors and so pass through suppression (money does not).
    """

    name: str
    file: str
    grain: tuple[str, ...]
    measures: tuple[str, ...]
    breakdowns: tuple[tuple[str, ...], ...]
    count_of_people: bool
    order: tuple[tuple[str, str], ...] = ()
    """(greater, lesser) pairs of measures: in every row of the extract, and so in every sum of rows, the
    first is at least the second. The extract format states them, so every attacker knows them."""


TOPICS = {
    t.name: t
    for t in (
        Topic(
            name="referrals",
            file="referrals.csv",
            grain=("service_line", "language"),
            measures=("referred", "accepted", "first_appointment", "completed", "waited_over_30_days"),
            breakdowns=((), ("service_line",), ("language",)),
            count_of_people=True,
            order=(
                ("referred", "accepted"),
                ("accepted", "first_appointment"),
                ("first_appointment", "completed"),
                ("first_appointment", "waited_over_30_days"),
            ),
        ),
        Topic(
            name="language_access",
            file="language_access.csv",
            grain=("language",),
            measures=("appointments_needing_interpreter", "appointments_with_interpreter"),
            breakdowns=((), ("language",)),
            count_of_people=True,
            order=(("appointments_needing_interpreter", "appointments_with_interpreter"),),
        ),
        Topic(
            name="funding",
            file="funding.csv",
            grain=("funding_stream", "service_line"),
            measures=("budget", "spent"),
            breakdowns=((), ("funding_stream",), ("service_line",), ("funding_stream", "service_line")),
            count_of_people=False,
        ),
        Topic(
            name="outcomes",
            file="outcomes.csv",
            grain=("outcome",),
            measures=("assessed", "achieved"),
            breakdowns=(("outcome",),),
            count_of_people=True,
            order=(("assessed", "achieved"),),
        ),
    )
}
"""The outcome file's `measure` column is called `outcome` here, to keep `measure`
for the name of the figure (referred, assessed, ...)."""


_MONTH = re.compile(r"[0-9]{4}-(0[1-9]|1[0-2])")


def is_month(text: str) -> bool:
    """YYYY-MM with ASCII digits only and nothing around it."""
    return bool(_MONTH.fullmatch(text))


def quarter_of(month: str) -> str:
    """'2024-05' -> '2024-Q2'."""
    year, mm = month.split("-")
    return f"{year}-Q{(int(mm) - 1) // 3 + 1}"


def year_of(period: str) -> str:
    """The calendar year of a month, quarter or year: '2024-05', '2024-Q2', '2024' -> '2024'."""
    return period[:4]


def years_of(periods: pd.Series) -> pd.Series:
    """year_of for a whole column at once."""
    return periods.str.slice(0, 4)


def period_of(period_level: str, month: str) -> str:
    """The period of a level that holds the month: ('quarter', '2024-05') -> '2024-Q2'."""
    return {"month": month, "quarter": quarter_of(month), "year": year_of(month)}[period_level]


def parent_period(period_level: str, period: str) -> str | None:
    """The period one level up that holds `period`: '2024-05' -> '2024-Q2' -> '2024' -> None."""
    parent = PARENT_LEVEL.get(period_level)
    return period_of(parent, months_of(period_level, period)[0]) if parent else None


def number_in_year(period_level: str, period: str) -> int:
    """A period's place in its year, from 1: '2024-05' -> 5, '2024-Q2' -> 2, '2024' -> 1."""
    if period_level == "year":
        return 1
    return int(period.removeprefix(f"{year_of(period)}-").removeprefix("Q"))


def months_of(period_level: str, period: str) -> list[str]:
    """The months a period covers, in order."""
    if period_level == "month":
        return [period]
    if period_level == "quarter":
        year, q = period.split("-Q")
        first = (int(q) - 1) * 3 + 1
        return [f"{year}-{m:02d}" for m in range(first, first + 3)]
    if period_level == "year":
        return [f"{period}-{m:02d}" for m in range(1, 13)]
    raise ValueError(f"unknown period level {period_level!r}")


def month_range(first: str, last: str) -> list[str]:
    """Every month from first to last, inclusive."""
    return [_month_at(n) for n in range(_month_count(first), _month_count(last) + 1)]


def months_from(first: str, count: int) -> list[str]:
    """`count` months in a row from `first`: ('2024-11', 3) -> ['2024-11', '2024-12', '2025-01']."""
    start = _month_count(first)
    return [_month_at(n) for n in range(start, start + count)]


def _month_count(month: str) -> int:
    return 12 * int(year_of(month)) + number_in_year("month", month) - 1


def _month_at(count: int) -> str:
    return f"{count // 12:04d}-{count % 12 + 1:02d}"


def level_of(period: str) -> str:
    """The level of a published period: '2024-05' a month, '2024-Q2' a quarter, '2024' a year."""
    if is_month(period):
        return "month"
    return "quarter" if "-Q" in period else "year"


def a_year_earlier(period: str) -> str:
    """The same period a year before: '2025-Q3' -> '2024-Q3', '2025-05' -> '2024-05', '2025' -> '2024'."""
    return f"{int(year_of(period)) - 1:04d}{period[len(year_of(period)) :]}"


def complete_periods(months: list[str]) -> dict[str, list[str]]:
    """Every period (any level) all of whose months are in `months`, with its level.

    Quarters and years are published only once complete, so that a figure, once
    published, never changes as later months arrive.
    """
    have = set(months)
    out: dict[str, list[str]] = {level: [] for level in PERIOD_LEVELS}
    for level in PERIOD_LEVELS:
        for period in sorted({period_of(level, m) for m in have}):
            if set(months_of(level, period)) <= have:
                out[level].append(period)
    return out


def categories_published(period_level: str, geo_level: str) -> bool:
    """Whether counts of people are published by category (service line, language, outcome) at this level.

    Not for one hub by month: a hub's month holds a handful of people spread over dozens of categories, nearly
    every cell would be hidden, and protecting them would hide much of what the quarters and years could show.
    """
    return (period_level, geo_level) != ("month", "hub")


def shown_languages(cells: pd.DataFrame) -> dict[str, frozenset[str]]:
    """For each year, the languages a release shows by themselves below the network, read from its hub cells.

    The languages a hub or region has a cell for, other than OTHER_LANGUAGES, are the ones shown; a year with no
    such cell shows none.
    """
    below = cells[cells["geo_level"].isin(LANGUAGES_GROUPED_AT) & ~cells["language"].isin([ALL, OTHER_LANGUAGES])]
    shown = below.groupby(years_of(below["period"]))["language"].agg(frozenset)
    return {str(year): languages for year, languages in shown.items()}


def language_group(language: str, shown: frozenset[str]) -> str:
    """The group a language is counted in below the network: itself if shown, else OTHER_LANGUAGES."""
    return language if language in shown or language in (ALL, OTHER_LANGUAGES) else OTHER_LANGUAGES


def hubs_in(geo_level: str, geo: str, hubs: pd.DataFrame) -> frozenset[str]:
    """The hubs a place covers (none for a region no hub is in)."""
    if geo_level == "hub":
        return frozenset([geo])
    if geo_level == "region":
        return frozenset(hubs["hub"][hubs["region"] == geo])
    if geo_level == "network":
        return frozenset(hubs["hub"])
    raise ValueError(f"unknown geography level {geo_level!r}")


def parent_geo(geo_level: str, geo: str, region_of: dict[str, str]) -> str | None:
    """The place one level up that holds `geo`: a hub's region (by `region_of`), a region's network; None for the
    network."""
    return {"hub": region_of.get(geo), "region": NETWORK, "network": None}[geo_level]


def with_rollup_columns(rows: pd.DataFrame, hubs: pd.DataFrame) -> pd.DataFrame:
    """Rows of one month and hub each, with a column per level (month, quarter, year; hub, region, network)
    naming the cell of that level the row falls in: grouping by a level's column adds the rows up to its cells."""
    out = rows.merge(hubs[["hub", "region"]], on="hub", how="left")
    for level in PERIOD_LEVELS[1:]:
        out[level] = out["month"].map(lambda month, level=level: period_of(level, month))
    out["network"] = NETWORK
    return out
