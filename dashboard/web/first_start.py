"""The first start on a fresh machine: the app answers at once while the built-in seed is published.

Publishing the seed takes minutes on a small machine, and a browser opened before the app listened would
get "connection refused". So `hubdash run` starts the publishing in a process of its own (`python -m
dashboard.web.first_start`), which writes its progress to first-start.log in the data folder, and then serves
the app at once; until the release is there, every page shows the step the publishing has reached, and
opens the dashboard by itself when it is done. The log also keeps the solver's own output off the terminal.
An empty embedded feedback store gets the seed's invented feedback and cycles (seed/feedback.py) first.
"""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

from .. import paths

LOG_NAME = "first-start.log"
EXTRACT_NAME = "seed-extract"
STEP = re.compile(r"^\[\s*[\d.]+s\] (?P<step>.+)$")
"""A progress line of `hubdash ingest` (cli._progress); anything else in the log is the solver's or Python's."""
FAILED = "first start failed: "


def log() -> Path:
    return paths.home() / LOG_NAME


def begin(url: str) -> None:
    """If there is no release yet, start publishing the seed in the background (unless that is under way
    already), and say what is happening and where to look."""
    from ..pipeline import warehouse

    path = paths.warehouse()
    if path.exists():
        return
    paths.private(paths.home())
    try:
        with warehouse.exclusive(path):
            pass
    except warehouse.Busy:
        print(f"Hub Dashboard: a release is being published to {path} already; {url} shows how far it has come.")
        return
    with open(log(), "w") as output:
        subprocess.Popen(
            [sys.executable, "-m", "dashboard.web.first_start"],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    print(
        f"Hub Dashboard: no release yet in {paths.home()}, so the built-in seed (invented figures) is being\n"
        "published in the background: a few minutes on two idle cores, longer on a busy machine.\n"
        + (
            "An empty feedback store gets invented feedback and improvement cycles (sign in as advisor).\n"
            if paths.feedback_url() is None
            else ""
        )
        + f"The app starts now at {url}: until the release is ready, every page shows how far it has come.\n"
        f"Its progress is also in {log()}"
    )


def state() -> tuple[str, str]:
    """("publishing", the latest step), ("failed", why) or ("absent", ""): what the log says."""
    try:
        lines = log().read_text(errors="replace").splitlines()
    except FileNotFoundError:
        return "absent", ""
    for line in reversed(lines):
        if line.startswith(FAILED):
            return "failed", line.removeprefix(FAILED)
        if step := STEP.match(line):
            return "publishing", step["step"]
    return "publishing", "starting"


def show_progress() -> None:
    """The page every URL shows while there is no release."""
    import streamlit as st

    st.title("Hub Dashboard")

    @st.fragment(run_every=2)
    def progress() -> None:
        if paths.warehouse().exists():
            st.rerun()
        status, detail = state()
        if status == "failed":
            st.error(
                f"Publishing the built-in seed failed: {detail}. The whole account is in {log()}; "
                "stop the app, then start it again to retry."
            )
        elif status == "absent":
            st.info(
                "No release has been published yet. Publish one with `hubdash ingest FOLDER` "
                "(see `hubdash ingest --help`); this page opens the dashboard when it is there."
            )
        else:
            st.info(
                "The built-in seed, a network of invented hubs, is being published: a few minutes on two idle "
                "cores. This page opens the dashboard by itself when it is ready."
            )
            st.caption(f"Now: {detail}")

    progress()


def _publish_seed() -> int:
    """Write the seed extract into the data folder and ingest it, saying why on failure (the log's last line).

    First, the seed's feedback and cycles go into the embedded feedback store if it holds none (a shared store,
    HUBDASH_FEEDBACK_URL, is a deployment's own): the app opens the store only once the release is there.
    `hubdash seed` and `hubdash ingest` run as commands, as a data team would run them, each a process writing
    into this log: the web layer calls the command line, it does not import it."""
    from seed.feedback import write_feedback

    extract = paths.private(paths.home()) / EXTRACT_NAME
    started = time.perf_counter()
    try:
        if paths.feedback_url() is None and write_feedback(paths.feedback_store()):
            print(f"[{time.perf_counter() - started:6.1f}s] invented feedback and cycles written", flush=True)
    except Exception as error:
        print(f"{FAILED}{type(error).__name__}: {error}", flush=True)
        raise
    for command in (["seed", "--out", str(extract)], ["ingest", str(extract)]):
        status = subprocess.run([sys.executable, "-m", "dashboard.cli", *command], stdin=subprocess.DEVNULL).returncode
        if status:
            print(f"{FAILED}hubdash {command[0]} stopped with exit {status} (why is above)", flush=True)
            return status
    print(f"[{time.perf_counter() - started:6.1f}s] done", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(_publish_seed())
