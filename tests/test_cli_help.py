"""`hubdash COMMAND --help` explains every option: a newcomer learns the commands from it."""

from __future__ import annotations

import argparse

from dashboard.cli import build_parser


def _commands(parser: argparse.ArgumentParser, name: str = "hubdash"):
    """Each command and subcommand's parser, with its full name."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub_parser in action.choices.items():
                yield from _commands(sub_parser, f"{name} {sub_name}")


def test_every_option_of_every_command_has_help():
    undocumented = [
        f"{name}: {action.option_strings[0] if action.option_strings else action.dest}"
        for name, parser in _commands(build_parser())
        for action in parser._actions
        if not isinstance(action, argparse._SubParsersAction) and not (action.help or "").strip()
    ]
    unexplained = [
        f"{name} {command.dest}"
        for name, parser in _commands(build_parser())
        for action in parser._actions
        if isinstance(action, argparse._SubParsersAction)
        for command in action._choices_actions
        if not (command.help or "").strip()
    ]
    assert (undocumented, unexplained) == ([], [])


def test_run_help_names_the_port(capsys):
    try:
        build_parser().parse_args(["run", "--help"])
    except SystemExit:
        pass
    assert "the port to listen on (default 8501)" in capsys.readouterr().out
