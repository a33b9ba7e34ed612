"""Exercises: creation with one join link per seat, visibility rules, export and replay."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from accord.errors import AccordError
from accord.scenario import Scenario, parse_scenario
from accord.server.archive import read_export, rows
from accord.server.bell import recorded
from accord.server.listen import CHANNEL
from accord.server.models import (
    Channel,
    ChannelMember,
    Comment,
    Event,
    Exercise,
    Inject,
    Message,
    Notification,
    Participant,
    Proposal,
    Round,
    TextVersion,
    Vote,
    insert_row,
)
from accord.server.schemas import Thresholds

__all__ = [
    "DEFAULT_THRESHOLDS",
    "JoinLink",
    "create_exercise",
    "export_exercise",
    "hash_token",
    "import_exercise",
    "record",
]

DEFAULT_THRESHOLDS = Thresholds().model_dump()
"""Vienna-Document-style prior notification: 9,000 troops, 42 days ahead (per exercise)."""


def hash_token(token: str) -> str:
    """Tokens are stored hashed: a leaked database does not leak the join links."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class JoinLink:
    """A join link: who it is for and its secret token."""

    role: str
    party: str | None
    token: str


EVENT_ORDER_LOCK = 0x6163
"""The first key of the PostgreSQL advisory locks that order an exercise's events."""


def record(
    session: Session,
    exercise_id: int,
    kind: str,
    payload: dict[str, Any],
    audience: list[int] | None = None,
) -> None:
    """Append an event to the exercise's timeline (in the caller's transaction).

    Open pages of the exercise hear of it as soon as the transaction commits (see
    bell; on PostgreSQL, pages served by other processes too: see listen). Pages
    read the timeline as "events after the last id I saw", which holds only if an
    exercise's events commit in the order of their ids: on PostgreSQL, where writers
    run side by side, transactions that record events in the same exercise therefore
    take turns from here to their commit (SQLite's writers always take turns).
    """
    if recorded(session, exercise_id) and session.get_bind().dialect.name == "postgresql":
        # One round trip: the turn, and the notice delivered at commit to every server
        # process listening (accord.server.listen).
        session.execute(
            select(
                func.pg_advisory_xact_lock(EVENT_ORDER_LOCK, exercise_id),
                func.pg_notify(CHANNEL, str(exercise_id)),
            )
        )
    insert_row(
        session, Event, exercise_id=exercise_id, kind=kind, payload=payload, audience=audience
    )


def create_exercise(
    session: Session,
    scenario_text: str,
    format_id: str,
    *,
    bots: dict[str, str] | None = None,
    source: str = "<scenario>",
) -> tuple[Exercise, list[JoinLink]]:
    """Create an exercise for one format of a scenario; returns the join links' tokens."""
    scenario: Scenario = parse_scenario(scenario_text, source=source)
    fmt = scenario.format(format_id)
    bots = bots or {}
    for bot_party in bots:
        if bot_party not in fmt.actors:
            raise AccordError(
                f"--bot {bot_party}: no delegation {bot_party!r} at {format_id}; "
                f"the delegations are: {', '.join(fmt.actors)}"
            )
    exercise = Exercise(
        name=f"{scenario.name} — {fmt.name or fmt.id}",
        scenario=scenario_text,
        format=format_id,
        thresholds=dict(DEFAULT_THRESHOLDS),
    )
    session.add(exercise)
    session.flush()
    seats: list[JoinLink] = []
    members: list[Participant] = []
    seating: list[tuple[str, str | None]] = [
        *(("delegation", p) for p in fmt.actors),
        ("chair", None),
        ("facilitator", None),
        ("observer", None),
    ]
    for role, party in seating:
        token = secrets.token_urlsafe(24)
        participant = Participant(
            exercise_id=exercise.id,
            role=role,
            party=party,
            token_hash=hash_token(token),
            bot=bots.get(party) if party else None,
        )
        session.add(participant)
        seats.append(JoinLink(role, party, token))
        members.append(participant)
    session.flush()
    chair = next(p for p in members if p.role == "chair")
    status_quo = {
        i.id: (i.status_quo.value if i.status_quo is not None else (i.scale.min + i.scale.max) / 2)
        for i in scenario.issues
    }
    session.add(
        TextVersion(
            exercise_id=exercise.id,
            version=1,
            values=status_quo,
            note="status quo",
            author_id=chair.id,
        )
    )
    session.add(Channel(exercise_id=exercise.id, name="Plenary", kind="plenary"))
    session.add(Round(exercise_id=exercise.id, number=1, state="paused"))
    record(session, exercise.id, "created", {"name": exercise.name, "format": format_id})
    session.commit()
    return exercise, seats


def _rows(session: Session, model: Any, **where: Any) -> list[dict[str, Any]]:
    out = []
    for row in session.scalars(select(model).filter_by(**where)).all():
        item = {c.name: getattr(row, c.name) for c in model.__table__.columns}
        out.append({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in item.items()})
    return out


