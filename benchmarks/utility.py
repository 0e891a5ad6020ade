"""Benchmark: how much the dashboard can show under disclosure control (issue 13), on the default seed.

    python benchmarks/utility.py                     # seed, ingest, then measure the release and the pages
    python benchmarks/utility.py --before REV        # also REV's release and pages, in the same run, on the same extract
    python benchmarks/utility.py --on DIR            # a data folder kept by `benchmarks/run.py --keep` (no ingest)
    python benchmarks/utility.py --skip-pages --skip-tau-argus

Printed, for the working tree (and REV, with --before):
1. The pages. Each leadership page, driven whole (dashboard/web/app.py, signed in) through Streamlit's AppTest, for
   `leader` at every place (the network, each region, each hub) and for a lead of each hub (a users file with
   one such account per hub) at the place the page opens on and at their own hub, each at every period level;
   the other filters at their defaults. Counted: the counts of people in the page's tables (what its CSV
   downloads hold), shown or hidden. A cell is hidden if it reads "suppressed" or "hidden ..." (or is empty in a
   column of whole numbers); shown if it is a whole number. Rates (a column with a "%" or "not shown"), money
   (columns naming a budget or spending) and period labels are not counted.
2. Per tier (period level x geography level x total or by category) of the release's counts of people: the share
   of cells hidden and the sum of their true values (from the staging store).
3. The issue's targets, from the release and the staging store: hub x quarter and hub x year totals at or
   above K shown, per measure (outcomes: all outcomes together); region and network totals at or above K
   shown, with the hidden region totals of a two-hub region whose other hub's total is 1..K-1 counted apart;
   interpreter coverage shown per language group at network x year (the language page's own query). Beside
   them, the most any release could show (least_hidden): for each figure and period alone, the fewest hub and
   region totals that must be hidden, against anyone and each hub's staff, while every network total is
   published; a release has more relations, so it can only show less.
4. Tau-Argus Modular (HiTaS, through `pytauargus`, whose wheel bundles the native Tau-Argus libraries and HiGHS)
   on the referrals: one table per measure and year, year/quarter/month x network/region/hub x service line,
   every cell's true value and status given: 1..K-1 unsafe with an upper protection level of K, a hub's month
   by service line (which the release does not publish) unsafe with no protection level, the rest safe. The hub
   and region totals it hides are compared with the release's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from seed.generate import DEFAULT_HUBS, DEFAULT_MONTHS, write_seed

ROOT = Path(__file__).resolve().parents[1]

LEVELS = ("year", "quarter", "month")
PASSWORD = "utility-benchmark-only"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--before", metavar="REV", help="also measure this commit's ingest and pages")
    parser.add_argument("--on", type=Path, metavar="DIR", help="measure this data folder (holding warehouse.duckdb)")
    parser.add_argument("--hubs", type=int, default=DEFAULT_HUBS)
    parser.add_argument("--months", type=int, default=DEFAULT_MONTHS)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-tau-argus", action="store_true")
    parser.add_argument("--side", nargs=3, metavar=("TREE", "HOME", "EXTRACT"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.side:
        tree, home, extract = args.side
        print(json.dumps(measure(Path(tree), Path(home), Path(extract) if extract != "-" else None, args.skip_pages)))
        return 0
    sys.path.insert(0, str(ROOT))
    work = Path(tempfile.mkdtemp(prefix="hubdash-utility-"))
    trees = {"after": ROOT}
    if args.before:
        trees = {"before": work / "before-code", **trees}
        subprocess.run(
            ["git", "-C", str(ROOT), "worktree", "add", "--detach", str(trees["before"]), args.before],
            check=True,
            capture_output=True,
        )
    try:
        if args.on:
            homes, extract = {"after": args.on.resolve()}, None
            if args.before:
                raise SystemExit("--on measures one data folder: give --before without it")
        else:
            extract = work / "extract"
            write_seed(extract, hubs=args.hubs, months=args.months)
            homes = {name: work / f"{name}-home" for name in trees}
            print(f"network: {args.hubs} hubs, {args.months} months; work folder {work}", flush=True)
        results = {name: side(name, trees[name], homes[name], extract, args.skip_pages) for name in trees}
        report(results, homes["after"], args.skip_tau_argus, work)
    finally:
        if args.before:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(trees["before"])], capture_output=True
            )
        print(f"(data kept in {work})")
    return 0


def side(name: str, tree: Path, home: Path, extract: Path | None, skip_pages: bool) -> dict:
    """One commit's code ingests (unless measuring a kept folder) and measures, in a process of its own."""
    print(f"{name}: {'ingesting and measuring' if extract else 'measuring'} with the code of {tree}", flush=True)
    home.mkdir(exist_ok=True)
    command = [sys.executable, __file__, "--side", str(tree), str(home), str(extract or "-")]
    run = subprocess.run(command + (["--skip-pages"] if skip_pages else []), capture_output=True, text=True)
    (home.parent / f"{name}-progress.log").write_text(run.stderr)
    if run.returncode:
        print(run.stderr[-3000:])
        raise SystemExit(f"{name}: the ingest or a measure failed")
    return json.loads(run.stdout.strip().splitlines()[-1])


