"""`hubdash doctor`: the data folder's permissions and the app's security headers, and what to fix."""

from __future__ import annotations

import http.server
import os
import threading

import pytest

from dashboard.cli import main

GOOD_HEADERS = {
    "Content-Security-Policy": "frame-ancestors 'self'; object-src 'none';",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}


@pytest.fixture
def data_folder(tmp_path):
    """A data folder as hubdash makes it: folders 0700, files 0600, the warehouse a link."""
    home = tmp_path / "hubdash"
    (home / "warehouse.duckdb.releases").mkdir(parents=True)
    for file in ("feedback.duckdb", "cookie.key", "warehouse.duckdb.releases/0001.duckdb"):
        (home / file).write_bytes(b"private")
        (home / file).chmod(0o600)
    (home / "warehouse.duckdb").symlink_to("warehouse.duckdb.releases/0001.duckdb")
    for folder in (home, home / "warehouse.duckdb.releases"):
        folder.chmod(0o700)
    return home


def test_a_private_data_folder_passes(data_folder, capsys):
    assert main(["doctor", "--home", str(data_folder)]) == 0
    assert "fix" not in capsys.readouterr().out


def test_files_and_folders_others_can_read_are_named_with_the_command_that_fixes_them(data_folder, capsys):
    (data_folder / "feedback.duckdb").chmod(0o644)
    (data_folder / "warehouse.duckdb.releases").chmod(0o755)

    assert main(["doctor", "--home", str(data_folder)]) == 1

    fixes = [line.strip() for line in capsys.readouterr().out.splitlines() if "fix:" in line]
    assert len(fixes) == 2
    assert fixes[0].endswith(f"chmod 600 {data_folder / 'feedback.duckdb'}")
    assert fixes[1].endswith(f"chmod 700 {data_folder / 'warehouse.duckdb.releases'}")


def test_a_world_readable_data_folder_fails(data_folder, capsys):
    data_folder.chmod(0o755)

    assert main(["doctor", "--home", str(data_folder)]) == 1
    assert f"chmod 700 {data_folder}" in capsys.readouterr().out


def test_a_file_of_another_user_fails(data_folder, capsys):
    if os.geteuid() != 0:
        pytest.fail("giving a file to another user needs root (the CI runs as root)")
    os.chown(data_folder / "cookie.key", 65534, 65534)

    assert main(["doctor", "--home", str(data_folder)]) == 1
    assert f"chown {os.geteuid()} {data_folder / 'cookie.key'}" in capsys.readouterr().out


@pytest.fixture
def app_server():
    """A tiny local HTTP server standing in for the app; set `headers` to what its page sends."""
    sent: dict[str, str] = {}

    class Page(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            for name, value in sent.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(b"<html></html>")

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield sent, f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()
    server.server_close()


def test_an_app_sending_every_security_header_passes(data_folder, app_server, capsys):
    headers, url = app_server
    headers.update(GOOD_HEADERS)

    assert main(["doctor", "--home", str(data_folder), "--url", url]) == 0
    assert "security headers of" in capsys.readouterr().out


def test_an_app_without_security_headers_fails_naming_each(data_folder, app_server, capsys):
    _, url = app_server

    assert main(["doctor", "--home", str(data_folder), "--url", url]) == 1

    out = capsys.readouterr().out
    for name in GOOD_HEADERS:
        assert f"sends no {name} header" in out


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Content-Security-Policy", "default-src 'self'"),
        ("Content-Security-Policy", "frame-ancestors *"),
        ("X-Content-Type-Options", "sniff"),
        ("Referrer-Policy", "unsafe-url"),
    ],
)
def test_a_weak_security_header_fails(data_folder, app_server, capsys, name, value):
    headers, url = app_server
    headers.update(GOOD_HEADERS | {name: value})

    assert main(["doctor", "--home", str(data_folder), "--url", url]) == 1
    assert f"sends {name}: {value!r}" in capsys.readouterr().out


def test_an_app_that_is_not_running_fails(data_folder, capsys):
    assert main(["doctor", "--home", str(data_folder), "--url", "http://127.0.0.1:9/"]) == 1
    assert "cannot fetch" in capsys.readouterr().out
