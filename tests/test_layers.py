"""The code keeps its layers (`lint-imports` with the contracts in pyproject.toml): a module imports from its own
layer and the layers below it, so the data flows one way and no two packages import each other."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_every_import_follows_the_layers():
    checked = subprocess.run(
        [str(LINT_IMPORTS), "--no-logo", "--no-cache"], cwd=REPOSITORY, capture_output=True, text=True
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
