"""Benchmark: disclosure control before and after a change, in one run, on the same extract and machine.

    python benchmarks/disclosure.py --before 6a78b2a                      # the default seed (6 hubs, 36 months)
    python benchmarks/disclosure.py --before 6a78b2a --hubs 17 --months 36
    python benchmarks/disclosure.py --before 6a78b2a --hubs 50 --months 60

The commit given as --before is checked out in a throwaway git worktree; each side
ingests the same seeded extract with its own code (in a process of its own) and
audits its release with its own audit. Then today's audit attacks both releases
as the outsider and as the staff of each hub, with the extract format's order
rules (--without-order-rules: measure by measure, faster). Printed: ingest and audit time, primary and complementary cells, the
cells each attacker narrows, and per tier (period level x geography level x total
or by category) the share of cells hidden, for both sides.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SIDE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from pathlib import Path
from dashboard.pipeline import warehouse
from dashboard.protection import audit
from dashboard.pipeline.ingest import ingest
started = time.perf_counter()
outcome = ingest(Path(sys.argv[2]), Path(sys.argv[3]), progress=lambda line: print(line, file=sys.stderr, flush=True))
ingested = time.perf_counter() - started
started = time.perf_counter()
report = audit.intervals(warehouse.read_release(Path(sys.argv[3])))
audited = time.perf_counter() - started
print(json.dumps({"ingest": ingested, "audit": audited, "counts": outcome.counts,
                  "own_audit_at_risk": int(report["at_risk"].sum())}))
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--before", required=True, help="the commit to compare with (e.g. the last one before the change)"
    )
    parser.add_argument("--hubs", type=int, default=6)
    parser.add_argument("--months", type=int, default=36)
    parser.add_argument(
        "--without-order-rules", action="store_true", help="today's audit leaves the order rules out (faster)"
    )
    args = parser.parse_args()
    from dashboard.hierarchy import TOPICS  # noqa: F401  (fails early outside the project)
    from seed.generate import write_seed

    work = Path(tempfile.mkdtemp(prefix="hubdash-disclosure-"))
    old_tree = work / "before-code"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(old_tree), args.before],
        check=True,
        capture_output=True,
    )
    try:
        write_seed(work / "extract", hubs=args.hubs, months=args.months)
        print(f"network: {args.hubs} hubs, {args.months} months; before = {args.before}, after = the working tree")
        sides = {"before": old_tree, "after": ROOT}
        results = {name: side(name, tree, work) for name, tree in sides.items()}
        compare(results, not args.without_order_rules)
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(old_tree)], capture_output=True)
        print(f"(data kept in {work})")
    return 0


def side(name: str, tree: Path, work: Path) -> dict:
    warehouse = work / f"{name}-data" / "warehouse.duckdb"
    warehouse.parent.mkdir()
    print(f"{name}: ingesting and auditing with the code of {tree}", flush=True)
    run = subprocess.run(
        [sys.executable, "-c", SIDE, str(tree), str(work / "extract"), str(warehouse)], capture_output=True, text=True
    )
    (warehouse.parent / "progress.log").write_text(run.stderr)
    if run.returncode:
        print(run.stderr[-3000:])
        raise SystemExit(f"{name}: the ingest or audit failed")
    result = json.loads(run.stdout.strip().splitlines()[-1])
    result["warehouse"] = str(warehouse)
    return result


def compare(results: dict, order_rules: bool) -> None:
    from dashboard.hierarchy import shown_languages
    from dashboard.pipeline import warehouse
    from dashboard.pipeline.cube import true_figures
    from dashboard.protection import audit

    print()
    print(f"{'':44}{'before':>14}{'after':>14}")
    row("ingest (suppression included), s", *(f"{r['ingest']:.1f}" for r in results.values()))
    row("its own audit, s", *(f"{r['audit']:.1f}" for r in results.values()))
    for reason in ("primary", "complementary", "published"):
        row(f"cells {reason}", *(f"{r['counts'].get(reason, 0):,}" for r in results.values()))
    tiers, narrowed = {}, {}
    for name, result in results.items():
        path = Path(result["warehouse"])
        release = warehouse.read_release(path)
        truth = true_figures(warehouse.read_staging(path, release.number), shown_languages(release.cells))
        started = time.perf_counter()
        report = audit.intervals(release, truth=truth, order_rules=order_rules)
        result["full_audit"] = time.perf_counter() - started
        risky = report[report["at_risk"]]
        narrowed[name] = risky["attacker"].map(lambda a: "anyone" if a == "anyone" else "a hub's staff").value_counts()
        tiers[name] = hidden_by_tier(release.cells)
    row(
        f"today's audit (each hub's staff{', order rules' if order_rules else ''}), s",
        *(f"{r['full_audit']:.1f}" for r in results.values()),
    )
    for who in ("anyone", "a hub's staff"):
        row(f"cells narrowed below K by {who}", *(f"{int(narrowed[n].get(who, 0)):,}" for n in results))
    print()
    print("share of cells hidden, people counts (referrals, language access, outcomes)")
    for tier in tiers["after"].index:
        row(f"  {tier}", *(f"{tiers[n].get(tier, float('nan')):.1%}" for n in results))


def hidden_by_tier(cells):
    from dashboard.hierarchy import ALL, TOPICS

    people = cells[cells["topic"].map(lambda t: TOPICS[t].count_of_people)]
    detail = (people[["service_line", "language", "outcome"]] != ALL).any(axis=1)
    tier = (
        people["period_level"] + " x " + people["geo_level"] + " x " + detail.map({True: "by category", False: "total"})
    )
    return people["suppressed"].groupby(tier).mean().reindex(sorted(set(tier), key=_tier_order))


def _tier_order(tier: str) -> tuple:
    period, geo, kind = tier.split(" x ")
    return (["month", "quarter", "year"].index(period), ["hub", "region", "network"].index(geo), kind)


def row(label: str, before: str, after: str) -> None:
    print(f"{label:44}{before:>14}{after:>14}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
