"""Who may sign in: the users file, the demo accounts, password rules, and `hubdash users`.

The users file is YAML outside the code, named by HUBDASH_USERS, readable only by
its owner, and holds bcrypt hashes, never passwords:

    users:
      alice:
        password: "$2b$12$..."
        roles: [leadership]
        hubs: [north, east]     # optional: without it, every hub
      maria:                    # signs in through the organisation's identity provider
        email: maria@hub.example
        roles: [advisory]

An entry signs in with its password, or through the identity provider as the person
the provider names by `subject`, or else by `email` (only an e-mail the provider says
it verified counts; see auth.py), or both ways.

Only the app reads it and only `hubdash users` writes it (streamlit-authenticator
is handed a copy, so it never rewrites the file). Until HUBDASH_USERS is set, the
demo accounts below are the only accounts; once it is set, they do not exist.
"""

from __future__ import annotations

import argparse
import functools
import getpass
import os
import re
import secrets
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import bcrypt
import yaml

from .. import paths
from . import sessions
from .access import ADMIN, ADVISORY, LEADERSHIP, ROLES

MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_BYTES = 72
"""bcrypt reads no further than 72 bytes, and the bcrypt package refuses longer input."""

USERNAME = re.compile(r"[a-z0-9][a-z0-9._@-]{0,63}")
"""Lower case, because streamlit-authenticator lower-cases what is typed at sign-in."""
HUB = re.compile(r"[a-z0-9_-]+")
"""The hub id rule of the extract format."""
_BCRYPT_HASH = re.compile(r"\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}")
EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
MAX_SUBJECT = 255
"""OpenID Connect's limit on a subject identifier."""
_ENTRY_KEYS = {"password", "email", "subject", "roles", "hubs"}

DEMO_PASSWORDS = {
    "leader": "leader-demo",
    "advisor": "advisor-demo",
    "admin": "admin-demo",
    "hublead": "hublead-demo",
}
_DEMO_ROLES = {"leader": LEADERSHIP, "advisor": ADVISORY, "admin": ADMIN, "hublead": LEADERSHIP}

_HEADER = """\
# Hub Dashboard users: who may sign in, with which roles, and which hubs they see.
# Managed with `hubdash users add | list | remove`; passwords are bcrypt hashes.
# roles: leadership, advisory, admin. hubs: leave it out to see every hub.
"""


class UsersFileError(Exception):
    """The users file cannot be read as users; nobody signs in from it until it is fixed."""


@dataclass(frozen=True)
class User:
    username: str
    password_hash: str | None
    """None: no password sign-in."""
    roles: frozenset[str]
    hubs: tuple[str, ...] | None = None
    """The hubs whose detail this user sees; None means every hub."""
    email: str | None = None
    """Lower case. The identity provider's verified e-mail that signs in as this user."""
    subject: str | None = None
    """The identity provider's subject that signs in as this user; when set, the e-mail does not."""

    @property
    def sign_in(self) -> str:
        """How this user signs in, for people to read."""
        ways = ["password"] if self.password_hash else []
        if self.subject is not None:
            ways.append(f"identity provider (subject {self.subject})")
        elif self.email is not None:
            ways.append(f"identity provider ({self.email})")
        return ", ".join(ways)


# Passwords


def hash_password(password: str) -> str:
    return bcrypt.hashpw(password.encode(), bcrypt.gensalt()).decode()


def verify_password(password: str, password_hash: str | None) -> bool:
    """Whether the password matches; an unknown user (no hash) costs the same time, so timing tells nothing."""
    candidate = password.encode()
    if password_hash is None or len(candidate) > MAX_PASSWORD_BYTES:
        bcrypt.checkpw(candidate[:MAX_PASSWORD_BYTES], _stand_in_hash())
        return False
    return bcrypt.checkpw(candidate, password_hash.encode())


@functools.cache
def _stand_in_hash() -> bytes:
    return hash_password(secrets.token_urlsafe(16)).encode()


