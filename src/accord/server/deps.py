"""Request dependencies: the database session and the seat the request's token belongs to."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager, nullcontext
from dataclasses import dataclass
from typing import Annotated, Any, TypeVar
from weakref import WeakKeyDictionary

from fastapi import Depends, FastAPI, Header, HTTPException, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from sqlalchemy import bindparam, event, select
from sqlalchemy.orm import Session

from accord.scenario import Scenario
from accord.server.agenda import kept_scenario
from accord.server.models import Exercise, Participant
from accord.server.service import hash_token
from accord.server.writer import GroupWriter, PooledWriter, Writer, wait_to_end

__all__ = [
    "MAX_ID",
    "ROLES",
    "SEAT_COOKIE",
    "SEAT_HEADER",
    "Allowed",
    "AllowedToWrite",
    "AnySeat",
    "AppWrites",
    "ChairSeat",
    "ChairWrite",
    "CurrentSeat",
    "DbSession",
    "DelegationSeat",
    "DelegationWrite",
    "FacilitatorSeat",
    "FacilitatorWrite",
    "RecordId",
    "Seat",
    "SeatKey",
    "SeatKeys",
    "TableSeat",
    "TableWrite",
    "Writes",
    "WritingSeat",
    "app_session",
    "authenticate",
    "credentials",
    "make_writer",
    "open_session",
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


def _turn(app: FastAPI) -> AbstractAsyncContextManager[Any]:
    """Wait, on the event loop, until the database can take this request at once.

    SQLite: at once (readers go on beside the writer, thanks to the write-ahead log;
    writes go through the app's writer). Other databases: no more requests at once than
    the connection pool holds. Requests queue here, first come first served, holding no
    worker thread: a request that waited in a thread for a pooled connection would hold
    one of the server's threads, and with enough of them waiting, the request holding a
    connection could get no thread to finish in.
    """
    if app.state.serialise_writes:
        return nullcontext()
    slots = app.state.db_slots
    return _per_loop(app, lambda: asyncio.Semaphore(slots))  # type: ignore[no-any-return]


_READ_ONLY = "accord.read_only"


def open_session(app: FastAPI, *, read_only: bool) -> Session:
    """A new session of the app's database, ringing the app's bell when it commits events.

    A read-only session refuses to write anything (a write goes through the app's
    writer, which commits it with others and answers once it is on disk).
    """
    session = app.state.bell.attach(app.state.sessions())
    if read_only:
        session.info[_READ_ONLY] = True
    return session  # type: ignore[no-any-return]


@event.listens_for(Session, "before_flush")
def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.info.get(_READ_ONLY):
        raise RuntimeError(
            "this session only reads: record through the app's writer (deps.Writes.act)"
        )


def make_writer(app: FastAPI) -> Writer:
    """The app's writer: group commit on SQLite, a transaction per write elsewhere."""

    def opener() -> Session:
        return open_session(app, read_only=False)

    if app.state.serialise_writes:
        return GroupWriter(opener)
    return PooledWriter(opener, lambda: _turn(app))


@asynccontextmanager
async def app_session(app: FastAPI) -> AsyncIterator[Session]:
    """A read-only session of the app's database, once the database can take it."""
    async with _turn(app):
        with open_session(app, read_only=True) as session:
            yield session


async def run_with_session(app: FastAPI, writes: bool, work: Callable[[Session], T]) -> T:
    """``work(session)`` in a worker thread, once the database can take it (see :func:`_turn`).

    For the server's own work outside requests (the clock, event streams). Work that
    writes goes through the app's writer (``writes``; the writer commits it). A caller
    that is cancelled (the server shutting down, a page closing) waits for the work to
    end: no connection is closed under a running query. (A plain ``asyncio.to_thread``
    abandons its thread on cancellation; SQLite then crashed.)
    """
    if writes:
        return await app.state.writer.run(work)  # type: ignore[no-any-return]

    def run() -> T:
        with open_session(app, read_only=True) as session:
            return work(session)

    async with _turn(app):
        return await wait_to_end(asyncio.ensure_future(asyncio.to_thread(run)))


async def get_session(request: Request) -> AsyncIterator[Session]:
    """One read-only session per request, bound to the app's database, once it can take it.

    Only routes that read take one: a write's work runs in the writer's session.
    """
    async with app_session(request.app) as session:
        yield session


DbSession = Annotated[Session, Depends(get_session)]


@dataclass(frozen=True)
class SeatKey:
    """Who holds a token: what never changes of a seat."""

    id: int
    exercise_id: int
    role: str
    party: str | None
    token_hash: str
    exercise_created: dt.datetime
    """When the exercise was created (with its id, the key of its parsed scenario)."""


_SEAT_BY_TOKEN = (
    select(Participant, Exercise)
    .join(Exercise, Exercise.id == Participant.exercise_id)
    .where(Participant.token_hash == bindparam("token_hash"))
)
"""A participant with its exercise, by token hash (built once: every request reads one)."""

UNKNOWN_TOKEN = "unknown token; use the join link you were given"


_participants, _exercises = Participant.__table__, Exercise.__table__
_SEAT_NOW = (
    select(_participants.c.token_hash, _exercises.c.archive_open)
    .join(_exercises, _exercises.c.id == _participants.c.exercise_id)
    .where(_participants.c.id == bindparam("id"))
)
"""What a write checks of its seat in the writer's transaction: its token, and the archive
(columns from the tables: every write reads them; see rounds._ROUND_NOW)."""

_KEPT_ROWS = "accord.kept_rows"


def _kept(session: Session, table: type[Participant] | type[Exercise], row_id: int) -> Any:
    """A row as the session's transaction reads it, read once per session.

    The session holds on to it (its identity map alone would let it go once unused):
    the writer's batch of comments in one exercise reads its exercise once.
    """
    kept: dict[tuple[type, int], Any] = session.info.setdefault(_KEPT_ROWS, {})
    row = kept.get((table, row_id))
    if row is None:
        row = kept[table, row_id] = session.get_one(table, row_id)
    return row


class Seat:
    """The participant making a request, with its exercise.

    A read's seat comes with its participant and exercise, read with the request's
    session. A write's seat comes with who it is alone (its :class:`SeatKey`, kept by
    the process), and is bound to the writer's transaction (:meth:`bind`), where its
    token and its exercise's state are checked as they are when the write is made, and
    its rows read when the work asks for them.
    """

    def __init__(
        self,
        key: SeatKey,
        participant: Participant | None = None,
        exercise: Exercise | None = None,
        *,
        session: Session | None = None,
    ) -> None:
        self.key = key
        self._participant = participant
        self._exercise = exercise
        self._session = session

    @classmethod
    def of(cls, participant: Participant, exercise: Exercise) -> Seat:
        """The seat of a participant read from the database."""
        key = SeatKey(
            participant.id,
            exercise.id,
            participant.role,
            participant.party,
            participant.token_hash,
            exercise.created_at,
        )
        return cls(key, participant, exercise)

    @property
    def id(self) -> int:
        """The participant's id."""
        return self.key.id

    @property
    def exercise_id(self) -> int:
        """The exercise's id."""
        return self.key.exercise_id

    @property
    def scenario(self) -> Scenario:
        """The exercise's scenario (parsed once per process: its row is read only then)."""
        key = self.key
        return kept_scenario(key.exercise_id, key.exercise_created, lambda: self.exercise.scenario)

    @property
    def role(self) -> str:
        """delegation, chair, facilitator or observer."""
        return self.key.role

    @property
    def participant(self) -> Participant:
        """The participant's row (bound seats only)."""
        if self._participant is None:
            self._participant = _kept(self._bound(), Participant, self.key.id)
        return self._participant

    @property
    def exercise(self) -> Exercise:
        """The exercise's row (bound seats only)."""
        if self._exercise is None:
            self._exercise = _kept(self._bound(), Exercise, self.key.exercise_id)
        return self._exercise

    def _bound(self) -> Session:
        if self._session is None:
            raise RuntimeError("a write's seat is bound in the writer: use Writes.act(seat, work)")
        return self._session

    def bind(self, session: Session) -> Seat:
        """The seat in the session's transaction.

        401 if its token was replaced meanwhile; 409 once the archive is open (the
        exercise is over: nothing more is recorded).
        """
        found = session.execute(_SEAT_NOW, {"id": self.key.id}).one_or_none()
        if found is None or found.token_hash != self.key.token_hash:
            raise HTTPException(401, UNKNOWN_TOKEN)
        if found.archive_open:
            raise HTTPException(
                409,
                "the exercise is over: the facilitator opened the archive for the debrief, "
                "so nothing more can be recorded",
            )
        return Seat(self.key, session=session)


SEAT_KEYS_KEPT = 100_000
"""Seat keys a server process keeps (all are forgotten at once past this many)."""


class SeatKeys:
    """The seats of tokens seen by this process, by token hash: a write reads none.

    A key may outlive its token (a software delegation's runner gives its seat a new
    one): every write checks its token again in its own transaction (Seat.bind).
    """

    def __init__(self) -> None:
        self._known: dict[str, SeatKey] = {}

    async def find(self, app: FastAPI, token_hash: str) -> SeatKey | None:
        """The key of a token hash, read from the database the first time."""
        key = self._known.get(token_hash)
        if key is None:
            found = await run_with_session(app, False, lambda s: _seat_by_token(s, token_hash))
            key = None if found is None else found.key
            if key is not None:
                if len(self._known) >= SEAT_KEYS_KEPT:
                    self._known.clear()
                self._known[token_hash] = key
        return key

    def forget(self, token_hash: str) -> None:
        """Drop a key whose token no longer holds."""
        self._known.pop(token_hash, None)


def _seat_by_token(session: Session, token_hash: str) -> Seat | None:
    found = session.execute(_SEAT_BY_TOKEN, {"token_hash": token_hash}).one_or_none()
    return None if found is None else Seat.of(*found)


def _of_exercise(key: SeatKey | None, exercise_id: int) -> SeatKey:
    """The key; 401 for a token of no seat, 403 for a seat of another exercise."""
    if key is None:
        raise HTTPException(401, UNKNOWN_TOKEN)
    if key.exercise_id != exercise_id:
        raise HTTPException(403, "this token belongs to another exercise")
    return key


class Writes:
    """A request's way to the app's writer (a route's ``writes: AppWrites``)."""

    def __init__(self, app: FastAPI) -> None:
        self._app = app

    async def act(self, seat: Seat, work: Callable[..., T], *args: Any) -> T:
        """``work(session, seat, *args)`` in the writer, the seat bound to its transaction.

        The work adds and checks, and does not commit: the answer comes once the writer
        has committed it.
        """

        def bound(session: Session) -> T:
            return work(session, seat.bind(session), *args)

        try:
            return await self._app.state.writer.run(bound)  # type: ignore[no-any-return]
        except HTTPException as exc:
            if exc.status_code == 401:
                self._app.state.seat_keys.forget(seat.key.token_hash)
            raise


async def _app_writes(request: Request) -> Writes:
    return request.app.state.writes  # type: ignore[no-any-return]


AppWrites = Annotated[Writes, Depends(_app_writes)]


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


async def current_seat(
    request: Request,
    session: DbSession,
    exercise_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    authorization: Annotated[str | None, Header()] = None,
    seat: Annotated[str | None, Query(include_in_schema=False, max_length=20)] = None,
) -> Seat:
    """A read's seat, read with the request's session; 401 or 403 as :func:`authenticate`."""
    secret = credentials(request, authorization, seat)
    return await run_in_threadpool(authenticate, session, exercise_id, secret)


async def writing_seat(
    request: Request,
    exercise_id: Annotated[int, Path(ge=1, le=MAX_ID)],
    authorization: Annotated[str | None, Header()] = None,
) -> Seat:
    """A write's seat: who holds the token, bound when the writer makes the write.

    The holder is kept by the process (see SeatKeys), so the request reads nothing and
    opens no session (the work gets the writer's); once the archive is open every write
    is refused there with 409. A seat that writes faster than its limit is answered 429
    (see limits.SeatRate). 401 without valid credentials, 403 for another exercise.
    """
    secret = credentials(request, authorization, None)
    app = request.app
    key = _of_exercise(await app.state.seat_keys.find(app, hash_token(secret)), exercise_id)
    app.state.seat_rate.take(key.id)
    return Seat(key)


def authenticate(session: Session, exercise_id: int, secret: str) -> Seat:
    """The seat whose token is ``secret`` (see credentials); 401 or 403 otherwise."""
    seat = _seat_by_token(session, hash_token(secret))
    _of_exercise(None if seat is None else seat.key, exercise_id)
    assert seat is not None  # refused above otherwise
    return seat


CurrentSeat = Annotated[Seat, Depends(current_seat)]
WritingSeat = Annotated[Seat, Depends(writing_seat)]


ROLES = ("delegation", "chair", "facilitator", "observer")
"""The seats' roles."""


class Allowed:
    """A read route's access rule: the roles whose seats may call it (a request dependency).

    Each route declares its rule in its signature (``seat: ChairSeat`` for a read,
    ``seat: ChairWrite`` for a write), so the rule can be read off the app's routes
    (the tests check every route has one, of its kind) and is checked before the body
    is read. Rules that depend on the exercise's state are refined later: the archive
    (no write once it is open) when the writer binds a write's seat (Seat.bind), a
    channel's members in the handler.
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
        return self.check(seat)

    def check(self, seat: Seat) -> Seat:
        """The seat, if its role is one of the rule's; 403 naming them otherwise."""
        if seat.role not in self.roles:
            raise HTTPException(403, f"only the {' or the '.join(self.roles)} may do this")
        return seat

    def __repr__(self) -> str:
        return f"{type(self).__name__}{self.roles}"


class AllowedToWrite(Allowed):
    """A write route's access rule: as :class:`Allowed`, for a seat that opens no session.

    A read's seat comes with its rows, read in the request's session, which the route
    reads with. A write's route reads nothing: its work runs in the writer's session.
    (Opening and closing a session no write uses was a fifth of a write's time on the
    event loop, in a profile of the server under load.)
    """

    async def __call__(self, seat: WritingSeat) -> Seat:
        """The request's seat; 403 naming the roles allowed if it holds another."""
        return self.check(seat)


AnySeat = Annotated[Seat, Depends(Allowed(*ROLES))]
"""Every seat, the observer's included."""
TableSeat = Annotated[Seat, Depends(Allowed("delegation", "chair", "facilitator"))]
"""Every seat at the table: all but the observer."""
DelegationSeat = Annotated[Seat, Depends(Allowed("delegation"))]
ChairSeat = Annotated[Seat, Depends(Allowed("chair"))]
FacilitatorSeat = Annotated[Seat, Depends(Allowed("facilitator"))]

TableWrite = Annotated[Seat, Depends(AllowedToWrite("delegation", "chair", "facilitator"))]
"""A write any seat at the table may make."""
DelegationWrite = Annotated[Seat, Depends(AllowedToWrite("delegation"))]
ChairWrite = Annotated[Seat, Depends(AllowedToWrite("chair"))]
FacilitatorWrite = Annotated[Seat, Depends(AllowedToWrite("facilitator"))]


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
