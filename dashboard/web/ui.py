"""What every page shares: the role check, filters, suppressed-cell display, charts and downloads.

A suppressed figure is never shown as a zero and never dropped: tables say
"hidden (40–75)", with the range the published figures already imply (queries
give it beside each figure, as _lower and _upper), charts draw that range as a
grey line with a tooltip saying why, and every page says whether anything on it
is suppressed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import altair as alt
import numpy as np
import pandas as pd
import streamlit as st

from .. import internals
from ..csvsafe import to_csv_bytes
from ..hierarchy import GEO_LEVELS, NETWORK, PERIOD_LEVELS, year_of
from ..identity import access, auth
from ..markdownsafe import markdown_text
from ..read import data, metrics

SUPPRESSED = "suppressed"
HIDDEN = "hidden"
NOT_SHOWN = "not shown"
SUPPRESSED_GREY = "#9e9e9e"
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
"""Okabe and Ito's palette: distinguishable with every common colour-vision deficiency."""
LABEL_LIMIT = 190
"""Pixels of a bar's label before it is cut short: a hub's full name fits, and a phone keeps room for the bars."""
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
"""Charts fill the width; their height is the plot's plus what title, labels and legend need."""
TREND_HEIGHT = 200
LEGEND = {"orient": "bottom", "title": None, "columns": 1, "labelLimit": 300}
"""One entry a line: on a phone, a row of entries runs off the edge and hides series."""

OWN_FIGURES_NOTE = (
    "Your hub's own figures, not published: every count, small ones included, as your hub recorded them. "
    "Only your hub's users see them; nobody else does, and no public page, other view or report holds them."
)
STATUS = "Status"
TABLE_STYLE = """<style>
@media (max-width: 640px) {
  [data-testid="stTable"] table { table-layout: fixed !important; width: 100% !important; }
  [data-testid="stTable"] th, [data-testid="stTable"] td, [data-testid="stTable"] p {
    font-size: 0.7rem !important; white-space: normal !important; overflow-wrap: anywhere !important; }
  [data-testid="stTable"] th, [data-testid="stTable"] td { padding: 0.3rem 0.1rem !important; }
}
</style>"""
"""On a phone, tables fit the screen: smaller text, columns sharing the width, long words broken (!important:
Streamlit's own styles come later on the page)."""
LEVEL_LABELS = {"year": "Year", "quarter": "Quarter", "month": "Month"}
GEO_LEVEL_LABELS = {"network": "Whole network", "region": "Region", "hub": "Hub"}


def require_page(path: str) -> auth.Viewer:
    """Check, on the server, that the viewer may see this page; otherwise show nothing but a way in."""
    viewer = auth.current_viewer(data.hub_ids())
    page = access.page(path)
    if not access.may_see(page, viewer.roles):
        refuse(page, viewer)
        st.stop()
    if not data.ready():
        st.info("No figures have been published yet. Load an extract with `hubdash ingest`.")
        st.stop()
    return viewer


def refuse(page: access.Page, viewer: auth.Viewer) -> None:
    st.title(page.title)
    if viewer.signed_in:
        st.warning(
            f"You are signed in as {markdown_text(viewer.username)}, who may not see this page. Sign out to use another account."
        )
    else:
        st.info("Please sign in to see this page.")
        sign_in()


def sign_in() -> None:
    if auth.sign_in_form(data.hub_ids()).signed_in:
        st.rerun()


def threshold() -> int:
    return int(data.run("release_info")["threshold"].iloc[0])


def suppression_explained() -> str:
    k = threshold()
    return (
        f"Suppressed: fewer than {k} (and more than 0), or hidden so that such a count "
        "cannot be worked out from the totals around it."
    )


def period_filter(key: str, levels=PERIOD_LEVELS[::-1], default_level: str = "year") -> tuple[str, list[str]]:
    """A period level and a range of periods at that level; returns the level and the periods in the range."""
    level = st.selectbox(
        "Period", levels, index=levels.index(default_level), format_func=LEVEL_LABELS.get, key=f"{key}-level"
    )
    periods = data.run("periods", period_level=level)["period"].tolist()
    if not periods:
        st.info(f"No complete {level} has been published yet.")
        st.stop()
    if len(periods) == 1:
        return level, periods
    default = (periods[max(0, len(periods) - 12)], periods[-1])
    first, last = st.select_slider("Range", options=periods, value=default, key=f"{key}-range-{level}")
    return level, periods[periods.index(first) : periods.index(last) + 1]


