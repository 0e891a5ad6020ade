"""`hubdash feedback`: back up, restore and maintain the feedback store from the command line."""

import argparse
import subprocess
import sys
import uuid

import duckdb

from feedback import cli, review
from feedback.store import open_store


def hubdash(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="hubdash")
    cli.configure_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def send(text: str) -> str:
    with open_store() as store:
        return store.submit(
            text=text, about="general", respondent="not_said", language="en", token=uuid.uuid4().hex
        ).feedback_id


def texts() -> list[str]:
    with open_store() as store:
        return store.query("SELECT coalesce(text, '(erased)') AS text FROM feedback ORDER BY text")["text"].tolist()


def test_a_backup_brings_the_feedback_back_as_it_was(home, tmp_path, capsys):
    send("Before the backup.")
    assert hubdash("feedback", "export", "--out", str(tmp_path / "backup.duckdb")) == 0
    send("After the backup.")

    assert hubdash("feedback", "import", str(tmp_path / "backup.duckdb")) == 0

    assert texts() == ["Before the backup."]
    assert "replaced the feedback store" in capsys.readouterr().out


def test_a_file_that_is_not_a_backup_is_refused_and_the_store_kept(home, tmp_path, capsys):
    send("Kept.")
    with duckdb.connect(str(tmp_path / "other.duckdb")) as other:
        other.execute("CREATE TABLE something (x INTEGER)")

    assert hubdash("feedback", "import", str(tmp_path / "other.duckdb")) == 2
    assert hubdash("feedback", "import", str(tmp_path / "missing.duckdb")) == 2

    assert texts() == ["Kept."]
    assert "is not a feedback store backup" in capsys.readouterr().err


def test_maintain_erases_the_text_of_feedback_closed_longer_ago_than_the_retention(home, capsys):
    old, recent = send("Closed long ago."), send("Closed this week.")
    with open_store() as store:
        for feedback_id in (old, recent):
            review.set_status(store, feedback_id, "reviewed")
            review.set_status(store, feedback_id, "closed")
        store.query("UPDATE feedback SET closed_week = '2020-W01' WHERE id = ?", [old])

    assert hubdash("feedback", "maintain", "--retention-days", "30") == 0

    assert texts() == ["(erased)", "Closed this week."]
    assert "erased the text of 1 feedback" in capsys.readouterr().out


def test_while_the_app_holds_the_store_every_command_says_so_and_changes_nothing(home, tmp_path, capsys):
    send("Untouched.")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, duckdb; c = duckdb.connect(sys.argv[1]); print('open', flush=True); sys.stdin.read()",
            str(home / "feedback.duckdb"),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "open"
        assert hubdash("feedback", "maintain") == 2
        assert hubdash("feedback", "export", "--out", str(tmp_path / "backup.duckdb")) == 2
    finally:
        holder.communicate("")
    assert "is the app running? stop it first" in capsys.readouterr().err
    assert not (tmp_path / "backup.duckdb").exists()
    assert texts() == ["Untouched."]


def test_a_postgresql_store_takes_every_command_while_the_app_holds_it(home, tmp_path, postgres, monkeypatch, capsys):
    monkeypatch.setenv("HUBDASH_FEEDBACK_URL", postgres.new_store())
    old = send("Closed long ago.")
    with open_store() as app:  # the running app keeps its own store open
        review.set_status(app, old, "reviewed")
        review.set_status(app, old, "closed")
        app.query("UPDATE feedback SET closed_week = '2020-W01' WHERE id = ?", [old])

        assert hubdash("feedback", "export", "--out", str(tmp_path / "backup.duckdb")) == 0
        send("After the backup.")
        assert hubdash("feedback", "import", str(tmp_path / "backup.duckdb")) == 0
        assert texts() == ["Closed long ago."]
        assert hubdash("feedback", "maintain", "--retention-days", "30") == 0
        assert texts() == ["(erased)"]
    out = capsys.readouterr().out
    assert "PostgreSQL database hubdash on 127.0.0.1" in out and "erased the text of 1 feedback" in out


def test_an_unreachable_postgresql_store_is_named_and_nothing_is_written(home, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HUBDASH_FEEDBACK_URL", "postgresql://hubdash@127.0.0.1:1/feedback?connect_timeout=2")

    assert hubdash("feedback", "export", "--out", str(tmp_path / "backup.duckdb")) == 2

    assert "cannot reach the feedback store, PostgreSQL database feedback on 127.0.0.1:1" in capsys.readouterr().err
    assert not (tmp_path / "backup.duckdb").exists()
