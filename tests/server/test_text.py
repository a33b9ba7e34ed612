"""The chair's single negotiating text: versions, diffs, conflicts, comments and amendments."""

from __future__ import annotations

from tests.server.conftest import Table


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
    assert history[1]["note"] == "draft 2"


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


def test_an_amendment_names_an_issue_of_the_text(table: Table) -> None:
    amended = table.call(
        "china",
        "POST",
        "/comments",
        {"version": 1, "issue": "nuclear", "body": "phase it", "amendment": 55},
    )
    assert amended.status_code == 201
    assert table.call("chair", "GET", "/comments").json()[0]["amendment"] == 55
    unknown = table.call(
        "china", "POST", "/comments", {"version": 1, "issue": "tariffs", "body": "x"}
    )
    assert unknown.status_code == 422 and "nuclear" in unknown.json()["detail"]


def test_every_version_reads_in_words_and_keeps_its_brackets(table: Table) -> None:
    text = table.call("usa", "GET", "/text").json()
    assert text["issues"]["nuclear"]["min"] == 0 and text["issues"]["nuclear"]["anchors"]
    assert text["current"]["readings"]["nuclear"] == (
        "simultaneous package: non-nuclear status for guarantees and aid"
    )
    bracketed = table.call(
        "chair",
        "POST",
        "/text",
        {"base_version": 1, "values": {"nuclear": 70}, "brackets": ["nuclear", "kuril"]},
    ).json()
    assert bracketed["brackets"] == ["kuril", "nuclear"]
    assert bracketed["bracketed"] == ["kuril", "nuclear"] and bracketed["agreed"] == []
    assert bracketed["readings"]["nuclear"] == "dismantlement first, assurances alongside"
    kept = table.call("chair", "POST", "/text", {"base_version": 2, "values": {}}).json()
    assert kept["brackets"] == ["kuril", "nuclear"]  # left out: the brackets stay
    agreed = table.call(
        "chair", "POST", "/text", {"base_version": 3, "values": {}, "brackets": ["kuril"]}
    ).json()
    assert agreed["agreed"] == ["nuclear"] and agreed["brackets"] == ["kuril"]


def test_values_off_the_scale_or_the_agenda_are_refused(table: Table) -> None:
    off = table.call("chair", "POST", "/text", {"base_version": 1, "values": {"nuclear": 140}})
    assert off.status_code == 422 and "from 0 to 100" in off.json()["detail"]
    stray = table.call("chair", "POST", "/text", {"base_version": 1, "values": {"tariffs": 5}})
    assert stray.status_code == 422 and "tariffs" in stray.json()["detail"]
    bracket = table.call(
        "chair", "POST", "/text", {"base_version": 1, "values": {}, "brackets": ["tariffs"]}
    )
    assert bracket.status_code == 422
    amendment = {"version": 1, "issue": "nuclear", "body": "x", "amendment": -5}
    assert table.call("usa", "POST", "/comments", amendment).status_code == 422
    proposal = {"title": "p", "values": {"nuclear": 101}}
    assert table.call("usa", "POST", "/proposals", proposal).status_code == 422
    assert table.call("usa", "GET", "/text").json()["current"]["version"] == 1  # nothing stored