def geo_filter(viewer: auth.Viewer, key: str) -> tuple[str, str]:
    """One geography the viewer may see: the network, a region, or a hub."""
    options = [(level, geo) for level in data.allowed_geo_levels(viewer) for geo in data.allowed_geos(viewer, level)]
    options.sort(key=lambda o: GEO_LEVELS[::-1].index(o[0]))
    labels = place_labels(options)
    own = [i for i, (level, geo) in enumerate(options) if level == "hub" and viewer.hubs and geo in viewer.hubs]
    return st.selectbox("Where", options, index=own[0] if own else 0, format_func=labels.get, key=f"{key}-geo")


class View(NamedTuple):
    """What a dashboard page's filters chose: a period level and range, and one place."""

    level: str
    periods: list[str]
    geo_level: str
    geo: str

    @property
    def latest(self) -> str:
        return self.periods[-1]

    @property
    def where(self) -> str:
        return geo_label(self.geo_level, self.geo)

    @property
    def phrase(self) -> str:
        """The place inside a sentence: 'the whole network', 'region North', 'Riverside Survivor Care Hub'."""
        if self.geo_level == "network":
            return "the whole network"
        if self.geo_level == "region":
            return f"region {self.geo}"
        return self.where.removeprefix(f"{GEO_LEVEL_LABELS['hub']}: ")

    @property
    def caption(self) -> str:
        """For st.caption: the place's name escaped, as names are data."""
        return f"{markdown_text(self.where)} · {period_label(self.level, self.periods)}. Snapshot figures are for {self.latest}."


def view_filters(viewer: auth.Viewer, key: str, columns) -> View:
    """The period and place filters every dashboard page starts with, in the first two of `columns`."""
    with columns[0]:
        level, periods = period_filter(key)
    with columns[1]:
        geo_level, geo = geo_filter(viewer, key)
    if data.own_figures(viewer, geo_level, [geo]):
        st.info(OWN_FIGURES_NOTE)
    return View(level, periods, geo_level, geo)


def wider_views(viewer: auth.Viewer, view: View) -> list[View]:
    """Views around `view` that more published figures reach, nearest first: the year of its latest period, its
    hub's region, the whole network; each for one period, as a page's findings are."""
    year = year_of(view.latest)
    periods = [(view.level, [view.latest])]
    if view.level != "year" and year in data.run("periods", period_level="year")["period"].tolist():
        periods.append(("year", [year]))
    places = [(view.geo_level, view.geo)]
    if view.geo_level == "hub" and "region" in data.allowed_geo_levels(viewer):
        hubs = data.run("hubs")
        places.append(("region", hubs.loc[hubs["hub"] == view.geo, "region"].iloc[0]))
    if view.geo_level != "network":
        places.append(("network", NETWORK))
    return [View(level, chosen, *place) for place in places for level, chosen in periods][1:]


def say_gaps(
    found: list[str],
    compared: int,
    none_behind: str,
    view: View,
    viewer: auth.Viewer,
    compared_in: Callable[[View], int],
    among: str = "",
) -> None:
    """The largest gaps, worst first; or that no group falls behind among the rates compared; or, where nothing
    could be compared, that it could not, and the nearest view where it can (compared_in counts a view's pairs).
    `among` names what is compared where it is not the view's groups ("between the hubs of ...")."""
    if found:
        sentences = found
    elif compared:
        sentences = [none_behind]
    else:
        other = next((v for v in wider_views(viewer, view) if compared_in(v)), None)
        sentences = [
            f"Nothing can be compared {among or 'in ' + view.phrase}, {view.latest}: every rate here is hidden or "
            f"rests on fewer than {threshold()}. "
            + (
                f"Rates can be compared for {other.phrase}, {period_label(other.level, other.periods).lower()}: "
                "choose it in the filters above."
                if other
                else "Nor can they in any wider view."
            )
        ]
    for sentence in sentences:
        st.markdown(f"- {markdown_text(sentence)}")


