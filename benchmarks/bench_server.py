"""Load on the exercise server: many exercises at once, every delegation busy.

Starts ``accord serve`` on a loopback port with a fresh database, creates 50
six-party exercises, and has their 300 delegations post comments, votes and
messages concurrently (bounded: a fixed number of requests each). Prints the
throughput and the p50/p99 latency of acknowledged writes. SQLite by default;
``--database postgresql://...`` to measure PostgreSQL as well.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import signal
import statistics
import tempfile
import time
from pathlib import Path

import httpx

from accord.server.db import session_factory, upgrade
from accord.server.launch import free_port, start_server
from accord.server.service import create_exercise

ROOT = Path(__file__).resolve().parent.parent
ERRORS: list[str] = []
CONNECTIONS = 32


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


async def load(
    port: int, tables: list[tuple[int, dict[str, str]]], per_delegation: int
) -> tuple[list[float], float]:
    latencies: list[float] = []
    limits = httpx.Limits(max_connections=CONNECTIONS)
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30
    ) as client:
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
    return latencies, elapsed


def run(database: str, exercises: int, per_delegation: int) -> None:
    upgrade(database)
    scenario = (ROOT / "scenarios" / "northeast-asia-2002.toml").read_text()
    tables = []
    with session_factory(database)() as session:
        for _ in range(exercises):
            exercise, seats = create_exercise(session, scenario, "six-party")
            tables.append((exercise.id, {s.party or s.role: s.token for s in seats}))
    port = free_port()
    server = start_server(database, port, log=os.environ.get("ACCORD_BENCH_LOG"))
    try:
        latencies, elapsed = asyncio.run(load(port, tables, per_delegation))
    finally:
        os.kill(server.pid, signal.SIGKILL)
        server.wait()
    latencies.sort()
    p50 = statistics.median(latencies) * 1000
    p99 = latencies[int(0.99 * (len(latencies) - 1))] * 1000
    kind = database.split(":")[0]
    rate = len(latencies) / elapsed
    print(f"{kind}: {exercises} exercises × 6 delegations × {per_delegation} writes")
    print(f"  {len(latencies)} acknowledged in {elapsed:.1f} s = {rate:,.0f} writes/s")
    print(f"  latency p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    print(f"  not acknowledged: {len(ERRORS)} ({', '.join(sorted(set(ERRORS))) or 'none'})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", type=int, default=50)
    parser.add_argument("--writes", type=int, default=20, help="writes per delegation")
    parser.add_argument(
        "--database", default=None, help="a database URL (default: a fresh SQLite file)"
    )
    args = parser.parse_args()
    database = (
        args.database or f"sqlite:///{Path(tempfile.mkdtemp(prefix='accord-load-')) / 'load.db'}"
    )
    run(database, args.exercises, args.writes)


if __name__ == "__main__":
    main()