def password_problem(username: str, password: str) -> str | None:
    """Why this password may not be used, or None."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"the password must have at least {MIN_PASSWORD_LENGTH} characters"
    if len(password.encode()) > MAX_PASSWORD_BYTES:
        return f"the password must be at most {MAX_PASSWORD_BYTES} bytes long"
    if password != password.strip():
        return "the password must not begin or end with a space (sign-in trims them)"
    if _is_common(password):
        return "the password is too common: a well-known password, perhaps with digits or symbols around it"
    if username.lower() in password.lower():
        return "the password must not contain the user name"
    return None


_PADDING = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_LEETSPEAK = str.maketrans("@4310$5!7", "aaeiossit")


def _is_common(password: str) -> bool:
    """In the list as typed, or once the padding people add to meet a rule is taken off."""
    typed = password.lower()
    core = _PADDING.sub("", typed)
    return bool({typed, core, core.translate(_LEETSPEAK)} & common_passwords())


@functools.cache
def common_passwords() -> frozenset[str]:
    lines = Path(__file__).with_name("common_passwords.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


# Accounts


def accounts(hubs: Sequence[str]) -> dict[str, User]:
    """Everyone who may sign in now: the users file if one is configured, else the demo accounts.

    `hubs` are the current warehouse's hubs; only the demo account `hublead` uses
    them, scoped to the first in alphabetical order.
    """
    path = paths.users_file()
    return demo_accounts(hubs) if path is None else read_users(path)


def signed_in_by_provider(accounts: dict[str, User], subject: str, email: str | None) -> User | None:
    """The user the identity provider's subject, or else its verified e-mail, stands for; None for a stranger."""
    for user in accounts.values():
        if user.subject is not None:
            if user.subject == subject:
                return user
        elif email is not None and user.email == email.lower():
            return user
    return None


def accounts_source() -> str:
    """Where the accounts come from; a session never outlives a change of it (see auth.py)."""
    path = paths.users_file()
    return "demo" if path is None else str(path.resolve())


def demo_accounts(hubs: Sequence[str]) -> dict[str, User]:
    first_hub = tuple(sorted(hubs)[:1])
    return {
        name: User(name, _demo_hash(password), frozenset({_DEMO_ROLES[name]}), first_hub if name == "hublead" else None)
        for name, password in DEMO_PASSWORDS.items()
    }


@functools.cache
def _demo_hash(password: str) -> str:
    """Hashed once per process: no hash of a demo password is ever stored."""
    return hash_password(password)


# The users file


