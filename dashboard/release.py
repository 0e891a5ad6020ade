"""One published release: what the warehouse file holds, in memory."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .hierarchy import CELL_KEY


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