# One side, in its own process: `dashboard` is that tree's


def measure(tree: Path, home: Path, extract: Path | None, skip_pages: bool) -> dict:
    """Everything but Tau-Argus for one tree's release, as JSON-ready lists; the true values come from the staging store."""
    sys.path[:0] = [str(tree), str(tree / "tests")]
    os.environ["HUBDASH_HOME"] = str(home)
    from dashboard.hierarchy import CELL_KEY, shown_languages
    from dashboard.pipeline import warehouse
    from dashboard.pipeline.cube import build_cube

    path = home / "warehouse.duckdb"
    result = {}
    if extract is not None:
        from dashboard.pipeline.ingest import ingest

        started = time.perf_counter()
        ingest(extract, path, progress=lambda line: print(line, file=sys.stderr, flush=True))
        result["ingest"] = time.perf_counter() - started
    release = warehouse.read_release(path)
    truth = build_cube(warehouse.read_staging(path, release.number), shown_languages(release.cells))[
        [*CELL_KEY, "value"]
    ]
    cells = release.cells.merge(truth.rename(columns={"value": "true"}), on=list(CELL_KEY), how="left")
    cells = people_counts(cells)
    result["threshold"] = release.threshold
    result["tiers"] = tiers(cells)
    result["targets"] = targets(cells, release.hubs, release.threshold)
    result["least_hidden"] = least_hidden(cells, release.hubs, release.threshold)
    result["coverage"] = coverage(path)
    referral_totals = cells[
        (cells["topic"] == "referrals") & cells["geo_level"].isin(["hub", "region"]) & is_total(cells)
    ]
    result["referral_totals"] = referral_totals[
        ["measure", "period_level", "period", "geo_level", "geo", "suppressed"]
    ].values.tolist()
    if not skip_pages:
        started = time.perf_counter()
        result["pages"] = pages(home, release.hubs)
        result["pages_seconds"] = time.perf_counter() - started
    return result


def people_counts(cells):
    from dashboard.hierarchy import TOPICS

    return cells[cells["topic"].map(lambda t: TOPICS[t].count_of_people)].reset_index(drop=True)


def is_total(cells):
    """A total along every breakdown, or an outcome's figure (outcomes are published by outcome only)."""
    return (cells[["service_line", "language", "funding_stream"]] == "all").all(axis=1)


def tier_of(cells):
    detail = (cells[["service_line", "language", "outcome"]] != "all").any(axis=1)
    return (
        cells["period_level"] + " x " + cells["geo_level"] + " x " + detail.map({True: "by category", False: "total"})
    )


def tiers(cells) -> list[list]:
    """[tier, cells, hidden, sum of hidden true values], tiers in order."""
    grouped = cells.assign(tier=tier_of(cells), hidden_true=cells["true"].where(cells["suppressed"], 0)).groupby("tier")
    table = grouped.agg(cells=("suppressed", "size"), hidden=("suppressed", "sum"), hidden_sum=("hidden_true", "sum"))
    return [[tier, int(r.cells), int(r.hidden), int(r.hidden_sum)] for tier, r in table.iterrows()]


