"""The one rule for a change between two figures: taken between the figures as shown, wherever it is stated."""

from datetime import date

import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from dashboard.read import findings, metrics
from dashboard.web import ui
from feedback.cycles import measure_change

BEFORE, NOW = 0.454, 0.466
"""Shown as 45% and 47%: 1.2 points apart unrounded, 2 as a reader sees them."""


def test_a_change_between_shares_is_taken_between_the_percentages_shown():
    assert (metrics.shown_value(BEFORE, percent=True), metrics.shown_value(NOW, percent=True)) == ("45%", "47%")
    assert metrics.change(NOW, BEFORE, percent=True) == 2
    assert metrics.change_text(NOW, BEFORE, percent=True, signed=True) == "+2 points"
    assert metrics.change_text(BEFORE, NOW, percent=True) == "down 2 points"
    assert metrics.change_text(0.4549, 0.4451, percent=True) == "no change"
    assert metrics.change_text(1345, 1200, percent=False, signed=True) == "+145"
    assert metrics.change(NOW, pd.NA, percent=True) is None


@given(st.floats(0, 1), st.floats(0, 1))
def test_a_change_always_agrees_with_the_two_figures_beside_it(now, before):
    def points(share):
        return int(metrics.shown_value(share, percent=True).removesuffix("%"))

    assert metrics.change(now, before, percent=True) == points(now) - points(before)


def test_a_pages_metric_tile_states_the_change_by_the_rule_and_draws_no_arrow_for_none():
    assert ui.metric_delta(NOW, BEFORE, percent=True, better="lower", since=" since 2024") == {
        "delta": "+2 points since 2024",
        "delta_color": "inverse",
        "delta_arrow": "auto",
    }
    assert ui.metric_delta(0.4549, 0.4451, percent=True, better="higher") == {
        "delta": "no change",
        "delta_color": "off",
        "delta_arrow": "off",
    }
    assert ui.metric_delta(NOW, None, percent=True, better="higher") == {}


def test_a_cycles_measure_changes_by_the_rule():
    series = pd.DataFrame({"period": ["2026-01", "2026-05"], "value": [BEFORE, NOW], "suppressed": [False, False]})
    change = measure_change({"metric": "completion_rate"}, date(2026, 3, 1), lambda spec: series)
    assert change.change == 2


def test_a_finding_counts_a_change_as_shown():
    gap = findings.COVERAGE_GAP
    shown_equal = [findings.Change("Tigrinya", gap, 0.4549, 0.4451)]
    assert findings.largest_changes(shown_equal, "2025", "2024") == []
    shown_apart = [findings.Change("Tigrinya", gap, 0.453, 0.444)]
    assert findings.largest_changes(shown_apart, "2025", "2024") == [
        "Largest improvement — Tigrinya: 45% of appointments that needed an interpreter had one in 2025, "
        "up from 44% in 2024."
    ]


def test_the_public_board_names_every_metric_in_every_language_of_the_form():
    from feedback import i18n

    for lang in i18n.LANGUAGES:
        assert {f"metric.{name}" for name in metrics.METRICS} <= set(i18n.catalogue(lang))
