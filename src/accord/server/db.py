"""The database: engine, sessions, and the schema's migrations (Alembic)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import NullPool

__all__ = ["POOL_OVERFLOW", "POOL_SIZE", "Base", "engine_for", "session_factory", "upgrade"]


POOL_SIZE = 10
POOL_OVERFLOW = 10
"""Connections a server process keeps to a pooled database (PostgreSQL), and may add."""


class Base(DeclarativeBase):
    """Base class of every table."""


def _sqlite_pragmas(connection: Any, _record: Any) -> None:
    # SQLAlchemy, not the sqlite3 module, decides when a transaction begins (see _sqlite_begin):
    # the module's own implicit transactions break savepoints.
    connection.isolation_level = None
    cursor = connection.cursor()
    # An acknowledged write must survive a crash of the server: with the write-ahead log
    # (switched on once, in engine_for), synchronous=NORMAL keeps every committed transaction
    # through a killed process (only a power loss can take the last ones); and real foreign keys.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


@lru_cache(maxsize=8)
def engine_for(url: str) -> Engine:
    """One engine per database URL."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        # SQLite has one writer at a time: no pool to wait on; writers queue in the app
        # (deps.app_session) and, across processes, in busy_timeout.
        engine = create_engine(url, connect_args={"check_same_thread": False}, poolclass=NullPool)
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
        finally:
            raw.close()
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


def session_factory(url: str) -> sessionmaker[Session]:
    """Sessions bound to the database at ``url``."""
    return sessionmaker(bind=engine_for(url), expire_on_commit=False)


def upgrade(url: str) -> None:
    """Bring the database schema to the newest migration (``accord db upgrade``)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    config.attributes["engine"] = engine_for(url)
    command.upgrade(config, "head")
