"""Property-based tests of the whole API from its OpenAPI schema (schemathesis).

Never a 500, and every answer — success or refusal — matches the response model the
schema declares for its status code.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import response_schema_conformance

from accord.server.app import create_app
from accord.server.db import session_factory, upgrade
from accord.server.service import create_exercise
from accord.server.settings import ServerSettings
from tests.conftest import SCENARIOS

DATABASE = f"sqlite:///{Path(tempfile.mkdtemp(prefix='accord-schema-')) / 'exercises.db'}"


def _app():  # type: ignore[no-untyped-def]
    upgrade(DATABASE)
    # No per-seat pace here: the generated requests would be paced, not checked.
    return create_app(ServerSettings(database_url=DATABASE, seat_writes_per_minute=0))


APP = _app()
with session_factory(DATABASE)() as session:
    EXERCISE, SEATS = create_exercise(
        session, (SCENARIOS / "northeast-asia-2002.toml").read_text(), "four-party"
    )
TOKENS = {seat.party or seat.role: seat.token for seat in SEATS}
# Round 1 open, so that negotiating requests reach their handlers' checks.
assert (
    TestClient(APP)
    .post(
        f"/api/exercises/{EXERCISE.id}/rounds",
        json={"action": "open"},
        headers={"Authorization": f"Bearer {TOKENS['facilitator']}"},
    )
    .is_success
)

schema = schemathesis.openapi.from_asgi("/openapi.json", APP).exclude(path_regex=r"/events$")


@pytest.mark.parametrize("who", ["usa", "chair", "facilitator", "observer"])
@schema.parametrize()
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_request_makes_the_server_fail(case, who: str) -> None:  # type: ignore[no-untyped-def]
    if "exercise_id" in (case.path_parameters or {}):
        case.path_parameters["exercise_id"] = EXERCISE.id
    response = case.call(headers={"Authorization": f"Bearer {TOKENS[who]}"})
    assert response.status_code < 500, (response.status_code, response.text[:300])
    case.validate_response(response, checks=[response_schema_conformance])
