"""Read and validate an agency extract (/work/shared/extract-format.md).

An extract is accepted whole or refused whole: a single wrong figure can stand
for a hub's whole month. When it is refused, every problem is listed with its
file and line, so that the agency can fix everything in one round trip.

Values are checked column by column with pandas, because a per-row Python loop
is too slow for the half a million rows of a large network's referrals.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import errno
import io
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pandas as pd
import pycountry

from ..hierarchy import ALL, NETWORK, OUTCOME_MEASURES, SERVICE_LINES, TOPICS, Topic, month_range

HUBS_FILE = "hubs.csv"

MAX_COUNT = 1_000_000
"""The largest count one row may hold: far above any real hub-month, and far
below anything that could overflow once summed over every month and hub."""

MAX_MONEY = 10**12
MAX_TEXT = 100
"""The longest hub name or region name, in characters."""

MAX_FILE_BYTES = 16 * 2**20
"""The largest file an extract may hold (16 MiB), checked before it is parsed.

The largest network served (50 hubs, 60 months) has files of at most 2.9 MB
and reads in 200 MB of memory; a file at the limit (325,000 referral rows) in
about 500 MB. A larger file is refused at once instead of filling memory."""

MAX_EXCERPT = 40
"""The most characters of a value that a message quotes: enough to find the
value, too few to echo much of a file that was never meant to be an extract."""

NAME_PUNCTUATION = " -'’.,&()/"
"""What a hub or region name may hold besides letters (of any script, with their
marks) and digits: nothing that Markdown or HTML reads as markup."""

MAX_LISTED = 200
"""Problems listed per file; the rest are counted, so a wholly wrong file
gives a readable report rather than megabytes."""

_FILE_COLUMN = {"outcome": "measure"}
"""Topic columns that the extract file calls by another name."""

_NOT_MORE_THAN = tuple((lesser, greater) for topic in TOPICS.values() for greater, lesser in topic.order)
"""Pairs of figures in one row where the first may not exceed the second: the format's order rules."""

_BAD_BYTE = re.compile("[\udc80-\udcff]")
"""Where decoding with surrogateescape kept a byte that is not UTF-8."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    reason: str

    def __str__(self) -> str:
        place = self.file + (f":{self.line}" if self.line is not None else "")
        return f"{place}: {self.reason}" if place else self.reason


class ExtractError(Exception):
    """The extract is refused; `problems` lists everything wrong with it."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("the extract was refused:\n" + "\n".join(map(str, problems)))


@dataclass
class Extract:
    """A valid extract.

    hubs: hub, name, region. months: every month from the earliest to the latest
    in any file; a missing combination is a zero, so the months between are covered.
    tables: one frame per topic of hierarchy.TOPICS, empty for an absent file:
    month, hub, the topic's grain and its measures (int64).
    """

    hubs: pd.DataFrame
    months: list[str]
    tables: dict[str, pd.DataFrame]


@dataclass(frozen=True)
class _Layout:
    """What one extract file holds, in the file's own column names."""

    file: str
    columns: tuple[str, ...]
    key: tuple[str, ...]
    measures: tuple[str, ...] = ()
    most: int = 0
    """The largest figure one row may hold."""


def _topic_layout(topic: Topic) -> _Layout:
    key = ("month", "hub", *(_FILE_COLUMN.get(column, column) for column in topic.grain))
    # Money is the only kind of figure that does not count people.
    most = MAX_COUNT if topic.count_of_people else MAX_MONEY
    return _Layout(topic.file, (*key, *topic.measures), key, topic.measures, most)


_HUBS = _Layout(HUBS_FILE, ("hub", "name", "region"), key=("hub",))
_TOPIC_LAYOUTS = {name: _topic_layout(topic) for name, topic in TOPICS.items()}
_FILES = (HUBS_FILE, *(layout.file for layout in _TOPIC_LAYOUTS.values()))


@dataclass(frozen=True)
class _Rule:
    """A test on a column's values, and what to tell the agency about a value that fails it."""

    passes: Callable[[pd.Series], pd.Series]
    reason: str
    """A message with {column} and {value} in it, and {character}: the first character a name may not hold."""


@cache
def _language_codes() -> frozenset[str]:
    """Every ISO 639-1 and ISO 639-3 code (`und` is one of the latter)."""
    return frozenset(
        code
        for language in pycountry.languages
        for code in (language.alpha_3, getattr(language, "alpha_2", None))
        if code
    )


def _one_of(allowed: tuple[str, ...], what: str) -> _Rule:
    return _Rule(lambda v: v.isin(allowed), f"{{column}} {{value}} is not a known {what} ({', '.join(allowed)})")


