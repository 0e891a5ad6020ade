"""The feedback store on PostgreSQL, for several app processes behind one address (HUBDASH_FEEDBACK_URL).

The rows, the SQL and the rules are store.py's; this keeps them in a database
that every process reaches through a pool of connections (psycopg 3). What
sharing adds:

- Migrations run under an advisory lock, so processes that start together
  upgrade the store once.
- The rate limit's slots are advisory locks, held by one connection of each
  process: the limit counts every process's feedback, and the server keeps
  them in memory, so no time is written. A process that dies frees its slots
  at once (its connection closes).
- `maintain()` and `import_store()` rewrite every table in one transaction
  (TRUNCATE, then the rows again in TABLE_ORDER): PostgreSQL empties the old
  files, and every row then carries the same transaction id, so neither erased
  bytes nor the order of submission stay in the tables. VACUUM would free the
  space of erased rows, but not always overwrite their bytes. The write-ahead log
  still holds them, and the commit time of each submission, until its segments
  are recycled; so does any WAL archive, replica or base backup (README,
  "Anonymous feedback").
"""

from __future__ import annotations

import shutil
import tempfile
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool, PoolTimeout

from .store import BACKED_UP_TABLES, TABLE_ORDER, Store, StoreUnavailable, migrate, read_backup

ADVISORY_LOCKS = 1752523364
"""The key (int4, "hubd") under which this store takes its advisory locks: migrations, and the rate slots."""

POOL_SIZE = 8
"""Connections per process: Streamlit runs each session's script in its own thread."""

MISSING_TYPES = """
DO $$ BEGIN
    CREATE DOMAIN tinyint AS smallint CHECK (VALUE BETWEEN -128 AND 127);
EXCEPTION WHEN duplicate_object THEN NULL;
END $$
"""
"""The migrations name DuckDB's TINYINT, which PostgreSQL lacks."""

_LOCK_ORDER = ("submission_tokens", *(table for table in TABLE_ORDER if table != "submission_tokens"))
_DEADLOCK_TRIES = 3


class PgConnection:
    """A psycopg connection that takes the store's SQL as DuckDB does: `?` placeholders."""

    def __init__(self, raw: psycopg.Connection):
        self.raw = raw

    def execute(self, sql: str, parameters: Sequence | None = None) -> psycopg.Cursor:
        if parameters is None:
            return self.raw.execute(sql)
        return self.raw.execute(sql.replace("%", "%%").replace("?", "%s"), parameters)

    def begin(self) -> None:
        """Nothing to do: psycopg opens a transaction with the first statement."""

    def commit(self) -> None:
        self.raw.commit()

    def rollback(self) -> None:
        self.raw.rollback()


class AdvisorySlots:
    """A RateLimiter's slots as advisory locks (ADVISORY_LOCKS, slot) on one connection of this process.

    PostgreSQL lets a session take a lock it holds again, so the slots this
    process holds are never asked for.
    """

    def __init__(self, url: str, limit: int):
        self._url = url
        self._limit = limit
        self._mine: set[int] = set()
        self._con = psycopg.connect(url, autocommit=True)

    def take(self) -> int | None:
        candidates = (slot for slot in range(self._limit) if slot not in self._mine)
        while batch := [slot for _, slot in zip(range(256), candidates)]:
            taken = self._execute(
                "SELECT slot FROM unnest(%s::int[]) AS slot WHERE pg_try_advisory_lock(%s::int, slot) LIMIT 1",
                [batch, ADVISORY_LOCKS],
            )
            if taken:
                self._mine.add(taken[0])
                return taken[0]
        return None

    def give(self, slot: int) -> None:
        if slot in self._mine:
            self._mine.discard(slot)
            self._execute("SELECT pg_advisory_unlock(%s::int, %s::int)", [ADVISORY_LOCKS, slot])

    def close(self) -> None:
        self._con.close()

    def _execute(self, sql: str, parameters: list) -> tuple | None:
        """Run one statement; if the server dropped the connection (it restarted), reconnect once.
        Its locks went with the old connection, so this process holds no slot any more."""
        try:
            return self._con.execute(sql, parameters).fetchone()
        except psycopg.OperationalError:
            self._con.close()
            self._con = psycopg.connect(self._url, autocommit=True)
            self._mine.clear()
            return self._con.execute(sql, parameters).fetchone()


