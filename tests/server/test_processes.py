"""The server as a process: durability through SIGKILL, software delegations, the deadline clock."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.server.app import create_app
from accord.server.db import session_factory
from accord.server.deps import run_with_session
from accord.server.models import Exercise
from accord.server.service import create_exercise, record
from accord.server.settings import ServerSettings
from tests.launch import free_port, start_server
from tests.server.conftest import BACKENDS, POSTGRESQL, SCENARIO, database_url


@pytest.fixture(params=BACKENDS)
def committed(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A database whose writes stay (no rolled-back transaction): SQLite, and PostgreSQL."""
    return database_url(request.param, tmp_path)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGKILL)  # the server and, with --workers, its workers
    proc.wait(timeout=10)


def _wait_for(check: Callable[[], Any], seconds: float = 15) -> Any:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"nothing happened within {seconds} s")


def _open_round(api: str, token: str) -> None:
    opened = httpx.post(
        f"{api}/rounds", json={"action": "open"}, headers={"Authorization": f"Bearer {token}"}
    )
    assert opened.is_success, opened.text


def test_acknowledged_submissions_survive_a_sigkill(committed: str) -> None:
    with session_factory(committed)() as session:
        exercise, seats = create_exercise(session, SCENARIO, "bilateral-us-dprk")
    token = next(s.token for s in seats if s.party == "usa")
    headers = {"Authorization": f"Bearer {token}"}
    acknowledged: list[str] = []
    port = free_port()
    api = f"http://127.0.0.1:{port}/api/exercises/{exercise.id}"
    for session_number in range(3):
        proc = start_server(committed, port)
        try:
            plenary = httpx.get(f"{api}/channels", headers=headers).json()[0]["id"]
            for k in range(5):
                body = f"statement {session_number}-{k}"
                r = httpx.post(
                    f"{api}/channels/{plenary}/messages", json={"body": body}, headers=headers
                )
                if r.status_code == 201:
                    acknowledged.append(body)
        finally:
            _stop(proc)
    proc = start_server(committed, port)
    try:
        stored = httpx.get(f"{api}/channels/{plenary}/messages", headers=headers).json()
    finally:
        _stop(proc)
    assert len(acknowledged) == 15
    assert [m["body"] for m in stored] == acknowledged


