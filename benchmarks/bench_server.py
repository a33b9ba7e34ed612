"""Load on the exercise server: many exercises at once, every delegation busy.

Starts ``accord serve`` on a loopback port with a fresh database, creates 50
six-party exercises, and has their 300 delegations post comments, votes and
messages concurrently (a fixed number of requests each, one connection per delegation). Prints the
throughput and the p50/p99 latency of acknowledged writes on SQLite, and with
``--postgresql postgresql://user:pass@host/db`` on PostgreSQL too, in the same
run, with the ratios between them. Use a database of its own for PostgreSQL
(``createdb accord_bench``): the benchmark adds 50 exercises each run.

Every seat's page is open on its live-update stream throughout (``--pages 0``
closes them): the benchmark also prints the server's CPU use while the pages
are open and nobody writes, and how many events the pages received.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import httpx
import psutil

from accord.server.db import session_factory, upgrade
from accord.server.service import create_exercise

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the tests' helper that starts a server process
from tests.launch import free_port, start_server  # noqa: E402

ERRORS: list[str] = []


async def delegation(
    client: httpx.AsyncClient,
    base: str,
    token: str,
    channel: int,
    proposal: int,
    n: int,
    out: list[float],
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    for k in range(n):
        if k % 3 == 0:
            req = client.post(
                f"{base}/comments",
                json={"version": 1, "issue": "nuclear", "body": f"comment {k}"},
                headers=headers,
            )
        elif k % 3 == 1:
            req = client.post(
                f"{base}/proposals/{proposal}/votes", json={"choice": "accept"}, headers=headers
            )
        else:
            req = client.post(
                f"{base}/channels/{channel}/messages",
                json={"body": f"message {k}"},
                headers=headers,
            )
        start = time.perf_counter()
        try:
            response = await req
        except httpx.HTTPError as exc:
            ERRORS.append(type(exc).__name__)
            continue
        if response.status_code in (200, 201):
            out.append(time.perf_counter() - start)
        else:
            ERRORS.append(str(response.status_code))


async def page(client: httpx.AsyncClient, base: str, token: str, received: list[int]) -> None:
    """One open page: reads its exercise's live-update stream until cancelled."""
    try:
        async with client.stream("GET", f"{base}/events", params={"token": token}) as stream:
            async for line in stream.aiter_lines():
                if line.startswith("data: "):
                    received[0] += 1
    except httpx.HTTPError as exc:
        ERRORS.append(f"page {type(exc).__name__}")


async def idle_cpu(server: psutil.Process, seconds: float) -> float:
    """The server's CPU use (share of one core) over a while with nobody writing."""
    before = server.cpu_times()
    await asyncio.sleep(seconds)
    after = server.cpu_times()
    return (after.user + after.system - before.user - before.system) / seconds


async def load(
    server: psutil.Process,
    port: int,
    tables: list[tuple[int, dict[str, str]]],
    per_delegation: int,
    pages: int,
) -> tuple[list[float], float, float, int]:
    """Pages open, the idle server measured, then every delegation writes at once."""
    latencies: list[float] = []
    received = [0]
    # One connection per delegation, as each delegation's browser would hold: a shared,
    # smaller pool would add the client's own (unfair) queue to the latencies.
    delegations = sum(len(tokens) - 3 for _, tokens in tables)
    limits = httpx.Limits(max_connections=delegations + pages)
    timeout = httpx.Timeout(30, read=None)  # a page's stream may stay quiet for long
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=timeout
    ) as client:
        seats = [
            (f"/api/exercises/{exercise_id}", token)
            for exercise_id, tokens in tables
            for party, token in tokens.items()
            if party != "observer"
        ]
        readers = [
            asyncio.create_task(page(client, base, token, received))
            for base, token in seats[:pages]
        ]
        await asyncio.sleep(3)  # every page connected and caught up
        idle = await idle_cpu(server, 10)
        jobs = []
        for exercise_id, tokens in tables:
            base = f"/api/exercises/{exercise_id}"
            first = tokens["usa"]
            headers = {"Authorization": f"Bearer {first}"}
            channel = (await client.get(f"{base}/channels", headers=headers)).json()[0]["id"]
            proposal = (
                await client.post(
                    f"{base}/proposals", json={"title": "load", "values": {}}, headers=headers
                )
            ).json()["id"]
            for party, token in tokens.items():
                if party not in ("chair", "facilitator", "observer"):
                    jobs.append(
                        delegation(
                            client, base, token, channel, proposal, per_delegation, latencies
                        )
                    )
        start = time.perf_counter()
        await asyncio.gather(*jobs)
        elapsed = time.perf_counter() - start
        await asyncio.sleep(2)  # the last events reach the pages
        for reader in readers:
            reader.cancel()
        await asyncio.gather(*readers, return_exceptions=True)
    return latencies, elapsed, idle, received[0]


