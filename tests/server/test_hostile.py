"""What a hostile delegation, a tampered file or a bad disk finds: each probe kept as a test.

The items are those of the server-hardening issue: each test failed on the server
as it was when the probe was run.
"""

from __future__ import annotations

import json
import re
import signal
import socket
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.errors import AccordError
from accord.server.app import create_app
from accord.server.bots import BotRunner
from accord.server.db import session_factory, upgrade
from accord.server.deps import SEAT_COOKIE
from accord.server.models import Exercise
from accord.server.service import create_exercise, import_exercise
from accord.server.settings import ServerSettings
from tests.launch import free_port, start_server
from tests.server.conftest import SCENARIO, Table


@pytest.mark.parametrize("deadline", ["9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00"])
def test_a_deadline_outside_utc_years_is_refused_not_a_500(table: Table, deadline: str) -> None:
    # Once an OverflowError in the round clock (issue: server hardening, item 1).
    answer = table.call("facilitator", "POST", "/rounds", {"action": "open", "deadline": deadline})
    assert answer.status_code == 422
    assert "outside the years 1–9999" in answer.text


def test_a_body_over_the_limit_is_refused_before_anything_reads_it(table: Table) -> None:
    huge = {"issue": "nuclear", "body": "x" * 1_200_000, "version": 1}
    for who in ("usa", None):  # with a valid token, and with none at all
        headers = {"Authorization": f"Bearer {table.tokens[who]}"} if who else {}
        answer = table.client.post(
            f"/api/exercises/{table.id}/comments", json=huge, headers=headers
        )
        assert answer.status_code == 413
        assert "larger than 1,000,000 bytes" in answer.json()["detail"]
    small = table.call("usa", "POST", "/comments", {"issue": "nuclear", "body": "ok", "version": 1})
    assert small.status_code != 413


def test_a_streamed_body_is_cut_off_at_the_limit(table: Table) -> None:
    def chunks():  # no Content-Length: the limit counts the bytes as they arrive
        yield b'{"issue": "nuclear", "version": 1, "body": "'
        for _ in range(30):
            yield b"x" * 100_000
        yield b'"}'

    answer = table.client.post(
        f"/api/exercises/{table.id}/comments",
        content=chunks(),
        headers={
            "Authorization": f"Bearer {table.tokens['usa']}",
            "Content-Type": "application/json",
        },
    )
    assert answer.status_code == 413


def test_a_body_longer_than_its_declared_length_is_not_read_past_it(tmp_path: Path) -> None:
    """The limit trusts a declared length: the HTTP server reads no byte past it.

    More bytes sent behind ``Content-Length: 12``: the app gets 12 bytes, and the rest
    is read as the next request, which the server refuses as malformed. So a body
    cannot pass the limit by declaring less than it sends.
    """
    url = f"sqlite:///{tmp_path / 'framing.db'}"
    upgrade(url)
    port = free_port()
    server = start_server(url, port)
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=30) as raw:
            raw.sendall(
                b"POST /api/exercises/1/comments HTTP/1.1\r\nHost: x\r\n"
                b"Authorization: Bearer nobody\r\nContent-Type: application/json\r\n"
                b"Content-Length: 12\r\n\r\n" + b"x" * 2_000
            )
            answers = b""
            while chunk := raw.recv(65536):  # until the server closes the connection
                answers += chunk
        # The bytes past the declared length are a malformed request of their own (the
        # server may answer it before, or instead of, the first one).
        assert b"HTTP/1.1 400 Bad Request" in answers and b"HTTP/1.1 2" not in answers, answers
        assert httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=10).status_code == 200
    finally:
        server.kill()
        server.wait(timeout=20)


