"""The parts every dashboard page is drawn with say what they can: hidden figures with their ranges, never at
zero; charts in their table's order; downloads of numbers; a hub lead starts on their hub."""

from __future__ import annotations

import io
import json

import pandas as pd
from apptest import app, open_page, sign_in

from dashboard.csvsafe import to_csv_bytes
from dashboard.read import findings
from dashboard.web import ui


def funnel_rows() -> pd.DataFrame:
    """Three groups: one published, one with a hidden count (a range), one with a rate on too small a base."""
    return pd.DataFrame(
        {
            "category": ["Zeta", "Alpha", "Mid"],
            "completed": pd.array([120, pd.NA, 3], dtype="Int64"),
            "completed_lower": pd.array([120, 40, 3], dtype="Int64"),
            "completed_upper": pd.array([120, 75, 3], dtype="Int64"),
            "completion_rate": [0.6, None, None],
            "completion_rate_lower": [0.6, 0.2, None],
            "completion_rate_upper": [0.6, 0.45, None],
        }
    )


def layer_data(chart) -> list[dict]:
    spec = json.loads(chart.to_json())
    return next(iter(spec["datasets"].values()))


def test_a_table_reads_hidden_with_the_range_and_its_csv_holds_numbers_and_a_status():
    rows = funnel_rows()
    shown = ui.display_table(rows, ["completed"], ["completion_rate"])
    assert shown.columns.tolist() == ["category", "completed", "completion_rate"]
    assert shown["completed"].tolist() == ["120", "hidden (40–75)", "3"]
    assert shown["completion_rate"].tolist() == ["60%", "hidden (20%–45%)", ui.NOT_SHOWN]

    csv = ui.csv_table(
        rows, ["completed"], ["completion_rate"], [], {"completed": "Completed", "completion_rate": "Rate"}
    )
    read = pd.read_csv(io.BytesIO(to_csv_bytes(csv)), encoding="utf-8-sig")
    assert read.columns.tolist() == ["category", "Completed", "Rate (%)", ui.STATUS]
    assert read["Completed"].tolist()[0] == 120 and pd.isna(read["Completed"][1]) and read["Completed"][2] == 3
    assert read["Rate (%)"][0] == 60.0 and read["Rate (%)"][1:].isna().all()
    assert read[ui.STATUS].tolist() == [
        "published",
        "Completed: hidden (40–75); Rate: hidden (20%–45%)",
        f"Rate: {ui.NOT_SHOWN}",
    ]


def test_a_chart_keeps_its_tables_order_and_draws_a_hidden_figure_as_its_range_never_at_zero(published):
    chart = ui.bars(funnel_rows(), "category", "completed", "Completed")
    spec = json.loads(chart.to_json())
    assert spec["layer"][0]["encoding"]["y"]["sort"] == ["Zeta", "Alpha", "Mid"]
    hidden = [row for row in layer_data(chart) if row["_status"] == ui.HIDDEN]
    assert [(row["_lower"], row["_upper"]) for row in hidden] == [(40, 75)]
    assert (
        spec["layer"][1]["encoding"]["x"]["field"] == "_lower"
        and spec["layer"][1]["encoding"]["x2"]["field"] == "_upper"
    )

    over_time = funnel_rows().rename(columns={"category": "period"}).assign(series="All")
    trend = json.loads(ui.trend(over_time, "period", "completion_rate", "series", "Rate", percent=True).to_json())
    assert trend["layer"][0]["encoding"]["y"]["scale"]["zero"] is False
    assert trend["layer"][1]["encoding"]["y"]["field"] == "_lower"


def test_rates_are_dots_on_an_axis_fitted_to_them_and_a_chart_with_nothing_published_is_not_drawn(published):
    spec = json.loads(ui.bars(funnel_rows(), "category", "completion_rate", "Rate", percent=True).to_json())
    assert spec["layer"][0]["mark"]["type"] == "circle"
    assert spec["layer"][0]["encoding"]["x"]["scale"]["zero"] is False

    nothing = funnel_rows().iloc[1:]
    assert ui._figures_published(ui.bars(nothing, "category", "completion_rate", "Rate", percent=True)) is False
    assert ui._figures_published(ui.bars(funnel_rows(), "category", "completion_rate", "Rate", percent=True)) is True


def test_gaps_count_only_rates_published_on_both_sides():
    groups = funnel_rows()
    assert findings.comparable(groups, pd.Series({"completion_rate": 0.5}), findings.FUNNEL_GAPS) == 1
    assert findings.comparable(groups, pd.Series({"completion_rate": None}), findings.FUNNEL_GAPS) == 0


def test_a_hub_lead_starts_on_their_hub_and_is_told_the_figures_are_their_own(published):
    at = open_page(app(), "referrals")
    at = sign_in(at, "hublead", "hublead-demo")
    at = open_page(at, "referrals")
    where = next(box for box in at.selectbox if box.label == "Where")
    assert where.value[0] == "hub"
    assert any(ui.OWN_FIGURES_NOTE in info.value for info in at.info)
    assert not at.exception
