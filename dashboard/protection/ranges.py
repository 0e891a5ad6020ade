"""The range every hidden figure already has: what the published figures imply about it.

Anyone holding the release can work out, for each suppressed cell, the smallest and largest value consistent
with every published figure (the outsider of dashboard/protection/audit.py). Showing that range gives nothing away that
the release does not already give, and tells a reader what a hidden figure can and cannot be. It is computed
from the published release alone, never from true values, and rounded outward to whole numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..hierarchy import CELL_KEY
from .audit import intervals
from .release import Release
from .tuning import TOLERANCE


def implied_ranges(release: Release) -> pd.DataFrame:
    """CELL_KEY, lower, upper for every suppressed cell; upper is missing where nothing published bounds it."""
    report = intervals(release, exact_for_all=True)
    lower = np.floor(report["lower"].to_numpy(float) + TOLERANCE)
    upper = np.ceil(report["upper"].to_numpy(float) - TOLERANCE)
    ranges = report[list(CELL_KEY)].copy()
    ranges["lower"] = pd.array(lower, dtype="Int64")
    ranges["upper"] = pd.array(np.where(np.isfinite(upper), upper, np.nan), dtype="Int64")
    return ranges
