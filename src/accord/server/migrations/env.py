"""Alembic environment: migrations run on the engine ``accord.server.db.upgrade`` passes in."""

from __future__ import annotations

from alembic import context
from sqlalchemy import engine_from_config, pool

from accord.server import models  # noqa: F401  (registers the tables)
from accord.server.db import Base

config = context.config
target_metadata = Base.metadata


def run_migrations() -> None:
    """Run the migrations online, on the given (or configured) engine."""
    connectable = config.attributes.get("engine")
    if connectable is None:
        connectable = engine_from_config(
            config.get_section(config.config_ini_section, {}),
            prefix="sqlalchemy.",
            poolclass=pool.NullPool,
        )
    with connectable.connect() as connection:
        context.configure(
            connection=connection, target_metadata=target_metadata, render_as_batch=True
        )
        with context.begin_transaction():
            context.run_migrations()


run_migrations()
