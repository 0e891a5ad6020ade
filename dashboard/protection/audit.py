"""The attacker: how narrowly can each suppressed figure be pinned down?

It knows only what a reader of the warehouse knows: every published figure, that
each one is the sum of whole, non-negative counts at the finest grain of the
extract, that a suppressed figure is at least 1, and the hierarchy in
hierarchy.py. It knows nothing of how suppression was chosen, so it checks any
suppressor, ours or a library's. For every suppressed cell it finds the smallest
and largest value consistent with all of that (a linear programme); the cell is
at risk when fewer than K whole numbers remain possible.

Exact, and fast enough to sit inside a suppress -> audit -> repair loop:
- Every cell a topic can publish is one unknown, tied to its children by one
  equation (year = quarters, quarter = months, network = regions, region =
  hubs, and at month x hub a total = the categories of each breakdown). A
  published cell is a constant, so its equation involves only its suppressed
  children. No published cell crosses service line with language, so the finest
  counts matter only through those two margins at month x hub, and any
  non-negative margins with equal totals are the margins of some non-negative
  counts: the margins are the unknowns, an order of magnitude fewer.
- Equations left with one unknown, or forcing all their unknowns to their lower
  bounds (a published zero pins everything under it), are solved before any LP.
  What remains splits into independent components; components holding no
  suppressed cell of this release are dropped.
- Every LP solution is a feasible point, so it proves max >= x and min <= x for
  every cell at once; bounds that each equation implies from the others' bounds
  prove max <= ceiling and min >= floor. A cell whose witnesses span K values is
  safe, and one whose witness meets its implied bound has that optimum, both
  without an LP of its own. A few shared objectives settle most cells; only the
  rest get their own min and max, on one HiGHS model per group of components,
  changing only the objective between solves so HiGHS starts from the last basis.
- On a large network (tuning.region_by_region), witnesses are first sought in
  small models of one region and the network, the rest held at a feasible point
  (_in_windows): their solutions are solutions of the whole model too.
- Points found elsewhere (`claimed`: the suppressor's witnesses, an earlier
  audit's solutions) are checked against every row, bound and published figure
  of this model, and each attacker's own figures, before they prove anything.

How the work is divided (model sizes, rounds, processes) is set in tuning.py.
"""

from __future__ import annotations

import gc
import math
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass

import highspy
import numpy as np
import pandas as pd

from ..hierarchy import (
    ALL,
    BREAKDOWN_COLUMNS,
    CELL_KEY,
    OTHER_LANGUAGES,
    TOPICS,
    Topic,
    hubs_in,
    language_group,
    months_of,
    number_in_year,
    shown_languages,
    year_of,
)
from ..internals import quiet_highs
from . import tuning, workers
from .release import Release
from .tuning import TOLERANCE

_SLOTS = 17
"""Period slots of one calendar year: 12 months, 4 quarters, the year. No
published cell spans two years, so years never share an equation."""
_FIRST_SLOT = {"month": 0, "quarter": 12, "year": 16}
"""Each period level's first slot."""
_FIRST_QUARTER_SLOT, _YEAR_SLOT = _FIRST_SLOT["quarter"], _FIRST_SLOT["year"]


def intervals(
    release: Release,
    previous: Release | None = None,
    *,
    truth: pd.DataFrame | None = None,
    order_rules: bool | None = None,
    exact_for_all: bool = False,
    witnesses_only: bool = False,
    only: pd.DataFrame | None = None,
    claimed: Claimed | None = None,
    keep: list[Claimed] | None = None,
    progress: Callable[[str], None] | None = None,
) -> pd.DataFrame:
    """Every suppressed cell with the narrowest interval any attacker can pin it to, cells at risk first.

    `truth`, the true value of every cell and unpublished margin (CELL_KEY, value), adds the insiders: the
    staff of each hub, who know all of their own hub's figures. Without it only the outsider is modelled.
    `order_rules` (by default, with `truth`) adds the extract format's order rules between measures. The
    suppressor audits each measure alone without them (fast: each measure splits into small components), then
    each topic's measures together with them; the full model is docs/attacker.md's, and `hubdash audit
    --insiders` applies it.
    `attacker` names who narrows the cell most (`insider`: that hub, None for anyone). For a cell at risk, `lower` and `upper` are that attacker's
    exact LP minimum and maximum; a cell proven safe by witnesses alone reports the part of its interval that
    was proven (the true one is at least as wide), with `exact` False.
    `exact_for_all` solves every cell's min and max even where witnesses already prove it safe (the ranges
    published with a release). Insiders are attacked one hub's staff at a time (see insider_groups).
    `witnesses_only` solves no cell's own min and max: a cell the witnesses leave narrow is reported at risk
    with the witnesses' interval (a few may in fact be safe), far faster where many cells are narrow.
    `only` (CELL_KEY) attacks just those suppressed cells: hiding more never narrows a cell, so whoever hid more
    since an audit need ask only about the cells that audit found narrow and those hidden since.
    `claimed` (with `truth`): points someone else (the suppressor) found; each is checked against this model,
    with every relation, published figure, order rule and attacker's own figure, and one that holds is a
    witness like the LPs' own, so a cell such points already prove K wide needs no LP.
    `keep` (with `truth`): a list to which the points this audit solves are added, as claims in `truth`'s terms.
    They stay consistent with a later release that hides more (it publishes less), so an audit of that release
    can take them as `claimed`.
    """
    say = progress or (lambda message: None)
    order = truth is not None if order_rules is None else order_rules
    groups = {frozenset(): None, **(insider_groups(release.hubs) if truth is not None else {})}
    attacks = [(known, _owned_by(scope)) for known, scope in groups.items()]
    exact = "all" if exact_for_all else "none" if witnesses_only else "narrow"
    report = _attack_groups(release, previous, truth, attacks, order, exact, only, claimed, keep, say)
    report["attacker"] = report.known.map(_attacker_name)
    report["insider"] = report.known.map(lambda known: next(iter(known)) if known else None)
    report = report.drop(columns=["known", "own", "least"])
    return report.sort_values("at_risk", ascending=False, kind="stable").reset_index(drop=True)


def insider_groups(hubs: pd.DataFrame) -> dict[frozenset, set | None]:
    """The staff of each hub, attacked one hub at a time, each with the owners of the cells it attacks.

    Each hub's staff attack every cell but their own hub's. Attacking halves of the hubs together would take
    fewer models, but it is not sound: a group can prove the rest of a cell large where one of its members
    alone cannot, and so miss a cell that member narrows (tests/test_audit.py found one). A cell's owner is
    the one hub it covers (None for a cell over several).
    """
    everyone = set(hubs.hub)
    return {frozenset([hub]): (everyone - {hub}) | {None} for hub in sorted(everyone)}


def _owned_by(owners: set | None):
    """The scope of an attack: cells whose owner is in `owners` (every cell when None)."""
    return lambda facts, owner: (
        np.ones(len(facts), bool) if owners is None else pd.Series(owner).isin(owners).to_numpy()
    )


def _attacker_name(known: frozenset) -> str:
    if not known:
        return "anyone"
    return ("the staff of hub " if len(known) == 1 else "the staff of hubs ") + ", ".join(sorted(known))