def geo_label(geo_level: str, geo: str) -> str:
    return place_labels([(geo_level, geo)])[geo_level, geo]


def place_labels(places: list[tuple[str, str]]) -> dict[tuple[str, str], str]:
    """What each (geo_level, geo) is called on a page; the hub names are read once for all of them."""
    hubs = data.run("hubs")
    names = dict(zip(hubs["hub"], hubs["name"]))

    def label(geo_level: str, geo: str) -> str:
        if geo_level == "network":
            return GEO_LEVEL_LABELS["network"]
        return f"{GEO_LEVEL_LABELS[geo_level]}: {names.get(geo, geo) if geo_level == 'hub' else geo}"

    return {place: label(*place) for place in places}


def period_label(level: str, periods: list[str]) -> str:
    span = periods[0] if len(periods) == 1 else f"{periods[0]} to {periods[-1]}"
    return f"{LEVEL_LABELS[level]} {span}" if len(periods) == 1 else f"{LEVEL_LABELS[level]}s {span}"


def suppression_status(frame: pd.DataFrame, counts: list[str]) -> None:
    """Say whether any figure on the page is suppressed: a reader must never mistake a gap for a zero."""
    st.caption(suppression_note(frame, counts))


def suppression_note(frame: pd.DataFrame, counts: list[str]) -> str:
    hidden = int(frame[counts].isna().sum().sum()) if len(frame) else 0
    if hidden:
        return (
            f"{hidden} figure(s) on this view are suppressed. {suppression_explained()} Each shows, in brackets or "
            "as a grey line, the range that the published figures already imply."
        )
    return "No figure on this view is suppressed."


def hidden_text(lower, upper, percent: bool = False) -> str:
    """'hidden (40–75)': a hidden figure with the range the published figures imply; 'hidden (40 or more)' where
    nothing bounds it above."""
    if percent:
        return f"hidden ({lower:.0%})" if lower == upper else f"hidden ({lower:.0%}–{upper:.0%})"
    if pd.isna(upper):
        return f"hidden ({int(lower):,} or more)"
    return f"hidden ({int(lower):,})" if lower == upper else f"hidden ({int(lower):,}–{int(upper):,})"


def range_columns(columns) -> list[str]:
    """The columns that hold the ranges of `columns` (_lower, _upper), for a table or chart to carry them along."""
    return [f"{col}_{end}" for col in columns for end in ("lower", "upper")]


def shown_figure(value, lower, upper, percent: bool = False) -> str:
    """One count or rate as a page shows it: its value, or hidden with its range; a rate with no range was
    withheld for its small base ('not shown')."""
    if not pd.isna(value):
        return f"{value:.0%}" if percent else f"{int(value):,}"
    if not pd.isna(lower):
        return hidden_text(lower, upper, percent)
    return NOT_SHOWN if percent else SUPPRESSED


def ranges_of(frame: pd.DataFrame, col: str) -> tuple[pd.Series, pd.Series]:
    """The lower and upper ends of `col`'s range (missing where the frame carries none)."""
    missing = pd.Series(pd.NA, index=frame.index, dtype="Float64")
    return frame.get(f"{col}_lower", missing), frame.get(f"{col}_upper", missing)


def long(frame: pd.DataFrame, key: str, columns: list[str], name: str, value: str) -> pd.DataFrame:
    """`columns` of `frame` as rows (like melt), column by column, each figure with its range beside it
    (`value`_lower, `value`_upper), so that a chart of them draws hidden figures' ranges."""
    parts = []
    for col in columns:
        lower, upper = ranges_of(frame, col)
        parts.append(
            pd.DataFrame(
                {
                    key: frame[key].to_numpy(),
                    name: col,
                    value: frame[col].to_numpy(),
                    f"{value}_lower": lower.to_numpy(),
                    f"{value}_upper": upper.to_numpy(),
                }
            )
        )
    return pd.concat(parts, ignore_index=True)


