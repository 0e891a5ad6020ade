"""The first start: `hubdash run` answers at once on a fresh data folder, and every page says how far the
publishing of the seed has come instead of failing for want of a release."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from apptest import app

from dashboard.web import first_start
from feedback import review
from feedback.store import open_store
from seed.feedback import RAISED, UNREVIEWED


def _log(home, *lines: str) -> None:
    (home / first_start.LOG_NAME).write_text("".join(f"{line}\n" for line in lines))


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _texts(at) -> str:
    return " ".join(element.value for kind in (at.info, at.error, at.caption) for element in kind)


def test_while_the_seed_is_published_the_app_shows_the_step_it_has_reached_and_nothing_else(home):
    _log(
        home,
        "wrote a synthetic extract",
        "[   0.2s] reading the extract",
        "Running HiGHS 1.16.0 (git hash: f3f113d): Copyright (c) 2026 under MIT licence terms",
        "[   6.8s] referrals/referred/2024: 1,221 hidden after 1 audit round(s)",
    )

    at = app()

    assert "is being published" in _texts(at)
    assert "Now: referrals/referred/2024: 1,221 hidden after 1 audit round(s)" in _texts(at)
    assert "HiGHS" not in _texts(at)
    assert not at.text_input and not at.sidebar.children, "no sign-in form, no menu: there is nothing to see yet"


def test_a_failed_publishing_says_so_and_where_to_read_why(home):
    _log(
        home,
        "[   0.2s] reading the extract",
        "Traceback (most recent call last):",
        f"{first_start.FAILED}MemoryError: out of memory",
    )

    assert first_start.state() == ("failed", "MemoryError: out of memory")
    texts = _texts(app())
    assert "Publishing the built-in seed failed: MemoryError: out of memory" in texts
    assert str(home / first_start.LOG_NAME) in texts


def test_without_a_release_or_a_first_start_the_app_says_how_to_publish_one(home):
    assert "Publish one with `hubdash ingest FOLDER`" in _texts(app())


def test_hubdash_run_on_a_fresh_folder_says_what_is_happening_and_answers_at_once(home):
    port = _free_port()
    env = {**os.environ, "HUBDASH_HOME": str(home)}
    server = subprocess.Popen(
        [sys.executable, "-m", "dashboard.cli", "run", "--port", str(port)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        said = "".join(server.stdout.readline() for _ in range(5))
        assert "the built-in seed (invented figures) is being" in said
        assert "An empty feedback store gets invented feedback and improvement cycles" in said
        assert f"The app starts now at http://127.0.0.1:{port}/" in said
        assert str(home / first_start.LOG_NAME) in said
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=5) as answer:
                    assert answer.status == 200
                    break
            except OSError:
                assert time.monotonic() < deadline, "the app did not answer within a minute"
                time.sleep(0.5)
        assert not (home / "warehouse.duckdb").exists(), "it answered before the seed was published"
        assert first_start.state()[0] == "publishing"
        while "invented feedback and cycles written" not in first_start.log().read_text():
            assert time.monotonic() < deadline, "the seed's feedback was not written within a minute"
            time.sleep(0.5)
        with open_store(home / "feedback.duckdb") as store:
            assert len(review.queue(store)) == sum(RAISED.values()) + len(UNREVIEWED)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(30)
