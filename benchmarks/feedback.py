"""Benchmark: the feedback form under load, on PostgreSQL (two app processes) and on DuckDB (one), in one run.

    python benchmarks/feedback.py                     # 200 submissions each way, 8 people at once
    python benchmarks/feedback.py --submissions 50 --people 4

Publishes a small seed network (3 hubs, 12 months) once, then for each store:
starts the app processes on it, and has `--people` browser tabs in Debian's
Chromium fill in and send forms, each a new visit (page load, write, check,
send), spread round-robin over the processes, until `--submissions` are
confirmed. Prints the throughput (confirmed submissions a second, over the
whole run) and the time from the click on the send button to the thanks shown:
median and 95th percentile. Then checks that each feedback was stored exactly
once. PostgreSQL runs with its defaults (fsync on) in a throwaway cluster;
the rate limit is lifted for the run (HUBDASH_FEEDBACK_PER_MINUTE).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from browser import launch, serve  # noqa: E402  (after the path)
from throwaway_postgres import throwaway_postgres  # noqa: E402

LETTERS = str.maketrans("0123456789", "ghijklmnop")
SEND = "Send feedback"
THANKS = "Thank you"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=200, help="confirmed submissions per store (default 200)")
    parser.add_argument("--people", type=int, default=8, help="browser tabs sending at once (default 8)")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="hubdash-feedback-bench-"))
    try:
        publish(home)
        with throwaway_postgres() as postgres, contextlib.ExitStack() as apps:
            os.environ["HUBDASH_FEEDBACK_PER_MINUTE"] = str(10 * args.submissions)
            os.environ["HUBDASH_FEEDBACK_URL"] = postgres.url()
            shared = [apps.enter_context(serve(home)) for _ in range(2)]
            report("PostgreSQL, 2 processes", asyncio.run(load(shared, args)), stored(postgres.url()), args)
            apps.close()
            del os.environ["HUBDASH_FEEDBACK_URL"]
            with serve(home) as alone:
                timings = asyncio.run(load([alone], args))
            report("DuckDB, 1 process", timings, stored(home / "feedback.duckdb"), args)
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


def publish(home: Path) -> None:
    from dashboard.pipeline.ingest import ingest
    from seed.generate import write_seed

    started = time.perf_counter()
    write_seed(home / "extract", hubs=3, months=12)
    ingest(home / "extract", home / "warehouse.duckdb")
    print(f"published a seed network (3 hubs, 12 months) in {time.perf_counter() - started:.0f} s", flush=True)


async def load(urls: list[str], args: argparse.Namespace) -> dict:
    """`args.people` tabs send forms, round-robin over `urls`, until `args.submissions` are confirmed."""
    from playwright.async_api import async_playwright

    queue: asyncio.Queue[int] = asyncio.Queue()
    for n in range(args.submissions):
        queue.put_nowait(n)
    sent: list[str] = []
    waits: list[float] = []

    async def person(browser) -> None:
        context = await browser.new_context(viewport={"width": 1280, "height": 900})
        tab = await context.new_page()
        tab.set_default_timeout(120_000)
        while not queue.empty():
            n = queue.get_nowait()
            text = f"Benchmark feedback: {uuid.uuid4().hex.translate(LETTERS)}"  # no digits: nothing to scrub
            waits.append(await send_one(tab, urls[n % len(urls)], text))
            sent.append(text)
        await context.close()

    async with async_playwright() as playwright:
        browser = await launch(playwright)
        started = time.perf_counter()
        await asyncio.gather(*(person(browser) for _ in range(args.people)))
        elapsed = time.perf_counter() - started
        await browser.close()
    return {"elapsed": elapsed, "waits": waits, "sent": sent}


async def send_one(tab, url: str, text: str) -> float:
    """One visit: load the form, write, check, send. Seconds from the click on send to the thanks shown."""
    await tab.goto(f"{url}/feedback")
    await tab.get_by_role("textbox").fill(text)
    await tab.get_by_role("button", name="Show what will be stored").click()
    send = tab.get_by_role("button", name=SEND)
    await send.wait_for()
    started = time.perf_counter()
    await send.click()
    await tab.get_by_text(THANKS, exact=True).wait_for()
    return time.perf_counter() - started


def stored(where) -> list[str]:
    from feedback.store import open_store

    with open_store(where) as store:
        return store.query("SELECT text FROM feedback")["text"].tolist()


def report(name: str, timings: dict, texts: list[str], args: argparse.Namespace) -> None:
    waits = sorted(timings["waits"])
    p95 = waits[max(0, round(0.95 * len(waits)) - 1)]
    once = sorted(texts) == sorted(timings["sent"])
    print(
        f"{name}: {len(waits)} submissions by {args.people} people in {timings['elapsed']:.1f} s = "
        f"{len(waits) / timings['elapsed']:.2f} a second; send to thanks: median {statistics.median(waits):.2f} s, "
        f"95th percentile {p95:.2f} s, slowest {waits[-1]:.2f} s; each stored exactly once: {'yes' if once else 'NO'}",
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
