"""The typed, immutable objects a scenario is made of.

These are the field-level rules (types, ranges, required keys). Rules that look
across the whole file (references between tables, duplicate ids, positions on
the issue's scale, a stance for every actor on every issue) live in
:mod:`accord.scenario.checks`, so that all problems are found in one pass.
"""

from __future__ import annotations

import datetime as dt
import math
from enum import StrEnum
from typing import Annotated, Any, Literal, Self

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

__all__ = [
    "RULE_QUOTA",
    "Actor",
    "ActorKind",
    "Anchor",
    "DecisionRule",
    "Format",
    "Issue",
    "Linkage",
    "Metadata",
    "Outcome",
    "Quantity",
    "Relation",
    "Scale",
    "StanceEntry",
    "StandingForum",
    "WorkingGroup",
]

Identifier = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64),
]
"""An id: lower-case letters, digits, ``-`` and ``_``, starting with a letter or digit."""

Text = Annotated[str, StringConstraints(min_length=1)]


def _date_to_text(raw: Any) -> Any:
    """TOML writes ``date = 2002-10-26`` as a date and ``date = 2002`` as a number."""
    if isinstance(raw, dt.date):
        return raw.isoformat()
    if isinstance(raw, int) and not isinstance(raw, bool):
        return str(raw)
    return raw


SourceDate = Annotated[
    str,
    BeforeValidator(_date_to_text),
    StringConstraints(pattern=r"^\d{4}(-\d{2}(-\d{2})?)?$"),
]
"""When a source was public: ``2002-10-26``, ``"2002-10"`` or ``2002``."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", strict=False)


def _number_to_quantity(raw: Any) -> Any:
    """Accept a bare number wherever a :class:`Quantity` is expected."""
    if isinstance(raw, bool):
        return raw  # let validation reject it: true is not a number
    if isinstance(raw, int | float):
        return {"value": raw}
    return raw


class Quantity(_Frozen):
    """A number that may carry its source and its uncertainty.

    In a file either a bare number (``capability = 0.15``) or a table
    (``capability = { value = 0.15, source = "COW NMC 6.0", sd = 0.01 }``).

    Attributes:
        value: The number itself.
        source: Where the number comes from; for a judgement, the word
            "judgement" and the reasoning.
        sd: Standard deviation of the analyst's uncertainty about the value.
        low: Lower end of a uniform range of plausible values.
        high: Upper end of that range.
    """

    value: float = Field(allow_inf_nan=False)
    source: Text | None = None
    date: SourceDate | None = None
    sd: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    low: float | None = Field(default=None, allow_inf_nan=False)
    high: float | None = Field(default=None, allow_inf_nan=False)

    @model_validator(mode="after")
    def _range_is_consistent(self) -> Self:
        if (self.low is None) != (self.high is None):
            raise ValueError("give both 'low' and 'high' for a range, or neither")
        if self.low is not None and self.high is not None:
            if self.sd is not None:
                raise ValueError("give an uncertainty as 'sd' or as 'low'/'high', not both")
            if not self.low <= self.value <= self.high:
                raise ValueError(
                    f"the range low={self.low:g}, high={self.high:g} must contain "
                    f"the value {self.value:g}"
                )
        return self

    @property
    def uncertain(self) -> bool:
        """Whether the value carries an uncertainty (an sd or a range)."""
        return self.sd is not None or self.low is not None


def _within(q: Quantity | None, lo: float, hi: float, hint: str = "") -> Quantity | None:
    """Check that a quantity (and its range, if any) lies in ``[lo, hi]``."""
    if q is None:
        return q
    if not lo <= q.value <= hi:
        raise ValueError(f"must be between {lo:g} and {hi:g}, got {q.value:g}{hint}")
    if q.low is not None and q.high is not None and not (lo <= q.low and q.high <= hi):
        raise ValueError(f"the range low={q.low:g}, high={q.high:g} must lie within {lo:g}–{hi:g}")
    return q


SourcedNumber = Annotated[Quantity, BeforeValidator(_number_to_quantity)]


class Metadata(_Frozen):
    """What the scenario is: its name, the date it describes, a description."""

    name: Text
    date: dt.date | None = None
    description: str = ""
    sources: tuple[str, ...] = ()


class ActorKind(StrEnum):
    """What sort of party an actor is."""

    STATE = "state"
    INTERNATIONAL_ORGANIZATION = "international-organization"
    NON_STATE = "non-state"
    COALITION = "coalition"
    OTHER = "other"


class Actor(_Frozen):
    """A party at the table.

    Attributes:
        id: Short identifier used everywhere else in the file.
        name: Full name.
        kind: State, international organisation, non-state actor, coalition, other.
        capability: Relative power to influence outcomes, greater than 0
            (for example a CINC score).
        reservation: Utility (0–1) of no agreement in negotiations; by default
            the utility of the status quo.
        instructions: A trainer's instructions to whoever plays the actor in a live
            exercise, shown on that delegation's brief alone. Exercise design, not a
            position: the models never read it.
    """

    id: Identifier
    name: Text
    kind: ActorKind = ActorKind.STATE
    capability: SourcedNumber
    reservation: SourcedNumber | None = None
    description: str = ""
    instructions: str = ""

    @field_validator("reservation")
    @classmethod
    def _reservation_in_range(cls, q: Quantity | None) -> Quantity | None:
        return _within(q, 0.0, 1.0)

    @field_validator("capability")
    @classmethod
    def _capability_is_positive(cls, q: Quantity) -> Quantity:
        if not q.value > 0:
            raise ValueError(
                f"must be greater than 0, got {q.value:g}; an actor with no "
                "capability cannot influence anything — remove it instead"
            )
        return q


class Scale(_Frozen):
    """The numeric range an issue's positions live on (0–100 unless stated)."""

    min: float = Field(default=0.0, allow_inf_nan=False)
    max: float = Field(default=100.0, allow_inf_nan=False)
    unit: str = ""

    @model_validator(mode="after")
    def _ordered(self) -> Self:
        if not self.min < self.max:
            raise ValueError(f"scale min ({self.min:g}) must be below max ({self.max:g})")
        return self

    @property
    def span(self) -> float:
        """The width of the scale, ``max - min``."""
        return self.max - self.min

    def contains(self, x: float) -> bool:
        """Whether ``x`` lies on the scale (ends included)."""
        return self.min <= x <= self.max