def targets(cells, hubs, k: int) -> dict:
    """hub: [figure, quarter shown, of, largest hidden, year shown, of, largest hidden] of the hub totals >= K;
    upper: [geo level, shown, of, hidden two-hub-region exceptions, other hidden] of the region and network totals >= K."""
    totals = cells[is_total(cells)].copy()
    totals["figure"] = totals["topic"].map({"outcomes": "outcomes: "}).fillna("") + totals["measure"]
    large = totals[totals["true"] >= k]

    hub_rows = []
    for figure, group in large[large["geo_level"] == "hub"].groupby("figure", sort=False):
        row = [figure]
        for level in ("quarter", "year"):
            at = group[group["period_level"] == level]
            row += [
                int((~at["suppressed"]).sum()),
                len(at),
                int(at.loc[at["suppressed"], "true"].max()) if at["suppressed"].any() else 0,
            ]
        hub_rows.append(row)

    region_of = dict(zip(hubs["hub"], hubs["region"]))
    two_hub_regions = {r for r, n in hubs["region"].value_counts().items() if n == 2}
    hub_totals = totals[totals["geo_level"] == "hub"].assign(region=lambda f: f["geo"].map(region_of))
    keys = ["topic", "measure", "period_level", "period", "outcome", "region"]
    small_neighbour = hub_totals[
        (hub_totals["true"] >= 1) & (hub_totals["true"] < k) & hub_totals["region"].isin(two_hub_regions)
    ][keys].drop_duplicates()
    upper = []
    for geo_level in ("region", "network"):
        at = large[large["geo_level"] == geo_level]
        hidden = at[at["suppressed"]]
        excepted = 0
        if geo_level == "region" and len(hidden):
            flagged = hidden.rename(columns={"geo": "region"}).merge(small_neighbour, on=keys, how="inner")
            excepted = len(flagged)
        upper.append([geo_level, int((~at["suppressed"]).sum()), len(at), excepted, len(hidden) - excepted])
    return {"hub": hub_rows, "upper": upper, "two_hub_regions": sorted(two_hub_regions)}


LEAST_HIDDEN_UP_TO = 12
"""least_hidden tries every choice of hub and region totals to hide: only up to this many of them per figure."""


def least_hidden(cells, hubs, k: int) -> list[list]:
    """[figure, period level, hub totals >= K, least of them hidden, region totals >= K, least of them hidden,
    figures whose network total must be hidden] for the quarterly and yearly hub, region and network totals.

    The least any release can hide while publishing every network total, against the outsider and the staff of
    each hub: each figure and period alone, with only the sums between its hubs, regions and network, and each
    place's months (a release has more relations, which only narrow cells further, so it must hide at least
    this many). A total of n months one of which is small must be hidden unless it is at least K + n (with all
    n hidden, the small one spans total - n values), and when hidden no attacker may hold it below K + n. Tried
    choice by choice, fewest hidden first; where none keeps the network total, it is hidden too. Empty on
    networks with more than LEAST_HIDDEN_UP_TO hubs and regions."""
    from dashboard.hierarchy import quarter_of

    hub_names = sorted(hubs["hub"])
    regions = sorted(hubs["region"].unique())
    if len(hub_names) + len(regions) > LEAST_HIDDEN_UP_TO:
        return []
    places = hub_names + regions + ["network"]
    sums = [[places.index(r), *(places.index(h) for h in hubs.loc[hubs["region"] == r, "hub"])] for r in regions]
    sums.append([len(places) - 1, *(places.index(r) for r in regions)])
    totals = cells[is_total(cells)].copy()
    totals["figure"] = totals["topic"].map({"outcomes": "outcomes: "}).fillna("") + totals["measure"]
    months = totals[totals["period_level"] == "month"]
    months = months.assign(quarter=months["period"].map(quarter_of), year=months["period"].str.slice(0, 4))
    months = months.assign(small=(months["true"] >= 1) & (months["true"] < k))
    # Per level, (figure, outcome, place, period) -> the least a total must reach if one of its months is small.
    reach = {
        level: months.groupby(["figure", "outcome", "geo", level]).agg(small=("small", "any"), n=("small", "size"))
        for level in ("quarter", "year")
    }
    found = {}
    totals = totals[totals["period_level"].isin(["quarter", "year"])]
    for (figure, level, period, outcome), group in totals.groupby(
        ["figure", "period_level", "period", "outcome"], sort=False
    ):
        value = group.set_index("geo")["true"].reindex(places).to_numpy(dtype=float)
        at = reach[level].reindex([(figure, outcome, place, period) for place in places])
        least_top = np.where(at["small"].fillna(False).to_numpy(bool), k + at["n"].fillna(0).to_numpy(), 0.0)
        least = _least_hiding(value, least_top, sums, len(hub_names), k)
        big = value >= k
        row = found.setdefault((figure, level), [0, 0, 0, 0, 0])
        hub_big, region_big = int(big[: len(hub_names)].sum()), int(big[len(hub_names) : -1].sum())
        row[0] += hub_big
        row[2] += region_big
        if least is None:  # even with the network hidden: count everything large as hidden
            row[1], row[3], row[4] = row[1] + hub_big, row[3] + region_big, row[4] + 1
            continue
        hidden, network_hidden = least
        row[1] += int((hidden & big)[: len(hub_names)].sum())
        row[3] += int((hidden & big)[len(hub_names) : -1].sum())
        row[4] += int(network_hidden)
    return [[figure, level, *row] for (figure, level), row in found.items()]


