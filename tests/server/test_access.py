"""Who may do what: every role against every endpoint, tokens, and malformed requests."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from accord.server.app import ROUTERS
from accord.server.deps import ROLES as ALL_ROLES
from accord.server.deps import Allowed, AllowedToWrite
from tests.server.conftest import Table

SELF_AUTHENTICATED = {
    "/api/exercises/{exercise_id}/session": "trades a join link's token for a cookie",
    "/api/exercises/{exercise_id}/events": "a page's live updates: cookie and ?seat=, or a token",
}
"""Routes that check credentials themselves, for every seat, and why."""

API = [
    (method, route)
    for router in ROUTERS
    for route in router.routes
    if isinstance(route, APIRoute)
    for method in sorted(route.methods)
]


EVERYONE = {"delegation", "chair", "facilitator", "observer"}
TABLE = {"delegation", "chair", "facilitator"}
WHO_MAY = {
    ("GET", "/me"): EVERYONE,
    ("GET", "/brief"): {"delegation"},  # its own: another's positions are its to reveal
    ("POST", "/rounds"): {"facilitator"},
    ("PUT", "/clock"): {"facilitator"},
    ("POST", "/injects"): {"facilitator"},
    ("GET", "/injects"): EVERYONE,
    ("POST", "/archive"): {"facilitator"},
    ("GET", "/timeline"): EVERYONE,
    ("GET", "/export"): EVERYONE,  # once the archive is open (checked in the handler)
    ("GET", "/debrief"): EVERYONE,  # the chair and facilitator before the archive opens
    ("GET", "/final-text"): EVERYONE,  # once the archive is open (checked in the handler)
    ("GET", "/text"): EVERYONE,
    ("POST", "/text"): {"chair"},
    ("GET", "/comments"): EVERYONE,
    ("POST", "/comments"): {"delegation"},
    ("GET", "/proposals"): EVERYONE,  # the observer too; others' votes once the vote closes
    ("POST", "/proposals"): {"delegation", "chair"},  # the chair puts its text to the vote
    ("POST", "/proposals/{proposal_id}/cosponsorship"): {"delegation"},
    ("POST", "/proposals/{proposal_id}/votes"): {"delegation"},
    ("POST", "/proposals/{proposal_id}/close"): {"chair"},
    ("GET", "/channels"): EVERYONE,  # those the seat may read (checked in the handler)
    ("POST", "/channels"): {"delegation"},
    ("GET", "/channels/{channel_id}/messages"): EVERYONE,
    ("POST", "/channels/{channel_id}/messages"): TABLE,
    ("POST", "/notifications"): {"delegation"},
    ("POST", "/notifications/observed"): {"facilitator"},
    ("GET", "/notifications"): EVERYONE,
    ("GET", "/thresholds"): EVERYONE,
    ("PUT", "/thresholds"): {"facilitator"},
}
"""The access rules as specified: who may call each route of an exercise's API."""


def _short(path: str) -> str:
    return path.removeprefix("/api/exercises/{exercise_id}")


def test_each_route_allows_the_roles_specified_and_no_route_is_unspecified() -> None:
    declared = {
        (method, _short(route.path)): set(_rules(route.dependant)[0].roles)
        for method, route in API
        if route.path not in SELF_AUTHENTICATED
    }
    assert declared == WHO_MAY
    assert set(ALL_ROLES) == EVERYONE


def _rules(dependant: Dependant) -> list[Allowed]:
    found = [dependant.call] if isinstance(dependant.call, Allowed) else []
    return found + [r for d in dependant.dependencies for r in _rules(d)]


def test_every_route_declares_who_may_call_it() -> None:
    # A new route without a rule fails here: declare it with a seat type from deps
    # (AnySeat, TableSeat, DelegationSeat, ChairSeat, FacilitatorSeat for a read; TableWrite,
    # DelegationWrite, ChairWrite, FacilitatorWrite for a write) or Allowed(...).
    assert API, "no routes found"
    for method, route in API:
        rules = _rules(route.dependant)
        if route.path in SELF_AUTHENTICATED:
            assert not rules, route.path
        else:
            assert len(rules) == 1, f"{method} {route.path}: {len(rules)} access rules"


