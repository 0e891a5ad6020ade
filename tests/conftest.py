"""Shared fixtures. A skipped test fails the run: in CI a skipped test is a test that does not exist."""

from __future__ import annotations

import fcntl
import subprocess
import sys
import uuid
from pathlib import Path

import pytest


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and reporter.stats.get("skipped") and exitstatus == 0:
        session.exitstatus = 1


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh data folder (HUBDASH_HOME) for one test."""
    folder = tmp_path / "home"
    folder.mkdir()
    monkeypatch.setenv("HUBDASH_HOME", str(folder))
    return folder


SEED_RELEASE_SCRIPT = """
import sys
from pathlib import Path
from dashboard.pipeline.ingest import ingest
from seed.generate import write_seed

folder = Path(sys.argv[1])
write_seed(folder / "extract", hubs=4, months=24)
ingest(folder / "extract", folder / "warehouse.duckdb", order_rules=False)
(folder / "published").touch()
"""


def _seed_folder(tmp_path_factory, worker_id) -> Path:
    """The folder the whole run shares for the seed release: every test worker's temporary folder is beside it."""
    shared = tmp_path_factory.getbasetemp()
    return (shared if worker_id == "master" else shared.parent) / "seed-release"


def _begin_seed_release(folder: Path) -> subprocess.Popen | None:
    """Start publishing the seed release in a process of its own, unless a test worker already has. The process
    holds a lock on `publishing` for as long as it lives (taken before it starts, so no one finds it free early)."""
    with open(folder.with_name("seed-release.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if folder.exists():
            return None
        folder.mkdir()
        with open(folder / "publishing", "w") as publishing, open(folder / "ingest.log", "w") as log:
            fcntl.flock(publishing, fcntl.LOCK_EX)
            return subprocess.Popen(
                [sys.executable, "-c", SEED_RELEASE_SCRIPT, str(folder)],
                stdout=log,
                stderr=subprocess.STDOUT,
                pass_fds=[publishing.fileno()],
            )


def pytest_collection_modifyitems(items):
    """Tests that read the seed release run last, so that the others keep the workers busy while it is made.
    Every test worker collects the same items, and this order is the same for all of them."""
    items.sort(key=lambda item: "seed_release" in item.fixturenames)


@pytest.fixture(scope="session", autouse=True)
def seed_release_begun(request, tmp_path_factory, worker_id):
    """If this run has a test that reads the seed release, the first test worker to start begins publishing it
    at once, not when the first such test asks for it. The worker keeps the process to the end of its run, and
    leaves it to end on its own: other workers may still be waiting for it."""
    needed = any("seed_release" in item.fixturenames for item in request.session.items)
    yield _begin_seed_release(_seed_folder(tmp_path_factory, worker_id)) if needed else None


@pytest.fixture(scope="session")
def seed_release(seed_release_begun, tmp_path_factory, worker_id) -> Path:
    """A small seed network (4 hubs, 2 years), published once for the whole run by the real ingest.

    Small so that the suite stays fast, but with regions of two hubs, so that no region's figures are simply
    one hub's; the default seed is what `make run` and the benchmark publish. Every worker waits for the one
    process publishing it and shares it (tests only read it). Protected measure by measure
    (`order_rules=False`): the pages read any release alike, every page test waits for this ingest, and the
    order rules' pass would lengthen it by a quarter on an idle machine and far more under the suite's load;
    tests/test_audit.py and tests/test_disclosure.py test that pass.
    """
    folder = _seed_folder(tmp_path_factory, worker_id)
    with open(folder / "publishing") as publishing:
        fcntl.flock(publishing, fcntl.LOCK_SH)  # free once the publishing process has ended, however it ended
    if not (folder / "published").exists():
        pytest.fail("publishing the seed release failed:\n" + (folder / "ingest.log").read_text()[-3000:])
    return (folder / "warehouse.duckdb").resolve()


@pytest.fixture
def published(home, seed_release) -> Path:
    """A fresh data folder whose current release is the published seed."""
    (home / "warehouse.duckdb").symlink_to(seed_release)
    return home


STORE_KINDS = ("duckdb", "postgresql")


@pytest.fixture(scope="session")
def postgres():
    """This test worker's throwaway PostgreSQL (tests/throwaway_postgres.py). If it cannot start, every test
    that needs it fails."""
    from throwaway_postgres import throwaway_postgres

    with throwaway_postgres(durable=False) as server:
        yield server


@pytest.fixture(params=STORE_KINDS)
def new_location(request, tmp_path):
    """Makes the locations of fresh, empty feedback stores of one kind: DuckDB files, or new schemas in the
    throwaway PostgreSQL. A test that uses it runs once for each kind."""

    def new() -> str:
        if request.param == "duckdb":
            return str(tmp_path / f"feedback-{uuid.uuid4().hex[:8]}.duckdb")
        return request.getfixturevalue("postgres").new_store()

    return new
