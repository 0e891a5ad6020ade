"""What the app reads from the warehouse, and for whom.

Every figure a page shows comes through `figures()`: it runs a question from
queries/ on the current release, read-only, cached per release and parameters,
and only for geographies the viewer may see. The warehouse path is resolved on
every call, so a new release shows up on the next rerun without a restart, and a
page that started on the old release finishes on it (the old file stays open).

A user scoped to some hubs sees those hubs from their own files (warehouse.own_file):
their own figures, unsuppressed, which only they may see. Those questions are never
cached: Streamlit's caches are shared by every session.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pandas as pd
import streamlit as st

import queries

from .. import paths
from ..hierarchy import GEO_LEVELS, NETWORK
from ..identity.auth import Viewer
from ..pipeline import warehouse

PUBLIC_GEO_LEVELS = GEO_LEVELS[1:]
"""Funders and the public never see below region level."""


@st.cache_resource(max_entries=4)
def _connection(release_file: str) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(release_file, read_only=True)


def release_file() -> str:
    return str(warehouse.current_file(paths.warehouse()))


@st.cache_data(max_entries=512, show_spinner=False)
def _run(release: str, name: str, params: tuple) -> pd.DataFrame:
    cursor = _connection(release).cursor()
    try:
        _ranges_of_an_older_release(cursor)
        queries.install_macros(cursor)
        return queries.run(cursor, name, **{k: list(v) if isinstance(v, tuple) else v for k, v in params})
    finally:
        cursor.close()


def _ranges_of_an_older_release(cursor: duckdb.DuckDBPyConnection) -> None:
    """A release published before hidden figures' ranges were stored has none (an unchanged extract does not
    republish it): an empty ranges table for this cursor, so its hidden figures read 'suppressed' until the next
    release."""
    if not cursor.execute("SELECT 1 FROM information_schema.tables WHERE table_name = 'ranges'").fetchone():
        cursor.execute(
            "CREATE TEMP TABLE ranges AS SELECT * EXCLUDE (value, suppressed), NULL::BIGINT AS lower, "
            "NULL::BIGINT AS upper FROM cells LIMIT 0"
        )


def run(name: str, **params) -> pd.DataFrame:
    """A question that is not about a geography (periods, the release, the hub list)."""
    return _run(release_file(), name, _frozen(params))


def figures(name: str, viewer: Viewer, *, geo_level: str, geos: list[str], **params) -> pd.DataFrame:
    """A question about geographies, refused for any geography the viewer may not see.

    A hub-scoped viewer's own hubs are answered from their own figures (see own_figures).
    """
    refused = sorted(set(geos) - set(allowed_geos(viewer, geo_level)))
    if refused:
        raise PermissionError(f"not allowed to see {geo_level} {', '.join(refused)}")
    params = {**params, "geo_level": geo_level, "geos": list(geos)}
    release = release_file()
    if own_figures(viewer, geo_level, geos):
        return _run_own([warehouse.own_file(Path(release), hub) for hub in geos], name, params)
    return _run(release, name, _frozen(params))


def own_figures(viewer: Viewer, geo_level: str, geos: list[str]) -> bool:
    """Whether figures() answers from the viewer's own hubs' figures: only for a user scoped to hubs, about
    their own hubs alone, and only where the current release has those files."""
    if (
        not viewer.signed_in
        or viewer.hubs is None
        or geo_level != "hub"
        or not geos
        or not set(geos) <= set(viewer.hubs)
    ):
        return False
    release = Path(release_file())
    return all(warehouse.own_file(release, hub).exists() for hub in geos)


def _run_own(files: list[Path], name: str, params: dict) -> pd.DataFrame:
    """A question on hubs' own files, read together as if they were one release; uncached."""
    with duckdb.connect() as con:
        for number, file in enumerate(files):
            con.execute(f"ATTACH '{str(file).replace(chr(39), chr(39) * 2)}' AS own{number} (READ_ONLY)")
        for table in ("cells", "ranges", "hubs", "release"):
            union = " UNION ALL ".join(f"SELECT * FROM own{number}.{table}" for number in range(len(files)))
            con.execute(
                f"CREATE TEMP VIEW {table} AS SELECT DISTINCT * FROM ({union})"
            )  # one release row, not one per file
        queries.install_macros(con)
        return queries.run(con, name, **params)


def allowed_geo_levels(viewer: Viewer) -> tuple[str, ...]:
    if not viewer.signed_in:
        return PUBLIC_GEO_LEVELS
    if viewer.hubs is not None:
        return tuple(level for level in GEO_LEVELS if level != "region")
    return GEO_LEVELS


def allowed_geos(viewer: Viewer, geo_level: str) -> list[str]:
    """Public: regions and the network. Hub-scoped: their hubs and the network. Others: all."""
    if geo_level not in allowed_geo_levels(viewer):
        return []
    if geo_level == "network":
        return [NETWORK]
    hubs = run("hubs")
    if geo_level == "region":
        return sorted(hubs["region"].unique())
    return [h for h in hubs["hub"] if viewer.hubs is None or h in viewer.hubs]


def ready() -> bool:
    return Path(paths.warehouse()).exists()


def hub_ids() -> list[str]:
    """Every hub in the current release; none before the first release."""
    return run("hubs")["hub"].tolist() if ready() else []


def _frozen(params: dict) -> tuple:
    return tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in params.items()))