def test_a_read_only_database_is_named_not_called_busy(tmp_path: Path) -> None:
    from sqlalchemy.exc import OperationalError

    app = create_app(ServerSettings(database_url=f"sqlite:///{tmp_path / 'x.db'}", clock_seconds=0))

    def write() -> None:
        raise OperationalError("INSERT", {}, Exception("attempt to write a readonly database"))

    def busy() -> None:
        raise OperationalError("INSERT", {}, Exception("database is locked"))

    app.add_api_route("/write", write, methods=["POST"])
    app.add_api_route("/busy", busy, methods=["POST"])
    client = TestClient(app)
    read_only = client.post("/write")
    assert read_only.status_code == 503 and "read-only" in read_only.json()["detail"]
    assert "try again" not in read_only.json()["detail"]
    assert "try again" in client.post("/busy").json()["detail"]


def test_opening_the_archive_ends_the_negotiation(table: Table) -> None:
    # Once, the archive opened and negotiating went on: every vote and reason was readable
    # through the export, and a delegation could still vote, comment and open channels.
    made = table.call("usa", "POST", "/proposals", {"title": "p", "values": {}}).json()
    assert table.call("facilitator", "GET", "/export").status_code == 403  # private still
    assert table.call("facilitator", "POST", "/archive").status_code == 200
    assert table.call("usa", "GET", "/me").json()["round"]["state"] == "closed"
    writes = [
        ("usa", "POST", f"/proposals/{made['id']}/votes", {"choice": "accept"}),
        ("usa", "POST", "/comments", {"version": 1, "issue": "nuclear", "body": "late"}),
        ("usa", "POST", "/channels", {"name": "after", "members": ["china"]}),
        ("facilitator", "POST", "/rounds", {"action": "next"}),
        ("chair", "POST", "/text", {"base_version": 1, "values": {"nuclear": 55}}),
    ]
    for who, method, path, body in writes:
        answer = table.call(who, method, path, body)
        assert answer.status_code == 409, (path, answer.text)
        assert "the exercise is over" in answer.json()["detail"]
    for who in ("usa", "chair", "observer", "facilitator"):
        assert table.call(who, "GET", "/export").status_code == 200


# Item 11: software delegations' tokens were stored in plain text.
def test_no_usable_token_of_a_software_delegation_is_stored(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'bots.db'}"
    upgrade(url)
    with session_factory(url)() as session:
        create_exercise(session, SCENARIO, "bilateral-us-dprk", bots={"dprk": "boulware"})
    runner = BotRunner(url, "http://127.0.0.1:9")
    runner._discover()  # the runner takes the seat, as `accord serve` does
    (bot,) = runner.seats.values()
    stored = sqlite3.connect(tmp_path / "bots.db").execute("SELECT * FROM participants").fetchall()
    assert not any(bot.token in map(str, row) for row in stored)
    with session_factory(url)() as session:  # its hash is there, as for every seat
        from accord.server.deps import authenticate

        assert authenticate(session, bot.exercise_id, bot.token).participant.party == "dprk"


# Item 12: security headers, third-party scripts, tokens in addresses.
@pytest.mark.parametrize("path", ["/", "/static/desk.js", "/openapi.json", "/api/exercises/1/me"])
def test_every_response_carries_the_security_headers(client: TestClient, path: str) -> None:
    headers = client.get(path).headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert headers["referrer-policy"] == "no-referrer"


def test_no_page_loads_a_script_from_another_origin(client: TestClient) -> None:
    for path in ("/docs", "/redoc"):  # their pages load scripts from a CDN: off
        assert client.get(path).status_code == 404
    page = client.get("/").text
    assert re.findall(r"<script[^>]*>[^<]*", page) == ['<script src="/static/desk.js">']
    assert "style=" not in page  # nothing inline, so the policy need not allow it


def test_a_token_in_the_address_is_not_accepted(table: Table) -> None:
    api = f"/api/exercises/{table.id}"
    token = table.tokens["usa"]
    assert table.client.get(f"{api}/me?token={token}").status_code == 401
    assert table.client.get(f"{api}/events?token={token}").status_code == 401
    posted = table.client.post(
        f"{api}/comments?token={token}", json={"version": 1, "issue": "nuclear", "body": "x"}
    )
    assert posted.status_code == 401


