"""The figure a chart's groups are compared with, drawn on the chart itself.

A gap is read against something: a language's coverage against all languages, a
hub's outcome against the network, a stream's spending against the straight line.
Drawing that baseline on the chart, dashed and black (unlike any series colour),
shows the gap without the table; its tooltip names it.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

BASELINE_COLOUR = "#000000"
DASH = [5, 4]


def with_rule(figure: alt.TopLevelMixin, value: float | None, label: str, percent: bool = True) -> alt.LayerChart:
    """Horizontal bars with a dashed vertical line at `value`; none where `value` was not published."""
    fmt = ".0%" if percent else ",.0f"
    reference = pd.DataFrame({"_baseline": [value], "_label": [label]}).dropna()
    rule = (
        alt.Chart(reference)
        .mark_rule(color=BASELINE_COLOUR, strokeDash=DASH, size=2)
        .encode(
            x="_baseline:Q",
            tooltip=[
                alt.Tooltip("_label:N", title="Compared with"),
                alt.Tooltip("_baseline:Q", title="Value", format=fmt),
            ],
        )
    )
    return _layer(figure, rule)


def with_line(figure: alt.TopLevelMixin, frame: pd.DataFrame, x: str, y: str, label: str) -> alt.LayerChart:
    """A chart over time with a dashed line through the expected share `y` at each `x`."""
    line = (
        alt.Chart(frame.assign(_label=label))
        .mark_line(color=BASELINE_COLOUR, strokeDash=DASH, size=2)
        .encode(
            x=alt.X(f"{x}:O"),
            y=alt.Y(f"{y}:Q"),
            tooltip=[
                alt.Tooltip(f"{x}:O"),
                alt.Tooltip("_label:N", title="Line"),
                alt.Tooltip(f"{y}:Q", title="Expected", format=".0%"),
            ],
        )
    )
    return _layer(figure, line)


def _layer(figure: alt.TopLevelMixin, mark: alt.Chart) -> alt.LayerChart:
    """The title stays on the outside, where Vega-Lite draws it once."""
    inner = figure.copy()
    inner.title = alt.Undefined
    return alt.layer(inner, mark).properties(title=figure.title)
