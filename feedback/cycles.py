"""Improvement cycles (plan, do, study, act) and the public "you said, we did" board.

A cycle takes up one or more themes, is measured against one of the
dashboard's published metrics, and when closed says what was done. The
figures come from the query layer through a `metric_series(spec)` callable
returning one row per period (period, value, suppressed), so this module
never reads the warehouse and a suppressed figure is never used.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd

from dashboard.hierarchy import ALL, GEO_LEVELS, NETWORK, OUTCOME_MEASURES, SERVICE_LINES, level_of, months_of
from dashboard.read import metrics

from .i18n import t
from .review import ReviewError, require_themes
from .store import Connection, Store

GROUP_FILTERS = ("service_line", "language", "outcome")
MEASURE_FILTERS = {
    "geo_level": GEO_LEVELS,
    "geo": None,
    "service_line": (*SERVICE_LINES, ALL),
    "language": None,
    "outcome": (*OUTCOME_MEASURES, ALL),
}
"""The filters a measure may set, with their allowed values (None: any non-empty text)."""

MetricSeries = Callable[[dict], pd.DataFrame]


class CycleError(ReviewError):
    """A cycle action refused; the message says why."""


def check_measure(spec: dict) -> dict:
    """The spec if it is a measure a cycle can use: {"metric": one of metrics.METRICS, plus any of MEASURE_FILTERS}."""
    filters = dict(spec)
    metric = filters.pop("metric", None)
    if metric not in metrics.METRICS:
        raise CycleError(f"unknown metric {metric!r}; choose one of {', '.join(metrics.METRICS)}")
    for name, value in filters.items():
        if name not in MEASURE_FILTERS:
            raise CycleError(f"a measure cannot filter on {name!r}")
        allowed = MEASURE_FILTERS[name]
        if not isinstance(value, str) or not value or (allowed is not None and value not in allowed):
            raise CycleError(f"{value!r} is not a {name} a measure can use")
    if (filters.get("geo_level", NETWORK) == NETWORK) != (filters.get("geo", NETWORK) == NETWORK):
        raise CycleError("a measure names its geography with both geo_level and geo, or neither for the network")
    shape = metrics.METRICS[metric]
    narrowed = [name for name in GROUP_FILTERS if filters.get(name, ALL) != ALL]
    if any(name not in shape.groups for name in narrowed) or len(narrowed) > 1:
        raise CycleError(
            f"{metric} can be narrowed to one group by {' or '.join(shape.groups)}, not by {', '.join(narrowed)}"
        )
    if not narrowed and not shape.has_total:
        raise CycleError(f"{metric} is published only by {shape.groups[0]}: choose one")
    return dict(spec)


def open_cycle(
    store: Store,
    *,
    title: str,
    owner: str,
    theme_ids: list[str],
    start: date,
    target: date,
    measure: dict,
    plan: str = "",
) -> str:
    """Open a cycle on some themes; their reviewed feedback moves to in_cycle."""
    if not title.strip() or not owner.strip():
        raise CycleError("a cycle needs a title and an owner")
    if not theme_ids:
        raise CycleError("a cycle takes up at least one theme")
    if target < start:
        raise CycleError("the target date comes before the start")
    spec = check_measure(measure)
    cycle_id = str(uuid.uuid4())
    with store.transaction() as con:
        require_themes(con, theme_ids)
        con.execute(
            "INSERT INTO cycles (id, title, owner, start_date, target_date, measure, plan_notes) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [cycle_id, title.strip(), owner.strip(), start, target, json.dumps(spec, sort_keys=True), plan],
        )
        for theme_id in theme_ids:
            con.execute("INSERT INTO cycle_themes VALUES (?, ?) ON CONFLICT DO NOTHING", [cycle_id, theme_id])
        con.execute(
            f"UPDATE feedback SET status = 'in_cycle' WHERE status = 'reviewed' AND id IN ({_FEEDBACK_OF_CYCLE})",
            [cycle_id],
        )
    return cycle_id


def record_notes(
    store: Store,
    cycle_id: str,
    *,
    plan: str | None = None,
    do: str | None = None,
    study: str | None = None,
    act: str | None = None,
) -> None:
    """Replace the notes given of an open cycle; those not given stay as they are."""
    steps = {"plan": plan, "do": do, "study": study, "act": act}
    given = {f"{step}_notes": text for step, text in steps.items() if text is not None}
    with store.transaction() as con:
        if _status_of(con, cycle_id) != "open":
            raise CycleError("a closed cycle's notes are its record; open a new cycle to continue")
        for column, text in given.items():
            con.execute(f"UPDATE cycles SET {column} = ? WHERE id = ?", [text, cycle_id])


def close_cycle(store: Store, cycle_id: str, *, outcome: str, act: str | None = None) -> None:
    """Close a cycle with its outcome; its feedback becomes addressed, unless another open cycle still has it."""
    if not outcome.strip():
        raise CycleError("closing a cycle needs its outcome")
    with store.transaction() as con:
        if _status_of(con, cycle_id) != "open":
            raise CycleError("this cycle is already closed")
        con.execute(
            "UPDATE cycles SET status = 'closed', outcome = ?, act_notes = coalesce(?, act_notes) WHERE id = ?",
            [outcome, act, cycle_id],
        )
        con.execute(
            f"""
            UPDATE feedback SET status = 'addressed'
            WHERE status = 'in_cycle'
              AND id IN ({_FEEDBACK_OF_CYCLE})
              AND id NOT IN (
                  SELECT ft.feedback_id FROM feedback_themes ft
                  JOIN cycle_themes ct ON ct.theme_id = ft.theme_id
                  JOIN cycles c ON c.id = ct.cycle_id
                  WHERE c.status = 'open')
            """,
            [cycle_id],
        )


def cycles(store: Store, status: str | None = None) -> pd.DataFrame:
    """Every cycle (or those open or closed), with its measure spec as a dict and its themes' names."""
    frame = store.query(
        f"SELECT * FROM cycles {'WHERE status = ?' if status else ''} ORDER BY start_date, id",
        [status] if status else [],
    )
    names = store.query(
        "SELECT ct.cycle_id, th.name FROM cycle_themes ct JOIN themes th ON th.id = ct.theme_id ORDER BY th.name, th.id"
    )
    names_of = names.groupby("cycle_id")["name"].agg(list)
    frame["themes"] = [names_of.get(cycle_id, []) for cycle_id in frame["id"]]
    frame["measure"] = frame["measure"].map(json.loads)
    for column in ("start_date", "target_date"):
        frame[column] = pd.to_datetime(frame[column]).dt.date
    return frame