def _least_hiding(value, least_top, sums: list[list[int]], hubs: int, k: int):
    """(hidden, whether the network had to be hidden) for the fewest totals hidden that keep every small one
    K wide and every one with a small month able to reach its least_top, for everyone and each hub's staff;
    or None."""
    import itertools

    must = ((value >= 1) & (value < k)) | (value < least_top)
    optional = np.flatnonzero(~must[:-1] & (value[:-1] > 0))
    for network_hidden in (False, True):
        for count in range(len(optional) + 1):
            for chosen in sorted(itertools.combinations(optional, count), key=lambda c: sum(i >= hubs for i in c)):
                hidden = must.copy()
                hidden[list(chosen)] = True
                hidden[-1] |= network_hidden and value[-1] > 0
                if _wide_enough(value, least_top, hidden, sums, hubs, k):
                    return hidden, network_hidden
    return None


def _wide_enough(value, least_top, hidden, sums: list[list[int]], hubs: int, k: int) -> bool:
    for insider in [None, *range(hubs)]:
        unknown = hidden.copy()
        if insider is not None:
            unknown[insider] = False
        model = _attacker_model(value, unknown, sums)
        for cell in np.flatnonzero(unknown & (((value >= 1) & (value < k)) | (least_top > 0))):
            highest = _extreme(model, cell, -1.0)
            if highest < least_top[cell] - 1e-6:
                return False
            if value[cell] < k and highest - _extreme(model, cell, 1.0) < k - 1e-6:
                return False
    return True


def _attacker_model(value, unknown, sums: list[list[int]]):
    """The totals as an attacker sees them: the known at their values, the unknown at least 1, and the sums."""
    import highspy

    from dashboard.internals import quiet_highs

    model = quiet_highs()
    model.addVars(len(value), np.where(unknown, 1.0, value), np.where(unknown, highspy.kHighsInf, value))
    for whole, *parts in sums:
        columns = np.array([whole, *parts], np.int32)
        model.addRow(0.0, 0.0, len(columns), columns, np.array([1.0] + [-1.0] * len(parts)))
    return model


def _extreme(model, cell: int, sense: float) -> float:
    """The least (sense 1) or the largest (sense -1) value of one cell."""
    import highspy

    n = model.getNumCol()
    cost = np.zeros(n)
    cost[cell] = sense
    model.changeColsCost(n, np.arange(n, dtype=np.int32), cost)
    model.run()
    if model.getModelStatus() == highspy.HighsModelStatus.kUnbounded:
        return np.inf
    return sense * model.getInfo().objective_function_value


def coverage(path: Path) -> list[list]:
    """Per year: language groups whose coverage the language page's query shows at network level, of those needing any."""
    import duckdb

    import queries
    from dashboard.pipeline import warehouse

    with duckdb.connect(str(warehouse.current_file(path)), read_only=True) as con:
        queries.install_macros(con)
        years = [
            r[0]
            for r in con.execute("SELECT DISTINCT period FROM cells WHERE period_level = 'year' ORDER BY 1").fetchall()
        ]
        frame = queries.run(
            con,
            "interpreter_coverage",
            period_level="year",
            periods=years,
            geo_level="network",
            geos=["network"],
            breakdown="language",
        )
    needing = frame[frame["needing_interpreter"].isna() | frame["needing_interpreter"].gt(0)]
    return [
        [
            year,
            int(group["interpreter_coverage"].notna().sum()),
            len(group),
            sorted(group.loc[group["interpreter_coverage"].isna(), "category"]),
        ]
        for year, group in needing.groupby("period")
    ]


