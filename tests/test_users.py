"""Who may sign in: password rules, the users file, the demo accounts, and `hubdash users`."""

from __future__ import annotations

import argparse
import io
import re
import stat
import sys

import bcrypt
import pytest
import yaml

from dashboard.identity import auth, users
from dashboard.identity.users import User, UsersFileError, add_user, password_problem, read_users, remove_user

HASH = bcrypt.hashpw(b"a password nobody types", bcrypt.gensalt(4)).decode()


@pytest.fixture
def users_file(home, tmp_path, monkeypatch):
    path = tmp_path / "config" / "users.yaml"
    monkeypatch.setenv("HUBDASH_USERS", str(path))
    return path


def hubdash_users(monkeypatch, *argv: str, stdin: str = "") -> int:
    """Run `hubdash users ...` as the lead's cli.py will, with stdin not a terminal."""
    parser = argparse.ArgumentParser(prog="hubdash")
    users.configure_parser(parser.add_subparsers(dest="command", required=True))
    monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
    args = parser.parse_args(["users", *argv])
    return args.run(args)


# Password rules


@pytest.mark.parametrize(
    "password, because",
    [
        ("short-pass1", "at least 12 characters"),
        ("é" * 37, "at most 72 bytes"),
        (" lantern quilt harbour", "begin or end with a space"),
        ("password1234", "too common"),
        ("qwertyuiop12", "too common"),
        ("Summer2024!!", "too common"),
        ("December2025", "too common"),
        ("P@ssw0rd2024!", "too common"),
        ("1q2w3e4r5t6y", "too common"),
        ("hubdashboard!", "too common"),
        ("correct horse battery staple", "too common"),
        ("Alice-lantern-quilt", "must not contain the user name"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(password, because):
    assert because in password_problem("alice", password)


def test_a_long_uncommon_passphrase_is_accepted():
    assert password_problem("alice", "harbour lantern quilt 7") is None


def test_the_shipped_list_holds_a_few_thousand_common_passwords():
    common = users.common_passwords()
    assert len(common) > 2000
    assert {"123456", "password", "qwerty", "iloveyou", "1q2w3e4r"} <= common


def test_a_stored_hash_checks_only_the_right_password():
    stored = users.hash_password("harbour lantern quilt 7")
    assert users.verify_password("harbour lantern quilt 7", stored)
    assert not users.verify_password("harbour lantern quilt 8", stored)
    assert not users.verify_password("harbour lantern quilt 7", None)


# The users file


def test_users_written_to_the_file_read_back_the_same(users_file):
    alice = User("alice", HASH, frozenset({"leadership"}), ("east", "north"))
    bob = User("bob", HASH, frozenset({"admin"}))
    add_user(users_file, alice)
    add_user(users_file, bob)
    assert read_users(users_file) == {"alice": alice, "bob": bob}
    remove_user(users_file, "alice")
    assert read_users(users_file) == {"bob": bob}


def test_the_users_file_is_private_to_its_owner(users_file):
    add_user(users_file, User("alice", HASH, frozenset({"admin"})))
    assert stat.S_IMODE(users_file.stat().st_mode) == 0o600


def test_a_missing_users_file_holds_nobody(users_file):
    assert read_users(users_file) == {}


def test_adding_and_removing_a_user_keeps_the_administrators_comments(users_file):
    users_file.parent.mkdir()
    original = (
        "# Ask Sam before changing this file.\n"
        "users:\n"
        "    # Sam runs the network.\n"
        "    sam:\n"
        f"        password: '{HASH}'\n"
        "        roles: [admin]   # both dashboards\n"
        "    # Kim chairs the advisory group.\n"
        "    kim:\n"
        f"        password: '{HASH}'\n"
        "        roles: [advisory]\n"
    )
    users_file.write_text(original)
    add_user(users_file, User("lee", HASH, frozenset({"leadership"}), ("north",)))
    edited = users_file.read_text()
    assert edited.startswith(original)
    assert set(read_users(users_file)) == {"sam", "kim", "lee"}
    remove_user(users_file, "lee")
    assert users_file.read_text() == original
    remove_user(users_file, "sam")
    assert "# Kim chairs the advisory group." in users_file.read_text()
    assert "# Sam runs the network." in users_file.read_text()
    assert set(read_users(users_file)) == {"kim"}


def test_a_failed_write_leaves_the_old_file_whole_and_no_stray_file(users_file, monkeypatch):
    add_user(users_file, User("alice", HASH, frozenset({"admin"})))
    before = users_file.read_bytes()

    def crash(*args):
        raise OSError("disk full")

    monkeypatch.setattr(users.os, "replace", crash)
    with pytest.raises(OSError):
        add_user(users_file, User("bob", HASH, frozenset({"admin"})))
    assert users_file.read_bytes() == before
    assert [p.name for p in users_file.parent.iterdir()] == ["users.yaml"]


@pytest.mark.parametrize(
    "entry, because",
    [
        ({"password": "plain-text-password", "roles": ["admin"]}, "bcrypt hash"),
        ({"password": HASH, "roles": ["superuser"]}, "roles must be"),
        ({"password": HASH, "roles": []}, "roles must be"),
        ({"password": HASH, "roles": ["leadership"], "hub": ["north"]}, "unknown entries ['hub']"),
        ({"password": HASH, "roles": ["leadership"], "hubs": "north"}, "hubs must be a list"),
        ({"roles": ["leadership"]}, "needs a password, an email or a subject"),
        ({"email": "not an address", "roles": ["leadership"]}, "email must be one e-mail address"),
        ({"subject": "", "roles": ["leadership"]}, "subject must be"),
        ({"email": "BOB@hub.example", "roles": ["advisory"]}, "email bob@hub.example is given to more than one user"),
    ],
)
def test_a_users_file_with_a_doubtful_entry_is_refused_whole(users_file, entry, because):
    users_file.parent.mkdir()
    users_file.write_text(
        yaml.safe_dump(
            {"users": {"alice": entry, "bob": {"password": HASH, "email": "bob@hub.example", "roles": ["admin"]}}}
        )
    )
    with pytest.raises(UsersFileError, match=re.escape(because)):
        read_users(users_file)


# Demo accounts


def test_demo_accounts_exist_while_no_users_file_is_configured(home, monkeypatch):
    monkeypatch.delenv("HUBDASH_USERS", raising=False)
    accounts = users.accounts(["west", "east", "north"])
    assert {name: (sorted(u.roles), u.hubs) for name, u in accounts.items()} == {
        "leader": (["leadership"], None),
        "advisor": (["advisory"], None),
        "admin": (["admin"], None),
        "hublead": (["leadership"], ("east",)),
    }
    assert all(users.verify_password(users.DEMO_PASSWORDS[name], u.password_hash) for name, u in accounts.items())


def test_no_demo_account_signs_in_once_a_users_file_is_configured(users_file, home):
    add_user(users_file, User("alice", HASH, frozenset({"admin"})))
    accounts = users.accounts(["east"])
    assert set(accounts) == {"alice"}
    throttle = auth.Throttle()
    for name, password in users.DEMO_PASSWORDS.items():
        assert auth.check_sign_in("local", name, password, accounts, throttle).user is None


def test_no_demo_account_signs_in_while_the_configured_file_is_still_missing(users_file):
    assert users.accounts(["east"]) == {}


# `hubdash users`


def test_users_add_writes_a_hash_of_the_password_typed_twice(users_file, monkeypatch, capsys):
    code = hubdash_users(
        monkeypatch,
        "add",
        "Alice",
        "--role",
        "leadership",
        "--hubs",
        "north, east",
        stdin="harbour lantern quilt 7\n" * 2,
    )
    assert code == 0
    alice = read_users(users_file)["alice"]
    assert alice.roles == {"leadership"} and alice.hubs == ("north", "east")
    assert users.verify_password("harbour lantern quilt 7", alice.password_hash)
    assert "harbour" not in users_file.read_text()
    assert "added alice" in capsys.readouterr().out


@pytest.mark.parametrize(
    "stdin, because",
    [
        ("harbour lantern quilt 7\nharbour lantern quilt 8\n", "differ"),
        ("password1234\npassword1234\n", "too common"),
        ("alice-harbour-lantern\nalice-harbour-lantern\n", "user name"),
    ],
)
def test_users_add_refuses_a_bad_password_and_writes_nothing(users_file, monkeypatch, capsys, stdin, because):
    assert hubdash_users(monkeypatch, "add", "alice", "--role", "admin", stdin=stdin) == 2
    assert because in capsys.readouterr().err
    assert not users_file.exists()


def test_users_add_with_an_email_or_subject_asks_no_password_and_signs_in_only_through_the_provider(
    users_file, monkeypatch, capsys
):
    assert hubdash_users(monkeypatch, "add", "maria", "--role", "advisory", "--email", "Maria@Hub.example") == 0
    assert hubdash_users(monkeypatch, "add", "ade", "--role", "leadership", "--hubs", "north", "--subject", "9c1e") == 0
    maria, ade = read_users(users_file)["maria"], read_users(users_file)["ade"]
    assert (maria.password_hash, maria.email, maria.roles) == (None, "maria@hub.example", {"advisory"})
    assert (ade.password_hash, ade.subject, ade.hubs) == (None, "9c1e", ("north",))
    assert users.signed_in_by_provider(read_users(users_file), "another subject", "maria@hub.example") == maria
    assert users.signed_in_by_provider(read_users(users_file), "9c1e", None) == ade
    assert hubdash_users(monkeypatch, "add", "mia", "--role", "advisory", "--email", "maria@hub.example") == 2
    assert "already signs in as another user" in capsys.readouterr().err
    assert hubdash_users(monkeypatch, "list") == 0
    listed = capsys.readouterr().out
    assert "identity provider (maria@hub.example)" in listed and "identity provider (subject 9c1e)" in listed


def test_users_add_refuses_an_existing_user(users_file, monkeypatch, capsys):
    add_user(users_file, User("alice", HASH, frozenset({"admin"})))
    assert hubdash_users(monkeypatch, "add", "alice", "--role", "advisory", stdin="harbour lantern quilt 7\n" * 2) == 2
    assert "already" in capsys.readouterr().err
    assert read_users(users_file)["alice"].roles == {"admin"}


def test_users_commands_need_hubdash_users(home, monkeypatch, capsys):
    monkeypatch.delenv("HUBDASH_USERS", raising=False)
    assert hubdash_users(monkeypatch, "add", "alice", "--role", "admin", stdin="harbour lantern quilt 7\n" * 2) == 2
    assert "HUBDASH_USERS" in capsys.readouterr().err


def test_users_list_shows_names_roles_and_hubs_but_no_hashes(users_file, monkeypatch, capsys):
    add_user(users_file, User("alice", HASH, frozenset({"leadership"}), ("north", "east")))
    add_user(users_file, User("bob", HASH, frozenset({"admin"})))
    assert hubdash_users(monkeypatch, "list") == 0
    out = capsys.readouterr().out
    assert "alice" in out and "north, east" in out and "bob" in out and "every hub" in out
    assert "$2b$" not in out


def test_users_remove_takes_the_user_out_and_ends_their_sessions(users_file, home, monkeypatch, capsys):
    add_user(users_file, User("alice", HASH, frozenset({"admin"})))
    add_user(users_file, User("bob", HASH, frozenset({"admin"})))
    session = auth.start_session("alice")
    assert auth.restore(session, []).signed_in
    assert hubdash_users(monkeypatch, "remove", "alice") == 0
    assert set(read_users(users_file)) == {"bob"}
    assert "ended 1 session" in capsys.readouterr().out
    add_user(users_file, User("alice", HASH, frozenset({"admin"})))  # even back under the same name
    assert not auth.restore(session, []).signed_in
