"""Confidence-building measures: prior notification of military activities, and its thresholds.

A delegation notifies an activity (type, troops, start date). The server checks
it against the exercise's thresholds, Vienna-Document style: an activity at or
above ``notify_troops`` needs ``lead_days`` of notice, else it is flagged late.
The facilitator reports activities seen on the ground; one at or above the
threshold that its delegation did not notify (no notice of its within
``MATCH_DAYS`` days of the start) is flagged missing, and one notified with
fewer troops than seen is flagged under-notified. Every flag goes to all seats.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.deps import (
    AnySeat,
    AppWrites,
    DbSession,
    DelegationWrite,
    FacilitatorWrite,
    Seat,
    delegation_ids,
)
from accord.server.models import Notification, Participant
from accord.server.schemas import NotificationCreate, ObservedActivity, Thresholds
from accord.server.service import record
from accord.server.views import ERRORS, NotificationView

router = APIRouter(
    prefix="/api/exercises/{exercise_id}", tags=["confidence-building"], responses=ERRORS
)

MATCH_DAYS = 3
"""A notice counts for an observed activity if their start dates lie this close."""


def thresholds_of(stored: dict[str, Any]) -> Thresholds:
    """An exercise's thresholds (defaults for any not stored)."""
    return Thresholds.model_validate(stored)


def late_flags(
    thresholds: Thresholds, troops: int, starts: dt.date, notified: dt.date
) -> list[str]:
    """Flags of a delegation's notice: late when a notifiable activity has too little notice."""
    lead = (starts - notified).days
    if troops >= thresholds.notify_troops and lead < thresholds.lead_days:
        return [f"late: notified {lead} days ahead, {thresholds.lead_days} required"]
    return []


def observed_flags(
    thresholds: Thresholds, seen: ObservedActivity, notices: list[Notification]
) -> list[str]:
    """Flags of an observed activity, given its delegation's notices."""
    if seen.troops < thresholds.notify_troops:
        return []
    near = [n for n in notices if abs((n.starts.date() - seen.starts).days) <= MATCH_DAYS]
    if not near:
        return [
            f"missing: {seen.party} did not notify {seen.activity} ({seen.troops:,} troops "
            f"from {seen.starts.isoformat()}); {thresholds.notify_troops:,} or more need "
            f"{thresholds.lead_days} days' notice"
        ]
    notified = max(n.troops for n in near)
    if notified < seen.troops:
        return [f"under-notified: {seen.party} notified {notified:,} troops, {seen.troops:,} seen"]
    return []


def _public(note: Notification, parties: dict[int, str | None]) -> dict[str, Any]:
    return {
        "id": note.id,
        "kind": note.kind,
        "party": parties.get(note.party_id or note.author_id),
        "author_id": note.author_id,
        "activity": note.activity,
        "troops": note.troops,
        "starts": note.starts.date().isoformat(),
        "flags": note.flags,
    }


def _parties(session: DbSession, exercise_id: int) -> dict[int, str | None]:
    seats = session.scalars(select(Participant).filter_by(exercise_id=exercise_id))
    return {p.id: p.party for p in seats}


def _store(
    session: DbSession,
    seat: Seat,
    party_id: int,
    activity: NotificationCreate | ObservedActivity,
    flags: list[str],
) -> dict[str, Any]:
    """Record an activity: notified by its delegation, or reported seen by the facilitator."""
    note = Notification(
        exercise_id=seat.exercise_id,
        author_id=seat.id,
        party_id=party_id,
        kind="observed" if isinstance(activity, ObservedActivity) else "notified",
        activity=activity.activity,
        troops=activity.troops,
        starts=dt.datetime.combine(activity.starts, dt.time(), dt.UTC),
        flags=flags,
    )
    session.add(note)
    session.flush()
    payload = {"id": note.id, "kind": note.kind, "flags": note.flags}
    record(session, note.exercise_id, "notification", payload)
    return _public(note, _parties(session, note.exercise_id))


@router.post("/notifications", status_code=201, response_model=NotificationView)
async def notify(
    body: NotificationCreate, seat: DelegationWrite, writes: AppWrites
) -> dict[str, Any]:
    """A delegation notifies a military activity; a late notice is flagged to all."""
    return await writes.act(seat, _notify, body)


def _notify(session: Session, seat: Seat, body: NotificationCreate) -> dict[str, Any]:
    today = dt.datetime.now(dt.UTC).date()
    thresholds = thresholds_of(seat.exercise.thresholds)
    flags = late_flags(thresholds, body.troops, body.starts, today)
    return _store(session, seat, seat.id, body, flags)


@router.post("/notifications/observed", status_code=201, response_model=NotificationView)
async def observe(
    body: ObservedActivity, seat: FacilitatorWrite, writes: AppWrites
) -> dict[str, Any]:
    """The facilitator reports an activity seen; a missing or short notice is flagged to all."""
    return await writes.act(seat, _observe, body)


def _observe(session: Session, seat: Seat, body: ObservedActivity) -> dict[str, Any]:
    (party_id,) = delegation_ids(session, seat.exercise_id, [body.party])
    notices = list(
        session.scalars(
            select(Notification).filter_by(
                exercise_id=seat.exercise_id, party_id=party_id, kind="notified"
            )
        )
    )
    flags = observed_flags(thresholds_of(seat.exercise.thresholds), body, notices)
    return _store(session, seat, party_id, body, flags)


@router.get("/notifications", response_model=list[NotificationView])
def list_notifications(seat: AnySeat, session: DbSession) -> list[dict[str, Any]]:
    """Every notice and observed activity, with its flags (public to all seats)."""
    rows = session.scalars(
        select(Notification).filter_by(exercise_id=seat.exercise_id).order_by(Notification.id)
    )
    parties = _parties(session, seat.exercise_id)
    return [_public(n, parties) for n in rows]


@router.get("/thresholds")
def get_thresholds(seat: AnySeat) -> Thresholds:
    """The exercise's notification thresholds."""
    return thresholds_of(seat.exercise.thresholds)


@router.put("/thresholds")
async def set_thresholds(body: Thresholds, seat: FacilitatorWrite, writes: AppWrites) -> Thresholds:
    """The facilitator sets the thresholds; notices already given keep the flags they got."""
    return await writes.act(seat, _set_thresholds, body)


def _set_thresholds(session: Session, seat: Seat, body: Thresholds) -> Thresholds:
    seat.exercise.thresholds = body.model_dump()
    record(session, seat.exercise_id, "thresholds", body.model_dump())
    return body
