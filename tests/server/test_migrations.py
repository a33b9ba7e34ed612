"""The migrations build exactly the schema the models describe, and step down again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from accord.server.db import SQLITE_ENGINES_KEPT, Base, engine_for, upgrade
from tests.server.conftest import BACKENDS, database_url


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_newest_migration_matches_the_models(backend: str, tmp_path: Path) -> None:
    url = database_url(backend, tmp_path)
    with engine_for(url).connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == [], "write a migration for these model changes (alembic revision)"


def test_an_upgrade_is_safe_to_run_twice(tmp_path: Path) -> None:
    url = database_url("sqlite", tmp_path)
    upgrade(url)  # already at the newest revision: nothing to do, nothing broken
    with engine_for(url).connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == "0005"


def test_an_engine_pushed_out_by_newer_ones_closes_its_connections(tmp_path: Path) -> None:
    """A process keeps the engines of its eight most recent SQLite files; older ones close.

    (An engine left to the garbage collector closes its connections whenever that runs,
    and psycopg warns of each one deleted while open.)
    """
    first_url = f"sqlite:///{tmp_path / 'first.db'}"
    first = engine_for(first_url)
    with first.connect():
        pass
    assert first.pool.checkedin() >= 1  # kept open for the next request
    for i in range(SQLITE_ENGINES_KEPT):
        engine_for(f"sqlite:///{tmp_path / f'newer-{i}.db'}")
    assert first.pool.checkedin() == 0  # closed when pushed out ...
    with first.connect():  # ... and still working for whoever holds it
        pass
    assert engine_for(first_url) is not first