@dataclass(frozen=True)
class MeasureChange:
    """A cycle's metric: the last published value at or before its start, and the latest since."""

    metric: str
    baseline_period: str | None
    baseline: float | None
    latest_period: str | None
    latest: float | None

    @property
    def change(self) -> int | None:
        """Points for a share, as metrics.change states every change; None without figures on both sides."""
        if self.baseline is None or self.latest is None:
            return None
        return metrics.change(self.latest, self.baseline, metrics.METRICS[self.metric].percent)


def measure_change(spec: dict, start: date, metric_series: MetricSeries) -> MeasureChange:
    """Suppressed periods are skipped: the change is read from published figures only."""
    series = metric_series(spec)
    published = series[~series["suppressed"].astype(bool) & series["value"].notna()]
    points = sorted((_first_month(str(p)), str(p), float(v)) for p, v in zip(published["period"], published["value"]))
    start_month = f"{start.year:04d}-{start.month:02d}"
    before = [(period, value) for first, period, value in points if first <= start_month]
    after = [(period, value) for first, period, value in points if first > start_month]
    baseline_period, baseline = before[-1] if before else (None, None)
    latest_period, latest = after[-1] if after else (None, None)
    return MeasureChange(spec["metric"], baseline_period, baseline, latest_period, latest)