class Anchor(_Frozen):
    """A labelled point on an issue's scale, e.g. 50 = "two islands (1956 Declaration)"."""

    at: float = Field(allow_inf_nan=False)
    label: Text
    source: Text | None = None
    date: SourceDate | None = None


DecisionRule = Literal["unanimity", "qmv", "majority"]
"""How the issue is decided: every voter's consent, a qualified majority, a simple majority."""

RULE_QUOTA: dict[str, float] = {"unanimity": 1.0, "qmv": 255 / 345, "majority": 0.5}
"""The share of the votes a change needs under each rule. A qualified majority is the Nice
Treaty's 255 of 345 Council votes (73.9%), the threshold of most recorded EU decisions."""


class Outcome(_Frozen):
    """What was in fact decided on an issue: learnt after the scenario's date.

    No forecast, negotiation or forum run reads it; ``accord backtest`` scores
    the models against it.

    Attributes:
        value: The decision, on the issue's scale.
        date: When it was decided (``2003-08-29``, ``2003-08`` or ``2003``).
        source: Where the outcome is recorded.
    """

    value: float = Field(allow_inf_nan=False)
    date: SourceDate | None = None
    source: Text


NEAR = 0.10
"""A value is read as a labelled point when it lies within this share of the scale of it."""


class Issue(_Frozen):
    """A question on the agenda, as a numeric scale with labelled anchor points.

    Attributes:
        id: Short identifier.
        name: Full name.
        scale: The range of positions (0–100 by default).
        anchors: Labelled points on the scale, used to read forecasts.
        status_quo: Where things stand if no agreement is reached; optional
            because tabular imports (e.g. BDM data) often lack it.
        rule: How the issue is decided, if known (the procedural model uses it).
        holder: The actor (or actors) that hold what the issue is about (the
            territory, its own programme) and so can keep the status quo: veto
            players. Every forecast stays between the status quo and each
            holder's position.
        outcome: What was decided, for back-tests; never an input.
    """

    id: Identifier
    name: Text
    description: str = ""
    scale: Scale = Scale()
    anchors: tuple[Anchor, ...] = ()
    status_quo: SourcedNumber | None = None
    rule: DecisionRule | None = None
    holder: Identifier | tuple[Identifier, ...] | None = None
    holder_source: Text | None = None
    outcome: Outcome | None = None

    @property
    def holders(self) -> tuple[str, ...]:
        """The actors that hold the issue (see ``holder``), as a tuple."""
        if self.holder is None:
            return ()
        return (self.holder,) if isinstance(self.holder, str) else tuple(self.holder)

    def nearest_anchor(self, x: float) -> Anchor | None:
        """The labelled point closest to ``x`` (the lower one on a tie), if any."""
        if not self.anchors or math.isnan(x):
            return None
        return min(self.anchors, key=lambda a: (abs(a.at - x), a.at))

    def reading(self, x: float) -> str:
        """``x`` in words against the labelled points.

        ``≈ label`` within a tenth of the scale of the nearest one; ``between A and
        B`` when it lies further from both neighbours; ``""`` when there are no labels.
        """
        nearest = self.nearest_anchor(x)
        if nearest is None:
            return ""
        if abs(nearest.at - x) <= NEAR * self.scale.span:
            return f"≈ {nearest.label}"
        below = [a for a in self.anchors if a.at < x]
        above = [a for a in self.anchors if a.at > x]
        if below and above:
            low = max(below, key=lambda a: a.at)
            high = min(above, key=lambda a: a.at)
            return f"between {low.label} and {high.label}"
        side = "below" if above else "above"
        return f"{side} {nearest.label}"


