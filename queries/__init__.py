"""The SQL behind every figure on every page: one file per question, parameters bound.

`run(con, "referral_funnel", period_level="year", ...)` executes
queries/referral_funnel.sql with its `$name` parameters bound, on a connection
to the published warehouse. Files whose name starts with `macro_` define the
functions the questions share (the rate rule, above all), and are installed on
every connection by `install_macros`.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import duckdb
import pandas as pd

_FOLDER = Path(__file__).parent
_PARAMETER = re.compile(r"\$([a-z_]+)")


@functools.cache
def sql(name: str) -> str:
    return (_FOLDER / f"{name}.sql").read_text(encoding="utf-8")


def names() -> list[str]:
    return sorted(p.stem for p in _FOLDER.glob("*.sql") if not p.stem.startswith("macro_"))


def parameters(name: str) -> set[str]:
    return set(_PARAMETER.findall(_without_comments(sql(name))))


def install_macros(con: duckdb.DuckDBPyConnection) -> None:
    for path in sorted(_FOLDER.glob("macro_*.sql")):
        con.execute(path.read_text(encoding="utf-8"))


def run(con: duckdb.DuckDBPyConnection, name: str, **params) -> pd.DataFrame:
    """Run one question. Every parameter the SQL names must be given, and no other."""
    wanted = parameters(name)
    if set(params) != wanted:
        raise TypeError(f"{name}.sql takes {sorted(wanted)}, got {sorted(params)}")
    return con.execute(sql(name), params).df()


def _without_comments(text: str) -> str:
    return re.sub(r"--[^\n]*", "", text)
