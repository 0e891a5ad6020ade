"""The feedback store: what one feedback keeps, what it never keeps, and that nothing sent is lost.

Every test that takes `store` or `new_location` runs on both kinds of store: DuckDB and PostgreSQL.
"""

import logging
import os
import signal
import string
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pandas as pd
import psycopg
import pytest

from feedback import cycles, review
from feedback.i18n import LANGUAGES, catalogue, language_for, t
from feedback.postgres import MISSING_TYPES, PgConnection, PostgresStore
from feedback.store import (
    BACKED_UP_TABLES,
    MAX_TEXT,
    SCHEMA_VERSION,
    TABLE_ORDER,
    DuckDBStore,
    EmptyText,
    FeedbackError,
    InvalidChoice,
    RateLimited,
    RateLimiter,
    StoreError,
    TooLong,
    migrate,
    open_store,
)

ROOT = Path(__file__).resolve().parents[1]
MONDAY = date(2026, 1, 5)


class Clock:
    """Today, as the test says it is."""

    def __init__(self, day: date = MONDAY):
        self.day = day

    def __call__(self) -> date:
        return self.day


class Ticks:
    """The rate limiter's seconds, as the test says they are."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def location(new_location):
    return new_location()


@pytest.fixture
def store(location, clock):
    with open_store(location, rate_limiter=RateLimiter(limit=1000), today=clock) as s:
        yield s


@pytest.fixture
def stored_bytes(request):
    """Every byte the store's database keeps in its files (for PostgreSQL: its tables and indexes, not the write-ahead log)."""

    def read(location: str) -> bytes:
        if location.startswith("postgresql://"):
            return request.getfixturevalue("postgres").database_files()
        return file_bytes(Path(location))

    return read


@contextmanager
def plain_connection(location: str):
    """The store's database opened without the app, as an older version of it or another tool would; commits on exit."""
    if location.startswith("postgresql://"):
        with psycopg.connect(location) as con:
            con.execute(MISSING_TYPES)
            yield PgConnection(con)
    else:
        with duckdb.connect(location) as con:
            yield con


def send(store, text="The interpreter never came.", token=None, **choices):
    form = {"about": "medical", "respondent": "survivor", "language": "en", "feeling": 2} | choices
    return store.submit(text=text, token=token or uuid.uuid4().hex, **form)


def file_bytes(path: Path) -> bytes:
    wal = path.with_name(path.name + ".wal")
    return path.read_bytes() + (wal.read_bytes() if wal.exists() else b"")


def every_table(store):
    return {table: store.query(f"SELECT * FROM {table} ORDER BY {TABLE_ORDER[table]}") for table in BACKED_UP_TABLES}


def every_row(store):
    """Every backed-up table's rows as Python values, which compare across the two kinds of store."""
    with store.transaction() as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY {TABLE_ORDER[table]}").fetchall()
            for table in BACKED_UP_TABLES
        }


# What is stored, and what never is


def test_a_feedback_keeps_its_scrubbed_text_its_choices_its_language_and_its_week(store):
    receipt = send(
        store, text="Nobody called back. My number is 0912 345 678.", about="housing", language="vi", feeling=1
    )
    row = store.query("SELECT * FROM feedback").iloc[0]
    assert row["id"] == receipt.feedback_id
    assert row["text"] == "Nobody called back. My number is [phone removed]."
    assert (row["about"], row["respondent"], row["language"], row["feeling"]) == ("housing", "survivor", "vi", 1)
    assert row["week"] == receipt.week == "2026-W02"
    assert row["status"] == "new"


def test_nothing_that_could_order_or_link_submissions_is_a_column(store):
    columns = store.query(
        "SELECT table_name, column_name, data_type FROM information_schema.columns WHERE table_name IN ('feedback', 'submission_tokens')"
    )
    assert set(columns.loc[columns.table_name == "feedback", "column_name"]) == {
        "id",
        "week",
        "language",
        "about",
        "feeling",
        "respondent",
        "text",
        "status",
        "closed_week",
    }
    assert set(columns.loc[columns.table_name == "submission_tokens", "column_name"]) == {
        "token_hash",
        "feedback_id",
        "week",
    }
    assert not columns["data_type"].str.upper().str.contains("TIME|DATE").any()


def test_ids_are_random_not_a_sequence(store):
    ids = [send(store).feedback_id for _ in range(5)]
    assert all(uuid.UUID(i).version == 4 for i in ids)


