"""How the suppressor (disclosure.py) and the attacker (audit.py) divide their work, in one place.

Each setting trades time against something, for the reasons given; the README's Benchmark section has the
measured figures. Those marked "changes what is hidden" give another, equally safe, release when changed; the
others change only the time taken.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

TOLERANCE = 1e-6
"""Slack allowed for floating point in LP solutions of whole counts."""

REGION_BY_REGION_ABOVE_HUBS = 12
"""Above this many hubs (in two regions or more), LPs span one region and the network at a time instead of a whole
part: a whole part's LPs grow faster than the network. Changes what is hidden (some more complementary cells)."""

BATCH = 100
"""At most this many hidden cells far apart move together in one of the suppressor's LPs: fewer LPs, each still
small. Changes what is hidden."""

HIDDEN_MOVE_COST = 1e-3
"""Moving a hidden cell by one costs the suppressor's LPs this share of what moving it costs when published: far
less than hiding another cell, but enough that witnesses leave hidden totals alone where they can, and those
totals can be published again. Changes what is hidden."""

CHUNK_COLUMNS = 1000
"""The audit's small components share one HiGHS model up to this many unknowns: a model per tiny component
would cost more to set up than to solve."""

PARALLEL_TARGETS = 2000
"""Below this many cells left for the audit's LPs, starting worker processes costs more than it saves."""

SHARED_ROUNDS = 12
"""At most this many rounds of the audit's shared objectives before it solves cells one by one."""

SHARED_PAYS = 12
"""A round of shared objectives (two solves) must settle this many open cells to be worth another: each settled
cell saves one or two solves of its own, and a shared solve costs several."""


def region_by_region(hubs: pd.DataFrame) -> bool:
    """Whether the suppressor's LPs and the audit's first witnesses go one region (and the network) at a time."""
    return len(hubs) > REGION_BY_REGION_ABOVE_HUBS and hubs["region"].nunique() > 1


def workers() -> int:
    """Worker processes for independent work: one per core this process may run on, at least one."""
    if hasattr(os, "process_cpu_count"):  # Python 3.13 and later
        cores = os.process_cpu_count()
    elif hasattr(os, "sched_getaffinity"):
        cores = len(os.sched_getaffinity(0))
    else:
        cores = os.cpu_count()
    return max(1, cores or 1)