def _attack_groups(
    release, previous, truth, attacks, order: bool, exact: str, only: pd.DataFrame | None, claimed, keep, say
) -> pd.DataFrame:
    """The narrowest interval of each cell in scope over the attacks (what a group knows, and its scope)."""
    problems = []
    checked: dict[str, _CheckedPoints] = {}
    """Per topic, the claimed points that hold in the outsider's model: the same for every attack."""
    for known, topic, covers, facts in _targets(release, previous, attacks, only):
        insiders = _insiders_facts(truth, topic, known, release.hubs, covers) if known else None
        own = _own_part(facts[facts.target.to_numpy(bool)], known, truth, covers)
        tell = say if not known else (lambda message: None)
        points = (claimed, truth, checked) if truth is not None and (claimed is not None or keep is not None) else None
        problem = _Problem.build(release, topic, facts, covers, tell, insiders, own, order, points)
        problems.append((known, problem))
    chunks = [chunk for _, problem in problems for chunk in problem.chunks]
    for chunk, (lower, upper, proven, least, found) in zip(chunks, _solve(chunks, release.threshold, exact, say)):
        chunk.problem.lower[chunk.report_rows] = lower
        chunk.problem.upper[chunk.report_rows] = upper
        chunk.problem.exact[chunk.report_rows] = proven
        chunk.problem.least[chunk.report_rows] = least
        if keep is not None and chunk.problem.figure_of is not None:
            keep.append(chunk.problem.as_claimed(chunk.columns, found))
    reports = [problem.report().assign(known=[known] * len(problem.cells)) for known, problem in problems]
    empty = _empty_report().assign(known=[], own=pd.Series(dtype=float), least=pd.Series(dtype=float))
    return _narrowest(pd.concat(reports or [empty], ignore_index=True), release.threshold)


def _targets(release, previous, attacks, only: pd.DataFrame | None):
    """Per attack and topic: what the attacker knows, the topic, its covers and its facts, `target` marking the
    suppressed cells of the release in the attack's scope (never the attacker's own)."""
    for known, scope in attacks:
        covers: dict[frozenset, int] = {}
        for topic in TOPICS.values():
            if topic.count_of_people:
                facts = _facts(release, previous, topic, covers)
                owner = _owners(facts, covers)
                in_scope = scope(facts, owner) & ~pd.Series(owner).isin(known).to_numpy()
                if only is not None:
                    in_scope &= _among(facts, only)
                facts = facts.assign(target=facts.target.to_numpy(bool) & in_scope)
                if facts.target.any():
                    yield known, topic, covers, facts


def joined_claims(claims: list[Claimed | None]) -> Claimed | None:
    """Several sets of claims as one, their points numbered apart."""
    claims = [c for c in claims if c is not None]
    if not claims:
        return None
    first = np.cumsum([0] + [int(c.point.max(initial=-1)) + 1 for c in claims])
    return Claimed(
        point=np.concatenate([c.point + offset for c, offset in zip(claims, first)]),
        figure=np.concatenate([c.figure for c in claims]),
        move=np.concatenate([c.move for c in claims]),
    )


def _among(facts: pd.DataFrame, cells: pd.DataFrame) -> np.ndarray:
    """Whether each fact is one of `cells` (by CELL_KEY)."""
    key = list(CELL_KEY)
    wanted = cells[key].astype(str).drop_duplicates().assign(_among=True)
    return facts[key].astype(str).merge(wanted, on=key, how="left")["_among"].fillna(False).to_numpy(bool)


def _own_part(cells: pd.DataFrame, known: frozenset, truth: pd.DataFrame | None, covers) -> np.ndarray:
    """How much of each cell is the known hubs' own: the attacker need only learn the rest."""
    if not known or not len(cells):
        return np.zeros(len(cells))
    mine = truth[(truth.geo_level == "hub") & truth.geo.isin(known)]
    place = [c for c in CELL_KEY if c not in ("geo_level", "geo")]
    hubs_of = list(covers)
    own = np.zeros(len(cells))
    for hub in known:
        theirs = mine[mine.geo == hub]
        value = (
            cells[place]
            .astype(str)
            .merge(theirs[[*place, "value"]].astype({c: str for c in place}), on=place, how="left")["value"]
            .fillna(0)
            .to_numpy(float)
        )
        covering = np.array([hub in hubs_of[c] for c in cells.cover.to_numpy()], dtype=bool)
        own += np.where(covering, value, 0.0)
    return own


