"""Disclosure control: which cells of the cube are published. One entry point: `protect`.

Primary suppression hides every count from 1 to K-1. Complementary suppression
then hides more cells until no hidden cell can be narrowed, from everything
published, to an interval narrower than K:

1. a fast pass over every additive relation (month/quarter/year, hub/region/
   network, category/total): where a published total has hidden terms, they must
   be at least two and leave room of at least K between them;
2. the audit (dashboard/audit.py, which knows nothing of this module) then
   attacks each independent part of the cube with linear programming, and every
   cell it can narrow gets its cheapest published neighbour hidden too, until
   the audit finds nothing.

Cells keep their status from the previous release where the data under them did
not change, so comparing releases teaches nothing new. Zeros are always
published (a hidden cell is known to be at least 1), and so is money.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd

from . import audit as attacker
from .hierarchy import ALL, CELL_KEY, NETWORK, TOPICS, quarter_of, year_of
from .release import Release, unchanged_data

_PERIOD_WEIGHT = {"month": 1, "quarter": 2, "year": 4}
_GEO_WEIGHT = {"hub": 1, "region": 3, "network": 9}
_TOTAL_WEIGHT = 3
"""What hiding a cell costs, per unit of its value: headline totals are worth
far more to readers than monthly detail for one hub and service line."""


@dataclass
class Protected:
    cells: pd.DataFrame
    """CELL_KEY, value (missing where suppressed) and suppressed."""
    counts: dict[str, int] = field(default_factory=dict)
    """How many cells were suppressed, by reason: primary, complementary, carried over."""


def protect(
    cells: pd.DataFrame,
    hubs: pd.DataFrame,
    blocks: pd.DataFrame,
    threshold: int,
    previous: Release | None = None,
    progress: Callable[[str], None] | None = None,
    workers: int = 2,
) -> Protected:
    """Decide which cells of the cube (true values) are published."""
    say = progress or (lambda _msg: None)
    cells = cells.reset_index(drop=True)
    status = _carried_over(cells, hubs, blocks, previous)
    people = cells["topic"].map(lambda t: TOPICS[t].count_of_people).astype(bool)
    value = cells["value"].astype("int64").to_numpy()
    primary = people.to_numpy() & (value >= 1) & (value < threshold)
    suppressed = primary | status["keep_suppressed"].to_numpy()
    locked = status["keep_published"].to_numpy()

    problems = _independent_parts(cells[people])
    say(f"suppression: {int(primary.sum()):,} primary cells in {len(problems)} independent parts")
    jobs = [
        _Part(
            cells=cells.loc[index],
            suppressed=suppressed[index],
            locked=locked[index],
            hubs=hubs,
            blocks=blocks,
            threshold=threshold,
            previous=_previous_part(previous, cells.loc[index]),
        )
        for index in problems.values()
    ]
    with ProcessPoolExecutor(max_workers=workers) if workers > 1 and len(jobs) > 1 else _Inline() as pool:
        for (name, index), (hidden, rounds) in zip(problems.items(), pool.map(_protect_part, jobs)):
            suppressed[index] = hidden
            say(f"  {name}: {int(hidden.sum()):,} hidden after {rounds} audit round(s)")

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
    suppressed: np.ndarray
    locked: np.ndarray
    hubs: pd.DataFrame
    blocks: pd.DataFrame
    threshold: int
    previous: Release | None


def _independent_parts(cells: pd.DataFrame) -> dict[str, np.ndarray]:
    """No relation crosses a measure, an outcome or a calendar year."""
    year = cells["period"].str.slice(0, 4)
    keys = cells["topic"] + "/" + cells["measure"] + "/" + cells["outcome"].where(cells["outcome"] != ALL, "") + "/" + year
    return {name: idx.to_numpy() for name, idx in cells.groupby(keys.str.replace("//", "/"), sort=True).groups.items()}


def _protect_part(part: _Part) -> tuple[np.ndarray, int]:
    relations = _Relations(part.cells, part.hubs)
    hidden = part.suppressed.copy()
    value = part.cells["value"].astype("int64").to_numpy()
    cost = _cost(part.cells, value)
    can_hide = (value > 0) & ~part.locked
    rounds = 0
    while True:
        _hide_until_each_relation_holds(relations, hidden, value, cost, can_hide, part.threshold)
        if not hidden.any():
            return hidden, rounds
        rounds += 1
        report = attacker.audit(_as_release(part, hidden), part.previous)
        at_risk = report[report["at_risk"]]
        if at_risk.empty:
            return hidden, rounds
        if not _hide_cheapest_neighbours(relations, _positions(part.cells, at_risk), hidden, cost, can_hide):
            raise DisclosureError(
                f"{len(at_risk)} cell(s) cannot be protected: every cell related to them is fixed by an "
                "earlier release. Re-publish from scratch (a new warehouse) to protect them."
            )


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
        for parent_key in _parent_keys(key, topic, region):
            parent = position.reindex(_joined(parent_key)).to_numpy()
            children = np.flatnonzero(~np.isnan(parent))
            if not len(children):
                continue
            parent = parent[children].astype(np.int64)
            order = np.argsort(parent, kind="stable")
            parent, children = parent[order], children[order]
            starts = np.flatnonzero(np.r_[True, parent[1:] != parent[:-1]])
            for total, terms in zip(parent[starts], np.split(children, starts[1:])):
                self.equations.append((int(total), terms))
        self.of_cell: list[list[int]] = [[] for _ in range(len(key))]
        for e, (total, terms) in enumerate(self.equations):
            self.of_cell[total].append(e)
            for t in terms:
                self.of_cell[t].append(e)

    def members(self, e: int) -> np.ndarray:
        total, terms = self.equations[e]
        return np.r_[total, terms]


def _joined(key: pd.DataFrame) -> pd.Index:
    columns = list(key.columns)
    return pd.Index(key[columns[0]].str.cat([key[c] for c in columns[1:]], sep="\x1f"))


def _parent_keys(key: pd.DataFrame, topic, region: dict[str, str]):
    """For each kind of relation, every cell's total along it (a key that may not exist)."""
    up_time = key.copy()
    up_time["period_level"] = key["period_level"].map({"month": "quarter", "quarter": "year", "year": "-"})
    months = key["period_level"] == "month"
    up_time["period"] = key["period"].map(year_of)
    up_time.loc[months, "period"] = key.loc[months, "period"].map(quarter_of)
    yield up_time
    up_geo = key.copy()
    up_geo["geo_level"] = key["geo_level"].map({"hub": "region", "region": "network", "network": "-"})
    up_geo["geo"] = np.where(key["geo_level"] == "hub", key["geo"].map(region), NETWORK)
    yield up_geo
    for col in sorted({c for b in topic.breakdowns for c in b}):
        up = key.copy()
        up[col] = ALL
        yield up


