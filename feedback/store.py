"""The feedback store: its own DuckDB file, apart from the warehouse.

One feedback is: its text after scrubbing, the options chosen (what it is
about, a feeling from 1 to 5 or none, who the person is), the language of the
form, and the ISO week it was sent. Nothing else: no address, browser, cookie,
session, time of day, counter or anything that could link two feedbacks to
each other or one to a person. Ids are random (uuid4). This module logs
nothing.

Order of submission is the one thing a file can still give away: DuckDB
appends rows in the order they are written. Everything that lists feedback
sorts it by week, then by random id. And `maintain()` rewrites the whole file
in that order, so once it has run, nothing in the file orders the feedback of
a week; until then the rows (and the write-ahead log) of the weeks since the
last run are in the order they arrived. It should run at least weekly: on
app start and from the CLI.

Writes are serialised through one connection and a lock: DuckDB allows one
writing process, and inside that process this is the only writer. Each
submission is one transaction, so a crash loses at most the one being written.
Open one Store per file per process: DuckDB shares one database instance per
path within a process, and the file swaps below need that instance closed.
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
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

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
    """The file is not a feedback store this version of the app can use."""


class RateLimiter:
    """At most `limit` new feedbacks per `per_seconds`, across everyone.

    A flood is slowed without knowing who sends it, because knowing who would
    mean keeping what the store promises never to keep. Thread-safe; in memory.
    """

    def __init__(self, limit: int = 30, per_seconds: float = 60.0, clock: Callable[[], float] = time.monotonic):
        self.limit = limit
        self.per_seconds = per_seconds
        self._clock = clock
        self._accepted: deque[float] = deque()
        self._lock = threading.Lock()

    def acquire(self) -> None:
        with self._lock:
            now = self._clock()
            while self._accepted and now - self._accepted[0] >= self.per_seconds:
                self._accepted.popleft()
            if len(self._accepted) >= self.limit:
                wait = self._accepted[0] + self.per_seconds - now
                raise RateLimited(retry_after=max(1, math.ceil(wait)))
            self._accepted.append(now)


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


def migrate(con: duckdb.DuckDBPyConnection, upto: int = SCHEMA_VERSION) -> None:
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


class Store:
    def __init__(
        self,
        path: str | Path | None = None,
        *,
        rate_limiter: RateLimiter | None = None,
        today: Callable[[], date] = date.today,
    ):
        self.path = Path(path) if path is not None else paths.feedback_store()
        paths.private(self.path.parent)
        self._rate_limiter = rate_limiter or RateLimiter()
        self._today = today
        self._lock = threading.RLock()
        self._con = duckdb.connect(str(self.path))
        migrate(self._con)

    def close(self) -> None:
        with self._lock:
            self._con.close()

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
        """
        stored = self.preview(text=text, about=about, respondent=respondent, language=language, feeling=feeling)
        if not token:
            raise ValueError("a submission needs the token its form was drawn with")
        token_hash = hashlib.sha256(token.encode()).hexdigest()
        with self.transaction() as con:
            earlier = con.execute(
                "SELECT feedback_id, week FROM submission_tokens WHERE token_hash = ?", [token_hash]
            ).fetchone()
            if earlier:
                return Receipt(*earlier)
            self._rate_limiter.acquire()
            receipt = Receipt(str(uuid.uuid4()), stored.week)
            con.execute(
                "INSERT INTO feedback (id, week, language, about, feeling, respondent, text) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [receipt.feedback_id, receipt.week, stored.language, stored.about, stored.feeling, stored.respondent, stored.text],
            )
            con.execute("INSERT INTO submission_tokens VALUES (?, ?, ?)", [token_hash, receipt.feedback_id, receipt.week])
            con.execute("DELETE FROM submission_tokens WHERE week < ?", [self._last_week()])
        return receipt

    def query(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        with self._lock:
            return self._con.execute(sql, params).df()

    @contextmanager
    def transaction(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """The connection, inside one transaction that commits on success and rolls back on error."""
        with self._lock:
            self._con.begin()
            try:
                yield self._con
            except BaseException:
                self._con.rollback()
                raise
            self._con.commit()

    def maintain(self, retention_days: int = DEFAULT_RETENTION_DAYS) -> int:
        """Purge spent tokens, erase the text of feedback closed `retention_days` ago, rewrite the file.

        Erasing keeps a feedback's options, themes and counts; its text and its
        reviewer notes go. The period runs from the start of the week it was
        closed. DuckDB leaves deleted bytes in its blocks, so the file is then
        rewritten (in week, id order) and swapped in. Returns how many texts
        were erased.
        """
        erase_closed_by = iso_week(self._today() - timedelta(days=retention_days))
        expired = "status = 'closed' AND closed_week <= ?"
        with self._lock:
            with self.transaction() as con:
                con.execute("DELETE FROM submission_tokens WHERE week < ?", [self._last_week()])
                con.execute(
                    f"DELETE FROM reviewer_notes WHERE feedback_id IN (SELECT id FROM feedback WHERE {expired})",
                    [erase_closed_by],
                )
                erased = con.execute(
                    f"UPDATE feedback SET text = NULL WHERE text IS NOT NULL AND {expired}", [erase_closed_by]
                ).fetchone()[0]
            staged = self._staging_path(".rewrite")
            self._copy_to(staged, with_tokens=True)
            self._swap_in(staged)
        return erased

    def export_store(self, path_out: str | Path) -> None:
        """A backup of every table but the submission tokens, as a DuckDB file."""
        path_out = Path(path_out)
        staged = path_out.with_name(path_out.name + ".partial")
        _remove_database(staged)
        with self._lock:
            self._copy_to(staged, with_tokens=False)
        os.replace(staged, path_out)

    def import_store(self, path_in: str | Path) -> None:
        """Replace everything in the store by a backup from export_store, migrating it if it is older."""
        staged = self._staging_path(".import")
        shutil.copyfile(path_in, staged)
        with closing(duckdb.connect(str(staged))) as con:
            has_version = con.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_name = 'schema_version'"
            ).fetchone()[0]
            if not has_version:
                raise StoreError(f"{path_in} is not a feedback store backup")
            migrate(con)
        with self._lock:
            self._swap_in(staged)

    def _last_week(self) -> str:
        """Tokens of this week and the last are kept, so a form re-sent across midnight on Sunday still counts once."""
        return iso_week(self._today() - timedelta(weeks=1))

    def _staging_path(self, suffix: str) -> Path:
        staged = self.path.with_name(self.path.name + suffix)
        _remove_database(staged)
        return staged

    def _copy_to(self, dest: Path, *, with_tokens: bool) -> None:
        """Write every table into a new store file at `dest`, each in TABLE_ORDER."""
        with closing(duckdb.connect(str(dest))) as fresh:
            migrate(fresh)
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
