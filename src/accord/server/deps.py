"""Request dependencies: the database session and the seat the request's token belongs to."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request
from sqlalchemy.orm import Session

from accord.server.db import SQLITE_WRITER
from accord.server.models import Exercise, Participant
from accord.server.service import hash_token

__all__ = ["MAX_ID", "app_session", "CurrentSeat", "DbSession", "RecordId", "Seat", "require"]

MAX_ID = 2**53
"""Identifiers are positive and fit every database's integer column."""

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


@contextmanager
def app_session(app: FastAPI, writes: bool) -> Iterator[Session]:
    """A session of the app's database; on SQLite, writers take turns (reads go on alongside)."""
    if writes and app.state.serialise_writes:
        with SQLITE_WRITER, app.state.sessions() as session:
            yield session
    else:
        with app.state.sessions() as session:
            yield session


def get_session(request: Request) -> Iterator[Session]:
    """One session per request, bound to the app's database."""
    with app_session(request.app, request.method not in ("GET", "HEAD", "OPTIONS")) as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


class Seat:
    """The participant making a request, with its exercise."""

    def __init__(self, participant: Participant, exercise: Exercise) -> None:
        self.participant = participant
        self.exercise = exercise

    @property
    def id(self) -> int:
        """The participant's id."""
        return self.participant.id

    @property
    def role(self) -> str:
        """delegation, chair, facilitator or observer."""
        return self.participant.role


def current_seat(
    session: DbSession,
    exercise_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    authorization: Annotated[str | None, Header()] = None,
    token: Annotated[str | None, Query(include_in_schema=False)] = None,
) -> Seat:
    """The seat of the bearer token; 401 without a valid token, 403 for another exercise.

    The token may also come as ``?token=`` (browsers' EventSource cannot send headers).
    """
    if authorization and authorization.lower().startswith("bearer "):
        secret = authorization[7:].strip()
    elif token:
        secret = token
    else:
        raise HTTPException(401, "send the join link's token as 'Authorization: Bearer TOKEN'")
    participant = session.query(Participant).filter_by(token_hash=hash_token(secret)).one_or_none()
    if participant is None:
        raise HTTPException(401, "unknown token; use the join link you were given")
    if participant.exercise_id != exercise_id:
        raise HTTPException(403, "this token belongs to another exercise")
    exercise = session.get(Exercise, exercise_id)
    assert exercise is not None
    return Seat(participant, exercise)


CurrentSeat = Annotated[Seat, Depends(current_seat)]


def require(seat: Seat, *roles: str) -> None:
    """Refuse the request unless the seat has one of the roles."""
    if seat.role not in roles:
        raise HTTPException(403, f"only the {' or the '.join(roles)} may do this")
