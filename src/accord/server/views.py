"""What each route answers: the response bodies, declared so the schema promises them.

Every route names one of these as its ``response_model``: the OpenAPI schema then
says what a client gets, FastAPI checks each answer against it (a handler that
drifts fails loudly, not a client), and the schemathesis tests validate live
responses against the schema.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel

__all__ = [
    "ERRORS",
    "ArchiveView",
    "BriefIssue",
    "BriefView",
    "ChannelView",
    "CommentReceipt",
    "CommentView",
    "DebriefIssue",
    "DebriefModel",
    "DebriefParty",
    "DebriefView",
    "EventView",
    "ExerciseView",
    "InjectReceipt",
    "InjectView",
    "IssueView",
    "MeView",
    "MessageReceipt",
    "MessageView",
    "NotificationView",
    "Problem",
    "ProposalView",
    "RoundView",
    "SeatView",
    "SessionView",
    "TextPage",
    "TextView",
    "VoteView",
]

Role = Literal["delegation", "chair", "facilitator", "observer"]


class Where(BaseModel):
    """One problem of a request that is not valid."""

    where: str
    problem: str


class Problem(BaseModel):
    """Every refusal: what is wrong and what to do (and, for a malformed request, where)."""

    detail: str
    problems: list[Where] | None = None


ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": description}
    for code, description in (
        (401, "no valid token or session"),
        (403, "this seat may not do this"),
        (404, "no such record in this exercise"),
        (409, "not now: the round, the text's version or the exercise's state says why"),
        (413, "the request body is too large"),
        (422, "the request is not valid: what and where"),
        (429, "this seat writes too fast: try again after Retry-After seconds"),
        (503, "the database cannot take the write: busy (try again) or read-only"),
    )
}
"""The refusals every route may answer, declared in the schema."""


class SeatView(BaseModel):
    """A seat's public identity."""

    id: int
    role: Role
    party: str | None
    bot: str | None


class ClockView(BaseModel):
    """The scenario clock: at ``set_at`` (real time) the scenario's time was ``start``."""

    start: str
    """Scenario wall-clock time (ISO, no time zone)."""
    rate: float
    """Scenario minutes per real minute."""
    set_at: dt.datetime


class ExerciseView(BaseModel):
    """The exercise as a seat sees it."""

    id: int
    name: str
    format: str
    archive_open: bool
    thresholds: dict[str, int]
    scenario_date: str | None
    """The date the scenario is set at (ISO), where it gives one: the exercise's "now"."""
    clock: ClockView | None
    """The scenario clock, once the facilitator sets one: pages show times on it."""


class RoundView(BaseModel):
    """The current round."""

    number: int
    state: Literal["open", "paused", "closed"]
    deadline: str | None


class MeView(BaseModel):
    """This seat, its exercise, every seat's public identity and the round."""

    seat: SeatView
    exercise: ExerciseView
    seats: list[SeatView]
    round: RoundView
    online: list[int]
    """Seats with a page open now (shown to the chair and the facilitator; empty for others)."""


class SessionView(BaseModel):
    """The seat a browser's new session cookie is for."""

    seat: int


class InjectReceipt(BaseModel):
    """An inject as sent: to whom (seat ids; empty: every delegation)."""

    id: int
    targets: list[int]


class InjectView(InjectReceipt):
    """An inject as read."""

    title: str
    body: str


class EventView(BaseModel):
    """An event of the timeline, numbered for the seat that reads it."""

    id: int
    kind: str
    payload: dict[str, Any]
    at: str


class Anchor(BaseModel):
    """A labelled point of an issue's scale."""

    at: float
    label: str


class IssueView(BaseModel):
    """An issue as the desk shows it."""

    name: str
    description: str
    min: float
    max: float
    unit: str
    anchors: list[Anchor]


class TextView(BaseModel):
    """A version of the text, in numbers and in words, with what it changed."""

    version: int
    values: dict[str, float]
    readings: dict[str, str | None]
    brackets: list[str]
    note: str
    created_at: str
    changes: dict[str, dict[str, float | None]]
    bracketed: list[str]
    agreed: list[str]


class TextPage(BaseModel):
    """The current text, every version, and the issues on the table."""

    current: TextView
    history: list[TextView]
    issues: dict[str, IssueView]


class CommentReceipt(BaseModel):
    """A comment as recorded."""

    id: int
    version: int
    issue: str


class CommentView(CommentReceipt):
    """A comment or amendment as read."""

    body: str
    amendment: float | None
    author_id: int


class VoteView(BaseModel):
    """A vote, shown to its voter, and to all once the vote closes."""

    participant_id: int
    choice: Literal["accept", "reject", "abstain"]
    reason: str


class ProposalView(BaseModel):
    """A proposal, its sponsors and invitations, its vote."""

    id: int
    title: str
    values: dict[str, float]
    sponsor_id: int
    cosponsors: list[int]
    invited: list[int]
    state: Literal["open", "adopted", "rejected"]
    votes_cast: int
    votes: list[VoteView]
    statement: str | None = None


class ChannelView(BaseModel):
    """The plenary or a private channel."""

    id: int
    name: str
    kind: Literal["plenary", "private"]
    members: list[int]


class MessageReceipt(BaseModel):
    """A message as recorded."""

    id: int
    channel_id: int


class MessageView(BaseModel):
    """A message as read."""

    id: int
    author_id: int
    body: str
    created_at: str


class NotificationView(BaseModel):
    """A military activity, notified or seen, with its flags."""

    id: int
    kind: Literal["notified", "observed"]
    party: str | None
    author_id: int
    activity: str
    troops: int
    starts: str
    flags: list[str]


class ArchiveView(BaseModel):
    """The archive's state."""

    archive_open: bool


class DebriefIssue(BaseModel):
    """One issue of the debrief's text, in the scenario's words."""

    id: str
    name: str
    value: float
    reading: str
    nash: float | None
    forecasts: dict[str, float | None]


class DebriefParty(BaseModel):
    """One delegation's outcome against its reservation and the Nash point."""

    party: str
    name: str
    utility: float
    nash_utility: float | None
    reservation: float
    below_reservation: bool


class DebriefModel(BaseModel):
    """A forecasting model's name and what its forecast means."""

    label: str
    meaning: str


class DebriefView(BaseModel):
    """What was adopted and how, the text in words, beside forecasts, Nash point, utilities."""

    adopted: bool
    verdict: str
    issues: list[DebriefIssue]
    parties: list[DebriefParty]
    models: dict[str, DebriefModel]
    nash_meaning: str
    source: str
    text: dict[str, float]
    forecasts: dict[str, dict[str, float | None]]
    nash_point: dict[str, float] | None
    utilities: dict[str, float]
    nash_utilities: dict[str, float] | None
    reservation: dict[str, float]


class BriefIssue(BaseModel):
    """One issue of a delegation's brief: where it stands, and where things stand."""

    id: str
    name: str
    position: float | None
    position_reading: str
    priority: str
    """How much the issue matters to the delegation, in words (from its salience)."""
    source: str
    note: str
    status_quo: float | None
    status_quo_reading: str


class BriefView(BaseModel):
    """A delegation's brief from the scenario: who it is and its positions, issue by issue."""

    party: str
    name: str
    description: str
    instructions: str
    """The trainer's instructions to this delegation, where the scenario gives some."""
    reservation: float | None
    """Utility (0–1) of no agreement, where the scenario states it."""
    issues: list[BriefIssue]
