"""Benchmark: seed, ingest (with suppression) and audit, then each leadership page cold and warm.

    python benchmarks/run.py                  # the default seed network (6 hubs, 36 months)
    python benchmarks/run.py --large          # the large network (50 hubs, 60 months)
    python benchmarks/run.py --skip-pages     # the warehouse stages only
    python benchmarks/run.py --hubs 12 --months 24   # any other size, to see how time grows
    python benchmarks/run.py --large --pages-only     # the pages on a warehouse of the large network's size
    python benchmarks/run.py --keep           # keep the throwaway data folder (extract, warehouse) to look at

--pages-only publishes the network with primary suppression alone (in the
benchmark's throwaway folder, never a release to serve) and times the pages: what
a page costs depends on how many cells the warehouse holds, not on which are
hidden, and the full protection of a network that large takes some 18 minutes.

Prints the time of each stage, the cells suppressed and why, and for each page
the time from the request to its charts drawn (AppTest runs the whole script:
cold = empty caches, warm = the same request again).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

LEADERSHIP_PAGES = ("referrals", "language-access", "funding", "outcomes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", action="store_true", help="50 hubs and 60 months")
    parser.add_argument("--hubs", type=int, help="default 6 (50 with --large)")
    parser.add_argument("--months", type=int, help="default 36 (60 with --large)")
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--pages-only", action="store_true", help="publish with primary suppression alone, time the pages")
    parser.add_argument("--keep", action="store_true", help="keep the data folder (extract, warehouse) to look at")
    args = parser.parse_args()
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
    hubs = args.hubs or (50 if args.large else 6)
    months = args.months or (60 if args.large else 36)
    from dashboard import audit, ingest as ingesting, warehouse
    from dashboard.ingest import ingest
    from seed.generate import write_seed

    print(f"network: {hubs} hubs, {months} months; data folder {home}")
    with stage("seed"):
        write_seed(home / "extract", hubs=hubs, months=months)
    if args.pages_only:
        ingesting.protect = primary_only
        with stage("ingest with primary suppression alone (not safe to publish)"):
            ingest(home / "extract", home / "warehouse.duckdb")
        time_pages()
        return 0
    with stage("ingest (validate, build, suppress, write)"):
        outcome = ingest(home / "extract", home / "warehouse.duckdb", progress=say)
    print("  cells: " + ", ".join(f"{n:,} {reason}" for reason, n in outcome.counts.items()))
    release = warehouse.read_release(home / "warehouse.duckdb")
    with stage("audit"):
        report = audit.audit(release)
    print(f"  {len(report):,} suppressed cells checked, {int(report['at_risk'].sum())} at risk")
    if not args.skip_pages:
        time_pages()
    return 0


def primary_only(cells, margins, hubs, blocks, threshold, **_):
    """Counts from 1 to K-1 hidden, nothing else: a warehouse of the right size for timing pages, nothing more."""
    from dashboard.disclosure import Protected
    from dashboard.hierarchy import CELL_KEY, TOPICS

    people = cells["topic"].map(lambda t: TOPICS[t].count_of_people).astype(bool)
    hidden = people & cells["value"].between(1, threshold - 1)
    published = cells[list(CELL_KEY)].assign(value=cells["value"].mask(hidden), suppressed=hidden.to_numpy())
    return Protected(cells=published, counts={"primary": int(hidden.sum())})


def time_pages() -> None:
    import streamlit as st
    from apptest import app, open_page, sign_in

    at = app()
    open_page(at, "referrals")
    sign_in(at, "leader", "leader-demo")
    for path in LEADERSHIP_PAGES:
        st.cache_data.clear()
        started = time.perf_counter()
        open_page(at, path)
        cold = time.perf_counter() - started
        started = time.perf_counter()
        open_page(at, path)
        warm = time.perf_counter() - started
        charts = len(at.get("arrow_vega_lite_chart")) + len(at.get("vega_lite_chart"))
        print(f"  /{path}: cold {cold:.2f} s, warm {warm:.2f} s, {charts} charts, errors: {len(at.exception)}")


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