def open_rounds(port: int, tables: list[tuple[int, dict[str, str]]]) -> None:
    """The facilitator of every exercise opens round 1: negotiating needs an open round."""
    with httpx.Client(base_url=f"http://127.0.0.1:{port}") as client:
        for exercise_id, tokens in tables:
            opened = client.post(
                f"/api/exercises/{exercise_id}/rounds",
                json={"action": "open"},
                headers={"Authorization": f"Bearer {tokens['facilitator']}"},
            )
            opened.raise_for_status()


def make_exercises(database: str, exercises: int) -> list[tuple[int, dict[str, str]]]:
    """Fresh six-party exercises on a migrated database: (id, {party or role: token})."""
    upgrade(database)
    scenario = (ROOT / "scenarios" / "northeast-asia-2002.toml").read_text()
    tables = []
    with session_factory(database)() as session:
        for _ in range(exercises):
            exercise, seats = create_exercise(session, scenario, "six-party")
            tables.append((exercise.id, {s.party or s.role: s.token for s in seats}))
    return tables


def run(database: str, exercises: int, per_delegation: int, pages: int) -> dict[str, float]:
    """One load run on one database: throughput and latency of acknowledged writes."""
    ERRORS.clear()
    tables = make_exercises(database, exercises)
    port = free_port()
    server = start_server(database, port, log=os.environ.get("ACCORD_BENCH_LOG"))
    try:
        open_rounds(port, tables)
        latencies, elapsed, idle, received = asyncio.run(
            load(psutil.Process(server.pid), port, tables, per_delegation, pages)
        )
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
    latencies.sort()
    result = {
        "writes": len(latencies),
        "seconds": elapsed,
        "rate": len(latencies) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p99": latencies[int(0.99 * (len(latencies) - 1))] * 1000,
        "lost": len(ERRORS),
        "idle": idle,
    }
    kind = database.split(":")[0].split("+")[0]
    print(f"{kind}: {exercises} exercises × 6 delegations × {per_delegation} writes")
    print(
        f"  {result['writes']:.0f} acknowledged in {elapsed:.1f} s = {result['rate']:,.0f} writes/s"
    )
    print(f"  latency p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms")
    print(f"  not acknowledged: {len(ERRORS)} ({', '.join(sorted(set(ERRORS))) or 'none'})")
    print(
        f"  {pages} pages open: idle server {idle:.0%} of a core; "
        f"{received:,} events reached the pages"
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", type=int, default=50)
    parser.add_argument("--writes", type=int, default=20, help="writes per delegation")
    parser.add_argument(
        "--pages", type=int, default=None, help="open pages (default: every seat but observers)"
    )
    parser.add_argument(
        "--postgresql", default=None, help="also measure this PostgreSQL database (its own)"
    )
    args = parser.parse_args()
    sqlite = f"sqlite:///{Path(tempfile.mkdtemp(prefix='accord-load-')) / 'load.db'}"
    pages = args.exercises * 8 if args.pages is None else args.pages
    baseline = run(sqlite, args.exercises, args.writes, pages)
    if args.postgresql:
        other = run(args.postgresql, args.exercises, args.writes, pages)
        print("postgresql against sqlite (same run, same load):")
        print(f"  throughput ×{other['rate'] / baseline['rate']:.2f}")
        p50, p99 = other["p50"] / baseline["p50"], other["p99"] / baseline["p99"]
        print(f"  p50 ×{p50:.2f}, p99 ×{p99:.2f}")


if __name__ == "__main__":
    main()
