"""The feedback pages in the whole app: give feedback, review it, run a cycle on it, show the public what changed."""

import uuid
from datetime import date

import pytest
from apptest import app, open_page, sign_in

from dashboard.markdownsafe import markdown_text
from dashboard.pipeline.ingest import DEFAULT_THRESHOLD as K
from dashboard.web import feedback_ui
from feedback import cycles, review
from feedback.i18n import t
from feedback.store import MAX_TEXT, open_store

SECRET = "The night shift nurse laughed at me"


@pytest.fixture
def store(published):
    """The store the app uses (one per process), in the test's data folder."""
    return feedback_ui.store()


def send(store, text=SECRET, about="medical"):
    return store.submit(
        text=text, about=about, respondent="survivor", language="en", token=uuid.uuid4().hex
    ).feedback_id


def everything_shown(at) -> bytes:
    """Every element the last run drew, as sent to the browser (table cells included)."""

    def walk(node) -> list[bytes]:
        proto = getattr(node, "proto", None)
        shown = [proto.SerializeToString()] if proto is not None else []
        for child in getattr(node, "children", {}).values():
            shown += walk(child)
        return shown

    return b"".join(walk(at._tree))


def write(at, text, **choices):
    """Fill the form (text and, by field name, choices) and ask to see what will be stored."""
    at.text_area(key="feedback-text").input(text)
    for field, value in choices.items():
        at.radio(key=f"feedback-{field}-en").set_value(value)
    return at.button(key="feedback-check").click().run()


def stored(store):
    return store.query("SELECT * FROM feedback")


# Giving feedback


def test_the_person_sees_what_will_be_stored_and_nothing_is_stored_before_sending(store):
    at = write(open_page(app(), "feedback"), "Nobody called back. Call me on 07700 900123.", feeling=2)

    assert [element.value for element in at.text] == ["Nobody called back. Call me on [phone removed]."]
    assert at.info[0].value == f"{t('en', 'form.removed_intro')} {t('en', 'removed.phone')}"
    choices = at.markdown[3].value
    assert "Bad" in choices and "English" in choices and store.week().replace("-", "\\-") in choices
    assert t("en", "form.not_stored_body") in [m.value for m in at.markdown]
    assert stored(store).empty


def test_sending_stores_one_scrubbed_feedback_even_when_send_arrives_twice(store):
    at = write(open_page(app(), "feedback"), "Nobody called back. Call me on 07700 900123.", feeling=2)
    checked = dict(at.session_state["feedback-form"])
    at.button(key="feedback-send").click().run()
    assert at.success[0].value.startswith(f"**{t('en', 'form.thanks_title')}**")

    # A second click that reaches the server after the first run stored the feedback, but
    # before that run moved the form on, finds the form as it was and sends it again.
    at.session_state["feedback-form"] = checked
    at.run().button(key="feedback-send").click().run()

    rows = stored(store)
    assert len(rows) == 1
    assert rows.loc[0, "text"] == "Nobody called back. Call me on [phone removed]."
    assert (rows.loc[0, "feeling"], rows.loc[0, "about"], rows.loc[0, "language"]) == (2, "general", "en")


def test_another_feedback_after_sending_is_a_new_one(store):
    at = write(open_page(app(), "feedback"), "First.")
    at.button(key="feedback-send").click().run()
    at.button(key="feedback-another").click().run()
    at = write(at, "Second.")
    at.button(key="feedback-send").click().run()
    assert sorted(stored(store)["text"]) == ["First.", "Second."]


def test_hostile_text_is_shown_as_plain_text_never_as_markdown_or_html(store):
    hostile = "**bold** <script>alert(1)</script> <img src=x onerror=alert(2)> :red[red] $x^2$"
    at = write(open_page(app(), "feedback"), hostile)
    assert [element.value for element in at.text] == [hostile]
    assert not any("<script>" in m.value or "**bold**" in m.value for m in at.markdown)


