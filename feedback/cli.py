"""`hubdash feedback export | import | maintain`: the feedback store's backup and upkeep.

DuckDB lets one process write a file, so while the app is running it holds the
store and these commands say so and change nothing; a PostgreSQL store takes
them while the app runs. The app maintains the store itself once a day. A
backup is a DuckDB file whichever the store, so one store's backup restores
into the other kind.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .store import DEFAULT_RETENTION_DAYS, Store, StoreError, StoreUnavailable, open_store


def configure_parser(subparsers) -> None:
    """Add `feedback export | import | maintain` to the `hubdash` command."""
    feedback = subparsers.add_parser("feedback", help="back up, restore and maintain the feedback store")
    commands = feedback.add_subparsers(dest="feedback_command", required=True)

    export = commands.add_parser(
        "export", help="write a backup of the feedback store (every table but the form tokens)"
    )
    export.add_argument("--out", type=Path, required=True, help="the backup file to write")
    export.set_defaults(run=export_command)

    restore = commands.add_parser("import", help="replace everything in the feedback store by a backup")
    restore.add_argument("file", type=Path, help="a backup written by `hubdash feedback export`")
    restore.set_defaults(run=import_command)

    maintain = commands.add_parser("maintain", help="erase the text of feedback closed long ago, then compact the file")
    maintain.add_argument(
        "--retention-days",
        type=int,
        default=DEFAULT_RETENTION_DAYS,
        help=f"days after closing when a feedback's text is erased (default {DEFAULT_RETENTION_DAYS})",
    )
    maintain.set_defaults(run=maintain_command)


def export_command(args: argparse.Namespace) -> int:
    def export(store: Store) -> str:
        store.export_store(args.out)
        return f"wrote a backup of {store.location} to {args.out}"

    return _with_store(export)


def import_command(args: argparse.Namespace) -> int:
    if not args.file.is_file():
        print(f"no backup at {args.file}", file=sys.stderr)
        return 2

    def restore(store: Store) -> str:
        store.import_store(args.file)
        return f"replaced the feedback store at {store.location} by the backup {args.file}"

    return _with_store(restore)


def maintain_command(args: argparse.Namespace) -> int:
    if args.retention_days < 1:
        print("--retention-days must be 1 or more", file=sys.stderr)
        return 2

    def maintain(store: Store) -> str:
        erased = store.maintain(args.retention_days)
        return (
            f"erased the text of {erased} feedback closed over {args.retention_days} days ago; rewrote {store.location}"
        )

    return _with_store(maintain)


def _with_store(action) -> int:
    try:
        with open_store() as store:
            print(action(store))
    except StoreUnavailable as error:
        print(error, file=sys.stderr)
        return 2
    except StoreError as error:
        print(f"refused: {error}; the feedback store is unchanged", file=sys.stderr)
        return 2
    return 0