def _at_most(limit: int) -> _Rule:
    def passes(values: pd.Series) -> pd.Series:
        short = values.str.lstrip("0").str.len() <= len(str(limit))
        return short & (values.where(short, "0").astype("int64") <= limit)

    return _Rule(passes, f"{{column}} {{value}} is more than {limit:,}, the most one row may hold")


_NOT_BLANK = _Rule(lambda v: v != "", "{column} is blank")
_SLUG = _Rule(
    lambda v: v.str.fullmatch("[a-z0-9_-]+"),
    "{column} {value} is not a valid id: use only lowercase letters, digits, _ and -",
)
_NOT_RESERVED = _Rule(
    lambda v: ~v.str.casefold().isin([NETWORK, ALL]),
    f"{{column}} {{value}} is a reserved word ({NETWORK}, {ALL}) and cannot be used",
)
_TEXT = (
    _Rule(lambda v: v.str.len() <= MAX_TEXT, f"{{column}} {{value}} is longer than {MAX_TEXT} characters"),
    _Rule(
        lambda v: ~v.str.contains(r"[\x00-\x1f\x7f-\x9f]"),
        "{column} {value} contains a control character, such as a tab or a line break",
    ),
    _Rule(
        lambda v: v.map(_refused_character) == "",
        "{column} {value} contains {character}, which a name may not hold:"
        f" use letters, digits, spaces and {' '.join(NAME_PUNCTUATION.strip())}",
    ),
)
_DIGITS = _Rule(
    lambda v: v.str.fullmatch("[0-9]+"),
    "{column} {value} is not a whole number written with digits only (no decimals, signs, spaces or separators)",
)
_RULES = {
    "month": (
        _Rule(
            lambda v: v.str.fullmatch("[0-9]{4}-(0[1-9]|1[0-2])"),
            "{column} {value} is not a month written as YYYY-MM, such as 2024-05",
        ),
    ),
    "hub": (_SLUG, _NOT_RESERVED),
    "name": _TEXT,
    "region": (*_TEXT, _NOT_RESERVED),
    "service_line": (_one_of(SERVICE_LINES, "service line"),),
    "language": (
        _Rule(
            lambda v: v.isin(_language_codes()),
            "{column} {value} is not an ISO 639-1 or ISO 639-3 language code in lower case"
            " (such as en, es or hmn), nor und for not recorded",
        ),
    ),
    "funding_stream": (_SLUG,),
    "measure": (_one_of(OUTCOME_MEASURES, "outcome measure"),),
}
"""The rules for each text column, after the value is found not blank, in the
order they are tried: a value is reported for the first rule it fails."""


def _refused_character(name: str) -> str:
    """The first character of a name that is not a letter, mark, digit or NAME_PUNCTUATION, described; or ""."""
    for character in name:
        if (
            unicodedata.category(character)[0] not in "LM"
            and not character.isdecimal()
            and character not in NAME_PUNCTUATION
        ):
            code = (
                f" (U+{ord(character):04X} {unicodedata.name(character, 'unnamed')})" if not character.isascii() else ""
            )
            return repr(character) + code
    return ""


def _show(value: str) -> str:
    """A value quoted for a message: cut short, with invisible characters made visible."""
    return repr(value[:MAX_EXCERPT]) + ("…" if len(value) > MAX_EXCERPT else "")


class _Findings:
    """The problems of one file, of which the first MAX_LISTED by line are listed."""

    def __init__(self, file: str):
        self.file = file
        self._kept: list[Problem] = []
        self._count = 0

    def add(self, line: int | None, reason: str) -> None:
        self._count += 1
        self._keep(line, reason)

    def add_rows(self, lines: pd.Index, reason: Callable[[int], str]) -> None:
        """One problem on each of `lines` (in ascending order), worded by reason(line)."""
        self._count += len(lines)
        for line in lines[:MAX_LISTED]:
            self._keep(int(line), reason(line))

    def _keep(self, line: int | None, reason: str) -> None:
        self._kept.append(Problem(self.file, line, reason))
        if len(self._kept) > 2 * MAX_LISTED:
            self._kept = self._in_order()[:MAX_LISTED]

    def _in_order(self) -> list[Problem]:
        return sorted(self._kept, key=lambda problem: -1 if problem.line is None else problem.line)

    def problems(self) -> list[Problem]:
        listed = self._in_order()[:MAX_LISTED]
        unlisted = self._count - len(listed)
        if unlisted:
            listed.append(
                Problem(self.file, None, f"{unlisted} more problems in this file are not listed: fix those above first")
            )
        return listed