# The pages, through AppTest


def pages(home: Path, hubs) -> list[list]:
    """[page, viewer, place, level, opened on (bool), shown, hidden, errors] for every page, viewer, place and level."""
    from apptest import app, open_page, sign_in

    from dashboard.identity import access, users

    users_file = home / "users-for-the-benchmark.yaml"
    users_file.unlink(missing_ok=True)
    os.environ["HUBDASH_USERS"] = str(users_file)
    password_hash = users.hash_password(PASSWORD)
    viewers = {"leader": None, **{f"lead-{hub}": hub for hub in hubs["hub"]}}
    for name, hub in viewers.items():
        users.add_user(
            users_file, users.User(name, password_hash, frozenset({access.LEADERSHIP}), None if hub is None else (hub,))
        )
    everywhere = [
        ("network", "network"),
        *(("region", r) for r in sorted(hubs["region"].unique())),
        *(("hub", h) for h in hubs["hub"]),
    ]
    rows = []
    dashboard_pages = [p.path for p in access.PAGES if access.LEADERSHIP in p.roles]
    for page in dashboard_pages:
        for name, hub in viewers.items():
            at = sign_in(open_page(app(), page), name, PASSWORD)
            opened_on = selectbox(at, "Where").value
            places = everywhere if hub is None else [opened_on, ("hub", hub)]
            for place in dict.fromkeys(map(tuple, places)):
                if tuple(selectbox(at, "Where").value) != place:
                    selectbox(at, "Where").select(place).run()
                for level in LEVELS:
                    if selectbox(at, "Period").value != level:
                        selectbox(at, "Period").select(level).run()
                    shown, hidden = count_figures(at)
                    rows.append(
                        [
                            page,
                            "leader" if hub is None else "hub lead",
                            list(place),
                            level,
                            place == tuple(opened_on),
                            shown,
                            hidden,
                            len(at.exception),
                        ]
                    )
            print(f"pages: /{page} as {name} done", file=sys.stderr, flush=True)
    return rows


def selectbox(at, label: str):
    return next(box for box in at.selectbox if box.label == label)


MONEY_OR_PERIOD = re.compile(r"budget|spen[dt]|^period$|^month$|^year$|^quarter$", re.IGNORECASE)
WHOLE_NUMBER = re.compile(r"-?\d{1,3}(,\d{3})*|-?\d+")
HIDDEN = re.compile(r"\s*(suppressed|hidden)", re.IGNORECASE)


def count_figures(at) -> tuple[int, int]:
    """Counts of people in the page's tables: (shown, hidden)."""
    import numpy as np
    import pandas as pd

    shown = hidden = 0
    for element in [*at.dataframe, *at.table]:
        frame = element.value
        for column in frame.columns:
            if MONEY_OR_PERIOD.search(str(column)):
                continue
            values = frame[column].astype(object).tolist()
            whole = np.array(
                [
                    isinstance(v, (int, float))
                    and not pd.isna(v)
                    and float(v).is_integer()
                    or isinstance(v, str)
                    and bool(WHOLE_NUMBER.fullmatch(v.strip()))
                    for v in values
                ],
                dtype=bool,
            )
            marked = np.array([isinstance(v, str) and bool(HIDDEN.match(v)) for v in values], dtype=bool)
            empty = np.array([v is None or (not isinstance(v, str) and pd.isna(v)) for v in values], dtype=bool)
            fraction = np.array([isinstance(v, float) for v in values], dtype=bool) & ~whole & ~empty
            rate = np.array([isinstance(v, str) and ("%" in v or v == "not shown") for v in values], dtype=bool)
            if not (whole | marked).any() or fraction.any() or rate.any():
                continue  # a column of names, rates or other text
            if whole.any():
                hidden += int(empty.sum())
            shown += int(whole.sum())
            hidden += int(marked.sum())
    return shown, hidden


# Tau-Argus Modular on the referrals


