"""Review, improvement cycles and the public board: how feedback moves from a queue to "you said, we did"."""

import io
import uuid
from datetime import date, timedelta

import pandas as pd
import pytest

from dashboard.csvsafe import csv_safe, to_csv_bytes
from feedback import cycles, review
from feedback.cycles import CycleError, check_measure, close_cycle, measure_change, open_cycle, public_board
from feedback.review import ReviewError
from feedback.store import RateLimiter, open_store

START = date(2026, 3, 2)
WAITS = {"metric": "waited_over_30_days_share", "geo_level": "network"}


class Clock:
    def __init__(self, day: date = START):
        self.day = day

    def __call__(self) -> date:
        return self.day


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def store(new_location, clock):
    """A store of each kind, DuckDB and PostgreSQL: every test that takes it runs on both."""
    with open_store(new_location(), rate_limiter=RateLimiter(limit=1000), today=clock) as s:
        yield s


def send(store, text="It took too long.", **choices):
    form = {"about": "medical", "respondent": "survivor", "language": "en"} | choices
    return store.submit(text=text, token=uuid.uuid4().hex, **form).feedback_id


def status(store, feedback_id):
    return store.query("SELECT status FROM feedback WHERE id = ?", [feedback_id]).status.item()


def series(rows):
    """A metric_series that answers every spec with these (period, value, suppressed) rows."""
    frame = pd.DataFrame(rows, columns=["period", "value", "suppressed"])
    return lambda spec: frame


NO_FIGURES = series([])


# The queue


def test_the_queue_filters_by_status_theme_about_language_and_week(store, clock):
    medical_en = send(store, about="medical", language="en")
    hub_es = send(store, about="north-valley", language="es")
    clock.day += timedelta(weeks=1)
    general_vi = send(store, about="general", language="vi")
    theme = review.add_theme(store, "Interpreters")
    review.set_themes(store, hub_es, [theme])

    def ids(**filters):
        return set(review.queue(store, **filters).id)

    assert ids() == {medical_en, hub_es, general_vi}
    assert ids(status="new") == {medical_en, general_vi}
    assert ids(theme=theme) == {hub_es}
    assert ids(about="medical") == {medical_en}
    assert ids(about="north-valley") == {hub_es}
    assert ids(language="vi") == {general_vi}
    assert ids(week="2026-W10") == {medical_en, hub_es}
    assert ids(status="new", week="2026-W10") == {medical_en}


def test_the_queue_lists_by_week_then_random_id_with_theme_names(store, clock):
    sent = []
    for week in range(3):
        clock.day = START + timedelta(weeks=2 - week)
        sent.append(send(store))
    theme_b, theme_a = review.add_theme(store, "Bus fares"), review.add_theme(store, "Appointments")
    review.set_themes(store, sent[0], [theme_b, theme_a])
    queue = review.queue(store)
    assert queue.id.tolist() == list(reversed(sent))
    assert queue.set_index("id").themes[sent[0]] == "Appointments; Bus fares"


def test_the_queue_export_cannot_run_formulas_in_a_spreadsheet(store):
    send(store, text='=cmd|" /C calc"!A0')
    send(store, text="@SUM(A1:A9)")
    send(store, text="Plain words, “quoted”, and tiếng Việt")
    exported = review.export_queue_csv(store)
    assert exported.startswith("\ufeff".encode())
    texts = set(pd.read_csv(io.BytesIO(exported), encoding="utf-8-sig").text)
    assert texts == {'\'=cmd|" /C calc"!A0', "'@SUM(A1:A9)", "Plain words, “quoted”, and tiếng Việt"}
    assert review.queue(store).text.str.startswith("=").sum() == 1


@pytest.mark.parametrize(
    ("cell", "exported"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0958", "'+44 20 7946 0958"),
        ("-2", "'-2"),
        ("@cmd", "'@cmd"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("plain", "plain"),
        ("a=b", "a=b"),
        ("", ""),
        (-2, -2),
        (None, None),
    ],
)
def test_csv_safe_prefixes_only_text_that_a_spreadsheet_would_run(cell, exported):
    assert csv_safe(cell) == exported


def test_csv_headers_are_made_safe_too():
    frame = pd.DataFrame({"=cmd": ["x"], "count": [3]})
    assert to_csv_bytes(frame).decode("utf-8-sig").splitlines() == ["'=cmd,count", "x,3"]


# Statuses


def test_feedback_moves_new_reviewed_in_cycle_addressed_closed(store, clock):
    feedback_id = send(store)
    for step in ("reviewed", "in_cycle", "addressed", "closed"):
        review.set_status(store, feedback_id, step)
        assert status(store, feedback_id) == step
    closed_week = store.query("SELECT closed_week FROM feedback").closed_week.item()
    assert closed_week == "2026-W10"


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ((), "closed"),
        ((), "addressed"),
        ((), "in_cycle"),
        (("reviewed",), "addressed"),
        (("reviewed", "closed"), "reviewed"),
        ((), "deleted"),
    ],
)
def test_a_move_the_life_of_a_feedback_does_not_allow_is_refused_and_says_why(store, path, refused):
    feedback_id = send(store)
    for step in path:
        review.set_status(store, feedback_id, step)
    before = status(store, feedback_id)
    with pytest.raises(ReviewError, match=f"that is {before} cannot become {refused}"):
        review.set_status(store, feedback_id, refused)
    assert status(store, feedback_id) == before


