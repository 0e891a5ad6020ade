"""Referral gaps: where referrals stall between referral, acceptance, first appointment and completion, and,
for viewers who see several hubs, hub by hub."""

import pandas as pd
import streamlit as st

from dashboard.hierarchy import NETWORK
from dashboard.read import baselines, data, findings, labels
from dashboard.web import ui

viewer = ui.require_page("referrals")

STAGES = {
    "referred": "Referred",
    "accepted": "Accepted",
    "first_appointment": "First appointment",
    "completed": "Completed",
}
COUNTS = [*STAGES, "waited_over_30_days"]
RATES = ["first_appointment_rate", "completion_rate", "waited_over_30_days_share"]
COLUMN_LABELS = {
    "category": "Group",
    **STAGES,
    "waited_over_30_days": "Waited over 30 days",
    "first_appointment_rate": "Accepted → first appointment",
    "completion_rate": "Accepted → completed",
    "waited_over_30_days_share": "Share waiting over 30 days",
}

st.title("Referral gaps")
filters = st.columns(3)
view = ui.view_filters(viewer, "referrals", filters)
level, periods, geo_level, geo = view
with filters[2]:
    breakdown = st.radio(
        "By",
        ["service_line", "language"],
        format_func={"service_line": "Service line", "language": "Language"}.get,
        horizontal=True,
        key="referrals-by",
    )
name = labels.plain if breakdown == "service_line" else labels.language
latest, where = view.latest, view.where
st.caption(view.caption)


def funnel(by: str, period_list: list[str], of: ui.View = view) -> pd.DataFrame:
    return data.figures(
        "referral_funnel",
        viewer,
        geo_level=of.geo_level,
        geos=[of.geo],
        period_level=of.level,
        periods=period_list,
        breakdown=by,
    )


def compared_in(other: ui.View) -> int:
    return findings.comparable(
        funnel(breakdown, other.periods, other), funnel("total", other.periods, other).iloc[-1], findings.FUNNEL_GAPS
    )


groups = funnel(breakdown, [latest])
whole = funnel("total", periods)

st.subheader("Largest gaps")
ui.say_gaps(
    findings.largest_gaps(groups, whole.iloc[-1], findings.FUNNEL_GAPS, name, view.phrase),
    findings.comparable(groups, whole.iloc[-1], findings.FUNNEL_GAPS),
    "No group falls clearly behind the whole in this period, among the rates that can be compared.",
    view,
    viewer,
    compared_in,
)

st.subheader(f"The funnel in {latest}")
stages = ui.long(groups, "category", list(STAGES), "stage", "count")
stages["stage"] = stages["stage"].map(STAGES)
stages["category"] = stages["category"].map(name)
ui.chart(
    ui.bars(
        stages,
        "category",
        "count",
        f"Referral funnel by {breakdown.replace('_', ' ')}, {where}, {latest}",
        color="stage",
        color_order=list(STAGES.values()),
    ),
    alt_text=(
        f"Bar chart: for each {breakdown.replace('_', ' ')}, referrals referred, accepted, reaching a first appointment "
        f"and completed, {where}, {latest}. Grey lines mark the range of each hidden count. The table below holds the same figures."
    ),
    key="referrals-funnel",
)
shown = groups.assign(category=groups["category"].map(name))
ui.table(
    shown[["category", *COUNTS, *RATES, *ui.range_columns([*COUNTS, *RATES])]],
    f"Funnel by {breakdown.replace('_', ' ')}, {latest}",
    "referrals-funnel-table",
    counts=COUNTS,
    rates=RATES,
    labels=COLUMN_LABELS,
)

st.subheader("Over time")
over_time = ui.long(whole, "period", RATES, "rate", "share")
over_time["rate"] = over_time["rate"].map(COLUMN_LABELS)
ui.chart(
    ui.trend(
        over_time, "period", "share", "rate", f"Funnel rates over time, {where}", percent=True, value_title="Share"
    ),
    alt_text=f"Line chart of the share of accepted referrals reaching a first appointment and completing, and the share "
    f"waiting over 30 days, for each {level} from {periods[0]} to {periods[-1]}, {where}.",
    key="referrals-trend",
)
ui.table(
    whole[["period", *COUNTS, *RATES, *ui.range_columns([*COUNTS, *RATES])]],
    f"Funnel over time, {where}",
    "referrals-trend-table",
    counts=COUNTS,
    rates=RATES,
    labels={**COLUMN_LABELS, "period": "Period"},
)
shown_counts = [groups[COUNTS], whole[COUNTS]]

hubs = data.run("hubs")
hubs = hubs[hubs["hub"].isin(data.allowed_geos(viewer, "hub"))]
if geo_level == "region":
    reference_level, reference = "region", geo
    hubs = hubs[hubs["region"] == geo]
else:
    reference_level, reference = "network", NETWORK
if len(hubs) > 1:
    reference_view = ui.View(level, [latest], reference_level, reference)
    reference_name = reference_view.phrase
    st.subheader(f"Hub by hub, {latest}")

    def hub_funnel(of: ui.View) -> pd.DataFrame:
        return data.figures(
            "referral_funnel",
            viewer,
            geo_level="hub",
            geos=hubs["hub"].tolist(),
            period_level=of.level,
            periods=of.periods,
            breakdown="total",
        ).merge(hubs, left_on="geo", right_on="hub")

    def hubs_compared_in(other: ui.View) -> int:
        if (other.geo_level, other.geo) != (reference_level, reference):
            return 0
        return findings.comparable(
            hub_funnel(other), funnel("total", other.periods, other).iloc[-1], findings.FUNNEL_GAPS
        )

    by_hub = hub_funnel(reference_view)
    reference_rates = funnel("total", [latest], reference_view).iloc[-1]
    ui.say_gaps(
        findings.largest_gaps(
            by_hub,
            reference_rates,
            findings.FUNNEL_GAPS,
            dict(zip(hubs["hub"], hubs["name"])).get,
            reference_name,
            column="hub",
        ),
        findings.comparable(by_hub, reference_rates, findings.FUNNEL_GAPS),
        f"No hub falls clearly behind {reference_name} in {latest}, among the rates that can be compared.",
        reference_view,
        viewer,
        hubs_compared_in,
        among=f"between the hubs of {reference_name}",
    )
    ui.chart(
        baselines.with_rule(
            ui.bars(
                by_hub,
                "name",
                "completion_rate",
                ["Accepted referrals completed, by hub", f"{latest}"],
                value_title="Share completed",
                percent=True,
            ),
            reference_rates["completion_rate"],
            reference_view.where,
        ),
        alt_text=f"Dot chart: for each hub, the share of accepted referrals completed, {latest}; a dashed line marks "
        f"{reference_name}. Grey lines mark the range of a hidden share. The table below holds the same figures.",
        key="referrals-hubs",
    )
    ui.table(
        by_hub[["name", *COUNTS, *RATES, *ui.range_columns([*COUNTS, *RATES])]],
        f"Funnel by hub, {latest}",
        "referrals-hubs-table",
        counts=COUNTS,
        rates=RATES,
        labels={**COLUMN_LABELS, "name": "Hub"},
    )
    shown_counts.append(by_hub[COUNTS])

ui.suppression_status(pd.concat(shown_counts), COUNTS)
