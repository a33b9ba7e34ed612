"""Fixtures of the server tests: a migrated database per backend, and per-test transactions.

Every API test runs inside one database transaction that is rolled back when the
test ends: the app's own commits become savepoints, so tests see exactly what the
server would have stored and leave nothing behind. The tests run on SQLite, and
also on PostgreSQL when ``ACCORD_TEST_DATABASE_URL`` names one (``.ci/run`` sets
it up; the database's tables are created there and kept).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from accord.server.app import create_app
from accord.server.db import engine_for, upgrade
from accord.server.models import Exercise
from accord.server.service import create_exercise
from accord.server.settings import ServerSettings
from tests.conftest import SCENARIOS

SCENARIO = (SCENARIOS / "northeast-asia-2002.toml").read_text()
POSTGRESQL = os.environ.get("ACCORD_TEST_DATABASE_URL")

BACKENDS = [
    "sqlite",
    pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not POSTGRESQL, reason="set ACCORD_TEST_DATABASE_URL to test on PostgreSQL"
        ),
    ),
]


def database_url(backend: str, folder: Path) -> str:
    """A migrated database of the backend: a new SQLite file, or the PostgreSQL test database."""
    url = f"sqlite:///{folder / 'exercises.db'}" if backend == "sqlite" else str(POSTGRESQL)
    upgrade(url)
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def database(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The database the module's tests run against, once per backend."""
    return database_url(request.param, tmp_path_factory.mktemp("db"))


@pytest.fixture(scope="module")
def app(database: str) -> FastAPI:
    """The app (without its clock: deadlines are tested by calling the clock directly).

    Without the per-seat write pace either: the module's tests share the app, and
    rolled-back seats come back with the same ids (the pace is tested on its own).
    """
    return create_app(
        ServerSettings(database_url=database, clock_seconds=0, seat_writes_per_minute=0)
    )


@pytest.fixture
def sessions(app: FastAPI, database: str) -> Iterator[sessionmaker[Session]]:
    """Sessions inside one transaction that is rolled back after the test.

    Checks on the way out that the rollback left the database as it found it.
    """
    engine = engine_for(database)
    with engine.connect() as probe:
        exercises_before = probe.scalar(select(func.count()).select_from(Exercise))
    connection = engine.connect()
    outer = connection.begin()
    maker = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    before = app.state.sessions
    app.state.sessions = maker
    try:
        yield maker
    finally:
        app.state.sessions = before
        outer.rollback()
        connection.close()
    with engine.connect() as probe:
        assert probe.scalar(select(func.count()).select_from(Exercise)) == exercises_before


@pytest.fixture
def client(app: FastAPI, sessions: sessionmaker[Session]) -> TestClient:
    """A client of the app whose requests run in the test's transaction."""
    return TestClient(app)


class Table:
    """A fresh exercise (round 1 open unless asked otherwise) and a client per seat."""

    def __init__(
        self,
        client: TestClient,
        sessions: sessionmaker[Session],
        format_id: str = "four-party",
        opened: bool = True,
        scenario: str = SCENARIO,
    ) -> None:
        with sessions() as session:
            exercise, seats = create_exercise(session, scenario, format_id)
        self.id = exercise.id
        self.client = client
        self.sessions = sessions
        self.tokens = {seat.party or seat.role: seat.token for seat in seats}
        if opened:
            assert self.call("facilitator", "POST", "/rounds", {"action": "open"}).is_success

    def call(self, who: str, method: str, path: str, json: Any = None) -> httpx.Response:
        """A request to this exercise's API with the seat's token."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return self.client.request(
            method, f"/api/exercises/{self.id}{path}", json=json, headers=headers
        )


@pytest.fixture
def table(client: TestClient, sessions: sessionmaker[Session]) -> Table:
    """A four-party exercise with round 1 open."""
    return Table(client, sessions)
