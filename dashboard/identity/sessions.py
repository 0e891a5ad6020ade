"""The session registry: the sign-ins that may still be resumed, one row each in sign-in.sqlite.

A session ends when its row goes: at sign-out (auth.py), when `hubdash users remove` ends a user's
sessions (users.py), after the idle timeout, or 12 hours after sign-in. Both of those modules use it,
so it lives below them.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .. import paths

LIFETIME = 12 * 3600.0
"""Seconds after sign-in when a session ends, however active."""
DEFAULT_IDLE_MINUTES = 30


def idle_timeout() -> float:
    """Seconds without activity after which a session ends: HUBDASH_SESSION_MINUTES, default 30."""
    text = os.environ.get("HUBDASH_SESSION_MINUTES", "").strip() or str(DEFAULT_IDLE_MINUTES)
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"HUBDASH_SESSION_MINUTES must be a whole number of minutes, 1 or more, not {text!r}")
    return int(text) * 60.0


def _store() -> Path:
    return paths.home() / "sign-in.sqlite"


@contextmanager
def _transaction(path: Path) -> Iterator[sqlite3.Connection]:
    """One SQLite transaction holding the write lock from the start: safe across threads and processes."""
    db = sqlite3.connect(path, timeout=10)
    try:
        with db:
            db.execute("BEGIN IMMEDIATE")
            yield db
    finally:
        db.close()


def _create_table(path: Path, schema: str) -> None:
    paths.private(path.parent)
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))  # private before SQLite writes to it
    with _transaction(path) as db:
        db.execute(schema)


def _erase_failed_sign_ins(path: Path) -> None:
    """Versions before the throttle moved to memory kept every username typed at sign-in in this
    file, a password typed in the wrong box among them: drop that table and rewrite the file
    (VACUUM), so the bytes are gone too."""
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    try:
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'failed_sign_ins'").fetchone():
            db.execute("DROP TABLE IF EXISTS failed_sign_ins")
            db.execute("VACUUM")
    finally:
        db.close()


class SessionRegistry:
    """The sessions that may still be resumed, a row each; a session ends when its row goes."""

    def __init__(self, path: Path, idle: float, clock: Callable[[], float] = time.time):
        self._path = path
        self._idle = idle
        self._clock = clock
        _create_table(
            path,
            "CREATE TABLE IF NOT EXISTS sessions (id TEXT PRIMARY KEY, username TEXT NOT NULL,"
            " source TEXT NOT NULL, started REAL NOT NULL, last_seen REAL NOT NULL)",
        )
        _create_table(
            path, "CREATE TABLE IF NOT EXISTS provider_sign_ins (fingerprint TEXT PRIMARY KEY, until REAL NOT NULL)"
        )
        _erase_failed_sign_ins(path)

    def first_use(self, fingerprint: str, until: float) -> bool:
        """Whether this is the first use of a sign-in at the provider; it is remembered until `until` (a timestamp).
        Only a hash is kept, never who signed in."""
        with _transaction(self._path) as db:
            db.execute("DELETE FROM provider_sign_ins WHERE until < ?", (self._clock(),))
            return (
                db.execute("INSERT OR IGNORE INTO provider_sign_ins VALUES (?, ?)", (fingerprint, until)).rowcount == 1
            )

    def start(self, username: str, source: str) -> str:
        session_id = secrets.token_urlsafe(32)
        now = self._clock()
        with _transaction(self._path) as db:
            db.execute("DELETE FROM sessions WHERE last_seen < ? OR started < ?", (now - self._idle, now - LIFETIME))
            db.execute("INSERT INTO sessions VALUES (?, ?, ?, ?, ?)", (session_id, username, source, now, now))
        return session_id

    def resume(self, session_id: str, username: str, source: str) -> bool:
        """Whether the session is still good, which counts as activity; a session that is not ends."""
        now = self._clock()
        with _transaction(self._path) as db:
            resumed = db.execute(
                "UPDATE sessions SET last_seen = ? WHERE id = ? AND username = ? AND source = ?"
                " AND last_seen >= ? AND started >= ?",
                (now, session_id, username, source, now - self._idle, now - LIFETIME),
            ).rowcount
            if not resumed:
                db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))
        return bool(resumed)

    def end(self, session_id: str) -> None:
        with _transaction(self._path) as db:
            db.execute("DELETE FROM sessions WHERE id = ?", (session_id,))

    def end_all(self, username: str) -> int:
        """End every session of this user; how many there were."""
        with _transaction(self._path) as db:
            return db.execute("DELETE FROM sessions WHERE username = ?", (username,)).rowcount


def session_registry() -> SessionRegistry:
    return SessionRegistry(_store(), idle_timeout())