def export_exercise(session: Session, exercise_id: int) -> str:
    """Everything of an exercise as JSON (the debrief archive), tokens excluded."""
    exercise = session.get(Exercise, exercise_id)
    if exercise is None:
        raise AccordError(f"no exercise {exercise_id}")
    channels = _rows(session, Channel, exercise_id=exercise_id)
    proposals = _rows(session, Proposal, exercise_id=exercise_id)
    payload = {
        "accord_exercise": 1,
        "exercise": {k: v for k, v in _rows(session, Exercise, id=exercise_id)[0].items()},
        "participants": [
            {k: v for k, v in p.items() if k != "token_hash"}
            for p in _rows(session, Participant, exercise_id=exercise_id)
        ],
        "rounds": _rows(session, Round, exercise_id=exercise_id),
        "texts": _rows(session, TextVersion, exercise_id=exercise_id),
        "comments": _rows(session, Comment, exercise_id=exercise_id),
        "proposals": proposals,
        "votes": [v for p in proposals for v in _rows(session, Vote, proposal_id=p["id"])],
        "channels": channels,
        "members": [m for c in channels for m in _rows(session, ChannelMember, channel_id=c["id"])],
        "messages": [m for c in channels for m in _rows(session, Message, channel_id=c["id"])],
        "injects": _rows(session, Inject, exercise_id=exercise_id),
        "notifications": _rows(session, Notification, exercise_id=exercise_id),
        "events": _rows(session, Event, exercise_id=exercise_id),
    }
    return json.dumps(payload, indent=2, ensure_ascii=False, sort_keys=True) + "\n"


def import_exercise(
    session: Session, text: str | bytes, source: str = "<export>"
) -> tuple[Exercise, list[JoinLink]]:
    """Load an exported exercise as a new exercise, its archive open, for replay and debrief.

    Every seat gets a new token (none is taken from the file); the seats are returned
    with them, for the join links. The file is checked whole first (archive.read_export).
    """
    try:
        data = rows(read_export(text))
    except AccordError as exc:
        raise AccordError(
            f"{source}: not a whole, unaltered export: {exc}; nothing was loaded — "
            "export the exercise again with 'accord exercise export'"
        ) from None
    try:
        exercise, seats = _load_export(session, data)
        session.commit()
    except IntegrityError:
        session.rollback()  # nothing of it stays
        raise AccordError(
            f"{source}: two records of the export clash (the same round, text version or "
            "vote twice); nothing was loaded — export the exercise again"
        ) from None
    return exercise, seats


def _load_export(session: Session, data: dict[str, Any]) -> tuple[Exercise, list[JoinLink]]:
    """The exercise in an export, added to the session (not committed)."""
    import datetime as dt

    def parse(row: dict[str, Any], model: Any, **override: Any) -> Any:
        values = {}
        for column in model.__table__.columns:
            if column.name in row and column.name not in ("id",):
                value = row[column.name]
                if isinstance(value, str) and column.type.python_type in (dt.datetime, dt.date):
                    value = dt.datetime.fromisoformat(value)
                values[column.name] = value
        values.update(override)
        return model(**values)

    old = data["exercise"]
    exercise: Exercise = parse(old, Exercise, archive_open=True)
    session.add(exercise)
    session.flush()
    ids: dict[str, dict[int, int]] = {"participant": {}, "channel": {}, "proposal": {}}
    seats: list[JoinLink] = []
    for p in data["participants"]:
        token = secrets.token_urlsafe(24)
        participant = parse(
            p,
            Participant,
            exercise_id=exercise.id,
            token_hash=hash_token(token),
        )
        session.add(participant)
        session.flush()
        ids["participant"][p["id"]] = participant.id
        seats.append(JoinLink(participant.role, participant.party, token))
    remap = ids["participant"]
    for model, key, author in (
        (Round, "rounds", None),
        (TextVersion, "texts", "author_id"),
        (Comment, "comments", "author_id"),
        (Inject, "injects", None),
        (Notification, "notifications", "author_id"),
    ):
        for row in data[key]:
            extra: dict[str, Any] = {"exercise_id": exercise.id}
            if author:
                extra[author] = remap[row[author]]
            if model is Inject:
                extra["targets"] = [remap[t] for t in row.get("targets", [])]
            if model is Notification:  # exports before revision 0003 have no party_id
                extra["party_id"] = remap[row.get("party_id") or row["author_id"]]
            session.add(parse(row, model, **extra))
    for c in data["channels"]:
        channel = parse(c, Channel, exercise_id=exercise.id)
        session.add(channel)
        session.flush()
        ids["channel"][c["id"]] = channel.id
    for m in data["members"]:
        session.add(
            ChannelMember(
                channel_id=ids["channel"][m["channel_id"]],
                participant_id=remap[m["participant_id"]],
            )
        )
    for m in data["messages"]:
        session.add(
            parse(
                m,
                Message,
                channel_id=ids["channel"][m["channel_id"]],
                author_id=remap[m["author_id"]],
            )
        )
    for p in data["proposals"]:
        proposal = parse(
            p,
            Proposal,
            exercise_id=exercise.id,
            sponsor_id=remap[p["sponsor_id"]],
            cosponsors=[remap[c] for c in p.get("cosponsors", [])],
            invited=[remap[c] for c in p.get("invited", [])],
        )
        session.add(proposal)
        session.flush()
        ids["proposal"][p["id"]] = proposal.id
    for v in data["votes"]:
        session.add(
            parse(
                v,
                Vote,
                proposal_id=ids["proposal"][v["proposal_id"]],
                participant_id=remap[v["participant_id"]],
            )
        )
    for e in data["events"]:
        audience = e.get("audience")
        session.add(
            parse(
                e,
                Event,
                exercise_id=exercise.id,
                audience=None if audience is None else [remap[a] for a in audience],
            )
        )
    session.flush()
    return exercise, seats