def _narrowest(report: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """One row per cell: the attack that narrows it most, at risk first; `narrow` where any attack leaves it
    fewer than K values.

    A cell is at risk when fewer than K values remain and the part of it the attacker does not own could be
    small; a whole number of people, not a share of a figure it can already read. One hub's staff who find
    the rest of a cell exactly zero learn only what the published zeros say, so that is not at risk either;
    but only where both ends are exact: witnesses that all happen to leave the rest at zero prove nothing.
    """
    report = report.copy()
    lower, upper, own, least = (report[c].to_numpy(float) for c in ("lower", "upper", "own", "least"))
    single = report.known.map(len).to_numpy() == 1
    rest_zero = (np.abs(lower - own) < TOLERANCE) & (np.abs(upper - own) < TOLERANCE)
    only_own = single & rest_zero & report["exact"].to_numpy(bool)
    could_be_small = np.ceil(least - own - TOLERANCE) < threshold
    report["at_risk"] = _too_narrow(lower, upper, threshold) & could_be_small & ~only_own
    # Narrow but not at risk (it cannot be small, or its rest is a known zero): hiding more can widen it until
    # it can be small.
    report["narrow"] = _too_narrow(lower, upper, threshold)
    report["narrow"] = report.groupby(list(CELL_KEY), dropna=False, sort=False)["narrow"].transform("any")
    with np.errstate(invalid="ignore"):
        width = np.floor(upper + TOLERANCE) - np.ceil(lower - TOLERANCE)
    report["_width"] = np.where(report.at_risk, width, np.inf)
    report = report.sort_values("_width", kind="stable").drop_duplicates(list(CELL_KEY)).drop(columns="_width")
    report[["lower", "upper"]] = report[["lower", "upper"]].round(6)
    return report.reset_index(drop=True)


def _owners(facts: pd.DataFrame, covers: dict[frozenset, int]) -> np.ndarray:
    """Each cell's owner: the one hub it covers, or None."""
    owner_of_cover = np.array([next(iter(hubs)) if len(hubs) == 1 else None for hubs in covers], dtype=object)
    return owner_of_cover[facts.cover.to_numpy()]


def _insiders_facts(truth, topic: Topic, known: frozenset, hubs: pd.DataFrame, covers) -> pd.DataFrame:
    """The true figures of the known hubs: every cell of theirs, published or not, and their margins."""
    mine = truth[(truth.topic == topic.name) & (truth.geo_level == "hub") & truth.geo.isin(known)]
    return mine.assign(cover=_cover_ids(mine, hubs, covers))


def cells_at_risk(report: pd.DataFrame) -> pd.DataFrame:
    return report[report.at_risk].reset_index(drop=True)


def format_report(report: pd.DataFrame, threshold: int) -> str:
    """The cells at risk in plain words, then a one-line summary."""
    lines = []
    for cell in cells_at_risk(report).itertuples(index=False):
        where = f"{cell.topic} {cell.measure}, {cell.period_level} {cell.period}, {cell.geo_level} {cell.geo}"
        for column in BREAKDOWN_COLUMNS:
            if getattr(cell, column) != ALL:
                where += f", {column.replace('_', ' ')} {getattr(cell, column)}"
        low, high = math.ceil(cell.lower - TOLERANCE), math.floor(cell.upper + TOLERANCE)
        by = "" if cell.attacker == "anyone" else f" by {cell.attacker}"
        if low == high:
            lines.append(f"{where}: recovered exactly ({low}){by}")
        else:
            lines.append(f"{where}: narrowed to {low} to {high}{by}, fewer than {threshold} possible values")
    lines.append(f"{len(report):,} suppressed cells checked, {int(report.at_risk.sum()):,} at risk")
    return "\n".join(lines)


def _too_narrow(lower: np.ndarray, upper: np.ndarray, threshold: int) -> np.ndarray:
    with np.errstate(invalid="ignore"):
        return np.floor(upper + TOLERANCE) - np.ceil(lower - TOLERANCE) < threshold


def _empty_report() -> pd.DataFrame:
    report = Release.empty_cells()[list(CELL_KEY)]
    return report.assign(lower=pd.Series(dtype=float), upper=pd.Series(dtype=float), exact=pd.Series(dtype=bool))


# --- What the attacker knows -------------------------------------------------


def _facts(release: Release, previous: Release | None, topic: Topic, covers: dict[frozenset, int]) -> pd.DataFrame:
    """The topic's cells, each with the id in `covers` of the hubs it covers, and whether it is this release's
    (`current`) and suppressed there (`target`).

    A cell of the previous release is known only where every block of data
    under it is unchanged in this release.
    """
    current = release.cells[release.cells.topic == topic.name]
    current = current.assign(
        cover=_cover_ids(current, release.hubs, covers), current=True, target=current.suppressed.to_numpy(bool)
    )
    if previous is None:
        return current
    old = previous.cells[previous.cells.topic == topic.name]
    old = old.assign(cover=_cover_ids(old, previous.hubs, covers), current=False, target=False)
    same = _unchanged_blocks(release, previous, topic)
    hubs_of = list(covers)
    codes, coverage = _codes(old, ["period_level", "period", "cover"])
    valid = np.array(
        [
            all((month, hub) in same for month in months_of(level, period) for hub in hubs_of[cover])
            for level, period, cover in coverage.itertuples(index=False)
        ],
        dtype=bool,
    )
    return pd.concat([current, old[valid[codes]]], ignore_index=True)


def _codes(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, pd.DataFrame]:
    """Each row's position among the distinct values of `columns`, and those values.

    Work is then done once per distinct value (a period, a geography), not once per cell.
    """
    codes = frame.groupby(columns, sort=False).ngroup().to_numpy()
    return codes, frame[columns].drop_duplicates().reset_index(drop=True)


def _cover_ids(cells: pd.DataFrame, hubs: pd.DataFrame, covers: dict[frozenset, int]) -> np.ndarray:
    codes, geos = _codes(cells, ["geo_level", "geo"])
    ids = [covers.setdefault(hubs_in(level, geo, hubs), len(covers)) for level, geo in geos.itertuples(index=False)]
    return np.array(ids, dtype=np.int64)[codes]


def _unchanged_blocks(release: Release, previous: Release, topic: Topic) -> set[tuple[str, str]]:
    """(month, hub) blocks of the topic whose data both releases share; a block missing from either has changed."""
    both = release.blocks[release.blocks.topic == topic.name].merge(
        previous.blocks[previous.blocks.topic == topic.name], on=["topic", "month", "hub"], suffixes=("", "_previous")
    )
    same = both[both.revision == both.revision_previous]
    return set(zip(same.month, same.hub))


# --- The attacker's model of one topic --------------------------------------


@dataclass
class _Rows:
    """Linear rows  lower <= sum(value * x[index]) <= upper, in compressed row form."""

    start: np.ndarray
    index: np.ndarray
    value: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    def __len__(self) -> int:
        return len(self.lower)

    def row_of_entry(self) -> np.ndarray:
        return np.repeat(np.arange(len(self)), np.diff(self.start))

    def take(self, rows: np.ndarray) -> _Rows:
        lengths = np.diff(self.start)[rows]
        start = np.concatenate([[0], np.cumsum(lengths)])
        entries = np.repeat(self.start[rows] - start[:-1], lengths) + np.arange(start[-1])
        return _Rows(start, self.index[entries], self.value[entries], self.lower[rows], self.upper[rows])


class _RowBuilder:
    def __init__(self) -> None:
        self._blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []

    def sums(self, parent: np.ndarray, children: np.ndarray) -> None:
        """parent = sum of children, one row per line of the broadcast arrays."""
        parent, children = np.broadcast_arrays(parent, children)
        index = np.concatenate([parent[:, :1], children], axis=1)
        value = np.concatenate([[1.0], -np.ones(children.shape[1])])
        self._blocks.append((index, value, np.zeros(len(index)), np.zeros(len(index))))

    def at_least(self, greater: np.ndarray, lesser: np.ndarray) -> None:
        """greater >= lesser, one row per line of the broadcast arrays."""
        greater, lesser = np.broadcast_arrays(greater, lesser)
        index = np.stack([greater.ravel(), lesser.ravel()], axis=1)
        self._blocks.append((index, np.array([1.0, -1.0]), np.zeros(len(index)), np.full(len(index), np.inf)))

    def total(self, columns: np.ndarray, lower: float, upper: float) -> None:
        self._blocks.append((columns[None, :], np.ones(len(columns)), np.array([lower]), np.array([upper])))

    def build(self) -> _Rows:
        lengths = np.concatenate([np.full(len(index), index.shape[1]) for index, *_ in self._blocks])
        return _Rows(
            start=np.concatenate([[0], np.cumsum(lengths)]),
            index=np.concatenate([index.ravel() for index, *_ in self._blocks]),
            value=np.concatenate([np.tile(value, len(index)) for index, value, *_ in self._blocks]),
            lower=np.concatenate([lower for *_, lower, _ in self._blocks]),
            upper=np.concatenate([upper for *_, upper in self._blocks]),
        )


@dataclass
class _Grid:
    """Every cell the topic could publish as one unknown, indexed (measure, year, slot, geo, category).

    Geos are the hubs, then the regions, then the network. Categories are
    (breakdown, values) for each breakdown of the topic, with the values seen.
    """

    topic: Topic
    measures: list[str]
    years: list[str]
    months: np.ndarray
    """(year, month) -> whether the month is published."""
    hubs: list[str]
    regions: list[np.ndarray]
    geo_of_cover: np.ndarray
    """Cover id -> the geo covering exactly those hubs, or -1."""
    categories: list[tuple[tuple[str, ...], tuple[str, ...]]]
    shown: dict[str, frozenset[str]]
    """For each year, the languages shown by themselves below the network (the rest are OTHER_LANGUAGES)."""

    @property
    def shape(self) -> tuple[int, int, int, int, int]:
        geos = len(self.hubs) + len(self.regions) + 1
        return (len(self.measures), len(self.years), _SLOTS, geos, len(self.categories))

    @property
    def size(self) -> int:
        return math.prod(self.shape)

    def index(self, measure, year, slot, geo, category):
        _, years, slots, geos, categories = self.shape
        return (((measure * years + year) * slots + slot) * geos + geo) * categories + category

    @staticmethod
    def of(release: Release, topic: Topic, facts: pd.DataFrame, covers: dict[frozenset, int]) -> _Grid:
        monthly = facts.period[facts.period_level == "month"].unique()
        years = sorted({year_of(month) for month in monthly})
        months = np.zeros((len(years), 12), bool)
        for month in monthly:
            months[years.index(year_of(month)), number_in_year("month", month) - 1] = True
        hubs = list(release.hubs.hub)
        region_names = sorted(release.hubs.region.unique())
        region_hubs = [frozenset(release.hubs.hub[release.hubs.region == name]) for name in region_names]
        geo_of_cover = np.full(len(covers), -1)
        for geo, covered in enumerate([frozenset([h]) for h in hubs] + region_hubs + [frozenset(hubs)]):
            if covered in covers and geo_of_cover[covers[covered]] < 0:  # a one-hub region is that hub
                geo_of_cover[covers[covered]] = geo
        _, grains = _codes(facts, list(topic.grain))
        seen = {(_breakdown(row), tuple(v for v in row.values() if v != ALL)) for row in grains.to_dict("records")}
        categories = [(b, values) for b in topic.breakdowns for values in sorted(v for b2, v in seen if b2 == b)]
        return _Grid(
            topic=topic,
            measures=list(pd.unique(facts.measure)),
            years=years,
            months=months,
            hubs=hubs,
            regions=[np.array([hubs.index(h) for h in sorted(r)]) for r in region_hubs],
            geo_of_cover=geo_of_cover,
            categories=categories,
            shown=shown_languages(release.cells),
        )

    def locate(self, facts: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """Each fact's unknown, and whether it has one of its own.

        An old cell over hubs that no geography of this release covers has not:
        it gets the unknown of the first hub, to be summed over its hubs.
        """
        measure = pd.Index(self.measures).get_indexer(facts.measure)
        period_codes, periods = _codes(facts, ["period_level", "period"])
        year = pd.Index(self.years).get_indexer([year_of(p) for p in periods.period])[period_codes]
        slot = np.array([_slot(*p) for p in periods.itertuples(index=False)], dtype=np.int64)[period_codes]
        grain_codes, grains = _codes(facts, list(self.topic.grain))
        known = {category: k for k, category in enumerate(self.categories)}
        rows = grains.to_dict("records")
        keys = [(_breakdown(row), tuple(v for v in row.values() if v != ALL)) for row in rows]
        category = np.array([known.get(key, -1) for key in keys], dtype=np.int64)[grain_codes]
        if (year < 0).any() or (category < 0).any():
            raise ValueError(f"{self.topic.name}: cells outside the published months or breakdowns")
        geo = self.geo_of_cover[facts.cover.to_numpy()]
        return self.index(measure, year, slot, np.maximum(geo, 0), category), geo >= 0

    def bounds(self, facts: pd.DataFrame, at: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Lower bounds (1 under a suppressed cell), which unknowns are published, and their values."""
        suppressed = facts.suppressed.to_numpy(bool)
        figure = facts.value.to_numpy(dtype=float, na_value=np.nan)
        lower = np.zeros(self.size)
        lower[at[suppressed]] = 1.0
        published = ~suppressed
        fixed = np.zeros(self.size, bool)
        fixed[at[published]] = True
        value = np.zeros(self.size)
        value[at[published]] = figure[published]
        if (value[at[published]] != figure[published]).any() or (value[fixed] < lower[fixed]).any():
            raise ValueError(f"{self.topic.name}: the published figures contradict each other")
        return lower, fixed, value

    def equations(self, old_totals: pd.DataFrame, at: np.ndarray, covers: dict[frozenset, int], order: bool) -> _Rows:
        """Each aggregate = the sum of its children along one dimension; old cells over other hubs as sums of hubs."""
        rows = _RowBuilder()
        n_measures, n_years, _, n_geos, n_categories = self.shape
        measures, geos, categories = np.arange(n_measures), np.arange(n_geos), np.arange(n_categories)
        m, g, k = (a.reshape(-1, 1) for a in np.meshgrid(measures, geos, categories, indexing="ij"))
        for year in range(n_years):
            quarters = [q for q in range(4) if self.months[year, 3 * q : 3 * q + 3].all()]
            for q in quarters:
                months = np.arange(3 * q, 3 * q + 3)
                rows.sums(self.index(m, year, _FIRST_QUARTER_SLOT + q, g, k), self.index(m, year, months, g, k))
            if len(quarters) == 4:
                quarter_slots = _FIRST_QUARTER_SLOT + np.arange(4)
                rows.sums(self.index(m, year, _YEAR_SLOT, g, k), self.index(m, year, quarter_slots, g, k))
        month_year, month_slot = np.nonzero(self.months)
        n_hubs = len(self.hubs)
        published_months = np.arange(len(month_year))
        m, t, k = (a.reshape(-1, 1) for a in np.meshgrid(measures, published_months, categories, indexing="ij"))
        y, s = month_year[t], month_slot[t]
        geo_children = [(n_hubs + r, hubs) for r, hubs in enumerate(self.regions)]
        geo_children.append((n_geos - 1, n_hubs + np.arange(len(self.regions))))
        for parent, children in geo_children:
            rows.sums(self.index(m, y, s, parent, k), self.index(m, y, s, children, k))
        for year in range(n_years):
            months_of_year = published_months[month_year == year]
            m, t, h = (
                a.reshape(-1, 1) for a in np.meshgrid(measures, months_of_year, np.arange(n_hubs), indexing="ij")
            )
            y, s = month_year[t], month_slot[t]
            for parent, children in self._category_children(self.shown.get(self.years[year], frozenset())):
                rows.sums(self.index(m, y, s, h, parent), self.index(m, y, s, h, children))
        if order:
            self._order(rows)
        self._old_totals(rows, old_totals, at, covers)
        return rows.build()

    def _order(self, rows: _RowBuilder) -> None:
        """The extract format's order rules (referred >= accepted, ...) at every hub, month and category.

        They hold in every row of an extract, so in every sum of rows too: at a region, a quarter or a year they
        follow from the sums, and rows for them there would only slow every solve.
        """
        n_categories = self.shape[4]
        year, slot = np.nonzero(self.months)
        t, g, k = (
            a.ravel()
            for a in np.meshgrid(
                np.arange(len(year)), np.arange(len(self.hubs)), np.arange(n_categories), indexing="ij"
            )
        )
        for greater, lesser in self.topic.order:
            if greater in self.measures and lesser in self.measures:
                big, small = self.measures.index(greater), self.measures.index(lesser)
                rows.at_least(self.index(big, year[t], slot[t], g, k), self.index(small, year[t], slot[t], g, k))

    def _category_children(self, shown: frozenset[str]) -> list[tuple[int, np.ndarray]]:
        """At month x hub, a category of a smaller breakdown = the sum of its categories in each maximal breakdown.

        Maximal breakdowns share no column, so any non-negative margins with
        equal totals are the margins of some non-negative finest counts. A
        language not `shown` that year is counted in OTHER_LANGUAGES, and that
        group in the totals; in a year that shows every language (published
        before the grouping) the group holds nothing and is no part of them.
        """
        languages = {dict(zip(b, v)).get("language", ALL) for b, v in self.categories} - {ALL, OTHER_LANGUAGES}
        grouping = any(language_group(language, shown) == OTHER_LANGUAGES for language in languages)
        breakdowns = [set(b) for b in self.topic.breakdowns]
        maximal = [b for b in self.topic.breakdowns if not any(set(b) < other for other in breakdowns)]
        if any(set(a) & set(b) for i, a in enumerate(maximal) for b in maximal[i + 1 :]):
            raise ValueError(f"{self.topic.name}: overlapping breakdowns need the finest counts, not their margins")
        relations = []
        for parent, (breakdown, values) in enumerate(self.categories):
            wanted = dict(zip(breakdown, values))
            for big in maximal:
                children = [
                    child
                    for child, (b, v) in enumerate(self.categories)
                    if b == big
                    and set(breakdown) < set(big)
                    and wanted.items() <= dict(zip(b, v)).items()
                    and _top_level(dict(zip(b, v)), shown)
                    and (grouping or dict(zip(b, v)).get("language") != OTHER_LANGUAGES)
                ]
                if children:
                    relations.append((parent, np.array(children)))
            if wanted.get("language") == OTHER_LANGUAGES:
                members = [
                    child
                    for child, (b, v) in enumerate(self.categories)
                    if b == breakdown
                    and not _top_level(dict(zip(b, v)), shown)
                    and _but_language(b, v) == _but_language(breakdown, values)
                ]
                if members:
                    relations.append((parent, np.array(members)))
        return relations

    def _old_totals(self, rows: _RowBuilder, old: pd.DataFrame, at: np.ndarray, covers: dict[frozenset, int]) -> None:
        """An old cell over hubs that no geography of this release covers: a sum over those hubs."""
        hubs_of = list(covers)
        for cell, where in zip(old.itertuples(index=False), at):
            measure, year, slot, _, category = np.unravel_index(where, self.shape)
            hubs = [self.hubs.index(h) for h in hubs_of[cell.cover] if h in self.hubs]
            if len(hubs) == len(hubs_of[cell.cover]):
                columns = self.index(measure, year, slot, np.array(hubs), category)
                if cell.suppressed:
                    rows.total(columns, 1.0, np.inf)
                else:
                    rows.total(columns, float(cell.value), float(cell.value))

    def region_of(self, unknowns: np.ndarray) -> np.ndarray:
        """Each unknown's region (its number), or -1 for the network's: the windows of _Attack._in_windows."""
        geo = np.unravel_index(unknowns, self.shape)[3]
        region = np.full(self.shape[3], -1)
        for r, hubs in enumerate(self.regions):
            region[hubs] = r
            region[len(self.hubs) + r] = r
        return region[geo]

    def tell(self, say: Callable[[str], None], targets: np.ndarray, component: np.ndarray) -> None:
        """One line per measure and year: its suppressed cells and the components they fall in (-1: none)."""
        measure, year = np.unravel_index(targets, self.shape)[:2]
        for m, name in enumerate(self.measures):
            for y, year_name in enumerate(self.years):
                here = (measure == m) & (year == y)
                if here.any():
                    n = len(np.unique(component[here & (component >= 0)]))
                    components = f"{n} component{'' if n == 1 else 's'}"
                    say(f"{self.topic.name}/{name} {year_name}: {int(here.sum()):,} suppressed cells, {components}")


def _top_level(category: dict[str, str], shown: frozenset[str]) -> bool:
    """Whether a category adds up to its total directly, rather than through OTHER_LANGUAGES."""
    language = category.get("language", ALL)
    return language_group(language, shown) == language


def _but_language(breakdown: tuple[str, ...], values: tuple[str, ...]) -> dict[str, str]:
    return {column: value for column, value in zip(breakdown, values) if column != "language"}


def _breakdown(grain_values: dict[str, str]) -> tuple[str, ...]:
    return tuple(column for column, value in grain_values.items() if value != ALL)


def _slot(period_level: str, period: str) -> int:
    return _FIRST_SLOT[period_level] + number_in_year(period_level, period) - 1


@dataclass
class _Lp:
    """One HiGHS model: row_lower <= A x <= row_upper, x >= col_lower; and the columns whose min and max are wanted."""

    rows: _Rows
    col_lower: np.ndarray
    targets: np.ndarray
    region: np.ndarray
    """Each column's region, -1 for the network's."""
    by_region: bool = False
    """Seek witnesses one region at a time first (_Attack._in_windows)."""
    own: np.ndarray | None = None
    """Per target, the part the attacker owns (its own hubs'): a cell whose rest cannot be small needs no width."""


@dataclass
class _Chunk:
    lp: _Lp
    problem: _Problem
    report_rows: np.ndarray
    """Where each target of the LP sits in the problem's report."""
    columns: np.ndarray
    """The unknown of each of the LP's columns."""


@dataclass
class _Problem:
    """One topic: its suppressed cells, their intervals where already known, and the LPs left to solve."""

    cells: pd.DataFrame
    lower: np.ndarray
    upper: np.ndarray
    exact: np.ndarray
    least: np.ndarray
    """A proven lower bound of each cell's minimum."""
    own: np.ndarray
    chunks: list[_Chunk]
    figure_of: np.ndarray | None = None
    """Per unknown, the row of the truth naming it (-1: none), when the audit was given the truth."""
    base: np.ndarray | None = None
    """Per unknown, its true value (NaN where no figure names it)."""

    def as_claimed(self, columns: np.ndarray, found: np.ndarray) -> Claimed:
        """Solutions over the unknowns `columns` (one row each) as claims: moves of the truth's figures; every
        other unknown is at its true value, which the rows do not tie to these (another component) or hold."""
        named = self.figure_of[columns] >= 0
        move = found[:, named] - self.base[columns[named]]
        point, entry = np.nonzero(np.abs(move) > TOLERANCE)
        return Claimed(point, self.figure_of[columns[named]][entry], move[point, entry])

    def report(self) -> pd.DataFrame:
        return self.cells[list(CELL_KEY)].assign(
            lower=self.lower, upper=self.upper, exact=self.exact, least=self.least, own=self.own
        )

    @staticmethod
    def build(
        release: Release,
        topic: Topic,
        facts: pd.DataFrame,
        covers: dict[frozenset, int],
        say,
        insiders: pd.DataFrame | None = None,
        own: np.ndarray | None = None,
        order: bool = True,
        points: tuple[Claimed, pd.DataFrame, dict] | None = None,
    ) -> _Problem:
        """`insiders`: the true figures the attacker knows besides the published ones (its own hubs');
        `own`: per target, the part of it that is theirs; `points`: claimed points, the truth they move, and the
        checks already made (per topic)."""
        grid = _Grid.of(release, topic, facts, covers)
        at, on_grid = grid.locate(facts)
        if not on_grid[facts.current.to_numpy(bool)].all():
            raise ValueError(f"{topic.name}: cells for geographies outside the release's hubs")
        lower, fixed, value = grid.bounds(facts[on_grid], at[on_grid])
        full_rows = grid.equations(facts[~on_grid], at[~on_grid], covers, order)
        figure_of = base = None
        if points is not None:
            claimed, truth_of_all, checked = points
            figure_of, base = _truth_on_grid(grid, truth_of_all, release.hubs, covers)
            key = (topic.name, grid.shape)
            if claimed is not None and key not in checked:
                checked[key] = _check_claimed(grid, full_rows, lower, fixed, value, claimed, figure_of, base)
        if insiders is not None and len(insiders):
            where, _ = grid.locate(insiders)
            truth = insiders.value.to_numpy(dtype=float)
            if (fixed[where] & (np.abs(value[where] - truth) > TOLERANCE)).any():
                raise ValueError(f"{topic.name}: the hubs' own figures disagree with the published ones")
            fixed[where], value[where] = True, truth
        fixed, value, active = _eliminate(full_rows, lower, fixed, value)
        rows = _unknown_part(full_rows, active, fixed, value)
        columns, component = _components(rows)

        is_target = facts.target.to_numpy(bool)
        targets = at[is_target]
        position = np.searchsorted(columns, targets)
        in_lp = position < len(columns)
        in_lp[in_lp] = columns[position[in_lp]] == targets[in_lp]
        target_component = np.full(len(targets), -1)
        target_component[in_lp] = component[position[in_lp]]
        least = np.where(fixed[targets], value[targets], lower[targets])
        lowest, highest = least.copy(), np.where(fixed[targets], value[targets], np.inf)
        proven = np.zeros(len(targets), bool)
        if points is not None and claimed is not None:
            known = [] if insiders is None else list(np.unique(insiders.geo))
            down, up = checked[key].extents(targets, [grid.hubs.index(hub) for hub in known])
            low, high = base[targets] + down, base[targets] + up
            proven = (target_component >= 0) & ~_too_narrow(low, high, release.threshold)
            lowest[proven], highest[proven] = low[proven], high[proven]
            target_component[proven] = -1
        grid.tell(say, targets, target_component)
        problem = _Problem(
            cells=facts[is_target].reset_index(drop=True),
            # A suppressed cell in no equation at all can be anything from 1 up.
            lower=lowest,
            upper=highest,
            exact=~proven,
            least=least,
            own=np.zeros(len(targets)) if own is None else own,
            chunks=[],
            figure_of=figure_of,
            base=base,
        )
        region = grid.region_of(columns)
        by_region = tuning.region_by_region(release.hubs)
        problem.chunks = _chunks(problem, rows, columns, component, lower, region, by_region, targets, target_component)
        return problem


@dataclass
class Claimed:
    """Points someone claims are consistent with a release: entry i moves row `figure[i]` of the truth they
    come with by `move[i]` in point `point[i]`; every figure a point does not name keeps its true value."""

    point: np.ndarray
    figure: np.ndarray
    move: np.ndarray


@dataclass
class _CheckedPoints:
    """The claimed points of one topic that hold in the outsider's model, as moves of its unknowns, and the hubs
    each moves: a point proves nothing to the staff of a hub whose figures it moves."""

    point: np.ndarray
    unknown: np.ndarray
    move: np.ndarray
    moves_hub: np.ndarray
    """(point, hub): whether the point moves one of that hub's figures."""

    def extents(self, targets: np.ndarray, known_hubs: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """How far down and up each target (an unknown) moves from its true value over the points that leave
        the known hubs' figures alone (0: the true point itself)."""
        usable = ~self.moves_hub[:, known_hubs].any(axis=1)[self.point]
        unknown, move = self.unknown[usable], self.move[usable]
        position = np.searchsorted(targets_sorted := np.sort(targets), unknown)
        hit = position < len(targets_sorted)
        hit[hit] = targets_sorted[position[hit]] == unknown[hit]
        low, high = np.zeros(len(targets_sorted)), np.zeros(len(targets_sorted))
        np.minimum.at(low, position[hit], move[hit])
        np.maximum.at(high, position[hit], move[hit])
        back = np.searchsorted(targets_sorted, targets)
        return low[back], high[back]


def _truth_on_grid(grid, truth: pd.DataFrame, hubs: pd.DataFrame, covers) -> tuple[np.ndarray, np.ndarray]:
    """Per unknown of the grid, the row of `truth` naming it (-1: none) and its true value (NaN: none)."""
    mine = np.flatnonzero((truth.topic == grid.topic.name).to_numpy())
    figures = truth.iloc[mine]
    at, on_grid = grid.locate(figures.assign(cover=_cover_ids(figures, hubs, covers)))
    figure_of = np.full(grid.size, -1)
    figure_of[at[on_grid][::-1]] = mine[on_grid][::-1]
    base = np.full(grid.size, np.nan)
    base[at[on_grid]] = figures.value.to_numpy(float)[on_grid]
    return figure_of, base


def _check_claimed(grid, rows: _Rows, lower, fixed, value, claimed: Claimed, figure_of, base):
    """Which claimed points of the grid's topic satisfy every row, bound and published figure of the outsider's
    model (rows, lower, fixed and value as _Problem.build has them before any insider's own figures).

    A point is the truth with the claimed moves; an unknown no figure names (a one-hub region's own slot) is
    found from the rows. Points are checked in batches, each a dense block of the whole topic."""
    named_by = np.flatnonzero(figure_of >= 0)
    local = np.full(max(int(figure_of.max()) + 1, int(claimed.figure.max(initial=-1)) + 1), -1)
    local[figure_of[named_by]] = named_by
    plan = _completion(rows, ~np.isnan(base))
    named = local[claimed.figure] >= 0
    points, unknowns, moves = claimed.point[named], local[claimed.figure[named]], claimed.move[named]
    order = np.argsort(points, kind="stable")
    points, unknowns, moves = points[order], unknowns[order], moves[order]
    ids = np.unique(points)
    valid = np.zeros(len(ids), bool)
    batch = max(1, 4_000_000 // max(len(rows.index), grid.size))
    held = np.flatnonzero(fixed)
    for first in range(0, len(ids), batch):
        these = ids[first : first + batch]
        lo, hi = np.searchsorted(points, these[0], "left"), np.searchsorted(points, these[-1], "right")
        column = np.searchsorted(these, points[lo:hi])
        x = np.repeat(base[:, None], len(these), axis=1)
        x[unknowns[lo:hi], column] = base[unknowns[lo:hi]] + moves[lo:hi]
        ok = np.abs(x[unknowns[lo:hi], column] - base[unknowns[lo:hi]] - moves[lo:hi]) <= TOLERANCE
        consistent = np.bincount(column, weights=~ok, minlength=len(these)) == 0
        _complete(x, plan, rows)
        ok = consistent & ~np.isnan(x[np.unique(rows.index)]).any(axis=0)
        ok &= (x >= lower[:, None] - TOLERANCE).all(axis=0, where=~np.isnan(x))
        ok &= (np.abs(x[held] - value[held, None]) <= TOLERANCE).all(axis=0)
        total = np.add.reduceat(rows.value[:, None] * x[rows.index], rows.start[:-1], axis=0)
        slack = TOLERANCE * (1 + np.add.reduceat(np.abs(x[rows.index]), rows.start[:-1], axis=0))
        ok &= ((total >= rows.lower[:, None] - slack) & (total <= rows.upper[:, None] + slack)).all(axis=0)
        valid[first : first + batch] = ok
    keep = valid[np.searchsorted(ids, points)] & (np.abs(moves) > TOLERANCE)
    point = np.searchsorted(ids, points[keep])
    geo = np.unravel_index(unknowns[keep], grid.shape)[3]
    moves_hub = np.zeros((len(ids), len(grid.hubs)), bool)
    on_hub = geo < len(grid.hubs)
    moves_hub[point[on_hub], geo[on_hub]] = True
    return _CheckedPoints(point, unknowns[keep], moves[keep], moves_hub)


def _completion(rows: _Rows, known: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """How to find the unknowns no figure names from those it does: waves of (row, entry), each an equation
    whose one unknown (at that entry) the waves before it leave open."""
    known = known.copy()
    row_of = rows.row_of_entry()
    equality = rows.lower == rows.upper
    waves = []
    while True:
        open_entry = ~known[rows.index]
        solvable = equality & (np.bincount(row_of, weights=open_entry, minlength=len(rows)) == 1)
        entries = np.flatnonzero(solvable[row_of] & open_entry)
        columns, first = np.unique(rows.index[entries], return_index=True)
        if not len(columns):
            return waves
        waves.append((row_of[entries[first]], entries[first]))
        known[columns] = True


def _complete(x: np.ndarray, waves: list[tuple[np.ndarray, np.ndarray]], rows: _Rows) -> None:
    """Fill in each column of points `x` (unknown, point) the unknowns `waves` find (see _completion)."""
    for row, entry in waves:
        unknown, coefficient = rows.index[entry], rows.value[entry]
        x[unknown] = 0.0
        these = rows.take(row)
        known = np.add.reduceat(these.value[:, None] * x[these.index], these.start[:-1], axis=0)
        x[unknown] = (these.lower[:, None] - known) / coefficient[:, None]


def _eliminate(rows: _Rows, lower: np.ndarray, fixed: np.ndarray, value: np.ndarray):
    """Solve what needs no LP: equations with one unknown left, or forcing all their unknowns to their lower bounds.

    A published zero forces everything under it to 0; two suppressed cells summing
    to a published 2 are both 1. Returns the fixed unknowns, their values, and
    the rows still holding unknowns.
    """
    fixed, value = fixed.copy(), value.copy()
    row_of = rows.row_of_entry()
    equality = rows.lower == rows.upper
    active = np.ones(len(rows), bool)
    while True:
        entries = np.flatnonzero(active[row_of])
        row, column, coefficient = row_of[entries], rows.index[entries], rows.value[entries]
        free = ~fixed[column]
        count = lambda weights: np.bincount(row, weights=weights, minlength=len(rows))  # noqa: E731, B023 (used in this pass only)
        n_free = count(free)
        known = count(np.where(free, 0.0, coefficient * value[column]))
        rest = rows.lower - known
        done = active & (n_free == 0)
        broken = done & ((equality & (np.abs(rest) > TOLERANCE)) | (rest > TOLERANCE))
        if broken.any():
            raise ValueError("the published figures contradict each other")
        active &= ~done

        single = (active & equality & (n_free == 1))[row] & free
        positive, negative = count(free & (coefficient > 0)), count(free & (coefficient < 0))
        sign = np.where(negative == 0, 1.0, -1.0)
        least = count(np.where(free, np.abs(coefficient) * lower[column], 0.0))
        one_signed = active & equality & (n_free > 1) & ((positive == 0) | (negative == 0))
        if (one_signed & (sign * rest < least - TOLERANCE)).any():
            raise ValueError("the published figures contradict each other")
        forcing = (one_signed & (np.abs(sign * rest - least) <= TOLERANCE))[row] & free

        newly = column[single]
        value[newly] = rest[row[single]] / coefficient[single]
        value[column[forcing]] = lower[column[forcing]]
        newly = np.concatenate([newly, column[forcing]])
        if (value[newly] < lower[newly] - TOLERANCE).any():
            raise ValueError("the published figures contradict each other")
        if not len(newly):
            return fixed, value, active
        fixed[newly] = True


def _unknown_part(rows: _Rows, active: np.ndarray, fixed: np.ndarray, value: np.ndarray) -> _Rows:
    """The active rows over their unknowns only, with the known part moved to the bounds."""
    rows = rows.take(np.flatnonzero(active))
    row_of = rows.row_of_entry()
    known_part = np.where(fixed[rows.index], rows.value * value[rows.index], 0.0)
    known = np.bincount(row_of, weights=known_part, minlength=len(rows))
    keep = ~fixed[rows.index]
    start = np.concatenate([[0], np.cumsum(np.bincount(row_of[keep], minlength=len(rows)))])
    return _Rows(start, rows.index[keep], rows.value[keep], rows.lower - known, rows.upper - known)


def _components(rows: _Rows) -> tuple[np.ndarray, np.ndarray]:
    """The unknowns appearing in rows (sorted), and a label per unknown naming its connected component.

    Hooking roots to the smallest root in each row, then pointer jumping:
    a few passes over the entries, whatever the graph's diameter.
    """
    columns = np.unique(rows.index)
    if not len(columns):
        return columns, columns
    entry_column = np.searchsorted(columns, rows.index)
    row_of = rows.row_of_entry()
    parent = np.arange(len(columns))
    while True:
        root = parent[entry_column]
        smallest = np.full(len(rows), len(columns))
        np.minimum.at(smallest, row_of, root)
        hooked = parent.copy()
        np.minimum.at(hooked, root, smallest[row_of])
        while True:
            jumped = hooked[hooked]
            if np.array_equal(jumped, hooked):
                break
            hooked = jumped
        if np.array_equal(hooked, parent):
            return columns, parent
        parent = hooked


def _chunks(problem, rows, columns, component, lower, region, by_region, targets, target_component) -> list[_Chunk]:
    """Group the components holding targets into HiGHS models of a useful size; drop the rest.
    `by_region`: the network is large enough for witnesses by region, wherever a model spans two regions."""
    wanted = np.unique(target_component[target_component >= 0])
    if not len(wanted):
        return []
    sizes = np.bincount(component, minlength=len(columns))[wanted]
    chunk_of_label = np.full(len(columns), -1)
    chunk, filled = 0, 0
    for label, size in zip(wanted, sizes):
        if filled and filled + size > tuning.CHUNK_COLUMNS:
            chunk, filled = chunk + 1, 0
        chunk_of_label[label] = chunk
        filled += size
    column_chunk = chunk_of_label[component]
    row_chunk = column_chunk[np.searchsorted(columns, rows.index[rows.start[:-1]])]
    target_chunk = np.where(target_component >= 0, chunk_of_label[target_component], -1)
    chunks = []
    for c in range(chunk + 1):
        mine = columns[column_chunk == c]
        lp_rows = rows.take(np.flatnonzero(row_chunk == c))
        lp_rows.index = np.searchsorted(mine, lp_rows.index)
        report_rows = np.flatnonzero(target_chunk == c)
        lp_region = region[column_chunk == c]
        windows = by_region and len(np.unique(lp_region[lp_region >= 0])) > 1
        lp = _Lp(
            lp_rows,
            lower[mine],
            np.searchsorted(mine, targets[report_rows]),
            lp_region,
            windows,
            problem.own[report_rows],
        )
        chunks.append(_Chunk(lp, problem, report_rows, mine))
    return chunks


# --- Solving -----------------------------------------------------------------


def _no_solver_threads() -> bool:
    """Stop HiGHS's worker threads, which forked workers must not inherit; False if HiGHS refuses (a solver of this
    process still holds them), and the work is then done here, one chunk after another."""
    gc.collect()  # a solver no longer referenced may still hold the threads until collected
    try:
        highspy.Highs.resetGlobalScheduler(True)
    except RuntimeError:
        return False
    return True


def _solve(chunks: list[_Chunk], threshold: int, exact: str, say) -> list[tuple[np.ndarray, ...]]:
    """Each chunk's (lower, upper, exact) per target, on worker processes when there is enough to do."""
    started = time.perf_counter()
    work = [(chunk.lp, threshold, exact) for chunk in chunks]
    parallel = sum(len(chunk.lp.targets) for chunk in chunks) >= tuning.PARALLEL_TARGETS and len(chunks) > 1
    if parallel and "fork" in multiprocessing.get_all_start_methods() and _no_solver_threads():
        with workers.pool(tuning.workers(), mp_context=multiprocessing.get_context("fork")) as pool:
            biggest_first = sorted(range(len(work)), key=lambda i: -len(work[i][0].col_lower))
            futures = {i: pool.submit(_attack, *work[i]) for i in biggest_first}
            results = [futures[i].result() for i in range(len(work))]
    else:
        results = [_attack(*task) for task in work]
    solves = sum(result[5] for result in results)
    cells = sum(len(chunk.lp.targets) for chunk in chunks)
    say(f"{solves:,} LPs solved for {cells:,} cells in {time.perf_counter() - started:.1f} s")
    return [result[:5] for result in results]


def _attack(lp: _Lp, threshold: int, exact: str) -> tuple[np.ndarray, ...]:
    """Each target's least and greatest value seen, whether both are exact, a proven lower bound, the solutions
    found (one row each), and the LPs solved.

    `exact`: whose own min and max are solved: "all" the targets', "narrow" those witnesses leave narrow,
    "none"."""
    attack = _Attack(lp, threshold)
    attack.run(exact)
    least = np.where(attack.low_exact, attack.low, np.maximum(attack.floor, lp.col_lower[lp.targets]))
    found = np.array(attack.found) if attack.found else np.zeros((0, len(lp.col_lower)))
    return attack.low, attack.high, attack.low_exact & attack.high_exact, least, found, attack.solves


class _Attack:
    """The min and max of every target of one model, proving as many as possible by witnesses.

    `low` is the least value seen in any solution (so the minimum is at most
    that), `high` the greatest. `floor` and `ceiling` are bounds the equations
    imply one at a time: the minimum is at least `floor`, the maximum at most
    `ceiling`. Where a witness meets them, that is the optimum, with no LP of its own.
    """

    def __init__(self, lp: _Lp, threshold: int, implied: tuple[np.ndarray, np.ndarray] | None = None):
        """`implied`: the floor and ceiling of each target, when the model is a window of a larger one."""
        self.threshold = threshold
        self.lp = lp
        self.targets = lp.targets
        self.own = np.zeros(len(lp.targets)) if lp.own is None else lp.own
        self.window = implied is not None
        if implied is None:
            floor, ceiling = _implied_bounds(lp.rows, lp.col_lower)
            implied = floor[lp.targets], ceiling[lp.targets]
        self.floor, self.ceiling = implied
        self.highs = quiet_highs()
        for option, setting in _SOLVER_OPTIONS.items():
            self.highs.setOptionValue(option, setting)
        model = highspy.HighsLp()
        model.num_col_, model.num_row_ = len(lp.col_lower), len(lp.rows)
        model.col_cost_ = np.zeros(model.num_col_)
        model.col_lower_ = lp.col_lower
        model.col_upper_ = np.full(model.num_col_, highspy.kHighsInf)
        model.row_lower_ = lp.rows.lower
        model.row_upper_ = np.where(np.isinf(lp.rows.upper), highspy.kHighsInf, lp.rows.upper)
        model.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        model.a_matrix_.num_col_, model.a_matrix_.num_row_ = model.num_col_, model.num_row_
        model.a_matrix_.start_ = lp.rows.start.astype(np.int32)
        model.a_matrix_.index_ = lp.rows.index.astype(np.int32)
        model.a_matrix_.value_ = lp.rows.value
        self.highs.passModel(model)
        self.cost = np.zeros(model.num_col_)
        n = len(lp.targets)
        self.low, self.high = np.full(n, np.inf), np.full(n, -np.inf)
        self.low_exact, self.high_exact = np.zeros(n, bool), np.zeros(n, bool)
        self.solves = 0
        self.points, self.point_sum = 0, np.zeros(model.num_col_)
        self.found: list[np.ndarray] = []
        """Every solution: points consistent with everything the attacker knows."""

    def run(self, exact: str) -> None:
        exact_for_all = exact == "all"
        everything = np.arange(len(self.targets))
        # Costs >= 0 with every unknown at its lower bound are dual feasible: the dual simplex
        # needs no phase 1, and presolve pays for itself once, before there is a basis to reuse.
        self.highs.setOptionValue("simplex_strategy", 1)
        self.highs.setOptionValue("presolve", "on")
        self._optimise(everything, np.ones(len(everything)))
        self.highs.setOptionValue("simplex_strategy", _SOLVER_OPTIONS["simplex_strategy"])
        self.highs.setOptionValue("presolve", _SOLVER_OPTIONS["presolve"])
        self._optimise(everything, -np.ones(len(everything)))
        if not exact_for_all:
            # Windows run their own shared objectives, at a fraction of the whole model's cost.
            if self.lp.by_region:
                self._in_windows()
            else:
                self._shared_objectives()
        if exact == "none":
            return
        for i in everything:
            # The minimum first: a cell whose rest cannot be small needs no maximum.
            if not exact_for_all and self._safe(i):
                continue
            if not self.low_exact[i]:
                self._optimise(np.array([i]), np.array([1.0]))
            if not exact_for_all and self._safe(i):
                continue
            if not self.high_exact[i]:
                self._optimise(np.array([i]), np.array([-1.0]))

    def _shared_objectives(self) -> None:
        """Push all open cells up (and down) together, with random weights so that each round finds new vertices.

        One shared solve costs several single ones: rounds go on while each settles enough of the open cells.
        """
        random = np.random.default_rng(0)
        for _ in range(tuning.SHARED_ROUNDS):
            open_ = self._unproven()
            for direction, settled in ((-1.0, self.high_exact), (1.0, self.low_exact)):
                push = np.flatnonzero(open_ & ~settled)
                if len(push):
                    self._optimise(push, direction * random.uniform(0.5, 1.5, len(push)))
            if open_.sum() - self._unproven().sum() < tuning.SHARED_PAYS:
                return

    def _in_windows(self) -> None:
        """Witnesses from small models, one region (with the network) at a time, the rest held at a feasible point.

        A solution of such a window, with every other unknown at the held values, is
        a solution of the whole model: a witness like any other, at a fraction of the
        cost per solve. The held point is the mean of the solutions so far, feasible since
        the feasible set is convex, and away from its edges. A window's optimum is
        not the whole model's, so only the implied bounds make a witness exact;
        cells still unproven after the windows get the whole model's min and max.
        """
        centre = self.point_sum / self.points  # the first solve, a minimum over a non-empty set, always has one
        region, rows = self.lp.region, self.lp.rows
        row_of = rows.row_of_entry()
        for name in np.unique(region[region >= 0]):
            inside = (region == name) | (region < 0)
            mine = np.flatnonzero(self._unproven() & inside[self.targets])
            if not len(mine):
                continue
            columns = np.flatnonzero(inside)
            touched = np.bincount(row_of, weights=inside[rows.index], minlength=len(rows)) > 0
            window_rows = _unknown_part(rows, touched, ~inside, centre)
            window_rows.index = np.searchsorted(columns, window_rows.index)
            window = _Lp(
                window_rows,
                self.lp.col_lower[columns],
                np.searchsorted(columns, self.targets[mine]),
                region[columns],
                own=self.own[mine],
            )
            local = _Attack(window, self.threshold, (self.floor[mine], self.ceiling[mine]))
            local.run("narrow")
            self.solves += local.solves
            for point in local.found:
                whole = centre.copy()
                whole[columns] = point
                self.found.append(whole)
            self.low[mine] = np.minimum(self.low[mine], local.low)
            self.high[mine] = np.maximum(self.high[mine], local.high)
            self.low_exact[mine] |= local.low_exact
            self.high_exact[mine] |= local.high_exact

    def _unproven(self) -> np.ndarray:
        return _too_narrow(self.low, self.high, self.threshold) & ~(self.low_exact & self.high_exact) & ~self._large()

    def _safe(self, i: int) -> bool:
        return not _too_narrow(self.low[i], self.high[i], self.threshold) or bool(self._large()[i])

    def _large(self) -> np.ndarray:
        """Cells whose rest (beyond what the attacker owns) is proven at least K: they cannot be small."""
        least = np.where(self.low_exact, self.low, self.floor)
        return least - self.own >= self.threshold - TOLERANCE

    def _optimise(self, which: np.ndarray, weights: np.ndarray) -> None:
        """Minimise sum(weights * target[which]); learn from the solution, or from the ray when unbounded."""
        cost = np.zeros(len(self.cost))
        cost[self.targets[which]] = weights
        changed = np.flatnonzero(cost != self.cost).astype(np.int32)
        self.highs.changeColsCost(len(changed), changed, cost[changed])
        self.cost = cost
        self.highs.run()
        self.solves += 1
        status = self.highs.getModelStatus()
        alone = len(which) == 1
        if status == highspy.HighsModelStatus.kOptimal:
            point = np.asarray(self.highs.getSolution().col_value)
            self.found.append(point)
            self.points += 1
            self.point_sum += point
            x = point[self.targets]
            self.low = np.minimum(self.low, x)
            self.high = np.maximum(self.high, x)
            if alone and not self.window:
                (self.high_exact if weights[0] < 0 else self.low_exact)[which] = True
            self.low_exact |= self.low <= self.floor + TOLERANCE
            self.high_exact |= self.high >= self.ceiling - TOLERANCE
        elif status == highspy.HighsModelStatus.kUnbounded:
            _, has_ray, ray = self.highs.getPrimalRay()
            growing = np.asarray(ray)[self.targets] > TOLERANCE if has_ray else np.zeros(len(self.targets), bool)
            if alone:  # a ray of a window is a ray of the whole model
                growing[which] = True
            self.high[growing] = np.inf
            self.high_exact |= growing
        else:
            raise ValueError(f"the published figures admit no solution ({self.highs.modelStatusToString(status)})")


def _implied_bounds(rows: _Rows, col_lower: np.ndarray, passes: int = 30) -> tuple[np.ndarray, np.ndarray]:
    """Bounds on each unknown implied by each row and the other unknowns' bounds, repeated until they settle.

    Valid for every feasible point, so the LP minimum is at least `lower` and the
    maximum at most `upper`: where a witness reaches them, no LP is needed.
    """
    lower, upper = col_lower.astype(float), np.full(len(col_lower), np.inf)
    row, column, a = rows.row_of_entry(), rows.index, rows.value
    total = lambda weights: np.bincount(row, weights=weights, minlength=len(rows))  # noqa: E731
    for _ in range(passes):
        least = np.where(a > 0, a * lower[column], a * upper[column])
        most = np.where(a > 0, a * upper[column], a * lower[column])
        others_least = _sum_of_others(least, total, row, -np.inf)
        others_most = _sum_of_others(most, total, row, np.inf)
        # a * x lies in [row lower - others' most, row upper - others' least]
        low_ax, high_ax = rows.lower[row] - others_most, rows.upper[row] - others_least
        new_lower, new_upper = lower.copy(), upper.copy()
        np.maximum.at(new_lower, column, np.where(a > 0, low_ax, high_ax) / a)
        np.minimum.at(new_upper, column, np.where(a > 0, high_ax, low_ax) / a)
        settled = (new_lower <= lower + TOLERANCE).all() and (new_upper >= upper - TOLERANCE).all()
        lower, upper = new_lower, new_upper
        if settled:
            break
    return lower, upper


def _sum_of_others(contribution: np.ndarray, total, row: np.ndarray, infinity: float) -> np.ndarray:
    """Per entry, the sum of the other entries of its row; infinite contributions are all `infinity`."""
    infinite = np.isinf(contribution)
    finite = np.where(infinite, 0.0, contribution)
    others_infinite = total(infinite)[row] - infinite
    return np.where(others_infinite > 0, infinity, total(finite)[row] - finite)


_SOLVER_OPTIONS = {
    # The model is already reduced, and after the first solve every run starts from the last basis.
    "presolve": "off",
    # A new objective leaves the basis primal feasible: primal simplex continues from it.
    "simplex_strategy": 4,
}
"""No "threads": HiGHS fixes its thread pool at the first solve in a process, and a
later instance asking for another size fails every run (model status "Not Set")."""
