"""The exercise: rounds and deadlines, injects, notifications, export and replay, the debrief."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from accord.errors import AccordError
from accord.server.models import Exercise, Round
from accord.server.rounds import close_overdue_rounds
from accord.server.service import export_exercise, import_exercise
from tests.server.conftest import Table


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


def test_rounds_are_run_by_the_facilitator(table: Table) -> None:
    assert table.call("facilitator", "POST", "/rounds", {"action": "next"}).status_code == 409
    closed = table.call("facilitator", "POST", "/rounds", {"action": "close"}).json()
    assert closed == {"number": 1, "state": "closed", "deadline": None}
    assert table.call("facilitator", "POST", "/rounds", {"action": "next"}).json() == {
        "number": 2,
        "state": "open",
        "deadline": None,
    }
    assert table.call("usa", "GET", "/me").json()["round"]["number"] == 2


def test_nothing_is_negotiated_while_the_round_is_paused(table: Table) -> None:
    table.call("facilitator", "POST", "/rounds", {"action": "pause"})
    refused = [
        table.call("chair", "POST", "/text", {"base_version": 1, "values": {"nuclear": 55}}),
        table.call("usa", "POST", "/comments", {"version": 1, "issue": "nuclear", "body": "x"}),
        table.call("usa", "POST", "/proposals", {"title": "p", "values": {}}),
    ]
    assert [r.status_code for r in refused] == [409, 409, 409]
    assert all("paused" in r.json()["detail"] for r in refused)
    table.call("facilitator", "POST", "/rounds", {"action": "open"})
    assert table.call("usa", "POST", "/proposals", {"title": "p", "values": {}}).status_code == 201


def _let_the_deadline_pass(table: Table) -> None:
    """Move the open round's deadline into the past, as the clock would find it."""
    with table.sessions() as session:
        current = session.scalars(
            select(Round).filter_by(exercise_id=table.id).order_by(Round.number.desc())
        ).first()
        assert current is not None
        current.deadline = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        session.commit()


def test_a_round_closes_at_its_deadline_and_names_the_proposals_left_open(table: Table) -> None:
    soon = (dt.datetime.now(dt.UTC) + dt.timedelta(hours=1)).isoformat()
    set_ = table.call("facilitator", "POST", "/rounds", {"action": "open", "deadline": soon})
    assert set_.json()["state"] == "open" and set_.json()["deadline"] is not None
    pid = table.call("rok", "POST", "/proposals", {"title": "Talks", "values": {}}).json()["id"]

    _let_the_deadline_pass(table)
    # Every request reads the round as closed at once, before the clock has run.
    assert table.call("usa", "GET", "/me").json()["round"]["state"] == "closed"
    vote = table.call("usa", "POST", f"/proposals/{pid}/votes", {"choice": "accept"})
    assert vote.status_code == 409 and "deadline" in vote.json()["detail"]

    with table.sessions() as session:
        assert close_overdue_rounds(session) == 1
        assert close_overdue_rounds(session) == 0  # once only
    closing = [e for e in table.call("usa", "GET", "/timeline").json() if e["kind"] == "round"][-1]
    assert closing["payload"]["reason"] == "deadline"
    assert closing["payload"]["open_proposals"] == [pid]  # carried over, not silently dropped

    assert table.call("facilitator", "POST", "/rounds", {"action": "next"}).is_success
    vote = table.call("usa", "POST", f"/proposals/{pid}/votes", {"choice": "accept"})
    assert vote.status_code == 201


def test_a_deadline_in_the_past_is_refused(table: Table) -> None:
    past = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)).isoformat()
    refused = table.call("facilitator", "POST", "/rounds", {"action": "open", "deadline": past})
    assert refused.status_code == 422 and "passed" in refused.json()["detail"]


def test_export_and_replay_round_trip(table: Table) -> None:
    table.call("usa", "POST", "/channels", {"name": "allies", "members": ["rok"]})
    table.call("chair", "POST", "/text", {"base_version": 1, "values": {"kuril": 50}})
    table.call("facilitator", "POST", "/archive")  # the page exports once the archive is open
    exported = table.call("facilitator", "GET", "/export").text
    assert "token" not in exported.replace("token_hash", "")
    with table.sessions() as session:
        again, seats = import_exercise(session, exported)
        copy = export_exercise(session, again.id)
    assert again.archive_open
    assert {s.role for s in seats} == {"delegation", "chair", "facilitator", "observer"}
    assert all(s.token and s.token not in exported for s in seats)  # fresh, not from the file
    assert '"kuril": 50' in copy.replace("50.0", "50")


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


def test_a_damaged_export_is_refused_whole(table: Table) -> None:
    table.call("facilitator", "POST", "/archive")
    exported = json.loads(table.call("facilitator", "GET", "/export").text)
    del exported["messages"]
    with table.sessions() as session:
        before = session.scalar(select(func.count()).select_from(Exercise))
        with pytest.raises(AccordError, match=r"saved\.json: .*missing 'messages'.*export"):
            import_exercise(session, json.dumps(exported), source="saved.json")
        assert session.scalar(select(func.count()).select_from(Exercise)) == before


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


def test_a_read_only_database_is_named_not_called_busy(tmp_path) -> None:
    from fastapi.testclient import TestClient
    from sqlalchemy.exc import OperationalError

    from accord.server.app import create_app
    from accord.server.settings import ServerSettings

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