def test_unknown_feedback_is_refused(store):
    with pytest.raises(ReviewError, match="no feedback"):
        review.set_status(store, "nope", "reviewed")


# Themes and notes


def test_setting_themes_makes_them_exactly_those_given_and_reviews_a_new_feedback(store):
    feedback_id = send(store)
    waits, transport, fares = (review.add_theme(store, name) for name in ("Waiting", "Transport", "Fares"))
    review.set_themes(store, feedback_id, [waits, transport])
    assert status(store, feedback_id) == "reviewed"
    review.set_themes(store, feedback_id, [fares, transport])
    assert sorted(review.themes_of(store, feedback_id)) == sorted([fares, transport])
    review.set_themes(store, feedback_id, [])
    assert review.themes_of(store, feedback_id) == []
    with pytest.raises(ReviewError):
        review.set_themes(store, feedback_id, [waits, "missing"])
    assert review.themes_of(store, feedback_id) == []


def test_the_week_filter_offers_the_weeks_that_have_feedback_newest_first(store, clock):
    send(store)
    clock.day += timedelta(weeks=2)
    send(store)
    send(store)
    assert review.weeks(store) == ["2026-W12", "2026-W10"]


def test_theme_names_are_unique_whatever_their_case(store):
    review.add_theme(store, "Waiting times")
    with pytest.raises(ReviewError, match="already"):
        review.add_theme(store, "  waiting TIMES ")
    with pytest.raises(ReviewError):
        review.add_theme(store, " ")


def test_an_unknown_theme_is_refused(store):
    with pytest.raises(ReviewError, match="no theme"):
        review.set_themes(store, send(store), ["missing"])


def test_merging_a_theme_moves_every_feedback_and_cycle_to_the_other(store):
    one, both, other = send(store), send(store), send(store)
    waits, delays = review.add_theme(store, "Waits"), review.add_theme(store, "Delays")
    review.set_themes(store, one, [delays])
    review.set_themes(store, both, [waits, delays])
    review.set_themes(store, other, [waits])
    cycle = open_cycle(
        store, title="Faster", owner="Group", theme_ids=[delays], start=START, target=START, measure=WAITS
    )

    review.merge_themes(store, delays, into=waits)

    assert review.themes(store)[["name", "feedback"]].values.tolist() == [["Waits", 3]]
    assert set(review.queue(store, theme=waits).id) == {one, both, other}
    assert cycles.cycles(store).set_index("id").themes[cycle] == ["Waits"]
    with pytest.raises(ReviewError):
        review.merge_themes(store, waits, into=waits)


def test_reviewer_notes_are_kept_apart_from_what_was_written_in_order(store):
    feedback_id = send(store, text="The clinic was closed.")
    review.add_note(store, feedback_id, "Checked opening hours")
    review.add_note(store, feedback_id, "Told the hub")
    assert review.notes(store, feedback_id)[["n", "note"]].values.tolist() == [
        [1, "Checked opening hours"],
        [2, "Told the hub"],
    ]
    assert review.queue(store).text.item() == "The clinic was closed."
    assert "note" not in review.queue(store).columns


# Cycles


def reviewed(store, theme_id, text="It took too long."):
    feedback_id = send(store, text=text)
    review.set_themes(store, feedback_id, [theme_id])
    return feedback_id


def test_opening_a_cycle_moves_its_themes_reviewed_feedback_into_it(store):
    waits, fares = review.add_theme(store, "Waits"), review.add_theme(store, "Fares")
    taken_up, elsewhere, untouched = reviewed(store, waits), reviewed(store, fares), send(store)
    open_cycle(
        store,
        title="Faster first appointments",
        owner="Ana",
        theme_ids=[waits],
        start=START,
        target=START + timedelta(days=90),
        measure=WAITS,
    )
    assert [status(store, f) for f in (taken_up, elsewhere, untouched)] == ["in_cycle", "reviewed", "new"]


