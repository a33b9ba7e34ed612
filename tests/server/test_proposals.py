"""Proposals, co-sponsors and votes: hidden until the chair closes the vote."""

from __future__ import annotations

import pytest

from tests.server.conftest import Table


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
    # The chair, the facilitator and the observer see the count, not the votes.
    for seat in ("chair", "facilitator", "observer"):
        seen = table.call(seat, "GET", "/proposals").json()[0]
        assert (seen["title"], seen["votes_cast"], seen["votes"]) == ("Freeze for talks", 2, [])
    closed = table.call("chair", "POST", f"/proposals/{pid}/close")
    assert (
        closed.json()["state"] == "rejected" and closed.json()["statement"] == "chair's statement"
    )
    for seat in ("usa", "observer"):  # once closed, every seat reads every vote and reason
        votes = table.call(seat, "GET", "/proposals").json()[0]["votes"]
        assert {(v["choice"], v["reason"]) for v in votes} == {
            ("accept", "a start"),
            ("reject", "no guarantees"),
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


def test_a_missing_vote_is_no_consensus(table: Table) -> None:
    pid = table.call(
        "rok", "POST", "/proposals", {"title": "Dialogue", "values": {"talks-format": 50}}
    ).json()["id"]
    for d in ("usa", "china", "rok"):
        table.call(d, "POST", f"/proposals/{pid}/votes", {"choice": "accept"})
    closed = table.call("chair", "POST", f"/proposals/{pid}/close").json()
    assert closed["state"] == "rejected" and closed["statement"] == "chair's statement"


def test_unknown_cosponsors_are_named(table: Table) -> None:
    made = table.call(
        "rok", "POST", "/proposals", {"title": "x", "values": {}, "cosponsors": ["japan"]}
    )
    assert made.status_code == 422 and "japan" in made.json()["detail"]


@pytest.mark.parametrize(
    ("cosponsors", "says"),
    [
        (["china", "china"], "named more than once: ['china']"),
        (["rok", "china"], "sponsors its own proposal"),
    ],
)
def test_cosponsors_are_others_named_once(table: Table, cosponsors: list[str], says: str) -> None:
    answer = table.call(
        "rok", "POST", "/proposals", {"title": "x", "values": {}, "cosponsors": cosponsors}
    )
    assert answer.status_code == 422 and says in answer.text


def test_the_timeline_says_who_voted_and_who_changed_a_vote_not_how(table: Table) -> None:
    made = table.call("china", "POST", "/proposals", {"title": "Freeze", "values": {}})
    pid = made.json()["id"]
    table.call("usa", "POST", f"/proposals/{pid}/votes", {"choice": "accept"})
    table.call("usa", "POST", f"/proposals/{pid}/votes", {"choice": "reject"})
    usa = table.call("usa", "GET", "/me").json()["seat"]["id"]
    votes = [
        e["payload"] for e in table.call("rok", "GET", "/timeline").json() if e["kind"] == "vote"
    ]
    assert votes == [
        {"proposal": pid, "by": usa, "changed": False},
        {"proposal": pid, "by": usa, "changed": True},
    ]


def test_a_failed_vote_is_recorded_in_the_chairs_own_words(table: Table) -> None:
    made = table.call("china", "POST", "/proposals", {"title": "Freeze", "values": {}})
    pid = made.json()["id"]
    table.call("usa", "POST", f"/proposals/{pid}/votes", {"choice": "reject"})
    words = "The table could not agree on a freeze; talks continue in the working group."
    closed = table.call("chair", "POST", f"/proposals/{pid}/close", {"statement": f"  {words} "})
    assert closed.json()["state"] == "rejected"
    events = [e["payload"] for e in table.call("observer", "GET", "/timeline").json()]
    assert {
        "proposal": pid,
        "state": "rejected",
        "statement": "chair's statement",
        "chair_statement": words,
    } in events
    verdict = table.call("chair", "GET", "/debrief").json()["verdict"]
    assert f"the chair's statement: “{words}”" in verdict