def tau_argus_referrals(home: Path, k: int, work: Path) -> tuple:
    """Tau-Argus Modular's hidden hub and region totals of the referrals, and seconds taken.

    Returns a DataFrame (measure, period_level, period, geo_level, geo, hidden, true) of the totals along the
    service line.
    """
    import pandas as pd

    from dashboard.hierarchy import complete_periods, months_of, shown_languages
    from dashboard.pipeline import warehouse
    from dashboard.pipeline.cube import build_cube, unpublished_margins

    path = home / "warehouse.duckdb"
    release = warehouse.read_release(path)
    staged = warehouse.read_staging(path, release.number)
    shown = shown_languages(release.cells)
    cells = pd.concat(
        [build_cube(staged, shown).assign(published=True), unpublished_margins(staged, shown).assign(published=False)]
    )
    cells = cells[(cells["topic"] == "referrals") & (cells["language"] == "all")]
    hubs = release.hubs
    regions = sorted(hubs["region"].unique())
    geo_code = {
        ("network", "network"): "T",
        **{("region", r): f"R{i}" for i, r in enumerate(regions)},
        **{("hub", h): f"H{i}" for i, h in enumerate(hubs["hub"])},
    }
    geo_of = {code: place for place, code in geo_code.items()}
    folder = work / "tau-argus"
    folder.mkdir(exist_ok=True)
    geo_hierarchy = "".join(
        f"{geo_code['region', r]}\n" + "".join(f"@{geo_code['hub', h]}\n" for h in hubs.loc[hubs["region"] == r, "hub"])
        for r in regions
    )
    started = time.perf_counter()
    results, failed = [], []
    years = complete_periods(staged.months)["year"]
    for year in years:
        quarters = [f"{year}-Q{q}" for q in range(1, 5)]
        time_hierarchy = "".join(f"{q}\n" + "".join(f"@{m}\n" for m in months_of("quarter", q)) for q in quarters)
        in_year = cells[cells["period"].str[:4] == year]
        for measure, one in in_year.groupby("measure"):
            code = one.assign(
                time=one["period"].where(one["period_level"] != "year", "T"),
                geo=[geo_code[place] for place in zip(one["geo_level"], one["geo"])],
                line=one["service_line"].replace("all", "T"),
            )
            rows = [
                f"{r.time};{r.geo};{r.line};{int(r.value)};0;{upper};{status}"
                for r in code.itertuples()
                if r.value > 0
                for status, upper in [("S", 0) if r.published and r.value >= k else ("U", k if r.published else 0)]
            ]
            one_table = folder / f"{measure}-{year}"
            one_table.mkdir(exist_ok=True)
            for name, text in (
                ("table.tab", "\n".join(rows) + "\n"),
                ("batch.arb", BATCH),
                ("table.rda", TABLE_METADATA),
                ("geo.hrc", geo_hierarchy),
                ("time.hrc", time_hierarchy),
            ):
                (one_table / name).write_text(text)
            run = subprocess.run(
                [sys.executable, "-c", "from pytauargus.engine import run_batch; run_batch('batch.arb')"],
                cwd=one_table,
                capture_output=True,
                text=True,
            )
            if run.returncode:
                failed.append(f"{measure} {year}: {(run.stderr.strip().splitlines() or ['?'])[-1]}")
                continue
            out = pd.read_csv(one_table / "out.tab", sep=";", header=None, dtype={0: str, 1: str, 2: str})
            out = out.rename(columns={0: "time", 1: "geo", 2: "line", 3: "true", 6: "status"})
            out[["time", "geo", "line"]] = out[["time", "geo", "line"]].apply(lambda codes: codes.str.strip())
            out = out[(out["line"] == "T") & out["geo"].isin([c for c in geo_of if c[0] in "RH"])]
            for r in out.itertuples():
                geo_level, geo = geo_of[r.geo]
                period_level, period = (
                    ("year", year) if r.time == "T" else (("quarter" if "Q" in r.time else "month"), r.time)
                )
                results.append([measure, period_level, period, geo_level, geo, r.status in ("U", "M"), int(r.true)])
    columns = ["measure", "period_level", "period", "geo_level", "geo", "hidden", "true"]
    return pd.DataFrame(results, columns=columns), failed, time.perf_counter() - started