def test_a_cycle_keeps_its_plan_do_study_act_notes_and_its_measure(store):
    waits = review.add_theme(store, "Waits")
    cycle_id = open_cycle(
        store,
        title="Faster",
        owner="Ana",
        theme_ids=[waits],
        start=START,
        target=START + timedelta(days=60),
        measure={
            "metric": "first_appointment_rate",
            "geo_level": "hub",
            "geo": "north-valley",
            "service_line": "legal",
        },
        plan="Call within a week",
    )
    cycles.record_notes(store, cycle_id, do="Started calls", study="Half were reached")
    row = cycles.cycles(store).set_index("id").loc[cycle_id]
    assert (row.plan_notes, row.do_notes, row.study_notes, row.act_notes) == (
        "Call within a week",
        "Started calls",
        "Half were reached",
        "",
    )
    assert row.measure == {
        "metric": "first_appointment_rate",
        "geo_level": "hub",
        "geo": "north-valley",
        "service_line": "legal",
    }
    assert (row.status, row.owner) == ("open", "Ana")


def test_closing_a_cycle_addresses_its_feedback_unless_another_open_cycle_still_has_it(store):
    waits, staff = review.add_theme(store, "Waits"), review.add_theme(store, "Staff")
    only_waits = reviewed(store, waits)
    both = send(store)
    review.set_themes(store, both, [waits, staff])
    first = open_cycle(store, title="Faster", owner="Ana", theme_ids=[waits], start=START, target=START, measure=WAITS)
    open_cycle(store, title="Training", owner="Lee", theme_ids=[staff], start=START, target=START, measure=WAITS)

    close_cycle(store, first, outcome="Waits fell", act="Kept the call-back rota")

    assert status(store, only_waits) == "addressed"
    assert status(store, both) == "in_cycle"
    closed = cycles.cycles(store, status="closed")
    assert closed[["title", "outcome", "act_notes"]].values.tolist() == [
        ["Faster", "Waits fell", "Kept the call-back rota"]
    ]
    with pytest.raises(CycleError, match="already closed"):
        close_cycle(store, first, outcome="again")
    with pytest.raises(CycleError):
        cycles.record_notes(store, first, act="rewrite history")


@pytest.mark.parametrize(
    "spec",
    [
        {"metric": "happiness"},
        {"geo_level": "network"},
        {"metric": "referrals", "geo_level": "street"},
        {"metric": "referrals", "service_line": "astrology"},
        {"metric": "outcome_achieved_share", "outcome": "rich"},
        {"metric": "referrals", "hub_name": "x"},
        {"metric": "referrals", "geo": ""},
    ],
)
def test_a_measure_must_be_a_published_metric_with_known_filters(spec):
    with pytest.raises(CycleError):
        check_measure(spec)


@pytest.mark.parametrize(
    "spec",
    [
        {"metric": "referrals", "service_line": "legal", "language": "es"},
        {"metric": "interpreter_coverage", "service_line": "legal"},
        {"metric": "outcome_achieved_share"},
        {"metric": "outcome_achieved_share", "outcome": "all"},
        {"metric": "referrals", "geo_level": "hub"},
        {"metric": "referrals", "geo": "riverside"},
    ],
)
def test_a_measure_follows_one_published_view_of_one_geography(spec):
    with pytest.raises(CycleError):
        check_measure(spec)


@pytest.mark.parametrize(
    "spec",
    [
        {"metric": "referrals", "language": "es", "geo_level": "hub", "geo": "riverside"},
        {"metric": "waited_over_30_days_share", "service_line": "legal", "language": "all"},
        {"metric": "interpreter_coverage", "language": "vi", "geo_level": "network", "geo": "network"},
        {"metric": "outcome_achieved_share", "outcome": "housing_stable", "geo_level": "region", "geo": "Coastal"},
    ],
)
def test_a_measure_may_narrow_a_metric_to_one_group_it_is_published_by(spec):
    assert check_measure(spec) == spec


def test_a_cycle_needs_themes_a_title_an_owner_and_a_target_after_its_start(store):
    waits = review.add_theme(store, "Waits")
    good = {"title": "Faster", "owner": "Ana", "theme_ids": [waits], "start": START, "target": START, "measure": WAITS}
    for bad in (
        {"theme_ids": []},
        {"title": " "},
        {"owner": ""},
        {"target": START - timedelta(days=1)},
        {"theme_ids": ["missing"]},
    ):
        with pytest.raises(ReviewError):
            open_cycle(store, **(good | bad))
    assert cycles.cycles(store).empty


# Measuring a cycle


def test_the_baseline_is_the_last_published_figure_at_or_before_the_start_and_the_latest_the_last_since():
    figures = series(
        [
            ("2026-01", 0.40, False),
            ("2026-02", 0.38, False),
            ("2026-03", None, True),
            ("2026-04", 0.30, False),
            ("2026-05", 0.25, False),
            ("2026-06", None, True),
        ]
    )
    change = measure_change(WAITS, START, figures)
    assert (change.baseline_period, change.baseline) == ("2026-02", 0.38)
    assert (change.latest_period, change.latest) == ("2026-05", 0.25)
    assert change.change == -13


