"""The feedback store: its own database, apart from the warehouse.

Two kinds keep the same rows under the same rules: a DuckDB file in the data
folder (the default, for one app process), or a PostgreSQL database named by
HUBDASH_FEEDBACK_URL (postgres.py), which several app processes share.

One feedback is: its text after scrubbing, the options chosen (what it is
about, a feeling from 1 to 5 or none, who the person is), the language of the
form, and the ISO week it was sent. Nothing else: no address, browser, cookie,
session, time of day, counter or anything that could link two feedbacks to
each other or one to a person. Ids are random (uuid4). This module logs
nothing.

Order of submission is the one thing a database can still give away: DuckDB
appends rows in the order they are written, and PostgreSQL also stamps each row
with its (rising) transaction id. Everything that lists feedback sorts it by
week, then by random id. And `maintain()` rewrites every table in that order,
so once it has run, nothing in the store orders the feedback of a week; until
then the rows (and the write-ahead log) of the weeks since the last run are in
the order they arrived. It should run at least weekly: on app start and from
the CLI.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import shutil
import threading
import time
import uuid
from abc import ABC, abstractmethod
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, closing, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol

import duckdb
import pandas as pd

from dashboard import paths
from dashboard.hierarchy import SERVICE_LINES

from .i18n import LANGUAGES
from .scrub import scrub

MAX_TEXT = 5000
GENERAL = "general"
RESPONDENTS = ("survivor", "family_member", "peer_mentor", "staff", "not_said")
FEELINGS = (1, 2, 3, 4, 5)
DEFAULT_RETENTION_DAYS = 180
DEFAULT_RATE_LIMIT = 30
"""New feedbacks a minute, from everyone together."""

_HUB_SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")


def iso_week(day: date) -> str:
    """'2026-W48': the only time a feedback carries."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


class FeedbackError(Exception):
    """A submission refused for a reason the person can act on.

    `key` names the message in the i18n catalogue; `fmt` fills it in:
    `t(lang, error.key, **error.fmt)`.
    """

    key = "error.failed"

    def __init__(self, **fmt: object) -> None:
        super().__init__(self.key)
        self.fmt = fmt


class EmptyText(FeedbackError):
    key = "error.empty"


class TooLong(FeedbackError):
    key = "error.too_long"


class InvalidChoice(FeedbackError):
    key = "error.invalid_choice"


class RateLimited(FeedbackError):
    key = "error.rate_limited"

    def __init__(self, retry_after: int) -> None:
        super().__init__(seconds=retry_after)
        self.retry_after = retry_after


class StoreError(Exception):
    """The store is not a feedback store this version of the app can use."""


class StoreUnavailable(StoreError):
    """The store cannot be opened now (the app holds the DuckDB file, or PostgreSQL does not answer)."""


class RateLimiter:
    """At most `limit` new feedbacks per `per_seconds`, across everyone.

    A flood is slowed without knowing who sends it, because knowing who would
    mean keeping what the store promises never to keep. Each feedback taken
    holds one of `limit` slots for `per_seconds`. The slots are this process's
    own (a DuckDB store has one writing process), or shared by every process of
    a PostgreSQL store (`share`). Either way the times stay in this process's
    memory: no time of any feedback is written anywhere. When every slot is
    held by other processes, when one frees is not known here, so the person is
    asked to wait the whole period. Thread-safe.
    """

    def __init__(
        self, limit: int = DEFAULT_RATE_LIMIT, per_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic
    ):
        self.limit = limit
        self.per_seconds = per_seconds
        self._clock = clock
        self._slots: Slots = LocalSlots(limit)
        self._held: deque[tuple[float, int]] = deque()
        """(when it frees, slot) for each slot this process holds, oldest first."""
        self._lock = threading.Lock()

    def share(self, slots: Slots) -> None:
        """Count against slots that other processes take too."""
        with self._lock:
            self._release(float("inf"))
            self._slots = slots

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            self._release(now)
            slot = self._slots.take()
            if slot is None:
                wait = self._held[0][0] - now if self._held else self.per_seconds
                raise RateLimited(retry_after=max(1, math.ceil(wait)))
            self._held.append((now + self.per_seconds, slot))

    def release_due(self) -> None:
        """Give back the slots whose time is up: other processes cannot, and they may be waiting for them."""
        with self._lock:
            self._release(self._clock())

    def _release(self, now: float) -> None:
        while self._held and self._held[0][0] <= now:
            self._slots.give(self._held.popleft()[1])


class Slots(Protocol):
    """The `limit` slots a RateLimiter counts against: `take` one free (None if none is), `give` it back."""

    def take(self) -> int | None: ...

    def give(self, slot: int) -> None: ...