TABLE_METADATA = """<SEPARATOR> ";"
<SAFE> "S"
<UNSAFE> "U"
<PROTECT> "P"
time
  <RECODEABLE>
  <TOTCODE> "T"
  <HIERARCHICAL>
  <HIERCODELIST> "time.hrc"
  <HIERLEADSTRING> "@"
geo
  <RECODEABLE>
  <TOTCODE> "T"
  <HIERARCHICAL>
  <HIERCODELIST> "geo.hrc"
  <HIERLEADSTRING> "@"
line
  <RECODEABLE>
  <TOTCODE> "T"
count
  <NUMERIC>
lpl
  <NUMERIC> <LOWERPL>
upl
  <NUMERIC> <UPPERPL>
status
  <STATUS>
"""
BATCH = """<OPENTABLEDATA> "table.tab"
<OPENMETADATA> "table.rda"
<SPECIFYTABLE> "time""geo""line"|"count"||
<SAFETYRULE>
<READTABLE> 0
<SUPPRESS> MOD(1,60,0,0,0)
<WRITETABLE> (1,5,"SO+","out.tab")
"""
"""Statuses as given (no safety rule), totals checked for additivity, Modular with at most 60 s per subtable and
no singleton rules (every cell here has frequency 1: the rules would treat each as one respondent). Written
without Tau-Argus's audit, which takes about 90 s of CPU per table here."""


# The report


def report(results: dict, home: Path, skip_tau_argus: bool, work: Path) -> None:
    names = list(results)
    k = results["after"]["threshold"]
    if "ingest" in results["after"]:
        print()
        line("ingest (suppression included), s", *(f"{results[n]['ingest']:.1f}" for n in names))
    if all("pages" in results[n] for n in names):
        report_pages(results)
    print()
    print("Per tier, counts of people: cells, share hidden, sum of the hidden true values")
    for tier, *_ in results["after"]["tiers"]:
        line(f"  {tier}", *(tier_text(results[n]["tiers"], tier) for n in names), width=24)

    print()
    print(f"Targets (K = {k})")
    print("  Hub totals >= K shown, per measure: quarter, year (largest hidden)")
    for figure, *_ in results["after"]["targets"]["hub"]:
        line(f"    {figure}", *(hub_text(results[n]["targets"]["hub"], figure) for n in names), width=34)
    print(
        f"  Region and network totals >= K shown (two-hub regions: {', '.join(results['after']['targets']['two_hub_regions']) or 'none'})"
    )
    for geo_level, *_ in results["after"]["targets"]["upper"]:
        line(f"    {geo_level}", *(upper_text(results[n]["targets"]["upper"], geo_level) for n in names), width=34)
    if results["after"]["least_hidden"]:
        print(
            "  The most any release can show, every network total published (hub, region totals >= K, quarter / year)"
        )
        rows = {(r[0], r[1]): r[2:] for r in results["after"]["least_hidden"]}
        for figure in dict.fromkeys(r[0] for r in results["after"]["least_hidden"]):
            line(f"    {figure}", *(most_shown_text(rows, figure, i) for i in (0, 2)), width=34)
    print("  Interpreter coverage shown at network x year, language groups")
    for year, *_ in results["after"]["coverage"]:
        line(f"    {year}", *(coverage_text(results[n]["coverage"], year) for n in names), width=34)

    if not skip_tau_argus:
        report_tau_argus(results, home, k, work)


def report_pages(results: dict) -> None:
    import pandas as pd

    frames = {
        n: pd.DataFrame(
            r["pages"], columns=["page", "viewer", "place", "level", "opened_on", "shown", "hidden", "errors"]
        )
        for n, r in results.items()
    }
    print()
    print(
        "Pages: counts of people in the tables, shown / hidden ("
        + ", ".join(f"{n}: {results[n]['pages_seconds']:.0f} s" for n in results)
        + ")"
    )
    for frame in frames.values():
        frame["where"] = [where(row) for row in frame.itertuples()]
    after = frames["after"]
    for (page, viewer, place), _ in after.groupby(["page", "viewer", "where"], sort=False):
        cells = []
        for frame in frames.values():
            at = frame[(frame["page"] == page) & (frame["viewer"] == viewer) & (frame["where"] == place)]
            cells.append(
                "  ".join(
                    f"{int(a.shown)}/{int(a.hidden)}"
                    for a in at.groupby("level").sum(numeric_only=True).reindex(LEVELS).itertuples()
                )
            )
        line(f"  /{page}, {viewer}, {place}", *cells, width=30)
    print("  (year, quarter, month each; summed over the places named)")
    for n, frame in frames.items():
        errors = int(frame["errors"].sum())
        opened = (
            frame[(frame["viewer"] == "hub lead") & frame["opened_on"]]["place"]
            .map(lambda p: p[0])
            .value_counts()
            .to_dict()
        )
        print(f"  {n}: page errors {errors}; a hub lead's pages open on: {opened}")


