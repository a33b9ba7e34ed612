"""The exercise itself: seats, rounds, injects, notifications, the archive, live updates, export."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response
from fastapi.responses import PlainTextResponse, StreamingResponse
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.deps import (
    MAX_ID,
    SEAT_COOKIE,
    AnySeat,
    AppWrites,
    DbSession,
    FacilitatorWrite,
    RecordId,
    Seat,
    authenticate,
    credentials,
    delegation_ids,
    run_with_session,
)
from accord.server.feed import Feeds, Viewer, can_see, events_after
from accord.server.models import Event, Exercise, Inject, Participant, Round
from accord.server.rounds import (
    as_utc,
    close_round,
    current_round,
    describe_round,
    round_state,
)
from accord.server.schemas import InjectCreate, RoundUpdate, ScenarioClock
from accord.server.service import export_exercise, record
from accord.server.views import (
    ERRORS,
    ArchiveView,
    ClockView,
    DebriefView,
    EventView,
    InjectReceipt,
    InjectView,
    MeView,
    RoundView,
    SessionView,
)

router = APIRouter(prefix="/api/exercises/{exercise_id}", tags=["exercise"], responses=ERRORS)

KEEP_ALIVE_SECONDS = 15.0
"""A quiet live-update stream sends a comment line this often, so proxies keep it open."""

SESSION_SECONDS = 14 * 24 * 3600
"""How long a browser keeps a seat's session cookie: a two-week exercise and its debrief."""


def _seats(session: DbSession, exercise_id: int) -> dict[int, dict[str, Any]]:
    return {
        p.id: {"id": p.id, "role": p.role, "party": p.party, "bot": p.bot}
        for p in session.scalars(select(Participant).filter_by(exercise_id=exercise_id))
    }


@router.get("/me", response_model=MeView)
def me(seat: AnySeat, session: DbSession, request: Request) -> dict[str, Any]:
    """This seat, the exercise, every seat's public identity, and the current round.

    The chair and the facilitator also see which seats have a page open.
    """
    presence = request.app.state.presence
    watching = seat.role in ("chair", "facilitator")
    date = seat.scenario.metadata.date
    return {
        "online": presence.online(seat.exercise_id) if watching else [],
        "seat": _seats(session, seat.exercise_id)[seat.id],
        "exercise": {
            "id": seat.exercise_id,
            "name": seat.exercise.name,
            "format": seat.exercise.format,
            "archive_open": seat.exercise.archive_open,
            "thresholds": seat.exercise.thresholds,
            "scenario_date": None if date is None else date.isoformat(),
            "clock": clock_of(session, seat.exercise_id),
        },
        "seats": list(_seats(session, seat.exercise_id).values()),
        "round": describe_round(current_round(session, seat.exercise_id)),
    }