class LocalSlots:
    """Slots only this process takes."""

    def __init__(self, limit: int):
        self._limit = limit
        self._never_taken = 0
        self._given_back: list[int] = []

    def take(self) -> int | None:
        if self._given_back:
            return self._given_back.pop()
        if self._never_taken < self._limit:
            self._never_taken += 1
            return self._never_taken - 1
        return None

    def give(self, slot: int) -> None:
        self._given_back.append(slot)


@dataclass(frozen=True)
class Receipt:
    feedback_id: str
    week: str


@dataclass(frozen=True)
class Preview:
    """Exactly what sending a form would store: shown to the person before they send it."""

    text: str
    """After scrubbing."""
    removed: tuple[str, ...]
    """The kinds of contact detail scrubbing removed (scrub.KINDS)."""
    about: str
    feeling: int | None
    respondent: str
    language: str
    week: str


MIGRATIONS = (
    # 1: intake. Submission tokens live apart from feedback: they exist only to
    # turn a double click into one feedback, are purged after a week, and never
    # leave the file.
    """
    CREATE TABLE feedback (
        id VARCHAR PRIMARY KEY,
        week VARCHAR NOT NULL,
        language VARCHAR NOT NULL,
        about VARCHAR NOT NULL,
        feeling TINYINT,
        respondent VARCHAR NOT NULL,
        text VARCHAR,
        status VARCHAR NOT NULL DEFAULT 'new'
    );
    CREATE TABLE submission_tokens (
        token_hash VARCHAR PRIMARY KEY,
        feedback_id VARCHAR NOT NULL,
        week VARCHAR NOT NULL
    );
    """,
    # 2: review. Notes are kept apart from the text people wrote.
    """
    ALTER TABLE feedback ADD COLUMN closed_week VARCHAR;
    CREATE TABLE themes (id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL);
    CREATE TABLE feedback_themes (
        feedback_id VARCHAR NOT NULL,
        theme_id VARCHAR NOT NULL,
        PRIMARY KEY (feedback_id, theme_id)
    );
    CREATE TABLE reviewer_notes (
        feedback_id VARCHAR NOT NULL,
        n INTEGER NOT NULL,
        week VARCHAR NOT NULL,
        note VARCHAR NOT NULL,
        PRIMARY KEY (feedback_id, n)
    );
    """,
    # 3: improvement cycles (plan, do, study, act), measured by a published metric.
    """
    CREATE TABLE cycles (
        id VARCHAR PRIMARY KEY,
        title VARCHAR NOT NULL,
        owner VARCHAR NOT NULL,
        start_date DATE NOT NULL,
        target_date DATE NOT NULL,
        measure VARCHAR NOT NULL,
        plan_notes VARCHAR NOT NULL DEFAULT '',
        do_notes VARCHAR NOT NULL DEFAULT '',
        study_notes VARCHAR NOT NULL DEFAULT '',
        act_notes VARCHAR NOT NULL DEFAULT '',
        status VARCHAR NOT NULL DEFAULT 'open',
        outcome VARCHAR
    );
    CREATE TABLE cycle_themes (
        cycle_id VARCHAR NOT NULL,
        theme_id VARCHAR NOT NULL,
        PRIMARY KEY (cycle_id, theme_id)
    );
    """,
)

SCHEMA_VERSION = len(MIGRATIONS)

TABLE_ORDER = {
    "feedback": "week, id",
    "submission_tokens": "week, token_hash",
    "themes": "id",
    "feedback_themes": "feedback_id, theme_id",
    "reviewer_notes": "feedback_id, n",
    "cycles": "id",
    "cycle_themes": "cycle_id, theme_id",
}
"""Every table, and the order a rewrite writes it in: nothing in it follows the order of submission."""

BACKED_UP_TABLES = tuple(name for name in TABLE_ORDER if name != "submission_tokens")


class Connection(Protocol):
    """A connection as the store's SQL uses it: `?` placeholders, `execute(...).fetchone()` / `.fetchall()`.
    A DuckDB connection is one; postgres.py wraps psycopg's."""

    def execute(self, sql: str, parameters: Sequence | None = None) -> Any: ...

    def begin(self) -> Any: ...

    def commit(self) -> Any: ...

    def rollback(self) -> Any: ...


def migrate(con: Connection, upto: int = SCHEMA_VERSION) -> None:
    """Bring a store up to version `upto`; each step and its version number commit together."""
    con.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    current = con.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()[0]
    if current > SCHEMA_VERSION:
        raise StoreError(f"the feedback store is at version {current}, newer than this app ({SCHEMA_VERSION})")
    for version in range(current + 1, upto + 1):
        con.begin()
        try:
            con.execute(MIGRATIONS[version - 1])
            con.execute("INSERT INTO schema_version VALUES (?)", [version])
            con.commit()
        except BaseException:
            con.rollback()
            raise