def test_the_token_is_kept_only_as_a_hash(store, location, stored_bytes):
    send(store, token="form-token-123")
    assert b"form-token-123" not in stored_bytes(location)
    assert len(store.query("SELECT * FROM submission_tokens")) == 1


def test_hostile_text_is_stored_exactly_as_written(store):
    hostile = (
        '=HYPERLINK("x") <script>alert(\'hi\')</script> Robert\'); DROP TABLE feedback;-- "quoted" \\ \t+1 @SUM(A1)'
    )
    send(store, text=hostile)
    assert store.query("SELECT text FROM feedback").text.tolist() == [hostile]


def test_nothing_about_a_submission_is_logged(store, caplog):
    caplog.set_level(logging.DEBUG)
    send(store, text="a very particular sentence", token="token-xyz")
    assert "particular" not in caplog.text and "token-xyz" not in caplog.text


# Refusals the person can act on


def test_a_double_click_stores_one_feedback_and_returns_the_same_receipt(store):
    first = send(store, token="same-form")
    again = send(store, token="same-form", text="a second click, maybe edited")
    assert again == first
    assert len(store.query("SELECT * FROM feedback")) == 1


def test_text_up_to_the_limit_is_taken_and_longer_text_refused_with_a_message(store):
    send(store, text="a" * MAX_TEXT)
    with pytest.raises(TooLong) as refused:
        send(store, text="a" * (MAX_TEXT + 1))
    assert (
        t("en", refused.value.key, **refused.value.fmt)
        == "Your feedback is too long. Please keep it under 5000 characters."
    )
    assert len(store.query("SELECT * FROM feedback")) == 1


def test_blank_text_is_refused(store):
    with pytest.raises(EmptyText):
        send(store, text="  \n ")


@pytest.mark.parametrize(
    "choice",
    [
        {"about": "Medical"},
        {"about": "../etc"},
        {"respondent": "police"},
        {"language": "fr"},
        {"feeling": 6},
        {"feeling": 0},
    ],
)
def test_a_choice_the_form_does_not_offer_is_refused(store, choice):
    with pytest.raises(InvalidChoice):
        send(store, **choice)
    assert store.query("SELECT * FROM feedback").empty


@pytest.mark.parametrize("about", ["general", "medical", "north-valley"])
def test_feedback_can_be_about_the_network_a_service_line_or_a_hub(store, about):
    send(store, about=about)
    assert store.query("SELECT about FROM feedback").about.tolist() == [about]


def test_at_most_30_feedbacks_a_minute_are_taken_from_everyone_together(location):
    ticks = Ticks()
    with open_store(location, rate_limiter=RateLimiter(clock=ticks)) as store:
        for _ in range(30):
            send(store)
        ticks.now = 20.0
        with pytest.raises(RateLimited) as refused:
            send(store)
        assert refused.value.retry_after == 40
        assert "40 seconds" in t("en", refused.value.key, **refused.value.fmt)
        ticks.now = 60.0
        send(store)
        assert len(store.query("SELECT * FROM feedback")) == 31


