"""An exercise export, read back with the rules of live writes (``accord exercise replay``).

An export is a file that anyone may have edited. Before anything of it is stored,
every field is checked: its type (no string where a number belongs), its length,
its allowed values (roles, states, choices, event kinds), the scenario and format
it names, each value on its issue's scale, and every reference to a seat, channel
or proposal in the same file. A file with any problem is refused whole, with the
first problems named. No token or hash is read from a file: seats get new tokens.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from accord.errors import AccordError
from accord.negotiation import NEGOTIATORS
from accord.scenario import parse_scenario
from accord.server.agenda import check_values
from accord.server.schemas import Thresholds

__all__ = ["EVENT_KINDS", "ExportFile", "read_export"]

EVENT_KINDS = (
    "archive",
    "channel",
    "clock",
    "comment",
    "cosponsor",
    "created",
    "inject",
    "invitation",
    "message",
    "notification",
    "proposal",
    "round",
    "text",
    "thresholds",
    "vote",
    "vote-closed",
)
"""What the server records on an exercise's timeline."""

Id = Annotated[int, Field(ge=1, le=2**53)]
Name = Annotated[str, Field(max_length=64)]
Values = dict[Name, float]


class _Row(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class ExerciseRow(_Row):
    """The exercise itself."""

    id: Id
    name: Annotated[str, Field(min_length=1, max_length=200)]
    scenario: Annotated[str, Field(min_length=1, max_length=2_000_000)]
    format: Name
    archive_open: bool
    thresholds: Thresholds
    created_at: dt.datetime


class ParticipantRow(_Row):
    """A seat (its token is never in an export, and never read from one)."""

    id: Id
    exercise_id: Id
    role: Literal["delegation", "chair", "facilitator", "observer"]
    party: Name | None
    bot: Name | None


class RoundRow(_Row):
    """A round."""

    id: Id
    exercise_id: Id
    number: Annotated[int, Field(ge=1, le=10_000)]
    state: Literal["open", "paused", "closed"]
    deadline: dt.datetime | None


class TextRow(_Row):
    """A version of the chair's text."""

    id: Id
    exercise_id: Id
    version: Annotated[int, Field(ge=1)]
    values: Values
    note: Annotated[str, Field(max_length=4000)]
    brackets: Annotated[list[Name], Field(max_length=64)]
    author_id: Id
    created_at: dt.datetime


class CommentRow(_Row):
    """A comment or amendment."""

    id: Id
    exercise_id: Id
    version: Annotated[int, Field(ge=1)]
    issue: Name
    body: Annotated[str, Field(min_length=1, max_length=4000)]
    amendment: float | None
    author_id: Id
    created_at: dt.datetime


class ProposalRow(_Row):
    """A proposal."""

    id: Id
    exercise_id: Id
    title: Annotated[str, Field(min_length=1, max_length=200)]
    values: Values
    sponsor_id: Id
    cosponsors: Annotated[list[Id], Field(max_length=20)]
    invited: Annotated[list[Id], Field(max_length=20)] = []  # exports before revision 0005
    state: Literal["open", "adopted", "rejected"]
    created_at: dt.datetime


class VoteRow(_Row):
    """A vote."""

    id: Id
    proposal_id: Id
    participant_id: Id
    choice: Literal["accept", "reject", "abstain"]
    reason: Annotated[str, Field(max_length=2000)]


class ChannelRow(_Row):
    """The plenary or a private channel."""

    id: Id
    exercise_id: Id
    name: Annotated[str, Field(min_length=1, max_length=200)]
    kind: Literal["plenary", "private"]


class MemberRow(_Row):
    """A private channel's member."""

    channel_id: Id
    participant_id: Id


class MessageRow(_Row):
    """A message."""

    id: Id
    channel_id: Id
    author_id: Id
    body: Annotated[str, Field(min_length=1, max_length=8000)]
    created_at: dt.datetime


class InjectRow(_Row):
    """An inject."""

    id: Id
    exercise_id: Id
    title: Annotated[str, Field(min_length=1, max_length=200)]
    body: Annotated[str, Field(min_length=1, max_length=8000)]
    targets: Annotated[list[Id], Field(max_length=64)]
    created_at: dt.datetime


class NotificationRow(_Row):
    """A military activity notified or seen."""

    id: Id
    exercise_id: Id
    author_id: Id
    kind: Literal["notified", "observed"]
    party_id: Id | None = None  # exports before revision 0003 have none
    activity: Annotated[str, Field(min_length=1, max_length=64)]
    troops: Annotated[int, Field(ge=0, le=10_000_000)]
    starts: dt.datetime
    notified: dt.datetime
    flags: Annotated[list[Annotated[str, Field(max_length=400)]], Field(max_length=16)]


Scalar = str | int | float | bool | None
Payload = dict[Name, Scalar | list[Scalar] | dict[Name, Scalar]]


class EventRow(_Row):
    """An event of the timeline; its payload holds plain values, two levels deep at most."""

    id: Id
    exercise_id: Id
    kind: Literal[EVENT_KINDS]  # type: ignore[valid-type]
    payload: Payload
    audience: list[Id] | None
    created_at: dt.datetime


class ExportFile(_Row):
    """What ``accord exercise export`` writes."""

    accord_exercise: Literal[1]
    exercise: ExerciseRow
    participants: Annotated[list[ParticipantRow], Field(min_length=1, max_length=1000)]
    rounds: list[RoundRow]
    texts: Annotated[list[TextRow], Field(min_length=1)]
    comments: list[CommentRow]
    proposals: list[ProposalRow]
    votes: list[VoteRow]
    channels: list[ChannelRow]
    members: list[MemberRow]
    messages: list[MessageRow]
    injects: list[InjectRow]
    notifications: list[NotificationRow]
    events: list[EventRow]


def _where(loc: tuple[int | str, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _check_references(export: ExportFile) -> None:
    """Every seat, channel and proposal a row names is one of the file's own."""
    seats = {p.id for p in export.participants}
    channels = {c.id for c in export.channels}
    proposals = {p.id for p in export.proposals}
    named: list[tuple[str, int, set[int]]] = []
    for i, t in enumerate(export.texts):
        named.append((f"texts[{i}].author_id", t.author_id, seats))
    for i, c in enumerate(export.comments):
        named.append((f"comments[{i}].author_id", c.author_id, seats))
    for i, p in enumerate(export.proposals):
        named.append((f"proposals[{i}].sponsor_id", p.sponsor_id, seats))
        named += [(f"proposals[{i}].cosponsors", c, seats) for c in p.cosponsors]
        named += [(f"proposals[{i}].invited", c, seats) for c in p.invited]
    for i, v in enumerate(export.votes):
        named.append((f"votes[{i}].proposal_id", v.proposal_id, proposals))
        named.append((f"votes[{i}].participant_id", v.participant_id, seats))
    for i, m in enumerate(export.members):
        named.append((f"members[{i}].channel_id", m.channel_id, channels))
        named.append((f"members[{i}].participant_id", m.participant_id, seats))
    for i, said in enumerate(export.messages):
        named.append((f"messages[{i}].channel_id", said.channel_id, channels))
        named.append((f"messages[{i}].author_id", said.author_id, seats))
    for i, j in enumerate(export.injects):
        named += [(f"injects[{i}].targets", t, seats) for t in j.targets]
    for i, n in enumerate(export.notifications):
        named.append((f"notifications[{i}].author_id", n.author_id, seats))
        if n.party_id is not None:
            named.append((f"notifications[{i}].party_id", n.party_id, seats))
    for i, e in enumerate(export.events):
        named += [(f"events[{i}].audience", a, seats) for a in e.audience or []]
    for where, ref, known in named:
        if ref not in known:
            raise AccordError(f"{where}: {ref} names nothing in the file")


def _check_against_scenario(export: ExportFile) -> None:
    """The scenario parses, has the format, seats its parties; values lie on their scales."""
    try:
        scenario = parse_scenario(export.exercise.scenario, source="exercise.scenario")
        fmt = scenario.format(export.exercise.format)
    except AccordError as exc:
        raise AccordError(f"exercise.scenario: {exc}") from None
    parties = [p.party for p in export.participants if p.role == "delegation"]
    for i, p in enumerate(export.participants):
        if (p.role == "delegation") != (p.party is not None):
            raise AccordError(f"participants[{i}]: a delegation has a party; no other seat has")
        if p.party is not None and p.party not in fmt.actors:
            raise AccordError(
                f"participants[{i}].party: {p.party!r} is not at {fmt.id} ({', '.join(fmt.actors)})"
            )
        if p.bot is not None and p.bot not in NEGOTIATORS:
            raise AccordError(f"participants[{i}].bot: unknown negotiator {p.bot!r}")
    if len(set(parties)) != len(parties):
        raise AccordError("participants: a party has two delegations")
    issues = {issue.id: issue for issue in scenario.issues}
    rows: list[tuple[str, dict[str, float]]] = [
        *((f"texts[{i}].values", t.values) for i, t in enumerate(export.texts)),
        *((f"proposals[{i}].values", p.values) for i, p in enumerate(export.proposals)),
        *(
            (f"comments[{i}].amendment", {c.issue: c.amendment})
            for i, c in enumerate(export.comments)
            if c.amendment is not None
        ),
    ]
    for i, t in enumerate(export.texts):
        unknown = [b for b in t.brackets if b not in issues]
        if unknown:
            raise AccordError(f"texts[{i}].brackets: unknown issue {unknown[0]!r}")
    for where, values in rows:
        try:
            check_values(issues, values, where)
        except HTTPException as exc:
            raise AccordError(str(exc.detail)) from None


def read_export(data: str | bytes) -> ExportFile:
    """The export in ``data``, checked whole (AccordError naming the first problems)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise AccordError(
                f"not UTF-8 text (byte {exc.start}); an export is the JSON file "
                "'accord exercise export' writes"
            ) from None
    try:
        export = ExportFile.model_validate_json(data, strict=True)
    except ValidationError as exc:
        problems = exc.errors(include_url=False)
        shown = "; ".join(f"{_where(e['loc']) or 'the file'}: {e['msg']}" for e in problems[:3])
        more = f" (and {len(problems) - 3} more)" if len(problems) > 3 else ""
        raise AccordError(f"{shown}{more}") from None
    _check_references(export)
    _check_against_scenario(export)
    return export


def rows(export: ExportFile) -> dict[str, Any]:
    """The checked export as plain rows (datetimes as datetimes), for loading."""
    return export.model_dump()
