"""What a negotiation leaves behind: every move, and the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["Event", "NegotiationResult"]

Action = Literal["offer", "accept", "reject", "draft", "critique", "vote-yes", "vote-no"]


@dataclass(frozen=True, slots=True)
class Event:
    """One move: who did what at which step, on which outcome."""

    step: int
    party: str
    action: Action
    outcome: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class NegotiationResult:
    """How a negotiation ended.

    Attributes:
        protocol: The protocol's name.
        parties: The parties, in turn order.
        agreement: The agreed outcome, or ``None``.
        steps: Rounds used.
        utilities: Each party's utility of the agreement (its reservation value
            when there is none).
        transcript: Every move, in order.
        final_text: For the chair's single text: the last draft, agreed or not.
    """

    protocol: str
    parties: tuple[str, ...]
    agreement: int | None
    steps: int
    utilities: tuple[float, ...]
    transcript: tuple[Event, ...]
    final_text: int | None = None

    @property
    def agreed(self) -> bool:
        """Whether the parties reached an agreement."""
        return self.agreement is not None
