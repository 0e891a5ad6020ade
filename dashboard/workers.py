"""Worker processes that end with the process that started them.

A pool's worker waits on its task queue, and a forked worker holds that queue's
other end itself, so it never sees the parent die: an ingest or audit killed
mid-way (by an operator, the OOM killer, a test) would leave its workers behind,
each holding a copy of the data. Each worker watches its parent and exits when
the parent is gone.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

_WATCH_SECONDS = 0.5


def pool(workers: int, **options) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, initializer=_exit_with, initargs=(os.getpid(),), **options)


def _exit_with(parent: int) -> None:
    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(_WATCH_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()