def test_writes_committed_together_survive_a_sigkill_under_load(
    committed: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """24 delegations writing at once, the server killed under them: nothing acknowledged is lost.

    On SQLite the writer commits the writes waiting together and answers each only once
    their transaction has committed, so a kill between a batch's work and its commit
    loses only writes nobody was told were recorded.
    """
    monkeypatch.setenv("ACCORD_SEAT_WRITES_PER_MINUTE", "0")  # as fast as they can
    with session_factory(committed)() as session:
        made = [create_exercise(session, SCENARIO, "six-party") for _ in range(4)]
    port = free_port()
    base = f"http://127.0.0.1:{port}/api/exercises"
    proc = start_server(committed, port)
    acknowledged: set[str] = set()
    plenary: dict[int, int] = {}

    async def load() -> None:
        async with httpx.AsyncClient(timeout=10) as client:

            async def write(exercise_id: int, token: str, who: str) -> None:
                headers = {"Authorization": f"Bearer {token}"}
                url = f"{base}/{exercise_id}/channels/{plenary[exercise_id]}/messages"
                for k in range(10_000):
                    try:
                        answer = await client.post(
                            url, json={"body": f"{who} {k}"}, headers=headers
                        )
                    except httpx.HTTPError:
                        return  # the server is gone
                    if answer.status_code == 201:
                        acknowledged.add(f"{who} {k}")

            async def kill_once_busy() -> None:
                while len(acknowledged) < 150:
                    await asyncio.sleep(0.005)
                os.killpg(proc.pid, signal.SIGKILL)

            writers = []
            for exercise, seats in made:
                first = next(s.token for s in seats if s.role == "delegation")
                channels = await client.get(
                    f"{base}/{exercise.id}/channels", headers={"Authorization": f"Bearer {first}"}
                )
                plenary[exercise.id] = channels.json()[0]["id"]
                writers += [
                    write(exercise.id, s.token, f"{exercise.id}/{s.party}")
                    for s in seats
                    if s.role == "delegation"
                ]
            await asyncio.wait_for(asyncio.gather(kill_once_busy(), *writers), timeout=120)

    try:
        asyncio.run(load())
    finally:
        _stop(proc)
    proc = start_server(committed, port)
    stored: set[str] = set()
    try:
        for exercise, seats in made:
            token = next(s.token for s in seats if s.role == "delegation")
            url = f"{base}/{exercise.id}/channels/{plenary[exercise.id]}/messages"
            answer = httpx.get(url, headers={"Authorization": f"Bearer {token}"})
            stored |= {m["body"] for m in answer.json()}
    finally:
        _stop(proc)
    assert len(acknowledged) >= 150
    assert acknowledged <= stored, f"lost: {sorted(acknowledged - stored)[:5]}"


def test_a_software_delegation_acts_through_the_api(tmp_path: Path) -> None:
    database = database_url("sqlite", tmp_path)
    with session_factory(database)() as session:
        exercise, seats = create_exercise(
            session, SCENARIO, "bilateral-us-dprk", bots={"dprk": "hardliner"}
        )
    token = {s.party or s.role: s.token for s in seats}
    port = free_port()
    proc = start_server(database, port)
    api = f"http://127.0.0.1:{port}/api/exercises/{exercise.id}"

    def as_(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token[who]}"}

    try:
        _open_round(api, token["facilitator"])
        httpx.post(
            f"{api}/text", json={"base_version": 1, "values": {"nuclear": 75}}, headers=as_("chair")
        )
        comments = _wait_for(
            lambda: [
                c
                for c in httpx.get(f"{api}/comments", headers=as_("chair")).json()
                if c["version"] == 2
            ]
        )
        # A hardliner DPRK wants the nuclear terms back towards guarantees first.
        assert comments[0]["issue"] == "nuclear" and comments[0]["amendment"] == 50
        pid = httpx.post(
            f"{api}/proposals",
            json={"title": "Package", "values": {"nuclear": 75}},
            headers=as_("usa"),
        ).json()["id"]
        _wait_for(
            lambda: httpx.get(f"{api}/proposals", headers=as_("usa")).json()[0]["votes_cast"] == 1
        )
        closed = httpx.post(f"{api}/proposals/{pid}/close", headers=as_("chair")).json()
        assert [v["choice"] for v in closed["votes"]] == ["reject"]  # the hardliner holds out
    finally:
        _stop(proc)


@pytest.fixture
def live(committed: str) -> Iterator[TestClient]:
    """The app with its clock running (every 0.2 s), on a database whose writes stay."""
    app = create_app(ServerSettings(database_url=committed, clock_seconds=0.2))
    with TestClient(app) as client:  # runs the app's lifespan: the clock
        yield client


def test_the_clock_closes_a_round_at_its_deadline(live: TestClient, committed: str) -> None:
    with session_factory(committed)() as session:
        exercise, seats = create_exercise(session, SCENARIO, "bilateral-us-dprk")
    token = {s.party or s.role: s.token for s in seats}
    api = f"/api/exercises/{exercise.id}"
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1)).isoformat()
    live.post(
        f"{api}/rounds",
        json={"action": "open", "deadline": soon},
        headers={"Authorization": f"Bearer {token['facilitator']}"},
    )
    usa = {"Authorization": f"Bearer {token['usa']}"}
    closing = _wait_for(
        lambda: [
            e
            for e in live.get(f"{api}/timeline", headers=usa).json()
            if e["kind"] == "round" and e["payload"].get("reason") == "deadline"
        ],
        seconds=10,
    )
    assert closing[0]["payload"]["number"] == 1
    assert live.get(f"{api}/me", headers=usa).json()["round"]["state"] == "closed"