def _hide_until_each_relation_holds(relations, hidden, value, cost, can_hide, threshold) -> None:
    """Fast first pass: make every relation safe on its own, to a fixed point."""
    queued = np.ones(len(relations.equations), dtype=bool)
    queue = deque(range(len(relations.equations)))
    while queue:
        e = queue.popleft()
        queued[e] = False
        for cell in _complete_relation(*relations.equations[e], hidden, value, cost, can_hide, threshold):
            for other in relations.of_cell[cell]:
                if not queued[other]:
                    queued[other] = True
                    queue.append(other)


def _complete_relation(total, terms, hidden, value, cost, can_hide, threshold) -> list[int]:
    """Hide more terms of `total = sum(terms)` until no hidden term is pinned down by it alone.

    With the total published, hidden terms must be at least two, and the room they
    leave each other (each is at least 1) must reach the threshold; with the total
    hidden, at least one term must be hidden too, or the total is their sum.
    """
    added = []
    while True:
        hidden_terms = terms[hidden[terms]]
        if hidden[total]:
            if len(hidden_terms):
                return added
            need = 1
        else:
            if not len(hidden_terms):
                return added
            room = int((value[hidden_terms] - 1).sum())
            if len(hidden_terms) >= 2 and room >= threshold:
                return added
            need = max(threshold - room, 1)
        candidates = terms[~hidden[terms] & can_hide[terms]]
        if not len(candidates):
            if not hidden[total] and can_hide[total]:
                hidden[total] = True
                added.append(int(total))
            return added
        enough = candidates[value[candidates] - 1 >= need]
        pick = enough[np.argmin(cost[enough])] if len(enough) else candidates[np.argmax(value[candidates])]
        hidden[pick] = True
        added.append(int(pick))


def _hide_cheapest_neighbours(relations, positions, hidden, cost, can_hide) -> list[int]:
    """For each cell the audit could narrow, hide the cheapest published cell it is related to.

    Where every related cell is hidden already, look one relation further out.
    """
    added = []
    for p in positions:
        frontier, seen = [int(p)], {int(p)}
        while frontier:
            near = {m for c in frontier for e in relations.of_cell[c] for m in relations.members(e).tolist()} - seen
            candidates = np.array(sorted(c for c in near if not hidden[c] and can_hide[c]), dtype=np.int64)
            if len(candidates):
                pick = int(candidates[np.argmin(cost[candidates])])
                hidden[pick] = True
                added.append(pick)
                break
            seen |= near
            frontier = [c for c in near if hidden[c]]
    return added


def _cost(cells: pd.DataFrame, value: np.ndarray) -> np.ndarray:
    weight = cells["period_level"].map(_PERIOD_WEIGHT).to_numpy() * cells["geo_level"].map(_GEO_WEIGHT).to_numpy()
    topic = TOPICS[cells["topic"].iloc[0]]
    if () in topic.breakdowns:
        columns = sorted({c for b in topic.breakdowns for c in b})
        is_total = np.logical_and.reduce([(cells[c] == ALL).to_numpy() for c in columns])
        weight = weight * np.where(is_total, _TOTAL_WEIGHT, 1)
    return value * weight


def _as_release(part: _Part, hidden: np.ndarray) -> Release:
    published = part.cells[[*CELL_KEY]].copy()
    published["value"] = part.cells["value"].astype("Int64").mask(hidden)
    published["suppressed"] = hidden
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
    """The previous release's cells of the same topic, measure, outcome and year."""
    if previous is None:
        return None
    first = part_cells.iloc[0]
    old = previous.cells
    mask = (
        (old["topic"] == first["topic"])
        & (old["measure"] == first["measure"])
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
