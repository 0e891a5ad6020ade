"""CSV that a spreadsheet opens as text, whatever the cells say.

A cell starting with = + - @ (or a tab or carriage return, which some
spreadsheets skip before reading one of those) is run as a formula when the
file is opened: a feedback text like '=HYPERLINK("http://evil", "click")'
would become a live link on a reviewer's machine. Stored text stays exactly as
written; escaping happens here, on the way out. Every CSV download uses this.
"""

from __future__ import annotations

import pandas as pd

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value: object) -> object:
    """A text cell that would start a formula, prefixed with ' so it is read as text; anything else unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def to_csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV with a byte-order mark (so spreadsheets read Vietnamese and Chinese right)."""
    safe = frame.rename(columns=csv_safe).map(csv_safe)
    return safe.to_csv(index=False).encode("utf-8-sig")