def display_table(frame: pd.DataFrame, counts: list[str], rates: list[str], money: list[str] = ()) -> pd.DataFrame:
    """The table as shown: each count and rate by shown_figure, rates as percentages. The range columns are read,
    not shown themselves."""
    shown = frame.drop(columns=[c for c in range_columns([*counts, *rates]) if c in frame.columns])
    for col in [*counts, *rates]:
        lower, upper = ranges_of(frame, col)
        shown[col] = [shown_figure(v, lo, hi, col in rates) for v, lo, hi in zip(frame[col], lower, upper)]
    for col in money:
        shown[col] = shown[col].map(lambda v: NOT_SHOWN if pd.isna(v) else f"{int(round(v)):,}")
    return shown


def table(frame: pd.DataFrame, title: str, key: str, counts=(), rates=(), money=(), labels: dict | None = None) -> None:
    """A table, every row and column in view (a static table, not a scrolling grid; see TABLE_STYLE), with a CSV
    download of the same figures as numbers."""
    shown = display_table(frame, list(counts), list(rates), list(money)).rename(columns=labels or {})
    st.markdown(f"**{markdown_text(title)}**")
    st.table(shown, hide_index=True, border="horizontal")
    st.download_button(
        f"Download “{markdown_text(title)}” as CSV",
        data=to_csv_bytes(csv_table(frame, list(counts), list(rates), list(money), labels or {})),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"{key}-csv",
        icon=":material/download:",
    )


def csv_table(frame: pd.DataFrame, counts: list[str], rates: list[str], money: list[str], labels: dict) -> pd.DataFrame:
    """The table for a spreadsheet: counts and money as numbers, rates as percentages (numbers), a hidden figure
    empty, and a status column saying, for each row, which figures are hidden (with their ranges) or not shown."""
    out = frame.drop(columns=[c for c in range_columns([*counts, *rates]) if c in frame.columns])
    status = [[] for _ in range(len(frame))]
    for col in [*counts, *rates, *money]:
        lower, upper = ranges_of(frame, col)
        for row, (value, lo, hi) in enumerate(zip(frame[col], lower, upper)):
            if pd.isna(value):
                said = NOT_SHOWN if col in money else shown_figure(value, lo, hi, col in rates)
                status[row].append(f"{labels.get(col, col)}: {said}")
    for col in [*counts, *rates, *money]:
        out[col] = as_number(frame[col], percent=col in rates)
    out = out.rename(columns={**labels, **{col: f"{labels.get(col, col)} (%)" for col in rates}})
    if counts or rates or money:
        out[STATUS] = ["; ".join(row) or "published" for row in status]
    return out


def as_number(values: pd.Series, percent: bool = False) -> pd.Series:
    """Figures as a spreadsheet holds them: a count or an amount whole, a rate in percent to one decimal; a
    hidden one missing."""
    if percent:
        return (values.astype("Float64") * 100).round(1)
    return values.astype("Float64").round().astype("Int64")


def metric_delta(now, before, percent: bool, better: str | None, since: str = "") -> dict:
    """st.metric's delta arguments for the change from `before` to `now`, worded by metrics.change_text; coloured
    only where one direction is better (`better`: "higher", "lower" or None), and without an arrow where nothing
    changed (Streamlit would draw one pointing up); none unless both figures are published."""
    amount = metrics.change(now, before, percent)
    if amount is None:
        return {}
    colour = {"higher": "normal", "lower": "inverse", None: "off"}[better] if amount else "off"
    return {
        "delta": metrics.change_text(now, before, percent, signed=True) + since,
        "delta_color": colour,
        "delta_arrow": "auto" if amount else "off",
    }


def chart(figure: alt.Chart, alt_text: str, key: str) -> None:
    """A chart with its text alternative and a PNG download (rendered on demand, offline); a chart none of whose
    figures is published is not drawn, and says so."""
    if _figures_published(figure) is False:
        title = figure.title if isinstance(figure.title, str) else ", ".join(figure.title)
        st.markdown(
            f"**{markdown_text(title)}**: every figure in this chart is hidden or not shown for this view, "
            "so it is not drawn. The table holds each hidden figure's range."
        )
        return
    st.altair_chart(figure.properties(autosize=FIT_WIDTH), alt=alt_text, width="stretch")
    st.download_button(
        "Download chart as PNG",
        data=lambda: png(figure),
        file_name=f"{key}.png",
        mime="image/png",
        key=f"{key}-png",
        icon=":material/image:",
    )


