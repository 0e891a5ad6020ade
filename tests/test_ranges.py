"""Every hidden figure shows the range the published figures imply, and that range is the attacker's own.

The ranges stored with a release are checked against exact LP bounds worked out here, from the published
file alone, with a model written independently of dashboard/protection/audit.py: every cell of the cube (and each hub's
monthly counts by category, which no view publishes) is an unknown, tied by every additive relation.
"""

from __future__ import annotations

import math
import shutil
from collections import defaultdict

import duckdb
import highspy
import numpy as np
import pandas as pd
import pytest
from apptest import app, open_page, sign_in

from dashboard.hierarchy import (
    ALL,
    BREAKDOWN_COLUMNS,
    OTHER_LANGUAGES,
    TOPICS,
    language_group,
    months_of,
    shown_languages,
)
from dashboard.pipeline import warehouse
from dashboard.web import ui


@pytest.fixture(scope="module")
def small_release(tmp_path_factory):
    """A network of 4 hubs in regions of two, over one quarter: small enough for an LP per hidden cell."""
    from dashboard.pipeline.ingest import ingest
    from seed.generate import write_seed

    folder = tmp_path_factory.mktemp("ranges")
    write_seed(folder / "extract", hubs=4, months=3)
    ingest(folder / "extract", folder / "warehouse.duckdb")
    return warehouse.current_file(folder / "warehouse.duckdb")


def exact_bounds(release_file) -> pd.DataFrame:
    """The smallest and largest value of every suppressed cell consistent with the published file."""
    with duckdb.connect(str(release_file), read_only=True) as con:
        cells = con.execute("SELECT * FROM cells").df()
        hubs = con.execute("SELECT hub, region FROM hubs").df()
    found = []
    for topic in (t for t in TOPICS.values() if t.count_of_people):
        for measure in topic.measures:
            part = cells[(cells.topic == topic.name) & (cells.measure == measure)]
            if part.suppressed.any():
                found.append(_bounds_of(topic, part, hubs).assign(topic=topic.name, measure=measure))
    return pd.concat(found, ignore_index=True)


def _bounds_of(topic, part: pd.DataFrame, hubs: pd.DataFrame) -> pd.DataFrame:
    breakdown_columns = list(BREAKDOWN_COLUMNS)
    key = ["period_level", "period", "geo_level", "geo", *breakdown_columns]
    index: dict[tuple, int] = {}
    lower, upper = [], []

    def unknown(cell: tuple) -> int:
        if cell not in index:
            index[cell] = len(index)
            lower.append(0.0)
            upper.append(highspy.kHighsInf)
        return index[cell]

    for row in part.itertuples(index=False):
        i = unknown(tuple(getattr(row, c) for c in key))
        if row.suppressed:
            lower[i] = 1.0
        else:
            lower[i] = upper[i] = float(row.value)
    months = sorted(part[part.period_level == "month"].period.unique())
    quarters = sorted(part[part.period_level == "quarter"].period.unique())
    years = sorted(part[part.period_level == "year"].period.unique())
    regions = hubs.groupby("region").hub.apply(list).to_dict()
    categories = {c: sorted(set(part[c]) - {ALL}) for c in breakdown_columns}
    shown = shown_languages(part)  # below the network, each year's other languages add up to OTHER_LANGUAGES
    combos = [dict.fromkeys(breakdown_columns, ALL)] if () in topic.breakdowns else []
    for breakdown in (b for b in topic.breakdowns if b):
        (column,) = breakdown
        combos += [{**dict.fromkeys(breakdown_columns, ALL), column: value} for value in categories[column]]
    geos = [("hub", h) for h in hubs.hub] + [("region", r) for r in regions] + [("network", "network")]
    periods = [("month", m) for m in months] + [("quarter", q) for q in quarters] + [("year", y) for y in years]

    def cell(period, geo, combo) -> int:
        return unknown((*period, *geo, *(combo[c] for c in breakdown_columns)))

    rows = []
    for combo in combos:
        for geo in geos:
            for q in quarters:
                rows.append(
                    (
                        cell(("quarter", q), geo, combo),
                        [cell(("month", m), geo, combo) for m in months_of("quarter", q)],
                    )
                )
            for y in years:
                rows.append(
                    (cell(("year", y), geo, combo), [cell(("quarter", f"{y}-Q{n}"), geo, combo) for n in range(1, 5)])
                )
        for period in periods:
            for region, members in regions.items():
                rows.append(
                    (cell(period, ("region", region), combo), [cell(period, ("hub", h), combo) for h in members])
                )
            rows.append(
                (cell(period, ("network", "network"), combo), [cell(period, ("region", r), combo) for r in regions])
            )
    if () in topic.breakdowns:
        total = dict.fromkeys(breakdown_columns, ALL)
        for breakdown in (b for b in topic.breakdowns if b):
            (column,) = breakdown
            for period in periods:
                for geo in geos:
                    year = period[1][:4]
                    rows.append(
                        (
                            cell(period, geo, total),
                            [
                                cell(period, geo, {**total, column: value})
                                for value in categories[column]
                                if column != "language" or language_group(value, shown.get(year, frozenset())) == value
                            ],
                        )
                    )
                    if column == "language" and OTHER_LANGUAGES in categories[column]:
                        rows.append(
                            (
                                cell(period, geo, {**total, column: OTHER_LANGUAGES}),
                                [
                                    cell(period, geo, {**total, column: value})
                                    for value in categories[column]
                                    if language_group(value, shown.get(year, frozenset())) != value
                                ],
                            )
                        )

    highs = highspy.Highs()
    highs.setOptionValue("output_flag", False)
    highs.addVars(len(index), np.array(lower), np.array(upper))
    for parent, children in rows:
        columns = np.array([parent, *children], dtype=np.int32)
        highs.addRow(0.0, 0.0, len(columns), columns, np.array([1.0] + [-1.0] * len(children)))
    hidden = part[part.suppressed]
    result = defaultdict(list)
    for row in hidden.itertuples(index=False):
        i = index[tuple(getattr(row, c) for c in key)]
        ends = []
        for sense in (1.0, -1.0):
            highs.changeColsCost(1, np.array([i], dtype=np.int32), np.array([sense]))
            highs.run()
            status = highs.getModelStatus()
            if status == highspy.HighsModelStatus.kUnbounded:
                ends.append(math.inf)
            else:
                assert status == highspy.HighsModelStatus.kOptimal
                ends.append(sense * highs.getInfo().objective_function_value)
            highs.changeColsCost(1, np.array([i], dtype=np.int32), np.array([0.0]))
        for c in key:
            result[c].append(getattr(row, c))
        result["exact_lower"].append(ends[0])
        result["exact_upper"].append(ends[1])
    return pd.DataFrame(result)


