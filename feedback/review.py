"""Reviewing feedback: the queue, themes, statuses and reviewer notes.

Advisory members read what came in, group it into themes the group curates,
and move each feedback along its life:

    new → reviewed → in_cycle → addressed → closed

Assigning a theme is reviewing, so it moves a new feedback to reviewed.
Opening and closing improvement cycles (cycles.py) move feedback into and out
of in_cycle. Closed is final: after the retention period its text is erased.
"""

from __future__ import annotations

import uuid

import pandas as pd

from dashboard.csvsafe import to_csv_bytes

from .store import Connection, Store

STATUSES = ("new", "reviewed", "in_cycle", "addressed", "closed")

TRANSITIONS = {
    "new": ("reviewed",),
    "reviewed": ("new", "in_cycle", "closed"),
    "in_cycle": ("reviewed", "addressed"),
    "addressed": ("in_cycle", "closed"),
    "closed": (),
}
"""Where a feedback may go from each status. Back steps undo a mistake;
`addressed → in_cycle` is a new cycle taking a theme up again."""


class ReviewError(ValueError):
    """A review action refused; the message says why, for the reviewer."""


def queue(
    store: Store,
    *,
    status: str | None = None,
    theme: str | None = None,
    about: str | None = None,
    language: str | None = None,
    week: str | None = None,
) -> pd.DataFrame:
    """The feedback matching every filter given, by week then random id, with its themes' names.

    `about` is one column for a service line, a hub slug or "general", so it
    filters by service line and by hub alike. `theme` is a theme id.
    """
    conditions, params = [], []
    for column, value in (("status", status), ("about", about), ("language", language), ("week", week)):
        if value is not None:
            conditions.append(f"f.{column} = ?")
            params.append(value)
    if theme is not None:
        conditions.append("f.id IN (SELECT feedback_id FROM feedback_themes WHERE theme_id = ?)")
        params.append(theme)
    return store.query(
        f"""
        SELECT f.id, f.week, f.language, f.about, f.respondent, f.feeling, f.status, f.text,
               coalesce(string_agg(t.name, '; ' ORDER BY t.name), '') AS themes
        FROM feedback f
        LEFT JOIN feedback_themes ft ON ft.feedback_id = f.id
        LEFT JOIN themes t ON t.id = ft.theme_id
        WHERE {" AND ".join(conditions) or "true"}
        GROUP BY f.id, f.week, f.language, f.about, f.respondent, f.feeling, f.status, f.text
        ORDER BY f.week, f.id
        """,
        params,
    )


def weeks(store: Store) -> list[str]:
    """The weeks that have feedback, newest first: the choices of the queue's week filter."""
    return store.query("SELECT DISTINCT week FROM feedback ORDER BY week DESC")["week"].tolist()


def export_queue_csv(store: Store, **filters: str | None) -> bytes:
    """The queue as CSV that a spreadsheet opens as text, never as formulas."""
    return to_csv_bytes(queue(store, **filters))


def set_status(store: Store, feedback_id: str, status: str) -> None:
    with store.transaction() as con:
        current = _status_of(con, feedback_id)
        if status not in TRANSITIONS[current]:
            allowed = ", ".join(TRANSITIONS[current]) or "nothing: it is final"
            raise ReviewError(f"feedback that is {current} cannot become {status}; it can become {allowed}")
        closed_week = store.week() if status == "closed" else None
        con.execute("UPDATE feedback SET status = ?, closed_week = ? WHERE id = ?", [status, closed_week, feedback_id])


def themes(store: Store) -> pd.DataFrame:
    """Every theme: id, name and how many feedbacks carry it, by name."""
    return store.query(
        """
        SELECT t.id, t.name, count(ft.feedback_id) AS feedback
        FROM themes t LEFT JOIN feedback_themes ft ON ft.theme_id = t.id
        GROUP BY t.id, t.name
        ORDER BY lower(t.name), t.id
        """
    )