class StanceEntry(_Frozen):
    """One actor's stance on one issue, as written under ``[positions.ACTOR.ISSUE]``.

    Either ``position`` and ``salience`` are both given, or ``no_position = true``
    says explicitly that the actor has taken no public stance.
    """

    position: SourcedNumber | None = None
    salience: SourcedNumber | None = None
    no_position: bool = False
    source: Text | None = None
    date: SourceDate | None = None
    note: str = ""

    @model_validator(mode="after")
    def _complete(self) -> Self:
        if self.no_position:
            if self.position is not None or self.salience is not None:
                raise ValueError(
                    "'no_position = true' cannot be combined with 'position' or 'salience'"
                )
            return self
        missing = [k for k in ("position", "salience") if getattr(self, k) is None]
        if missing:
            raise ValueError(
                f"missing {' and '.join(repr(m) for m in missing)}; give both, or write "
                "'no_position = true' (with a source) if the actor has stated no position"
            )
        return self

    @field_validator("salience")
    @classmethod
    def _salience_in_range(cls, q: Quantity | None) -> Quantity | None:
        return _within(q, 0.0, 1.0, hint=" (divide a 0–100 salience by 100)")


class Relation(_Frozen):
    """How two actors stand towards each other (symmetric).

    Attributes:
        actors: The two actor ids.
        trust: Mutual trust, from -1 (none at all) to 1 (full).
        alliance: Whether they are treaty allies.
        rivalry: Whether they are rivals (a territorial dispute, say).
        treaty: Name of the treaty or dispute behind the relation.
    """

    actors: tuple[Identifier, Identifier]
    trust: SourcedNumber | None = None
    alliance: bool = False
    rivalry: bool = False
    treaty: str = ""
    source: Text | None = None
    date: SourceDate | None = None

    @field_validator("trust")
    @classmethod
    def _trust_in_range(cls, q: Quantity | None) -> Quantity | None:
        return _within(q, -1.0, 1.0)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        if self.alliance and self.rivalry:
            raise ValueError("a relation cannot be both an alliance and a rivalry")
        return self


class Format(_Frozen):
    """A table: a named set of actors who negotiate together, e.g. ``six-party``."""

    id: Identifier
    name: str = ""
    actors: tuple[Identifier, ...]
    description: str = ""
    source: Text | None = None
    date: SourceDate | None = None


class Linkage(_Frozen):
    """Two issues whose outcomes depend on each other.

    Attributes:
        issues: The two issue ids.
        strength: How strongly progress on one carries to the other, 0–1.
    """

    issues: tuple[Identifier, Identifier]
    strength: SourcedNumber | None = None
    description: str = ""
    source: Text | None = None
    date: SourceDate | None = None

    @field_validator("strength")
    @classmethod
    def _strength_in_range(cls, q: Quantity | None) -> Quantity | None:
        return _within(q, 0.0, 1.0)


NEUTRAL = "neutral"


class WorkingGroup(_Frozen):
    """A working group of a forum: some issues, some parties, its own chair."""

    id: Identifier
    name: str = ""
    issues: tuple[Identifier, ...] = Field(min_length=1)
    actors: tuple[Identifier, ...]
    chair: Identifier = NEUTRAL
    source: Text | None = None
    date: SourceDate | None = None


class StandingForum(_Frozen):
    """A standing forum: who sits (a format), the agenda, the chair, working groups, rounds.

    Attributes:
        format: The format whose actors take part.
        agenda: Issue ids on the agenda; every issue when empty.
        chair: An actor of the format, or ``"neutral"``.
        rounds: Sessions before the forum ends.
        package: Adopt the text as one package (``true``) or issue by issue.
        recess: 0–1: how much delegations' consultations with their capitals
            between sessions slow their concessions.
    """

    id: Identifier
    name: str = ""
    format: Identifier
    agenda: tuple[Identifier, ...] = ()
    chair: Identifier = NEUTRAL
    rounds: int = Field(default=3, ge=1, le=100)
    package: bool = True
    recess: float = Field(default=0.0, ge=0.0, le=1.0)
    working_groups: tuple[WorkingGroup, ...] = ()
    description: str = ""
    source: Text | None = None
    date: SourceDate | None = None


class Document(_Frozen):
    """The whole file, as written: the shape that field validation checks."""

    scenario: Metadata
    actors: tuple[Actor, ...] = Field(min_length=1)
    issues: tuple[Issue, ...] = Field(min_length=1)
    positions: dict[Identifier, dict[Identifier, StanceEntry]]
    relations: tuple[Relation, ...] = ()
    formats: tuple[Format, ...] = ()
    linkages: tuple[Linkage, ...] = ()
    forums: tuple[StandingForum, ...] = ()
