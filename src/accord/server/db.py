"""The database: engine, sessions, and the schema's migrations (Alembic)."""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import QueuePool

from accord.errors import AccordError

__all__ = [
    "POOL_OVERFLOW",
    "POOL_SIZE",
    "SQLITE_BUSY_TIMEOUT_MS",
    "Base",
    "engine_for",
    "hold_sqlite_file",
    "session_factory",
    "sqlite_file",
    "upgrade",
]


POOL_SIZE = 10
POOL_OVERFLOW = 10
"""Connections a server process keeps to a pooled database (PostgreSQL), and may add."""


class Base(DeclarativeBase):
    """Base class of every table."""


SQLITE_BUSY_TIMEOUT_MS = 30_000
"""How long a SQLite connection waits for the write lock another process holds."""


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
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Any) -> None:
    connection.exec_driver_sql("BEGIN")


def _sqlite_begin_immediate(connection: Any) -> None:
    # Takes the write lock at once, waiting its turn (busy_timeout): a transaction that
    # reads first and writes later cannot wait, since a write committed meanwhile by
    # another process makes its snapshot stale, and SQLite answers "database is locked".
    connection.exec_driver_sql("BEGIN IMMEDIATE")


SQLITE_KEPT = 8
"""SQLite connections a server process keeps open for reuse."""

WAL_WAIT_SECONDS = 30.0
"""How long switching a SQLite file to its write-ahead log waits for another process."""


def _sqlite_engine(url: str, immediate: bool = False) -> Engine:
    """A SQLite engine with accord's pragmas, its file in write-ahead-log mode."""
    # Connections are kept and reused (opening one, with its pragmas, and closing it cost
    # more than a small write), and never waited for: with no limit on overflow, a request
    # never queues for a connection (writes queue for the app's writer: see writer.py).
    engine = create_engine(
        url,
        connect_args={"check_same_thread": False},
        poolclass=QueuePool,
        pool_size=SQLITE_KEPT,
        max_overflow=-1,
    )
    event.listen(engine, "connect", _sqlite_pragmas)
    event.listen(engine, "begin", _sqlite_begin_immediate if immediate else _sqlite_begin)
    deadline = time.monotonic() + WAL_WAIT_SECONDS
    while True:  # the switch needs the file to itself, and does not wait by itself
        raw = engine.raw_connection()
        try:
            raw.driver_connection.execute("PRAGMA journal_mode=WAL")  # type: ignore[union-attr]
            return engine
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
        finally:
            raw.close()
        time.sleep(0.05)


SQLITE_ENGINES_KEPT = 8
"""SQLite engines a process keeps, the most recently used (tests make one per file)."""

_engines: OrderedDict[str, Engine] = OrderedDict()
_engines_lock = threading.Lock()


def _new_engine(url: str) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        # SQLite has one writer at a time: no pool to wait on; writes queue for the app's
        # writer (writer.py) and, across processes, in busy_timeout.
        return _sqlite_engine(url)
    return create_engine(url, pool_pre_ping=True, pool_size=POOL_SIZE, max_overflow=POOL_OVERFLOW)


def engine_for(url: str) -> Engine:
    """One engine per database URL.

    A process keeps the engines of its server databases (a few at most) and of its
    eight most recent SQLite files. An engine pushed out closes the connections its
    pool holds, and still works, with a new pool, for whoever holds it. (Left to the
    garbage collector, its connections would be closed whenever that ran, and psycopg
    warns of every connection deleted while open.)
    """
    with _engines_lock:
        engine = _engines.get(url)
        if engine is not None:
            _engines.move_to_end(url)
            return engine
        engine = _engines[url] = _new_engine(url)
        files = [kept for kept in _engines if kept.startswith("sqlite")]
        for old in files[: max(0, len(files) - SQLITE_ENGINES_KEPT)]:
            _engines.pop(old).dispose()
        return engine


def session_factory(url: str) -> sessionmaker[Session]:
    """Sessions bound to the database at ``url``."""
    return sessionmaker(bind=engine_for(url), expire_on_commit=False)


def sqlite_file(url: str) -> Path | None:
    """The file of a SQLite database URL; None for other databases and in-memory ones."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database)


def hold_sqlite_file(url: str) -> Any:
    """Take a SQLite file for this server process alone, until the process ends.

    SQLite has one writer at a time, and a second server process would neither hear of
    the first one's writes at once nor share its queue of writers: it would refuse
    writes as busy (35% under 20 clients, once). So a second ``accord serve`` on the
    same file is refused, with what to do instead. Returns the held lock (None for
    other databases); keep a reference to it.
    """
    from filelock import FileLock, Timeout

    path = sqlite_file(url)
    if path is None:
        return None
    lock = FileLock(f"{path}-serve.lock")
    try:
        lock.acquire(timeout=0)
    except Timeout:
        raise AccordError(
            f"{path} is already served by another `accord serve`: a SQLite file takes one "
            "server process. Stop the other one, or, to serve from several processes, use "
            "PostgreSQL (--database postgresql://USER:PASSWORD@HOST/NAME)"
        ) from None
    return lock


def upgrade(url: str) -> None:
    """Bring the database schema to the newest migration (``accord db upgrade``)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    # On SQLite, processes migrating the same file at once (two commands started together)
    # take turns: one at a time holds a lock file beside it, and each migration holds the
    # write lock from its first statement. (The write lock alone once let a process read
    # the version before another's migration committed, and fail to update it.)
    path = sqlite_file(url)
    turn: Any = contextlib.nullcontext()
    if path is not None:
        from filelock import FileLock

        turn = FileLock(f"{path}-migrate.lock", timeout=WAL_WAIT_SECONDS * 4)
    with turn:
        migrating = _sqlite_engine(url, immediate=True) if url.startswith("sqlite") else None
        config.attributes["engine"] = migrating or engine_for(url)
        try:
            command.upgrade(config, "head")
        finally:
            if migrating is not None:
                migrating.dispose()
