"""Request dependencies: the database session and the seat the request's token belongs to."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext, suppress
from typing import Annotated, Any, TypeVar
from weakref import WeakKeyDictionary

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.models import Exercise, Participant
from accord.server.service import hash_token

__all__ = [
    "MAX_ID",
    "ROLES",
    "SEAT_COOKIE",
    "SEAT_HEADER",
    "Allowed",
    "AnySeat",
    "ChairSeat",
    "CurrentSeat",
    "DbSession",
    "DelegationSeat",
    "FacilitatorSeat",
    "RecordId",
    "Seat",
    "TableSeat",
    "app_session",
    "authenticate",
    "credentials",
    "run_with_session",
]

T = TypeVar("T")

MAX_ID = 2**53
"""Identifiers are positive and fit every database's integer column."""

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


def _per_loop(app: FastAPI, make: Callable[[], Any]) -> Any:
    """One queue per event loop (asyncio primitives belong to the loop they wait on)."""
    loop = asyncio.get_running_loop()
    queues: WeakKeyDictionary[asyncio.AbstractEventLoop, Any] = app.state.db_queues
    if loop not in queues:
        queues[loop] = make()
    return queues[loop]


def _turn(app: FastAPI, writes: bool) -> AbstractAsyncContextManager[Any]:
    """Wait, on the event loop, until the database can take this request at once.

    SQLite: one writer at a time (readers go on alongside, thanks to the WAL).
    Other databases: no more requests at once than the connection pool holds.
    Requests queue here, first come first served, holding no worker thread: a
    request that waited in a thread (for SQLite's writer, or for a pooled
    connection) would hold one of the server's threads, and with enough of them
    waiting, the request holding the turn could get no thread to finish in.
    """
    if app.state.serialise_writes:
        return _per_loop(app, asyncio.Lock) if writes else nullcontext()
    slots = app.state.db_slots
    return _per_loop(app, lambda: asyncio.Semaphore(slots))  # type: ignore[no-any-return]


@asynccontextmanager
async def app_session(app: FastAPI, writes: bool) -> AsyncIterator[Session]:
    """A session of the app's database, once the database can take it (see :func:`_turn`)."""
    async with _turn(app, writes):
        with app.state.sessions() as session:
            yield app.state.bell.attach(session)


async def run_with_session(app: FastAPI, writes: bool, work: Callable[[Session], T]) -> T:
    """``work(session)`` in a worker thread, once the database can take it (see :func:`_turn`).

    For the server's own work outside requests (the clock, event streams). The session
    is opened and closed in the worker thread, and a caller that is cancelled (the
    server shutting down, a page closing) waits for the work to end: the turn is not
    given up early, and no connection is closed under a running query. (A plain
    ``asyncio.to_thread`` abandons its thread on cancellation; SQLite then crashed.)
    """

    def run() -> T:
        with app.state.sessions() as session:
            return work(app.state.bell.attach(session))

    async with _turn(app, writes):
        running = asyncio.ensure_future(asyncio.to_thread(run))
        try:
            return await asyncio.shield(running)
        except asyncio.CancelledError:
            while not running.done():  # a short query: let it end, then pass the cancellation on
                with suppress(asyncio.CancelledError):
                    await asyncio.wait([running])
            raise


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One session per request, bound to the app's database."""
    writes = request.method not in ("GET", "HEAD", "OPTIONS")
    async with app_session(request.app, writes) as session:
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


SEAT_COOKIE = "accord_seat_{}"
"""A seat's session cookie, named for its participant id: one browser may hold several seats."""
SEAT_HEADER = "X-Accord-Seat"
"""The header a page names its seat in; a write authenticated by cookie must carry it."""


def credentials(request: Request, authorization: str | None, seat_hint: str | None) -> str:
    """The secret a request authenticates with: a bearer token, or a page's session cookie.

    Scripts send ``Authorization: Bearer TOKEN``. The desk exchanges its join link's
    token for an HttpOnly cookie once (``POST /session``), drops the token from the
    address bar, and from then on names its seat in the ``X-Accord-Seat`` header (or
    ``?seat=`` for live updates, which cannot send headers). A token is never read from
    the address. A write that rides on the cookie must carry the header, which another
    site's page cannot send: the cookie alone never authorises a write.
    """
    if authorization and authorization.lower().startswith("bearer "):
        return authorization[7:].strip()
    header = request.headers.get(SEAT_HEADER)
    hint = header or seat_hint
    if hint is not None and hint.isdigit():
        cookie = request.cookies.get(SEAT_COOKIE.format(int(hint)))
        if cookie and (header or request.method in ("GET", "HEAD")):
            return cookie
    raise HTTPException(
        401,
        "send the join link's token as 'Authorization: Bearer TOKEN', "
        "or open the join link in a browser",
    )


