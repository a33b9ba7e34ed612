"""The plenary and private channels.

Private channels are read by their members only, until the archive opens.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.deps import (
    AnySeat,
    AppWrites,
    DbSession,
    DelegationWrite,
    RecordId,
    Seat,
    TableWrite,
    delegation_ids,
)
from accord.server.models import Channel, ChannelMember, Message
from accord.server.rounds import as_utc
from accord.server.schemas import ChannelCreate, MessageCreate
from accord.server.service import record
from accord.server.views import ERRORS, ChannelView, MessageReceipt, MessageView

router = APIRouter(prefix="/api/exercises/{exercise_id}", tags=["channels"], responses=ERRORS)


def _members(session: DbSession, channel: Channel) -> list[int]:
    return [
        m.participant_id
        for m in session.scalars(select(ChannelMember).filter_by(channel_id=channel.id))
    ]


def can_read(seat: Seat, session: DbSession, channel: Channel) -> bool:
    """Plenary: everyone. Private: its members; everyone once the facilitator opens the archive."""
    if channel.kind == "plenary" or seat.exercise.archive_open:
        return True
    return seat.id in _members(session, channel)


def _channel(session: DbSession, seat: Seat, channel_id: int) -> Channel:
    channel = session.get(Channel, channel_id)
    if (
        channel is None
        or channel.exercise_id != seat.exercise_id
        or not can_read(seat, session, channel)
    ):
        raise HTTPException(404, f"no channel {channel_id} that you can read")
    return channel


@router.get("/channels", response_model=list[ChannelView])
def list_channels(seat: AnySeat, session: DbSession) -> list[dict[str, Any]]:
    """The channels this seat can read."""
    rows = session.scalars(
        select(Channel).filter_by(exercise_id=seat.exercise_id).order_by(Channel.id)
    )
    return [
        {"id": c.id, "name": c.name, "kind": c.kind, "members": _members(session, c)}
        for c in rows
        if can_read(seat, session, c)
    ]


@router.post("/channels", status_code=201, response_model=ChannelView)
async def add_channel(
    body: ChannelCreate, seat: DelegationWrite, writes: AppWrites
) -> dict[str, Any]:
    """A delegation opens a private channel with other delegations."""
    return await writes.act(seat, _add_channel, body)


def _add_channel(session: Session, seat: Seat, body: ChannelCreate) -> dict[str, Any]:
    invited = delegation_ids(session, seat.exercise_id, body.members)
    channel = Channel(exercise_id=seat.exercise_id, name=body.name, kind="private")
    session.add(channel)
    session.flush()
    members = sorted({seat.id, *invited})
    for member in members:
        session.add(ChannelMember(channel_id=channel.id, participant_id=member))
    record(session, seat.exercise_id, "channel", {"id": channel.id, "name": body.name}, members)
    return {"id": channel.id, "name": channel.name, "kind": channel.kind, "members": members}


@router.get("/channels/{channel_id}/messages", response_model=list[MessageView])
def list_messages(channel_id: RecordId, seat: AnySeat, session: DbSession) -> list[dict[str, Any]]:
    """The messages of a channel this seat can read."""
    channel = _channel(session, seat, channel_id)
    rows = session.scalars(select(Message).filter_by(channel_id=channel.id).order_by(Message.id))
    return [
        {
            "id": m.id,
            "author_id": m.author_id,
            "body": m.body,
            "created_at": as_utc(m.created_at).isoformat(),
        }
        for m in rows
    ]


@router.post("/channels/{channel_id}/messages", status_code=201, response_model=MessageReceipt)
async def post_message(
    channel_id: RecordId, body: MessageCreate, seat: TableWrite, writes: AppWrites
) -> dict[str, Any]:
    """Delegations and the chair speak in the plenary; members in their private channels."""
    return await writes.act(seat, _post_message, channel_id, body)


def _post_message(
    session: Session, seat: Seat, channel_id: RecordId, body: MessageCreate
) -> dict[str, Any]:
    channel = _channel(session, seat, channel_id)
    if channel.kind == "private" and seat.id not in _members(session, channel):
        raise HTTPException(403, "only the channel's members may post in it")
    if channel.kind == "plenary" and seat.role == "facilitator":
        raise HTTPException(403, "the facilitator speaks through injects, not in the plenary")
    message = Message(channel_id=channel.id, author_id=seat.id, body=body.body)
    session.add(message)
    session.flush()
    audience = None if channel.kind == "plenary" else _members(session, channel)
    record(
        session, seat.exercise_id, "message", {"channel": channel.id, "id": message.id}, audience
    )
    return {"id": message.id, "channel_id": channel.id}
