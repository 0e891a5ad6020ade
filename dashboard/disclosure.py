"""Disclosure control: which cells of the cube are published. One entry point: `protect`.

Primary suppression hides every count from 1 to K-1. Complementary suppression
then hides more cells until no hidden cell can be narrowed, from everything
published, to an interval narrower than K:

1. for each independent part of the cube (a topic, measure and year), a linear
   programme over the same unknowns the attacker reasons about (every cell of the
   part, and the unpublished counts of one hub and month by category) looks for
   other values, consistent with every relation, that move each hidden cell up by
   K; the published cells those values change are hidden too, so the attacker
   cannot rule them out. Hidden cells far apart (no relation near two of them)
   move together in one LP. On a network of more than three regions each LP
   covers one region and the network, every other cell held at its value;
2. the audit (dashboard/audit.py, which knows nothing of this module) then
   attacks the part, and every cell it can still narrow (possible only through
   what an earlier release published) is treated again, until the audit finds
   nothing;
3. each network quarterly or yearly total hidden on the way is published again
   if the audit still finds nothing: the LPs protect a batch at a time, and a
   headline figure one batch needed may not be needed once all are protected.

Cells keep their status from the previous release where the data under them did
not change, so comparing releases teaches nothing new. Zeros are always
published (a hidden cell is known to be at least 1), and so is money.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import highspy
import numpy as np
import pandas as pd

from . import audit as attacker
from .hierarchy import ALL, CELL_KEY, NETWORK, TOPICS, quarter_of, year_of
from .release import Release, unchanged_data
from .workers import pool as worker_pool

_PERIOD_WEIGHT = {"month": 1, "quarter": 2, "year": 4}
_GEO_WEIGHT = {"hub": 1, "region": 3, "network": 15}
_TOTAL_WEIGHT = 4
TOLERANCE = 1e-6
_BATCH = 100
"""Targets moved together in one LP at most."""
_WHOLE_PART_HUBS = 12
"""Up to this many hubs, every LP sees the whole part; beyond, one region at a time
(_protect_region_by_region). The whole part's LPs grow faster than the network: 17 hubs in 3 regions
took 1,118 s that way against 200 s by region (and 14% more complementary cells), 50 hubs hours."""
_HEADLINE = _PERIOD_WEIGHT["quarter"] * _GEO_WEIGHT["network"] * _TOTAL_WEIGHT
"""The network's quarterly and yearly totals: those hidden are worth an audit to see whether they can be
published again."""
_HEADLINE_TRIES = 10
"""At most this many hidden headline totals of a part are tried one at a time (a part holds up to 5 yearly and 20
quarterly ones): each try audits the whole part against every attacker."""


@dataclass
class Protected:
    cells: pd.DataFrame
    """CELL_KEY, value (missing where suppressed) and suppressed."""
    counts: dict[str, int] = field(default_factory=dict)
    """How many cells were suppressed, by reason: primary, complementary, carried over."""


def protect(
    cells: pd.DataFrame,
    margins: pd.DataFrame,
    hubs: pd.DataFrame,
    blocks: pd.DataFrame,
    threshold: int,
    previous: Release | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int = 2,
) -> Protected:
    """Decide which cells of the cube (true values) are published.

    `margins` are the true counts that no view publishes (cube.unpublished_margins):
    the attacker reasons about them as unknowns, so the suppressor must too.
    """
    say = progress or (lambda _msg: None)
    n = len(cells)
    cells = pd.concat([cells, margins], ignore_index=True)
    latent = np.arange(len(cells)) >= n
    status = _carried_over(cells, hubs, blocks, previous)
    people = cells["topic"].map(lambda t: TOPICS[t].count_of_people).astype(bool).to_numpy()
    value = cells["value"].astype("int64").to_numpy()
    primary = people & ~latent & (value >= 1) & (value < threshold)
    suppressed = primary | status["keep_suppressed"].to_numpy()
    locked = status["keep_published"].to_numpy()

    problems = _independent_parts(cells[people])
    say(f"suppression: {int(primary.sum()):,} primary cells in {len(problems)} independent parts")
    jobs = [
        _Part(
            cells=cells.loc[index],
            latent=latent[index],
            suppressed=suppressed[index],
            locked=locked[index],
            hubs=hubs,
            blocks=blocks,
            threshold=threshold,
            previous=_previous_part(previous, cells.loc[index]),
        )
        for index in problems.values()
    ]
    with worker_pool(workers) if workers > 1 and len(jobs) > 1 else _Inline() as pool:
        for (name, index), (hidden, rounds) in zip(problems.items(), pool.map(_protect_part, jobs)):
            suppressed[index] = hidden
            say(f"  {name}: {int(hidden.sum()):,} hidden after {rounds} audit round(s)")

    cells, suppressed, primary = cells[:n], suppressed[:n], primary[:n]
    status = status[:n]
    published = cells[[*CELL_KEY]].copy()
    published["value"] = cells["value"].astype("Int64").mask(suppressed)
    published["suppressed"] = suppressed
    carried = status["keep_suppressed"].to_numpy()
    return Protected(
        cells=published,
        counts={
            "primary": int(primary.sum()),
            "carried over": int((carried & ~primary).sum()),
            "complementary": int((suppressed & ~primary & ~carried).sum()),
            "published": int((~suppressed).sum()),
        },
    )


@dataclass
class _Part:
    """One independent part of the cube: a topic, measure (and outcome) and year."""

    cells: pd.DataFrame
    latent: np.ndarray
    """Unpublished margins: unknowns at least 0, never hidden, free to move."""
    suppressed: np.ndarray
    locked: np.ndarray
    hubs: pd.DataFrame
    blocks: pd.DataFrame
    threshold: int
    previous: Release | None


def _independent_parts(cells: pd.DataFrame) -> dict[str, np.ndarray]:
    """No relation crosses an outcome or a calendar year; the order rules tie the measures of a topic together."""
    year = cells["period"].str.slice(0, 4)
    keys = cells["topic"] + "/" + cells["outcome"].where(cells["outcome"] != ALL, "") + "/" + year
    return {name: idx.to_numpy() for name, idx in cells.groupby(keys.str.replace("//", "/"), sort=True).groups.items()}


def _protect_part(part: _Part) -> tuple[np.ndarray, int]:
    layout = _Layout(part.cells, part.hubs)
    hidden = part.suppressed.copy()
    if not hidden.any():
        return hidden, 0
    value = part.cells["value"].astype("int64").to_numpy()
    can_hide = (value > 0) & ~part.locked & ~part.latent
    relations = _Relations(layout.position_cells, part.hubs)
    model = _Separation(layout, relations, value, _cost(part.cells), can_hide, hidden, part.latent)
    targets = np.flatnonzero(hidden & (value < part.threshold))
    if len(part.hubs) > _WHOLE_PART_HUBS and part.hubs["region"].nunique() > 1:
        _protect_region_by_region(part, layout, model, targets)
        targets = targets[:0]  # the audit below says which, if any, still need the whole part
    truth = part.cells[[*CELL_KEY, "value"]]
    rounds = 0
    while True:
        rounds += 1
        hidden_before = int(model.hidden.sum())
        model.protect(targets, part.threshold)
        report = attacker.audit(_as_release(part, model.hidden), part.previous, truth=truth)
        at_risk = report[report["at_risk"]]
        if at_risk.empty:
            hidden = model.hidden.copy()
            _publish_headlines_again(part, hidden, truth)
            return hidden, rounds
        targets = _positions(part.cells, at_risk)
        if rounds > 1 and model.hidden.sum() == hidden_before:
            # The LP could not move these cells far enough, or thinks they move where the audit (which also
            # knows the previous release) does not: hide everything they are related to, which can only
            # widen what the attacker must allow.
            if not model.hide_neighbours(targets):
                raise DisclosureError(
                    f"{len(at_risk)} cell(s) cannot be protected: every cell they could hide behind is fixed by an "
                    "earlier release or is zero. Re-publish from scratch (a new warehouse) to protect them."
                )
        model.forget_witnesses(targets)


class _Layout:
    """The cells of a part as a grid: one row per measure, one column per position (every other key column).

    The cube publishes every measure at the same positions, and the order rules relate the measures of one
    position, so a move of the suppressor's LPs is a move of positions, taken by one measure or several.
    """

    def __init__(self, cells: pd.DataFrame, hubs: pd.DataFrame):
        topic = TOPICS[cells["topic"].iloc[0]]
        self.measures = [m for m in topic.measures if (cells["measure"] == m).any()]
        place = [c for c in CELL_KEY if c != "measure"]
        key = _joined(cells[place].astype(str))
        positions = pd.Index(pd.unique(key))
        measure = pd.Index(self.measures).get_indexer(cells["measure"])
        position = positions.get_indexer(key)
        self.row = np.full((len(self.measures), len(positions)), -1)
        self.row[measure, position] = np.arange(len(cells))
        if (self.row < 0).any():
            raise ValueError(f"{topic.name}: not every measure has every cell")
        self.n = len(positions)
        self.order = [(self.measures.index(a), self.measures.index(b)) for a, b in topic.order
                      if a in self.measures and b in self.measures]
        first = cells.iloc[self.row[0]]
        self.position_cells = first.reset_index(drop=True)
        level, geo = first["geo_level"].to_numpy(), first["geo"].to_numpy()
        region_of = dict(zip(hubs["hub"], hubs["region"]))
        hubs_in = hubs.groupby("region")["hub"].apply(list).to_dict()
        self.hub = np.where(level == "hub", geo, None)
        """The hub whose figure (or unpublished margin) a position is, or None."""
        alone = {r: h[0] for r, h in hubs_in.items() if len(h) == 1}
        single_network = hubs["hub"].iloc[0] if len(hubs) == 1 else None
        self.owner = np.array([
            g if lv == "hub" else alone.get(g) if lv == "region" else single_network for lv, g in zip(level, geo)
        ], dtype=object)
        """The one hub a position covers, whose staff know it, or None."""
        self.region = np.array([region_of.get(g) if lv == "hub" else g if lv == "region" else None
                                for lv, g in zip(level, geo)], dtype=object)
        self.halves = attacker.split_in_halves(hubs)

    def above(self, measure: int) -> list[int]:
        """The measure and every measure the order rules put at or above it."""
        found, frontier = {measure}, [measure]
        while frontier:
            lesser = frontier.pop()
            for greater, smaller in self.order:
                if smaller == lesser and greater not in found:
                    found.add(greater)
                    frontier.append(greater)
        return [measure, *sorted(found - {measure})]


def _protect_region_by_region(part: _Part, layout: _Layout, model: _Separation, targets: np.ndarray) -> None:
    """Protect the targets of a large network with LPs over one region at a time.

    A window holds one region's hubs, the region and the network; every other
    cell is held at its true value, so a solution inside the window is still a
    solution of the whole part, and a witness the attacker cannot rule out. The
    LPs are an order of magnitude smaller than the part's, at the price of some
    moves across regions the whole part would have found. A network target goes
    with the region whose own cell under it is largest. Windows run in turn, each
    starting from the cells the ones before it hid.
    """
    measure, position = model.grid_of(targets)
    owner = layout.region[position].copy()
    on_network = layout.position_cells["geo_level"].to_numpy()[position] == "network"
    owner[on_network] = _largest_region_below(layout, model.value, measure[on_network], position[on_network])
    for name in sorted(part.hubs["region"].unique()):
        mine = targets[owner == name]
        if not len(mine):
            continue
        window = np.flatnonzero((layout.region == name) | (layout.position_cells["geo_level"] == "network").to_numpy())
        local = model.window(window, _Relations(layout.position_cells.iloc[window], part.hubs))
        local.protect(mine, part.threshold)
        model.hidden_grid[:, window] |= local.hidden_grid


def _largest_region_below(layout: _Layout, value: np.ndarray, measure: np.ndarray, network: np.ndarray) -> np.ndarray:
    """For each network position (in its measure), the region whose position of the same period and category holds most."""
    cells = layout.position_cells
    same = [c for c in CELL_KEY if c not in ("geo_level", "geo", "measure")]
    key = _joined(cells[same].astype(str))
    regions_at: dict[str, list[int]] = {}
    for p in np.flatnonzero((cells["geo_level"] == "region").to_numpy()):
        regions_at.setdefault(key[p], []).append(p)
    geo = cells["geo"].to_numpy()
    out = np.empty(len(network), dtype=object)
    for i, (m, p) in enumerate(zip(measure, network)):
        below = regions_at.get(key[p], [])
        out[i] = geo[below[int(np.argmax(value[m, below]))]] if below else None
    return out


def _publish_headlines_again(part: _Part, hidden: np.ndarray, truth: pd.DataFrame) -> None:
    """Publish again the headline totals that were hidden only to protect others, if the audit still passes.

    The LPs protect targets one batch at a time, and a total one of them hid may
    not be needed once all are protected: the network's quarterly and yearly totals
    are worth an audit to find out. Each try is an audit of the whole part against
    every attacker, so: all of them together; failing that, one at a time, yearly
    totals first, then the dearest, up to _HEADLINE_TRIES.
    """
    weight = _cost(part.cells)
    headline = _is_total(part.cells) & (weight >= _HEADLINE)
    yearly = (part.cells["period_level"] == "year").to_numpy()
    candidates = sorted(np.flatnonzero(hidden & headline & ~part.suppressed), key=lambda c: (not yearly[c], -weight[c]))
    if not candidates:
        return
    hidden[candidates] = False
    if not _at_risk(part, hidden, truth):
        return
    hidden[candidates] = True
    for cell in candidates[:_HEADLINE_TRIES]:
        hidden[cell] = False
        if _at_risk(part, hidden, truth):
            hidden[cell] = True


def _at_risk(part: _Part, hidden: np.ndarray, truth: pd.DataFrame) -> bool:
    return bool(attacker.audit(_as_release(part, hidden), part.previous, truth=truth)["at_risk"].any())


class _Separation:
    """Hides the cheapest cells that let each target move by K against every attacker, one LP per batch of targets.

    The LP looks for other values of every cell, consistent with every relation
    and every order rule, with the targets moved by K, at least cost: changing a
    published cell costs its weight per unit, changing a hidden one or an
    unpublished margin costs nothing. Hiding the published cells it changed makes
    those values a point the attacker cannot rule out. A move is taken by one
    measure, the other measures held at their true values (which bound it through
    the order rules), or, where that leaves too little room, by the measure and
    every measure above it together.

    The staff of a hub know their hub's figures, so a move serves them only if it
    leaves their hub alone. The hubs are split in two halves
    (attacker.split_in_halves); for each half, a cell needs witnesses that move no
    hub of that half but its own owner. LPs with a half's hubs held still serve that
    half for every cell of the other half, the region and the network; LPs with all
    of a half but hub h held still serve it for h's cells. Every solution is a
    witness for every cell it serves: targets it already carries far enough need no
    LP of their own. Hiding more only widens intervals, so no later step undoes an
    earlier one.
    """

    def __init__(self, layout: _Layout, relations: _Relations, value: np.ndarray, weight: np.ndarray,
                 can_hide: np.ndarray, hidden: np.ndarray, latent: np.ndarray, columns: np.ndarray | None = None):
        self.layout, self.relations = layout, relations
        self.rows = layout.row if columns is None else layout.row[:, columns]
        self.columns = np.arange(layout.n) if columns is None else columns
        self.inputs = value, weight, can_hide, latent
        self.hidden_rows = hidden
        self.measure_of, self.position_of = np.full(len(hidden), -1), np.full(len(hidden), -1)
        self.measure_of[self.rows] = np.arange(self.rows.shape[0])[:, None]
        self.position_of[self.rows] = np.arange(self.rows.shape[1])[None, :]
        self.value = value[self.rows]
        self.latent = latent[self.rows[0]]
        self.weight = np.where(self.latent, 0.0, weight[self.rows].astype(float))
        self.can_hide = can_hide[self.rows]
        self.hidden_grid = hidden[self.rows]
        self.n = self.rows.shape[1]
        self.hub = layout.hub[self.columns]
        self.owner = layout.owner[self.columns]
        self.halves = layout.halves
        self.needs = np.array([[bool(half - {o}) for o in self.owner] for half in self.halves])
        """needs[x, p]: half x holds an insider, other than the position's owner, to protect it from."""
        self.highest = np.repeat(self.value[:, None, :].astype(float), 2, axis=1)
        self.lowest = self.highest.copy()
        self.floor = np.where(self.latent, 0, 1)

    @property
    def hidden(self) -> np.ndarray:
        """Whether each cell of the part is hidden, in the part's row order."""
        self.hidden_rows[self.rows.ravel()] = self.hidden_grid.ravel()
        return self.hidden_rows

    def window(self, columns: np.ndarray, relations: _Relations) -> _Separation:
        """The same problem over some positions only, every other one held at its true value."""
        value, weight, can_hide, latent = self.inputs
        return _Separation(self.layout, relations, value, weight, can_hide, self.hidden.copy(), latent, self.columns[columns])

    def grid_of(self, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The measure and position of each of the part's rows."""
        return self.measure_of[rows], self.position_of[rows]

    def protect(self, rows: np.ndarray, threshold: int) -> None:
        self.protect_grid(*self.grid_of(rows), threshold)

    def protect_grid(self, measures: np.ndarray, positions: np.ndarray, threshold: int) -> None:
        """Make every target's witnesses span K against each half of the insiders (and so the outsider).

        Targets far enough apart (no relation of one touches a cell related to
        another) move together in one LP: its solution is a witness for each of
        them. A batch the LP cannot move together is retried cell by cell, down to
        where the witnesses then span K (or to 1), then up as far as needed, by
        its own measure and then with the measures above it; a cell that still
        cannot move is left to the audit, which decides. The solver lives only
        while protecting: a second live HiGHS instance in the process upsets the
        audit's own solves.
        """
        self.threshold = threshold
        if not len(measures):
            return
        self.h = self._model()
        self._columns = (np.zeros(2 * self.n), np.zeros(2 * self.n), np.zeros(2 * self.n))
        try:
            for x, half in enumerate(self.halves):
                settings = [(half, lambda p, half=half: self.owner[p] not in half)]
                settings += [(half - {hub}, lambda p, hub=hub: self.owner[p] == hub) for hub in sorted(half)]
                for still, serves in settings:
                    for m in range(len(self.layout.measures)):
                        mine = [int(p) for p in positions[measures == m] if serves(p)]
                        self._protect_setting(m, x, still, mine)
        finally:
            del self.h

    def _protect_setting(self, m: int, x: int, still: set, positions: list[int]) -> None:
        short = lambda p: self._span(m, x, p) < self.threshold  # noqa: E731
        for batch in self.relations.independent_sets([p for p in positions if short(p)]):
            batch = [p for p in batch if short(p)]
            if len(batch) > 1 and self._move([m], still, {p: self._rise_needed(m, x, p) for p in batch}):
                continue
            for p in batch:
                for taking in self._takers(m):
                    low_enough = max(1, math.floor(self.highest[m, x, p] + TOLERANCE) - self.threshold)
                    if short(p) and self.lowest[m, x, p] > low_enough + TOLERANCE:
                        self._move(taking, still, {p: -(self.value[m, p] - low_enough)})
                    if short(p):
                        self._move(taking, still, {p: self._rise_needed(m, x, p)})
                    if not short(p):
                        break

    def _takers(self, m: int) -> list[list[int]]:
        """Who takes a move of measure m: the measure alone, then with every measure above it."""
        above = self.layout.above(m)
        return [[m]] if len(above) == 1 else [[m], above]

    def _model(self) -> highspy.Highs:
        """Columns 0..n-1: how far each position goes up; n..2n-1: how far it goes down. One row per relation."""
        n = self.n
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.addVars(2 * n, np.zeros(2 * n), np.zeros(2 * n))
        starts, index, coef = [], [], []
        for (total, terms), needed in zip(self.relations.equations, self.relations.generating):
            if not needed:
                continue
            starts.append(len(index))
            members = np.r_[terms, total]
            signs = np.r_[np.ones(len(terms)), -1.0]
            index.extend(np.r_[members, members + n].tolist())
            coef.extend(np.r_[signs, -signs].tolist())
        _check(h.addRows(len(starts), np.zeros(len(starts)), np.zeros(len(starts)), len(index),
                         np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(coef)))
        return h

    def _rise_needed(self, m: int, x: int, p: int) -> float:
        return math.ceil(self.lowest[m, x, p] - TOLERANCE) + self.threshold - self.value[m, p]

    def _span(self, m: int, x: int, p: int) -> float:
        if not self.needs[x, p]:
            return math.inf
        return math.floor(self.highest[m, x, p] + TOLERANCE) - math.ceil(self.lowest[m, x, p] - TOLERANCE)

    def forget_witnesses(self, rows: np.ndarray) -> None:
        """The audit found these narrower than a witness suggested (another release's figures): solve them again."""
        m, p = self.grid_of(rows)
        self.highest[m, :, p] = self.value[m, p, None]
        self.lowest[m, :, p] = self.value[m, p, None]

    def _room(self, taking: list[int], still: set) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """How far each position may go up and down when the measures `taking` move together, and at what cost."""
        held = np.isin(self.hub, list(still)) if still else np.zeros(self.n, bool)
        movable = (self.latent | (self.can_hide[taking] | self.hidden_grid[taking]).all(axis=0)) & ~held
        down = np.where(movable, np.maximum(self.value[taking] - self.floor, 0).min(axis=0), 0).astype(float)
        up = np.where(movable, highspy.kHighsInf, 0.0)
        for greater, lesser in self.layout.order:
            if lesser in taking and greater not in taking:
                up = np.minimum(up, self.value[greater] - self.value[lesser])
            if greater in taking and lesser not in taking:
                down = np.minimum(down, self.value[greater] - self.value[lesser])
        cost = np.where(self.hidden_grid[taking], 0.0, self.weight[taking]).sum(axis=0)
        return up, down, cost

    def _move(self, taking: list[int], still: set, moves: dict[int, float]) -> bool:
        """Find the cheapest consistent values with each position moved by at least its amount (+ up, - down).

        The measures `taking` move alike; the hubs `still` do not move. Hides the published cells that had to
        change and records the witnesses; False if impossible.
        """
        up, down, cost = self._room(taking, still)
        movers = np.fromiter(moves, dtype=np.int64)
        amount = np.fromiter(moves.values(), dtype=float)
        upper = np.r_[up, down]
        lower = np.zeros(2 * self.n)
        column = np.where(amount < 0, movers + self.n, movers)
        # A mover's other column is closed: otherwise the LP could go up and down at once and move nothing.
        upper[np.where(amount < 0, movers, movers + self.n)] = 0
        if (upper[column] < np.abs(amount) - TOLERANCE).any():
            return False
        lower[column] = np.abs(amount)
        self._set(lower, upper, np.r_[cost, cost])
        # From scratch, with presolve: the last basis holds the last batch's moves, and undoing them
        # costs more pivots than presolve (which drops every fixed cell) and a fresh start together.
        self.h.clearSolver()
        self.h.run()
        if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return False
        solution = np.asarray(self.h.getSolution().col_value)
        moved = solution[: self.n] - solution[self.n :]
        changed = np.abs(moved) > TOLERANCE
        self.hidden_grid[np.ix_(taking, np.flatnonzero(changed & ~self.latent))] = True
        serves = self._served(set(self.hub[changed]) - {None})
        for m in taking:
            y = self.value[m] + moved
            for x in (0, 1):
                np.maximum(self.highest[m, x], np.where(serves[x], y, -np.inf), out=self.highest[m, x])
                np.minimum(self.lowest[m, x], np.where(serves[x], y, np.inf), out=self.lowest[m, x])
        return True

    def _set(self, lower: np.ndarray, upper: np.ndarray, cost: np.ndarray) -> None:
        """Give the model these column bounds and costs, changing only the columns that differ from the last."""
        bounds = np.flatnonzero((lower != self._columns[0]) | (upper != self._columns[1])).astype(np.int32)
        costs = np.flatnonzero(cost != self._columns[2]).astype(np.int32)
        if len(bounds):
            _check(self.h.changeColsBounds(len(bounds), bounds, lower[bounds], upper[bounds]))
        if len(costs):
            _check(self.h.changeColsCost(len(costs), costs, cost[costs]))
        self._columns = (lower, upper, cost)

    def _served(self, moved_hubs: set) -> np.ndarray:
        """serves[x, p]: a move of these hubs leaves every insider of half x but p's owner alone."""
        serves = np.zeros((2, self.n), bool)
        for x, half in enumerate(self.halves):
            inside = moved_hubs & half
            if not inside:
                serves[x] = True
            elif len(inside) == 1:
                serves[x] = self.owner == next(iter(inside))
        return serves

    def hide_neighbours(self, rows: np.ndarray) -> int:
        """Hide every cell sharing a relation, or an order rule, with one of `rows`, looking further out while that hides nothing."""
        measures, positions = self.grid_of(rows)
        newly = 0
        for m in np.unique(measures):
            mine = positions[measures == m]
            newly += _hide_neighbours(self.relations, mine, self.hidden_grid[m], self.can_hide[m])
            related = {a if b == m else b for a, b in self.layout.order if m in (a, b)}
            for other in related:
                fresh = mine[self.can_hide[other, mine] & ~self.hidden_grid[other, mine]]
                self.hidden_grid[other, fresh] = True
                newly += len(fresh)
        return newly


def _hide_neighbours(relations: _Relations, cells: np.ndarray, hidden: np.ndarray, can_hide: np.ndarray) -> int:
    """Hide every cell sharing a relation with one of `cells`, looking further out while that hides nothing."""
    wanted = set(cells.tolist())
    for _ in range(len(relations.equations)):
        near = set(wanted)
        for total, terms in relations.equations:
            members = {int(total), *terms.tolist()}
            if members & wanted:
                near |= members
        newly = np.array(sorted(c for c in near if can_hide[c] and not hidden[c]), dtype=np.int64)
        if len(newly) or near == wanted:
            hidden[newly] = True
            return len(newly)
        wanted = near
    return 0


def _check(status) -> None:
    if status != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS refused the model: {status}")


class DisclosureError(Exception):
    """The figures cannot be published safely; nothing is written."""


class _Relations:
    """The additive relations of one part: each total and the cells that add up to it.

    Relations run along time (year = its quarters, quarter = its months), along
    geography (network = its regions, region = its hubs) and along each breakdown
    that has a published total (total = its categories).
    """

    def __init__(self, cells: pd.DataFrame, hubs: pd.DataFrame):
        key = cells[list(CELL_KEY)].astype(str).reset_index(drop=True)
        position = pd.Series(np.arange(len(key)), index=_joined(key))
        topic = TOPICS[key["topic"].iloc[0]]
        region = dict(zip(hubs["hub"], hubs["region"]))
        self.equations: list[tuple[int, np.ndarray]] = []
        self.generating: list[bool] = []
        """Whether the LP needs the relation: time relations everywhere, geography ones
        between months, category ones within a hub's month imply all the others."""
        month = (key["period_level"] == "month").to_numpy()
        hub_month = month & (key["geo_level"] == "hub").to_numpy()
        for kind, parent_key in _parent_keys(key, topic, region):
            needed = {"time": np.ones(len(key), bool), "geo": month, "category": hub_month}[kind]
            parent = position.reindex(_joined(parent_key)).to_numpy()
            children = np.flatnonzero(~np.isnan(parent) & (parent != np.arange(len(parent))))
            if not len(children):
                continue
            parent = parent[children].astype(np.int64)
            order = np.argsort(parent, kind="stable")
            parent, children = parent[order], children[order]
            starts = np.flatnonzero(np.r_[True, parent[1:] != parent[:-1]])
            for total, terms in zip(parent[starts], np.split(children, starts[1:])):
                self.equations.append((int(total), terms))
                self.generating.append(bool(needed[total]))
        self._equations_of: dict[int, set[int]] = {}
        for number, (total, terms) in enumerate(self.equations):
            for cell in (int(total), *terms.tolist()):
                self._equations_of.setdefault(cell, set()).add(number)

    def _zone(self, cell: int) -> set[int]:
        """The relations of the cell and of every cell it shares a relation with."""
        zone = set()
        for number in self._equations_of.get(cell, ()):
            total, terms = self.equations[number]
            for member in (int(total), *terms.tolist()):
                zone |= self._equations_of[member]
        return zone

    def independent_sets(self, cells: list[int], most: int = _BATCH) -> list[list[int]]:
        """The cells in groups, in their order: no relation lies near two cells of one group."""
        groups: list[tuple[list[int], set[int]]] = []
        for cell in cells:
            mine = self._zone(cell)
            for members, used in groups:
                if len(members) < most and not mine & used:
                    members.append(cell)
                    used |= mine
                    break
            else:
                groups.append(([cell], set(mine)))
        return [members for members, _ in groups]

def _joined(key: pd.DataFrame) -> pd.Index:
    columns = list(key.columns)
    return pd.Index(key[columns[0]].str.cat([key[c] for c in columns[1:]], sep="\x1f"))


def _parent_keys(key: pd.DataFrame, topic, region: dict[str, str]):
    """For each kind of relation (time, geo, category), every cell's total along it (a key that may not exist)."""
    up_time = key.copy()
    up_time["period_level"] = key["period_level"].map({"month": "quarter", "quarter": "year", "year": "-"})
    months = key["period_level"] == "month"
    up_time["period"] = key["period"].map(year_of)
    up_time.loc[months, "period"] = key.loc[months, "period"].map(quarter_of)
    yield "time", up_time
    up_geo = key.copy()
    up_geo["geo_level"] = key["geo_level"].map({"hub": "region", "region": "network", "network": "-"})
    up_geo["geo"] = np.where(key["geo_level"] == "hub", key["geo"].map(region), NETWORK)
    yield "geo", up_geo
    for col in sorted({c for b in topic.breakdowns for c in b}):
        up = key.copy()
        up[col] = ALL
        yield "category", up


def _cost(cells: pd.DataFrame) -> np.ndarray:
    """What moving a published cell by one costs: headline totals are worth far more to readers."""
    weight = cells["period_level"].map(_PERIOD_WEIGHT).to_numpy() * cells["geo_level"].map(_GEO_WEIGHT).to_numpy()
    return weight * np.where(_is_total(cells), _TOTAL_WEIGHT, 1)


def _is_total(cells: pd.DataFrame) -> np.ndarray:
    """The cells of the topic's total over every breakdown (none for a topic without one)."""
    topic = TOPICS[cells["topic"].iloc[0]]
    if () not in topic.breakdowns:
        return np.zeros(len(cells), bool)
    columns = sorted({c for b in topic.breakdowns for c in b})
    return np.logical_and.reduce([(cells[c] == ALL).to_numpy() for c in columns])


def _as_release(part: _Part, hidden: np.ndarray) -> Release:
    shown = ~part.latent
    published = part.cells.loc[shown, [*CELL_KEY]].copy()
    published["value"] = part.cells.loc[shown, "value"].astype("Int64").mask(hidden[shown])
    published["suppressed"] = hidden[shown]
    return Release(cells=published, hubs=part.hubs, blocks=part.blocks, threshold=part.threshold)


def _positions(cells: pd.DataFrame, subset: pd.DataFrame) -> np.ndarray:
    numbered = cells[list(CELL_KEY)].astype(str).assign(_pos=np.arange(len(cells)))
    return numbered.merge(subset[list(CELL_KEY)].astype(str), on=list(CELL_KEY))["_pos"].to_numpy()


def _carried_over(cells, hubs, blocks, previous: Release | None) -> pd.DataFrame:
    """What the previous release fixed: cells over unchanged data keep their status.

    A region's (or the network's) cell covers the same data only if it covers the
    same hubs.
    """
    keep = pd.DataFrame({"keep_suppressed": False, "keep_published": False}, index=cells.index)
    if previous is None:
        return keep
    old = previous.cells[unchanged_data(previous, blocks)]
    old = old[old["topic"].map(lambda t: TOPICS[t].count_of_people).astype(bool)]
    same_cover = _same_membership(previous.hubs, hubs)
    old = old[(old["geo_level"] == "hub") | old["geo"].isin(same_cover)]
    key = list(CELL_KEY)
    joined = cells[key].astype(str).merge(
        old[[*key, "suppressed"]].astype({c: str for c in key}), on=key, how="left"
    )
    was_hidden = joined["suppressed"]
    keep["keep_suppressed"] = (was_hidden == True).to_numpy()  # noqa: E712 (missing means no previous cell)
    keep["keep_published"] = (was_hidden == False).to_numpy()  # noqa: E712
    return keep


def _same_membership(old_hubs: pd.DataFrame, new_hubs: pd.DataFrame) -> set[str]:
    """Regions (and the network) whose hubs are the same in both releases."""
    old = old_hubs.groupby("region")["hub"].apply(frozenset)
    new = new_hubs.groupby("region")["hub"].apply(frozenset)
    same = {r for r in old.index if r in new.index and old[r] == new[r]}
    if set(old_hubs["hub"]) == set(new_hubs["hub"]):
        same.add(NETWORK)
    return same


def _previous_part(previous: Release | None, part_cells: pd.DataFrame) -> Release | None:
    """The previous release's cells of the same topic, outcome and year."""
    if previous is None:
        return None
    first = part_cells.iloc[0]
    old = previous.cells
    mask = (
        (old["topic"] == first["topic"])
        & (old["outcome"] == first["outcome"])
        & (old["period"].str.slice(0, 4) == first["period"][:4])
    )
    return Release(
        cells=old[mask], hubs=previous.hubs, blocks=previous.blocks, threshold=previous.threshold, number=previous.number
    )


class _Inline:
    """A stand-in for a process pool when one part, or one worker, is all there is."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def map(fn, items):
        return map(fn, items)
