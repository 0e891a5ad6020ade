"""Benchmark: seed, ingest (with suppression) and audit, then each leadership page, cold and warm, in Chromium.

    python benchmarks/run.py                  # the default seed network (6 hubs, 36 months)
    python benchmarks/run.py --large          # the large network (50 hubs, 60 months)
    python benchmarks/run.py --skip-pages     # the warehouse stages only
    python benchmarks/run.py --hubs 12 --months 24   # any other size, to see how time grows
    python benchmarks/run.py --keep           # keep the throwaway data folder (extract, warehouse) to look at
    python benchmarks/run.py --pages-on DIR   # only the pages, on a data folder kept by an earlier --keep

Prints the time of each stage and the cells suppressed and why. A page is timed
as a leader sees it, in Debian's Chromium: from the request for its URL (a page
load, as typing it would) to its last chart drawn. Cold is the first request to a
freshly started app (every cache empty); warm is the same request again. Each is
the median of several, with the fastest and slowest.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from browser import LEADERSHIP_PAGES, finished, free_port, launch, serve, sign_in  # noqa: E402  (after the path)

from seed.generate import DEFAULT_HUBS, DEFAULT_MONTHS, LARGE_HUBS, LARGE_MONTHS, write_seed  # noqa: E402

STARTS = 3
"""Each page is timed cold once per fresh start of the app, then warm WARM_REQUESTS times."""
WARM_REQUESTS = 3


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", action="store_true", help=f"{LARGE_HUBS} hubs and {LARGE_MONTHS} months")
    parser.add_argument("--hubs", type=int, help=f"default {DEFAULT_HUBS} ({LARGE_HUBS} with --large)")
    parser.add_argument("--months", type=int, help=f"default {DEFAULT_MONTHS} ({LARGE_MONTHS} with --large)")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--pages-on", type=Path, metavar="DIR", help="time the pages alone, on this data folder")
    parser.add_argument("--keep", action="store_true", help="keep the data folder (extract, warehouse) to look at")
    args = parser.parse_args()
    if args.pages_on:
        time_pages(args.pages_on)
        return 0
    home = Path(tempfile.mkdtemp(prefix="hubdash-bench-"))
    os.environ["HUBDASH_HOME"] = str(home)
    try:
        return run(args, home)
    finally:
        if args.keep:
            print(f"data folder kept: {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


def run(args: argparse.Namespace, home: Path) -> int:
    hubs = args.hubs or (LARGE_HUBS if args.large else DEFAULT_HUBS)
    months = args.months or (LARGE_MONTHS if args.large else DEFAULT_MONTHS)
    from dashboard.pipeline import warehouse
    from dashboard.pipeline.ingest import ingest
    from dashboard.protection import audit

    print(f"network: {hubs} hubs, {months} months; data folder {home}")
    with stage("seed"):
        write_seed(home / "extract", hubs=hubs, months=months)
    with stage("ingest (validate, build, suppress, write)"):
        outcome = ingest(home / "extract", home / "warehouse.duckdb", progress=say)
    print("  cells: " + ", ".join(f"{n:,} {reason}" for reason, n in outcome.counts.items()))
    release = warehouse.read_release(home / "warehouse.duckdb")
    with stage("audit"):
        report = audit.intervals(release)
    print(f"  {len(report):,} suppressed cells checked, {int(report['at_risk'].sum())} at risk")
    if not args.skip_pages:
        time_pages(home)
    return 0


def time_pages(home: Path) -> None:
    from playwright.sync_api import sync_playwright

    port = free_port()
    with sync_playwright() as playwright:
        browser = launch(playwright)
        tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
        tab.set_default_timeout(120_000)
        with serve(home, port) as url:
            sign_in(tab, url, "leader", "leader-demo")
        for path, (title, charts) in LEADERSHIP_PAGES.items():
            cold, warm, errors = [], [], 0
            for _ in range(STARTS):
                with serve(home, port) as url:  # a new app, every cache empty; the sign-in cookie carries over
                    cold.append(drawn_in(tab, f"{url}/{path}", title, charts))
                    warm += [drawn_in(tab, f"{url}/{path}", title, charts) for _ in range(WARM_REQUESTS)]
                    errors += tab.get_by_test_id("stException").count()
            print(
                f"  /{path}: cold {spread(cold)}, warm {spread(warm)}, {charts} charts drawn, errors: {errors}",
                flush=True,
            )
        browser.close()


def drawn_in(tab, url: str, title: str, charts: int) -> float:
    """Seconds from asking for the page to its title shown and its charts drawn."""
    started = time.perf_counter()
    tab.goto(url)
    tab.get_by_role("heading", name=title, level=1).wait_for()
    finished(tab, charts)
    return time.perf_counter() - started


def spread(seconds: list[float]) -> str:
    ordered = sorted(seconds)
    return f"{statistics.median(ordered):.2f} s (of {len(ordered)}: {ordered[0]:.2f} to {ordered[-1]:.2f})"


def say(line: str) -> None:
    print(f"  {line}", flush=True)


class stage:
    def __init__(self, name: str):
        self.name = name

    def __enter__(self):
        self.started = time.perf_counter()

    def __exit__(self, *exc):
        print(f"{self.name}: {time.perf_counter() - self.started:.1f} s", flush=True)
        return False


if __name__ == "__main__":
    sys.exit(main())
