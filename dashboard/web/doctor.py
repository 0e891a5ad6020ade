"""`hubdash doctor`: what a deployment must get right beyond the code, checked, with what to fix.

The data folder holds the unsuppressed staging store, survivors' feedback, sign-in
records and the cookie key, so only its owner may read it. The app's responses must
carry the headers that keep another site from framing its forms, browsers from
guessing content types, and a page's address from leaking to other sites.
"""

from __future__ import annotations

import os
import stat
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple


class Header(NamedTuple):
    name: str
    good: Callable[[str], bool]
    wanted: str


def _frames_only_from_known_origins(policy: str) -> bool:
    for directive in policy.split(";"):
        name, *sources = directive.split() or [""]
        if name.lower() == "frame-ancestors":
            return bool(sources) and "*" not in sources
    return False


HEADERS = (
    Header(
        "Content-Security-Policy",
        _frames_only_from_known_origins,
        "frame-ancestors 'self' (or 'none'): no other site may frame the sign-in and feedback forms",
    ),
    Header(
        "X-Content-Type-Options",
        lambda value: value.strip().lower() == "nosniff",
        "nosniff: browsers must not guess a response's type",
    ),
    Header(
        "Referrer-Policy",
        lambda value: value.strip().lower() in ("no-referrer", "same-origin"),
        "no-referrer (or same-origin): a page's address must not reach other sites",
    ),
)
"""The security headers every response of the app must carry."""


def check_folder(home: Path) -> list[str]:
    """What is wrong with the data folder's permissions: one line each, saying what to run."""
    if not home.is_dir():
        return [f"{home} is not a folder: set HUBDASH_HOME to the data folder, or pass --home"]
    owner = os.stat(home).st_uid
    problems = []
    if owner != os.geteuid():
        problems.append(
            f"{home} belongs to user {owner}, not to the user running hubdash ({os.geteuid()}): "
            f"run hubdash as the folder's owner, or chown -R {os.geteuid()} {home}"
        )
    for path in [home, *sorted(home.rglob("*"))]:
        info = path.lstat()
        if stat.S_ISLNK(info.st_mode):
            continue
        if info.st_uid != owner:
            problems.append(f"{path} belongs to user {info.st_uid}, not to the folder's owner: chown {owner} {path}")
        if info.st_mode & 0o077:
            wanted = "700" if stat.S_ISDIR(info.st_mode) else "600"
            problems.append(f"{path} is {stat.filemode(info.st_mode)}, readable by others: chmod {wanted} {path}")
    return problems


def check_headers(url: str) -> list[str]:
    """What is missing or wrong in the security headers of the page at `url` (fetched directly, no proxy)."""
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(url, timeout=30) as response:
            headers = response.headers
    except urllib.error.HTTPError as error:
        headers = error.headers
    except (urllib.error.URLError, OSError) as error:
        return [f"cannot fetch {url} ({getattr(error, 'reason', error)}): is the app running there?"]
    problems = []
    for header in HEADERS:
        value = headers.get(header.name)
        if value is None:
            problems.append(f"{url} sends no {header.name} header: send {header.name}: {header.wanted}")
        elif not header.good(value):
            problems.append(f"{url} sends {header.name}: {value!r}; it must be {header.wanted}")
    return problems


def main(home: Path, url: str | None, say: Callable[[str], None] = print) -> int:
    """Check the folder and, given a URL, the app's headers; 0 when all is well, 1 otherwise."""
    problems = check_folder(home)
    say(f"data folder {home}: " + ("only its owner can read it" if not problems else f"{len(problems)} to fix"))
    if url:
        header_problems = check_headers(url)
        say(
            f"security headers of {url}: "
            + ("all present" if not header_problems else f"{len(header_problems)} to fix")
        )
        problems += header_problems
    for problem in problems:
        say(f"  fix: {problem}")
    return 1 if problems else 0
