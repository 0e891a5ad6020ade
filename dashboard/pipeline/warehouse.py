"""The warehouse on disk: atomic releases, read-only opening, and the private staging store.

Layout, next to the warehouse path `W` (by default in the data folder):

    W                      a symbolic link to the current release file
    W.releases/0007.duckdb published, suppressed figures only, with the range the published
                           figures imply for each suppressed one: what the app reads
    W.staging/0007.duckdb  unsuppressed finest-grain aggregates behind release 7,
                           kept to build the next release; the app never opens it
    W.own/0007/HUB.duckdb  hub HUB's own figures behind release 7, unsuppressed, shaped
                           like a release: the app opens it only for users scoped to HUB

A release is written to a new file and made current by replacing the link in one
rename, so a crash at any moment leaves the previous release current and intact,
and a running app sees the new release on its next query without a restart
(it opens files by their release name, never a replaced file at the same path).
"""

from __future__ import annotations

import fcntl
import os
import re
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb
import pandas as pd

from .. import paths
from ..hierarchy import CELL_KEY, TOPICS
from ..protection.release import Release

KEEP_RELEASES = 3
"""Older release files are deleted; a reader still holding one open keeps reading it."""

_RELEASE_FILE = re.compile(r"^(\d{4,})\.duckdb$")
_TEMPORARY_FILE = re.compile(r"^\.\d{4,}\.duckdb\.(\d+)\.tmp(\.wal)?$")
"""A release or staging file being written, by the process with that id (see _write_atomically)."""
_OWN_FOLDER = re.compile(r"^(\d{4,})$")
_TEMPORARY_FOLDER = re.compile(r"^\.\d{4,}\.(\d+)\.tmp$")
"""A release's folder of hubs' own figures being written, by the process with that id (see _write_own)."""


class Busy(Exception):
    """Another process is publishing to this warehouse."""