def test_text_over_the_limit_gets_a_clear_message_and_is_not_stored(store):
    at = write(open_page(app(), "feedback"), "x" * (MAX_TEXT + 1))
    assert [e.value for e in at.error] == [t("en", "error.too_long", max=MAX_TEXT)]
    assert at.button(key="feedback-check")  # still writing
    assert stored(store).empty


def test_when_too_many_send_at_once_the_form_says_to_try_again_shortly(store):
    for _ in range(30):  # the limit, from everyone together, per minute
        send(store)
    at = write(open_page(app(), "feedback"), "One more.")
    at.button(key="feedback-send").click().run()
    [error] = at.error
    assert error.value.startswith("Many people are sending feedback right now. Please try again in ")
    assert len(stored(store)) == 30


def test_the_form_speaks_the_language_chosen_and_keeps_the_choices_made(store):
    at = open_page(app(), "feedback")
    at.radio(key="feedback-feeling-en").set_value(4).run()
    assert at.title[0].value == t("en", "form.title")

    at.radio(key="feedback-language-picker").set_value("es").run()
    assert at.title[0].value == t("es", "form.title")
    assert at.text_area(key="feedback-text").label == t("es", "form.text")
    feeling = at.radio(key="feedback-feeling-es")
    assert (feeling.label, feeling.value) == (t("es", "form.feeling"), 4)
    assert at.button(key="feedback-check").label == t("es", "form.preview")

    at.text_area(key="feedback-text").input("La intérprete no vino.")
    at.button(key="feedback-check").click().run()
    at.button(key="feedback-send").click().run()
    assert at.success[0].value.startswith(f"**{t('es', 'form.thanks_title')}**")
    assert (stored(store).loc[0, "language"], stored(store).loc[0, "feeling"]) == ("es", 4)


def test_the_first_page_opened_each_day_erases_the_texts_past_their_retention(published):
    with open_store(published / "feedback.duckdb") as before_the_app:
        feedback_id = send(before_the_app)
        for step in ("reviewed", "closed"):
            review.set_status(before_the_app, feedback_id, step)
        before_the_app.query("UPDATE feedback SET closed_week = '2020-W01' WHERE id = ?", [feedback_id])

    open_page(app(), "feedback")

    assert feedback_ui.store().query("SELECT text IS NULL AS erased FROM feedback")["erased"].tolist() == [True]


# Reviewing


@pytest.mark.parametrize("path", ["review", "cycles"])
def test_a_visitor_gets_the_sign_in_form_and_no_feedback(store, path):
    send(store)
    at = open_page(app(), path)
    assert at.info[0].value == "Please sign in to see this page."
    assert [b.label for b in at.button] == ["Sign in"]
    assert SECRET.encode() not in everything_shown(at)


def test_an_advisor_reads_the_queue_themes_a_feedback_moves_it_and_notes_it(store):
    feedback_id = send(store)
    at = sign_in(open_page(app(), "review"), "advisor", "advisor-demo")
    assert SECRET.encode() in everything_shown(at)
    assert [e.value for e in at.text] == [SECRET]

    at.text_input(key="review-new-theme").input("Being listened to")
    at = next(b for b in at.button if b.label == "Add theme").click().run()
    [theme] = review.themes(store)["id"]
    at.multiselect(key=f"review-themes-{feedback_id}").set_value([theme])
    at = at.button(key="review-save-themes").click().run()
    assert at.success[0].value == "Themes saved."
    assert review.queue(store).loc[0, ["themes", "status"]].tolist() == ["Being listened to", "reviewed"]

    at.selectbox(key=f"review-move-{feedback_id}").set_value("closed")
    at = at.button(key="review-move").click().run()
    assert review.queue(store).loc[0, "status"] == "closed"

    at.text_area(key="review-note-text").input("Passed to the hub lead.")
    at = next(b for b in at.button if b.label == "Add note").click().run()
    assert review.notes(store, feedback_id)["note"].tolist() == ["Passed to the hub lead."]
    assert review.queue(store).loc[0, "text"] == SECRET
    assert "Passed to the hub lead." in [e.value for e in at.text]