@dataclass(frozen=True)
class Action:
    """One cycle on a theme, as the public sees it: no owner, no feedback, no notes but `act`."""

    title: str
    done: bool
    act: str
    outcome: str | None
    measure: dict
    change: MeasureChange | None
    """None when the reader may not see the measure's figures (below region level for the public)."""

    def change_sentence(self, lang: str) -> str:
        """What changed in the measure, in the reader's words."""
        if self.change is None:
            return t(lang, "board.staff_only")
        change = self.change
        if change.baseline is None or change.latest is None:
            return t(lang, "board.no_figures")
        percent = metrics.METRICS[change.metric].percent
        return t(
            lang,
            "board.change",
            metric=t(lang, f"metric.{change.metric}"),
            baseline=metrics.shown_value(change.baseline, percent),
            baseline_period=change.baseline_period,
            latest=metrics.shown_value(change.latest, percent),
            latest_period=change.latest_period,
        )

    def board_change(self, lang: str) -> str:
        """What the public board says this action changed, naming its measure only where the reader may see the
        figures: a measure below region level is a hub's, and no public page names a hub."""
        sentence = self.change_sentence(lang)
        return sentence if self.change is None else f"{sentence} ({metrics.describe(self.measure)})"


@dataclass(frozen=True)
class BoardEntry:
    theme: str
    count: int | None
    """None when from 1 to threshold - 1: then only `count_label` ("fewer than K") is shown."""
    count_label: str
    actions: tuple[Action, ...]


def public_board(store: Store, threshold: int, metric_series: MetricSeries, lang: str = "en") -> list[BoardEntry]:
    """The "you said, we did" board: each theme raised, how often, and the cycles that took it up.

    Nothing a person wrote appears here, and small counts are shown as
    "fewer than K", as the dashboard shows small figures. `metric_series`
    answers for the reader, and refuses (PermissionError) a figure they may
    not see: that action then shows no change.
    """
    raised = store.query(
        """
        SELECT t.id, t.name, count(*) AS n
        FROM themes t JOIN feedback_themes ft ON ft.theme_id = t.id
        GROUP BY t.id, t.name
        ORDER BY lower(t.name), t.id
        """
    )
    taken_up = store.query(
        """
        SELECT ct.theme_id, c.id, c.title, c.status, c.act_notes, c.outcome, c.measure, c.start_date
        FROM cycles c JOIN cycle_themes ct ON ct.cycle_id = c.id
        ORDER BY c.start_date, c.id
        """
    )
    actions_of_cycle = {
        cycle.id: _action(cycle, metric_series) for cycle in taken_up.drop_duplicates("id").itertuples()
    }
    board = []
    for theme in raised.itertuples():
        actions = tuple(actions_of_cycle[c] for c in taken_up.loc[taken_up["theme_id"] == theme.id, "id"])
        count = int(theme.n)
        if count < threshold:
            board.append(BoardEntry(theme.name, None, t(lang, "board.fewer_than", k=threshold), actions))
        else:
            board.append(BoardEntry(theme.name, count, str(count), actions))
    return board


def _action(cycle, metric_series: MetricSeries) -> Action:
    spec = json.loads(cycle.measure)
    try:
        change = measure_change(spec, cycle.start_date, metric_series)
    except PermissionError:
        change = None
    done = cycle.status == "closed"
    return Action(cycle.title, done, cycle.act_notes if done else "", cycle.outcome, spec, change)


_FEEDBACK_OF_CYCLE = """
    SELECT ft.feedback_id FROM feedback_themes ft
    JOIN cycle_themes ct ON ct.theme_id = ft.theme_id
    WHERE ct.cycle_id = ?
"""


def _status_of(con: Connection, cycle_id: str) -> str:
    row = con.execute("SELECT status FROM cycles WHERE id = ?", [cycle_id]).fetchone()
    if row is None:
        raise CycleError(f"there is no cycle {cycle_id}")
    return row[0]


def _first_month(period: str) -> str:
    """The month a published period starts in: months, quarters ('2024-Q2') and years compare by it."""
    return months_of(level_of(period), period)[0]