def test_the_limit_holds_when_forty_people_send_at_the_same_moment(location):
    start = threading.Barrier(40)
    outcomes = []

    def person():
        start.wait()
        try:
            send(store)
            outcomes.append("stored")
        except RateLimited:
            outcomes.append("slowed")

    with open_store(location, rate_limiter=RateLimiter(clock=Ticks())) as store:
        threads = [threading.Thread(target=person) for _ in range(40)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(outcomes) == ["slowed"] * 10 + ["stored"] * 30
        assert len(store.query("SELECT * FROM feedback")) == 30


def test_a_resent_form_is_answered_even_while_new_feedback_is_slowed(location):
    with open_store(location, rate_limiter=RateLimiter(limit=1, clock=Ticks())) as store:
        first = send(store, token="the-form")
        with pytest.raises(RateLimited):
            send(store)
        assert send(store, token="the-form") == first


def test_a_token_is_forgotten_after_the_following_week(store, clock):
    send(store, token="old-form")
    clock.day += timedelta(weeks=1)
    send(store, token="old-form")
    assert len(store.query("SELECT * FROM feedback")) == 1
    clock.day += timedelta(weeks=1)
    store.maintain()
    assert store.query("SELECT * FROM submission_tokens").empty


# Many at once, and crashes


def test_fifty_people_submitting_at_the_same_moment_each_store_exactly_once(store):
    start = threading.Barrier(50)
    receipts, errors = [], []

    def person(i):
        start.wait()
        try:
            receipts.append(send(store, text=f"feedback number {i}", token=f"form-{i}"))
        except Exception as error:  # noqa: BLE001 - the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=person, args=(i,)) for i in range(50)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    stored = store.query("SELECT id, text FROM feedback")
    assert sorted(stored.text) == sorted(f"feedback number {i}" for i in range(50))
    assert set(stored.id) == {r.feedback_id for r in receipts}


def test_the_same_form_sent_from_ten_threads_at_once_is_stored_once(store):
    start = threading.Barrier(10)
    receipts = []

    def click():
        start.wait()
        receipts.append(send(store, token="one-form"))

    threads = [threading.Thread(target=click) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(receipts)) == 1
    assert len(store.query("SELECT * FROM feedback")) == 1


BURST = """
import sys
from feedback.store import RateLimiter, open_store
store = open_store(sys.argv[1], rate_limiter=RateLimiter(limit=10**9))
for i in range(10**6):
    receipt = store.submit(text=f"burst {i}", about="general", respondent="not_said", language="en", token=f"t{i}")
    print(receipt.feedback_id, flush=True)
"""


def test_a_process_killed_mid_burst_loses_nothing_committed_and_the_store_opens(location):
    burst = subprocess.Popen(
        [sys.executable, "-c", BURST, location],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    committed = [burst.stdout.readline().strip() for _ in range(40)]
    os.kill(burst.pid, signal.SIGKILL)
    burst.wait()
    committed += burst.stdout.read().split()
    burst.stdout.close()

    with open_store(location) as reopened:
        stored = reopened.query("SELECT id FROM feedback").id.tolist()
        assert set(committed) <= set(stored)
        assert len(stored) == len(set(stored)) <= len(committed) + 1
        send(reopened)


# Schema versions


def test_a_version_1_store_with_feedback_in_it_is_upgraded_without_losing_any(location):
    rows = [
        ("a", "2025-W50", "es", "legal", 4, "survivor", "Gracias"),
        ("b", "2025-W51", "en", "general", None, "staff", "Long waits"),
    ]
    with plain_connection(location) as old:
        migrate(old, upto=1)
        for row in rows:
            old.execute(
                "INSERT INTO feedback (id, week, language, about, feeling, respondent, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                row,
            )
        old.execute("INSERT INTO submission_tokens VALUES ('hash', 'b', '2025-W51')")
        old.commit()

    with open_store(location) as upgraded:
        versions = upgraded.query("SELECT version FROM schema_version ORDER BY version").version.tolist()
        assert versions == list(range(1, SCHEMA_VERSION + 1))
        with upgraded.transaction() as con:
            after = con.execute(
                "SELECT id, week, language, about, feeling, respondent, text, status, closed_week FROM feedback ORDER BY id"
            ).fetchall()
        assert after == [(*row, "new", None) for row in rows]
        theme = review.add_theme(upgraded, "Waiting")
        review.set_themes(upgraded, "b", [theme])
        assert review.queue(upgraded, theme=theme).id.tolist() == ["b"]


def test_a_store_from_a_newer_version_of_the_app_is_refused(location):
    open_store(location).close()
    with plain_connection(location) as con:
        con.execute("INSERT INTO schema_version VALUES (?)", [SCHEMA_VERSION + 1])
        con.commit()
    with pytest.raises(StoreError, match="newer"):
        open_store(location)


# Retention and the order of rows in the store


def close_one(store, text):
    feedback_id = send(store, text=text).feedback_id
    theme = review.add_theme(store, f"Theme {uuid.uuid4().hex[:6]}")
    review.set_themes(store, feedback_id, [theme])
    review.set_status(store, feedback_id, "closed")
    return feedback_id


def test_closed_feedback_text_is_erased_from_the_store_after_the_retention_period(store, location, clock, stored_bytes):
    secret = "".join(string.ascii_letters[b % 52] for b in uuid.uuid4().bytes * 4)
    feedback_id = close_one(store, secret)
    review.add_note(store, feedback_id, f"note quoting {secret}")
    send(store, text="still open")
    assert secret.encode() in stored_bytes(location)

    clock.day = MONDAY + timedelta(days=179)
    assert store.maintain() == 0
    assert secret.encode() in stored_bytes(location)

    clock.day = MONDAY + timedelta(days=180)
    assert store.maintain() == 1
    assert secret.encode() not in stored_bytes(location)
    row = store.query("SELECT * FROM feedback WHERE id = ?", [feedback_id]).iloc[0]
    assert row["text"] is None and row["status"] == "closed"
    assert review.themes(store).feedback.tolist() == [1]
    assert review.notes(store, feedback_id).empty
    assert store.query("SELECT text FROM feedback WHERE text IS NOT NULL").text.tolist() == ["still open"]


def test_the_retention_period_can_be_set(store, clock):
    close_one(store, "short-lived")
    clock.day = MONDAY + timedelta(weeks=4)
    assert store.maintain(retention_days=28) == 1


def test_feedback_not_closed_is_never_erased(store, clock):
    send(store, text="kept while open")
    clock.day = MONDAY + timedelta(days=2000)
    assert store.maintain() == 0
    assert store.query("SELECT text FROM feedback").text.tolist() == ["kept while open"]


def test_after_maintenance_the_store_holds_feedback_by_week_then_random_id(store, clock):
    for week in range(3):
        clock.day = MONDAY + timedelta(weeks=week)
        for _ in range(8):
            send(store)
    physical = lambda: list(store.query("SELECT week, id FROM feedback").itertuples(index=False))  # noqa: E731
    assert physical() != sorted(physical())
    store.maintain()
    assert physical() == sorted(physical())


def test_after_maintenance_no_transaction_id_orders_the_feedback_in_postgresql(postgres, clock):
    url = postgres.new_store()
    with open_store(url, today=clock) as store:
        for _ in range(5):
            send(store)
        transaction_ids = "SELECT count(DISTINCT xmin::text) AS n FROM feedback"
        assert store.query(transaction_ids).n.item() == 5
        store.maintain()
        assert store.query(transaction_ids).n.item() == 1


# Backup


def fill(store):
    ids = [send(store, text=f"feedback {i}", feeling=None if i % 2 else i % 5 + 1).feedback_id for i in range(6)]
    waits = review.add_theme(store, "Waiting times")
    interpreters = review.add_theme(store, "Interpreters")
    review.set_themes(store, ids[0], [waits, interpreters])
    review.set_themes(store, ids[1], [waits])
    review.add_note(store, ids[0], "asked the hub")
    review.set_status(store, ids[2], "reviewed")
    review.set_status(store, ids[2], "closed")
    cycles.open_cycle(
        store,
        title="Shorter waits",
        owner="Advisory group",
        theme_ids=[waits],
        start=MONDAY,
        target=MONDAY + timedelta(days=90),
        measure={"metric": "waited_over_30_days_share", "geo_level": "network"},
    )


def test_a_backup_restores_every_table_exactly(tmp_path, store, new_location):
    fill(store)
    backup = tmp_path / "backup.duckdb"
    store.export_store(backup)
    with open_store(new_location()) as restored:
        restored.import_store(backup)
        original, copy = every_table(store), every_table(restored)
        for table in BACKED_UP_TABLES:
            pd.testing.assert_frame_equal(copy[table], original[table], obj=table)
        assert not original["feedback"].empty and not original["cycles"].empty


def test_a_backup_of_either_kind_of_store_restores_into_the_other(tmp_path, postgres, clock):
    kinds = {"DuckDB": lambda: str(tmp_path / f"{uuid.uuid4().hex}.duckdb"), "PostgreSQL": postgres.new_store}
    for source, target in (("DuckDB", "PostgreSQL"), ("PostgreSQL", "DuckDB")):
        with open_store(kinds[source](), today=clock) as original, open_store(kinds[target]()) as restored:
            fill(original)
            original.export_store(tmp_path / "backup.duckdb")
            restored.import_store(tmp_path / "backup.duckdb")
            assert every_row(restored) == every_row(original), f"{source} to {target}"
            assert every_row(original)["cycles"] != []


def test_restoring_a_backup_undoes_later_changes(tmp_path, store):
    fill(store)
    backup = tmp_path / "backup.duckdb"
    store.export_store(backup)
    before = every_table(store)
    send(store)
    review.add_theme(store, "Added after the backup")
    store.import_store(backup)
    for table in BACKED_UP_TABLES:
        pd.testing.assert_frame_equal(every_table(store)[table], before[table], obj=table)


def test_a_backup_holds_no_submission_tokens(tmp_path, store):
    send(store, token="a-form")
    backup = tmp_path / "backup.duckdb"
    store.export_store(backup)
    with duckdb.connect(str(backup), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM submission_tokens").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM feedback").fetchone() == (1,)


def test_a_file_that_is_not_a_backup_is_refused_and_the_store_kept(tmp_path, store):
    send(store)
    other = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(other)) as con:
        con.execute("CREATE TABLE cells (x INTEGER)")
    with pytest.raises(StoreError):
        store.import_store(other)
    assert len(store.query("SELECT * FROM feedback")) == 1


# One PostgreSQL store, several app processes


HOLDER = """
import sys
from feedback.store import RateLimiter, open_store
store = open_store(sys.argv[1], rate_limiter=RateLimiter(limit=3))
for i in range(2):
    store.submit(text="from the other process", about="general", respondent="not_said", language="en", token=f"other-{i}")
print("sent", flush=True)
sys.stdin.read()
"""


def test_the_rate_limit_counts_the_feedback_of_every_process_and_a_dead_process_frees_its_share(postgres):
    url = postgres.new_store()
    open_store(url).close()
    other = subprocess.Popen(
        [sys.executable, "-c", HOLDER, url],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    try:
        assert other.stdout.readline().strip() == "sent"
        with open_store(url, rate_limiter=RateLimiter(limit=3, clock=Ticks())) as store:
            send(store)
            with pytest.raises(RateLimited):
                send(store)
            other.kill()
            other.wait()
            send(store)
            assert len(store.query("SELECT * FROM feedback")) == 4
    finally:
        other.kill()
        other.communicate()


def test_a_process_frees_its_share_of_the_limit_when_the_minute_is_up_even_if_it_takes_no_more_feedback(postgres):
    url = postgres.new_store()
    ticks = Ticks()
    with (
        open_store(url, rate_limiter=RateLimiter(limit=2, clock=ticks)) as first,
        open_store(url, rate_limiter=RateLimiter(limit=2, clock=Ticks())) as second,
    ):
        send(first)
        send(first)
        with pytest.raises(RateLimited):
            send(second)
        ticks.now = 60.0
        deadline = time.monotonic() + 10
        while True:  # the first store's own thread gives its slots back within about a second
            try:
                send(second)
                break
            except RateLimited:
                assert time.monotonic() < deadline, "the first process never gave its slots back"
                time.sleep(0.2)


def test_the_same_form_sent_to_two_processes_at_once_is_stored_once(postgres):
    url = postgres.new_store()
    with open_store(url) as first, open_store(url) as second:
        start = threading.Barrier(20)
        receipts = []

        def click(store):
            start.wait()
            receipts.append(send(store, token="one-form"))

        threads = [threading.Thread(target=click, args=(store,)) for store in (first, second) * 10]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(receipts) == 20 and len(set(receipts)) == 1
        assert len(first.query("SELECT * FROM feedback")) == 1


def test_processes_starting_together_on_a_new_database_migrate_it_once(postgres):
    url = postgres.new_store()
    start = threading.Barrier(4)
    opened, errors = [], []

    def start_app():
        start.wait()
        try:
            opened.append(open_store(url))
        except Exception as error:  # noqa: BLE001 - the assertion below reports it
            errors.append(error)

    threads = [threading.Thread(target=start_app) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    try:
        assert errors == []
        assert opened[0].query("SELECT version FROM schema_version ORDER BY version").version.tolist() == list(
            range(1, SCHEMA_VERSION + 1)
        )
    finally:
        for store in opened:
            store.close()


def test_maintenance_waits_for_submissions_in_flight_and_loses_none(postgres, clock):
    url = postgres.new_store()
    with open_store(url, rate_limiter=RateLimiter(limit=10**6), today=clock) as store:
        stop = threading.Event()
        receipts = []

        def keep_sending():
            while not stop.is_set():
                receipts.append(send(store).feedback_id)

        senders = [threading.Thread(target=keep_sending) for _ in range(3)]
        for sender in senders:
            sender.start()
        try:
            for _ in range(3):
                store.maintain()
        finally:
            stop.set()
            for sender in senders:
                sender.join()
        assert sorted(store.query("SELECT id FROM feedback").id) == sorted(receipts)


# The words of the form


def test_every_language_has_exactly_the_english_keys_with_the_same_placeholders():
    english = catalogue("en")
    for lang in LANGUAGES:
        strings = catalogue(lang)
        assert set(strings) == set(english), lang
        for key, text in strings.items():
            assert _fields(text) == _fields(english[key]), (lang, key)
            assert text.strip(), (lang, key)


def _fields(text):
    return sorted(field for _, field, _, _ in string.Formatter().parse(text) if field)


@pytest.mark.parametrize(
    "error", [EmptyText(), TooLong(max=MAX_TEXT), InvalidChoice(), RateLimited(retry_after=5), FeedbackError()]
)
def test_every_refusal_has_a_message_in_every_language(error):
    for lang in LANGUAGES:
        assert t(lang, error.key, **error.fmt)


def test_strings_come_in_the_language_asked_with_english_as_fallback():
    assert t("es", "exit.button") == "Salir de esta página"
    assert t("en", "exit.hint") == "or press Shift 3 times"
    assert t("xx", "exit.button") == "Exit this page"
    with pytest.raises(KeyError):
        t("en", "no.such.key")


def test_what_the_person_is_shown_before_sending_is_exactly_what_is_stored(store):
    form = {
        "text": "Nobody called back. Write to ana@example.org.",
        "about": "housing",
        "respondent": "peer_mentor",
        "language": "vi",
        "feeling": 4,
    }
    preview = store.preview(**form)
    assert store.query("SELECT count(*) AS n FROM feedback").n.item() == 0
    receipt = store.submit(**form, token="t")
    row = store.query("SELECT * FROM feedback").iloc[0]
    assert (preview.text, preview.about, preview.respondent, preview.language, preview.feeling, preview.week) == (
        row["text"],
        row["about"],
        row["respondent"],
        row["language"],
        row["feeling"],
        receipt.week,
    )
    assert preview.text == "Nobody called back. Write to [email removed]."
    assert preview.removed == ("email",)


def test_the_preview_refuses_what_sending_would_refuse(store):
    with pytest.raises(TooLong):
        store.preview(text="x" * (MAX_TEXT + 1), about="general", respondent="staff", language="en")
    with pytest.raises(InvalidChoice):
        store.preview(text="Fine.", about="general", respondent="mayor", language="en")


@pytest.mark.parametrize(
    ("locale", "lang"),
    [("es-MX", "es"), ("vi", "vi"), ("zh-Hant-TW", "zh"), ("zh_CN", "zh"), ("fr-FR", "en"), ("", "en"), (None, "en")],
)
def test_the_form_opens_in_the_browsers_language_when_it_is_offered(locale, lang):
    assert language_for(locale) == lang


def test_by_default_the_store_lives_in_the_data_folder_apart_from_the_warehouse(home):
    with open_store() as store:
        assert isinstance(store, DuckDBStore)
        send(store)
    assert (home / "feedback.duckdb").exists()
    assert not (home / "warehouse.duckdb").exists()


def test_a_postgresql_url_in_the_setting_puts_the_store_there_and_nothing_in_the_data_folder(
    home, postgres, monkeypatch
):
    url = postgres.new_store()
    monkeypatch.setenv("HUBDASH_FEEDBACK_URL", url)
    with open_store() as store:
        assert isinstance(store, PostgresStore)
        send(store, text="kept in PostgreSQL")
    with psycopg.connect(url) as con:
        assert con.execute("SELECT text FROM feedback").fetchall() == [("kept in PostgreSQL",)]
    assert list(home.iterdir()) == []


def test_a_deployment_sets_the_limit_and_a_setting_that_is_not_a_count_is_refused_by_name(monkeypatch):
    from dashboard.web import feedback_ui

    monkeypatch.delenv("HUBDASH_FEEDBACK_PER_MINUTE", raising=False)
    assert feedback_ui.rate_limit() == 30
    monkeypatch.setenv("HUBDASH_FEEDBACK_PER_MINUTE", "120")
    assert feedback_ui.rate_limit() == 120
    for wrong in ("0", "-5", "lots", "2.5"):
        monkeypatch.setenv("HUBDASH_FEEDBACK_PER_MINUTE", wrong)
        with pytest.raises(ValueError, match="HUBDASH_FEEDBACK_PER_MINUTE must be a whole number"):
            feedback_ui.rate_limit()
