"""Benchmark of `hubdash publish`: the time, files and bytes of the static site, then the summary page served
statically by `python -m http.server` against the same page served live by Streamlit, under the same load.

    python benchmarks/publish.py                  # the default seed network (6 hubs, 36 months)
    python benchmarks/publish.py --large --publish-only   # 50 hubs, 60 months: the site alone
    python benchmarks/publish.py --on DIR         # a data folder kept by `benchmarks/run.py --keep`

A request for the static page is one HTTP GET of the network's latest year. A
request for the live page is what a visitor's browser makes the server do for
it: open Streamlit's WebSocket, ask for the page's script run and read every
message until the run has finished (the JavaScript bundle, fetched once per
visitor and cacheable, is not counted). Both get the same number in flight,
all on 127.0.0.1, from a load generator on the same machine; the live page gets
fewer requests, as it serves far fewer a second. Prints requests per second, the
mean, median, 95th and 99th percentile latency, and the ratio. (`python -m
http.server` queues 5 connections: beyond them a connection waits for the
client to try again, a second or more, which the 99th percentile shows.)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "e2e"))

from browser import free_port, serve  # noqa: E402  (after the path)

from seed.generate import DEFAULT_HUBS, DEFAULT_MONTHS, LARGE_HUBS, LARGE_MONTHS, write_seed  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--large", action="store_true", help=f"{LARGE_HUBS} hubs and {LARGE_MONTHS} months")
    parser.add_argument("--on", type=Path, metavar="DIR", help="a data folder with a published release")
    parser.add_argument("--publish-only", action="store_true", help="publish, without the load test")
    parser.add_argument("--requests", type=int, default=2000, help="requests for the static page (default 2,000)")
    parser.add_argument(
        "--live-requests",
        type=int,
        default=300,
        help="requests for the live page (default 300: it serves one or two a second)",
    )
    parser.add_argument("--in-flight", type=int, default=50, help="requests in flight at once (default 50)")
    args = parser.parse_args()
    home = args.on or Path(tempfile.mkdtemp(prefix="hubdash-publish-bench-"))
    os.environ["HUBDASH_HOME"] = str(home)
    site = Path(tempfile.mkdtemp(prefix="hubdash-site-")) / "site"
    try:
        if not args.on:
            publish_release(
                home,
                hubs=LARGE_HUBS if args.large else DEFAULT_HUBS,
                months=LARGE_MONTHS if args.large else DEFAULT_MONTHS,
            )
        page = publish_site(site)
        if not args.publish_only:
            compare(home, site, page, args.requests, args.live_requests, args.in_flight)
    finally:
        shutil.rmtree(site.parent, ignore_errors=True)
        if not args.on:
            shutil.rmtree(home, ignore_errors=True)
    return 0


def publish_release(home: Path, hubs: int, months: int) -> None:
    from dashboard.pipeline.ingest import ingest

    print(f"network: {hubs} hubs, {months} months; data folder {home}", flush=True)
    started = time.perf_counter()
    write_seed(home / "extract", hubs=hubs, months=months)
    ingest(home / "extract", home / "warehouse.duckdb")
    print(f"seed and ingest: {time.perf_counter() - started:.0f} s", flush=True)


def publish_site(site: Path) -> str:
    """Publish, print its time, files and bytes; return the path of the network's latest year."""
    from dashboard.web import public_summary, publish

    started = time.perf_counter()
    published = publish.publish(site)
    seconds = time.perf_counter() - started
    summaries = len(list(site.glob("network/*.html"))) - 1
    print(
        f"publish: {seconds:.1f} s, {published.files:,} files, {published.bytes / 1e6:.1f} MB "
        f"({summaries} periods x {len(public_summary.places())} places)",
        flush=True,
    )
    return f"network/{public_summary.periods('year')[-1]}.html"


def compare(home: Path, site: Path, page: str, requests: int, live_requests: int, in_flight: int) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(site)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        time.sleep(1)
        static = asyncio.run(load(lambda: get("127.0.0.1", port, f"/{page}"), requests, in_flight))
    finally:
        server.terminate()
        server.wait()
    report(f"static  GET /{page} (python -m http.server)", static)
    with serve(home) as url:
        live_port = int(url.rsplit(":", 1)[1])
        asyncio.run(live_page(live_port))  # the first run fills the app's caches, as any visitor before would
        live = asyncio.run(load(lambda: live_page(live_port), live_requests, in_flight))
    report("live    / (Streamlit, one script run over its WebSocket)", live)
    print(
        f"ratio: the static page serves {static['rate'] / live['rate']:.0f} times the requests per second; "
        f"its p95 latency is {live['p95'] / static['p95']:.0f} times lower",
        flush=True,
    )


async def load(request, total: int, in_flight: int) -> dict:
    """`total` requests, `in_flight` at a time; the latencies of those answered, the rate over the whole run, and
    how many failed."""
    latencies: list[float] = []
    failed = 0
    queue = iter(range(total))

    async def worker() -> None:
        nonlocal failed
        for _ in queue:
            started = time.perf_counter()
            try:
                await request()
            except OSError:  # refused or reset: counted, not retried
                failed += 1
                continue
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(in_flight)))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "n": len(ordered),
        "failed": failed,
        "in_flight": in_flight,
        "rate": len(ordered) / elapsed,
        "mean": statistics.mean(ordered),
        "p50": statistics.median(ordered),
        "p95": ordered[int(0.95 * (len(ordered) - 1))],
        "p99": ordered[int(0.99 * (len(ordered) - 1))],
    }


async def get(host: str, port: int, path: str) -> None:
    """One HTTP/1.0 GET, read to the end; anything but 200 fails the run."""
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\n\r\n".encode())
    response = await reader.read()
    writer.close()
    if not response.startswith((b"HTTP/1.0 200", b"HTTP/1.1 200")):
        raise RuntimeError(f"GET {path}: {response[:80]!r}")


async def live_page(port: int) -> None:
    """What a browser makes Streamlit do for one view of the public summary: a session, one script run."""
    import websockets
    from streamlit.proto.BackMsg_pb2 import BackMsg
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

    rerun = BackMsg()
    rerun.rerun_script.query_string = ""
    rerun.rerun_script.page_script_hash = ""
    async with websockets.connect(
        f"ws://127.0.0.1:{port}/_stcore/stream",
        subprotocols=["streamlit"],
        origin=f"http://127.0.0.1:{port}",
        max_size=None,
        open_timeout=None,
    ) as socket:
        await socket.send(rerun.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await socket.recv())
            if message.WhichOneof("type") == "script_finished":
                if message.script_finished == ForwardMsg.FINISHED_SUCCESSFULLY:
                    return
                if message.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                    raise RuntimeError(f"the script run ended with {message.script_finished}")


def report(name: str, result: dict) -> None:
    print(
        f"{name}: {result['n']:,} requests ({result['failed']} failed), {result['in_flight']} in flight: {result['rate']:.1f} requests/s, "
        + ", ".join(f"{key} {result[key] * 1000:,.0f} ms" for key in ("mean", "p50", "p95", "p99")),
        flush=True,
    )


if __name__ == "__main__":
    sys.exit(main())
