"""Improvement cycles: plan, do, study and act on themes the feedback raised, measured by a published metric.

The measure is one of the dashboard's metrics, narrowed to what the warehouse
publishes (a geography the viewer may see, one group), and read through the same
questions as the dashboard pages, so a suppressed figure is never used.
"""

from datetime import date, timedelta

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.markdownsafe import markdown_text
from dashboard.read import data, labels, metrics
from dashboard.web import feedback_ui, ui
from feedback import cycles, review

viewer = ui.require_page("cycles")
store = feedback_ui.store()

GROUPS = {
    "service_line": ("Service line", labels.plain),
    "language": ("Language", labels.language),
    "outcome": ("Outcome", labels.plain),
}
STEPS = {"plan": "Plan", "do": "Do", "study": "Study", "act": "Act"}
SELECT_NEXT = "cycles-select-next"


def group_options(metric: str) -> list[tuple[str, str] | None]:
    """None for the metric's total, then (column, value) for each group the warehouse publishes it by."""
    shape = metrics.METRICS[metric]
    values = data.run("breakdown_values", topic=shape.topic)
    groups = [(row.breakdown, row.value) for row in values.itertuples() if row.breakdown in shape.groups]
    return ([None] if shape.has_total else []) + groups


def group_label(group: tuple[str, str] | None) -> str:
    if group is None:
        return "All (no group)"
    name, label = GROUPS[group[0]]
    return f"{name}: {label(group[1])}"


def show_measure(cycle) -> None:
    spec, metric = cycle.measure, cycle.measure["metric"]
    shape = metrics.METRICS[metric]
    described = metrics.describe(spec)
    st.markdown(f"**Measure:** {markdown_text(described)}")
    try:
        series = metrics.metric_series(spec, viewer)
    except PermissionError:
        st.info("This measure's figures are for viewers who may see its geography.")
        return
    change = cycles.measure_change(spec, cycle.start_date, lambda _: series)

    def shown(value: float | None) -> str:
        return "—" if value is None else metrics.shown_value(value, shape.percent)

    baseline, latest = st.columns(2)
    baseline.metric(f"Baseline, at the start ({change.baseline_period or 'none published'})", shown(change.baseline))
    latest.metric(
        f"Latest ({change.latest_period or 'none published since the start'})",
        shown(change.latest),
        **ui.metric_delta(change.latest, change.baseline, shape.percent, shape.better),
    )
    if series.empty:
        return
    title = shape.label
    periods = series["period"].tolist()
    figure = ui.trend(
        series.assign(measure=title),
        "period",
        "value",
        "measure",
        f"{described}, by quarter",
        percent=shape.percent,
        value_title="Share" if shape.percent else "Count",
    )
    if change.baseline_period:
        start = pd.DataFrame({"period": [change.baseline_period]})
        figure += alt.Chart(start).mark_rule(strokeDash=[4, 4], color="#000000").encode(x="period:O")
    ui.chart(
        figure,
        alt_text=f"Line chart of {described.lower()} for each quarter from {periods[0]} to {periods[-1]}. "
        f"The cycle started on {cycle.start_date}; a dashed line marks the baseline, the last quarter published by then.",
        key="cycles-trend",
    )
    ui.suppression_status(series, ["value"])


def show_cycle(cycle) -> None:
    st.header(markdown_text(cycle.title))
    themes = ", ".join(markdown_text(name) for name in cycle.themes if name)
    st.markdown(
        f"**Themes:** {themes or 'none (merged away)'}  \n"
        f"**Owner:** {markdown_text(cycle.owner)} · **Started** {cycle.start_date} · "
        f"**Target** {cycle.target_date} · **Status:** {cycle.status}"
    )
    show_measure(cycle)
    st.subheader("Plan, do, study, act")
    if cycle.status == "open":
        st.markdown(
            "When the cycle is closed, its title, its Act notes and its outcome appear on the public "
            "“You said, we did” board. Nothing else from here does."
        )
        with st.form(f"cycles-notes-{cycle.Index}", border=False):
            notes = {
                step: st.text_area(label, value=getattr(cycle, f"{step}_notes"), height=100)
                for step, label in STEPS.items()
            }
            if st.form_submit_button("Save notes"):
                feedback_ui.attempt(lambda: cycles.record_notes(store, cycle.Index, **notes), "Notes saved.")
        with st.form(f"cycles-close-{cycle.Index}", border=False):
            outcome = st.text_area("Outcome: what changed, in words the public will read", height=100)
            if st.form_submit_button("Close the cycle"):
                feedback_ui.attempt(
                    lambda: cycles.close_cycle(store, cycle.Index, outcome=outcome),
                    "Cycle closed: its feedback is now addressed.",
                )
    else:
        for step, label in STEPS.items():
            st.markdown(f"**{label}**")
            st.text(getattr(cycle, f"{step}_notes") or "—")
        st.markdown("**Outcome**")
        st.text(cycle.outcome)


def open_form(theme_names: dict[str, str]) -> None:
    if not theme_names:
        st.info("A cycle takes up themes from the feedback review: add one there first.")
        return
    title = st.text_input("Title", key="cycles-new-title")
    owner = st.text_input("Owner", key="cycles-new-owner")
    theme_ids = st.multiselect(
        "Themes it takes up", list(theme_names), format_func=theme_names.get, key="cycles-new-themes"
    )
    when = st.columns(2)
    start = when[0].date_input("Start", value=date.today(), key="cycles-new-start")
    target = when[1].date_input("Target", value=date.today() + timedelta(days=90), key="cycles-new-target")
    metric = st.selectbox(
        "Measure", list(metrics.METRICS), format_func=lambda name: metrics.METRICS[name].label, key="cycles-new-metric"
    )
    where = st.columns(2)
    with where[0]:
        geo_level, geo = ui.geo_filter(viewer, "cycles-new")
    group = where[1].selectbox(
        "Group", group_options(metric), format_func=group_label, key=f"cycles-new-group-{metric}"
    )
    plan = st.text_area("Plan", key="cycles-new-plan")
    if st.button("Open the cycle", type="primary", key="cycles-open"):
        spec = {"metric": metric, "geo_level": geo_level, "geo": geo, **(dict([group]) if group else {})}

        def open_it() -> None:
            st.session_state[SELECT_NEXT] = cycles.open_cycle(
                store,
                title=title,
                owner=owner,
                theme_ids=theme_ids,
                start=start,
                target=target,
                measure=spec,
                plan=plan,
            )

        feedback_ui.attempt(open_it, "Cycle opened: the reviewed feedback on its themes is now in it.")


st.title("Improvement cycles")
feedback_ui.say_done()
themes = review.themes(store)
all_cycles = cycles.cycles(store).set_index("id")
if SELECT_NEXT in st.session_state:
    st.session_state["cycles-chosen"] = st.session_state.pop(SELECT_NEXT)

if all_cycles.empty:
    st.info("No improvement cycle yet.")
else:
    newest_open_first = all_cycles.sort_values(["status", "start_date"], ascending=[False, False]).index
    chosen = st.selectbox(
        "Cycle",
        list(newest_open_first),
        key="cycles-chosen",
        format_func=lambda i: (
            f"{all_cycles.at[i, 'title']} ({all_cycles.at[i, 'status']}, started {all_cycles.at[i, 'start_date']})"
        ),
    )
    show_cycle(next(all_cycles.loc[[chosen]].itertuples()))

with st.expander("Open a new cycle", expanded=all_cycles.empty, icon=":material/add:"):
    open_form(dict(zip(themes["id"], themes["name"])))