def test_work_cut_short_by_a_shutdown_ends_before_its_connection_closes(committed: str) -> None:
    """An event stream's query, cancelled mid-way, finishes on its connection.

    Found by a crash: the clock's session was closed when the server shut down while
    its query still ran in a worker thread, and SQLite took the process down. (Writes,
    the clock's included, are made on the event loop now, which nothing interrupts mid-way,
    or in the writer's thread, waited for in the same way as this read.)
    """
    app = create_app(ServerSettings(database_url=committed, clock_seconds=0))
    started, release = threading.Event(), threading.Event()
    counted: list[int] = []

    def work(session: Session) -> None:
        started.set()
        release.wait(10)
        counted.append(session.scalar(select(func.count()).select_from(Exercise)) or 0)

    async def shut_down_midway() -> bool:
        task = asyncio.create_task(run_with_session(app, False, work))
        assert await asyncio.to_thread(started.wait, 10)
        task.cancel()
        # Let the loop deliver the cancellation: a caller that did not wait for its work
        # would be done after these turns of the loop, whatever the machine's load.
        for _ in range(10):
            await asyncio.sleep(0)
        waited = not task.done()  # the cancelled caller waits for the work ...
        release.set()
        with pytest.raises(asyncio.CancelledError):
            await task
        return waited

    assert asyncio.run(shut_down_midway())
    assert len(counted) == 1  # ... which ran to its end on an open connection


def test_more_writers_at_once_than_the_server_has_threads(committed: str) -> None:
    """80 delegations writing at the same moment: all are served, none waits forever.

    (Requests once waited for SQLite's single writer, or for a pooled PostgreSQL
    connection, inside the server's 40 worker threads; with more than 40 waiting,
    the request holding the turn got no thread to finish in, and the server hung.)
    """
    database = committed
    with session_factory(database)() as session:
        made = [create_exercise(session, SCENARIO, "four-party") for _ in range(20)]
    port = free_port()
    proc = start_server(database, port)
    base = f"http://127.0.0.1:{port}/api/exercises"

    async def everyone_at_once() -> list[int]:
        limits = httpx.Limits(max_connections=100)
        async with httpx.AsyncClient(limits=limits, timeout=60) as client:
            requests = []
            for exercise, seats in made:
                tokens = {s.party or s.role: s.token for s in seats}
                plenary = (
                    await client.get(
                        f"{base}/{exercise.id}/channels",
                        headers={"Authorization": f"Bearer {tokens['usa']}"},
                    )
                ).json()[0]["id"]
                for party in ("usa", "china", "rok", "dprk"):
                    requests.append(
                        client.post(
                            f"{base}/{exercise.id}/channels/{plenary}/messages",
                            json={"body": f"{party} speaks"},
                            headers={"Authorization": f"Bearer {tokens[party]}"},
                        )
                    )
            return [r.status_code for r in await asyncio.gather(*requests)]

    try:
        codes = asyncio.run(asyncio.wait_for(everyone_at_once(), timeout=90))
    finally:
        _stop(proc)
    assert codes == [201] * 80


@dataclass
class Served:
    """A fresh exercise on a SQLite database, served by ``accord serve`` in its own process."""

    database: str
    exercise_id: int
    token: dict[str, str]
    api: str
    proc: subprocess.Popen[bytes]


@contextmanager
def _serving(tmp_path: Path, table: str = "bilateral-us-dprk") -> Iterator[Served]:
    database = database_url("sqlite", tmp_path)
    with session_factory(database)() as session:
        exercise, seats = create_exercise(session, SCENARIO, table)
    port = free_port()
    proc = start_server(database, port)
    try:
        yield Served(
            database,
            exercise.id,
            {s.party or s.role: s.token for s in seats},
            f"http://127.0.0.1:{port}/api/exercises/{exercise.id}",
            proc,
        )
    finally:
        if proc.poll() is None:
            _stop(proc)


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _events(api: str, token: str) -> Any:
    """A script's live-update stream of the seat."""
    return httpx.stream("GET", f"{api}/events", headers=_bearer(token), timeout=10)


