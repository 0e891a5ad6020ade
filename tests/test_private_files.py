"""The data folder and every file in it are readable by their owner only, whatever the umask.

The folder holds the unsuppressed staging store, survivors' feedback, sign-in records and the cookie key.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dashboard.identity import auth, sessions
from feedback.store import open_store


@pytest.fixture
def new_home(tmp_path, monkeypatch) -> Path:
    """A data folder that does not exist yet, in a process with the usual umask (world-readable files)."""
    home = tmp_path / "new" / "hubdash"
    monkeypatch.setenv("HUBDASH_HOME", str(home))
    monkeypatch.delenv("HUBDASH_COOKIE_KEY", raising=False)
    umask = os.umask(0o022)
    yield home
    os.umask(umask)


def modes(home: Path) -> dict[str, str]:
    """The folder's mode, and each file's, for files present while the stores are open too (a WAL)."""
    return {str(p.relative_to(home)): oct(p.stat().st_mode & 0o777) for p in [home, *home.rglob("*")]}


def test_the_feedback_store_is_private(new_home):
    with open_store(new_home / "feedback.duckdb"):
        while_open = modes(new_home)

    assert "feedback.duckdb" in while_open
    assert while_open == {".": oct(0o700)} | {name: oct(0o600) for name in while_open if name != "."}
    assert modes(new_home) == {".": oct(0o700), "feedback.duckdb": oct(0o600)}


def test_the_sign_in_store_and_cookie_key_are_private(new_home):
    auth.cookie_key()
    sessions.SessionRegistry(new_home / "sign-in.sqlite", idle=60).start("leader", "a client")

    assert modes(new_home) == {".": oct(0o700), "cookie.key": oct(0o600), "sign-in.sqlite": oct(0o600)}
