"""The migrations build exactly the schema the models describe, and step down again."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from accord.server.db import Base, engine_for, upgrade
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