def _stream_until(api: str, token: str, kind: str, meanwhile: Callable[[], Any]) -> list[str]:
    """The kinds of event a page's stream shows, from its start until one of ``kind``."""
    seen: list[str] = []
    # Nothing, not even a keep-alive, for 10 s fails the read: the event never came.
    with httpx.stream("GET", f"{api}/events", headers=_bearer(token), timeout=10) as stream:
        meanwhile()
        for line in stream.iter_lines():
            if line.startswith("data: "):
                seen.append(json.loads(line[6:])["kind"])
            if kind in seen:
                return seen
    raise AssertionError(f"the stream ended before an event of kind {kind!r}: {seen}")


def test_live_updates_reach_a_page_when_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Woken by the exercise's bell: the stream's own recheck is set to an hour here."""
    monkeypatch.setenv("ACCORD_EVENTS_RECHECK_SECONDS", "3600")
    with _serving(tmp_path) as served:
        api, token = served.api, served.token
        refused = httpx.get(f"{api}/events", headers=_bearer("nope"), timeout=10)
        assert refused.status_code == 401
        seen = _stream_until(
            api, token["usa"], "round", lambda: _open_round(api, token["facilitator"])
        )
        assert seen[:2] == ["created", "round"]
        # A browser coming back names the last event it had: it is sent only what followed.
        with httpx.stream(
            "GET",
            f"{api}/events",
            headers={**_bearer(token["usa"]), "Last-Event-ID": "1"},
            timeout=10,
        ) as again:
            first = next(line for line in again.iter_lines() if line.startswith("data: "))
        assert json.loads(first[6:])["kind"] == "round"


def test_a_page_hears_of_writes_by_other_processes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A write that rings no bell of the server (here: this test's own) reaches the page."""
    monkeypatch.setenv("ACCORD_EVENTS_RECHECK_SECONDS", "0.5")
    with _serving(tmp_path) as served:

        def inject_behind_the_servers_back() -> None:
            with session_factory(served.database)() as session:
                news = {"title": "news", "body": "from elsewhere"}
                record(session, served.exercise_id, "inject", news)
                session.commit()

        seen = _stream_until(
            served.api, served.token["dprk"], "inject", inject_behind_the_servers_back
        )
        assert seen == ["created", "inject"]


@pytest.mark.skipif(not POSTGRESQL, reason="set ACCORD_TEST_DATABASE_URL to test on PostgreSQL")
def test_pages_on_one_server_process_hear_of_writes_through_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `accord serve` processes on one PostgreSQL database: a page open on the first
    hears of a round opened through the second. Streams recheck only hourly here, so only
    PostgreSQL's notification can have woken it."""
    monkeypatch.setenv("ACCORD_EVENTS_RECHECK_SECONDS", "3600")
    database = database_url("postgresql", tmp_path)
    with session_factory(database)() as session:
        exercise, seats = create_exercise(session, SCENARIO, "bilateral-us-dprk")
    token = {s.party or s.role: s.token for s in seats}
    ports = [free_port(), free_port()]
    servers = [start_server(database, port) for port in ports]
    try:
        first, second = (f"http://127.0.0.1:{p}/api/exercises/{exercise.id}" for p in ports)
        seen = _stream_until(
            first, token["usa"], "round", lambda: _open_round(second, token["facilitator"])
        )
        assert seen == ["created", "round"]
    finally:
        for proc in servers:
            _stop(proc)


