"""The seed's feedback and cycles: what /review, /cycles and /you-said-we-did show on a fresh machine, stored by
the same rules as feedback sent through the form."""

from __future__ import annotations

import pandas as pd

from feedback import cycles, review
from feedback.store import open_store
from seed.feedback import RAISED, UNREVIEWED, write_feedback


def _figures(spec: dict) -> pd.DataFrame:
    return pd.DataFrame({"period": ["2025-Q2", "2026-Q3"], "value": [0.5, 0.75], "suppressed": [False, False]})


def test_the_seed_fills_the_review_queue_the_cycles_and_the_public_board(new_location):
    location = new_location()
    assert write_feedback(location)

    with open_store(location) as store:
        queue = review.queue(store)
        assert len(queue) == sum(RAISED.values()) + len(UNREVIEWED)
        assert (queue["status"] == "new").sum() == len(UNREVIEWED)
        assert set(queue["status"]) == {"new", "in_cycle", "addressed", "reviewed", "closed"}
        assert not queue["text"].str.contains("555-201-7788").any(), "scrubbed as the form scrubs"
        assert queue["text"].str.contains("[phone removed]", regex=False).any()
        assert len(review.weeks(store)) > 12, "sent over many weeks, not all at once"

        assert sorted(cycles.cycles(store)["status"]) == ["closed", "open", "open"]
        board = {entry.theme: entry for entry in cycles.public_board(store, threshold=11, metric_series=_figures)}
        assert board["Interpreters at appointments"].count_label == "14"
        assert board["Travel to the hub"].count_label == "fewer than 11"
        [done] = board["Interpreters at appointments"].actions
        assert done.done and done.act.startswith("Interpreters are booked")


def test_a_store_that_holds_feedback_is_left_as_it_is(new_location):
    location = new_location()
    with open_store(location) as store:
        store.submit(text="Someone's own words", about="general", respondent="survivor", language="en", token="t")

    assert not write_feedback(location)

    with open_store(location) as store:
        assert review.queue(store)["text"].tolist() == ["Someone's own words"]
        assert cycles.cycles(store).empty
