"""The code passes `ruff check` and `ruff format --check` with the settings in pyproject.toml: a finding, or a file
the formatter would change, fails the test run (as Datasette runs its formatter as a test), so every `# noqa` in the
code silences something and says why, and no review is spent on layout."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent


def ruff(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ruff", *arguments], cwd=REPOSITORY, capture_output=True, text=True)


def test_ruff_finds_nothing():
    checked = ruff("check", "--no-cache", "--output-format", "concise", ".")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_every_file_is_as_ruff_format_writes_it():
    checked = ruff("format", "--check", "--no-cache", ".")
    assert checked.returncode == 0, checked.stdout + checked.stderr + "\nRun `.venv/bin/ruff format .` to fix."
