"""Language access: demand by language, interpreter coverage, and how far each language's referrals
fall behind English speakers' before completing."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard import baselines, data, feedback_ui, findings, labels, ui

viewer = ui.require_page("language-access")

ENGLISH = "en"
COMPLETION_GAP = next(gap for gap in findings.FUNNEL_GAPS if gap.rate == "completion_rate")
FUNNEL_COUNTS = ["referred", "accepted", "completed"]
ACCESS_COUNTS = ["needing_interpreter", "with_interpreter"]
COLUMN_LABELS = {
    "category": "Language",
    "period": "Period",
    "referred": "Referred",
    "accepted": "Accepted",
    "completed": "Completed",
    "completion_rate": "Accepted → completed",
    "needing_interpreter": "Appointments needing an interpreter",
    "with_interpreter": "Appointments with an interpreter",
    "interpreter_coverage": "Interpreter coverage",
}

st.title("Language access")
filters = st.columns(2)
view = ui.view_filters(viewer, "language", filters)
level, periods, geo_level, geo = view
latest, where = view.latest, view.where
st.caption(view.caption)


def figures(question: str, breakdown: str, period_list: list[str]) -> pd.DataFrame:
    return data.figures(question, viewer, geo_level=geo_level, geos=[geo], period_level=level, periods=period_list,
                        breakdown=breakdown)


def worst_first(frame: pd.DataFrame, rate: str) -> pd.DataFrame:
    """Lowest rate first; languages whose rate cannot be shown last, by name."""
    return frame.assign(_name=frame["category"].map(labels.language)).sort_values([rate, "_name"], na_position="last")


access = figures("interpreter_coverage", "language", [latest])
no_need = access[access["needing_interpreter"].eq(0).fillna(False)]
coverage = worst_first(access.drop(no_need.index), "interpreter_coverage")
coverage_whole = figures("interpreter_coverage", "total", periods)
funnel = figures("referral_funnel", "language", [latest])
english = funnel[funnel["category"] == ENGLISH]
others = worst_first(funnel[funnel["category"] != ENGLISH], "completion_rate")
english_rate = english["completion_rate"].iloc[0] if len(english) else None

st.subheader("Largest gaps")
coverage_gaps = findings.largest_gaps(coverage, coverage_whole.iloc[-1], (findings.COVERAGE_GAP,), labels.language,
                                      f"all languages, {where.lower()}")
completion_gaps = findings.largest_gaps(others, english.iloc[0] if len(english) else pd.Series(dtype=float),
                                        (COMPLETION_GAP,), labels.language, "English speakers")
for sentence in [*coverage_gaps, *completion_gaps] or [
    "No language falls clearly behind in this period, among the rates that can be shown."
]:
    st.markdown(f"- {feedback_ui.markdown_text(sentence)}")
unknown = coverage[coverage["interpreter_coverage"].isna()]
if len(unknown):
    st.markdown(f"- Coverage cannot be shown for {feedback_ui.markdown_text(', '.join(unknown['_name']))}: a count is suppressed, or fewer than "
                f"{ui.threshold()} appointments needed an interpreter.")

st.subheader(f"Demand by language in {latest}")
demand = pd.concat([
    ui.long(funnel, "category", ["referred"], "need", "count").assign(need="Referrals"),
    ui.long(access, "category", ["needing_interpreter"], "need", "count").assign(need="Interpreter needed"),
])
most_referred = {code: rank for rank, code in enumerate(funnel.sort_values("referred", ascending=False)["category"])}
demand = demand.sort_values("category", key=lambda codes: codes.map(most_referred), kind="stable")
demand["category"] = demand["category"].map(labels.language)
ui.chart(
    ui.bars(demand, "category", "count", ["Referrals and interpreter needs, by language", f"{where}, {latest}"],
            color="need", color_order=["Referrals", "Interpreter needed"],
            value_title="Referrals or appointments").properties(height=alt.Step(11)),
    alt_text=f"Bar chart: for each language, most referrals first, the referrals made and the appointments that needed an "
    f"interpreter, {where}, {latest}. Grey lines mark the range of each hidden count. The tables below hold the same figures.",
    key="language-demand",
)

st.subheader(f"Interpreter coverage in {latest}")
whole_coverage = coverage_whole["interpreter_coverage"].iloc[-1]
shown_coverage = coverage.assign(category=coverage["_name"])
ui.chart(
    baselines.with_rule(
        ui.bars(shown_coverage, "category", "interpreter_coverage", ["Interpreter coverage by language", f"{where}, {latest}"],
                value_title="Share with an interpreter", percent=True),
        whole_coverage, "All languages",
    ),
    alt_text=f"Bar chart: for each language, lowest first, the share of appointments needing an interpreter that had one, "
    f"{where}, {latest}; a dashed line marks all languages together. Grey lines mark the range of a hidden "
    "coverage. The table below holds the same figures.",
    key="language-coverage",
)
if len(no_need):
    st.caption(f"No appointment needed an interpreter in {latest} for: {', '.join(sorted(no_need['category'].map(labels.language)))}.")
ui.table(shown_coverage[["category", *ACCESS_COUNTS, "interpreter_coverage", *ui.range_columns([*ACCESS_COUNTS, "interpreter_coverage"])]],
         f"Interpreter coverage by language, {latest}",
         "language-coverage-table", counts=ACCESS_COUNTS, rates=["interpreter_coverage"], labels=COLUMN_LABELS)

st.subheader(f"Completion against English speakers in {latest}")
shown_others = others.assign(category=others["_name"])
ui.chart(
    baselines.with_rule(
        ui.bars(shown_others, "category", "completion_rate", ["Accepted referrals completed, by language", f"{where}, {latest}"],
                value_title="Share completed", percent=True),
        english_rate, "English speakers",
    ),
    alt_text=f"Bar chart: for each language other than English, lowest first, the share of accepted referrals that completed "
    f"the service, {where}, {latest}; a dashed line marks English speakers. Grey lines mark the range of a hidden "
    "rate; “not shown” marks a rate on too small a base. The table below holds the same figures, English first.",
    key="language-completion",
)
shown_funnel = pd.concat([english, others]).assign(category=lambda f: f["category"].map(labels.language))
ui.table(shown_funnel[["category", *FUNNEL_COUNTS, "completion_rate", *ui.range_columns([*FUNNEL_COUNTS, "completion_rate"])]],
         f"Referrals by language, {latest}",
         "language-funnel-table", counts=FUNNEL_COUNTS, rates=["completion_rate"], labels=COLUMN_LABELS)

st.subheader("Coverage over time")
names = coverage.set_index("category")["_name"].to_dict()
followed = st.multiselect(
    "Languages to follow", list(names), default=coverage["category"].head(3).tolist(), format_func=names.get,
    key=f"language-follow-{level}-{latest}-{geo_level}-{geo}",
)
history = figures("interpreter_coverage", "language", periods)
over_time = pd.concat([coverage_whole, history[history["category"].isin(followed)]])
over_time["category"] = over_time["category"].map(lambda code: "All languages" if code == "all" else labels.language(code))
ui.chart(
    ui.trend(over_time, "period", "interpreter_coverage", "category", ["Interpreter coverage over time", where],
             percent=True, value_title="Interpreter coverage"),
    alt_text=f"Line chart: interpreter coverage for all languages together and for {len(followed)} chosen language(s), "
    f"each {level} from {periods[0]} to {periods[-1]}, {where}. The table below holds the same figures.",
    key="language-trend",
)
ui.table(over_time[["period", "category", *ACCESS_COUNTS, "interpreter_coverage",
                    *ui.range_columns([*ACCESS_COUNTS, "interpreter_coverage"])]],
         f"Interpreter coverage over time, {where}",
         "language-trend-table", counts=ACCESS_COUNTS, rates=["interpreter_coverage"], labels=COLUMN_LABELS)

shown_counts = pd.concat([coverage[ACCESS_COUNTS].melt(), over_time[ACCESS_COUNTS].melt(), funnel[FUNNEL_COUNTS].melt()])
ui.suppression_status(shown_counts, ["value"])
