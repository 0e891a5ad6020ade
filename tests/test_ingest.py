"""`hubdash ingest`: all or nothing, idempotent, and a newer extract replaces what it covers."""

from __future__ import annotations

import functools
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.hierarchy import ALL
from dashboard.pipeline import warehouse
from dashboard.pipeline.ingest import DEFAULT_THRESHOLD as K
from seed.generate import write_seed

BEHIND_OTHER_TESTS = ("nice", "-n", "10")
"""Ingests started here (and their worker pools) yield the CPU to the other test worker, whose browser tests wait
at most a minute for a page. `nice` execs the command, so the process keeps its pid and command line."""


@pytest.fixture(scope="module")
def small_extract(tmp_path_factory) -> Path:
    """Three hubs, one per region, over three months: every rule these tests check already applies, and an
    ingest costs a seventh of a year's (about 13 s of CPU instead of 95 s)."""
    folder = tmp_path_factory.mktemp("extract") / "small"
    write_seed(folder, hubs=3, months=3, seed=7)
    return folder


def digest(folder: Path) -> dict[str, str]:
    """Every file under the folder, by content: what 'left exactly as it was' means."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    } | {str(p.relative_to(folder)): os.readlink(p) for p in folder.rglob("*") if p.is_symlink()}


def cell(path: Path, **key) -> pd.Series:
    where = " AND ".join(f"{k} = ?" for k in key)
    with warehouse.connect_readonly(path) as con:
        return con.execute(f"SELECT value, suppressed FROM cells WHERE {where}", list(key.values())).df().iloc[0]


def test_ingest_publishes_a_release_in_the_data_folder(home, small_extract, capsys):
    assert main(["ingest", str(small_extract)]) == 0
    assert "published release 1" in capsys.readouterr().out
    release = warehouse.read_release(home / "warehouse.duckdb")
    assert release.number == 1 and release.threshold == K
    published = release.cells[~release.cells["suppressed"]]
    people = published[published["topic"] != "funding"]
    assert not ((people["value"] >= 1) & (people["value"] < K)).any(), "a count from 1 to K-1 was published"


def test_the_same_extract_twice_changes_nothing(home, small_extract, capsys):
    assert main(["ingest", str(small_extract)]) == 0
    before = digest(home)
    assert main(["ingest", str(small_extract)]) == 0
    assert "nothing changed" in capsys.readouterr().out
    assert digest(home) == before


def test_a_refused_extract_leaves_the_warehouse_byte_for_byte(home, small_extract, tmp_path, capsys):
    assert main(["ingest", str(small_extract)]) == 0
    broken = tmp_path / "broken"
    shutil.copytree(small_extract, broken)
    with open(broken / "referrals.csv", "a", encoding="utf-8") as f:
        f.write("2024-13,nowhere,medical,en,1,2,0,0,0\n")
    before = digest(home)
    assert main(["ingest", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "referrals.csv" in err and "nothing was loaded" in err
    assert digest(home) == before


def test_a_newer_extract_replaces_the_months_and_hubs_it_covers(home, small_extract, tmp_path):
    assert main(["ingest", str(small_extract)]) == 0
    path = home / "warehouse.duckdb"
    hub = pd.read_csv(small_extract / "hubs.csv")["hub"].iloc[0]
    month = "2024-03"

    def referred_in_2024(number: int) -> int:
        """The true count, from the staging store: the network's yearly total may be hidden."""
        return int(warehouse.read_staging(path, number).tables["referrals"].query("month < '2025'")["referred"].sum())

    year_before = referred_in_2024(1)

    correction = tmp_path / "correction"
    correction.mkdir()
    hubs = pd.read_csv(small_extract / "hubs.csv")
    hubs[hubs["hub"] == hub].to_csv(correction / "hubs.csv", index=False)
    referrals = pd.read_csv(small_extract / "referrals.csv")
    mine = referrals[(referrals["hub"] == hub) & (referrals["month"] == month)].copy()
    mine.loc[mine.index[0], ["referred", "accepted", "first_appointment", "completed", "waited_over_30_days"]] += [
        40,
        0,
        0,
        0,
        0,
    ]
    mine.to_csv(correction / "referrals.csv", index=False)

    assert main(["ingest", str(correction)]) == 0
    release = warehouse.read_release(path)
    assert release.number == 2
    # The correction holds only referrals for that hub and month: its other files are absent,
    # so that hub's other figures for that month are now zero; every other block is untouched.
    changed = release.blocks[release.blocks["revision"] == 2]
    assert set(changed["month"]) == {month} and set(changed["hub"]) == {hub}
    assert referred_in_2024(2) == year_before + 40
    hub_month = cell(
        path,
        topic="referrals",
        measure="referred",
        period_level="month",
        period=month,
        geo_level="hub",
        geo=hub,
        service_line=ALL,
        language=ALL,
    )
    expected = int(mine["referred"].sum())
    own = cell(
        warehouse.own_file(warehouse.current_file(path), hub),
        topic="referrals",
        measure="referred",
        period_level="month",
        period=month,
        geo_level="hub",
        geo=hub,
        service_line=ALL,
        language=ALL,
    )
    assert int(own["value"]) == expected, "the release is built from the corrected figures"
    assert hub_month["suppressed"] or int(hub_month["value"]) == expected, "and publishes them where it may"