@contextmanager
def exclusive(path: Path) -> Iterator[None]:
    """Hold the warehouse's lock (a file beside it) until the block ends, or raise Busy at once.

    Two ingests at once would both build on the same release, and the later one
    would replace the other's release and staging, silently dropping its extract.
    The operating system releases the lock when the holder ends, even when killed.
    """
    descriptor = os.open(path.with_name(path.name + ".lock"), os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Busy(f"another ingest is publishing to {path}: run this one again when it has finished") from None
        yield
    finally:
        os.close(descriptor)


def remove_leftovers(path: Path) -> None:
    """Delete the temporary files of writers that were killed while writing a release (held under `exclusive`)."""
    link = re.compile(rf"^\.{re.escape(path.name)}\.(\d+)\.link$")
    folders = (
        (path.parent, link),
        (releases_dir(path), _TEMPORARY_FILE),
        (staging_dir(path), _TEMPORARY_FILE),
        (own_dir(path), _TEMPORARY_FOLDER),
    )
    for folder, pattern in folders:
        if not folder.is_dir():
            continue
        for file in folder.iterdir():
            match = pattern.match(file.name)
            if match and not _running(int(match.group(1))):
                shutil.rmtree(file) if file.is_dir() else file.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # running, as another user
        pass
    return True


def releases_dir(path: Path) -> Path:
    return path.with_name(path.name + ".releases")


def staging_dir(path: Path) -> Path:
    return path.with_name(path.name + ".staging")


def own_dir(path: Path) -> Path:
    return path.with_name(path.name + ".own")


def own_file(release_file: Path, hub: str) -> Path:
    """Where hub `hub`'s own figures behind the release file W.releases/0007.duckdb are: W.own/0007/hub.duckdb
    (the file may not exist)."""
    releases = release_file.parent
    return releases.with_name(releases.name.removesuffix(".releases") + ".own") / release_file.stem / f"{hub}.duckdb"


def current_file(path: Path) -> Path:
    """The release file the warehouse path points to now."""
    return Path(os.path.realpath(path))


def connect_readonly(path: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(current_file(path)), read_only=True)


def read_release(path: Path) -> Release:
    with connect_readonly(path) as con:
        info = con.execute("SELECT number, threshold FROM release").fetchone()
        cells = con.execute(f"SELECT {', '.join(CELL_KEY)}, value, suppressed FROM cells").df()
        hubs = con.execute("SELECT hub, name, region FROM hubs ORDER BY hub").df()
        blocks = con.execute("SELECT topic, month, hub, revision FROM blocks").df()
    for col in CELL_KEY:
        cells[col] = cells[col].astype("string")
    cells["value"] = cells["value"].astype("Int64")
    cells["suppressed"] = cells["suppressed"].astype(bool)
    return Release(cells=cells, hubs=hubs, blocks=blocks, threshold=int(info[1]), number=int(info[0]))


class Staged:
    """The finest-grain data behind a release: the merge of every extract so far.

    Shaped like an Extract (hubs, months, tables) so the cube reads either, plus
    each block's revision and a digest of its rows to tell which blocks changed.
    """

    def __init__(self, hubs: pd.DataFrame, months: list[str], tables: dict[str, pd.DataFrame], blocks: pd.DataFrame):
        self.hubs, self.months, self.tables, self.blocks = hubs, months, tables, blocks


def read_staging(path: Path, number: int) -> Staged | None:
    file = staging_dir(path) / f"{number:04d}.duckdb"
    if not file.exists():
        return None
    with duckdb.connect(str(file), read_only=True) as con:
        hubs = con.execute("SELECT hub, name, region FROM hubs ORDER BY hub").df()
        months = [m for (m,) in con.execute("SELECT month FROM months ORDER BY month").fetchall()]
        tables = {name: con.execute(f"SELECT * FROM {name}").df() for name in TOPICS}
        blocks = con.execute("SELECT topic, month, hub, revision, digest FROM blocks").df()
    return Staged(hubs, months, tables, blocks)


def write_release(
    path: Path,
    release: Release,
    ranges: pd.DataFrame,
    staged: Staged,
    own: pd.DataFrame,
    first_month: str,
    last_month: str,
) -> None:
    """Write the release, staging and hubs' own files, then make them current with one atomic rename.

    `ranges` holds the range the published figures imply for each suppressed cell (ranges.implied_ranges);
    `own` the true value of every cell and unpublished margin at hub level (CELL_KEY, value).
    """
    name = f"{release.number:04d}.duckdb"
    published = releases_dir(path) / name
    private = staging_dir(path) / name
    _write_atomically(published, lambda con: _fill_release(con, release, ranges, first_month, last_month))
    _write_atomically(private, lambda con: _fill_staging(con, staged))
    _write_own(own_dir(path) / f"{release.number:04d}", release, own, first_month, last_month)
    link = path.with_name(f".{path.name}.{os.getpid()}.link")
    link.unlink(missing_ok=True)
    link.symlink_to(os.path.relpath(published, path.parent))
    os.replace(link, path)
    _fsync_dir(path.parent)
    for folder in (releases_dir(path), staging_dir(path)):
        _prune(folder, keep=release.number - KEEP_RELEASES)
    _prune_own(own_dir(path), keep=release.number - KEEP_RELEASES)


def _write_own(final: Path, release: Release, own: pd.DataFrame, first_month: str, last_month: str) -> None:
    """One file per hub, shaped like a release file whose every cell is that hub's and none is suppressed.

    Written into a temporary folder renamed into place, so the folder of a release is complete or absent.
    """
    paths.private(final.parent)
    temp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    shutil.rmtree(temp, ignore_errors=True)
    temp.mkdir(mode=0o700)
    nothing_hidden = pd.DataFrame(columns=[*CELL_KEY, "lower", "upper"])
    try:
        for hub in release.hubs["hub"]:
            cells = own[(own["geo_level"] == "hub") & (own["geo"] == hub)].assign(suppressed=False)
            hubs = release.hubs[release.hubs["hub"] == hub]
            mine = Release(
                cells=cells,
                hubs=hubs,
                blocks=release.blocks.iloc[0:0],
                threshold=release.threshold,
                number=release.number,
            )
            _write_atomically(
                temp / f"{hub}.duckdb",
                lambda con, mine=mine: _fill_release(con, mine, nothing_hidden, first_month, last_month),
            )
        shutil.rmtree(final, ignore_errors=True)
        os.replace(temp, final)
        _fsync_dir(final.parent)
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _write_atomically(final: Path, fill) -> None:
    paths.private(final.parent)
    temp = final.with_name(f".{final.name}.{os.getpid()}.tmp")
    temp.unlink(missing_ok=True)
    try:
        with duckdb.connect(str(temp)) as con:
            fill(con)
            con.execute("CHECKPOINT")
        with open(temp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temp, final)
        _fsync_dir(final.parent)
    finally:
        temp.unlink(missing_ok=True)
        Path(str(temp) + ".wal").unlink(missing_ok=True)


def _fill_release(con, release: Release, ranges: pd.DataFrame, first_month: str, last_month: str) -> None:
    key = ", ".join(CELL_KEY)
    columns = ", ".join(f"{c} VARCHAR NOT NULL" for c in CELL_KEY)
    con.execute(f"CREATE TABLE cells ({columns}, value BIGINT, suppressed BOOLEAN NOT NULL)")
    con.register("frame", release.cells)
    con.execute(
        f"INSERT INTO cells SELECT {key}, value, suppressed FROM frame "
        "ORDER BY topic, measure, period_level, geo_level, period, geo"
    )
    con.execute(f"CREATE TABLE ranges ({columns}, lower BIGINT NOT NULL, upper BIGINT, PRIMARY KEY ({key}))")
    con.register("frame", ranges)
    con.execute(f"INSERT INTO ranges SELECT {key}, lower, upper FROM frame")
    con.execute("CREATE TABLE hubs (hub VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, region VARCHAR NOT NULL)")
    con.register("frame", release.hubs)
    con.execute("INSERT INTO hubs SELECT hub, name, region FROM frame")
    con.execute(
        "CREATE TABLE blocks (topic VARCHAR, month VARCHAR, hub VARCHAR, revision INTEGER, "
        "PRIMARY KEY (topic, month, hub))"
    )
    con.register("frame", release.blocks)
    con.execute("INSERT INTO blocks SELECT topic, month, hub, revision FROM frame")
    con.unregister("frame")
    con.execute(
        "CREATE TABLE release (number INTEGER, threshold INTEGER, first_month VARCHAR, last_month VARCHAR, "
        "published_on DATE DEFAULT current_date)"
    )
    con.execute(
        "INSERT INTO release (number, threshold, first_month, last_month) VALUES (?, ?, ?, ?)",
        [release.number, release.threshold, first_month, last_month],
    )


def _fill_staging(con, staged: Staged) -> None:
    extra = {"hubs": staged.hubs, "months": pd.DataFrame({"month": staged.months}), "blocks": staged.blocks}
    for name, frame in {**staged.tables, **extra}.items():
        con.register("frame", frame)
        con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
        con.unregister("frame")


def _prune(folder: Path, keep: int) -> None:
    for file in folder.iterdir():
        match = _RELEASE_FILE.match(file.name)
        if match and int(match.group(1)) <= keep:
            file.unlink(missing_ok=True)


def _prune_own(folder: Path, keep: int) -> None:
    for release in folder.iterdir():
        match = _OWN_FOLDER.match(release.name)
        if match and int(match.group(1)) <= keep:
            shutil.rmtree(release, ignore_errors=True)


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
