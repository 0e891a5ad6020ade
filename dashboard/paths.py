"""Where everything lives: one data folder, named by HUBDASH_HOME.

Every command and the app default to it, so nothing needs a path typed on a
fresh machine, and a test or a second deployment points elsewhere by setting
one variable.
"""

from __future__ import annotations

import os
from pathlib import Path


def home() -> Path:
    configured = os.environ.get("HUBDASH_HOME")
    if configured:
        return Path(configured).expanduser()
    data_home = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(data_home) / "hubdash"


def private(folder: Path) -> Path:
    """Create `folder` and any parent it lacks owner-only (0700), and make every file this process creates from
    now on owner-only (0600): the data folder holds unsuppressed counts, feedback, sign-in records and the cookie
    key. A folder that exists already is left as it is (`hubdash doctor` says how to fix it)."""
    os.umask(0o077)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def warehouse() -> Path:
    """The published, suppressed figures: the only database the dashboard reads."""
    return home() / "warehouse.duckdb"


def feedback_store() -> Path:
    """The embedded feedback store, used unless feedback_url() names a shared one."""
    return home() / "feedback.duckdb"


def feedback_url() -> str | None:
    """A postgresql:// URL in HUBDASH_FEEDBACK_URL: the feedback store that several app processes share."""
    return os.environ.get("HUBDASH_FEEDBACK_URL", "").strip() or None


def users_file() -> Path | None:
    """The deployment's users file, if one is configured; None means demo accounts."""
    configured = os.environ.get("HUBDASH_USERS")
    return Path(configured).expanduser() if configured else None