def _figures_published(figure: alt.TopLevelMixin) -> bool | None:
    """Whether any of the chart's own figures is published: bars() and trend() give each figure's status in their
    data, inside any layers around them. None for a chart without such figures (a baseline)."""
    data = getattr(figure, "data", alt.Undefined)
    if isinstance(data, pd.DataFrame) and "_status" in data.columns:
        return bool((data["_status"] == "published").any())
    layers = getattr(figure, "layer", alt.Undefined)
    known = [k for k in map(_figures_published, [] if layers is alt.Undefined else layers) if k is not None]
    return any(known) if known else None


def png(figure: alt.TopLevelMixin, scale: float = 2) -> bytes:
    """The chart drawn offline as PNG, as the page draws it.

    Altair's theme and data transformer are global to the process, and Streamlit
    swaps them for its own while it draws a chart for any session; a chart
    serialised meanwhile in another thread (a download is made in one) comes out
    with its data missing. Streamlit holds a lock while it swaps them
    (internals.altair_globals_lock), so the chart is serialised under it too.
    """
    import vl_convert

    return vl_convert.vegalite_to_png(_spec(figure), scale=scale)


def svg(figure: alt.TopLevelMixin) -> str:
    """The chart drawn offline as SVG, as the page draws it (see `png`)."""
    import vl_convert

    return vl_convert.vegalite_to_svg(_spec(figure))


def _spec(figure: alt.TopLevelMixin) -> str:
    with internals.altair_globals_lock():
        return figure.to_json()


def _axis(percent: bool) -> alt.Axis:
    """Percentages a whole point apart at least: an axis fitted to 76% to 79% would otherwise repeat '77%'."""
    return alt.Axis(format=".0%", tickMinStep=0.01) if percent else alt.Axis(format=",.0f", tickMinStep=1)


def _with_status(frame: pd.DataFrame, value: str, percent: bool) -> pd.DataFrame:
    """The frame with what a chart draws: `_value` (published), `_lower` and `_upper` (a hidden figure's range;
    missing where a rate was withheld for its small base), `_shown` (the figure as a table shows it) and
    `_status` (published, hidden or not shown)."""
    lower, upper = ranges_of(frame, value)
    shown = frame.assign(
        _value=frame[value].astype("Float64").astype(float),
        _lower=lower.astype("Float64").astype(float),
        _upper=upper.astype("Float64").astype(float),
        _shown=[shown_figure(v, lo, hi, percent) for v, lo, hi in zip(frame[value], lower, upper)],
    )
    hidden = shown["_value"].isna() & shown["_lower"].notna()
    shown["_status"] = np.where(shown["_value"].notna(), "published", np.where(hidden, HIDDEN, NOT_SHOWN))
    top = np.nanmax([*shown["_value"], *shown["_lower"], 1 if percent else 0])
    shown.loc[hidden, "_upper"] = shown.loc[hidden, "_upper"].fillna(top)
    return shown