@pytest.mark.skipif(not POSTGRESQL, reason="set ACCORD_TEST_DATABASE_URL to test on PostgreSQL")
def test_serve_with_several_workers_on_postgresql(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`accord serve --workers 2`: both processes share the port; every open page hears
    of a write, whichever process serves the page and whichever takes the write."""
    monkeypatch.setenv("ACCORD_EVENTS_RECHECK_SECONDS", "3600")
    database = database_url("postgresql", tmp_path)
    with session_factory(database)() as session:
        exercise, seats = create_exercise(session, SCENARIO, "bilateral-us-dprk")
    token = {s.party or s.role: s.token for s in seats}
    port = free_port()
    proc = start_server(database, port, workers=2)
    api = f"http://127.0.0.1:{port}/api/exercises/{exercise.id}"
    try:
        pages = [_events(api, token[seat]) for seat in ("usa", "dprk", "chair", "observer")]
        streams = [page.__enter__() for page in pages]
        try:
            lines = [stream.iter_lines() for stream in streams]
            for each in lines:  # every page has its first event: it is connected
                assert "created" in next(x for x in each if x.startswith("data: "))
            _open_round(api, token["facilitator"])
            for each in lines:
                assert '"round"' in next(x for x in each if x.startswith("data: "))
        finally:
            for page in pages:
                page.__exit__(None, None, None)
    finally:
        _stop(proc)


def test_serve_refuses_several_workers_on_sqlite(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    done = subprocess.run(
        [sys.executable, "-m", "accord", "serve", "--workers=2", f"--database=sqlite:///{db}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "a SQLite database takes one server process" in done.stderr
    assert "postgresql://" in done.stderr and "Traceback" not in done.stderr
    assert not db.exists()  # refused before anything was made


def test_live_updates_of_a_private_channel_reach_its_members_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pages of one exercise share one feed; each is shown only what its seat may see."""
    monkeypatch.setenv("ACCORD_EVENTS_RECHECK_SECONDS", "3600")

    def messages(stream: httpx.Response, plenary: int) -> list[int]:
        """The channels of the messages a page is shown, up to the next plenary one."""
        seen: list[int] = []
        for line in stream.iter_lines():
            if line.startswith("data: ") and json.loads(line[6:])["kind"] == "message":
                seen.append(json.loads(line[6:])["payload"]["channel"])
                if seen[-1] == plenary:
                    return seen
        raise AssertionError(f"the stream ended: {seen}")

    with _serving(tmp_path, "four-party") as served:
        api, token = served.api, served.token
        usa = {"Authorization": f"Bearer {token['usa']}"}
        _open_round(api, token["facilitator"])
        plenary = httpx.get(f"{api}/channels", headers=usa).json()[0]["id"]
        with (
            httpx.stream(
                "GET", f"{api}/events", headers=_bearer(token["usa"]), timeout=10
            ) as at_usa,
            httpx.stream(
                "GET", f"{api}/events", headers=_bearer(token["dprk"]), timeout=10
            ) as at_dprk,
            httpx.stream(
                "GET", f"{api}/events", headers=_bearer(token["observer"]), timeout=10
            ) as watching,
        ):
            private = httpx.post(
                f"{api}/channels", json={"name": "corridor", "members": ["rok"]}, headers=usa
            ).json()["id"]
            for channel in (private, plenary):
                said = httpx.post(
                    f"{api}/channels/{channel}/messages", json={"body": "..."}, headers=usa
                )
                assert said.status_code == 201
            assert messages(at_usa, plenary) == [private, plenary]
            assert messages(at_dprk, plenary) == [plenary]
            assert messages(watching, plenary) == [plenary]


def test_the_server_stops_on_ctrl_c_with_pages_open(tmp_path: Path) -> None:
    with (
        _serving(tmp_path) as served,
        httpx.stream(
            "GET", f"{served.api}/events", headers=_bearer(served.token["usa"]), timeout=30
        ) as page,
    ):
        lines = page.iter_lines()  # held: a dropped iterator would close the connection
        assert next(lines).startswith("id: ")  # the page is listening
        os.kill(served.proc.pid, signal.SIGINT)
        assert served.proc.wait(timeout=20) == 0  # it does not wait for the page to close
