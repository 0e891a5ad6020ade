"""Language access: demand by language, interpreter coverage, and how far each language's referrals
fall behind English speakers' before completing."""

import altair as alt
import pandas as pd
import streamlit as st

from dashboard.hierarchy import NETWORK
from dashboard.markdownsafe import markdown_text
from dashboard.read import baselines, data, findings, labels
from dashboard.web import ui

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


def figures(question: str, breakdown: str, period_list: list[str], of: ui.View = view) -> pd.DataFrame:
    return data.figures(
        question,
        viewer,
        geo_level=of.geo_level,
        geos=[of.geo],
        period_level=of.level,
        periods=period_list,
        breakdown=breakdown,
    )


def compared_in(other: ui.View) -> int:
    """Rates that can be compared in another view: languages' coverage against all, completion against English."""
    access_there = figures("interpreter_coverage", "language", other.periods, other)
    funnel_there = figures("referral_funnel", "language", other.periods, other)
    english_there = funnel_there[funnel_there["category"] == ENGLISH]
    return findings.comparable(
        access_there, figures("interpreter_coverage", "total", other.periods, other).iloc[-1], (findings.COVERAGE_GAP,)
    ) + (
        findings.comparable(funnel_there[funnel_there["category"] != ENGLISH], english_there.iloc[0], (COMPLETION_GAP,))
        if len(english_there)
        else 0
    )


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
coverage_gaps = findings.largest_gaps(
    coverage, coverage_whole.iloc[-1], (findings.COVERAGE_GAP,), labels.language, f"all languages, {view.phrase}"
)
completion_gaps = findings.largest_gaps(
    others,
    english.iloc[0] if len(english) else pd.Series(dtype=float),
    (COMPLETION_GAP,),
    labels.language,
    "English speakers",
)
ui.say_gaps(
    [*coverage_gaps, *completion_gaps],
    findings.comparable(coverage, coverage_whole.iloc[-1], (findings.COVERAGE_GAP,))
    + (findings.comparable(others, english.iloc[0], (COMPLETION_GAP,)) if len(english) else 0),
    "No language falls clearly behind in this period, among the rates that can be compared.",
    view,
    viewer,
    compared_in,
)
unknown = coverage[coverage["interpreter_coverage"].isna()]
if len(unknown):
    st.markdown(
        f"- Coverage cannot be shown for {markdown_text(', '.join(unknown['_name']))}: a count is suppressed, or fewer than "
        f"{ui.threshold()} appointments needed an interpreter."
    )

st.subheader(f"Demand by language in {latest}")
demand = pd.concat(
    [
        ui.long(funnel, "category", ["referred"], "need", "count").assign(need="Referrals"),
        ui.long(access, "category", ["needing_interpreter"], "need", "count").assign(need="Interpreter needed"),
    ]
)
most_referred = {code: rank for rank, code in enumerate(funnel.sort_values("referred", ascending=False)["category"])}
demand = demand.sort_values("category", key=lambda codes: codes.map(most_referred), kind="stable")
demand["category"] = demand["category"].map(labels.language)
ui.chart(
    ui.bars(
        demand,
        "category",
        "count",
        ["Referrals and interpreter needs, by language", f"{where}, {latest}"],
        color="need",
        color_order=["Referrals", "Interpreter needed"],
        value_title="Referrals or appointments",
    ).properties(height=alt.Step(11)),
    alt_text=f"Bar chart: for each language, most referrals first, the referrals made and the appointments that needed an "
    f"interpreter, {where}, {latest}. Grey lines mark the range of each hidden count. The tables below hold the same figures.",
    key="language-demand",
)

st.subheader(f"Interpreter coverage in {latest}")
whole_coverage = coverage_whole["interpreter_coverage"].iloc[-1]
shown_coverage = coverage.assign(category=coverage["_name"])
ui.chart(
    baselines.with_rule(
        ui.bars(
            shown_coverage,
            "category",
            "interpreter_coverage",
            ["Interpreter coverage by language", f"{where}, {latest}"],
            value_title="Share with an interpreter",
            percent=True,
        ),
        whole_coverage,
        "All languages",
    ),
    alt_text=f"Bar chart: for each language, lowest first, the share of appointments needing an interpreter that had one, "
    f"{where}, {latest}; a dashed line marks all languages together. Grey lines mark the range of a hidden "
    "coverage. The table below holds the same figures.",
    key="language-coverage",
)
if len(no_need):
    st.caption(
        f"No appointment needed an interpreter in {latest} for: {', '.join(sorted(no_need['category'].map(labels.language)))}."
    )
ui.table(
    shown_coverage[
        [
            "category",
            *ACCESS_COUNTS,
            "interpreter_coverage",
            *ui.range_columns([*ACCESS_COUNTS, "interpreter_coverage"]),
        ]
    ],
    f"Interpreter coverage by language, {latest}",
    "language-coverage-table",
    counts=ACCESS_COUNTS,
    rates=["interpreter_coverage"],
    labels=COLUMN_LABELS,
)

