"""The `hubdash` command: seed, ingest, audit, publish, users, feedback, run."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from feedback import cli as feedback_cli
from seed.generate import DEFAULT_HUBS, DEFAULT_MONTHS, write_seed

from . import paths
from .identity import users
from .pipeline.ingest import DEFAULT_THRESHOLD
from .web import first_start


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


def build_parser() -> argparse.ArgumentParser:
    """Every command and option of `hubdash`, each with its help text."""
    parser = argparse.ArgumentParser(
        prog="hubdash", description="Hub Dashboard: disclosure-controlled figures for care hubs."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    seed = commands.add_parser("seed", help="write a synthetic agency extract")
    seed.add_argument("--out", type=Path, required=True, help="folder to write the CSV files into")
    seed.add_argument(
        "--hubs", type=int, default=DEFAULT_HUBS, help=f"how many hubs, about five to a region (default {DEFAULT_HUBS})"
    )
    seed.add_argument(
        "--months",
        type=int,
        default=DEFAULT_MONTHS,
        help=f"how many months, up to the last one (default {DEFAULT_MONTHS})",
    )
    seed.add_argument(
        "--seed", type=int, default=0, help="the random seed: the same seed writes the same extract (default 0)"
    )
    seed.set_defaults(run=_seed)

    ingest = commands.add_parser("ingest", help="validate an extract, protect it and publish a new release")
    ingest.add_argument(
        "folder", type=Path, help="the extract: a folder of CSV files in the format of docs/extract-format.md"
    )
    ingest.add_argument("--warehouse", type=Path, default=None, help="default: warehouse.duckdb in HUBDASH_HOME")
    ingest.add_argument(
        "--threshold",
        type=int,
        default=None,
        help=f"K: counts 1..K-1 are never published (default {DEFAULT_THRESHOLD}, or the current release's)",
    )
    ingest.set_defaults(run=_ingest)

    audit = commands.add_parser(
        "audit", help="attack the published warehouse; exit 1 if any hidden cell can be narrowed"
    )
    audit.add_argument("--warehouse", type=Path, default=None, help="default: warehouse.duckdb in HUBDASH_HOME")
    audit.add_argument(
        "--previous", type=Path, default=None, help="an earlier published warehouse file the attacker also kept"
    )
    audit.add_argument(
        "--insiders",
        action="store_true",
        help="also attack as the staff of each hub, who know their own hub's figures (from the staging store)",
    )
    audit.add_argument(
        "--without-order-rules",
        action="store_true",
        help="attack without the extract format's order rules between measures (referred >= accepted >= ...), "
        "as releases were protected before issue 12",
    )
    audit.set_defaults(run=_audit)

    doctor = commands.add_parser("doctor", help="check the data folder's permissions and the app's security headers")
    doctor.add_argument("--home", type=Path, default=None, help="the data folder (default: HUBDASH_HOME)")
    doctor.add_argument("--url", default=None, help="the running app's page, such as http://127.0.0.1:8501/")
    doctor.set_defaults(run=_doctor)

    publish = commands.add_parser("publish", help="write the public summaries of the current release as a static site")
    publish.add_argument("--out", type=Path, required=True, help="the folder to write the site into (empty or absent)")
    publish.add_argument("--replace", action="store_true", help="replace the site already in --out, in one step")
    publish.add_argument(
        "--base-url",
        default=None,
        help="the address the site will be served at, such as https://example.org/hubs/: adds sitemap.txt",
    )
    publish.set_defaults(run=_publish)

    users.configure_parser(commands)
    feedback_cli.configure_parser(commands)

    run = commands.add_parser("run", help="start the app; on a fresh machine, publish the built-in seed first")
    run.add_argument("--port", type=int, default=8501, help="the port to listen on (default 8501)")
    run.add_argument("--address", default="127.0.0.1", help="the address to listen on (default: this machine only)")
    run.set_defaults(run=_run)
    return parser


def _warehouse(args) -> Path:
    return args.warehouse or paths.warehouse()


def _progress(started: float):
    def say(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    return say


def _seed(args) -> int:
    write_seed(args.out, hubs=args.hubs, months=args.months, seed=args.seed)
    print(f"wrote a synthetic extract for {args.hubs} hubs and {args.months} months to {args.out}")
    return 0


def _ingest(args) -> int:
    from .pipeline import warehouse
    from .pipeline.extract import ExtractError
    from .pipeline.ingest import ingest
    from .protection.disclosure import DisclosureError

    if args.threshold is not None and args.threshold < 2:
        print("the threshold must be at least 2", file=sys.stderr)
        return 2
    path = _warehouse(args)
    try:
        outcome = ingest(args.folder, path, args.threshold, progress=_progress(time.perf_counter()))
    except ExtractError as error:
        print(
            f"refused: the extract in {args.folder} breaks {len(error.problems)} rule(s); nothing was loaded.",
            file=sys.stderr,
        )
        for problem in error.problems:
            print(f"  {problem}", file=sys.stderr)
        return 2
    except DisclosureError as error:
        print(f"refused: {error}; nothing was loaded.", file=sys.stderr)
        return 3
    except warehouse.Busy as error:
        print(f"refused: {error}; nothing was loaded.", file=sys.stderr)
        return 4
    if not outcome.changed:
        print(f"nothing changed: release {outcome.number} already holds this extract")
        return 0
    counts = ", ".join(f"{n:,} {reason}" for reason, n in outcome.counts.items())
    print(f"published release {outcome.number} to {path}: {counts}")
    return 0


def _audit(args) -> int:
    from .hierarchy import shown_languages
    from .pipeline import warehouse
    from .pipeline.cube import true_figures
    from .protection import audit

    path = _warehouse(args)
    if not path.exists():
        print(f"no warehouse at {path}", file=sys.stderr)
        return 2
    release = warehouse.read_release(path)
    previous = warehouse.read_release(args.previous) if args.previous else None
    truth = None
    if args.insiders:
        staged = warehouse.read_staging(path, release.number)
        if staged is None:
            print(
                f"no staging store for release {release.number} beside {path}: the staff of each hub cannot be "
                "modelled without their hubs' figures",
                file=sys.stderr,
            )
            return 2
        truth = true_figures(staged, shown_languages(release.cells))
    report = audit.intervals(
        release,
        previous,
        truth=truth,
        order_rules=not args.without_order_rules,
        progress=_progress(time.perf_counter()),
    )
    print(audit.format_report(report, release.threshold))
    return 1 if report["at_risk"].any() else 0


def _publish(args) -> int:
    import duckdb

    from feedback.store import StoreError

    from .web import publish

    try:
        site = publish.publish(
            args.out, replace=args.replace, base_url=args.base_url, progress=_progress(time.perf_counter())
        )
    except publish.FolderNotEmpty as error:
        print(f"refused: {error}; give --replace to replace the site in it. Nothing was written.", file=sys.stderr)
        return 2
    except (FileNotFoundError, NotADirectoryError, publish.ReleaseChanged) as error:
        print(f"refused: {error}", file=sys.stderr)
        return 2
    except (duckdb.IOException, StoreError) as error:
        print(
            f"cannot open the feedback store for the board (is the app running? stop it first): {error}. "
            "Nothing was written.",
            file=sys.stderr,
        )
        return 2
    print(
        f"published release {site.release} as a static site in {site.folder}: {site.files:,} files, "
        f"{site.bytes / 1e6:.1f} MB. Serve it with: python -m http.server --directory {site.folder}"
    )
    return 0


def _doctor(args) -> int:
    from .web import doctor

    return doctor.main(args.home or paths.home(), args.url)


STREAMLIT_SETTINGS = {
    "browser.gatherUsageStats": "false",
    "server.enableAgentApi": "false",
    "server.headless": "true",
    "server.fileWatcherType": "none",
    "server.runOnSave": "false",
    "client.toolbarMode": "viewer",
    "client.showErrorDetails": "false",
    "runner.postScriptGC": "false",
    "theme.textColor": "#111111",
}
"""No usage statistics, no agent API, no file watching, no developer menu, no tracebacks shown to visitors, no full
garbage collection after every run (a fifth of a page's time on the server; Python collects as usual), and
text dark enough that captions pass WCAG AA contrast.
With server.address and browser.serverAddress set, Streamlit does not look up the
machine's external IP at start-up either: the app contacts no host at all. `hubdash run` serves
server.py, which adds the security headers (see there) to Streamlit's server."""


def _run(args) -> int:
    import os

    from .identity import auth

    try:
        provider = auth.provider_settings_from_environment()
    except auth.ProviderSettingsError as error:
        print(
            f"refused: sign-in through the identity provider is not fully configured: {error}. "
            "Set all of them, or none. The app was not started.",
            file=sys.stderr,
        )
        return 2
    if provider:
        # Streamlit signs the state that carries a sign-in from /auth/login to /oauth2callback with
        # server.cookieSecret, read before st.App's secrets are merged, else random in each process: the same
        # secret lets a sign-in begun on one app process end on another.
        os.environ["STREAMLIT_SERVER_COOKIE_SECRET"] = provider["cookie_secret"]
    first_start.begin(f"http://{args.address}:{args.port}/")
    app = Path(__file__).with_name("web") / "server.py"
    settings = {
        **STREAMLIT_SETTINGS,
        "server.port": str(args.port),
        "server.address": args.address,
        "browser.serverAddress": args.address,
    }
    command = [sys.executable, "-m", "streamlit", "run", str(app), *(f"--{k}={v}" for k, v in settings.items())]
    os.execv(sys.executable, command)


if __name__ == "__main__":
    sys.exit(main())