def _ingest_process(folder: Path, home: Path) -> subprocess.Popen:
    """`hubdash ingest` in a process of its own; its progress lines (each step it begins) come on stderr."""
    env = {**os.environ, "HUBDASH_HOME": str(home)}
    return subprocess.Popen(
        [*BEHIND_OTHER_TESTS, sys.executable, "-m", "dashboard.cli", "ingest", str(folder)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _running_with(marker: str) -> list[int]:
    """Processes whose command line names `marker`."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            if marker in cmdline.read_bytes().decode(errors="replace"):
                found.append(int(cmdline.parent.name))
        except OSError:  # the process ended while we looked
            continue
    return found


def _gone(marker: str, seconds: float = 10) -> bool:
    deadline = time.monotonic() + seconds
    while _running_with(marker) and time.monotonic() < deadline:
        time.sleep(0.2)
    return not _running_with(marker)


STEPS = ("reading", "building", "protecting", "hidden after", "working out the range", "writing release")
"""The steps an ingest says it begins, in order: reading the extract, building the cube, starting the worker
processes that protect it, a first part protected (the workers are busy), the implied ranges, writing."""


def _rehearse(folder: Path, home: Path) -> list[tuple[str, float]]:
    """Run the load the test will kill to its end, on a copy of the data folder: how long each step took."""
    copy = home.with_name(home.name + "-rehearsal")
    shutil.copytree(home, copy, symlinks=True)
    process = _ingest_process(folder, copy)
    started, begun = time.monotonic(), {}
    for line in process.stderr:
        line = line.replace(str(folder), "FOLDER")  # a step's words in the folder's path are no step
        step = next((step for step in STEPS if step in line), None)
        if step is not None:
            begun.setdefault(step, time.monotonic() - started)
    assert process.wait() == 0
    assert list(begun) == list(STEPS), f"the ingest no longer says each step it begins: {list(begun)}"
    ends = [*list(begun.values())[1:], time.monotonic() - started]
    return [(step, end - begun[step]) for step, end in zip(begun, ends)]


def _kill_during(folder: Path, home: Path, step: str, after: float) -> None:
    """Start the load, and kill it `after` seconds into `step` (or once it has ended, if it ends first)."""
    process = _ingest_process(folder, home)
    for line in process.stderr:
        if step in line.replace(str(folder), "FOLDER"):
            break
    time.sleep(after)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()


def _kill_once(folder: Path, home: Path, there: Path) -> None:
    """Start the load, and kill it as soon as the file `there` is (or once the load has ended)."""
    process = _ingest_process(folder, home)
    while process.poll() is None and not there.parent.exists():
        time.sleep(0.001)
    while process.poll() is None and not any(name.startswith(there.name) for name in os.listdir(there.parent)):
        time.sleep(0.001)
    process.send_signal(signal.SIGKILL)
    process.wait()
    process.stderr.close()


def test_a_load_killed_at_any_moment_leaves_a_readable_release(home, tmp_path):
    """Kill the second ingest in each of its steps, and at each file it writes: the first release stays current
    and whole, and the worker processes it started end with it. The moments come from what the ingest reports
    and writes, not from a share of its measured time, so they fall where meant whatever the extract's size
    or the machine's load: halfway through each step, then as each file of release 2 is begun and is done.
    Both releases hold one month (the second replaces the first's): the test runs that load a dozen times."""
    first_extract, second = tmp_path / "first", tmp_path / "second"
    write_seed(first_extract, hubs=3, months=1, seed=7)
    write_seed(second, hubs=3, months=1, seed=8)
    assert main(["ingest", str(first_extract)]) == 0
    path = home / "warehouse.duckdb"
    first = warehouse.read_release(path)
    written = [
        warehouse.releases_dir(path) / ".0002.duckdb.",  # the release being written,
        warehouse.releases_dir(path) / "0002.duckdb",  # and done: not yet current
        warehouse.staging_dir(path) / ".0002.duckdb.",
        warehouse.staging_dir(path) / "0002.duckdb",
        warehouse.own_dir(path) / ".0002.",  # each hub's own figures, in a folder renamed into place
        warehouse.own_dir(path) / "0002",
    ]
    kills = [
        functools.partial(_kill_during, second, home, step, took / 2)
        for step, took in _rehearse(second, home)
        if step != "writing release"
    ] + [functools.partial(_kill_once, second, home, file) for file in written]

    for kill in kills:
        kill()
        assert _gone(str(second)), f"the killed ingest left processes running: {_running_with(str(second))}"
        current = warehouse.read_release(path)
        assert current.number in (1, 2)
        if current.number == 2:
            break
        pd.testing.assert_frame_equal(current.cells, first.cells)
    with duckdb.connect(str(warehouse.current_file(path)), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM cells").fetchone()[0] > 0
    assert main(["ingest", str(second)]) == 0
    assert warehouse.read_release(path).number == 2


def _cli(*args: str, home: Path, **options) -> subprocess.Popen:
    env = {**os.environ, "HUBDASH_HOME": str(home)}
    return subprocess.Popen(
        [*BEHIND_OTHER_TESTS, sys.executable, "-m", "dashboard.cli", *args],
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **options,
    )


def test_a_second_ingest_while_one_runs_is_refused_and_never_reports_success(home, small_extract, tmp_path):
    """Two real processes: the first is paused once it has started reading, the second runs meanwhile."""
    other = tmp_path / "other"
    write_seed(other, hubs=3, months=3, seed=8)
    first = _cli("ingest", str(small_extract), home=home)
    assert "reading" in first.stderr.readline()
    first.send_signal(signal.SIGSTOP)
    try:
        second = _cli("ingest", str(other), home=home)
        out, err = second.communicate()
    finally:
        first.send_signal(signal.SIGCONT)
    first_out, _ = first.communicate()

    assert second.returncode == 4, (out, err)
    assert "another ingest is publishing" in err and "nothing was loaded" in err and "published" not in out
    assert first.returncode == 0 and "published release 1" in first_out
    release = warehouse.read_release(home / "warehouse.duckdb")
    assert release.number == 1
    assert release.hubs["name"].tolist() == pd.read_csv(small_extract / "hubs.csv").sort_values("hub")["name"].tolist()
    assert main(["ingest", str(other)]) == 0, "the lock outlived the first ingest"


def test_an_ingest_removes_what_a_killed_writer_left(home, small_extract):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    left = [home / f".warehouse.duckdb.{pid}.link"]
    for folder in ("warehouse.duckdb.releases", "warehouse.duckdb.staging"):
        (home / folder).mkdir()
        left += [home / folder / f".0001.duckdb.{pid}.tmp", home / folder / f".0001.duckdb.{pid}.tmp.wal"]
    for file in left:
        file.write_bytes(b"half a release")

    assert main(["ingest", str(small_extract)]) == 0

    assert [file for file in left if os.path.lexists(file)] == []
    assert warehouse.read_release(home / "warehouse.duckdb").number == 1


def test_the_data_folder_and_its_files_are_private_to_their_owner(tmp_path, small_extract, monkeypatch):
    home = tmp_path / "new" / "hubdash"
    monkeypatch.setenv("HUBDASH_HOME", str(home))
    umask = os.umask(0o022)  # the usual default, which makes files world-readable
    try:
        assert main(["ingest", str(small_extract)]) == 0
    finally:
        os.umask(umask)

    modes = {str(p.relative_to(home)): oct(p.stat().st_mode & 0o777) for p in home.rglob("*") if not p.is_symlink()}
    assert oct(home.stat().st_mode & 0o777) == oct(0o700)
    assert modes == {
        "warehouse.duckdb.releases": oct(0o700),
        "warehouse.duckdb.releases/0001.duckdb": oct(0o600),
        "warehouse.duckdb.staging": oct(0o700),
        "warehouse.duckdb.staging/0001.duckdb": oct(0o600),
        "warehouse.duckdb.lock": oct(0o600),
        "warehouse.duckdb.own": oct(0o700),
        "warehouse.duckdb.own/0001": oct(0o700),
        **{
            f"warehouse.duckdb.own/0001/{hub}.duckdb": oct(0o600)
            for hub in pd.read_csv(small_extract / "hubs.csv")["hub"]
        },
    }
