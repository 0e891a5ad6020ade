"""`hubdash ingest`: extract in, new release out, all or nothing.

The extract replaces the months and hubs it covers in the staged data; the cube
is rebuilt from the whole staged data and protected against the previous
release; the new release becomes current in one rename. Loading the same extract
twice writes nothing the second time. One ingest at a time: a second one while
another runs is refused (warehouse.Busy).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import paths
from ..hierarchy import OTHER_LANGUAGES, TOPICS, shown_languages
from ..protection.disclosure import protect
from ..protection.ranges import implied_ranges
from ..protection.release import Release
from . import warehouse
from .cube import build_cube, choose_shown_languages, true_figures, unpublished_margins
from .extract import Extract, read_extract

DEFAULT_THRESHOLD = 11


@dataclass
class Outcome:
    number: int
    """The current release after the ingest."""
    changed: bool
    counts: dict[str, int]


def ingest(
    folder: Path,
    path: Path,
    threshold: int | None = None,
    progress: Callable[[str], None] | None = None,
    order_rules: bool = True,
) -> Outcome:
    """Validate, protect and publish the extract in `folder` as the next release of the warehouse at `path`.

    `order_rules=False` protects measure by measure only, as releases were before issue 12: for comparisons
    and tests that show what the order rules add, never for a release anyone reads."""
    say = progress or (lambda _msg: None)
    paths.private(path.parent)
    with warehouse.exclusive(path):
        warehouse.remove_leftovers(path)
        return _publish(folder, path, threshold, say, order_rules)


def _publish(folder: Path, path: Path, threshold: int | None, say: Callable[[str], None], order_rules: bool) -> Outcome:
    say(f"reading {folder}")
    extract = read_extract(folder)
    previous = warehouse.read_release(path) if path.exists() else None
    staged_before = warehouse.read_staging(path, previous.number) if previous else None
    threshold = threshold or (previous.threshold if previous else DEFAULT_THRESHOLD)
    number = previous.number + 1 if previous else 1

    staged = _merge(staged_before, extract, number)
    if previous and staged_before is not None and _same(staged, staged_before) and threshold == previous.threshold:
        say(f"nothing changed: release {previous.number} already holds this extract")
        return Outcome(number=previous.number, changed=False, counts={})
    if previous and threshold != previous.threshold:
        say(
            f"warning: threshold changes from {previous.threshold} to {threshold}; figures already published "
            "stay published, since whoever kept the earlier release knows them"
        )

    say(f"building the published views for {len(staged.months)} months and {len(staged.hubs)} hubs")
    shown = choose_shown_languages(staged, shown_languages(previous.cells) if previous else {})
    cube = build_cube(staged, shown)
    say(f"{len(cube):,} cells; protecting with threshold {threshold}")
    blocks = staged.blocks[["topic", "month", "hub", "revision"]]
    protected = protect(
        cube,
        unpublished_margins(staged, shown),
        staged.hubs,
        blocks,
        threshold,
        previous=previous,
        progress=say,
        order_rules=order_rules,
    )
    release = Release(cells=protected.cells, hubs=staged.hubs, blocks=blocks, threshold=threshold, number=number)
    say("working out the range the published figures imply for each hidden one")
    ranges = implied_ranges(release, order_rules=order_rules)
    say(f"writing release {number}, and each hub's own figures")
    own = true_figures(staged, shown)
    own = own[(own["geo_level"] == "hub") & (own["language"] != OTHER_LANGUAGES)]  # their own hub, language by language
    warehouse.write_release(path, release, ranges, staged, own, staged.months[0], staged.months[-1])
    return Outcome(number=number, changed=True, counts=protected.counts)


def _merge(before: warehouse.Staged | None, extract: Extract, number: int) -> warehouse.Staged:
    """The staged data with the extract's months and hubs replaced by the extract."""
    months = sorted(set(extract.months) | set(before.months if before else ()))
    hubs = extract.hubs
    tables = {}
    if before is not None:
        hubs = pd.concat([before.hubs[~before.hubs["hub"].isin(extract.hubs["hub"])], extract.hubs])
        for name, new in extract.tables.items():
            old = before.tables[name]
            replaced = old["month"].isin(extract.months) & old["hub"].isin(extract.hubs["hub"])
            tables[name] = pd.concat([old[~replaced], new], ignore_index=True)
    else:
        tables = dict(extract.tables)
    tables = {name: _sorted(name, frame) for name, frame in tables.items()}
    hubs = hubs.sort_values("hub").reset_index(drop=True)
    blocks = _blocks(tables, months, hubs["hub"].tolist())
    if before is not None:
        old = before.blocks[["topic", "month", "hub", "digest", "revision"]]
        known = blocks.merge(old, on=["topic", "month", "hub"], how="left", suffixes=("", "_old"))
        same = known["digest"] == known["digest_old"]
        blocks["revision"] = np.where(same, known["revision"].fillna(number), number).astype("int64")
    else:
        blocks["revision"] = number
    return warehouse.Staged(hubs=hubs, months=months, tables=tables, blocks=blocks)


def _sorted(name: str, frame: pd.DataFrame) -> pd.DataFrame:
    """One canonical form (order and types), so that equal data has equal digests."""
    topic = TOPICS[name]
    key = ["month", "hub", *topic.grain]
    canonical = frame[[*key, *topic.measures]].astype(
        {**{c: object for c in key}, **{m: "int64" for m in topic.measures}}
    )
    return canonical.sort_values(key).reset_index(drop=True)


def _blocks(tables: dict[str, pd.DataFrame], months: list[str], hubs: list[str]) -> pd.DataFrame:
    """One row per topic, month and hub, with a digest of the rows in it (0 for none)."""
    grid = pd.MultiIndex.from_product([list(TOPICS), months, hubs], names=["topic", "month", "hub"])
    digests = []
    for name, frame in tables.items():
        if frame.empty:
            continue
        hashes = pd.util.hash_pandas_object(frame, index=False).to_numpy()
        summed = (
            pd.DataFrame({"month": frame["month"], "hub": frame["hub"], "h": hashes})
            .groupby(["month", "hub"])["h"]
            .sum()
        )
        digests.append(summed.rename("digest").reset_index().assign(topic=name))
    found = (
        pd.concat(digests, ignore_index=True) if digests else pd.DataFrame(columns=["topic", "month", "hub", "digest"])
    )
    blocks = grid.to_frame(index=False).merge(found, on=["topic", "month", "hub"], how="left")
    blocks["digest"] = blocks["digest"].fillna(0).astype("uint64")
    return blocks


def _same(staged: warehouse.Staged, before: warehouse.Staged) -> bool:
    key = ["topic", "month", "hub"]
    a = staged.blocks.sort_values(key)[[*key, "digest"]].reset_index(drop=True)
    b = before.blocks.sort_values(key)[[*key, "digest"]].reset_index(drop=True)
    return a.equals(b) and staged.hubs.reset_index(drop=True).equals(before.hubs.reset_index(drop=True))
