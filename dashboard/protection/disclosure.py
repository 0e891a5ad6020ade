"""Disclosure control: which cells of the cube are published. One entry point: `protect`.

Primary suppression hides every count from 1 to K-1. Complementary suppression
then hides more cells until no hidden cell can be narrowed to an interval
narrower than K, from everything published, by anyone or by the staff of any one
hub, who know their own hub's figures exactly (docs/attacker.md), all of them
knowing the extract format's order rules between measures too. Each measure is
first protected alone, then the measures the order rules join together:

1. for each independent part of the cube (a topic, measure and year), a linear
   programme over the same unknowns the attacker reasons about (every cell of the
   part, and the unpublished counts of one hub and month by category) looks for
   other values, consistent with every relation, that move each hidden cell up by
   K; the published cells those values change are hidden too, so the attacker
   cannot rule them out. Hidden cells far apart (no relation near two of them)
   move together in one LP. On a network of more than 12 hubs in two regions or
   more (tuning.region_by_region) each LP covers one region and the network,
   every other cell held at its value;
2. the same against the staff of each hub in turn: every hidden cell whose part
   beyond that hub's own could be small gets witnesses that hold that hub's
   cells at their values (a region of two hubs less one is the other);
3. the audit (dashboard/protection/audit.py, which knows nothing of this module) then
   attacks the part as anyone and as each hub's staff, and every cell it can still
   narrow (possible only through what an earlier release published) is treated
   again, for whoever narrowed it, until the audit finds nothing;
4. each quarterly or yearly total (of a hub, a region or the network) hidden on
   the way is published again where the witnesses allow, checked by the audit:
   the LPs protect a batch at a time, and a headline figure one batch needed may
   not be needed once all are protected;
5. for each topic whose measures are ordered (referred >= accepted, ...), outcome
   and year: a cell hidden for one measure is hidden for the measures ordered with
   it (headline figures only where the two are within K); one table's LPs per
   measure find witnesses that move it and every measure above it alike, which
   keeps the order rules (_shift_measures_together); then the audit with the
   order rules says which cells can still be narrowed, and LPs over every measure,
   with the order rules as rows, give them witnesses, until it finds nothing. That
   audit is one large model: it trusts witnesses alone (a cell they leave narrow is
   treated as at risk), and it is handed the suppressor's witnesses and its own
   earlier solutions, which it checks in its own model before trusting them.

Cells keep their status from the previous release where the data under them did
not change, so comparing releases teaches nothing new. Zeros are always
published (a hidden cell is known to be at least 1), and so is money.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import highspy
import numpy as np
import pandas as pd

from ..hierarchy import (
    ALL,
    CELL_KEY,
    GEO_LEVELS,
    NETWORK,
    OTHER_LANGUAGES,
    PARENT_LEVEL,
    PERIOD_LEVELS,
    TOPICS,
    language_group,
    parent_geo,
    parent_period,
    shown_languages,
    year_of,
    years_of,
)
from ..internals import quiet_highs
from . import audit as attacker
from . import tuning
from .release import Release, unchanged_data
from .tuning import TOLERANCE
from .workers import pool as worker_pool

_PERIOD_WEIGHT = dict(zip(PERIOD_LEVELS, (1, 2, 4), strict=True))
_GEO_WEIGHT = dict(zip(GEO_LEVELS, (1, 3, 15), strict=True))
_TOTAL_WEIGHT = 4


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
    workers: int | None = None,
    order_rules: bool = True,
) -> Protected:
    """Decide which cells of the cube (true values) are published.

    `margins` are the true counts that no view publishes (cube.unpublished_margins):
    the attacker reasons about them as unknowns, so the suppressor must too.
    `workers`: processes protecting independent parts side by side (default tuning.workers()).
    `order_rules`: protect against the extract format's order rules too (step 5 of the module's list); False only
    to show what they add (tests, benchmarks), as releases were protected before issue 12.
    """
    say = progress or (lambda _msg: None)
    workers = workers or tuning.workers()
    n = len(cells)
    cells = pd.concat([cells, margins], ignore_index=True)
    latent = np.arange(len(cells)) >= n
    status = _carried_over(cells, hubs, blocks, previous)
    people = cells["topic"].map(lambda t: TOPICS[t].count_of_people).astype(bool).to_numpy()
    value = cells["value"].astype("int64").to_numpy()
    primary = people & ~latent & (value >= 1) & (value < threshold)
    suppressed = primary | status["keep_suppressed"].to_numpy()
    locked = status["keep_published"].to_numpy()
    shown = shown_languages(cells[~latent])

    problems = _independent_parts(cells[people])
    say(f"suppression: {int(primary.sum()):,} primary cells in {len(problems)} independent parts")

    def parts(groups: dict[str, np.ndarray]) -> list[_Part]:
        """Each group of cells as a part to protect, with what is hidden so far."""
        return [
            _Part(
                cells=cells.loc[index],
                latent=latent[index],
                suppressed=suppressed[index],
                locked=locked[index],
                hubs=hubs,
                blocks=blocks,
                threshold=threshold,
                previous=_previous_part(previous, cells.loc[index]),
                shown=shown,
            )
            for index in groups.values()
        ]

    jobs = parts(problems)
    with worker_pool(workers) if workers > 1 and len(jobs) > 1 else _Inline() as pool:
        for (name, index), (hidden, rounds) in zip(problems.items(), pool.map(_protect_part, jobs)):
            suppressed[index] = hidden
            say(f"  {name}: {int(hidden.sum()):,} hidden after {rounds} audit round(s)")
        if order_rules:
            ordered = _ordered_parts(cells[people])
            say(f"order rules: {len(ordered)} parts with measures ordered by the extract format")
            for (name, index), (hidden, rounds) in zip(
                ordered.items(), pool.map(_protect_with_order_rules, parts(ordered))
            ):
                say(f"  {name}: {int((hidden & ~suppressed[index]).sum()):,} more hidden after {rounds} audit round(s)")
                suppressed[index] = hidden

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
    shown: dict[str, frozenset[str]]
    """For each year, the languages shown by themselves below the network."""


def _independent_parts(cells: pd.DataFrame) -> dict[str, np.ndarray]:
    """No relation crosses a measure, an outcome or a calendar year."""
    year = years_of(cells["period"])
    keys = (
        cells["topic"] + "/" + cells["measure"] + "/" + cells["outcome"].where(cells["outcome"] != ALL, "") + "/" + year
    )
    return {name: idx.to_numpy() for name, idx in cells.groupby(keys.str.replace("//", "/"), sort=True).groups.items()}


def _ordered_parts(cells: pd.DataFrame) -> dict[str, np.ndarray]:
    """The parts the order rules join: every measure of a topic with order rules, per outcome and year."""
    ordered = cells["topic"].map(lambda t: bool(TOPICS[t].order)).to_numpy()
    year = years_of(cells["period"])
    keys = cells["topic"] + "/" + cells["outcome"].where(cells["outcome"] != ALL, "") + "/" + year
    return {
        name: idx.to_numpy()
        for name, idx in cells[ordered].groupby(keys[ordered].str.replace("//", "/"), sort=True).groups.items()
    }


def _protect_with_order_rules(part: _Part) -> tuple[np.ndarray, int]:
    """Protect one topic, outcome and year, each measure already protected alone, against attackers who also
    know the order rules between its measures (referred >= accepted, ...).

    Below the headline figures, a cell hidden for one measure is first hidden for every measure ordered with it:
    a published neighbour in the funnel would bound it from above or below. A headline figure (a quarter's or a
    year's total, any network figure) is hidden beside a hidden measure only where the two differ by less than
    K; readers look for those first, and a far larger or smaller figure bounds the hidden one no closer than
    the sums already do. Witnesses that move measures alike (_shift_measures_together) then carry most small
    cells at one table's cost. The audit, with the order rules, says which cells can still be narrowed, and LPs
    over every measure of the part, with the order rules as rows, give them witnesses, until it finds nothing.

    The order rules join every measure into one model, whose LPs are an order of magnitude dearer than one
    measure's: each audit here solves no cell's own min and max (a cell its witnesses leave narrow is protected
    as if at risk), and takes as claims the witnesses found so far, those moving measures alike, the joint LPs'
    and its own earlier ones.
    Totals are not published again afterwards: deciding that needs exact intervals, which cost more here than
    the totals are worth (docs/attacker.md has the measurement).
    """
    value = part.cells["value"].astype("int64").to_numpy()
    can_hide = (value > 0) & ~part.locked & ~part.latent
    hidden = part.suppressed.copy()
    _alike_across_measures(part.cells, value, hidden, can_hide, part.threshold)
    shifts = _shift_measures_together(part, value, hidden, can_hide)
    relations = _Relations(part.cells, part.hubs, part.shown)
    hubs = list(part.hubs["hub"])
    model = _Separation(
        relations,
        value,
        _cost(part.cells),
        can_hide,
        hidden,
        part.latent,
        _owner(part.cells, hubs),
        len(hubs),
        order=_order_pairs(part.cells),
    )
    audit = _Audit(part, order_rules=True, witnesses=lambda: shifts + [(c, m) for c, m, _ in model.witnesses])
    rounds = _until_audit_passes(part, model, relations, can_hide, audit, targets={})
    return model.hidden, rounds


def _shift_measures_together(
    part: _Part, value: np.ndarray, hidden: np.ndarray, can_hide: np.ndarray
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Witnesses against the order rules found at the cost of one measure's LPs, not of all measures joined.

    Moving a measure of a cell and every measure above it (referred >= accepted >= ...) by the same amount keeps
    every rule among them; a rule to a measure below holds while the move down leaves room for it, and each
    measure stays at least what it must (1 where hidden, 0 for a margin). So for each measure, lowest first,
    one table's LPs over the cells hidden for it and every measure above, with that room as how far each cell
    may go down, give its small cells witnesses that hold against the order rules too. Cells a witness moves
    are hidden for the measures it moves (in `hidden`), except the network's totals, which stay where they are:
    moving the measures above a small one alike would otherwise hide the network's referrals each year.
    Returns the witnesses as moves of the part's cells, for the audit to check before it trusts them; what
    they leave narrow is the joint LPs' to protect.
    """
    place = [c for c in CELL_KEY if c != "measure"]
    where = pd.Index(_joined(part.cells[place].astype(str)))
    measure = part.cells["measure"].to_numpy()
    measures = list(dict.fromkeys(measure))
    at = np.column_stack(
        [pd.Series(np.flatnonzero(measure == m), index=where[measure == m]).reindex(where).to_numpy() for m in measures]
    )
    at = np.unique(at[~np.isnan(at).any(axis=1)].astype(np.int64), axis=0)  # a row per cell: its measures' positions
    if not len(at):
        return []
    template = part.cells.iloc[at[:, 0]]
    relations = _Relations(template, part.hubs, part.shown)
    hubs = list(part.hubs["hub"])
    owner, latent = _owner(template, hubs), part.latent[at[:, 0]]
    network_total = _is_total(template) & (template["geo_level"] == "network").to_numpy()
    pairs = {(measures.index(a), measures.index(b)) for a, b in _ordered_with(TOPICS[part.cells["topic"].iloc[0]])}
    above = {m: [a for a, b in pairs if b == m] for m in range(len(measures))}
    values = value[at]
    # Per measure, attacker (_row) and cell: the highest and lowest value the witnesses so far reach.
    highest = np.tile(values.T[:, None, :].astype(float), (1, len(hubs) + 1, 1))
    lowest = highest.copy()
    witnesses = []
    for m in sorted(above, key=lambda m: -len(above[m])):
        moved = [m, *above[m]]
        short = hidden[at[:, m]] & (np.floor(highest[m] + TOLERANCE) - np.ceil(lowest[m] - TOLERANCE) < part.threshold)
        rest = np.vstack([values[:, m], _rest_without_each_hub(template, values[:, m], part.hubs)])
        wanted = short & (rest >= 1) & (rest < part.threshold)
        if not wanted.any():
            continue
        room = values[:, moved].min(axis=1) - np.where(latent, 0, 1)
        for a, b in pairs:
            if a in moved and b not in moved:
                room = np.minimum(room, values[:, a] - values[:, b])
        model = _Separation(
            relations,
            values[:, m],
            _cost(template),
            can_hide[at[:, moved]].all(axis=1) & ~network_total,
            hidden[at[:, moved]].all(axis=1),
            latent,
            owner,
            len(hubs),
        )
        model.down_bound = np.where(model.down_bound > 0, np.maximum(room, 0), 0).astype(float)
        for row in np.flatnonzero(wanted.any(axis=1)):
            model.protect(np.flatnonzero(wanted[row] & model.hidden), part.threshold, _insider(row))
        hidden[at[model.hidden][:, moved]] = True
        for cells, moves, moved_hubs in model.witnesses:
            witnesses.append((at[cells][:, moved].ravel(), np.repeat(moves, len(moved))))
            rows = np.setdiff1d(np.arange(len(hubs) + 1), 1 + moved_hubs)
            reached = (values[cells][:, moved].T + moves)[:, None, :]
            spot = np.ix_(moved, rows, cells)
            highest[spot] = np.maximum(highest[spot], reached)
            lowest[spot] = np.minimum(lowest[spot], reached)
    return witnesses


def _ordered_with(topic) -> set[tuple[str, str]]:
    """Every (greater, lesser) pair of measures the topic's order rules imply, directly or through others."""
    pairs = set(topic.order)
    while True:
        longer = {(a, d) for a, b in pairs for c, d in pairs if b == c} - pairs
        if not longer:
            return pairs
        pairs |= longer


def _alike_across_measures(
    cells: pd.DataFrame, value: np.ndarray, hidden: np.ndarray, can_hide: np.ndarray, threshold: int
) -> None:
    """Hide a cell beside the same cell of a measure ordered with it that is hidden (see
    _protect_with_order_rules): every such cell below the headlines, a headline only where the two measures
    differ by less than K."""
    place = [c for c in CELL_KEY if c != "measure"]
    where = pd.Index(_joined(cells[place].astype(str)))
    measure = cells["measure"].to_numpy()
    headline = _headline(cells)
    was_hidden = hidden.copy()
    for greater, lesser in _ordered_with(TOPICS[cells["topic"].iloc[0]]):
        for this, other in ((greater, lesser), (lesser, greater)):
            mine, theirs = np.flatnonzero(measure == this), np.flatnonzero(measure == other)
            partner = pd.Series(theirs, index=where[theirs]).reindex(where[mine]).to_numpy()
            found = ~np.isnan(partner)
            mine, partner = mine[found], partner[found].astype(np.int64)
            close = np.abs(value[mine] - value[partner]) < threshold
            beside = was_hidden[partner] & can_hide[mine] & (~headline[mine] | close)
            hidden[mine[beside]] = True


def _headline(cells: pd.DataFrame) -> np.ndarray:
    """The figures readers look for first: a quarter's or a year's total, and any network figure."""
    period_total = _is_total(cells) & (cells["period_level"] != "month").to_numpy()
    return period_total | (cells["geo_level"] == "network").to_numpy()


def _order_pairs(cells: pd.DataFrame) -> np.ndarray:
    """(greater, lesser) positions of the same hub, month and category for each order rule: at a region, a
    quarter or a year the rule follows from the sums."""
    topic = TOPICS[cells["topic"].iloc[0]]
    place = [c for c in CELL_KEY if c != "measure"]
    at_hub_month = ((cells["geo_level"] == "hub") & (cells["period_level"] == "month")).to_numpy()
    where = pd.Index(_joined(cells[place].astype(str)))
    measure = cells["measure"].to_numpy()
    pairs = []
    for greater, lesser in topic.order:
        big = np.flatnonzero(at_hub_month & (measure == greater))
        small = np.flatnonzero(at_hub_month & (measure == lesser))
        partner = pd.Series(small, index=where[small]).reindex(where[big]).to_numpy()
        found = ~np.isnan(partner)
        pairs.append(np.column_stack([big[found], partner[found].astype(np.int64)]))
    return np.concatenate(pairs) if pairs else np.zeros((0, 2), np.int64)


def _protect_part(part: _Part) -> tuple[np.ndarray, int]:
    relations = _Relations(part.cells, part.hubs, part.shown)
    hidden = part.suppressed.copy()
    value = part.cells["value"].astype("int64").to_numpy()
    can_hide = (value > 0) & ~part.locked & ~part.latent
    if not hidden.any():
        return hidden, 0
    hubs = list(part.hubs["hub"])
    owner = _owner(part.cells, hubs)
    rest = _rest_without_each_hub(part.cells, value, part.hubs)
    model = _Separation(relations, value, _cost(part.cells), can_hide, hidden, part.latent, owner, len(hubs))
    targets = {None: np.flatnonzero(hidden & (value < part.threshold))}
    if tuning.region_by_region(part.hubs):
        _protect_region_by_region(part, model, value, targets[None])
        targets = {}  # the audit below says which, if any, still need the whole part
    audit = _Audit(part)
    rounds = _until_audit_passes(
        part,
        model,
        relations,
        can_hide,
        audit,
        targets,
        also=lambda: _protect_against_each_hub(model, rest, part.threshold),
    )
    _publish_headlines_again(part, model, rest, audit)
    return model.hidden, rounds


def _until_audit_passes(
    part: _Part,
    model: _Separation,
    relations: _Relations,
    can_hide: np.ndarray,
    audit: _Audit,
    targets: dict[int | None, np.ndarray],
    also: Callable[[], None] = lambda: None,
) -> int:
    """Protect the targets (per attacker: None for everyone, else a hub's number), then whatever the audit still
    narrows, until it finds nothing. Returns the number of audit rounds."""
    hubs = list(part.hubs["hub"])
    rounds = 0
    audited: np.ndarray | None = None
    """What the last audit saw hidden: hiding more narrows nothing, so the next asks only about what it found
    narrow (at risk, or narrow but unable to be small: hiding more can lower its least value until it can be)
    and what was hidden since."""
    narrow = np.zeros(0, np.int64)
    while True:
        rounds += 1
        hidden_before = int(model.hidden.sum())
        for insider, cells in targets.items():
            model.protect(cells, part.threshold, insider)
        also()
        only = None if audited is None else np.union1d(np.flatnonzero(model.hidden & ~audited), narrow)
        audited = model.hidden.copy()
        at_risk = audit.at_risk(model.hidden, only)
        if at_risk.empty:
            return rounds
        targets = {
            None if pd.isna(insider) else hubs.index(insider): _positions(part.cells, cells)
            for insider, cells in at_risk.groupby("insider", dropna=False, sort=False)
        }
        narrow = audit.narrow
        if rounds > 1 and model.hidden.sum() == hidden_before and audit.order_rules:
            # An audit by witnesses alone may report a cell it could not prove wide; the exact one decides.
            at_risk = audit.at_risk(model.hidden, np.unique(np.concatenate(list(targets.values()))), exact=True)
            if at_risk.empty:
                return rounds
        if rounds > 1 and model.hidden.sum() == hidden_before:
            # The LP could not move these cells far enough, or thinks they move where the audit (which also
            # knows the previous release) does not: hide everything they are related to, which can only
            # widen what the attacker must allow.
            if not _hide_neighbours(relations, np.concatenate(list(targets.values())), model.hidden, can_hide):
                raise DisclosureError(
                    f"{len(at_risk)} cell(s) cannot be protected: every cell they could hide behind is fixed by an "
                    "earlier release or is zero. Re-publish from scratch (a new warehouse) to protect them."
                )
        for insider, cells in targets.items():
            model.forget_witnesses(cells, insider)


def _protect_against_each_hub(model: _Separation, rest: np.ndarray, threshold: int) -> None:
    """Give every hidden cell whose rest could be small for a hub's staff witnesses that leave that hub alone.

    The staff of a hub know its figures exactly, so a witness that moves any of them proves nothing to them.
    Hiding a cell for one hub's sake can make it a target for another's: go round until nothing more is hidden.
    """
    for _ in range(len(rest) + 1):
        hidden_before = int(model.hidden.sum())
        for hub, rest_of_cell in enumerate(rest):
            model.protect(
                np.flatnonzero(model.hidden & (rest_of_cell >= 1) & (rest_of_cell < threshold)), threshold, hub
            )
        if model.hidden.sum() == hidden_before:
            return


class _Audit:
    """The audit of one part against everyone and the staff of each hub (who know their own hub's figures), and
    with `order_rules` the extract format's order rules between the part's measures."""

    def __init__(self, part: _Part, order_rules: bool = False, witnesses: Callable[[], list] | None = None):
        """`witnesses`: the suppressor's witnesses so far (cells moved, moves), handed to the audit as claims."""
        self.part, self.order_rules, self.witnesses = part, order_rules, witnesses
        self.truth = part.cells[[*CELL_KEY, "value"]]
        self.audits = 0
        self.narrow = np.zeros(0, np.int64)
        """The cells the last audit found narrower than K for some attacker, whether or not they could be small."""
        self.solved: list[attacker.Claimed] = []
        """The points the audits solved: hiding more keeps them consistent, so each audit checks and reuses them."""

    def at_risk(self, hidden: np.ndarray, only: np.ndarray | None = None, exact: bool = False) -> pd.DataFrame:
        """The hidden cells some attacker can narrow; with `only` (positions), among those cells alone.

        With the order rules, every measure of a part is one large model, where pinning a cell down exactly costs
        two large LPs: unless `exact`, the audit then trusts witnesses alone, reporting every cell they leave
        narrow, and the suppressor's LPs protect those (hiding nothing where a cell was in fact wide)."""
        self.audits += 1
        report = attacker.intervals(
            _as_release(self.part, hidden),
            self.part.previous,
            truth=self.truth,
            order_rules=self.order_rules,
            witnesses_only=self.order_rules and not exact,
            only=None if only is None else self.part.cells.iloc[only],
            claimed=None if self.witnesses is None else _claimed(self.witnesses(), self.solved),
            keep=None if self.witnesses is None else self.solved,
        )
        self.narrow = _positions(self.part.cells, report[report["narrow"]])
        return report[report["at_risk"]]


def _claimed(witnesses: list[tuple[np.ndarray, np.ndarray]], solved: list[attacker.Claimed]) -> attacker.Claimed:
    """The witnesses (cells moved, moves) and the points audits solved, as one set of claims."""
    sizes = [len(cells) for cells, _ in witnesses]
    claims = [
        attacker.Claimed(
            point=np.repeat(np.arange(len(witnesses)), sizes),
            figure=np.concatenate([cells for cells, _ in witnesses] or [np.zeros(0, np.int64)]).astype(np.int64),
            move=np.concatenate([moves for _, moves in witnesses] or [np.zeros(0)]).astype(float),
        ),
        *solved,
    ]
    return attacker.joined_claims(claims)


def _row(insider: int | None) -> int:
    """An attacker's row in the widths kept per attacker: 0 for everyone, 1 + h for the staff of hub h."""
    return 0 if insider is None else 1 + insider


def _insider(row: int) -> int | None:
    """The inverse of _row."""
    return None if row == 0 else row - 1


def _owner(cells: pd.DataFrame, hubs: list[str]) -> np.ndarray:
    """Each cell's hub (its number in `hubs`), -1 for a region's or the network's."""
    is_hub = (cells["geo_level"] == "hub").to_numpy()
    return np.where(is_hub, pd.Index(hubs).get_indexer(cells["geo"]), -1)


def _rest_without_each_hub(cells: pd.DataFrame, value: np.ndarray, hubs: pd.DataFrame) -> np.ndarray:
    """rest[h, c]: what cell c holds beyond hub h's own part of it, the part hub h's staff do not know.

    0 for hub h's own cells; a region's or the network's cell less hub h's cell of the same period and
    category where it covers hub h.
    """
    same = [c for c in CELL_KEY if c not in ("geo_level", "geo")]
    where = pd.Index(_joined(cells[same].astype(str)))
    level, geo = cells["geo_level"].to_numpy(), cells["geo"].to_numpy()
    rest = np.tile(value.astype(float), (len(hubs), 1))
    for h, (hub, region) in enumerate(zip(hubs["hub"], hubs["region"])):
        mine = (level == "hub") & (geo == hub)
        own = pd.Series(value[mine].astype(float), index=where[mine]).reindex(where).fillna(0.0).to_numpy()
        covers = mine | (level == "network") | ((level == "region") & (geo == region))
        rest[h] -= np.where(covers, own, 0.0)
    return rest


def _protect_region_by_region(part: _Part, model: _Separation, value: np.ndarray, targets: np.ndarray) -> None:
    """Protect the targets of a large network against everyone with LPs over one region at a time.

    A window holds one region's hubs, the region and the network; every other
    cell is held at its true value, so a solution inside the window is still a
    solution of the whole part, and a witness the attacker cannot rule out. The
    LPs are an order of magnitude smaller than the part's, at the price of some
    moves across regions the whole part would have found (more complementary
    cells: the README's Benchmark has both). A network target goes with the region whose own cell under it is largest. Windows run in
    turn, each starting from the cells the ones before it hid; their witnesses join the whole part's.
    """
    level, geo = part.cells["geo_level"].to_numpy(), part.cells["geo"].to_numpy()
    region_of = dict(zip(part.hubs["hub"], part.hubs["region"]))
    region = np.where(level == "hub", pd.Series(geo).map(region_of).to_numpy(), np.where(level == "region", geo, None))
    owner = region[targets].copy()
    on_network = level[targets] == "network"
    owner[on_network] = _largest_region_below(part.cells, value, targets[on_network])
    for name in sorted(part.hubs["region"].unique()):
        mine = targets[owner == name]
        if not len(mine):
            continue
        window = np.flatnonzero((region == name) | (level == "network"))
        local = model.window(_Relations(part.cells.iloc[window], part.hubs, part.shown), window)
        local.protect(np.searchsorted(window, mine), part.threshold)
        model.adopt(local, window)


def _largest_region_below(cells: pd.DataFrame, value: np.ndarray, network_cells: np.ndarray) -> np.ndarray:
    """For each network cell, the region whose cell of the same period and category holds most."""
    same = [c for c in CELL_KEY if c not in ("geo_level", "geo")]
    regions = cells.loc[cells["geo_level"] == "region", [*same, "geo"]].assign(
        _value=value[cells["geo_level"] == "region"]
    )
    wanted = cells.iloc[network_cells][same].astype(str).assign(_order=np.arange(len(network_cells)))
    pairs = wanted.merge(regions.astype({c: str for c in same}), on=same)
    best = pairs.sort_values(["_order", "_value"], ascending=[True, False]).drop_duplicates("_order")
    return best.set_index("_order")["geo"].reindex(np.arange(len(network_cells))).to_numpy()


def _publish_headlines_again(part: _Part, model: _Separation, rest: np.ndarray, audit: _Audit) -> None:
    """Publish again each quarterly or yearly total that was hidden only to protect others.

    The LPs protect targets one batch at a time, and a total one of them hid may not be needed once all are
    protected: a hub's, a region's or the network's quarter or year is what readers look for first. Dearest
    first, a total is published again when witnesses that leave it unchanged (those found so far, or new
    ones moving only hidden cells) give every hidden cell whose count (or rest, for a hub's staff) is below K
    the width it had, against everyone and each hub's staff. The audit then checks the result; should it find
    anything (a larger hidden cell narrowed until it could be small, or an earlier release the witnesses do
    not know), every total published again here is hidden again.
    """
    weight = _cost(part.cells)
    value = part.cells["value"].to_numpy(dtype=float)
    headline = _is_total(part.cells) & (part.cells["period_level"] != "month").to_numpy() & (value >= part.threshold)
    candidates = sorted(np.flatnonzero(model.hidden & headline & ~part.suppressed), key=lambda c: -weight[c])
    if not candidates:
        return
    certificates = _Certificates(model, rest, part.threshold)
    again = [cell for cell in candidates if certificates.publish_if_still_wide(cell)]
    if again and not audit.at_risk(model.hidden).empty:
        model.hidden[again] = True


class _Certificates:
    """The witnesses found so far, as proofs of width: which (cell, attacker) pairs they prove K wide.

    Row 0 is everyone; row 1 + h, the staff of hub h: a witness proves nothing to the staff of a hub it moves.
    """

    def __init__(self, model: _Separation, rest: np.ndarray, threshold: int):
        self.model, self.threshold = model, threshold
        self.again: list[int] = []
        self._load()
        low, high = self._extremes(self.kept)
        could_be_small = np.vstack([model.value[None, :], rest])
        self.watched = (model.hidden & ~model.latent)[None, :] & (could_be_small >= 1)
        self.watched &= (could_be_small < threshold) & (high - low + TOLERANCE >= threshold)

    def publish_if_still_wide(self, cell: int) -> bool:
        """Publish `cell` if witnesses that keep it at its value prove every watched pair as wide as before."""
        kept, low, high, short = self._without(cell)
        if short.any():
            wanted = {
                _insider(row): (np.flatnonzero(short[row]), low[row, short[row]], high[row, short[row]])
                for row in np.flatnonzero(short.any(axis=1))
            }
            if not self.model.witnesses_holding(cell, wanted):
                return False
            self._load()
            kept, low, high, short = self._without(cell)
            if short.any():
                return False
        self.kept = kept
        self.again.append(cell)
        self.model.hidden[cell] = False
        self.watched[:, cell] = False
        return True

    def _without(self, cell: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """The witnesses kept if `cell` is published, the moves they prove, and the watched pairs they leave
        short of K."""
        kept = self.kept & ~self._moving(cell)
        low, high = self._extremes(kept)
        short = self.watched & (high - low + TOLERANCE < self.threshold)
        short[:, cell] = False
        return kept, low, high, short

    def _load(self) -> None:
        found = self.model.witnesses
        self.of_entry = np.repeat(np.arange(len(found)), [len(cells) for cells, _, _ in found]).astype(np.int64)
        self.cell = np.concatenate([cells for cells, _, _ in found]) if found else np.zeros(0, np.int64)
        self.moved = np.concatenate([moved for _, moved, _ in found]) if found else np.zeros(0)
        self.proves_to = np.ones((len(self.model.highest), len(found)), bool)
        for w, (_, _, hubs) in enumerate(found):
            self.proves_to[1 + hubs, w] = False
        self.kept = np.ones(len(found), bool)
        for cell in self.again:
            self.kept &= ~self._moving(cell)

    def _moving(self, cell: int) -> np.ndarray:
        moving = np.zeros(len(self.kept), bool)
        moving[self.of_entry[self.cell == cell]] = True
        return moving

    def _extremes(self, kept: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per attacker and cell, the lowest and highest move the kept witnesses prove (0: the true value)."""
        n = len(self.model.value)
        low, high = np.zeros((len(self.proves_to), n)), np.zeros((len(self.proves_to), n))
        for row, proves in enumerate(self.proves_to):
            entry = (kept & proves)[self.of_entry]
            np.minimum.at(low[row], self.cell[entry], self.moved[entry])
            np.maximum.at(high[row], self.cell[entry], self.moved[entry])
        return low, high


class _Separation:
    """Hides the cheapest cells that let each target move up by K, one LP per batch of far-apart targets.

    The LP looks for other values y of every cell, consistent with every relation,
    with the targets moved up by K, at least cost: changing a published cell costs
    its weight per unit, changing a hidden one a small share of that, an unpublished margin
    nothing. Hiding the published cells it changed makes y a point the attacker
    cannot rule out, so each target's interval then spans K. Every solution is
    also a witness for every other cell: targets it already carries far enough
    need no LP of their own. Hiding more only widens intervals, so no later step
    undoes an earlier one.

    The staff of a hub know its figures: a witness that moves one of them proves nothing to them. So the
    widths witnesses prove are kept per attacker (row 0 everyone, row 1 + h the staff of hub h), and the LPs
    for hub h's staff hold hub h's cells at their values.
    """

    def __init__(
        self,
        relations: _Relations,
        value: np.ndarray,
        weight: np.ndarray,
        can_hide: np.ndarray,
        hidden: np.ndarray,
        latent: np.ndarray,
        owner: np.ndarray,
        hubs: int,
        order: np.ndarray | None = None,
    ):
        self.relations, self.value, self.hidden, self.latent, self.owner = relations, value, hidden, latent, owner
        self.order = np.zeros((0, 2), np.int64) if order is None else order
        """(greater, lesser) cells of the order rules: the LP keeps the first at least the second."""
        self.weight = np.where(latent, 0.0, weight.astype(float))
        self.can_hide = can_hide
        self.n = len(value)
        self.highest = np.tile(value.astype(float), (hubs + 1, 1))
        self.lowest = self.highest.copy()
        self._relation_rows: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
        """The LP's rows, built once: every model of this part has the same."""
        self.witnesses: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        """Each LP solution: the cells it moved, by how much, and the hubs whose cells it moved."""
        movable = can_hide | hidden | latent
        self.up_bound = np.where(movable, highspy.kHighsInf, 0.0)
        floor = np.where(latent, 0, 1)
        self.down_bound = np.where(movable, np.maximum(value - floor, 0), 0).astype(float)

    def window(self, relations: _Relations, cells: np.ndarray) -> _Separation:
        """The same model over some of the cells, the rest held at their values."""
        return _Separation(
            relations,
            self.value[cells],
            self.weight[cells],
            self.can_hide[cells],
            self.hidden[cells],
            self.latent[cells],
            self.owner[cells],
            len(self.highest) - 1,
        )

    def adopt(self, window: _Separation, cells: np.ndarray) -> None:
        """Take over what a window hid and the witnesses it found."""
        self.hidden[cells] |= window.hidden
        for moved_cells, moved, _ in window.witnesses:
            self._record(cells[moved_cells], moved)

    def protect(self, targets: np.ndarray, threshold: int, insider: int | None = None) -> None:
        """Make every target's witnesses span K, against everyone or (`insider`) the staff of that hub.

        Targets far enough apart (no relation of one touches a cell related to
        another) move up together in one LP: its solution is a witness for each of
        them, and being apart they rarely compete for the same cells to hide behind.
        A batch the LP cannot move together is retried cell by cell, down to where
        the witnesses then span K (or to 1), then up as far as needed; a cell that
        still cannot move is left to the audit, which decides. The solver lives only while
        protecting: a second live HiGHS instance in the process upsets the audit's own solves.
        """
        self.threshold = threshold
        row = _row(insider)
        targets = [u for u in targets if self._span(u, row) < threshold]
        if not targets:
            return
        held = np.flatnonzero(self.owner == insider) if insider is not None else np.zeros(0, np.int64)
        self.h = self._model(held)
        try:
            short = lambda u: self._span(u, row) < threshold  # noqa: E731
            for batch in self.relations.independent_sets(targets):
                batch = [u for u in batch if short(u)]
                if len(batch) > 1 and self._move({u: self._rise_needed(u, row) for u in batch}, held):
                    continue
                for u in batch:
                    down = self._low_enough(u, self.highest[row, u] - self.value[u])
                    if short(u) and self.lowest[row, u] > self.value[u] + down + TOLERANCE:
                        self._move({u: down}, held)
                    if short(u):
                        self._move({u: self._rise_needed(u, row)}, held)
        finally:
            del self.h

    def witnesses_holding(self, cell: int, wanted: dict[int | None, tuple[np.ndarray, np.ndarray, np.ndarray]]) -> bool:
        """Whether each wanted cell still spans K with `cell` and every published figure at their values, against
        everyone or (the key) the staff of that hub, from the lowest and highest moves already proven.

        Publishing `cell` narrows the cells sharing a relation with it (or with a neighbour of it) most, so
        those are decided first for every attacker, by their exact highest and then lowest values: the first
        that cannot span K ends the search. The others then go up together, far-apart cells in one LP, and one
        by one where that fails. Every solution is kept as a witness; nothing is hidden."""
        published = ~self.hidden & ~self.latent
        proven = {
            insider: {u: [lo, hi] for u, lo, hi in zip(cells.tolist(), low.tolist(), high.tolist())}
            for insider, (cells, low, high) in wanted.items()
        }
        around = self.relations.around(cell)
        near = {insider: [u for u in cells if u in around] for insider, cells in proven.items()}
        far = {insider: [u for u in cells if u not in around] for insider, cells in proven.items()}
        for cells_of in (near, far):
            for insider, cells in cells_of.items():
                held = published | (self.owner == insider) if insider is not None else published.copy()
                held[cell] = True
                held = np.flatnonzero(held)
                self.h = self._model(held)
                try:
                    if not self._widen(cells, held, proven[insider], together=cells_of is far):
                        return False
                finally:
                    del self.h
        return True

    def _widen(self, cells: list[int], held: np.ndarray, proven: dict[int, list[float]], together: bool) -> bool:
        """Widen each cell to K, `together` far-apart cells in one LP first; False at the first that cannot."""
        short = lambda u: not self._wide(u, *proven[u])  # noqa: E731
        for batch in (
            self.relations.independent_sets([u for u in cells if short(u)]) if together else [[u] for u in cells]
        ):
            rise = {u: self._rise_from(u, proven[u][0]) for u in batch if short(u)}
            if len(rise) > 1 and self._move_noting(rise, held, proven):
                continue
            for u in batch:
                if short(u):
                    self._extreme(u, self._rise_from(u, proven[u][0]), held, proven)
                if short(u):
                    self._extreme(u, -self.down_bound[u], held, proven)
                if short(u):
                    return False
        return True

    def _rise_from(self, u: int, low: float) -> float:
        """The move up that spans K from the lowest move `low`."""
        return math.ceil(self.value[u] + low - TOLERANCE) + self.threshold - self.value[u]

    def _wide(self, u: int, low: float, high: float) -> bool:
        """Whether moves from `low` to `high` leave cell u K values or more."""
        value = self.value[u]
        return math.floor(value + high + TOLERANCE) - math.ceil(value + low - TOLERANCE) >= self.threshold

    def _extreme(self, u: int, limit: float, held: np.ndarray, proven: dict[int, list[float]]) -> None:
        """Move cell u as far as the relations allow towards `limit` (up if positive, down if negative), and note
        the solution as a witness."""
        up = limit > 0
        column, other = (u, u + self.n) if up else (u + self.n, u)
        self._set_bounds(np.array([column, other]), np.array([abs(limit), 0.0]))
        hidden = np.flatnonzero(self.hidden & ~self.latent)
        self._set_costs(hidden, np.zeros(len(hidden)))
        self.h.changeColsCost(1, np.array([column], dtype=np.int32), np.array([-1.0]))
        try:
            self.h.clearSolver()
            self.h.run()
            if self.h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
                return
            solution = np.asarray(self.h.getSolution().col_value)
        finally:
            self._set_costs(hidden, self._costs()[hidden])
            reopened = np.array([column, other])
            self._set_bounds(reopened, np.array([self._bound(c, held) for c in reopened]))
        moved = solution[: self.n] - solution[self.n :]
        changed = np.flatnonzero(np.abs(moved) > TOLERANCE)
        self._record(changed, moved[changed])
        self._note(proven)

    def _low_enough(self, u: int, high: float) -> float:
        """The move down that, with the highest move proven, spans K (or reaches 1)."""
        return max(1, math.floor(self.value[u] + high + TOLERANCE) - self.threshold) - self.value[u]

    def _move_noting(self, moves: dict[int, float], held: np.ndarray, proven: dict[int, list[float]]) -> bool:
        """_move, noting its witness in `proven`."""
        if not self._move(moves, held):
            return False
        self._note(proven)
        return True

    def _note(self, proven: dict[int, list[float]]) -> None:
        """Widen `proven` by how far the last witness moved each of its cells."""
        moved_cells, moved, _ = self.witnesses[-1]
        for u, d in zip(moved_cells.tolist(), moved.tolist()):
            if u in proven:
                proven[u] = [min(proven[u][0], d), max(proven[u][1], d)]

    def _model(self, held: np.ndarray) -> highspy.Highs:
        """Columns 0..n-1: how far each cell goes up; n..2n-1: how far it goes down. One row per relation.

        The `held` cells cannot move."""
        n = self.n
        h = quiet_highs()
        costs = self._costs()
        up, down = self.up_bound.copy(), self.down_bound.copy()
        up[held], down[held] = 0.0, 0.0
        h.addVars(2 * n, np.zeros(2 * n), np.r_[up, down])
        h.changeColsCost(2 * n, np.arange(2 * n, dtype=np.int32), np.r_[costs, costs])
        if self._relation_rows is None:
            self._relation_rows = self._rows()
        starts, index, coef, lower, upper = self._relation_rows
        _check(h.addRows(len(starts), lower, upper, len(index), starts, index, coef))
        return h

    def _rows(self) -> tuple[np.ndarray, ...]:
        """The relations the LP needs, as rows over the up and down columns, and each row's bounds on the moves:
        a sum moves as its terms do; a greater cell of an order rule moves down no further than the lesser
        leaves room for."""
        n = self.n
        starts, index, coef = [], [], []
        for (total, terms), needed in zip(self.relations.equations, self.relations.generating):
            if not needed:
                continue
            starts.append(len(index))
            members = np.append(terms, total)
            signs = np.append(np.ones(len(terms)), -1.0)
            index.extend(np.concatenate([members, members + n]).tolist())
            coef.extend(np.concatenate([signs, -signs]).tolist())
        sums = len(starts)
        for greater, lesser in self.order.tolist():
            starts.append(len(index))
            index.extend([greater, lesser, greater + n, lesser + n])
            coef.extend([1.0, -1.0, -1.0, 1.0])
        room = self.value[self.order[:, 1]] - self.value[self.order[:, 0]]
        lower = np.r_[np.zeros(sums), room].astype(float)
        upper = np.r_[np.zeros(sums), np.full(len(self.order), highspy.kHighsInf)]
        return np.array(starts, dtype=np.int32), np.array(index, dtype=np.int32), np.array(coef), lower, upper

    def _rise_needed(self, u: int, row: int) -> float:
        return self._rise_from(u, self.lowest[row, u] - self.value[u])

    def _span(self, u: int, row: int) -> int:
        return math.floor(self.highest[row, u] + TOLERANCE) - math.ceil(self.lowest[row, u] - TOLERANCE)

    def forget_witnesses(self, cells: np.ndarray, insider: int | None) -> None:
        """The audit found these narrower than a witness suggested (another release's figures): solve them again,
        and trust no witness that moved them."""
        row = _row(insider)
        self.highest[row, cells] = self.value[cells]
        self.lowest[row, cells] = self.value[cells]
        self.witnesses = [w for w in self.witnesses if not np.isin(w[0], cells).any()]

    def _move(self, moves: dict[int, float], held: np.ndarray) -> bool:
        """Find the cheapest consistent values with each cell moved by at least its amount (+ up, - down).

        Hides the published cells that had to change and records the witnesses; False if impossible.
        """
        movers = np.fromiter(moves, dtype=np.int64)
        amount = np.fromiter(moves.values(), dtype=float)
        column = np.where(amount < 0, movers + self.n, movers)
        # A mover's other column is closed: otherwise the LP could go up and down at once and move nothing.
        closed = np.where(amount < 0, movers, movers + self.n)
        self._set_bounds(closed, np.zeros(len(closed)))
        for c, a in zip(column, np.abs(amount)):
            self.h.changeColBounds(int(c), float(a), self._bound(int(c), held))
        # From scratch, with presolve: the last basis holds the last batch's moves, and undoing them
        # costs more pivots than presolve (which drops every fixed cell) and a fresh start together.
        self.h.clearSolver()
        self.h.run()
        solved = self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal
        solution = np.asarray(self.h.getSolution().col_value) if solved else None
        reopened = np.r_[column, closed]
        self._set_bounds(reopened, np.array([self._bound(c, held) for c in reopened]))
        if not solved:
            return False
        moved = solution[: self.n] - solution[self.n :]
        changed = np.flatnonzero(np.abs(moved) > TOLERANCE)
        newly = changed[~self.hidden[changed] & ~self.latent[changed]]
        if len(newly):
            self.hidden[newly] = True
            self._set_costs(newly, self._costs()[newly])
        self._record(changed, moved[changed])
        return True

    def _record(self, cells: np.ndarray, moved: np.ndarray) -> None:
        """A witness proves its width to everyone, and to the staff of every hub whose cells it left alone."""
        hubs = np.unique(self.owner[cells][self.owner[cells] >= 0])
        self.witnesses.append((cells, moved, hubs))
        rows = np.setdiff1d(np.arange(len(self.highest)), 1 + hubs)
        y = self.value[cells] + moved
        at = np.ix_(rows, cells)
        self.highest[at] = np.maximum(self.highest[at], y)
        self.lowest[at] = np.minimum(self.lowest[at], y)

    def _costs(self) -> np.ndarray:
        """Per cell, what moving it by one costs: its weight if published; a small share of it if hidden, so that
        witnesses move no more hidden cells (totals above all) than they need, and a total hidden for others'
        sake is left alone by enough of them to be published again."""
        return np.where(self.hidden, tuning.HIDDEN_MOVE_COST, 1.0) * self.weight

    def _set_costs(self, cells: np.ndarray, cost: np.ndarray) -> None:
        """The cost of moving each of `cells` up or down."""
        if len(cells):
            self.h.changeColsCost(2 * len(cells), np.r_[cells, cells + self.n].astype(np.int32), np.r_[cost, cost])

    def _set_bounds(self, columns: np.ndarray, upper: np.ndarray) -> None:
        if len(columns):
            _check(self.h.changeColsBounds(len(columns), columns.astype(np.int32), np.zeros(len(columns)), upper))

    def _bound(self, column: int, held: np.ndarray) -> float:
        cell = column % self.n
        if cell in held:
            return 0.0
        return self.up_bound[column] if column < self.n else self.down_bound[column - self.n]


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
    that has a published total (total = its categories; below the network, a language not shown by itself is
    counted in OTHER_LANGUAGES, and that group in the total).
    """

    def __init__(self, cells: pd.DataFrame, hubs: pd.DataFrame, shown: dict[str, frozenset[str]]):
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
        for kind, parent_key in _parent_keys(key, topic, region, shown):
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

    def around(self, cell: int) -> set[int]:
        """The cells that share a relation with `cell` or with a cell that does."""
        return {member for number in self._zone(cell) for member in self._members(number)}

    def _members(self, number: int) -> list[int]:
        total, terms = self.equations[number]
        return [int(total), *terms.tolist()]

    def _zone(self, cell: int) -> set[int]:
        """The relations of the cell and of every cell it shares a relation with."""
        zone = set()
        for number in self._equations_of.get(cell, ()):
            for member in self._members(number):
                zone |= self._equations_of[member]
        return zone

    def independent_sets(self, cells: list[int], most: int = tuning.BATCH) -> list[list[int]]:
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


def _parent_keys(key: pd.DataFrame, topic, region: dict[str, str], shown: dict[str, frozenset[str]]):
    """For each kind of relation (time, geo, category), every cell's total along it (a key that may not exist)."""
    yield "time", _one_level_up(key, "period_level", "period", parent_period)
    yield "geo", _one_level_up(key, "geo_level", "geo", lambda level, geo: parent_geo(level, geo, region))
    for col in sorted({c for b in topic.breakdowns for c in b}):
        up = key.copy()
        up[col] = ALL
        if col == "language":
            grouped = [
                language_group(language, shown.get(year_of(period), frozenset()))
                for language, period in zip(key["language"], key["period"])
            ]
            up[col] = np.where(np.array(grouped) == OTHER_LANGUAGES, OTHER_LANGUAGES, ALL)
            up.loc[key["language"] == OTHER_LANGUAGES, col] = ALL
        yield "category", up


def _one_level_up(key: pd.DataFrame, level: str, name: str, parent) -> pd.DataFrame:
    """The key with `level` and `name` (period or geo) one level up; a missing key at the top of the hierarchy."""
    pairs = key[[level, name]].drop_duplicates()
    parents = {(lv, n): parent(lv, n) for lv, n in pairs.itertuples(index=False)}
    up = key.copy()
    up[level] = key[level].map(PARENT_LEVEL)
    up[name] = [parents[pair] for pair in zip(key[level], key[name])]
    return up


def _cost(cells: pd.DataFrame) -> np.ndarray:
    """What moving a published cell by one costs readers: headline totals are worth far more, and a larger count
    more than a smaller one at the same level (hiding 716 referrals loses more than hiding 14)."""
    weight = cells["period_level"].map(_PERIOD_WEIGHT).to_numpy() * cells["geo_level"].map(_GEO_WEIGHT).to_numpy()
    weight = weight * np.where(_is_total(cells), _TOTAL_WEIGHT, 1)
    return weight * np.log2(2 + cells["value"].to_numpy(dtype=float))


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
    joined = cells[key].astype(str).merge(old[[*key, "suppressed"]].astype({c: str for c in key}), on=key, how="left")
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
    """The previous release's cells of the same topic, measures, outcome and year."""
    if previous is None:
        return None
    first = part_cells.iloc[0]
    old = previous.cells
    mask = (
        (old["topic"] == first["topic"])
        & old["measure"].isin(part_cells["measure"].unique())
        & (old["outcome"] == first["outcome"])
        & (years_of(old["period"]) == year_of(first["period"]))
    )
    return Release(
        cells=old[mask],
        hubs=previous.hubs,
        blocks=previous.blocks,
        threshold=previous.threshold,
        number=previous.number,
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
