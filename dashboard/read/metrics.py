"""The dashboard's metrics: one table of what each one is, the one rule for stating a change between two
figures, and each metric as a time series for improvement cycles to measure against.

A cycle's measure is a small spec ({"metric": "interpreter_coverage",
"geo_level": "hub", "geo": "riverside", "language": "vi"}); its series comes from
the same questions in queries/ as the dashboard pages, for the viewer asking.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..hierarchy import ALL, NETWORK
from ..identity.auth import Viewer
from . import data
from .labels import language, plain


@dataclass(frozen=True)
class Metric:
    """One published metric: where its figures come from, and what a measure may narrow it by."""

    label: str
    topic: str
    """The published topic its figures come from."""
    question: str
    """The query in queries/ that answers it."""
    column: str
    """The column of that query's answer holding it."""
    groups: tuple[str, ...]
    """The breakdown columns a measure may narrow it by: one group along one of them, each a published view."""
    has_total: bool = True
    """False where only the groups are published: outcomes have no total across outcomes."""
    percent: bool = True
    better: str | None = "higher"
    """Which way is an improvement: "higher", "lower", or None where neither is (how many were referred)."""


_REFERRAL_GROUPS = ("service_line", "language")
METRICS = {
    "interpreter_coverage": Metric(
        "Interpreter coverage", "language_access", "interpreter_coverage", "interpreter_coverage", ("language",)
    ),
    "completion_rate": Metric(
        "Accepted referrals completed", "referrals", "referral_funnel", "completion_rate", _REFERRAL_GROUPS
    ),
    "first_appointment_rate": Metric(
        "Accepted referrals reaching a first appointment",
        "referrals",
        "referral_funnel",
        "first_appointment_rate",
        _REFERRAL_GROUPS,
    ),
    "waited_over_30_days_share": Metric(
        "First appointments after more than 30 days",
        "referrals",
        "referral_funnel",
        "waited_over_30_days_share",
        _REFERRAL_GROUPS,
        better="lower",
    ),
    "outcome_achieved_share": Metric(
        "Outcome achieved among those assessed", "outcomes", "outcomes", "achieved_share", ("outcome",), has_total=False
    ),
    "referrals": Metric(
        "Referrals made", "referrals", "referral_funnel", "referred", _REFERRAL_GROUPS, percent=False, better=None
    ),
}


def shown_value(value: float, percent: bool) -> str:
    """A published figure as every page shows it: a share as a whole percentage, a count with separators."""
    return f"{value:.0%}" if percent else f"{value:,.0f}"


def change(now, before, percent: bool) -> int | None:
    """The change between two published figures, in points for a share; None unless both are published.

    A share's change is taken between the percentages as shown (rounded as `shown_value` rounds them), so it
    always agrees with the two figures a reader sees: 45% -> 47% is +2 points, whatever the unrounded shares.
    """
    if pd.isna(now) or pd.isna(before):
        return None
    if percent:
        return round(now * 100) - round(before * 100)
    return round(now) - round(before)


def change_text(now, before, percent: bool, signed: bool = False) -> str | None:
    """'up 12', 'down 3 points' or 'no change' ('+12', '-3 points' if signed); None unless both are published.

    Words by default: they read better, and a cell starting with + or - would be
    escaped in a CSV download as a possible spreadsheet formula.
    """
    amount = change(now, before, percent)
    if amount is None:
        return None
    if amount == 0:
        return "no change"
    unit = f" point{'s' * (abs(amount) != 1)}" if percent else ""
    if signed:
        return f"{amount:+,}{unit}"
    return f"{'up' if amount > 0 else 'down'} {abs(amount):,}{unit}"


def metric_series(spec: dict, viewer: Viewer, period_level: str = "quarter") -> pd.DataFrame:
    """period, value, suppressed: one row per published period at `period_level`."""
    metric = METRICS.get(spec["metric"])
    if metric is None:
        raise ValueError(f"unknown metric {spec['metric']!r}")
    periods = data.run("periods", period_level=period_level)["period"].tolist()
    where = {"geo_level": spec.get("geo_level", "network"), "geos": [spec.get("geo", NETWORK)]}
    common = {"period_level": period_level, "periods": periods, **where}
    if metric.has_total:
        breakdown, category = _one_breakdown(spec, metric.groups)
        frame = data.figures(metric.question, viewer, breakdown=breakdown, **common)
        rows = frame[frame["category"] == category]
    else:
        [group] = metric.groups  # published by this one group alone, which its question names as a column
        frame = data.figures(metric.question, viewer, **common)
        rows = frame[frame[group] == spec[group]]
    values = rows[metric.column]
    return pd.DataFrame(
        {"period": rows["period"].to_numpy(), "value": values.to_numpy(), "suppressed": values.isna().to_numpy()}
    )


def describe(spec: dict) -> str:
    """'Interpreter coverage, Vietnamese, hub riverside'."""
    parts = [METRICS[spec["metric"]].label if spec["metric"] in METRICS else spec["metric"]]
    if spec.get("service_line", ALL) != ALL:
        parts.append(plain(spec["service_line"]))
    if spec.get("language", ALL) != ALL:
        parts.append(language(spec["language"]))
    if spec.get("outcome", ALL) != ALL and spec["metric"] == "outcome_achieved_share":
        parts.append(plain(spec["outcome"]))
    parts.append(
        plain(spec.get("geo", NETWORK))
        if spec.get("geo_level", "network") == "network"
        else f"{spec['geo_level']} {spec['geo']}"
    )
    return ", ".join(parts)


def _one_breakdown(spec: dict, columns: tuple[str, ...]) -> tuple[str, str]:
    """The published view a spec picks: the first breakdown it sets, or the total."""
    for column in columns:
        if spec.get(column, ALL) != ALL:
            return column, spec[column]
    return "total", ALL
