"""One published release: what the warehouse file holds, in memory."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from ..hierarchy import CELL_KEY, GEO_LEVELS, PERIOD_LEVELS, with_rollup_columns


@dataclass
class Release:
    """The published figures of one release.

    cells: one row per published cell: the CELL_KEY columns, `value` (nullable
        Int64, missing exactly where `suppressed`), and `suppressed` (bool).
    hubs: hub, name, region.
    blocks: topic, month, hub, revision: the release in which the extract data
        behind that topic, month and hub last changed. Two releases whose blocks
        under a cell have the same revisions published that cell from the same data.
    threshold: K; counts from 1 to K-1 are never published.
    number: this release's sequence number (1 for the first).
    """

    cells: pd.DataFrame
    hubs: pd.DataFrame
    blocks: pd.DataFrame
    threshold: int
    number: int = 1

    @staticmethod
    def empty_cells() -> pd.DataFrame:
        frame = pd.DataFrame({c: pd.Series(dtype="string") for c in CELL_KEY})
        frame["value"] = pd.Series(dtype="Int64")
        frame["suppressed"] = pd.Series(dtype="bool")
        return frame


def unchanged_data(previous: Release, blocks: pd.DataFrame) -> pd.Series:
    """For each cell of `previous`: is every block of extract data under it unchanged now?

    Such a cell still tells the truth about today's data, so whoever kept the old
    release knows it: the suppressor must keep its status and the audit must count
    it as known. A block missing on either side counts as changed.
    """
    old = previous.blocks[["topic", "month", "hub", "revision"]]
    now = blocks[["topic", "month", "hub", "revision"]]
    both = old.merge(now, on=["topic", "month", "hub"], how="left", suffixes=("_old", "_now"))
    both["changed"] = both["revision_old"] != both["revision_now"]
    both["changed"] = both["changed"].fillna(True).astype(bool)
    both = with_rollup_columns(both, previous.hubs)
    changed = []
    for period_level in PERIOD_LEVELS:
        for geo_level in GEO_LEVELS:
            flags = both.groupby(["topic", period_level, geo_level], observed=True)["changed"].max().reset_index()
            flags.columns = ["topic", "period", "geo", "changed"]
            flags["period_level"], flags["geo_level"] = period_level, geo_level
            changed.append(flags)
    flags = pd.concat(changed, ignore_index=True)
    keys = ["topic", "period_level", "period", "geo_level", "geo"]
    cells = previous.cells[keys].astype(str).merge(flags.astype({"changed": bool}), on=keys, how="left")
    return (~cells["changed"].fillna(True).astype(bool)).set_axis(previous.cells.index)
