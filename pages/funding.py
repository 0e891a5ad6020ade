"""Funding use: budget against spend by funding stream and service line, the burn through the grant year,
and spend per completed referral."""

import pandas as pd
import streamlit as st

from dashboard.hierarchy import months_of, year_of
from dashboard.markdownsafe import markdown_text
from dashboard.read import baselines, data, labels, spending
from dashboard.web import ui

viewer = ui.require_page("funding")

BY = {"funding_stream": "Funding stream", "service_line": "Service line"}
MONEY = ["budget", "spent"]
COLUMN_LABELS = {
    **BY,
    "period": "Period",
    "month": "Month",
    "budget": "Budget",
    "spent": "Spent",
    "spent_share": "Share of budget spent",
    "spent_to_date": "Spent to date",
    "year_budget": "The year's budget",
    "straight_line": "Straight line",
    "completed": "Completed referrals",
    "spend_per_completed": "Spend per completed referral",
}

st.title("Funding use")
filters = st.columns(3)
view = ui.view_filters(viewer, "funding", filters)
level, periods, geo_level, geo = view
with filters[2]:
    breakdown = st.radio("By", list(BY), format_func=BY.get, horizontal=True, key="funding-by")
latest, where = view.latest, view.where
as_at = months_of(level, latest)[-1]
grant_year = year_of(as_at)
st.caption(f"{view.caption} Money is in whole currency units and is never suppressed.")


def figures(question: str, **params) -> pd.DataFrame:
    return data.figures(question, viewer, geo_level=geo_level, geos=[geo], **params)


def named(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    return frame.assign(**{column: frame[column].map(labels.plain)})


burn = figures("funding_burn", year_months=months_of("year", grant_year), last_month=as_at, breakdown="funding_stream")
use_now = figures("funding_use", period_level=level, periods=[latest], breakdown=breakdown)
use_over_time = figures("funding_use", period_level=level, periods=periods, breakdown=breakdown)
streams_by_line = figures("funding_use", period_level=level, periods=[latest], breakdown="both")
per_completed = figures("spend_per_completed", period_level=level, periods=[latest])

st.subheader(f"Over- and under-spend, grant year {grant_year}")
off_line, on_line = spending.flags(burn, labels.plain)
for sentence in off_line:
    st.markdown(f"- {markdown_text(sentence)}")
if on_line:
    st.markdown(
        f"- Within {spending.UNDER:.0%} to {spending.OVER:.0%} of the straight line: {markdown_text(', '.join(on_line))}."
    )
if not (off_line or on_line):
    st.markdown(f"- No budget is published for {where.lower()} in {grant_year}.")
if len(burn) and not burn["year_complete"].iloc[0]:
    st.caption(
        f"{grant_year} is not complete in this release: its budget is taken as the monthly budgets so far, "
        "continued at the same rate to December."
    )

st.subheader(f"Burn through {grant_year}")
burned = named(burn, "funding_stream")
ui.chart(
    baselines.with_line(
        ui.trend(
            burned,
            "month",
            "spent_share",
            "funding_stream",
            [f"Share of the {grant_year} budget spent to date", where],
            percent=True,
            value_title="Share of the year's budget",
        ),
        burned.drop_duplicates("month"),
        "month",
        "straight_line",
        "Straight line (even spending)",
    ),
    alt_text=f"Line chart: for each funding stream, the share of its {grant_year} budget spent by the end of each month "
    f"up to {as_at}, {where}, with a dashed black line for even spending (a twelfth a month). The table below holds the same figures.",
    key="funding-burn",
)
ui.table(
    burned[["month", "funding_stream", "spent_to_date", "year_budget", "spent_share", "straight_line"]],
    f"Spent to date in {grant_year}, by funding stream",
    "funding-burn-table",
    money=["spent_to_date", "year_budget"],
    rates=["spent_share", "straight_line"],
    labels=COLUMN_LABELS,
)

st.subheader(f"Budget against spend in {latest}")
shown_now = named(use_now, breakdown)
money_now = shown_now.melt(id_vars=[breakdown], value_vars=MONEY, var_name="measure", value_name="amount")
money_now["measure"] = money_now["measure"].map(COLUMN_LABELS)
ui.chart(
    ui.bars(
        money_now,
        breakdown,
        "amount",
        [f"Budget and spend by {BY[breakdown].lower()}", f"{where}, {latest}"],
        color="measure",
        value_title="Amount",
        color_order=["Budget", "Spent"],
    ),
    alt_text=f"Bar chart: budget and spend for each {BY[breakdown].lower()}, {where}, {latest}. "
    "The table below holds the same figures.",
    key="funding-use",
)
ui.table(
    shown_now[[breakdown, *MONEY, "spent_share"]],
    f"Budget and spend by {BY[breakdown].lower()}, {latest}",
    "funding-use-table",
    money=MONEY,
    rates=["spent_share"],
    labels=COLUMN_LABELS,
)

st.subheader("Over time")
shown_over_time = named(use_over_time, breakdown)
ui.chart(
    ui.trend(
        shown_over_time,
        "period",
        "spent_share",
        breakdown,
        [f"Share of budget spent by {BY[breakdown].lower()}", where],
        percent=True,
        value_title="Share of budget spent",
    ),
    alt_text=f"Line chart: the share of budget spent for each {BY[breakdown].lower()}, each {level} from {periods[0]} "
    f"to {periods[-1]}, {where}. The table below holds the same figures.",
    key="funding-trend",
)
ui.table(
    shown_over_time[["period", breakdown, *MONEY, "spent_share"]],
    f"Budget and spend over time, {where}",
    "funding-trend-table",
    money=MONEY,
    rates=["spent_share"],
    labels=COLUMN_LABELS,
)

st.subheader(f"Each funding stream by service line, {latest}")
ui.table(
    named(named(streams_by_line, "funding_stream"), "service_line")[
        ["funding_stream", "service_line", *MONEY, "spent_share"]
    ],
    f"Budget and spend by funding stream and service line, {latest}",
    "funding-streams-table",
    money=MONEY,
    rates=["spent_share"],
    labels=COLUMN_LABELS,
)

st.subheader(f"Spend per completed referral, {latest}")
shown_per_completed = named(per_completed, "service_line")
ui.chart(
    ui.bars(
        shown_per_completed,
        "service_line",
        "spend_per_completed",
        ["Spend per completed referral by service line", f"{where}, {latest}"],
        value_title="Spend per completed referral",
    ),
    alt_text=f"Bar chart: spend divided by completed referrals for each service line, {where}, {latest}. “Not shown” "
    "marks service lines whose completed count is hidden or too small to divide by. The table below holds the same figures.",
    key="funding-per-completed",
)
ui.table(
    shown_per_completed[
        ["service_line", "spent", "completed", "spend_per_completed", *ui.range_columns(["completed"])]
    ],
    f"Spend per completed referral, {latest}",
    "funding-per-completed-table",
    counts=["completed"],
    money=["spent", "spend_per_completed"],
    labels=COLUMN_LABELS,
)
st.caption(
    "Spend per completed referral is shown only where the completed count is published and at least "
    f"{ui.threshold()}; spend counts all of a service line's spending in the period, whatever became of its referrals."
)

ui.suppression_status(per_completed[["completed"]], ["completed"])
