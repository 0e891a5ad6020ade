"""A throwaway PostgreSQL server for the tests and the feedback benchmark: Debian's `postgresql` package,
initdb and pg_ctl in a temporary folder, listening on a free loopback port only, removed when done.

Import it as `from throwaway_postgres import throwaway_postgres`. If it cannot start, it raises: the tests
that need it then fail, never skip.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

SUPERUSER = "postgres"
DATABASE = "hubdash"


def _binaries() -> Path:
    """Debian installs the server's programs under /usr/lib/postgresql/VERSION/bin, off the PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=lambda p: int(Path(p).parts[-3]))
    if not found:
        raise RuntimeError("Debian's postgresql is not installed: run `make setup`, which installs it")
    return Path(found[-1]).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """A running throwaway cluster: `url()` reaches its database; `new_store()` makes an empty place for a store."""

    def __init__(self, folder: Path, port: int):
        self.folder = folder
        self.data = folder / "data"
        self.port = port

    def url(self, schema: str | None = None) -> str:
        url = f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{DATABASE}"
        return f"{url}?options=-csearch_path%3D{schema}" if schema else url

    def new_store(self) -> str:
        """The URL of a fresh, empty schema: a store there sees nothing of any other (a schema is far cheaper
        to make than a database)."""
        import psycopg

        schema = f"store_{uuid.uuid4().hex[:12]}"
        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute(f"CREATE SCHEMA {schema}")
        return self.url(schema)

    def database_files(self) -> bytes:
        """Every byte of the database's own files (tables, indexes, TOAST; not the write-ahead log), after a
        checkpoint wrote them out."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as con:
            con.execute("CHECKPOINT")
            oid = con.execute("SELECT oid FROM pg_database WHERE datname = current_database()").fetchone()[0]
        return b"".join(
            path.read_bytes() for path in sorted((self.data / "base" / str(oid)).iterdir()) if path.is_file()
        )


@contextlib.contextmanager
def throwaway_postgres(durable: bool = True) -> Iterator[Server]:
    """Start a cluster in a new temporary folder (trust sign-in, loopback only, no Unix socket); stop and remove it.

    `durable=False` turns fsync off: quicker for tests, which never crash the server itself.
    """
    binaries = _binaries()
    folder = Path(tempfile.mkdtemp(prefix="hubdash-postgres-"))
    run_as: list[str] = []
    if os.geteuid() == 0:  # initdb refuses root: run the server as Debian's postgres user
        shutil.chown(folder, "postgres", "postgres")
        run_as = ["runuser", "-u", "postgres", "--"]
    server = Server(folder, _free_port())
    log = folder / "server.log"
    try:
        _run(
            [
                *run_as,
                str(binaries / "initdb"),
                "-D",
                str(server.data),
                "-U",
                SUPERUSER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )
        options = f"-c listen_addresses=127.0.0.1 -c port={server.port} -c unix_socket_directories=''"
        if not durable:
            options += " -c fsync=off -c full_page_writes=off"
        _run(
            [*run_as, str(binaries / "pg_ctl"), "-D", str(server.data), "-l", str(log), "-o", options, "-w", "start"],
            log,
        )
        _run(
            [*run_as, str(binaries / "createdb"), "-h", "127.0.0.1", "-p", str(server.port), "-U", SUPERUSER, DATABASE]
        )
        yield server
    finally:
        if (server.data / "postmaster.pid").exists():
            subprocess.run(
                [*run_as, str(binaries / "pg_ctl"), "-D", str(server.data), "-m", "immediate", "stop"],
                capture_output=True,
            )
        shutil.rmtree(folder, ignore_errors=True)


def _run(command: list[str], log: Path | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0:
        server_log = log.read_text() if log and log.exists() else ""
        raise RuntimeError(
            f"the throwaway PostgreSQL did not start: {' '.join(command)}\n{done.stderr}{done.stdout}{server_log}"
        )