def deployment_location() -> str | Path:
    """This deployment's store: HUBDASH_FEEDBACK_URL if set, else feedback.duckdb in the data folder."""
    return paths.feedback_url() or paths.feedback_store()


def is_shared(location: str | Path) -> bool:
    """Whether `location` names a PostgreSQL database, which several app processes share, rather than a DuckDB file."""
    return str(location).startswith(("postgresql://", "postgres://"))


def open_store(location: str | Path | None = None, **options: Any) -> Store:
    """The feedback store at `location`: a postgresql:// URL, or the path of a DuckDB file.

    By default, the deployment's: HUBDASH_FEEDBACK_URL if set (several app
    processes share a PostgreSQL database), else feedback.duckdb in the data
    folder. `options` are Store's (rate_limiter, today).
    """
    location = location or deployment_location()
    if is_shared(location):
        from .postgres import PostgresStore

        return PostgresStore(str(location), **options)
    return DuckDBStore(location, **options)


class Store(ABC):
    """What every feedback store does the same way: check a form, take it once, erase, back up.

    DuckDBStore and PostgresStore keep the rows; the SQL here and in review.py
    and cycles.py runs unchanged on both.
    """

    location: str
    """Where the store is, for messages: a path, or a PostgreSQL database without its password."""

    def __init__(self, *, rate_limiter: RateLimiter | None = None, today: Callable[[], date] = date.today):
        self._rate_limiter = rate_limiter or RateLimiter()
        self._today = today

    @abstractmethod
    def close(self) -> None: ...

    @abstractmethod
    def query(self, sql: str, params: list | tuple = ()) -> pd.DataFrame: ...

    @abstractmethod
    def transaction(self) -> AbstractContextManager[Connection]:
        """The connection, inside one transaction that commits on success and rolls back on error."""

    @abstractmethod
    def import_store(self, path_in: str | Path) -> None:
        """Replace everything in the store by a backup from export_store, migrating it if it is older."""

    @abstractmethod
    def _copy_to(self, dest: Path, *, with_tokens: bool) -> None:
        """Write every table into a new DuckDB store file at `dest`, each in TABLE_ORDER."""

    @abstractmethod
    def _rewrite(self) -> None:
        """Rewrite every table in TABLE_ORDER, so that no old bytes and nothing of the order of submission stay."""

    def export_store(self, path_out: str | Path) -> None:
        """A backup of every table but the submission tokens, as a DuckDB file (either kind of store imports it)."""
        path_out = Path(path_out)
        staged = path_out.with_name(path_out.name + ".partial")
        _remove_database(staged)
        self._copy_to(staged, with_tokens=False)
        os.replace(staged, path_out)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def week(self) -> str:
        return iso_week(self._today())

    def preview(self, *, text: str, about: str, respondent: str, language: str, feeling: int | None = None) -> Preview:
        """What `submit` would store for this form now, or the FeedbackError it would refuse it with."""
        if not (about == GENERAL or about in SERVICE_LINES or _HUB_SLUG.fullmatch(about)):
            raise InvalidChoice()
        if respondent not in RESPONDENTS or language not in LANGUAGES or feeling not in (None, *FEELINGS):
            raise InvalidChoice()
        if not text.strip():
            raise EmptyText()
        if len(text) > MAX_TEXT:
            raise TooLong(max=MAX_TEXT)
        scrubbed = scrub(text)
        return Preview(scrubbed.text, scrubbed.removed, about, feeling, respondent, language, self.week())

    def submit(
        self,
        *,
        text: str,
        about: str,
        respondent: str,
        language: str,
        token: str,
        feeling: int | None = None,
    ) -> Receipt:
        """Store one feedback, as `preview` shows it; the same token again returns the first receipt.

        `token` is a random value the form draws with itself, so a double click
        or a re-sent form stores one feedback. It links nothing to a person, but
        only its hash is kept, and only for the week it was sent and the next.
        The token is claimed first: a second process sending the same form at
        the same moment waits for the first to commit, then answers with its receipt.
        """
        stored = self.preview(text=text, about=about, respondent=respondent, language=language, feeling=feeling)
        if not token:
            raise ValueError("a submission needs the token its form was drawn with")
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        receipt = Receipt(str(uuid.uuid4()), stored.week)
        with self.transaction() as con:
            claimed = con.execute(
                "INSERT INTO submission_tokens VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING feedback_id",
                [token_hash, receipt.feedback_id, receipt.week],
            ).fetchall()
            if not claimed:
                earlier = con.execute(
                    "SELECT feedback_id, week FROM submission_tokens WHERE token_hash = ?", [token_hash]
                ).fetchone()
                return Receipt(*earlier)
            self._rate_limiter.acquire()
            con.execute(
                "INSERT INTO feedback (id, week, language, about, feeling, respondent, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    receipt.feedback_id,
                    receipt.week,
                    stored.language,
                    stored.about,
                    stored.feeling,
                    stored.respondent,
                    stored.text,
                ],
            )
            con.execute("DELETE FROM submission_tokens WHERE week < ?", [self._last_week()])
        return receipt

    def maintain(self, retention_days: int = DEFAULT_RETENTION_DAYS) -> int:
        """Purge spent tokens, erase the text of feedback closed `retention_days` ago, rewrite every table.

        Erasing keeps a feedback's options, themes and counts; its text and its
        reviewer notes go. The period runs from the start of the week it was
        closed. Neither DuckDB nor PostgreSQL overwrites the bytes of a row it
        updates or deletes, so every table is then rewritten (in TABLE_ORDER).
        Returns how many texts were erased.
        """
        erase_closed_by = iso_week(self._today() - timedelta(days=retention_days))
        expired = "status = 'closed' AND closed_week <= ?"
        with self.transaction() as con:
            con.execute("DELETE FROM submission_tokens WHERE week < ?", [self._last_week()])
            con.execute(
                f"DELETE FROM reviewer_notes WHERE feedback_id IN (SELECT id FROM feedback WHERE {expired})",
                [erase_closed_by],
            )
            erased = con.execute(
                f"UPDATE feedback SET text = NULL WHERE text IS NOT NULL AND {expired} RETURNING id", [erase_closed_by]
            ).fetchall()
        self._rewrite()
        return len(erased)

    def _last_week(self) -> str:
        """Tokens of this week and the last are kept, so a form re-sent across midnight on Sunday still counts once."""
        return iso_week(self._today() - timedelta(weeks=1))


