"""Outcomes: the share of survivors assessed who achieved each outcome, over time, and hub by hub
for viewers who may see hubs."""

import pandas as pd
import streamlit as st

from dashboard.hierarchy import NETWORK, OUTCOME_MEASURES, categories_published
from dashboard.markdownsafe import markdown_text
from dashboard.read import baselines, data, findings, labels
from dashboard.web import ui

viewer = ui.require_page("outcomes")

OUTCOME_GAPS = (
    findings.Gap("safety_improved", "of those assessed were safer"),
    findings.Gap("housing_stable", "of those assessed had stable housing"),
    findings.Gap("symptom_relief", "of those assessed had relief from symptoms"),
    findings.Gap("employment_or_education", "of those assessed were in employment or education"),
    findings.Gap("satisfied_with_care", "of those assessed were satisfied with their care"),
)
COUNTS = ["assessed", "achieved"]
COLUMN_LABELS = {
    "period": "Period",
    "outcome": "Outcome",
    "hub": "Hub",
    "assessed": "Assessed",
    "achieved": "Achieved",
    "achieved_share": "Share achieved",
}

st.title("Outcomes")
filters = st.columns(2)
view = ui.view_filters(viewer, "outcomes", filters)
level, periods, geo_level, geo = view
latest, where = view.latest, view.where
st.caption(view.caption)


def outcomes(level_of_geo: str, geos: list[str], period_list: list[str], period_level: str = level) -> pd.DataFrame:
    return data.figures(
        "outcomes", viewer, geo_level=level_of_geo, geos=geos, period_level=period_level, periods=period_list
    )


def change(now_share, before_share) -> dict:
    """st.metric's delta: the points gained since the first period of the range, where both shares are published."""
    if len(periods) == 1:
        return {}
    return ui.metric_delta(now_share, before_share, percent=True, better="higher", since=f" since {periods[0]}")


over_time = outcomes(geo_level, [geo], periods)
if over_time.empty:
    # Outcomes come only by outcome, and some levels publish no category (hierarchy.categories_published).
    why = (
        ": a hub's month holds a handful of people per outcome. Choose quarters or years above"
        if not categories_published(level, geo_level)
        else ""
    )
    st.info(f"Outcome figures are not published for {markdown_text(view.phrase)} by {level}{why}.")
    st.stop()
shares = over_time.pivot(index="outcome", columns="period", values="achieved_share")
shares = shares.reindex([o for o in OUTCOME_MEASURES if o in shares.index])
over_time["outcome"] = over_time["outcome"].map(labels.plain)

latest_shares = over_time[over_time["period"] == latest].set_index("outcome")

st.subheader(f"Share achieved among those assessed, {latest}")
for tile, (outcome, row) in zip(st.columns(len(shares)), shares.iterrows()):
    now = latest_shares.loc[labels.plain(outcome)]
    shown = ui.shown_figure(
        now["achieved_share"], now["achieved_share_lower"], now["achieved_share_upper"], percent=True
    )
    tile.metric(labels.plain(outcome), shown, **change(row.get(latest), row.get(periods[0])))

st.subheader("Over time")
ui.chart(
    ui.trend(
        over_time,
        "period",
        "achieved_share",
        "outcome",
        ["Share achieved among those assessed", where],
        percent=True,
        value_title="Share achieved",
    ),
    alt_text=f"Line chart: for each outcome, the share of those assessed who achieved it, each {level} from {periods[0]} "
    f"to {periods[-1]}, {where}. The table below holds the same figures.",
    key="outcomes-trend",
)
ui.table(
    over_time[["period", "outcome", *COUNTS, "achieved_share", *ui.range_columns([*COUNTS, "achieved_share"])]],
    f"Outcomes over time, {where}",
    "outcomes-trend-table",
    counts=COUNTS,
    rates=["achieved_share"],
    labels=COLUMN_LABELS,
)
shown_counts = [over_time[COUNTS].melt()]

if "hub" in data.allowed_geo_levels(viewer):
    hubs = data.run("hubs")
    if geo_level == "region":
        reference_level, reference = "region", geo
        hubs = hubs[hubs["region"] == geo]
    else:
        reference_level, reference = "network", NETWORK
    hubs = hubs[hubs["hub"].isin(data.allowed_geos(viewer, "hub"))]
    reference_name = ui.View(level, [latest], reference_level, reference).phrase
    st.subheader(f"Hub by hub, {latest}")
    by_hub = outcomes("hub", hubs["hub"].tolist(), [latest])

    def shares_of_hubs(frame: pd.DataFrame) -> pd.DataFrame:
        return frame.pivot(index="geo", columns="outcome", values="achieved_share").reset_index()

    def hubs_compared_in(other: ui.View) -> int:
        if (other.geo_level, other.geo) != (reference_level, reference):
            return 0
        whole = outcomes(reference_level, [reference], other.periods, other.level).set_index("outcome")[
            "achieved_share"
        ]
        return findings.comparable(
            shares_of_hubs(outcomes("hub", hubs["hub"].tolist(), other.periods, other.level)), whole, OUTCOME_GAPS
        )

    reference_shares = outcomes(reference_level, [reference], [latest]).set_index("outcome")["achieved_share"]
    ui.say_gaps(
        findings.largest_gaps(
            shares_of_hubs(by_hub),
            reference_shares,
            OUTCOME_GAPS,
            dict(zip(hubs["hub"], hubs["name"])).get,
            reference_name,
            column="geo",
        ),
        findings.comparable(shares_of_hubs(by_hub), reference_shares, OUTCOME_GAPS),
        f"No hub falls clearly behind {reference_name} in {latest}, among the shares that can be compared.",
        ui.View(level, [latest], reference_level, reference),
        viewer,
        hubs_compared_in,
        among=f"between the hubs of {reference_name}",
    )
    outcome = st.selectbox("Outcome", OUTCOME_MEASURES, format_func=labels.plain, key="outcomes-compare")
    one = by_hub[by_hub["outcome"] == outcome].merge(hubs, left_on="geo", right_on="hub")[
        ["name", *COUNTS, "achieved_share", *ui.range_columns([*COUNTS, "achieved_share"])]
    ]
    ui.chart(
        baselines.with_rule(
            ui.bars(
                one,
                "name",
                "achieved_share",
                [f"{labels.plain(outcome)}: share achieved by hub", latest],
                value_title="Share achieved",
                percent=True,
            ),
            reference_shares.get(outcome),
            ui.geo_label(reference_level, reference),
        ),
        alt_text=f"Bar chart: for each hub, the share of those assessed for “{labels.plain(outcome)}” who achieved it, {latest}; "
        f"a dashed line marks {reference_name}. Grey lines mark the range of a hidden share. "
        "The table below holds the same figures.",
        key="outcomes-hubs",
    )
    ui.table(
        one.rename(columns={"name": "hub"}),
        f"{labels.plain(outcome)} by hub, {latest}",
        "outcomes-hubs-table",
        counts=COUNTS,
        rates=["achieved_share"],
        labels=COLUMN_LABELS,
    )
    shown_counts.append(one[COUNTS].melt())

ui.suppression_status(pd.concat(shown_counts), ["value"])
