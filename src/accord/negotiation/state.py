"""What a negotiator may see: a read-only view of the table and a frozen state record.

A negotiator never holds the protocol object. At the start it receives a
:class:`NegotiatorView` (its own utilities, the space, the parties, its trust
in them); on each turn a :class:`NegotiationState` (the step, the standing
offer, the offers made so far).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from accord.negotiation.space import OutcomeSpace
from accord.negotiation.utility import Array, LinearAdditiveUtility

__all__ = ["NegotiationState", "NegotiatorView", "Offer"]


@dataclass(frozen=True, slots=True)
class Offer:
    """An outcome put on the table by a party at a step."""

    step: int
    party: str
    outcome: int


@dataclass(frozen=True, slots=True)
class NegotiationState:
    """The negotiation as it stands when a negotiator is asked to act.

    Attributes:
        step: The round, from 0.
        n_steps: The number of rounds allowed.
        offer: The outcome on the table, if any.
        proposer: Who put it there.
        offers: Every offer so far, oldest first.
    """

    step: int
    n_steps: int
    offer: int | None = None
    proposer: str | None = None
    offers: tuple[Offer, ...] = ()
    clock: tuple[float, float] = (0.0, 1.0)
    """The stretch of the negotiators' time this negotiation covers (a forum
    session covers part of the forum's time)."""

    @property
    def relative_time(self) -> float:
        """Progress from ``clock[0]`` (first round) to ``clock[1]`` (last round)."""
        frac = min(1.0, self.step / max(1, self.n_steps - 1))
        return self.clock[0] + (self.clock[1] - self.clock[0]) * frac


@dataclass(frozen=True, eq=False)
class NegotiatorView:
    """A party's read-only view of the negotiation it takes part in.

    Attributes:
        party: This negotiator's party.
        parties: Everyone at the table, in turn order.
        space: The outcomes.
        utility: This party's utility of every outcome (read-only array).
        ufun: This party's utility function (weights and value tables).
        reservation: Utility of no agreement.
        trust: This party's trust in each other party, in [-1, 1].
    """

    party: str
    parties: tuple[str, ...]
    space: OutcomeSpace
    utility: Array
    ufun: LinearAdditiveUtility
    reservation: float
    trust: Mapping[str, float]

    def __post_init__(self) -> None:
        if self.utility.flags.writeable:
            frozen = np.array(self.utility, copy=True)
            frozen.setflags(write=False)
            object.__setattr__(self, "utility", frozen)
