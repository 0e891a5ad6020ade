"""The dimensions of the published tables, defined once.

The extract reader, the cube, the suppressor, the audit and the page filters all
read these definitions, so that they cannot disagree about what a cell is or
which cells add up to which.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

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

PERIOD_LEVELS = ("month", "quarter", "year")
GEO_LEVELS = ("hub", "region", "network")
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


def year_of(month: str) -> str:
    return month[:4]


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
    y, m = int(first[:4]), int(first[5:])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def complete_periods(months: list[str]) -> dict[str, list[str]]:
    """Every period (any level) all of whose months are in `months`, with its level.

    Quarters and years are published only once complete, so that a figure, once
    published, never changes as later months arrive.
    """
    have = set(months)
    out: dict[str, list[str]] = {"month": sorted(have), "quarter": [], "year": []}
    for level, key in (("quarter", quarter_of), ("year", year_of)):
        for period in sorted({key(m) for m in have}):
            if set(months_of(level, period)) <= have:
                out[level].append(period)
    return out
