"""Disclosure control: which cells of the cube are published. One entry point: `protect`.

The attackers are docs/attacker.md's: anyone who reads every published figure and
knows every additive relation and the extract format's order rules, and the staff
of each hub, who also know all of their own hub's figures. Primary suppression
hides every count from 1 to K-1; complementary suppression then hides more cells
until every hidden cell that could be small keeps at least K possible values
against each of them.

Protection is by witnesses: other values of the cells, consistent with every
relation, every order rule and every published figure, that an attacker cannot
rule out. A witness is found by a linear programme that moves a hidden cell by K
at the least cost in cells it must then hide. To hold against a hub's staff, a
witness may move the figures of one hub only (with its region's and the network's
cells above them): every other hub's figures stay at their true values, so their
staff see nothing move that they know. So a hub's hidden cell is protected by
witnesses in its own hub, and a region's or the network's hidden cell by
witnesses in two hubs or more, so that no hub's staff can take their own away.
The witnesses prove each interval; no audit is needed to trust them, and the
audit (dashboard/audit.py, which knows nothing of this module) checks the result
independently in the tests and with `hubdash audit --insiders`.

An order rule ties the measures of one cell (completed <= first_appointment): a
witness moves one measure where the others leave it room, or the measure and
every measure above it together.

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

from .hierarchy import ALL, CELL_KEY, NETWORK, TOPICS, quarter_of, year_of
from .release import Release, unchanged_data
from .workers import pool as worker_pool

_PERIOD_WEIGHT = {"month": 1, "quarter": 4, "year": 8}
_GEO_WEIGHT = {"hub": 1, "region": 3, "network": 6}
_TOTAL_WEIGHT = 6
"""What hiding a cell costs readers, by level: a quarterly or yearly total, and the higher geographies, are the
figures people look for; months and categories are detail (the cell's size weighs in too, see _cost)."""
_WHOLE_NETWORK_HUBS = 12
"""Up to this many hubs, a witness may move half the network's hubs; beyond, half a region's, which keeps each
LP to one region and the network."""
_HEADLINE_WEIGHT = 20
"""A region's or the network's quarterly or yearly total is what funders and leaders read first: hidden only
where nothing else can protect."""
TOLERANCE = 1e-6
"""Slack allowed for floating point in LP solutions of whole counts."""
_BATCH = 100
"""Targets moved together in one LP at most."""
_ROUNDS = 12
"""Rounds of witnesses before giving up: each round protects what the cells hidden in the last one need."""


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
        _Part(cells=cells.loc[index], latent=latent[index], suppressed=suppressed[index], locked=locked[index],
              hubs=hubs, threshold=threshold)
        for index in problems.values()
    ]
    with worker_pool(workers) if workers > 1 and len(jobs) > 1 else _Inline() as pool:
        for (name, index), (hidden, rounds) in zip(problems.items(), pool.map(_protect_part, jobs)):
            suppressed[index] = hidden
            say(f"  {name}: {int(hidden.sum()):,} hidden after {rounds} round(s) of witnesses")

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
    """One independent part of the cube: a topic (and outcome) and calendar year, every measure."""

    cells: pd.DataFrame
    latent: np.ndarray
    """Unpublished margins: unknowns at least 0, never hidden, free to move."""
    suppressed: np.ndarray
    locked: np.ndarray
    hubs: pd.DataFrame
    threshold: int


def _independent_parts(cells: pd.DataFrame) -> dict[str, np.ndarray]:
    """No relation crosses an outcome or a calendar year; the order rules tie the measures of a topic together."""
    year = cells["period"].str.slice(0, 4)
    keys = cells["topic"] + "/" + cells["outcome"].where(cells["outcome"] != ALL, "") + "/" + year
    return {name: idx.to_numpy() for name, idx in cells.groupby(keys.str.replace("//", "/"), sort=True).groups.items()}


def _protect_part(part: _Part) -> tuple[np.ndarray, int]:
    hidden = part.suppressed.copy()
    if not hidden.any():
        return hidden, 0
    layout = _Layout(part.cells, part.hubs)
    protection = _Protection(part, layout)
    rounds = protection.run()
    hidden[layout.row] = protection.hidden
    return hidden, rounds