def current_seat(
    request: Request,
    session: DbSession,
    exercise_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    authorization: Annotated[str | None, Header()] = None,
    seat: Annotated[str | None, Query(include_in_schema=False, max_length=20)] = None,
) -> Seat:
    """The seat of the request's credentials; 401 without valid ones, 403 for another exercise.

    Once the archive is open the exercise is over: every write is refused with 409.
    A seat that writes faster than its limit is answered 429 (see limits.SeatRate).
    """
    found = authenticate(session, exercise_id, credentials(request, authorization, seat))
    if request.method not in ("GET", "HEAD"):
        if found.exercise.archive_open:
            raise HTTPException(
                409,
                "the exercise is over: the facilitator opened the archive for the debrief, "
                "so nothing more can be recorded",
            )
        request.app.state.seat_rate.take(found.id)
    return found


def authenticate(session: Session, exercise_id: int, secret: str) -> Seat:
    """The seat whose token is ``secret`` (see credentials); 401 or 403 otherwise."""
    found = session.execute(
        select(Participant, Exercise)
        .join(Exercise, Exercise.id == Participant.exercise_id)
        .where(Participant.token_hash == hash_token(secret))
    ).one_or_none()
    if found is None:
        raise HTTPException(401, "unknown token; use the join link you were given")
    participant, exercise = found
    if participant.exercise_id != exercise_id:
        raise HTTPException(403, "this token belongs to another exercise")
    return Seat(participant, exercise)


CurrentSeat = Annotated[Seat, Depends(current_seat)]


ROLES = ("delegation", "chair", "facilitator", "observer")
"""The seats' roles."""


class Allowed:
    """A route's access rule: the roles whose seats may call it (a request dependency).

    Each route declares its rule in its signature (``seat: ChairSeat``), so the rule
    can be read off the app's routes (the tests check every route has one) and is
    checked before the body is read. Rules that depend on the exercise's state (the
    archive, a channel's members) are refined in the handler.
    """

    def __init__(self, *roles: str) -> None:
        unknown = set(roles) - set(ROLES)
        if not roles or unknown:
            raise ValueError(f"roles must be some of {ROLES}, got {roles}")
        self.roles = roles

    async def __call__(self, seat: CurrentSeat) -> Seat:
        """The request's seat; 403 naming the roles allowed if it holds another.

        A coroutine, though it awaits nothing: it then runs on the event loop, not in a
        worker thread of its own (a thread hop per request, for one comparison).
        """
        if seat.role not in self.roles:
            raise HTTPException(403, f"only the {' or the '.join(self.roles)} may do this")
        return seat

    def __repr__(self) -> str:
        return f"Allowed{self.roles}"


AnySeat = Annotated[Seat, Depends(Allowed(*ROLES))]
"""Every seat, the observer's included."""
TableSeat = Annotated[Seat, Depends(Allowed("delegation", "chair", "facilitator"))]
"""Every seat at the table: all but the observer."""
DelegationSeat = Annotated[Seat, Depends(Allowed("delegation"))]
ChairSeat = Annotated[Seat, Depends(Allowed("chair"))]
FacilitatorSeat = Annotated[Seat, Depends(Allowed("facilitator"))]


def delegations(session: Session, exercise_id: int) -> dict[str, Participant]:
    """The exercise's delegations, by party."""
    rows = session.scalars(
        select(Participant).filter_by(exercise_id=exercise_id, role="delegation")
    )
    return {p.party: p for p in rows if p.party}


def delegation_ids(
    session: Session, exercise_id: int, parties: list[str], what: str = "delegations"
) -> list[int]:
    """The ids of the named delegations; 422 naming the unknown ones and the known ones."""
    known = delegations(session, exercise_id)
    unknown = [p for p in parties if p not in known]
    if unknown:
        raise HTTPException(422, f"unknown {what} {unknown}; the delegations are {sorted(known)}")
    return [known[p].id for p in parties]
