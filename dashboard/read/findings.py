"""Plain-language findings computed from published figures, never written by hand.

Each finding compares a published rate for one group with the same rate for the
whole it belongs to, and only where both rates were published.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import pandas as pd

from . import metrics


@dataclass(frozen=True)
class Gap:
    rate: str
    words: str
    """What the rate is, completing '41% ...'."""
    higher_is_worse: bool = False


FUNNEL_GAPS = (
    Gap("first_appointment_rate", "of accepted referrals reach a first appointment"),
    Gap("completion_rate", "of accepted referrals complete the service"),
    Gap("waited_over_30_days_share", "of first appointments came after more than 30 days", higher_is_worse=True),
)
COVERAGE_GAP = Gap("interpreter_coverage", "of appointments that needed an interpreter had one")
OUTCOME_GAP = Gap("achieved_share", "of those assessed achieved it")


def largest_gaps(
    groups: pd.DataFrame,
    whole: pd.Series,
    gaps: tuple[Gap, ...],
    name: Callable[[str], str],
    whole_name: str,
    column: str = "category",
    most: int = 3,
    min_points: float = 0.05,
) -> list[str]:
    """The groups that fall furthest behind the whole, worst first, as sentences."""
    found = []
    for gap in gaps:
        base = whole.get(gap.rate)
        if base is None or pd.isna(base):
            continue
        for _, row in groups.iterrows():
            value = row.get(gap.rate)
            if value is None or pd.isna(value):
                continue
            behind = (value - base) if gap.higher_is_worse else (base - value)
            if behind >= min_points:
                sentence = f"{name(row[column])}: {value:.0%} {gap.words}, against {base:.0%} across {whole_name}."
                found.append((behind, sentence))
    found.sort(key=lambda item: -item[0])
    return [sentence for _, sentence in found[:most]]


def comparable(groups: pd.DataFrame, whole: pd.Series, gaps: tuple[Gap, ...]) -> int:
    """How many of the groups' rates can be set against the whole's: both published. None means that "no group
    falls behind" would be untrue: nothing was compared."""
    return sum(
        int(groups[gap.rate].notna().sum())
        for gap in gaps
        if gap.rate in groups.columns and not pd.isna(whole.get(gap.rate))
    )


@dataclass(frozen=True)
class Change:
    """One group's published rate in a period and in the same period a year earlier."""

    group: str
    gap: Gap
    now: float
    before: float

    @property
    def better_by(self) -> int:
        """Points, between the two rates as the sentence shows them (metrics.change)."""
        moved = metrics.change(self.now, self.before, percent=True)
        return -moved if self.gap.higher_is_worse else moved

    def sentence(self, period: str, earlier: str) -> str:
        direction = "up" if metrics.change(self.now, self.before, percent=True) > 0 else "down"
        return f"{self.group}: {self.now:.0%} {self.gap.words} in {period}, {direction} from {self.before:.0%} in {earlier}."


def largest_changes(changes: list[Change], period: str, earlier: str, min_points: int = 1) -> list[str]:
    """The largest improvement and the largest setback against a year earlier, as sentences.

    Only changes between two published rates count; a change smaller than
    `min_points` (as shown: 45% to 45% is none) is no news.
    """
    compared = [c for c in changes if not pd.isna(c.now) and not pd.isna(c.before) and abs(c.better_by) >= min_points]
    found = []
    improved = [c for c in compared if c.better_by > 0]
    if improved:
        found.append("Largest improvement — " + max(improved, key=lambda c: c.better_by).sentence(period, earlier))
    setbacks = [c for c in compared if c.better_by < 0]
    if setbacks:
        found.append("Largest setback — " + min(setbacks, key=lambda c: c.better_by).sentence(period, earlier))
    return found