class _Layout:
    """The cells of a part as a grid: one row per measure, one column per position (every other key column).

    The cube publishes every measure at the same positions, and the order rules relate the measures of one
    position, so a witness is a move of positions, taken by one measure or several.
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
        first = cells.iloc[self.row[0]].reset_index(drop=True)
        self.position_cells = first
        level, geo = first["geo_level"].to_numpy(), first["geo"].to_numpy()
        region_of = dict(zip(hubs["hub"], hubs["region"]))
        hubs_in = hubs.groupby("region")["hub"].apply(list).to_dict()
        alone = {r: h[0] for r, h in hubs_in.items() if len(h) == 1}
        single = hubs["hub"].iloc[0] if len(hubs) == 1 else None
        self.owner = np.array([
            g if lv == "hub" else alone.get(g) if lv == "region" else single for lv, g in zip(level, geo)
        ], dtype=object)
        """The one hub a position covers, whose staff know it, or None (a region of several hubs, the network)."""
        self.window = {
            hub: np.flatnonzero((self.owner == hub) | ((level == "region") & (geo == region_of[hub]))
                                | (level == "network"))
            for hub in hubs["hub"]
        }
        """Each hub's positions, with its region's and the network's: all that a witness in that hub moves."""
        up = _geo_parents(first, hubs)
        hub_rows = np.flatnonzero(level == "hub")
        pairs = [(h, up[h]) for h in hub_rows if up[h] >= 0]
        pairs += [(h, up[r]) for h, r in pairs if up[r] >= 0]
        pairs = [(h, a) for h, a in pairs if self.owner[a] is None]
        self.covered = np.array(pairs, dtype=np.int64).reshape(-1, 2)
        """(hub position, region or network position above it) for every aggregate of several hubs."""
        self.up = up
        """Each position's region (a hub's) or network (a region's) position, or -1."""

    def moving_sets(self, measure: int) -> list[tuple[int, ...]]:
        """The sets of measures a witness for this measure tries, in turn: itself; with every measure the order
        rules put above it (room to rise); then also with the measures below it, one step of the rules at a time
        (room to fall where it compensates)."""
        above = self._steps(measure, up=True)
        sets, below = [(measure,), tuple(sorted(set().union(*above)))], [measure]
        for step in self._steps(measure, up=False)[1:]:
            below += step
            sets.append(tuple(sorted(set(sets[1]) | set(below))))
        return [s for i, s in enumerate(sets) if s not in sets[:i]]

    def _steps(self, measure: int, up: bool) -> list[list[int]]:
        """The measures reached from this one along the order rules, up or down, by number of steps."""
        steps, seen = [[measure]], {measure}
        while steps[-1]:
            nxt = sorted({g if up else l for g, l in self.order if (l if up else g) in steps[-1]} - seen)
            seen.update(nxt)
            steps.append(nxt)
        return steps[:-1]


def _geo_parents(cells: pd.DataFrame, hubs: pd.DataFrame) -> np.ndarray:
    """For each position, the position of its region's (a hub) or the network's (a region) cell, or -1."""
    key = cells[list(CELL_KEY)].astype(str).reset_index(drop=True)
    position = pd.Series(np.arange(len(key)), index=_joined(key))
    parent = position.reindex(_joined(_geo_parent_keys(key, hubs))).to_numpy()
    return np.where(np.isnan(parent), -1, parent).astype(np.int64)


