"""The exercise server under load from ``wrk``, against a bare FastAPI + SQLAlchemy endpoint.

``bench_server.py`` drives the server from Python on the same cores, and the driver
sets its numbers. Here the load comes from ``wrk`` (Debian's package, compiled), with
a Lua script that sends every request as a different delegation's comment (300
delegations of 50 six-party exercises, each with its own token), so that the figures
are the server's. In the same run, in turn with accord (``--rounds`` times, since
the machine's pace moves from minute to minute), the same ``wrk`` load goes to
``bare_server.py``: FastAPI + SQLAlchemy on the same kind of database doing the unit
of work at the core of a comment (token looked up by its hash, one row inserted,
committed) and nothing else. The median of the ratios closes each database's part.

Then a paced run, as a busy real exercise: every delegation writes once every 10 s
(30 writes/s in all), from Python, for ``--paced`` seconds; the latencies of those
writes, against the bare endpoint's under the same pace.

With ``--postgresql URL`` (a database of its own: ``createdb accord_bench``) the same
on PostgreSQL, with ``accord serve --workers 1`` and ``--workers 2``.

Needs ``wrk`` (``apt-get install wrk``) and the server extra. Prints acknowledged
writes per second, p50 and p99, and the ratios to the bare endpoint.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from accord.server.service import hash_token

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))  # the tests' helper that starts a server process
sys.path.insert(0, str(HERE))
from bare_server import copy_tokens  # noqa: E402
from bench_server import make_exercises, open_rounds  # noqa: E402
from tests.launch import answering, free_port, start_server  # noqa: E402

LUA = """
local seats = {%s}
local body = '{"version": 1, "issue": "nuclear", "body": "a comment under load"}'
local counter = 1
function setup(thread)
  thread:set("offset", counter * 7919)
  counter = counter + 1
end
function init(args)
  n = offset