def add_theme(store: Store, name: str) -> str:
    name = name.strip()
    if not name:
        raise ReviewError("a theme needs a name")
    with store.transaction() as con:
        if con.execute("SELECT 1 FROM themes WHERE lower(name) = lower(?)", [name]).fetchone():
            raise ReviewError(f"there is already a theme called {name!r}")
        theme_id = str(uuid.uuid4())
        con.execute("INSERT INTO themes VALUES (?, ?)", [theme_id, name])
    return theme_id


def merge_themes(store: Store, source: str, into: str) -> None:
    """Fold theme `source` into theme `into`: every feedback and cycle that had it now has `into`."""
    if source == into:
        raise ReviewError("a theme cannot be merged into itself")
    with store.transaction() as con:
        require_themes(con, [source, into])
        for table, owner in (("feedback_themes", "feedback_id"), ("cycle_themes", "cycle_id")):
            con.execute(
                f"INSERT INTO {table} SELECT {owner}, ? FROM {table} WHERE theme_id = ? ON CONFLICT DO NOTHING",
                [into, source],
            )
            con.execute(f"DELETE FROM {table} WHERE theme_id = ?", [source])
        con.execute("DELETE FROM themes WHERE id = ?", [source])


def themes_of(store: Store, feedback_id: str) -> list[str]:
    """The ids of a feedback's themes."""
    return store.query("SELECT theme_id FROM feedback_themes WHERE feedback_id = ? ORDER BY theme_id", [feedback_id])[
        "theme_id"
    ].tolist()


def set_themes(store: Store, feedback_id: str, theme_ids: list[str]) -> None:
    """Give a feedback exactly these themes; a new feedback given any becomes reviewed."""
    with store.transaction() as con:
        _status_of(con, feedback_id)
        require_themes(con, theme_ids)
        for theme_id in theme_ids:
            con.execute("INSERT INTO feedback_themes VALUES (?, ?) ON CONFLICT DO NOTHING", [feedback_id, theme_id])
        if theme_ids:
            con.execute("UPDATE feedback SET status = 'reviewed' WHERE id = ? AND status = 'new'", [feedback_id])
        con.execute(
            "DELETE FROM feedback_themes WHERE feedback_id = ? AND NOT theme_id = ANY(?)",
            [feedback_id, list(theme_ids)],
        )


def add_note(store: Store, feedback_id: str, note: str) -> None:
    """A reviewer's note on a feedback, kept apart from what the person wrote."""
    if not note.strip():
        raise ReviewError("a note needs some text")
    with store.transaction() as con:
        _status_of(con, feedback_id)
        con.execute(
            """
            INSERT INTO reviewer_notes
            SELECT ?, coalesce(max(n), 0) + 1, ?, ? FROM reviewer_notes WHERE feedback_id = ?
            """,
            [feedback_id, store.week(), note, feedback_id],
        )


def notes(store: Store, feedback_id: str) -> pd.DataFrame:
    """The notes on one feedback, oldest first: n, week, note."""
    return store.query("SELECT n, week, note FROM reviewer_notes WHERE feedback_id = ? ORDER BY n", [feedback_id])


def _status_of(con: Connection, feedback_id: str) -> str:
    row = con.execute("SELECT status FROM feedback WHERE id = ?", [feedback_id]).fetchone()
    if row is None:
        raise ReviewError(f"there is no feedback {feedback_id}")
    return row[0]


def require_themes(con: Connection, theme_ids: list[str]) -> None:
    """Refuse ids that name no theme (shared with cycles.py, inside its transactions)."""
    rows = con.execute("SELECT id FROM themes WHERE id = ANY(?)", [list(theme_ids)]).fetchall()
    known = {row[0] for row in rows}
    missing = set(theme_ids) - known
    if missing:
        raise ReviewError(f"there is no theme {', '.join(sorted(missing))}")