def test_a_read_seat_comes_with_its_rows_and_a_write_seat_opens_no_session() -> None:
    # A read route reads with the seat's rows (its exercise, its participant); a write
    # route's work runs in the writer, and a seat of the other kind would be either
    # unbound (a read failing) or read in a session nobody uses (a write, slower).
    for method, route in API:
        if route.path in SELF_AUTHENTICATED:
            continue
        (rule,) = _rules(route.dependant)
        writes = isinstance(rule, AllowedToWrite)
        assert writes == (method != "GET"), f"{method} {route.path}: {rule!r}"


@pytest.mark.parametrize(
    ("method", "route"),
    [(m, r) for m, r in API if r.path not in SELF_AUTHENTICATED],
    ids=[
        f"{m} {r.path.removeprefix('/api/exercises/{exercise_id}')}"
        for m, r in API
        if r.path not in SELF_AUTHENTICATED
    ],
)
def test_each_role_is_let_through_or_refused_as_the_route_declares(
    table: Table, method: str, route: APIRoute
) -> None:
    (rule,) = _rules(route.dependant)
    path = re.sub(r"\{\w+_id\}", "1", _short(route.path))
    # Those refused first: an allowed call may change the exercise (opening the archive).
    for who, role in sorted(ROLES.items(), key=lambda seat: seat[1] in rule.roles):
        response = table.call(who, method, path, {} if method in ("POST", "PUT") else None)
        refused = response.status_code == 403 and "only the" in response.json()["detail"]
        assert refused == (role not in rule.roles), (who, response.status_code, response.text)


WRITE_RULES: list[tuple[str, str, Any, set[str]]] = [
    ("POST", "/text", {"base_version": 1, "values": {"nuclear": 55}}, {"chair"}),
    ("POST", "/comments", {"version": 1, "issue": "nuclear", "body": "x"}, {"delegation"}),
    ("POST", "/proposals", {"title": "p", "values": {}}, {"delegation", "chair"}),
    ("POST", "/channels", {"name": "c", "members": ["china"]}, {"delegation"}),
    ("POST", "/injects", {"title": "t", "body": "b"}, {"facilitator"}),
    (
        "POST",
        "/notifications",
        {"activity": "a", "troops": 1, "starts": "2030-01-01"},
        {"delegation"},
    ),
    ("POST", "/rounds", {"action": "pause"}, {"facilitator"}),
    ("PUT", "/clock", {"start": "2002-11-20T09:00", "rate": 60}, {"facilitator"}),
    ("PUT", "/thresholds", {"notify_troops": 13000, "lead_days": 42}, {"facilitator"}),
    ("POST", "/archive", None, {"facilitator"}),
    ("GET", "/proposals", None, {"delegation", "chair", "facilitator", "observer"}),
    ("GET", "/export", None, set()),  # before the archive opens: no seat (private channels)
    ("GET", "/final-text", None, set()),  # before the archive opens: not final
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
    table: Table, who: str, method: str, path: str, body: Any, allowed: set[str]
) -> None:
    response = table.call(who, method, path, body)
    if ROLES[who] in allowed:
        assert response.status_code < 300, response.text
    else:
        assert response.status_code == 403, response.text


@pytest.mark.parametrize("path", READ_FOR_ALL)
@pytest.mark.parametrize("who", sorted(ROLES))
def test_everyone_reads_what_is_theirs(table: Table, who: str, path: str) -> None:
    assert table.call(who, "GET", path).status_code == 200


def test_tokens_are_checked(
    table: Table, client: TestClient, sessions: sessionmaker[Session]
) -> None:
    assert client.get(f"/api/exercises/{table.id}/me").status_code == 401
    assert (
        client.get(
            f"/api/exercises/{table.id}/me", headers={"Authorization": "Bearer nope"}
        ).status_code
        == 401
    )
    other = Table(client, sessions)
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


def test_the_chair_and_facilitator_see_who_has_a_page_open(table: Table) -> None:
    usa = table.call("usa", "GET", "/me").json()["seat"]["id"]
    presence = table.client.app.state.presence  # type: ignore[attr-defined]
    presence.arrive(table.id, usa)  # as the live-update stream of usa's page does
    try:
        for who, sees in (("chair", [usa]), ("facilitator", [usa]), ("dprk", []), ("observer", [])):
            assert table.call(who, "GET", "/me").json()["online"] == sees, who
    finally:
        presence.leave(table.id, usa)
    assert table.call("chair", "GET", "/me").json()["online"] == []