class PostgresStore(Store):
    """The feedback store in a PostgreSQL database that several app processes share."""

    def __init__(self, url: str, **options: Any):
        super().__init__(**options)
        info = conninfo_to_dict(url)
        self.location = (
            f"PostgreSQL database {info.get('dbname', '')} on {info.get('host', 'localhost')}:{info.get('port', 5432)}"
        )
        self._pool = ConnectionPool(
            url, min_size=1, max_size=POOL_SIZE, open=False, check=ConnectionPool.check_connection, name="feedback"
        )
        try:
            self._pool.open(wait=True, timeout=10)
            slots = AdvisorySlots(url, self._rate_limiter.limit)
        except (PoolTimeout, psycopg.OperationalError) as error:
            self._pool.close()
            raise StoreUnavailable(f"cannot reach the feedback store, {self.location}: {error}") from error
        self._slots = slots
        self._rate_limiter.share(slots)
        try:
            self._migrate()
        except BaseException:
            slots.close()
            self._pool.close()
            raise
        self._stop = threading.Event()
        self._releaser = threading.Thread(target=self._release_slots, name="feedback-rate-slots", daemon=True)
        self._releaser.start()

    def close(self) -> None:
        self._stop.set()
        self._releaser.join()
        self._slots.close()
        self._pool.close()

    def query(self, sql: str, params: list | tuple = ()) -> pd.DataFrame:
        with self._pool.connection() as raw:
            cursor = PgConnection(raw).execute(sql, params or None)
            if cursor.description is None:
                return pd.DataFrame()
            return pd.DataFrame(cursor.fetchall(), columns=[column.name for column in cursor.description])

    @contextmanager
    def transaction(self) -> Iterator[PgConnection]:
        with self._pool.connection() as raw:  # commits at the end of the block, rolls back on an error
            yield PgConnection(raw)

    def import_store(self, path_in: str | Path) -> None:
        folder = Path(tempfile.mkdtemp(prefix="hubdash-import-"))
        try:
            staged = folder / "backup.duckdb"
            read_backup(path_in, staged)
            with closing(duckdb.connect(str(staged), read_only=True)) as backup:
                rows = {
                    table: backup.execute(f"SELECT * FROM {table} ORDER BY {TABLE_ORDER[table]}").fetchall()
                    for table in BACKED_UP_TABLES
                }
            self._replace_tables(lambda con: rows)
        finally:
            shutil.rmtree(folder, ignore_errors=True)

    def _rewrite(self) -> None:
        self._replace_tables(
            lambda con: {
                table: con.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
                for table, order in TABLE_ORDER.items()
            }
        )

    def _replace_tables(self, rows_of: Callable[[PgConnection], dict[str, list[tuple]]]) -> None:
        """In one transaction, with every table to itself: read rows_of(...), empty every table, write those rows.

        The tables are locked in the order a submission takes them (tokens, then
        feedback), so the two never deadlock; submissions that arrive meanwhile
        wait their turn. A review action that takes them in another order may
        deadlock with it: PostgreSQL then cancels one of the two, and if that is
        this, it starts again.
        """
        for attempt in range(_DEADLOCK_TRIES):
            try:
                with self._pool.connection() as raw:
                    raw.execute(f"LOCK TABLE {', '.join(_LOCK_ORDER)} IN ACCESS EXCLUSIVE MODE")
                    tables = rows_of(PgConnection(raw))
                    raw.execute(f"TRUNCATE {', '.join(TABLE_ORDER)}")
                    with raw.cursor() as cursor:
                        for table, rows in tables.items():
                            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                                for row in rows:
                                    copy.write_row(row)
                return
            except psycopg.errors.DeadlockDetected:
                if attempt == _DEADLOCK_TRIES - 1:
                    raise

    def _copy_to(self, dest: Path, *, with_tokens: bool) -> None:
        with closing(duckdb.connect(str(dest))) as fresh, self._pool.connection() as raw:
            migrate(fresh)
            raw.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")  # every table as of one moment
            for table, order in TABLE_ORDER.items():
                if with_tokens or table != "submission_tokens":
                    rows = raw.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()
                    if rows:
                        fresh.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(rows[0]))})", rows)

    def _migrate(self) -> None:
        """Migrate under a session advisory lock: a process starting at the same moment waits, then finds it done."""
        with self._pool.connection() as raw:
            raw.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCKS])
            try:
                raw.execute(MISSING_TYPES)
                migrate(PgConnection(raw))
                raw.commit()
            finally:
                raw.rollback()
                raw.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCKS])

    def _release_slots(self) -> None:
        """Other processes cannot free this one's slots, so free them when their time is up, submission or not."""
        while not self._stop.wait(1.0):
            try:
                self._rate_limiter.release_due()
            except psycopg.Error:  # the server is away: its slots went with the connection
                pass