def test_the_join_link_becomes_a_session_cookie_that_cannot_write_alone(table: Table) -> None:
    api = f"/api/exercises/{table.id}"
    opened = table.client.post(
        f"{api}/session", headers={"Authorization": f"Bearer {table.tokens['usa']}"}
    )
    seat = opened.json()["seat"]
    cookie = opened.headers["set-cookie"]
    assert cookie.startswith(SEAT_COOKIE.format(seat) + "=")
    for attribute in ("HttpOnly", "SameSite=strict", f"Path={api}"):
        assert attribute.lower() in cookie.lower()
    assert table.client.get(f"{api}/me", params={"seat": seat}).json()["seat"]["party"] == "usa"
    comment = {"version": 1, "issue": "nuclear", "body": "from the page"}
    # The cookie alone, as another site's form would send it: refused.
    assert table.client.post(f"{api}/comments", json=comment).status_code == 401
    named = table.client.post(f"{api}/comments", json=comment, headers={"X-Accord-Seat": str(seat)})
    assert named.status_code == 201
    # A bad token opens no session.
    refused = table.client.post(f"{api}/session", headers={"Authorization": "Bearer nope"})
    assert refused.status_code == 401 and "set-cookie" not in refused.headers


# Item 13: event ids counted across all exercises revealed what a seat cannot see.
def test_the_events_a_seat_sees_are_numbered_for_it_alone(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    first, second = Table(client, sessions), Table(client, sessions)
    said = {"name": "corridor", "members": ["rok"]}
    channel = first.call("usa", "POST", "/channels", said).json()["id"]
    first.call("usa", "POST", f"/channels/{channel}/messages", {"body": "between us"})
    first.call("facilitator", "POST", "/injects", {"title": "news", "body": "b", "targets": []})
    seen = [e["id"] for e in first.call("dprk", "GET", "/timeline").json()]
    assert seen == list(range(1, len(seen) + 1))  # no gap where the private channel was
    assert [e["kind"] for e in first.call("dprk", "GET", "/timeline?after=2").json()] == ["inject"]
    assert [e["id"] for e in second.call("dprk", "GET", "/timeline").json()] == [1, 2]


# Rate limits: one seat's script cannot flood the table.
def test_a_seat_writing_too_fast_is_told_when_to_try_again(
    database: str, sessions: sessionmaker[Session]
) -> None:
    app: FastAPI = create_app(
        ServerSettings(
            database_url=database, clock_seconds=0, seat_writes_per_minute=6, seat_write_burst=2
        )
    )
    app.state.sessions = sessions
    table = Table(TestClient(app), sessions)  # the facilitator's first write: opening the round
    comment = {"version": 1, "issue": "nuclear", "body": "again"}
    answers = [table.call("usa", "POST", "/comments", comment) for _ in range(3)]
    assert [a.status_code for a in answers] == [201, 201, 429]
    assert answers[2].headers["retry-after"] == "10"
    assert "nothing was recorded" in answers[2].json()["detail"]
    assert table.call("china", "POST", "/comments", comment).status_code == 201  # per seat
    assert table.call("usa", "GET", "/comments").status_code == 200  # reads are not paced


# Item 8: two commands migrating a new SQLite file at once; one died "database is locked".
def test_processes_migrating_a_new_file_at_once_take_turns(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'new.db'}"
    code = f"from accord.server.db import upgrade; upgrade({url!r})"
    runs = [
        subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.PIPE) for _ in range(4)
    ]
    errors = [run.communicate(timeout=120)[1].decode() for run in runs]
    assert [run.returncode for run in runs] == [0, 0, 0, 0], errors