def read_extract(folder: str | Path) -> Extract:
    """Read the extract in `folder`, or raise ExtractError listing everything wrong with it."""
    folder = Path(folder)
    if not folder.is_dir():
        state = "is not a folder" if folder.exists() else "does not exist"
        raise ExtractError([Problem("", None, f"the extract folder {folder} {state}")])

    findings = {name: _Findings(name) for name in ("", *_FILES)}
    for name in sorted(entry.name for entry in folder.iterdir()):
        if name not in _FILES:
            shown = os.fsencode(name).decode("utf-8", "replace")
            findings[shown] = _Findings(shown)
            findings[shown].add(None, _unknown_file_reason(name))

    if not os.path.lexists(folder / HUBS_FILE):
        findings[HUBS_FILE].add(None, "is missing: every extract lists its hubs in it (columns hub, name, region)")
    hubs, hubs_seen = _read_file(findings[HUBS_FILE], folder, _HUBS, listed_hubs=None)
    # A hub on a line of hubs.csv that cannot be read may be the one a figure names.
    listed_hubs = set(hubs["hub"]) if hubs is not None and len(hubs) == hubs_seen else None

    frames: dict[str, pd.DataFrame] = {}
    rows_seen = 0
    for name, layout in _TOPIC_LAYOUTS.items():
        frame, seen = _read_file(findings[layout.file], folder, layout, listed_hubs)
        rows_seen += seen
        if frame is not None:
            frames[name] = frame
    if not rows_seen:
        topic_files = ", ".join(layout.file for layout in _TOPIC_LAYOUTS.values())
        findings[""].add(None, f"the extract holds no figures: it needs rows in at least one of {topic_files}")

    problems = [problem for name in sorted(findings) for problem in findings[name].problems()]
    if problems:
        raise ExtractError(problems)
    return _extract(hubs, frames)


def _unknown_file_reason(name: str) -> str:
    guess = difflib.get_close_matches(name.lower(), _FILES, n=1)
    hint = f" Did you mean {guess[0]}?" if guess else ""
    return f"is not one of the files an extract may hold ({', '.join(_FILES)}).{hint} Rename or remove it."


def _read_file(
    findings: _Findings, folder: Path, layout: _Layout, listed_hubs: set[str] | None
) -> tuple[pd.DataFrame | None, int]:
    """The file's rows, checked, as stripped text indexed by line; and how many rows it has.

    The frame is None when the file is absent or its rows cannot be told apart.
    Hubs are checked against `listed_hubs` unless it is None.
    """
    data = _read_bytes(findings, folder / layout.file)
    if data is None:
        return None, 0
    text = data.removeprefix(codecs.BOM_UTF8).decode("utf-8", "surrogateescape")
    frame, seen = _parse(findings, text, layout)
    if frame is not None:
        _check_values(findings, frame, layout, listed_hubs)
    return frame, seen


def _read_bytes(findings: _Findings, path: Path) -> bytes | None:
    """The file's bytes; None when it is absent or refused.

    Never through a symbolic link (it could point at any file this user may read,
    such as the cookie key), never a pipe or device, never more than MAX_FILE_BYTES.
    """
    try:
        descriptor = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as error:
        if error.errno == errno.ELOOP:
            findings.add(None, "is a symbolic link, which an extract may not hold: put the file itself in the folder")
        else:
            findings.add(None, f"cannot be read: {error.strerror}")
        return None
    try:
        info = os.fstat(descriptor)
        if not stat.S_ISREG(info.st_mode):
            findings.add(None, "is not a file")
            return None
        with os.fdopen(descriptor, "rb", closefd=False) as file:
            data = file.read(MAX_FILE_BYTES + 1)
    finally:
        os.close(descriptor)
    size = max(info.st_size, len(data))
    if size > MAX_FILE_BYTES:
        findings.add(None, f"is {size:,} bytes, more than the {MAX_FILE_BYTES:,} bytes a file may hold")
        return None
    return data


def _parse(findings: _Findings, text: str, layout: _Layout) -> tuple[pd.DataFrame | None, int]:
    """Rows with as many values as the header has columns; None when the header is unusable."""
    records = _records(findings, text)
    first = next(records, None)
    if first is None:
        findings.add(None, f"is empty: it needs a header row naming its columns ({', '.join(layout.columns)})")
        return None, 0
    line, header = first
    if header is None or not _check_header(findings, line, [name.strip() for name in header], layout.columns):
        return None, sum(1 for _ in records)

    rows, lines = [], []
    seen = 0
    for line, fields in records:
        seen += 1
        if fields is None:
            continue
        if len(fields) != len(header):
            findings.add(line, f"has {len(fields)} values but the header names {len(header)} columns")
            continue
        rows.append(fields)
        lines.append(line)
    frame = pd.DataFrame(rows, columns=[name.strip() for name in header], index=lines, dtype=str)
    return frame[list(layout.columns)].apply(lambda values: values.str.strip()), seen


