"""Request and response bodies, one family per resource."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

__all__ = [
    "ChannelCreate",
    "CommentCreate",
    "CosponsorAnswer",
    "InjectCreate",
    "MessageCreate",
    "NotificationCreate",
    "ObservedActivity",
    "ProposalCreate",
    "RoundUpdate",
    "TextRevise",
    "Thresholds",
    "VoteCreate",
]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


Values = dict[str, float]


class TextRevise(_Strict):
    """The chair's new version of the single text; ``base_version`` guards against overwrites."""

    base_version: int = Field(ge=1)
    values: Values
    note: str = Field(default="", max_length=4000)
    brackets: list[str] | None = Field(
        default=None,
        max_length=64,
        description="issues still in brackets (not agreed); leave out to keep the last version's",
    )


class CommentCreate(_Strict):
    """A comment on one issue of the current text, or an amendment (a proposed value)."""

    version: int = Field(ge=1)
    issue: str = Field(min_length=1, max_length=64)
    body: str = Field(min_length=1, max_length=4000)
    amendment: float | None = None


class ProposalCreate(_Strict):
    """A proposal: values per issue, a title, delegations invited to co-sponsor it (parties)."""

    title: str = Field(min_length=1, max_length=200)
    values: Values
    cosponsors: list[str] = Field(default_factory=list, max_length=20)


class CosponsorAnswer(_Strict):
    """An invited delegation's answer: co-sponsor the proposal, or decline."""

    accept: bool


class VoteCreate(_Strict):
    """A vote, with a reason; can be changed until the vote closes."""

    choice: Literal["accept", "reject", "abstain"]
    reason: str = Field(default="", max_length=2000)


class VoteClose(_Strict):
    """The chair closes a vote; if it fails, the chair's statement says what the table did."""

    statement: str = Field(default="", max_length=4000)


class ChannelCreate(_Strict):
    """A private channel among some delegations (the creator is always a member)."""

    name: str = Field(min_length=1, max_length=200)
    members: list[str] = Field(min_length=1, max_length=20)


class MessageCreate(_Strict):
    """A message in a channel."""

    body: str = Field(min_length=1, max_length=8000)


class InjectCreate(_Strict):
    """News or an intelligence report for all delegations, or some."""

    title: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=8000)
    targets: list[str] = Field(default_factory=list, max_length=20)


class NotificationCreate(_Strict):
    """Prior notification of a military activity."""

    activity: str = Field(min_length=1, max_length=64)
    troops: int = Field(ge=0, le=10_000_000)
    starts: dt.date


class ObservedActivity(_Strict):
    """A military activity the facilitator reports as seen (checked against notifications)."""

    party: str = Field(min_length=1, max_length=64)
    activity: str = Field(min_length=1, max_length=64)
    troops: int = Field(ge=0, le=10_000_000)
    starts: dt.date


class Thresholds(_Strict):
    """Vienna-Document-style prior notification, set per exercise by the facilitator.

    An activity of ``notify_troops`` troops or more must be notified ``lead_days``
    days before it starts. The defaults follow the Vienna Document 2011 as our
    reference gives it (9,000 troops, 42 days; check against FSC.DOC/1/11).
    """

    notify_troops: int = Field(9000, ge=1, le=10_000_000)
    lead_days: int = Field(42, ge=0, le=3650)


class ScenarioClock(_Strict):
    """The exercise's scenario clock, set by the facilitator.

    From the moment it is set, the scenario's time is ``start`` and runs ``rate``
    scenario minutes per real minute (1: real time; 60: an hour a minute; 1440: a day a
    minute). ``start`` is the scenario's own wall clock: a time zone, if given, is
    dropped, not converted.
    """

    start: dt.datetime
    rate: float = Field(ge=0.001, le=525_600)

    @field_validator("start")
    @classmethod
    def _wall_clock(cls, value: dt.datetime) -> dt.datetime:
        return value.replace(tzinfo=None, second=0, microsecond=0)


class RoundUpdate(_Strict):
    """Open, pause or close the current round (facilitator)."""

    action: Literal["open", "pause", "close", "next"]
    deadline: dt.datetime | None = None

    @field_validator("deadline")
    @classmethod
    def _representable_in_utc(cls, value: dt.datetime | None) -> dt.datetime | None:
        """A deadline whose UTC time falls outside years 1–9999 cannot be stored or compared."""
        if value is None or value.tzinfo is None:
            return value
        try:
            value.astimezone(dt.UTC)
        except OverflowError:
            raise ValueError(
                "the deadline falls outside the years 1–9999 once converted to UTC; "
                "give a date within them"
            ) from None
        return value
