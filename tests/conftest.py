"""Shared fixtures. A skipped test fails the run: in CI a skipped test is a test that does not exist."""

from __future__ import annotations

import fcntl
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


@pytest.fixture(scope="session")
def seed_release(tmp_path_factory, worker_id) -> Path:
    """A small seed network (4 hubs, 2 years), published once for the whole run by the real ingest.

    Small so that the suite stays fast, but with regions of two hubs, so that no region's figures are simply
    one hub's; the default seed is what `make run` and the benchmark publish. The first test worker to need it
    publishes it under a lock; the others wait and share it (tests only read it). Protected measure by measure
    (`order_rules=False`): the pages read any release alike, every page test waits for this ingest, and the
    order rules' pass would lengthen it by a quarter on an idle machine and far more under the suite's load;
    tests/test_audit.py and tests/test_disclosure.py test that pass.
    """
    from dashboard.pipeline.ingest import ingest
    from seed.generate import write_seed

    shared = tmp_path_factory.getbasetemp()
    if worker_id != "master":
        shared = shared.parent
    folder = shared / "seed-release"
    with open(shared / "seed-release.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (folder / "published").exists():
            write_seed(folder / "extract", hubs=4, months=24)
            ingest(folder / "extract", folder / "warehouse.duckdb", order_rules=False)
            (folder / "published").touch()
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