def test_quarters_and_years_are_placed_by_their_first_month():
    figures = series([("2026-Q2", 0.5, False), ("2025", 0.7, False), ("2026-Q1", 0.6, False)])
    change = measure_change(WAITS, date(2026, 2, 15), figures)
    assert (change.baseline_period, change.latest_period) == ("2026-Q1", "2026-Q2")


def test_without_figures_on_both_sides_there_is_no_change_to_show():
    assert measure_change(WAITS, START, NO_FIGURES).change is None
    before_only = measure_change(WAITS, START, series([("2026-01", 0.4, False)]))
    assert (before_only.baseline, before_only.latest, before_only.change) == (0.4, None, None)


# The public board


def test_the_board_shows_each_theme_raised_with_its_count_and_what_was_done(store):
    waits, fares = review.add_theme(store, "Waiting times"), review.add_theme(store, "Bus fares")
    review.add_theme(store, "Unused")  # raised by nobody: not on the board
    for _ in range(12):
        reviewed(store, waits, text="Secret words nobody may see")
    for _ in range(3):
        reviewed(store, fares)
    done = open_cycle(
        store,
        title="Call-back rota",
        owner="Ana Owner",
        theme_ids=[waits],
        start=START,
        target=START,
        measure=WAITS,
        plan="private plan",
    )
    close_cycle(store, done, outcome="Fewer people wait a month", act="Every referral is called within a week")
    open_cycle(
        store, title="Bus passes", owner="Lee Owner", theme_ids=[fares], start=START, target=START, measure=WAITS
    )
    figures = series([("2026-02", 0.38, False), ("2026-05", 0.25, False)])

    board = public_board(store, threshold=11, metric_series=figures)

    assert [entry.theme for entry in board] == ["Bus fares", "Waiting times"]
    fares_entry, waits_entry = board
    assert (waits_entry.count, waits_entry.count_label) == (12, "12")
    assert (fares_entry.count, fares_entry.count_label) == (None, "fewer than 11")
    [action] = waits_entry.actions
    assert (action.title, action.done, action.act, action.outcome) == (
        "Call-back rota",
        True,
        "Every referral is called within a week",
        "Fewer people wait a month",
    )
    assert (action.change.baseline, action.change.latest) == (0.38, 0.25)
    [in_progress] = fares_entry.actions
    assert (in_progress.title, in_progress.done, in_progress.act) == ("Bus passes", False, "")
    shown = repr(board)
    for private in ("Secret words", "Owner", "private plan", "Unused"):
        assert private not in shown


def test_the_board_says_fewer_than_k_in_the_readers_language(store):
    reviewed(store, review.add_theme(store, "Intérpretes"))
    [entry] = public_board(store, threshold=5, metric_series=NO_FIGURES, lang="es")
    assert (entry.count, entry.count_label) == (None, "menos de 5")


def test_erased_feedback_still_counts_on_the_board(store, clock):
    waits = review.add_theme(store, "Waits")
    feedback_id = reviewed(store, waits)
    review.set_status(store, feedback_id, "closed")
    clock.day += timedelta(days=400)
    store.maintain()
    [entry] = public_board(store, threshold=1, metric_series=NO_FIGURES)
    assert entry.count == 1


def test_the_board_says_what_changed_in_the_readers_words():
    waits = measure_change(WAITS, START, series([("2026-02", 0.38, False), ("2026-05", 0.25, False)]))
    referrals = measure_change(
        {"metric": "referrals"}, START, series([("2026-Q1", 1200, False), ("2026-Q2", 1345, False)])
    )

    def sentence(change, lang):
        return cycles.Action("t", False, "", None, {}, change).change_sentence(lang)

    assert sentence(waits, "en") == "Waited more than 30 days for a first appointment: 38% (2026-02) → 25% (2026-05)"
    assert sentence(referrals, "en") == "Referrals: 1,200 (2026-Q1) → 1,345 (2026-Q2)"
    assert (
        sentence(measure_change(WAITS, START, NO_FIGURES), "es") == "Todavía no hay cifras publicadas para medir esto."
    )


def test_the_board_shows_no_figure_the_reader_may_not_see(store):
    waits = review.add_theme(store, "Waits")
    reviewed(store, waits)
    open_cycle(
        store,
        title="Call-back rota",
        owner="Ana",
        theme_ids=[waits],
        start=START,
        target=START,
        measure={"metric": "referrals", "geo_level": "hub", "geo": "riverside"},
    )

    def refused(spec):
        raise PermissionError("not allowed to see hub riverside")

    [entry] = public_board(store, threshold=11, metric_series=refused)
    [action] = entry.actions
    assert action.change is None
    assert action.change_sentence("en") == "The figures for this are shown only to signed-in hub staff."