def read_backup(path_in: str | Path, staged: Path) -> None:
    """Copy a backup from export_store to `staged`, refusing a file that is not one, and migrate the copy."""
    shutil.copyfile(path_in, staged)
    try:
        with closing(duckdb.connect(str(staged))) as con:
            has_version = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
            ).fetchone()[0]
            if not has_version:
                raise StoreError(f"{path_in} is not a feedback store backup")
            migrate(con)
    except BaseException:
        _remove_database(staged)
        raise


class DuckDBStore(Store):
    """The embedded store: one DuckDB file in the data folder, written by one process.

    Writes are serialised through one connection and a lock: DuckDB allows one
    writing process, and inside that process this is the only writer. Each
    submission is one transaction, so a crash loses at most the one being
    written. Open one store per file per process: DuckDB shares one database
    instance per path within a process, and the file swaps below need that
    instance closed.
    """

    def __init__(self, path: str | Path, **options: Any):
        super().__init__(**options)
        self.path = Path(path)
        self.location = str(self.path)
        paths.private(self.path.parent)
        self._lock = threading.RLock()
        try:
            self._con = duckdb.connect(str(self.path))
        except duckdb.IOException as error:
            raise StoreUnavailable(
                f"cannot open the feedback store (is the app running? stop it first): {error}"
            ) from error
        migrate(self._con)

    def close(self) -> None:
        with self._lock:
            self._con.close()

    def query(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        with self._lock:
            return self._con.execute(sql, params).df()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        with self._lock:
            self._con.begin()
            try:
                yield self._con
            except BaseException:
                self._con.rollback()
                raise
            self._con.commit()

    def import_store(self, path_in: str | Path) -> None:
        staged = self._staging_path(".import")
        read_backup(path_in, staged)
        with self._lock:
            self._swap_in(staged)

    def _rewrite(self) -> None:
        """DuckDB leaves deleted bytes in its blocks: write a new file and swap it in."""
        with self._lock:
            staged = self._staging_path(".rewrite")
            self._copy_to(staged, with_tokens=True)
            self._swap_in(staged)

    def _staging_path(self, suffix: str) -> Path:
        staged = self.path.with_name(self.path.name + suffix)
        _remove_database(staged)
        return staged

    def _copy_to(self, dest: Path, *, with_tokens: bool) -> None:
        with closing(duckdb.connect(str(dest))) as fresh:
            migrate(fresh)
        with self._lock:
            self._con.execute(f"ATTACH '{_sql_string(dest)}' AS store_copy")
            try:
                with self.transaction() as con:
                    for table, order in TABLE_ORDER.items():
                        if with_tokens or table != "submission_tokens":
                            con.execute(f"INSERT INTO store_copy.{table} SELECT * FROM {table} ORDER BY {order}")
            finally:
                self._con.execute("DETACH store_copy")

    def _swap_in(self, staged: Path) -> None:
        """Atomically replace the store's file by `staged`; a crash leaves either the old file or the new."""
        self._con.close()
        try:
            os.replace(staged, self.path)
        finally:
            self._con = duckdb.connect(str(self.path))


def _sql_string(path: Path) -> str:
    return str(path).replace("'", "''")


def _remove_database(path: Path) -> None:
    path.unlink(missing_ok=True)
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
