"""Who may do what: every role against every endpoint, tokens, and malformed requests."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.server.conftest import Table

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
    ("PUT", "/thresholds", {"notify_troops": 13000, "lead_days": 42}, {"facilitator"}),
    ("POST", "/archive", None, {"facilitator"}),
    ("GET", "/proposals", None, {"delegation", "chair", "facilitator"}),
    ("GET", "/export", None, set()),  # before the archive opens: no seat (private channels)
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
