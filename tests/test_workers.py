"""Worker processes end with the process that started them, however they were started."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

OWNER = textwrap.dedent("""
    import multiprocessing, os, sys, time
    from dashboard.protection import workers

    def pid(_):
        time.sleep(0.05)
        return os.getpid()

    if __name__ == "__main__":
        with workers.pool(2, mp_context=multiprocessing.get_context(sys.argv[1])) as pool:
            print(" ".join(map(str, set(pool.map(pid, range(20))))), flush=True)
            time.sleep(600)
""")


@pytest.mark.parametrize("start_method", ["fork", "forkserver", "spawn"])
def test_workers_end_when_their_owner_is_killed(tmp_path, start_method):
    script = tmp_path / "owner.py"
    script.write_text(OWNER)
    owner = subprocess.Popen(
        [sys.executable, str(script), start_method],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    worker_pids = [int(pid) for pid in owner.stdout.readline().split()]
    assert worker_pids and all(Path(f"/proc/{pid}").exists() for pid in worker_pids)
    owner.send_signal(signal.SIGKILL)
    owner.wait()
    deadline = time.monotonic() + 10
    while any(Path(f"/proc/{pid}").exists() for pid in worker_pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in worker_pids if Path(f"/proc/{pid}").exists()]