class _Protection:
    """The witnesses of one part, and the cells they hide.

    A witness is recorded under the hubs whose figures it moved: it holds against every attacker but the staff
    of those hubs. A hidden cell that could be small is safe when, for each attacker, the witnesses that hold
    against that attacker span K. The windows asked for witnesses hold a hub and a partner (another hub of its
    region first, whose totals then cancel in the region's) or the hub alone, so two witnesses in different
    windows protect a cell against everyone.
    """

    def __init__(self, part: _Part, layout: _Layout):
        self.layout, self.threshold = layout, part.threshold
        row = layout.row
        self.value = part.cells["value"].to_numpy(dtype=np.int64)[row]
        self.hidden = part.suppressed[row].copy()
        self.latent = part.latent[row[0]]
        self.can_hide = (self.value > 0) & ~part.locked[row] & ~self.latent
        self.floor = np.where(self.latent, 0, 1)
        self.weight = np.where(self.latent, 0.0, _cost(part.cells)[row])
        self.relations = _Relations.of(layout.position_cells, part.hubs)
        self.region = dict(zip(part.hubs["hub"], part.hubs["region"]))
        self.by_region = len(part.hubs) > _WHOLE_NETWORK_HUBS
        self.half = _halves(part.hubs)
        self.witnesses: dict[frozenset, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        """Hubs moved -> (positions, least, greatest value of each measure there in such witnesses)."""
        self.asked: set[tuple[int, int, frozenset]] = set()
        """(measure, position, window): what each window was asked to protect."""

    def run(self) -> int:
        """Protect until every hidden cell that could be small is safe; the number of rounds it took."""
        for rounds in range(_ROUNDS):
            asks, unprotectable = self._asks()
            if not asks and not unprotectable:
                return rounds
            if unprotectable and not self._hide_neighbours(unprotectable):
                raise DisclosureError(
                    f"{len(unprotectable)} cell(s) cannot be protected: every cell they could hide behind is "
                    "fixed by an earlier release or is zero. Re-publish from scratch (a new warehouse)."
                )
            for hubs in sorted(asks, key=sorted):
                self._protect_in(hubs, asks[hubs])
        raise DisclosureError(f"protection did not settle in {_ROUNDS} rounds")

    def halves_of(self, hub: str) -> tuple[frozenset, frozenset]:
        """The hub's half and the other half (on a large network, of its own region only)."""
        near = [h for h in self.half if not self.by_region or self.region[h] == self.region[hub]]
        mine = frozenset(h for h in near if self.half[h] == self.half[hub])
        return mine, frozenset(near) - mine

    def window(self, hubs: frozenset) -> np.ndarray:
        """The positions of these hubs, with their regions' and the network's."""
        return np.unique(np.concatenate([self.layout.window[h] for h in hubs]))

    def _asks(self) -> tuple[dict[frozenset, list[tuple[int, int]]], list[tuple[int, int]]]:
        """What each window must protect next, and the cells no window is left to protect."""
        layout, k, owner = self.layout, self.threshold, self.layout.owner
        small = self.hidden & (self.value <= 2 * k - 2)
        claims: list[tuple[int, int, object, list[frozenset]]] = []
        """(measure, position, attacker, windows that can move the cell): a cell must hold against the attacker."""
        for hub in layout.window:
            positions = np.flatnonzero(owner == hub)
            seen = sorted({h for key in self.witnesses if hub in key for h in key} - {hub})
            mine, theirs = self.halves_of(hub)
            windows = [mine, theirs | {hub}, frozenset({hub})]
            for m, j in zip(*np.nonzero(small[:, positions])):
                claims.extend((int(m), int(positions[j]), attacker, windows) for attacker in [None, *seen])
        below, above = layout.covered[:, 0], layout.covered[:, 1]
        # What every attacker can prove of an aggregate from its published parts (a hidden part is at least 1):
        # a cell whose rest is proven at least K cannot be small, however narrow.
        part = np.where(self.hidden, 1, self.value)
        children = np.flatnonzero(layout.up >= 0)
        proven = np.zeros(self.value.shape)
        np.add.at(proven.T, layout.up[children], part[:, children].T)
        theirs = np.where(layout.up[below] == above, below, layout.up[below])
        """The part of each aggregate that holds the hub below it: that hub's staff cannot count it."""
        for m in range(len(layout.measures)):
            rest = self.value[m, above] - self.value[m, below]
            value = self.value[m, above]
            insider = (rest >= 1) & (rest <= 2 * k - 2) & (proven[m, above] - part[m, theirs] < k)
            outsider = (value <= 2 * k - 2) & (proven[m, above] < k)
            for i in np.flatnonzero(self.hidden[m, above] & (insider | outsider)):
                p = int(above[i])
                attacker = owner[below[i]] if insider[i] else None
                under = below[above == p]
                largest = owner[under[np.argmax(self.value[m, under])]]
                windows = list(self.halves_of(largest))
                windows += [frozenset({owner[q]}) for q in under[np.argsort(-self.value[m, under], kind="stable")][:2]]
                claims.append((m, p, attacker, windows))

        asks: dict[frozenset, list[tuple[int, int]]] = {}
        unprotectable: list[tuple[int, int]] = []
        pending: set[tuple[int, int, frozenset]] = set()
        for m, p, attacker, windows in (c for c, failing in zip(claims, self._short(claims)) if failing):
            windows = [w for w in windows if w and attacker not in w]
            if any((m, p, w) in pending for w in windows):
                continue
            window = next((w for w in windows if (m, p, w) not in self.asked), None)
            if window is None:
                unprotectable.append((m, p))
                continue
            self.asked.add((m, p, window))
            pending.add((m, p, window))
            asks.setdefault(window, []).append((m, p))
        return asks, unprotectable

    def _short(self, claims: list[tuple[int, int, object, list[str]]]) -> np.ndarray:
        """For each claim, whether the witnesses that hold against its attacker span fewer than K values."""
        if not claims:
            return np.zeros(0, bool)
        m = np.array([c[0] for c in claims])
        p = np.array([c[1] for c in claims])
        cell, first = np.unique(m * self.layout.n + p, return_inverse=True)
        cm, cp = cell // self.layout.n, cell % self.layout.n
        keys = list(self.witnesses)
        least = np.repeat(self.value[cm, cp].astype(float)[:, None], len(keys) + 1, axis=1)
        greatest = least.copy()
        for number, (positions, low, high) in enumerate(self.witnesses.values()):
            at = np.minimum(np.searchsorted(positions, cp), len(positions) - 1)
            there = positions[at] == cp
            least[there, number] = low[cm[there], at[there]]
            greatest[there, number] = high[cm[there], at[there]]
        attackers = sorted({c[2] for c in claims if c[2] is not None})
        moved = np.array([[a in key for key in keys] + [False] for a in attackers] + [[False] * (len(keys) + 1)], bool)
        row = np.array([attackers.index(c[2]) if c[2] is not None else len(attackers) for c in claims])
        allowed = ~moved[row]
        lo = np.where(allowed, least[first], np.inf).min(axis=1)
        hi = np.where(allowed, greatest[first], -np.inf).max(axis=1)
        return np.floor(hi + TOLERANCE) - np.ceil(lo - TOLERANCE) < self.threshold

    def _protect_in(self, hubs: frozenset, cells: list[tuple[int, int]]) -> None:
        """Witnesses in one window: each measure alone first, then with the measures above it."""
        window = self.window(hubs)
        local = np.full(self.layout.n, -1)
        local[window] = np.arange(len(window))
        relations = self.relations.within(window)
        found = np.repeat(self.value[:, window].astype(float)[None], 2, axis=0)
        """Least and greatest value of each cell in this window's witnesses."""
        for attempt in range(len(self.layout.measures) + 1):
            groups: dict[tuple[int, ...], list[tuple[int, int]]] = {}
            for m, p in cells:
                sets = self.layout.moving_sets(m)
                if attempt < len(sets) and _span(found, m, local[p]) < self.threshold:
                    groups.setdefault(sets[attempt], []).append((m, int(local[p])))
            for moving, targets in groups.items():
                _Witnesses(self, window, relations, moving, found).protect(targets)

    def record(self, window: np.ndarray, changed: np.ndarray, moving: list[int], moved: np.ndarray) -> None:
        """Keep a witness under the hubs it moved."""
        hubs = frozenset(h for h in self.layout.owner[window[changed]] if h is not None)
        if not hubs:
            return
        if hubs not in self.witnesses:
            positions = self.window(hubs)
            values = self.value[:, positions].astype(float)
            self.witnesses[hubs] = (positions, values, values.copy())
        positions, least, greatest = self.witnesses[hubs]
        at = np.searchsorted(positions, window[changed])
        for m in moving:
            y = self.value[m, window[changed]] + moved[changed]
            least[m, at] = np.minimum(least[m, at], y)
            greatest[m, at] = np.maximum(greatest[m, at], y)

    def _hide_neighbours(self, cells: list[tuple[int, int]]) -> int:
        """Hide, in the measures tied to each cell, every cell it shares a relation with, looking further out
        while that hides nothing (an earlier release may have fixed the nearest ones); ask every window again."""
        newly = 0
        for m, p in cells:
            measures = list(self.layout.moving_sets(m)[-1])
            near, seen = np.array([p]), {p}
            while len(near):
                near = np.array(sorted({int(q) for c in near for q in self.relations.neighbours(int(c))} - seen), dtype=np.int64)
                seen.update(near.tolist())
                fresh = self.can_hide[np.ix_(measures, near)] & ~self.hidden[np.ix_(measures, near)]
                if fresh.any():
                    rows, columns = np.nonzero(fresh)
                    self.hidden[np.array(measures)[rows], near[columns]] = True
                    newly += len(rows)
                    break
            self.asked = {(a, b, w) for a, b, w in self.asked if (a, b) != (m, p)}
        return newly


def _span(found: np.ndarray, m: int, j: int) -> float:
    return math.floor(found[1, m, j] + TOLERANCE) - math.ceil(found[0, m, j] - TOLERANCE)


def _halves(hubs: pd.DataFrame) -> dict[str, int]:
    """Two halves of the hubs, alternating within each region, so that every region of two hubs or more has
    hubs in both: a witness moving one half holds against the staff of every hub in the other."""
    half, turn = {}, 0
    for _, members in sorted(hubs.groupby("region")["hub"]):
        for hub in sorted(members):
            half[hub], turn = turn, 1 - turn
    return half


class _Witnesses:
    """One LP over one window: the cheapest values with a target moved, taken by a set of measures at once.

    Columns 0..n-1 say how far each position goes up, n..2n-1 how far down; one row per relation. Changing a
    published cell costs its weight per unit (in every measure that moves); a hidden cell or an unpublished
    margin moves for free. A measure that moves stays within the order rules against the measures that do not
    (they keep their true values), and every position outside the window keeps its value, so every solution is
    a point that every attacker but the staff of the hubs it moves must allow.
    """

    def __init__(self, protection: _Protection, window: np.ndarray, relations: _Relations, moving: tuple[int, ...],
                 found: np.ndarray):
        p, self.moving, self.window, self.found = protection, list(moving), window, found
        self.p, self.n = p, len(window)
        n = self.n
        value = p.value[np.ix_(self.moving, window)]
        movable = (p.can_hide | p.hidden)[np.ix_(self.moving, window)].all(axis=0) | p.latent[window]
        up = np.where(movable, highspy.kHighsInf, 0.0)
        down = np.where(movable, np.maximum(value - p.floor[window], 0).min(axis=0), 0.0).astype(float)
        for greater, lesser in p.layout.order:
            room = (p.value[greater, window] - p.value[lesser, window]).astype(float)
            if lesser in moving and greater not in moving:
                up = np.minimum(up, room)
            if greater in moving and lesser not in moving:
                down = np.minimum(down, room)
        self.bounds = np.r_[up, down]
        self.h = h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.addVars(2 * n, np.zeros(2 * n), self.bounds)
        rows = np.ix_(self.moving, window)
        cost = np.where(p.hidden[rows], 0.0, p.weight[rows]).sum(axis=0)
        h.changeColsCost(2 * n, np.arange(2 * n, dtype=np.int32), np.r_[cost, cost])
        starts, index, coef = [], [], []
        for (total, terms), needed in zip(relations.equations, relations.generating):
            if not needed:
                continue
            starts.append(len(index))
            members = np.r_[terms, total]
            signs = np.r_[np.ones(len(terms)), -1.0]
            index.extend(np.r_[members, members + n].tolist())
            coef.extend(np.r_[signs, -signs].tolist())
        if starts:
            _check(h.addRows(len(starts), np.zeros(len(starts)), np.zeros(len(starts)), len(index),
                             np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(coef)))
        self.relations = relations

    def protect(self, targets: list[tuple[int, int]]) -> None:
        """Make every target's span in this window K: far-apart targets together, the rest one by one.

        A batch the LP cannot move together is retried cell by cell, down to where the witnesses then span K
        (or to 1), then up as far as needed; a cell that still cannot move is asked of another window, or has
        its neighbours hidden, in the next round.
        """
        k, found = self.p.threshold, self.found
        by_position = {j: m for m, j in targets}
        short = lambda j: _span(found, by_position[j], j) < k  # noqa: E731
        for batch in self.relations.independent_sets([j for j in by_position if short(j)]):
            batch = [j for j in batch if short(j)]
            if len(batch) > 1 and self._move({j: self._rise_needed(by_position[j], j) for j in batch}):
                continue
            for j in batch:
                m = by_position[j]
                low_enough = max(1, math.floor(found[1, m, j] + TOLERANCE) - k)
                if short(j) and found[0, m, j] > low_enough + TOLERANCE:
                    self._move({j: -(self.p.value[m, self.window[j]] - low_enough)})
                if short(j):
                    self._move({j: self._rise_needed(m, j)})

    def _rise_needed(self, m: int, j: int) -> float:
        return math.ceil(self.found[0, m, j] - TOLERANCE) + self.p.threshold - self.p.value[m, self.window[j]]

    def _move(self, moves: dict[int, float]) -> bool:
        """The cheapest consistent values with each position moved by at least its amount (+ up, - down).

        Hides the published cells that had to change and records the witness; False if impossible.
        """
        n, h, p = self.n, self.h, self.p
        movers = np.fromiter(moves, dtype=np.int64)
        amount = np.fromiter(moves.values(), dtype=float)
        column = np.where(amount < 0, movers + n, movers)
        # A mover's other column is closed: otherwise the LP could go up and down at once and move nothing.
        closed = np.where(amount < 0, movers, movers + n)
        if (np.abs(amount) > self.bounds[column] + TOLERANCE).any():
            return False
        _check(h.changeColsBounds(len(closed), closed.astype(np.int32), np.zeros(len(closed)), np.zeros(len(closed))))
        _check(h.changeColsBounds(len(column), column.astype(np.int32), np.abs(amount), self.bounds[column]))
        h.clearSolver()
        h.run()
        solved = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        solution = np.asarray(h.getSolution().col_value) if solved else None
        reopened = np.r_[column, closed]
        _check(h.changeColsBounds(len(reopened), reopened.astype(np.int32), np.zeros(len(reopened)),
                                  self.bounds[reopened]))
        if not solved:
            return False
        moved = solution[:n] - solution[n:]
        changed = np.flatnonzero(np.abs(moved) > TOLERANCE)
        cells = self.window[changed]
        for m in self.moving:
            p.hidden[m, cells[~p.latent[cells]]] = True
            y = p.value[m, self.window] + moved
            np.minimum(self.found[0, m], y, out=self.found[0, m])
            np.maximum(self.found[1, m], y, out=self.found[1, m])
        p.record(self.window, changed, self.moving, moved)
        if len(changed):
            h.changeColsCost(2 * len(changed), np.r_[changed, changed + n].astype(np.int32), np.zeros(2 * len(changed)))
        return True


def _check(status) -> None:
    if status != highspy.HighsStatus.kOk:
        raise RuntimeError(f"HiGHS refused the model: {status}")


class DisclosureError(Exception):
    """The figures cannot be published safely; nothing is written."""


class _Relations:
    """The additive relations among positions: each total and the cells that add up to it.

    Relations run along time (year = its quarters, quarter = its months), along
    geography (network = its regions, region = its hubs) and along each breakdown
    that has a published total (total = its categories).
    """

    def __init__(self, equations: list[tuple[int, np.ndarray]], generating: list[bool]):
        self.equations, self.generating = equations, generating
        """`generating`: whether the LP needs the relation: time relations everywhere, geography ones
        between months, category ones within a hub's month imply all the others."""
        self._equations_of: dict[int, list[int]] = {}
        self._totalled_by: dict[int, list[int]] = {}
        for number, (total, terms) in enumerate(equations):
            self._totalled_by.setdefault(int(total), []).append(number)
            for cell in (int(total), *terms.tolist()):
                self._equations_of.setdefault(cell, []).append(number)

    @classmethod
    def of(cls, cells: pd.DataFrame, hubs: pd.DataFrame) -> _Relations:
        key = cells[list(CELL_KEY)].astype(str).reset_index(drop=True)
        position = pd.Series(np.arange(len(key)), index=_joined(key))
        topic = TOPICS[key["topic"].iloc[0]]
        equations, generating = [], []
        month = (key["period_level"] == "month").to_numpy()
        hub_month = month & (key["geo_level"] == "hub").to_numpy()
        for kind, parent_key in _parent_keys(key, topic, hubs):
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
                equations.append((int(total), terms))
                generating.append(bool(needed[total]))
        return cls(equations, generating)

    def within(self, positions: np.ndarray) -> _Relations:
        """The relations of a window, numbered within it, every position outside it held at its value.

        A window holds the parents along every relation of its cells, so each relation it keeps has its total
        inside; the terms outside are constants and drop out of the moves.
        """
        inside = np.full(max(self._equations_of, default=-1) + 1 + len(positions), -1)
        inside[positions] = np.arange(len(positions))
        equations, generating = [], []
        for position in positions.tolist():
            for number in self._totalled_by.get(position, ()):
                total, terms = self.equations[number]
                local = inside[terms]
                equations.append((int(inside[total]), local[local >= 0]))
                generating.append(self.generating[number])
        return _Relations(equations, generating)

    def neighbours(self, cell: int) -> np.ndarray:
        """Every position sharing a relation with the cell."""
        near = {m for number in self._equations_of.get(cell, ()) for m in
                (int(self.equations[number][0]), *self.equations[number][1].tolist())}
        return np.array(sorted(near - {cell}), dtype=np.int64)

    def _zone(self, cell: int) -> set[int]:
        """The relations of the cell and of every cell it shares a relation with."""
        zone = set()
        for number in self._equations_of.get(cell, ()):
            total, terms = self.equations[number]
            for member in (int(total), *terms.tolist()):
                zone.update(self._equations_of[member])
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


def _parent_keys(key: pd.DataFrame, topic, hubs: pd.DataFrame):
    """For each kind of relation (time, geo, category), every cell's total along it (a key that may not exist)."""
    up_time = key.copy()
    up_time["period_level"] = key["period_level"].map({"month": "quarter", "quarter": "year", "year": "-"})
    months = key["period_level"] == "month"
    up_time["period"] = key["period"].map(year_of)
    up_time.loc[months, "period"] = key.loc[months, "period"].map(quarter_of)
    yield "time", up_time
    yield "geo", _geo_parent_keys(key, hubs)
    for col in sorted({c for b in topic.breakdowns for c in b}):
        up = key.copy()
        up[col] = ALL
        yield "category", up


def _geo_parent_keys(key: pd.DataFrame, hubs: pd.DataFrame) -> pd.DataFrame:
    region = dict(zip(hubs["hub"], hubs["region"]))
    up = key.copy()
    up["geo_level"] = key["geo_level"].map({"hub": "region", "region": "network", "network": "-"})
    up["geo"] = np.where(key["geo_level"] == "hub", key["geo"].map(region), NETWORK)
    return up


def _cost(cells: pd.DataFrame) -> np.ndarray:
    """What hiding a cell costs readers, per unit a witness moves it: its level's weight, more for a larger count."""
    level = cells["period_level"].map(_PERIOD_WEIGHT).to_numpy() * cells["geo_level"].map(_GEO_WEIGHT).to_numpy()
    level = level * np.where(_is_total(cells), _TOTAL_WEIGHT, 1)
    headline = _is_total(cells) & (cells["geo_level"] != "hub").to_numpy() & (cells["period_level"] != "month").to_numpy()
    level = level * np.where(headline, _HEADLINE_WEIGHT, 1)
    return level * np.log2(2 + cells["value"].to_numpy(dtype=float))


def _is_total(cells: pd.DataFrame) -> np.ndarray:
    """The cells of the topic's total over every breakdown (none for a topic without one)."""
    topic = TOPICS[cells["topic"].iloc[0]]
    if () not in topic.breakdowns:
        return np.zeros(len(cells), bool)
    columns = sorted({c for b in topic.breakdowns for c in b})
    return np.logical_and.reduce([(cells[c] == ALL).to_numpy() for c in columns])


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


class _Inline:
    """A stand-in for a process pool when one part, or one worker, is all there is."""

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    @staticmethod
    def map(fn, items):
        return map(fn, items)