def read_users(path: Path) -> dict[str, User]:
    """The users in the file; a file that does not exist yet holds none."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    return _parse(text, path)


def add_user(path: Path, user: User) -> None:
    users = read_users(path)
    if user.username in users:
        raise UsersFileError(f"{user.username} is already in {path}")
    for key in ("email", "subject"):
        value = getattr(user, key)
        if value is not None and any(getattr(other, key) == value for other in users.values()):
            raise UsersFileError(f"{key} {value} already signs in as another user in {path}")
    expected = {**users, user.username: user}
    _save(path, _text_with_user_added(path, user), expected)


def remove_user(path: Path, username: str) -> None:
    users = read_users(path)
    if username not in users:
        raise UsersFileError(f"{username} is not in {path}")
    expected = {name: user for name, user in users.items() if name != username}
    _save(path, _text_with_user_removed(path, username), expected)


def _parse(text: str, path: Path) -> dict[str, User]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise UsersFileError(f"{path} is not valid YAML: {error}") from None
    data = data or {}
    if not isinstance(data, dict) or set(data) - {"users"} or not isinstance(data.get("users") or {}, dict):
        raise UsersFileError(f"{path} must hold one mapping, `users:`, of user names to their entries")
    problems = []
    users = {}
    for name, entry in (data.get("users") or {}).items():
        problem = _entry_problem(name, entry)
        if problem:
            problems.append(f"{name}: {problem}")
            continue
        hubs = entry.get("hubs")
        email = entry.get("email")
        users[name] = User(
            name,
            entry.get("password"),
            frozenset(entry["roles"]),
            None if hubs is None else tuple(hubs),
            None if email is None else email.lower(),
            entry.get("subject"),
        )
    for key in ("email", "subject"):
        named = [getattr(user, key) for user in users.values() if getattr(user, key) is not None]
        problems += [
            f"{key} {value} is given to more than one user" for value in sorted(set(named)) if named.count(value) > 1
        ]
    if problems:
        raise UsersFileError(f"{path} has problems:\n  " + "\n  ".join(problems))
    return users


def _entry_problem(name, entry) -> str | None:
    if not isinstance(name, str) or not USERNAME.fullmatch(name):
        return "a user name uses only lower-case letters, digits and . _ @ -"
    if not isinstance(entry, dict):
        return "expected a password, an email or a subject, roles and (optionally) hubs"
    if set(entry) - _ENTRY_KEYS:
        # A misspelt `hubs` must not quietly widen someone's view to every hub.
        return f"unknown entries {sorted(set(entry) - _ENTRY_KEYS)}; allowed: {sorted(_ENTRY_KEYS)}"
    if not {"password", "email", "subject"} & set(entry):
        return "a user needs a password, an email or a subject (how they sign in)"
    if "password" in entry and not (isinstance(entry["password"], str) and _BCRYPT_HASH.fullmatch(entry["password"])):
        return "password must be a bcrypt hash, as `hubdash users add` writes it"
    if "email" in entry and not (isinstance(entry["email"], str) and EMAIL.fullmatch(entry["email"])):
        return "email must be one e-mail address, such as maria@hub.example"
    subject = entry.get("subject", "-")
    if not (isinstance(subject, str) and 0 < len(subject) <= MAX_SUBJECT and subject.isprintable()):
        return f"subject must be the identity provider's subject identifier, at most {MAX_SUBJECT} characters"
    roles = entry.get("roles")
    if not isinstance(roles, list) or not roles or not set(roles) <= set(ROLES):
        return f"roles must be a list of one or more of {', '.join(ROLES)}"
    hubs = entry.get("hubs")
    if hubs is not None and (
        not isinstance(hubs, list) or not all(isinstance(h, str) and HUB.fullmatch(h) for h in hubs)
    ):
        return "hubs must be a list of hub ids (lower-case letters, digits, _ and -)"
    return None


def _entry(user: User) -> dict:
    entry = {
        key: value
        for key, value in (("password", user.password_hash), ("email", user.email), ("subject", user.subject))
        if value is not None
    }
    entry["roles"] = [role for role in ROLES if role in user.roles]
    if user.hubs is not None:
        entry["hubs"] = list(user.hubs)
    return entry


def _dump(mapping: dict) -> str:
    return yaml.safe_dump(mapping, sort_keys=False, default_flow_style=None, allow_unicode=True)


def _save(path: Path, edited: str | None, expected: dict[str, User]) -> None:
    """Write the edited text if it reads back as exactly the expected users, else a fresh file.

    Editing the text keeps the administrator's comments and layout; the check
    makes an unusual layout cost only those comments, never a user.
    """
    try:
        keeps_every_user = edited is not None and _parse(edited, path) == expected
    except UsersFileError:
        keeps_every_user = False
    if not keeps_every_user:
        edited = _HEADER + _dump({"users": {name: _entry(user) for name, user in expected.items()}})
    _write_atomically(path, edited)


def _write_atomically(path: Path, text: str) -> None:
    """Readers see the old file or the new one, never half of one; the file stays private (0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as file:
            file.write(text)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _users_block(lines: list[str]) -> tuple[int, int, str] | None:
    """The `users:` mapping in the file's lines: its first line, the line after its end, and its indent."""
    top = next((i for i, line in enumerate(lines) if re.fullmatch(r"users:[ \t]*(#.*)?\n?", line)), None)
    if top is None:
        return None
    end = next((i for i in range(top + 1, len(lines)) if _is_content(lines[i]) and not _indent(lines[i])), len(lines))
    first_entry = next((lines[i] for i in range(top + 1, end) if _is_content(lines[i])), None)
    return top, end, _indent(first_entry) if first_entry else "  "


def _indent(line: str) -> str:
    return line[: len(line) - len(line.lstrip())]


def _is_content(line: str) -> bool:
    return bool(line.strip()) and not line.lstrip().startswith("#")


def _text_with_user_added(path: Path, user: User) -> str | None:
    if not path.exists():
        return None
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    block = _users_block(lines)
    if block is None:
        return None
    top, end, indent = block
    last = max((i for i in range(top, end) if _is_content(lines[i])), default=top)
    lines[last] = lines[last].rstrip("\n") + "\n"
    entry = "".join(indent + line for line in _dump({user.username: _entry(user)}).splitlines(keepends=True))
    return "".join(lines[: last + 1]) + entry + "".join(lines[last + 1 :])


def _text_with_user_removed(path: Path, username: str) -> str | None:
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    block = _users_block(lines)
    if block is None:
        return None
    top, end, indent = block
    own_line = re.compile(re.escape(indent) + re.escape(username) + r"[ \t]*:[ \t]*(#.*)?\n?")
    start = next((i for i in range(top + 1, end) if own_line.fullmatch(lines[i])), None)
    if start is None:
        return None
    next_entry = next(
        (i for i in range(start + 1, end) if _is_content(lines[i]) and len(_indent(lines[i])) <= len(indent)), end
    )
    # Blank lines and comments before the next entry are about that entry: they stay.
    stop = max(i for i in range(start, next_entry) if _is_content(lines[i])) + 1
    return "".join(lines[:start] + lines[stop:])


# `hubdash users`


def configure_parser(subparsers) -> None:
    """Add `users add | list | remove` to the `hubdash` command."""
    users = subparsers.add_parser("users", help="who may sign in: the file named by HUBDASH_USERS")
    commands = users.add_subparsers(dest="users_command", required=True)

    add = commands.add_parser(
        "add",
        help="add a user; asks for the password twice (or reads two lines from stdin), "
        "unless they sign in through the identity provider (--email or --subject)",
    )
    add.add_argument("name", help="the name they sign in with: letters, digits and . _ @ - (kept in lower case)")
    add.add_argument(
        "--role",
        required=True,
        choices=ROLES,
        help="leadership: the dashboard; advisory: feedback review and cycles; admin: both",
    )
    add.add_argument(
        "--hubs", default=None, help="comma-separated hub ids the user may see in detail (default: every hub)"
    )
    through = add.add_mutually_exclusive_group()
    through.add_argument(
        "--email", default=None, help="signs in through the identity provider with this verified e-mail"
    )
    through.add_argument("--subject", default=None, help="signs in through the identity provider as this subject")
    add.set_defaults(run=add_user_command)

    listing = commands.add_parser("list", help="names, roles and hubs (never passwords)")
    listing.set_defaults(run=list_users_command)

    remove = commands.add_parser("remove", help="remove a user and end their sessions")
    remove.add_argument("name", help="the user to remove")
    remove.set_defaults(run=remove_user_command)


def add_user_command(args: argparse.Namespace) -> int:
    path = _configured_file()
    if path is None:
        return 2
    username = args.name.strip().lower()
    if not USERNAME.fullmatch(username):
        return _refuse("a user name uses only lower-case letters, digits and . _ @ -, at most 64 characters")
    hubs = None
    if args.hubs is not None:
        hubs = tuple(dict.fromkeys(hub.strip() for hub in args.hubs.split(",") if hub.strip()))
        if not hubs or not all(HUB.fullmatch(hub) for hub in hubs):
            return _refuse("--hubs takes hub ids separated by commas, such as --hubs north,east")
    email = args.email and args.email.strip().lower()
    if email is not None and not EMAIL.fullmatch(email):
        return _refuse("--email takes one e-mail address, such as --email maria@hub.example")
    try:
        if username in read_users(path):
            return _refuse(f"{username} is already in {path}; `hubdash users remove {username}` first to replace them")
        password_hash = None
        if email is None and args.subject is None:
            password = _read_password(f"Password for {username}: ")
            if _read_password("Again: ") != password:
                return _refuse("the two passwords differ")
            problem = password_problem(username, password)
            if problem:
                return _refuse(problem)
            password_hash = hash_password(password)
        user = User(username, password_hash, frozenset({args.role}), hubs, email, args.subject)
        add_user(path, user)
    except UsersFileError as error:
        return _refuse(str(error))
    scope = "every hub" if hubs is None else "hubs " + ", ".join(hubs)
    print(f"added {username} ({args.role}, {scope}; signs in with {user.sign_in}) to {path}")
    return 0


def list_users_command(args: argparse.Namespace) -> int:
    path = _configured_file()
    if path is None:
        return 2
    try:
        users = read_users(path)
    except UsersFileError as error:
        return _refuse(str(error))
    if not users:
        print(f"no users in {path}")
        return 0
    rows = [("name", "roles", "hubs", "signs in with")] + [
        (
            u.username,
            ", ".join(r for r in ROLES if r in u.roles),
            "every hub" if u.hubs is None else ", ".join(u.hubs) or "none",
            u.sign_in,
        )
        for u in sorted(users.values(), key=lambda u: u.username)
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for name, roles, hubs, sign_in in rows:
        print(f"{name:<{widths[0]}}  {roles:<{widths[1]}}  {hubs:<{widths[2]}}  {sign_in}")
    return 0


def remove_user_command(args: argparse.Namespace) -> int:
    path = _configured_file()
    if path is None:
        return 2
    username = args.name.strip().lower()
    try:
        remove_user(path, username)
    except UsersFileError as error:
        return _refuse(str(error))
    ended = sessions.session_registry().end_all(username)
    print(f"removed {username} from {path} and ended {ended} session(s)")
    return 0


def _configured_file() -> Path | None:
    path = paths.users_file()
    if path is None:
        _refuse(
            "set HUBDASH_USERS to the users file (it is created if missing), e.g. export HUBDASH_USERS=/etc/hubdash/users.yaml"
        )
    return path


def _read_password(prompt: str) -> str:
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def _refuse(message: str) -> int:
    print(f"refused: {message}", file=sys.stderr)
    return 2