end
function request()
  n = n + 1
  local seat = seats[(n %% #seats) + 1]
  return wrk.format("POST", seat[1], {
    ["Authorization"] = "Bearer " .. seat[2],
    ["Content-Type"] = "application/json",
  }, body)
end
"""


def delegations(tables: list[tuple[int, dict[str, str]]]) -> list[tuple[str, str]]:
    """(comments path, token) of every delegation."""
    return [
        (f"/api/exercises/{exercise_id}/comments", token)
        for exercise_id, tokens in tables
        for party, token in tokens.items()
        if party not in ("chair", "facilitator", "observer")
    ]


def _ms(text: str) -> float:
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()  # type: ignore[union-attr]
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def wrk(port: int, script: Path, seconds: int, connections: int) -> dict[str, float]:
    """One wrk run: acknowledged writes per second, p50 and p99 in ms, refused answers."""
    url = f"http://127.0.0.1:{port}"
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script), url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    total = int(re.search(r"(\d+) requests in", out)[1])  # type: ignore[index]
    took = float(re.search(r"requests in ([\d.]+)s", out)[1])  # type: ignore[index]
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: (.*)", out)
    bad = int(refused[1]) if refused else 0
    return {
        "rate": (total - bad) / took,
        "p50": _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M)[1]),  # type: ignore[index]
        "p99": _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M)[1]),  # type: ignore[index]
        "refused": bad,
        "socket_errors": 0 if errors is None else sum(map(int, re.findall(r"\d+", errors[1]))),
    }


async def paced(port: int, seats: list[tuple[str, str]], seconds: float) -> list[float]:
    """Every delegation writes once every 10 s, from a random start; the latencies."""
    latencies: list[float] = []
    rng = random.Random(0)
    limits = httpx.Limits(max_connections=len(seats))

    async def one(path: str, token: str, start: float) -> None:
        await asyncio.sleep(start)
        deadline = time.monotonic() + seconds - start
        while time.monotonic() < deadline:
            began = time.perf_counter()
            answer = await client.post(
                path,
                json={"version": 1, "issue": "nuclear", "body": "paced"},
                headers={"Authorization": f"Bearer {token}"},
            )
            if answer.status_code == 201:
                latencies.append((time.perf_counter() - began) * 1000)
            await asyncio.sleep(10)

    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}", limits=limits, timeout=30
    ) as client:
        await asyncio.gather(*(one(p, t, rng.uniform(0, 10)) for p, t in seats))
    return latencies


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


def start_bare(database: str, port: int) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "bare_server.py"), database, str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    return answering(proc, port)


def show(name: str, r: dict[str, float], base: dict[str, float] | None = None) -> None:
    ratio = "" if base is None else f"   ×{r['rate'] / base['rate']:.2f} the bare endpoint's rate"
    print(
        f"  {name:<34} {r['rate']:>8,.0f} writes/s  p50 {r['p50']:>7.1f} ms  "
        f"p99 {r['p99']:>7.1f} ms  refused {r['refused']:.0f}{ratio}"
    )


def show_paced(late: list[float], seconds: float) -> None:
    p99 = late[int(0.99 * (len(late) - 1))]
    print(
        f"  paced: every delegation writing every 10 s for {seconds:.0f} s: {len(late)} "
        f"writes, p50 {statistics.median(late):.1f} ms, p99 {p99:.1f} ms"
    )


def measure(database: str, args: argparse.Namespace, workers: tuple[int, ...]) -> None:
    """Bare endpoint and accord in turn, ``--rounds`` times; the median of each ratio."""
    tables = make_exercises(database, args.exercises)
    seats = delegations(tables)
    folder = Path(tempfile.mkdtemp(prefix="accord-wrk-"))
    script = folder / "comments.lua"
    script.write_text(LUA % ", ".join(f'{{"{p}", "{t}"}}' for p, t in seats))
    kind = database.split(":")[0].split("+")[0]
    print(f"\n{kind}: {len(seats)} delegations, wrk -t2 -c{args.connections} -d{args.seconds}s")
    copy_tokens(database, [hash_token(t) for _, t in seats])
    os.environ["ACCORD_SEAT_WRITES_PER_MINUTE"] = "0"  # the load, not the pace limit
    ratios: dict[int, list[float]] = {n: [] for n in workers}
    for turn in range(args.rounds):
        port = free_port()
        bare = start_bare(database, port)
        try:
            base = wrk(port, script, args.seconds, args.connections)
            show("bare FastAPI + SQLAlchemy", base)
            if args.paced and turn == 0:
                show_paced(sorted(asyncio.run(paced(port, seats, args.paced))), args.paced)
        finally:
            stop(bare)
        for n in workers:
            port = free_port()
            server = start_server(database, port, workers=n)
            try:
                open_rounds(port, tables)
                ours = wrk(port, script, args.seconds, args.connections)
                show(f"accord serve --workers {n}", ours, base)
                ratios[n].append(ours["rate"] / base["rate"])
                if args.paced and n == 1 and turn == 0:
                    show_paced(sorted(asyncio.run(paced(port, seats, args.paced))), args.paced)
            finally:
                stop(server)
    for n, each in ratios.items():
        shown = ", ".join(f"×{r:.2f}" for r in each)
        median = statistics.median(each)
        print(f"  --workers {n}: ×{median:.2f} the bare endpoint's rate, median of {shown}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", type=int, default=50)
    parser.add_argument("--seconds", type=int, default=15, help="each wrk run")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument(
        "--rounds", type=int, default=3, help="bare and accord in turn, this many times"
    )
    parser.add_argument("--paced", type=float, default=30, help="seconds of paced load (0: none)")
    parser.add_argument("--postgresql", default=None, help="also this PostgreSQL database")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    sqlite = f"sqlite:///{Path(tempfile.mkdtemp(prefix='accord-wrk-')) / 'load.db'}"
    measure(sqlite, args, workers=(1,))
    if args.postgresql:
        measure(args.postgresql, args, workers=(1, 2))


if __name__ == "__main__":
    main()