def _records(findings: _Findings, text: str) -> Iterator[tuple[int, list[str] | None]]:
    """Each record with the line it starts on, skipping blank lines.

    A record that cannot be read is reported here and given as None.
    """
    has_bad_bytes = _BAD_BYTE.search(text) is not None
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    end = 0
    while True:
        start = end + 1
        try:
            fields = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            findings.add(start, _unreadable_reason(error))
            fields = None
        end = reader.line_num
        if fields and has_bad_bytes and any(_BAD_BYTE.search(field) for field in fields):
            findings.add(start, "is not valid UTF-8 text: save the file as UTF-8 (in spreadsheet software, CSV UTF-8)")
            fields = None
        if fields != []:
            yield start, fields


def _unreadable_reason(error: csv.Error) -> str:
    message = str(error)
    if message.startswith("field larger than field limit"):
        return f"holds a value longer than {csv.field_size_limit():,} characters"
    if message == "unexpected end of data":
        return 'has a quote (") that is never closed'
    return f'is not well-formed CSV ({message}): check the quotes (") on this line'


def _check_header(findings: _Findings, line: int, names: list[str], expected: tuple[str, ...]) -> bool:
    missing = [column for column in expected if column not in names]
    unexpected = [name for name in dict.fromkeys(names) if name not in expected]
    repeated = [name for name, times in Counter(names).items() if times > 1 and name in expected]
    columns = ", ".join(expected)
    if missing:
        findings.add(line, f"the header row is missing the column{'s' * (len(missing) > 1)} {', '.join(missing)}")
    for name in unexpected:
        findings.add(line, f"the header row has a column {_show(name)} that this file does not have ({columns})")
    for name in repeated:
        findings.add(line, f"the header row has the column {name} more than once")
    return not (missing or unexpected or repeated)


def _check_values(findings: _Findings, frame: pd.DataFrame, layout: _Layout, listed_hubs: set[str] | None) -> None:
    valid = {
        column: _check_column(findings, frame[column], column, _rules(column, layout)) for column in layout.columns
    }
    if listed_hubs is not None:
        findings.add_rows(
            frame.index[(valid["hub"] & ~frame["hub"].isin(listed_hubs)).to_numpy()],
            lambda line: f"hub {_show(frame.at[line, 'hub'])} is not listed in hubs.csv",
        )
    for smaller, larger in _NOT_MORE_THAN:
        if smaller in layout.measures:
            both = valid[smaller] & valid[larger]
            small = frame.loc[both, smaller].astype("int64")
            large = frame.loc[both, larger].astype("int64")
            findings.add_rows(
                small.index[(small > large).to_numpy()],
                lambda line: f"{smaller} ({small[line]}) is more than {larger} ({large[line]})",  # noqa: B023 - called at once
            )
    _check_duplicates(findings, frame, layout.key)


def _rules(column: str, layout: _Layout) -> tuple[_Rule, ...]:
    return (_DIGITS, _at_most(layout.most)) if column in layout.measures else _RULES[column]


def _check_column(findings: _Findings, values: pd.Series, column: str, rules: tuple[_Rule, ...]) -> pd.Series:
    """Report each value that breaks a rule; return where the values are valid."""
    valid = pd.Series(True, index=values.index)
    for rule in (_NOT_BLANK, *rules):
        checked = values[valid]
        failed = checked.index[~rule.passes(checked).to_numpy(dtype=bool)]
        findings.add_rows(
            failed,
            lambda line: rule.reason.format(  # noqa: B023 - add_rows calls it at once
                column=column, value=_show(values[line]), character=_refused_character(values[line])
            ),
        )
        valid[failed] = False
    return valid


def _check_duplicates(findings: _Findings, frame: pd.DataFrame, key: tuple[str, ...]) -> None:
    repeats = frame.duplicated(list(key)).to_numpy()
    if not repeats.any():
        return
    first_line = frame.index.to_series().groupby([frame[column] for column in key]).transform("min")
    findings.add_rows(
        frame.index[repeats],
        lambda line: (
            f"is a second row for {', '.join(f'{column} {_show(frame.at[line, column])}' for column in key)}"
            f" (the first is on line {first_line[line]})"
        ),
    )


def _extract(hubs: pd.DataFrame, frames: dict[str, pd.DataFrame]) -> Extract:
    tables = {}
    for name, topic in TOPICS.items():
        columns = _TOPIC_LAYOUTS[name].columns
        frame = frames.get(name, pd.DataFrame({column: pd.Series(dtype=str) for column in columns}))
        tables[name] = (
            frame.rename(columns={file_column: column for column, file_column in _FILE_COLUMN.items()})
            .astype({measure: "int64" for measure in topic.measures})
            .reset_index(drop=True)
        )
    months = pd.concat([table["month"] for table in tables.values()])
    return Extract(hubs=hubs.reset_index(drop=True), months=month_range(months.min(), months.max()), tables=tables)