# Item 9: a second server process on one SQLite file refused a third of the writes as busy.
def test_a_second_server_on_one_sqlite_file_is_refused_clearly(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'one.db'}"
    first = start_server(url, free_port())
    try:
        second = subprocess.run(
            [sys.executable, "-m", "accord", "serve", "--database", url, "--port", "1"],
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        first.send_signal(signal.SIGINT)
        first.wait(timeout=20)
    assert second.returncode == 2
    assert "already served by another `accord serve`" in second.stderr
    assert "PostgreSQL" in second.stderr and "Traceback" not in second.stderr


# Item 10: replay took tampered files silently, and the loaded exercise then answered 500.
def _exported(table: Table) -> dict[str, Any]:
    table.call("usa", "POST", "/proposals", {"title": "p", "values": {"nuclear": 40}})
    drill = {"activity": "drill", "troops": 10, "starts": "2030-01-01"}
    table.call("usa", "POST", "/notifications", drill)
    table.call("facilitator", "POST", "/archive")
    exported: dict[str, Any] = json.loads(table.call("facilitator", "GET", "/export").text)
    return exported


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    def tamper(data: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        node: Any = data
        for step in parents:
            node = node[int(step)] if step.isdigit() else node[step]
        node[int(last) if last.isdigit() else last] = value

    return tamper


NESTED: Any = [[[[["deep"]]]]]
VOTE = {"id": 1, "proposal_id": 1, "participant_id": 1, "choice": "accept", "reason": ""}
TAMPERINGS = {
    "a garbage scenario": (_set("exercise.scenario", "<not toml"), "exercise.scenario"),
    "an integer scenario": (_set("exercise.scenario", 5), "exercise.scenario"),
    "an unknown format": (_set("exercise.format", "nope"), "exercise.scenario"),
    "role admin": (_set("participants.0.role", "admin"), "participants[0].role"),
    "a string for troops": (_set("notifications.0.troops", "5000"), "notifications[0].troops"),
    "a token hash": (_set("participants.0.token_hash", "ab" * 32), "participants[0].token_hash"),
    "a bot token": (_set("participants.0.bot_token", "secret"), "participants[0].bot_token"),
    "HTML for a threshold": (
        _set("exercise.thresholds.lead_days", "<img src=x onerror=alert(1)>"),
        "exercise.thresholds.lead_days",
    ),
    "a value off its scale": (_set("texts.0.values.nuclear", 1e9), "texts[0].values"),
    "a vote by nobody": (
        _set(
            "votes",
            [
                {
                    "id": 1,
                    "proposal_id": 1,
                    "participant_id": 10**9,
                    "choice": "accept",
                    "reason": "",
                }
            ],
        ),
        "votes[0]",
    ),
    "a nested payload": (_set("events.0.payload.deep", NESTED), "events[0].payload.deep"),
    "a party not at the table": (_set("participants.0.party", "atlantis"), "participants[0].party"),
}


@pytest.mark.parametrize("tampering", list(TAMPERINGS))
def test_a_tampered_export_is_refused_whole_with_one_message(table: Table, tampering: str) -> None:
    exported = _exported(table)
    tamper, where = TAMPERINGS[tampering]
    tamper(exported)
    with table.sessions() as session:
        before = session.scalar(select(func.count()).select_from(Exercise))
        with pytest.raises(AccordError) as refused:
            import_exercise(session, json.dumps(exported), source="saved.json")
        assert session.scalar(select(func.count()).select_from(Exercise)) == before
    message = str(refused.value)
    assert message.startswith("saved.json: not a whole, unaltered export: ")
    assert where in message and "nothing was loaded" in message


def test_an_untampered_export_loads_and_answers_every_read(table: Table) -> None:
    with table.sessions() as session:
        exercise, seats = import_exercise(session, json.dumps(_exported(table)))
    token = {s.party or s.role: s.token for s in seats}
    for path in ("/text", "/debrief", "/thresholds", "/timeline", "/proposals"):
        answer = table.client.get(
            f"/api/exercises/{exercise.id}{path}",
            headers={"Authorization": f"Bearer {token['usa']}"},
        )
        assert answer.status_code == 200, (path, answer.text)


@pytest.mark.parametrize(
    "data", [b"\xff\xfe not utf-8", b"[" * 100_000, b'{"accord_exercise": 1, "x": ' + b"[" * 5000]
)
def test_an_undecodable_or_bottomless_file_is_refused_not_a_traceback(
    tmp_path: Path, data: bytes
) -> None:
    saved = tmp_path / "saved.json"
    saved.write_bytes(data)
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "accord",
            "exercise",
            "replay",
            str(saved),
            "--database",
            f"sqlite:///{tmp_path / 'r.db'}",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert "saved.json: not a whole, unaltered export" in result.stderr
    assert "Traceback" not in result.stderr


# Item 4: a delegation could name others as co-sponsors without their consent.
def test_a_cosponsor_is_named_only_once_it_accepts(table: Table) -> None:
    ids = {s["party"]: s["id"] for s in table.call("usa", "GET", "/me").json()["seats"]}
    tabled = table.call(
        "usa", "POST", "/proposals", {"title": "p", "values": {}, "cosponsors": ["china", "rok"]}
    ).json()
    assert tabled["cosponsors"] == [] and tabled["invited"] == [ids["china"], ids["rok"]]
    path = f"/proposals/{tabled['id']}/cosponsorship"
    assert table.call("dprk", "POST", path, {"accept": True}).status_code == 409  # not invited
    assert table.call("china", "POST", path, {"accept": True}).json()["cosponsors"] == [
        ids["china"]
    ]
    declined = table.call("rok", "POST", path, {"accept": False}).json()
    assert declined["cosponsors"] == [ids["china"]] and declined["invited"] == []
    assert table.call("rok", "POST", path, {"accept": True}).status_code == 409  # answered
    # The invitation is shown to the invited, not to the rest of the table.
    kinds = {
        who: [e["kind"] for e in table.call(who, "GET", "/timeline").json()]
        for who in ("rok", "dprk")
    }
    assert "invitation" in kinds["rok"] and "invitation" not in kinds["dprk"]


# Dates and sizes at their extremes: refused or taken, never a 500.
EXTREMES = [
    ("usa", "/notifications", {"activity": "a", "troops": 10_000_000, "starts": "9999-12-31"}),
    ("usa", "/notifications", {"activity": "a", "troops": 0, "starts": "0001-01-01"}),
    (
        "facilitator",
        "/notifications/observed",
        {"party": "dprk", "activity": "a" * 64, "troops": 10_000_000, "starts": "0001-01-01"},
    ),
    ("facilitator", "/rounds", {"action": "open", "deadline": "9999-12-31T23:59:59+00:00"}),
    ("facilitator", "/rounds", {"action": "open", "deadline": "9999-12-31T23:59:59"}),
    ("facilitator", "/injects", {"title": "t" * 200, "body": "b" * 8000, "targets": []}),
    (
        "usa",
        "/comments",
        {"version": 1, "issue": "nuclear", "body": "x" * 4000, "amendment": 1e308},
    ),
    ("usa", "/proposals", {"title": "p" * 200, "values": {"nuclear": -1e-308}}),
]


@pytest.mark.parametrize(("who", "path", "body"), EXTREMES)
def test_extreme_dates_and_sizes_are_taken_or_refused_never_a_500(
    table: Table, who: str, path: str, body: dict[str, Any]
) -> None:
    answer = table.call(who, "POST", path, body)
    assert answer.status_code in (200, 201, 409, 422), answer.text
    if answer.status_code >= 400:
        assert answer.json()["detail"]
    thresholds = {"notify_troops": 10_000_000, "lead_days": 3650}
    assert table.call("facilitator", "PUT", "/thresholds", thresholds).status_code == 200
    assert table.call("usa", "GET", "/notifications").status_code == 200
    assert table.call("usa", "GET", "/me").status_code == 200
