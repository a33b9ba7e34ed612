"""The exercise: rounds and deadlines, injects, notifications, export and replay, the debrief."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.errors import AccordError
from accord.scenario import parse_scenario
from accord.server.models import Exercise, Round
from accord.server.rounds import close_overdue_rounds
from accord.server.service import export_exercise, import_exercise
from tests.server.conftest import SCENARIO, Table


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
        session.commit()  # the server's writer commits the clock's work
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
    assert d["adopted"] and d["source"] == f"proposal {pid} (adopted)"
    assert d["verdict"] == (
        f"Adopted by consensus as a joint statement: proposal #{pid}, “Talks”: "
        "4 for, 0 against, 0 abstaining."
    )
    talks = next(i for i in d["issues"] if i["id"] == "talks-format")
    assert talks["value"] == 50 and talks["name"] != "talks-format" and talks["reading"]
    assert {m["label"] for m in d["models"].values()} >= {"Weighted mean", "Expected utility"}
    assert d["text"]["talks-format"] == 50
    assert set(d["utilities"]) == {"usa", "china", "rok", "dprk"}
    assert set(d["forecasts"]["nuclear"]) == {"mean", "median", "nash", "expected-utility"}
    assert 0 <= d["utilities"]["dprk"] <= 1


def test_the_debrief_says_nothing_was_adopted_when_the_only_vote_failed(table: Table) -> None:
    pid = table.call(
        "usa", "POST", "/proposals", {"title": "Freeze", "values": {"nuclear": 0}}
    ).json()["id"]
    table.call("usa", "POST", f"/proposals/{pid}/votes", {"choice": "accept"})
    table.call("dprk", "POST", f"/proposals/{pid}/votes", {"choice": "reject"})
    table.call("chair", "POST", f"/proposals/{pid}/close")
    table.call("chair", "POST", "/text", {"base_version": 1, "values": {"nuclear": 100}})
    table.call("facilitator", "POST", "/archive")
    d = table.call("china", "GET", "/debrief").json()
    assert not d["adopted"]
    assert d["verdict"].startswith("Nothing was adopted. Put to the vote and not adopted: ")
    assert f"#{pid}, “Freeze”: 1 for, 1 against, 0 abstaining" in d["verdict"]
    assert "chair's latest draft (version 2), which binds no one" in d["verdict"]
    # A party worse off under the text than with no agreement is named as such.
    for party in d["parties"]:
        assert party["below_reservation"] == (party["utility"] < party["reservation"] - 1e-9)
    assert any(p["below_reservation"] for p in d["parties"])


def test_the_facilitator_sets_the_scenario_clock(table: Table) -> None:
    assert table.call("usa", "GET", "/me").json()["exercise"]["clock"] is None
    answer = table.call(
        "facilitator", "PUT", "/clock", {"start": "2002-11-20T09:00:30+09:00", "rate": 1440}
    )
    assert answer.status_code == 200, answer.text
    # The scenario's wall clock: the zone is dropped, not converted; seconds are not kept.
    clock = table.call("usa", "GET", "/me").json()["exercise"]["clock"]
    assert clock["start"] == "2002-11-20T09:00" and clock["rate"] == 1440
    assert clock["set_at"].endswith(("+00:00", "Z"))  # a moment, in UTC
    events = table.call("observer", "GET", "/timeline").json()
    assert events[-1]["kind"] == "clock" and events[-1]["payload"]["start"] == "2002-11-20T09:00"
    assert events[-1]["at"].endswith("+00:00")  # times on the timeline carry their zone
    for bad in ({"start": "2002-11-20T09:00", "rate": 0}, {"start": "soon", "rate": 1}):
        assert table.call("facilitator", "PUT", "/clock", bad).status_code == 422


def test_the_final_text_is_a_document_in_words(table: Table) -> None:
    pid = table.call(
        "rok", "POST", "/proposals", {"title": "Talks", "values": {"talks-format": 50}}
    ).json()["id"]
    for d, choice in (("usa", "accept"), ("china", "accept"), ("rok", "accept")):
        table.call(d, "POST", f"/proposals/{pid}/votes", {"choice": choice, "reason": "fair"})
    table.call("dprk", "POST", f"/proposals/{pid}/votes", {"choice": "accept"})
    table.call("chair", "POST", f"/proposals/{pid}/close")
    assert table.call("usa", "GET", "/final-text").status_code == 403  # not final yet
    table.call("facilitator", "POST", "/archive")
    answer = table.call("observer", "GET", "/final-text")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/markdown")
    assert 'filename="exercise-' in answer.headers["content-disposition"]
    doc = answer.text
    assert doc.startswith("# ") and "**Adopted text (proposal #" in doc
    assert "The scenario is set on 20 November 2002." in doc
    assert "Adopted by consensus as a joint statement" in doc
    # Issues in the scenario's words with the reading of each value; no internal ids.
    assert "**Format of talks on the Korean nuclear issue**: " in doc
    assert "talks-format" not in doc
    assert "50 on a scale of 0 to 100" in doc
    assert "- United States — accept: fair" in doc and "Tabled by Republic of Korea" in doc
    assert table.call("usa", "GET", "/final-text").text == doc  # the same for every seat, twice


def test_a_final_text_not_adopted_says_so_and_shows_its_brackets(table: Table) -> None:
    table.call(
        "chair",
        "POST",
        "/text",
        {"base_version": 1, "values": {"nuclear": 70}, "brackets": ["kuril"]},
    )
    table.call("facilitator", "POST", "/archive")
    doc = table.call("usa", "GET", "/final-text").text
    assert "**Chair's draft, version 2 — not adopted, binding no one**" in doc
    assert "Nothing was adopted." in doc
    assert doc.count("*[bracketed: not agreed]*") == 1
    assert "## The votes" not in doc  # none was tabled


def test_a_delegations_brief_carries_the_trainers_instructions_to_it_alone(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    from tests.server.conftest import SCENARIO

    told = "Hold out for verification; you may give ground on the format of talks."
    text = SCENARIO.replace('id = "usa"\n', f'id = "usa"\ninstructions = "{told}"\n', 1)
    assert text != SCENARIO
    table = Table(client, sessions, scenario=text)
    assert table.call("usa", "GET", "/brief").json()["instructions"] == told
    assert table.call("china", "GET", "/brief").json()["instructions"] == ""
    # Exercise design, not a position: the forecasts do not change with it.
    from accord.forecasting import forecast
    from accord.scenario.loader import parse_scenario

    assert forecast(parse_scenario(text)).records() == forecast(parse_scenario(SCENARIO)).records()


def test_a_damaged_export_is_refused_whole(table: Table) -> None:
    table.call("facilitator", "POST", "/archive")
    exported = json.loads(table.call("facilitator", "GET", "/export").text)
    del exported["messages"]
    with table.sessions() as session:
        before = session.scalar(select(func.count()).select_from(Exercise))
        with pytest.raises(AccordError, match=r"saved\.json: .*messages: Field required.*export"):
            import_exercise(session, json.dumps(exported), source="saved.json")
        assert session.scalar(select(func.count()).select_from(Exercise)) == before


def test_a_delegation_reads_its_own_brief_from_the_scenario(table: Table) -> None:
    from accord.scenario.loader import parse_scenario
    from tests.server.conftest import SCENARIO

    brief = table.call("usa", "GET", "/brief").json()
    assert (brief["party"], brief["name"]) == ("usa", "United States")
    scenario = parse_scenario(SCENARIO)
    stance = scenario.stance("usa", "nuclear")
    nuclear = next(i for i in brief["issues"] if i["id"] == "nuclear")
    assert nuclear["position"] == stance.position
    assert nuclear["position_reading"] == scenario.issue("nuclear").reading(stance.position)
    assert nuclear["source"]  # every stated position carries its source
    assert table.call("chair", "GET", "/brief").status_code == 403


def test_exercises_made_from_one_scenario_file_share_one_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A course runs many tables of one scenario: the server parses its file once.

    (Some 16 ms each for the flagship: under load, the first write of each of 50 fresh
    exercises was a tenth of the server's time.)
    """
    from accord.server import agenda
    from accord.server.db import session_factory, upgrade
    from accord.server.service import create_exercise

    url = f"sqlite:///{tmp_path / 'course.db'}"
    upgrade(url)
    course = f"{SCENARIO}\n# a course's copy, {tmp_path.name}\n"  # text no other test parsed
    other = f"{course}# another scenario\n"
    parsed: list[str] = []

    def counted(text: str, source: str) -> Any:
        parsed.append(text)
        return parse_scenario(text, source=source)

    monkeypatch.setattr(agenda, "parse_scenario", counted)
    with session_factory(url)() as session:
        tables = [create_exercise(session, course, "six-party")[0] for _ in range(3)]
        apart = create_exercise(session, other, "six-party")[0]
        session.commit()
        scenarios = [agenda.scenario_of(exercise) for exercise in [*tables, apart, *tables]]
    assert parsed == [course, other]
    assert scenarios[0] is scenarios[1] is scenarios[2] is scenarios[4]
    assert scenarios[3] is not scenarios[0] and scenarios[3].name == scenarios[0].name
