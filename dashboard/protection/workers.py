"""Worker processes that end with the process that started them.

A pool's worker waits on its task queue, and a forked worker holds that queue's
other end itself, so it never sees the parent die: an ingest or audit killed
mid-way (by an operator, the OOM killer, a test) would leave its workers behind,
each holding a copy of the data. Each worker watches the process that started
the pool and exits when it is gone.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_WATCH_SECONDS = 0.5


def pool(workers: int, **options) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, initializer=_exit_with, initargs=(os.getpid(),), **options)


def _exit_with(owner: int) -> None:
    """Exit once `owner` has ended.

    A forked or spawned worker is the owner's child, and is handed to another
    parent when the owner dies; one started by a fork server (Python 3.14's
    default) is the server's child, so it asks whether the owner still runs.
    """
    parent = os.getppid()

    def owner_runs() -> bool:
        if parent == owner:
            return os.getppid() == owner
        try:
            os.kill(owner, 0)
        except (ProcessLookupError, PermissionError):  # gone, or its pid now belongs to someone else's process
            return False
        return True

    def watch() -> None:
        while owner_runs():
            time.sleep(_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-owner", daemon=True).start()
