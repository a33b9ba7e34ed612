"""The live exercise server: resources, who may do what, conflicts, durability."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from accord.server.app import create_app
from accord.server.db import session_factory, upgrade
from accord.server.launch import free_port, start_server
from accord.server.service import create_exercise
from accord.server.settings import ServerSettings
from tests.conftest import SCENARIOS

SCENARIO = (SCENARIOS / "northeast-asia-2002.toml").read_text()


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'exercises.db'}"
    upgrade(url)
    return url


@pytest.fixture(scope="module")
def client(database: str) -> TestClient:
    return TestClient(create_app(ServerSettings(database_url=database)))


class Table:
    """A fresh four-party exercise and a client per seat."""

    def __init__(self, client: TestClient, database: str) -> None:
        with session_factory(database)() as session:
            exercise, seats = create_exercise(session, SCENARIO, "four-party")
        self.id = exercise.id
        self.client = client
        self.tokens = {seat.party or seat.role: seat.token for seat in seats}

    def call(self, who: str, method: str, path: str, json: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(
            method, f"/api/exercises/{self.id}{path}", json=json, headers=headers
        )


@pytest.fixture
def table(client: TestClient, database: str) -> Table:
    return Table(client, database)


def test_the_text_is_versioned_and_a_stale_edit_is_a_conflict(table: Table) -> None:
    start = table.call("usa", "GET", "/text").json()
    assert start["current"]["version"] == 1 and start["current"]["values"]["nuclear"] == 50
    first = table.call(
        "chair", "POST", "/text", {"base_version": 1, "values": {"nuclear": 60}, "note": "draft 2"}
    )
    assert first.status_code == 201 and first.json()["changes"] == {
        "nuclear": {"from": 50, "to": 60}
    }
    stale = table.call("chair", "POST", "/text", {"base_version": 1, "values": {"nuclear": 40}})
    assert stale.status_code == 409 and "version 2" in stale.json()["detail"]
    history = table.call("observer", "GET", "/text").json()["history"]
    assert [v["version"] for v in history] == [1, 2]


def test_comments_on_the_current_version_only_and_read_by_the_chair(table: Table) -> None:
    ok = table.call(
        "dprk", "POST", "/comments", {"version": 1, "issue": "nuclear", "body": "guarantees first"}
    )
    assert ok.status_code == 201
    assert table.call("usa", "GET", "/comments").json() == []  # not the usa's comment
    assert [c["body"] for c in table.call("chair", "GET", "/comments").json()] == [
        "guarantees first"
    ]
    table.call("chair", "POST", "/text", {"base_version": 1, "values": {"nuclear": 45}})
    late = table.call(
        "dprk", "POST", "/comments", {"version": 1, "issue": "nuclear", "body": "again"}
    )
    assert late.status_code == 409


def test_votes_are_hidden_until_the_vote_closes(table: Table) -> None:
    made = table.call(
        "china",
        "POST",
        "/proposals",
        {"title": "Freeze for talks", "values": {"nuclear": 50}, "cosponsors": ["rok"]},
    )
    assert made.status_code == 201
    pid = made.json()["id"]
    table.call("usa", "POST", f"/proposals/{pid}/votes", {"choice": "accept", "reason": "a start"})
    table.call(
        "dprk", "POST", f"/proposals/{pid}/votes", {"choice": "reject", "reason": "no guarantees"}
    )
    seen_by_usa = table.call("usa", "GET", "/proposals").json()[0]
    assert seen_by_usa["votes_cast"] == 2 and [v["choice"] for v in seen_by_usa["votes"]] == [
        "accept"
    ]
    assert table.call("chair", "GET", "/proposals").json()[0]["votes"] == []
    closed = table.call("chair", "POST", f"/proposals/{pid}/close")
    assert (
        closed.json()["state"] == "rejected" and closed.json()["statement"] == "chair's statement"
    )
    assert {v["choice"] for v in table.call("usa", "GET", "/proposals").json()[0]["votes"]} == {
        "accept",
        "reject",
    }
    assert (
        table.call("usa", "POST", f"/proposals/{pid}/votes", {"choice": "reject"}).status_code
        == 409
    )


def test_consensus_adopts_a_joint_statement(table: Table) -> None:
    pid = table.call(
        "rok", "POST", "/proposals", {"title": "Dialogue", "values": {"talks-format": 50}}
    ).json()["id"]
    for d in ("usa", "china", "rok"):
        table.call(d, "POST", f"/proposals/{pid}/votes", {"choice": "accept"})
    table.call("dprk", "POST", f"/proposals/{pid}/votes", {"choice": "abstain"})
    closed = table.call("chair", "POST", f"/proposals/{pid}/close").json()
    assert closed["state"] == "adopted" and closed["statement"] == "joint statement"


def test_private_channels_stay_private_until_the_archive_opens(table: Table) -> None:
    channel = table.call("usa", "POST", "/channels", {"name": "allies", "members": ["rok"]}).json()
    cid = channel["id"]
    assert (
        table.call("rok", "POST", f"/channels/{cid}/messages", {"body": "hold firm"}).status_code
        == 201
    )
    assert table.call("china", "GET", f"/channels/{cid}/messages").status_code == 404
    assert table.call("facilitator", "GET", f"/channels/{cid}/messages").status_code == 404
    assert (
        table.call("china", "POST", f"/channels/{cid}/messages", {"body": "hi"}).status_code == 404
    )
    plenary = next(
        c for c in table.call("observer", "GET", "/channels").json() if c["kind"] == "plenary"
    )
    assert [c["kind"] for c in table.call("observer", "GET", "/channels").json()] == ["plenary"]
    assert (
        table.call(
            "observer", "POST", f"/channels/{plenary['id']}/messages", {"body": "x"}
        ).status_code
        == 403
    )
    assert table.call("facilitator", "POST", "/archive").status_code == 200
    assert [m["body"] for m in table.call("china", "GET", f"/channels/{cid}/messages").json()] == [
        "hold firm"
    ]


def test_injects_reach_their_targets_only(table: Table) -> None:
    sent = table.call(
        "facilitator",
        "POST",
        "/injects",
        {"title": "Intel", "body": "Uranium programme", "targets": ["usa"]},
    )
    assert sent.status_code == 201
    assert [i["title"] for i in table.call("usa", "GET", "/injects").json()] == ["Intel"]
    assert table.call("china", "GET", "/injects").json() == []
    assert table.call("observer", "GET", "/injects").json() == []
    assert table.call("usa", "POST", "/injects", {"title": "x", "body": "y"}).status_code == 403


def test_late_notifications_are_flagged_to_all(table: Table) -> None:
    soon = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    later = (dt.date.today() + dt.timedelta(days=60)).isoformat()
    late = table.call(
        "dprk", "POST", "/notifications", {"activity": "exercise", "troops": 12000, "starts": soon}
    ).json()
    fine = table.call(
        "rok", "POST", "/notifications", {"activity": "exercise", "troops": 12000, "starts": later}
    ).json()
    small = table.call(
        "usa", "POST", "/notifications", {"activity": "drill", "troops": 500, "starts": soon}
    ).json()
    assert late["flags"] and "late" in late["flags"][0]
    assert fine["flags"] == [] and small["flags"] == []
    assert len(table.call("china", "GET", "/notifications").json()) == 3


def test_rounds_are_run_by_the_facilitator(table: Table) -> None:
    assert table.call("facilitator", "POST", "/rounds", {"action": "open"}).json() == {
        "number": 1,
        "state": "open",
    }
    assert table.call("facilitator", "POST", "/rounds", {"action": "next"}).status_code == 409
    table.call("facilitator", "POST", "/rounds", {"action": "close"})
    assert table.call("facilitator", "POST", "/rounds", {"action": "next"}).json() == {
        "number": 2,
        "state": "open",
    }
    assert table.call("usa", "GET", "/me").json()["round"]["number"] == 2


# --- every role against every endpoint -------------------------------------------------------

WRITE_RULES: list[tuple[str, str, Any, set[str]]] = [
    ("POST", "/text", {"base_version": 1, "values": {"nuclear": 55}}, {"chair"}),
    ("POST", "/comments", {"version": 1, "issue": "nuclear", "body": "x"}, {"delegation"}),
    ("POST", "/proposals", {"title": "p", "values": {}}, {"delegation"}),
    ("POST", "/channels", {"name": "c", "members": ["china"]}, {"delegation"}),
    ("POST", "/injects", {"title": "t", "body": "b"}, {"facilitator"}),
    (
        "POST",
        "/notifications",
        {"activity": "a", "troops": 1, "starts": "2030-01-01"},
        {"delegation"},
    ),
    ("POST", "/rounds", {"action": "pause"}, {"facilitator"}),
    ("POST", "/archive", None, {"facilitator"}),
    ("GET", "/proposals", None, {"delegation", "chair", "facilitator"}),
    ("GET", "/export", None, {"facilitator"}),
]
READ_FOR_ALL = ["/me", "/text", "/channels", "/comments", "/injects", "/notifications", "/timeline"]
ROLES = {
    "usa": "delegation",
    "chair": "chair",
    "facilitator": "facilitator",
    "observer": "observer",
}


@pytest.mark.parametrize(("method", "path", "body", "allowed"), WRITE_RULES)
@pytest.mark.parametrize("who", sorted(ROLES))
def test_role_matrix(
    client: TestClient,
    database: str,
    who: str,
    method: str,
    path: str,
    body: Any,
    allowed: set[str],
) -> None:
    table = Table(client, database)
    response = table.call(who, method, path, body)
    if ROLES[who] in allowed:
        assert response.status_code < 300, response.text
    else:
        assert response.status_code == 403, response.text


@pytest.mark.parametrize("path", READ_FOR_ALL)
@pytest.mark.parametrize("who", sorted(ROLES))
def test_everyone_reads_what_is_theirs(table: Table, who: str, path: str) -> None:
    assert table.call(who, "GET", path).status_code == 200


def test_tokens_are_checked(table: Table, client: TestClient, database: str) -> None:
    assert client.get(f"/api/exercises/{table.id}/me").status_code == 401
    assert (
        client.get(
            f"/api/exercises/{table.id}/me", headers={"Authorization": "Bearer nope"}
        ).status_code
        == 401
    )
    other = Table(client, database)
    wrong = client.get(
        f"/api/exercises/{other.id}/me", headers={"Authorization": f"Bearer {table.tokens['usa']}"}
    )
    assert wrong.status_code == 403


@pytest.mark.parametrize(
    "body",
    [
        {"base_version": "x", "values": {}},
        {"values": {}},
        {"base_version": 1, "values": {"nuclear": "high"}},
        [],
        "junk",
    ],
)
def test_malformed_requests_get_a_4xx_with_a_message(table: Table, body: Any) -> None:
    response = table.call("chair", "POST", "/text", body)
    assert response.status_code == 422
    assert response.json()["detail"]


def test_export_and_replay_round_trip(table: Table, database: str) -> None:
    from accord.server.service import import_exercise

    table.call("usa", "POST", "/channels", {"name": "allies", "members": ["rok"]})
    table.call("chair", "POST", "/text", {"base_version": 1, "values": {"kuril": 50}})
    exported = table.call("facilitator", "GET", "/export").text
    assert "token" not in exported.replace("token_hash", "")
    with session_factory(database)() as session:
        again = import_exercise(session, exported)
    assert again.archive_open
    with session_factory(database)() as session:
        from accord.server.service import export_exercise

        copy = export_exercise(session, again.id)
    assert '"kuril": 50' in copy.replace("50.0", "50")


def _free_port() -> int:
    return free_port()


def _start(database: str, port: int) -> subprocess.Popen[bytes]:
    return start_server(database, port)


def test_acknowledged_submissions_survive_a_sigkill(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'durable.db'}"
    upgrade(database)
    with session_factory(database)() as session:
        exercise, seats = create_exercise(session, SCENARIO, "bilateral-us-dprk")
    token = next(s.token for s in seats if s.party == "usa")
    headers = {"Authorization": f"Bearer {token}"}
    base = f"/api/exercises/{exercise.id}"
    acknowledged: list[str] = []
    port = _free_port()
    for session_number in range(3):
        proc = _start(database, port)
        try:
            plenary = httpx.get(f"http://127.0.0.1:{port}{base}/channels", headers=headers).json()[
                0
            ]["id"]
            for k in range(5):
                body = f"statement {session_number}-{k}"
                r = httpx.post(
                    f"http://127.0.0.1:{port}{base}/channels/{plenary}/messages",
                    json={"body": body},
                    headers=headers,
                )
                if r.status_code == 201:
                    acknowledged.append(body)
        finally:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)
    proc = _start(database, port)
    try:
        stored = httpx.get(
            f"http://127.0.0.1:{port}{base}/channels/{plenary}/messages", headers=headers
        ).json()
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    assert len(acknowledged) == 15
    assert [m["body"] for m in stored] == acknowledged


def test_the_debrief_sets_the_adopted_text_beside_the_models(table: Table) -> None:
    assert table.call("usa", "GET", "/debrief").status_code == 403  # before the archive opens
    pid = table.call(
        "rok", "POST", "/proposals", {"title": "Talks", "values": {"talks-format": 50}}
    ).json()["id"]
    for d in ("usa", "china", "rok", "dprk"):
        table.call(d, "POST", f"/proposals/{pid}/votes", {"choice": "accept"})
    table.call("chair", "POST", f"/proposals/{pid}/close")
    table.call("facilitator", "POST", "/archive")
    d = table.call("usa", "GET", "/debrief").json()
    assert d["source"] == f"proposal {pid} (adopted)"
    assert d["text"]["talks-format"] == 50
    assert set(d["utilities"]) == {"usa", "china", "rok", "dprk"}
    assert set(d["forecasts"]["nuclear"]) == {"mean", "median", "nash", "expected-utility"}
    assert 0 <= d["utilities"]["dprk"] <= 1


def test_a_software_delegation_acts_through_the_api(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'bots.db'}"
    upgrade(database)
    with session_factory(database)() as session:
        exercise, seats = create_exercise(
            session, SCENARIO, "bilateral-us-dprk", bots={"dprk": "hardliner"}
        )
    token = {s.party or s.role: s.token for s in seats}
    port = _free_port()
    proc = _start(database, port)
    api = f"http://127.0.0.1:{port}/api/exercises/{exercise.id}"

    def as_(who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token[who]}"}

    def wait_for(check: Any) -> Any:
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            value = check()
            if value:
                return value
            time.sleep(0.3)
        raise AssertionError("the software delegation did not act in time")

    try:
        httpx.post(
            f"{api}/text", json={"base_version": 1, "values": {"nuclear": 75}}, headers=as_("chair")
        )
        comments = wait_for(
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
        wait_for(
            lambda: httpx.get(f"{api}/proposals", headers=as_("usa")).json()[0]["votes_cast"] == 1
        )
        closed = httpx.post(f"{api}/proposals/{pid}/close", headers=as_("chair")).json()
        assert [v["choice"] for v in closed["votes"]] == ["reject"]  # the hardliner holds out
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
