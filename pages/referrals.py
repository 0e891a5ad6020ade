"""Referral gaps: where referrals stall between referral, acceptance, first appointment and completion."""

import pandas as pd
import streamlit as st

from dashboard import data, feedback_ui, findings, labels, ui

viewer = ui.require_page("referrals")

STAGES = {"referred": "Referred", "accepted": "Accepted", "first_appointment": "First appointment", "completed": "Completed"}
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
        "By", ["service_line", "language"], format_func={"service_line": "Service line", "language": "Language"}.get,
        horizontal=True, key="referrals-by",
    )
name = labels.plain if breakdown == "service_line" else labels.language
latest, where = view.latest, view.where
st.caption(view.caption)


def funnel(by: str, period_list: list[str]) -> pd.DataFrame:
    return data.figures(
        "referral_funnel", viewer, geo_level=geo_level, geos=[geo],
        period_level=level, periods=period_list, breakdown=by,
    )


groups = funnel(breakdown, [latest])
whole = funnel("total", periods)

st.subheader("Largest gaps")
gaps = findings.largest_gaps(groups, whole.iloc[-1], findings.FUNNEL_GAPS, name, where.lower())
for sentence in gaps or ["No group falls clearly behind the whole in this period, among the rates that can be shown."]:
    st.markdown(f"- {feedback_ui.markdown_text(sentence)}")

st.subheader(f"The funnel in {latest}")
stages = ui.long(groups, "category", list(STAGES), "stage", "count")
stages["stage"] = stages["stage"].map(STAGES)
stages["category"] = stages["category"].map(name)
ui.chart(
    ui.bars(stages, "category", "count", f"Referral funnel by {breakdown.replace('_', ' ')}, {where}, {latest}", color="stage",
            color_order=list(STAGES.values())),
    alt_text=(
        f"Bar chart: for each {breakdown.replace('_', ' ')}, referrals referred, accepted, reaching a first appointment "
        f"and completed, {where}, {latest}. Grey lines mark the range of each hidden count. The table below holds the same figures."
    ),
    key="referrals-funnel",
)
shown = groups.assign(category=groups["category"].map(name))
ui.table(shown[["category", *COUNTS, *RATES, *ui.range_columns([*COUNTS, *RATES])]],
         f"Funnel by {breakdown.replace('_', ' ')}, {latest}", "referrals-funnel-table",
         counts=COUNTS, rates=RATES, labels=COLUMN_LABELS)

st.subheader("Over time")
over_time = ui.long(whole, "period", RATES, "rate", "share")
over_time["rate"] = over_time["rate"].map(COLUMN_LABELS)
ui.chart(
    ui.trend(over_time, "period", "share", "rate", f"Funnel rates over time, {where}", percent=True, value_title="Share"),
    alt_text=f"Line chart of the share of accepted referrals reaching a first appointment and completing, and the share "
    f"waiting over 30 days, for each {level} from {periods[0]} to {periods[-1]}, {where}.",
    key="referrals-trend",
)
ui.table(whole[["period", *COUNTS, *RATES, *ui.range_columns([*COUNTS, *RATES])]], f"Funnel over time, {where}",
         "referrals-trend-table", counts=COUNTS, rates=RATES, labels={**COLUMN_LABELS, "period": "Period"})

ui.suppression_status(pd.concat([groups[COUNTS], whole[COUNTS]]), COUNTS)