st.subheader(f"Completion against English speakers in {latest}")
shown_others = others.assign(category=others["_name"])
ui.chart(
    baselines.with_rule(
        ui.bars(
            shown_others,
            "category",
            "completion_rate",
            ["Accepted referrals completed, by language", f"{where}, {latest}"],
            value_title="Share completed",
            percent=True,
        ),
        english_rate,
        "English speakers",
    ),
    alt_text=f"Bar chart: for each language other than English, lowest first, the share of accepted referrals that completed "
    f"the service, {where}, {latest}; a dashed line marks English speakers. Grey lines mark the range of a hidden "
    "rate; “not shown” marks a rate on too small a base. The table below holds the same figures, English first.",
    key="language-completion",
)
shown_funnel = pd.concat([english, others]).assign(category=lambda f: f["category"].map(labels.language))
ui.table(
    shown_funnel[
        ["category", *FUNNEL_COUNTS, "completion_rate", *ui.range_columns([*FUNNEL_COUNTS, "completion_rate"])]
    ],
    f"Referrals by language, {latest}",
    "language-funnel-table",
    counts=FUNNEL_COUNTS,
    rates=["completion_rate"],
    labels=COLUMN_LABELS,
)

st.subheader("Coverage over time")
names = coverage.set_index("category")["_name"].to_dict()
followed = st.multiselect(
    "Languages to follow",
    list(names),
    default=coverage["category"].head(3).tolist(),
    format_func=names.get,
    key=f"language-follow-{level}-{latest}-{geo_level}-{geo}",
)
history = figures("interpreter_coverage", "language", periods)
over_time = pd.concat([coverage_whole, history[history["category"].isin(followed)]])
over_time["category"] = over_time["category"].map(
    lambda code: "All languages" if code == "all" else labels.language(code)
)
ui.chart(
    ui.trend(
        over_time,
        "period",
        "interpreter_coverage",
        "category",
        ["Interpreter coverage over time", where],
        percent=True,
        value_title="Interpreter coverage",
    ),
    alt_text=f"Line chart: interpreter coverage for all languages together and for {len(followed)} chosen language(s), "
    f"each {level} from {periods[0]} to {periods[-1]}, {where}. The table below holds the same figures.",
    key="language-trend",
)
ui.table(
    over_time[
        [
            "period",
            "category",
            *ACCESS_COUNTS,
            "interpreter_coverage",
            *ui.range_columns([*ACCESS_COUNTS, "interpreter_coverage"]),
        ]
    ],
    f"Interpreter coverage over time, {where}",
    "language-trend-table",
    counts=ACCESS_COUNTS,
    rates=["interpreter_coverage"],
    labels=COLUMN_LABELS,
)

shown_counts = [coverage[ACCESS_COUNTS].melt(), over_time[ACCESS_COUNTS].melt(), funnel[FUNNEL_COUNTS].melt()]

hubs = data.run("hubs")
hubs = hubs[hubs["hub"].isin(data.allowed_geos(viewer, "hub"))]
if geo_level == "region":
    reference_view = ui.View(level, [latest], "region", geo)
    hubs = hubs[hubs["region"] == geo]
else:
    reference_view = ui.View(level, [latest], "network", NETWORK)
if len(hubs) > 1:
    reference_name = reference_view.phrase
    st.subheader(f"Interpreter coverage hub by hub, {latest}")

    def hub_coverage(of: ui.View) -> pd.DataFrame:
        return data.figures(
            "interpreter_coverage",
            viewer,
            geo_level="hub",
            geos=hubs["hub"].tolist(),
            period_level=of.level,
            periods=of.periods,
            breakdown="total",
        ).merge(hubs, left_on="geo", right_on="hub")

    def hubs_compared_in(other: ui.View) -> int:
        if (other.geo_level, other.geo) != (reference_view.geo_level, reference_view.geo):
            return 0
        return findings.comparable(
            hub_coverage(other),
            figures("interpreter_coverage", "total", other.periods, other).iloc[-1],
            (findings.COVERAGE_GAP,),
        )

    by_hub = hub_coverage(reference_view).sort_values("interpreter_coverage", na_position="last", kind="stable")
    reference_coverage = figures("interpreter_coverage", "total", [latest], reference_view).iloc[-1]
    ui.say_gaps(
        findings.largest_gaps(
            by_hub,
            reference_coverage,
            (findings.COVERAGE_GAP,),
            dict(zip(hubs["hub"], hubs["name"])).get,
            reference_name,
            column="hub",
        ),
        findings.comparable(by_hub, reference_coverage, (findings.COVERAGE_GAP,)),
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
                "interpreter_coverage",
                ["Interpreter coverage by hub", latest],
                value_title="Share with an interpreter",
                percent=True,
            ),
            reference_coverage["interpreter_coverage"],
            reference_view.where,
        ),
        alt_text=f"Dot chart: for each hub, lowest first, the share of appointments needing an interpreter that had one, "
        f"{latest}; a dashed line marks {reference_name}. The table below holds the same figures.",
        key="language-hubs",
    )
    ui.table(
        by_hub[
            [
                "name",
                *ACCESS_COUNTS,
                "interpreter_coverage",
                *ui.range_columns([*ACCESS_COUNTS, "interpreter_coverage"]),
            ]
        ],
        f"Interpreter coverage by hub, {latest}",
        "language-hubs-table",
        counts=ACCESS_COUNTS,
        rates=["interpreter_coverage"],
        labels={**COLUMN_LABELS, "name": "Hub"},
    )
    shown_counts.append(by_hub[ACCESS_COUNTS].melt())

ui.suppression_status(pd.concat(shown_counts), ["value"])