def bars(
    frame: pd.DataFrame,
    category: str,
    value: str,
    title: str | list[str],
    color: str | None = None,
    value_title: str = "Count",
    percent: bool = False,
    color_order: list[str] | None = None,
) -> alt.Chart:
    """Horizontal bars of counts, or dots of rates on an axis fitted to them (a bar would start from 0), in the
    frame's order (the order of its table). A hidden figure is a grey line over the range the published figures
    imply, never a bar; a rate withheld for its small base says "not shown" at the start of its row."""
    shown = _with_status(frame, value, percent)
    fmt = ".0%" if percent else ",.0f"
    order = list(dict.fromkeys(frame[category]))
    base = alt.Chart().encode(y=alt.Y(f"{category}:N", title=None, sort=order, axis=alt.Axis(labelLimit=LABEL_LIMIT)))
    color_enc = (
        alt.Color(f"{color}:N", scale=alt.Scale(range=PALETTE), sort=color_order, legend=alt.Legend(**LEGEND))
        if color
        else alt.value(PALETTE[0])
    )
    offset = {"yOffset": alt.YOffset(f"{color}:N", sort=color_order)} if color else {}
    series = [alt.Tooltip(f"{category}:N"), *([alt.Tooltip(f"{color}:N")] if color else [])]
    figures = base.transform_filter(alt.datum._status == "published")
    published = (figures.mark_circle(size=90, opacity=1) if percent else figures.mark_bar()).encode(
        x=alt.X(
            "_value:Q",
            title=value_title,
            axis=_axis(percent),
            scale=alt.Scale(zero=not percent, padding=8 if percent else 0),
        ),
        color=color_enc,
        tooltip=[*series, alt.Tooltip("_value:Q", title=value_title, format=fmt)],
        **offset,
    )
    hidden = (
        base.transform_filter(alt.datum._status == HIDDEN)
        .mark_rule(color=SUPPRESSED_GREY, strokeWidth=4, strokeCap="round", aria=False)
        .encode(
            x=alt.X("_lower:Q"),
            x2="_upper:Q",
            tooltip=[*series, alt.Tooltip("_shown:N", title=suppression_explained())],
            **offset,
        )
    )
    withheld = (
        base.transform_filter(alt.datum._status == NOT_SHOWN)
        .mark_text(text=NOT_SHOWN, align="left", color=SUPPRESSED_GREY, fontStyle="italic", aria=False)
        .encode(
            x=alt.value(4),
            tooltip=[
                *series,
                alt.Tooltip("_status:N", title=f"A rate is shown only where its base is at least {threshold()}"),
            ],
            **offset,
        )
    )
    return _layers(shown, published, hidden, withheld).properties(title=title)


def trend(
    frame: pd.DataFrame,
    period: str,
    value: str,
    series: str,
    title: str | list[str],
    percent: bool = False,
    value_title: str = "Count",
) -> alt.Chart:
    """Lines over time, one per series; a hidden value breaks the line and is a grey line over its range."""
    shown = _with_status(frame, value, percent)
    fmt = ".0%" if percent else ",.0f"
    base = alt.Chart().encode(x=alt.X(f"{period}:O", title=None))
    line = base.mark_line(point=True).encode(
        y=alt.Y("_value:Q", title=value_title, axis=_axis(percent), scale=alt.Scale(zero=False, padding=8)),
        color=alt.Color(f"{series}:N", scale=alt.Scale(range=PALETTE), legend=alt.Legend(**LEGEND)),
        tooltip=[
            alt.Tooltip(f"{period}:O"),
            alt.Tooltip(f"{series}:N"),
            alt.Tooltip("_value:Q", title=value_title, format=fmt),
        ],
    )
    hidden = (
        base.transform_filter(alt.datum._status == HIDDEN)
        .mark_rule(color=SUPPRESSED_GREY, strokeWidth=4, strokeCap="round", aria=False)
        .encode(
            y=alt.Y("_lower:Q"),
            y2="_upper:Q",
            tooltip=[
                alt.Tooltip(f"{period}:O"),
                alt.Tooltip(f"{series}:N"),
                alt.Tooltip("_shown:N", title=suppression_explained()),
            ],
        )
    )
    return _layers(shown, line, hidden).properties(title=title, height=TREND_HEIGHT)


def _layers(
    shown: pd.DataFrame, published: alt.Chart, hidden: alt.Chart, withheld: alt.Chart | None = None
) -> alt.LayerChart:
    """The marks over `shown`, given once for all layers (Altair would otherwise hash and copy it per layer).
    The layers of hidden and withheld figures are left out when there are none: an empty mark group is an
    unlabelled graphic to a screen reader (axe: svg-img-alt)."""
    status = set(shown["_status"])
    layers = [
        published,
        *([hidden] if HIDDEN in status else []),
        *([withheld] if withheld and NOT_SHOWN in status else []),
    ]
    return alt.layer(*layers, data=shown)
