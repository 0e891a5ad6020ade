"""Over- and under-spend in plain words: each funding stream against the straight line
through its grant year.

By the end of month m of a grant year, a stream spending evenly has spent m/12 of
the year's budget. A stream is flagged when its spend to date is below 85% or
above 105% of that: at the year's end, of the whole budget.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable

import pandas as pd

from ..hierarchy import year_of

UNDER = 0.85
OVER = 1.05


def flags(burn: pd.DataFrame, name: Callable[[str], str]) -> tuple[list[str], list[str]]:
    """Sentences for the streams off the straight line, furthest first, and the names of those on it.

    `burn`: rows of the funding_burn question for one grant year; each stream is
    judged at its last month.
    """
    off, on = [], []
    for stream, rows in burn.groupby("funding_stream", sort=True):
        last = rows.sort_values("month").iloc[-1]
        share, line = last["spent_share"], last["straight_line"]
        if pd.isna(share):
            continue
        pace = share / line
        if UNDER <= pace <= OVER:
            on.append(name(stream))
            continue
        year, month = year_of(last["month"]), int(last["month_number"])
        verdict = "underspent" if pace < UNDER else "overspent"
        if month == 12:
            sentence = f"{name(stream)}: {share:.0%} of the {year} budget spent: {verdict}."
        else:
            sentence = (
                f"{name(stream)}: {share:.0%} of the {year} budget spent by the end of "
                f"{calendar.month_name[month]}, against {line:.0%} on a straight line: {verdict}."
            )
        off.append((abs(pace - 1), sentence))
    off.sort(key=lambda item: -item[0])
    return [sentence for _, sentence in off], sorted(on)