def clock_of(session: Session, exercise_id: int) -> dict[str, Any] | None:
    """The exercise's scenario clock: the latest the facilitator set, if any."""
    latest = session.scalars(
        select(Event)
        .filter_by(exercise_id=exercise_id, kind="clock")
        .order_by(Event.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return None
    return {**latest.payload, "set_at": as_utc(latest.created_at)}


@router.put("/clock", response_model=ClockView)
async def set_clock(
    body: ScenarioClock, seat: FacilitatorWrite, writes: AppWrites
) -> dict[str, Any]:
    """The facilitator sets the scenario clock: pages then show times in the scenario's."""
    return await writes.act(seat, _set_clock, body)


def _set_clock(session: Session, seat: Seat, body: ScenarioClock) -> dict[str, Any]:
    start = body.start.isoformat(timespec="minutes")
    record(session, seat.exercise_id, "clock", {"start": start, "rate": body.rate})
    clock = clock_of(session, seat.exercise_id)
    assert clock is not None  # just recorded
    return clock


@router.post("/rounds", response_model=RoundView)
async def update_round(
    body: RoundUpdate, seat: FacilitatorWrite, writes: AppWrites
) -> dict[str, Any]:
    """The facilitator opens, pauses or closes the round, or starts the next one.

    A deadline (with any action but close) makes the round close by itself when it passes.
    """
    # A round that ran out before anyone noticed is closed first, whatever comes of the rest.
    await writes.act(seat, _close_if_overdue)
    return await writes.act(seat, _update_round, body)


def _close_if_overdue(session: Session, seat: Seat) -> None:
    current = current_round(session, seat.exercise_id)
    if round_state(current) == "closed" and current.state != "closed":
        close_round(session, current, "deadline")


def _update_round(session: Session, seat: Seat, body: RoundUpdate) -> dict[str, Any]:
    if body.deadline is not None and as_utc(body.deadline) <= dt.datetime.now(dt.UTC):
        raise HTTPException(422, "the deadline has already passed; give a moment in the future")
    current = current_round(session, seat.exercise_id)
    if body.action == "next":
        if current.state != "closed":
            raise HTTPException(409, f"close round {current.number} before starting the next")
        current = Round(
            exercise_id=seat.exercise_id,
            number=current.number + 1,
            state="open",
            deadline=body.deadline,
        )
        session.add(current)
        session.flush()
        record(session, seat.exercise_id, "round", describe_round(current))
    elif current.state == "closed":
        raise HTTPException(409, f"round {current.number} is closed; start the next one")
    elif body.action == "close":
        close_round(session, current, "facilitator")
    else:
        current.state = {"open": "open", "pause": "paused"}[body.action]
        if body.deadline is not None:
            current.deadline = body.deadline
        session.flush()
        record(session, seat.exercise_id, "round", describe_round(current))
    return describe_round(current)


def _can_read_inject(seat: Seat, inject: Inject) -> bool:
    if seat.role == "facilitator" or seat.exercise.archive_open:
        return True
    if seat.role == "observer":
        return False
    return not inject.targets or seat.id in inject.targets


@router.post("/injects", status_code=201, response_model=InjectReceipt)
async def add_inject(
    body: InjectCreate, seat: FacilitatorWrite, writes: AppWrites
) -> dict[str, Any]:
    """The facilitator sends news or an intelligence report to all delegations or some."""
    return await writes.act(seat, _add_inject, body)


def _add_inject(session: Session, seat: Seat, body: InjectCreate) -> dict[str, Any]:
    targets = delegation_ids(session, seat.exercise_id, body.targets)
    inject = Inject(exercise_id=seat.exercise_id, title=body.title, body=body.body, targets=targets)
    session.add(inject)
    session.flush()
    record(
        session, seat.exercise_id, "inject", {"id": inject.id, "title": body.title}, targets or None
    )
    return {"id": inject.id, "targets": targets}


@router.get("/injects", response_model=list[InjectView])
def list_injects(seat: AnySeat, session: DbSession) -> list[dict[str, Any]]:
    """The injects this seat received."""
    rows = session.scalars(
        select(Inject).filter_by(exercise_id=seat.exercise_id).order_by(Inject.id)
    )
    return [
        {"id": i.id, "title": i.title, "body": i.body, "targets": i.targets}
        for i in rows
        if _can_read_inject(seat, i)
    ]


@router.post("/archive", response_model=ArchiveView)
async def open_archive(seat: FacilitatorWrite, writes: AppWrites) -> dict[str, Any]:
    """The facilitator opens the archive for the debrief: everything becomes readable."""
    return await writes.act(seat, _open_archive)


def _open_archive(session: Session, seat: Seat) -> dict[str, Any]:
    close_round(session, current_round(session, seat.exercise_id), "archive")
    seat.exercise.archive_open = True
    record(session, seat.exercise_id, "archive", {})
    return {"archive_open": True}


def visible(seat: Seat, event: Event) -> bool:
    """Whether an event on the timeline may be shown to this seat."""
    return can_see(seat.role, seat.id, seat.exercise.archive_open, event.kind, event.audience)


@router.get("/timeline", response_model=list[EventView])
def timeline(
    seat: AnySeat, session: DbSession, after: int = Query(0, ge=0, le=MAX_ID)
) -> list[dict[str, Any]]:
    """The events this seat may see, oldest first, numbered 1, 2, 3… for this seat alone.

    ``after``: skip the seat's first ``after`` events. The numbers count only what the
    seat sees, so they say nothing of what it does not (another seat's private channel,
    another exercise).
    """
    rows = session.scalars(
        select(Event).filter(Event.exercise_id == seat.exercise_id).order_by(Event.id)
    )
    shown = [e for e in rows if visible(seat, e)]
    return [
        {"id": n, "kind": e.kind, "payload": e.payload, "at": as_utc(e.created_at).isoformat()}
        for n, e in enumerate(shown, start=1)
        if n > after
    ]


@router.post("/session", response_model=SessionView)
def open_session(
    exercise_id: RecordId,
    request: Request,
    response: Response,
    session: DbSession,
    authorization: Annotated[str | None, Header()] = None,
) -> dict[str, Any]:
    """Exchange a join link's token for this browser's session cookie of the seat.

    The desk calls this once, on the join link, then drops the token from the address
    bar. The cookie is HttpOnly (no script can read it), SameSite=Strict and scoped to
    this exercise's API; it is named for the seat, so one browser may hold several seats.
    """
    if not (authorization and authorization.lower().startswith("bearer ")):
        raise HTTPException(401, "send the join link's token as 'Authorization: Bearer TOKEN'")
    seat = authenticate(session, exercise_id, credentials(request, authorization, None))
    response.set_cookie(
        SEAT_COOKIE.format(seat.id),
        authorization[7:].strip(),
        max_age=SESSION_SECONDS,
        path=f"/api/exercises/{exercise_id}",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return {"seat": seat.id}


@router.get("/events")
async def events(
    exercise_id: RecordId,
    request: Request,
    after: int = Query(0, ge=0, le=MAX_ID),
    authorization: Annotated[str | None, Header()] = None,
    seat: Annotated[str | None, Query(max_length=20)] = None,
    last_event_id: Annotated[str | None, Header(include_in_schema=False)] = None,
) -> StreamingResponse:
    """Live updates as server-sent events: one ``data:`` line per visible event.

    Each event carries the seat's own number for it, as on the timeline. Events after
    the seat's event ``after``, or after the ``Last-Event-ID`` a browser sends when it
    reconnects, so that a page coming back is not sent again what it already had.
    A page authenticates with its session cookie and ``?seat=ID`` (browsers' live
    updates cannot send headers); a script, with its bearer token.

    The page first reads what it has not seen; after that it is served by its
    exercise's feed, which reads the timeline once for every open page of the
    exercise, as soon as a write through this server is committed (and every
    ``events_recheck_seconds`` for writes by other processes). A stream holds no
    database session, so open pages tie up no connections.
    """
    app = request.app
    feeds: Feeds = app.state.feeds
    secret = credentials(request, authorization, seat)
    if last_event_id and last_event_id.isdigit() and int(last_event_id) <= MAX_ID:
        after = max(after, int(last_event_id))

    def start(session: Session) -> tuple[Viewer, int, int, list[tuple[int, str]]]:
        """Who is looking, how many events it has been shown, and what it has not."""
        me = authenticate(session, exercise_id, secret)
        viewer = Viewer(me.role, me.id)
        lines = viewer.lines(events_after(session, exercise_id, 0), me.exercise.archive_open)
        shown = [event_id for event_id, data in lines if data]
        count = min(after, len(shown))
        last = shown[count - 1] if count else 0
        return viewer, count, last, [(i, d) for i, d in lines if i > last]

    def since(last: int) -> Callable[[Session], list[tuple[int, str]]]:
        def read(session: Session) -> list[tuple[int, str]]:
            archive_open = bool(
                session.scalar(select(Exercise.archive_open).where(Exercise.id == exercise_id))
            )
            return viewer.lines(events_after(session, exercise_id, last), archive_open)

        return read

    # An unknown token is refused here, before the stream.
    viewer, count, last, first = await run_with_session(app, False, start)

    async def stream() -> AsyncIterator[str]:
        nonlocal count, last
        new = first
        feed = feeds.join(exercise_id)
        app.state.presence.arrive(exercise_id, viewer.seat_id)
        try:
            while True:
                for event_id, data in new:
                    last = event_id
                    if data:
                        count += 1
                        yield f"id: {count}\ndata: {data}\n\n"
                yield ": keep-alive\n\n"
                signal = feed.signal
                newer = feed.newer(last, viewer)
                if newer is None and feed.since is not None:  # fallen behind the feed's window
                    newer = await run_with_session(app, False, since(last))
                if not newer:
                    await feed.changed(signal, KEEP_ALIVE_SECONDS)
                    if await request.is_disconnected():
                        return
                    newer = feed.newer(last, viewer)
                new = newer or []
        finally:
            feeds.leave(feed)
            app.state.presence.leave(exercise_id, viewer.seat_id)

    return StreamingResponse(stream(), media_type="text/event-stream")


@router.get("/export", response_class=PlainTextResponse)
def export(seat: AnySeat, session: DbSession) -> str:
    """The whole exercise as JSON, for every seat once the archive is open.

    Before that the record holds what no seat may read yet (private channels, votes on
    open proposals), so the page does not serve it; whoever runs the server can take it
    with ``accord exercise export``.
    """
    if not seat.exercise.archive_open:
        raise HTTPException(
            403,
            "the export opens with the archive; before that it would show private channels "
            "and open votes (whoever runs the server can use 'accord exercise export')",
        )
    return export_exercise(session, seat.exercise_id)


@router.get(
    "/final-text",
    response_class=PlainTextResponse,
    responses={200: {"content": {"text/markdown": {"schema": {"type": "string"}}}}},
)
def final_text(seat: AnySeat, session: DbSession) -> PlainTextResponse:
    """The final text as a document (Markdown): the outcome, the text in words, the votes.

    Open to everyone once the facilitator opens the archive, like the debrief.
    """
    if not seat.exercise.archive_open:
        raise HTTPException(403, "the final text opens with the archive, with the debrief")
    from accord.server.debrief import final_text_of

    name = f"exercise-{seat.exercise_id}-final-text.md"
    return PlainTextResponse(
        final_text_of(session, seat.exercise),
        media_type="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/debrief", response_model=DebriefView)
def debrief(seat: AnySeat, session: DbSession) -> dict[str, Any]:
    """What was adopted (if anything) and by which vote, beside the forecasts and Nash point.

    The text is the last proposal adopted by consensus, or else the chair's latest
    draft, said to bind no one. Open to everyone once the facilitator opens the archive.
    """
    if not seat.exercise.archive_open and seat.role not in ("facilitator", "chair"):
        raise HTTPException(403, "the debrief opens with the archive")
    from accord.server.debrief import debrief_of

    return debrief_of(session, seat.exercise)
