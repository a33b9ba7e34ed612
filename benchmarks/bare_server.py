"""The baseline of ``bench_server_wrk.py``: a bare FastAPI + SQLAlchemy endpoint.

It does the unit of work an accord comment does at its core — the bearer token looked
up by its hash, one row inserted, the transaction committed — and nothing else: no
exercise, round or rate checks, no event on a timeline, no live update. Run by the
benchmark as ``python benchmarks/bare_server.py DATABASE_URL PORT``; its tables are
created from accord's participants (``copy_tokens``).
"""

from __future__ import annotations

import hashlib
import sys
from typing import Annotated

from fastapi import FastAPI, Header, HTTPException
from sqlalchemy import ForeignKey, Integer, String, Text, create_engine, event, select
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker


class Base(DeclarativeBase):
    pass


class Seat(Base):
    __tablename__ = "bare_seats"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)


class Note(Base):
    __tablename__ = "bare_notes"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("bare_seats.id"))
    body: Mapped[str] = mapped_column(Text)


def engine_for(url: str):  # type: ignore[no-untyped-def]
    """The same SQLite settings as accord's (WAL, synchronous=NORMAL, a busy timeout)."""
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if not url.startswith("sqlite"):
        return create_engine(url, pool_size=10, max_overflow=10)
    engine = create_engine(url, connect_args={"check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _pragmas(connection, _record):  # type: ignore[no-untyped-def]
        cursor = connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    return engine


def copy_tokens(url: str, hashes: list[str]) -> None:
    """Create the bare tables (empty) and one seat per accord token hash."""
    engine = engine_for(url)
    Base.metadata.drop_all(engine)
    Base.metadata.create_all(engine)
    with Session(engine) as session:
        session.add_all(Seat(token_hash=h) for h in hashes)
        session.commit()
    engine.dispose()


def make_app(url: str) -> FastAPI:
    sessions = sessionmaker(bind=engine_for(url))
    app = FastAPI()

    @app.post("/api/exercises/{exercise_id}/comments", status_code=201)
    def comment(
        exercise_id: int, body: dict[str, object], authorization: Annotated[str, Header()]
    ) -> dict[str, int]:
        token = authorization.removeprefix("Bearer ")
        digest = hashlib.sha256(token.encode()).hexdigest()
        with sessions() as session:
            seat = session.scalar(select(Seat).filter_by(token_hash=digest))
            if seat is None:
                raise HTTPException(401, "unknown token")
            note = Note(seat_id=seat.id, body=str(body.get("body", "")))
            session.add(note)
            session.commit()
            return {"id": note.id}

    return app


if __name__ == "__main__":
    import uvicorn

    uvicorn.run(make_app(sys.argv[1]), host="127.0.0.1", port=int(sys.argv[2]), log_level="warning")
