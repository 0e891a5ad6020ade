"""The dashboard's published metrics as time series, for improvement cycles to measure against.

A cycle's measure is a small spec ({"metric": "interpreter_coverage",
"geo_level": "hub", "geo": "riverside", "language": "vi"}); its series comes from
the same questions in queries/ as the dashboard pages, for the viewer asking.
"""

from __future__ import annotations

import pandas as pd

from feedback.cycles import Action

from . import data
from .auth import Viewer
from .hierarchy import ALL, NETWORK
from .labels import language, plain

_FUNNEL_COLUMNS = {
    "completion_rate": "completion_rate",
    "first_appointment_rate": "first_appointment_rate",
    "waited_over_30_days_share": "waited_over_30_days_share",
    "referrals": "referred",
}

LABELS = {
    "interpreter_coverage": "Interpreter coverage",
    "completion_rate": "Accepted referrals completed",
    "first_appointment_rate": "Accepted referrals reaching a first appointment",
    "waited_over_30_days_share": "First appointments after more than 30 days",
    "outcome_achieved_share": "Outcome achieved among those assessed",
    "referrals": "Referrals made",
}


def metric_series(spec: dict, viewer: Viewer, period_level: str = "quarter") -> pd.DataFrame:
    """period, value, suppressed: one row per published period at `period_level`."""
    periods = data.run("periods", period_level=period_level)["period"].tolist()
    where = {"geo_level": spec.get("geo_level", "network"), "geos": [spec.get("geo", NETWORK)]}
    common = {"period_level": period_level, "periods": periods, **where}
    metric = spec["metric"]
    if metric in _FUNNEL_COLUMNS:
        breakdown, category = _one_breakdown(spec, ("service_line", "language"))
        frame = data.figures("referral_funnel", viewer, breakdown=breakdown, **common)
        column = _FUNNEL_COLUMNS[metric]
    elif metric == "interpreter_coverage":
        breakdown, category = _one_breakdown(spec, ("language",))
        frame = data.figures("interpreter_coverage", viewer, breakdown=breakdown, **common)
        column = "interpreter_coverage"
    elif metric == "outcome_achieved_share":
        frame = data.figures("outcomes", viewer, **common).rename(columns={"outcome": "category"})
        category, column = spec.get("outcome", "safety_improved"), "achieved_share"
    else:
        raise ValueError(f"unknown metric {metric!r}")
    rows = frame[frame["category"] == category]
    return pd.DataFrame(
        {"period": rows["period"].to_numpy(), "value": rows[column].to_numpy(), "suppressed": rows[column].isna().to_numpy()}
    )


def describe(spec: dict) -> str:
    """'Interpreter coverage, Vietnamese, hub riverside'."""
    parts = [LABELS.get(spec["metric"], spec["metric"])]
    if spec.get("service_line", ALL) != ALL:
        parts.append(plain(spec["service_line"]))
    if spec.get("language", ALL) != ALL:
        parts.append(language(spec["language"]))
    if spec.get("outcome", ALL) != ALL and spec["metric"] == "outcome_achieved_share":
        parts.append(plain(spec["outcome"]))
    parts.append(plain(spec.get("geo", NETWORK)) if spec.get("geo_level", "network") == "network" else f"{spec['geo_level']} {spec['geo']}")
    return ", ".join(parts)


def board_change(action: Action, lang: str) -> str:
    """What the public board says an action changed, naming its measure only where the reader may see the
    figures: a measure below region level is a hub's, and no public page names a hub."""
    sentence = action.change_sentence(lang)
    return sentence if action.change is None else f"{sentence} ({describe(action.measure)})"


def _one_breakdown(spec: dict, columns: tuple[str, ...]) -> tuple[str, str]:
    """The published view a spec picks: the first breakdown it sets, or the total."""
    for column in columns:
        if spec.get(column, ALL) != ALL:
            return column, spec[column]
    return "total", ALL