def where(row) -> str:
    geo_level = row.place[0]
    if row.viewer == "hub lead":
        return "own hub" if geo_level == "hub" else "network (opened on)" if row.opened_on else geo_level
    return {"network": "network", "region": "each region", "hub": "each hub"}[geo_level]


def tier_text(rows: list, tier: str) -> str:
    row = next((r for r in rows if r[0] == tier), None)
    return "" if row is None else f"{row[1]:>6,} {row[2] / row[1]:6.1%} {row[3]:>9,}"


def hub_text(rows: list, figure: str) -> str:
    row = next((r for r in rows if r[0] == figure), None)
    if row is None:
        return ""
    _, q_shown, q_all, q_max, y_shown, y_all, y_max = row
    return f"{share(q_shown, q_all)}, {share(y_shown, y_all)} ({max(q_max, y_max)})"


def upper_text(rows: list, geo_level: str) -> str:
    row = next((r for r in rows if r[0] == geo_level), None)
    if row is None:
        return ""
    _, shown, total, excepted, other = row
    return f"{share(shown, total)} of {total:,}; hidden: {excepted} + {other}"


def most_shown_text(rows: dict, figure: str, at: int) -> str:
    """'hubs 75% / 100%' (quarter / year) from least_hidden's rows, `at` 0 for hubs and 2 for regions; for hubs,
    how many network totals cannot stay published."""
    found = [rows.get((figure, level)) for level in ("quarter", "year")]
    shares = " / ".join("-" if r is None else share(r[at] - r[at + 1], r[at]) for r in found)
    network = sum(r[4] for r in found if r is not None)
    return (
        ("hubs " if at == 0 else "regions ") + shares + (f" (network hidden: {network})" if network and at == 0 else "")
    )


def coverage_text(rows: list, year: str) -> str:
    row = next((r for r in rows if r[0] == year), None)
    return "" if row is None else f"{row[1]} of {row[2]}"


def share(part: int, whole: int) -> str:
    return f"{part / whole:.0%}" if whole else "-"


def report_tau_argus(results: dict, home: Path, k: int, work: Path) -> None:
    import pandas as pd

    tau, failed, seconds = tau_argus_referrals(home, k, work)
    keys = ["measure", "period_level", "period", "geo_level", "geo"]
    compared = tau.rename(columns={"hidden": "tau"})
    for n, r in results.items():
        ours = pd.DataFrame(r["referral_totals"], columns=[*keys, n])
        compared = compared.merge(ours, on=keys, how="left")
    print()
    print(
        f"Tau-Argus Modular (pytauargus) on the referrals, {seconds:.1f} s: hub and region totals hidden, all / of those >= K"
    )
    columns = ["Tau-Argus", *results]
    line("", *columns, width=18)
    for (geo_level, period_level), at in compared.groupby(["geo_level", "period_level"], sort=False):
        large = at[at["true"] >= k]
        line(
            f"  {geo_level} x {period_level} ({len(at)}, {len(large)} >= K)",
            *(f"{int(at[c].sum())} / {int(large[c].sum())}" for c in ["tau", *results]),
            width=18,
        )
    both = compared[compared["tau"] & compared["after"]]
    print(
        f"  hidden by both: {len(both)}; by Tau-Argus only: {int((compared['tau'] & ~compared['after']).sum())}; "
        f"by the working tree only: {int((~compared['tau'] & compared['after']).sum())}"
    )
    for failure in failed:
        print(f"  no result for {failure} (its files are in {work / 'tau-argus'})")


def line(label: str, *cells: str, width: int = 14) -> None:
    print(f"{label:48}" + "".join(f"{c:>{width}}" for c in cells), flush=True)


if __name__ == "__main__":
    sys.exit(main())