def test_the_queue_filters_by_status(store):
    waiting = send(store, "Still waiting.")
    review.set_themes(store, send(store, "Seen already."), [review.add_theme(store, "Waits")])
    at = sign_in(open_page(app(), "review"), "advisor", "advisor-demo")
    at = at.selectbox(key="review-status").set_value("new").run()
    assert at.selectbox(key="review-chosen").value == waiting
    assert len(at.selectbox(key="review-chosen").options) == 1
    assert b"Still waiting." in everything_shown(at) and b"Seen already." not in everything_shown(at)


# Improvement cycles


def test_an_advisor_opens_a_cycle_with_a_measure_and_sees_its_baseline_and_latest(store):
    theme = review.add_theme(store, "Interpreters")
    feedback_id = send(store, "No interpreter again.")
    review.set_themes(store, feedback_id, [theme])
    at = sign_in(open_page(app(), "cycles"), "advisor", "advisor-demo")

    at.text_input(key="cycles-new-title").input("Book interpreters with the appointment")
    at.text_input(key="cycles-new-owner").input("Language access lead")
    at.multiselect(key="cycles-new-themes").set_value([theme])
    at.date_input(key="cycles-new-start").set_value(date(2024, 6, 1))
    at.date_input(key="cycles-new-target").set_value(date(2026, 12, 31))
    at = at.selectbox(key="cycles-new-metric").set_value("interpreter_coverage").run()
    at = at.button(key="cycles-open").click().run()

    assert not at.exception
    assert at.success[0].value.startswith("Cycle opened")
    [opened] = cycles.cycles(store).itertuples()
    assert opened.measure == {"metric": "interpreter_coverage", "geo_level": "network", "geo": "network"}
    assert review.queue(store).loc[0, "status"] == "in_cycle"
    baseline, latest = at.metric
    assert baseline.label == "Baseline, at the start (2024-Q2)"
    assert latest.label == "Latest (2025-Q4)"
    assert baseline.value.endswith("%") and latest.value.endswith("%")
    assert at.get("vega_lite_chart")

    notes = at.text_area
    next(n for n in notes if n.label == "Study").input("Coverage rose in the quarter after.")
    at = next(b for b in at.button if b.label == "Save notes").click().run()
    assert cycles.cycles(store).loc[0, "study_notes"] == "Coverage rose in the quarter after."


# The public board


def cycle_on(store, theme, measure):
    return cycles.open_cycle(
        store,
        title=f"Work on {theme}",
        owner="Owner Quiroga",
        theme_ids=[theme],
        start=date(2024, 6, 1),
        target=date(2026, 6, 1),
        measure=measure,
    )


def test_the_public_board_shows_fewer_than_k_for_a_small_theme_and_no_figure_below_region(store):
    small, large = review.add_theme(store, "Bus fares"), review.add_theme(store, "Waiting times")
    for theme, count in ((small, 3), (large, K + 1)):
        for _ in range(count):
            review.set_themes(store, send(store), [theme])
    cycle_on(store, small, {"metric": "referrals", "geo_level": "hub", "geo": "riverside"})
    cycle_on(store, large, {"metric": "completion_rate", "geo_level": "network", "geo": "network"})

    at = open_page(app(), "you-said-we-did")

    assert not at.exception
    assert [m.value for m in at.markdown if m.value.startswith("Feedback received")] == [
        f"Feedback received: fewer than {K}",
        f"Feedback received: {K + 1}",
    ]
    small_action, large_action = (m.value for m in at.markdown if m.value.startswith("We are working on this"))
    assert markdown_text(t("en", "board.staff_only")) in small_action  # shown as written, escaped
    assert f"\n{markdown_text(t('en', 'metric.completion_rate') + ': ')}" in large_action
    assert SECRET.encode() not in everything_shown(at) and b"Quiroga" not in everything_shown(at)