def narrowed_by_the_order_rules(exact: pd.DataFrame, cells: pd.DataFrame) -> pd.DataFrame:
    """The exact ranges rounded outward, then each narrowed by the order rules of its cell: at least the lower
    end (or published value) of every measure ordered below it, at most the upper end of every one above."""
    place = ["topic", "period_level", "period", "geo_level", "geo", *BREAKDOWN_COLUMNS]
    known = {
        (*(getattr(row, c) for c in place), row.measure): [float(row.value)] * 2
        for row in cells[~cells.suppressed].itertuples(index=False)
    }
    for row in exact.itertuples(index=False):
        known[(*(getattr(row, c) for c in place), row.measure)] = [
            math.floor(row.exact_lower + 1e-6),
            math.ceil(row.exact_upper - 1e-6) if math.isfinite(row.exact_upper) else math.inf,
        ]
    changed = True
    while changed:
        changed = False
        for (*where, measure), (low, high) in known.items():
            for greater, lesser in TOPICS[where[0]].order:
                if measure == greater and (*where, lesser) in known and known[(*where, lesser)][0] > low:
                    known[(*where, measure)][0] = low = known[(*where, lesser)][0]
                    changed = True
                if measure == lesser and (*where, greater) in known and known[(*where, greater)][1] < high:
                    known[(*where, measure)][1] = high = known[(*where, greater)][1]
                    changed = True
    narrowed = exact.copy()
    ends = [known[(*(getattr(row, c) for c in place), row.measure)] for row in exact.itertuples(index=False)]
    narrowed["expected_lower"] = [low for low, _ in ends]
    narrowed["expected_upper"] = [high for _, high in ends]
    return narrowed


def test_each_hidden_cell_has_the_exact_lp_range_of_the_published_file_narrowed_by_the_order_rules(small_release):
    """The sums' exact range, rounded outward, and no value in it that the order rules rule out beside it: a
    hidden count of referrals reads at least the accepted referrals published in the same cell."""
    with duckdb.connect(str(small_release), read_only=True) as con:
        stored = con.execute("SELECT * FROM ranges").df()
        cells = con.execute("SELECT * FROM cells").df()
    exact = narrowed_by_the_order_rules(exact_bounds(small_release), cells)
    key = ["topic", "measure", "period_level", "period", "geo_level", "geo", *BREAKDOWN_COLUMNS]
    both = exact.merge(stored, on=key, how="outer", indicator=True)

    assert cells.suppressed.sum() > 50 and len(stored) == cells.suppressed.sum()
    assert (both["_merge"] == "both").all()
    assert (both["lower"] == both["expected_lower"]).all()
    bounded = np.isfinite(both["expected_upper"])
    assert (both.loc[bounded, "upper"] == both.loc[bounded, "expected_upper"]).all()
    assert both.loc[~bounded, "upper"].isna().all()
    assert (both["expected_lower"] > np.floor(both["exact_lower"] + 1e-6)).sum() >= 5, "the order rules narrow some"


def test_a_hidden_figure_reads_hidden_with_its_range():
    assert ui.shown_figure(pd.NA, 40, 75) == "hidden (40–75)"
    assert ui.shown_figure(pd.NA, 1200, pd.NA) == "hidden (1,200 or more)"
    assert ui.shown_figure(pd.NA, 224, 224) == "hidden (224)", "the published figures pin it: say so, not 224–224"
    assert ui.shown_figure(pd.NA, 0.25, 0.5, percent=True) == "hidden (25%–50%)"
    assert ui.shown_figure(pd.NA, pd.NA, pd.NA, percent=True) == ui.NOT_SHOWN
    assert ui.shown_figure(1234, 1234, 1234) == "1,234"


def test_a_release_published_before_ranges_were_stored_still_opens_its_hidden_figures_reading_suppressed(
    home, seed_release
):
    older = home / "0001.duckdb"
    shutil.copy(warehouse.current_file(seed_release), older)
    with duckdb.connect(str(older)) as con:
        con.execute("DROP TABLE ranges")
    (home / "warehouse.duckdb").symlink_to(older)

    at = sign_in(open_page(app(), "referrals"), "leader", "leader-demo")
    counts = pd.concat([table.value for table in at.table])[["Referred", "Accepted", "Completed"]].astype(str)
    assert not at.exception
    assert counts.eq(ui.SUPPRESSED).any().any() and not counts.apply(lambda c: c.str.startswith("hidden (")).any().any()
