"""Negotiation strategies, kept apart from the protocols that run them.

A negotiator overrides :meth:`Negotiator.propose` and :meth:`Negotiator.respond`
(and, for the chair's single text, may override :meth:`Negotiator.critique`).
Every negotiator here satisfies the contract checked in
``tests/test_negotiator_contract.py``: the same seed gives the same moves;
``clone()`` gives a fresh negotiator with the same parameters; it survives
pickling; it only offers outcomes of the space; it never accepts an outcome
worth less to it than its reservation value.

Time-based concession follows Faratin, Sierra & Jennings (1998), "Negotiation
decision functions for autonomous agents", *Robotics and Autonomous Systems* 24:
the target utility at relative time ``t`` is
``floor + (best - floor) (1 - t^(1/β))`` — ``β < 1`` Boulware (holds out, then
concedes near the deadline), ``β = 1`` linear, ``β > 1`` conceder. ``floor``
is the reservation value (or the worst outcome, if higher).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar, Literal

import numpy as np
from typing_extensions import override

from accord.errors import AccordError
from accord.negotiation.state import NegotiationState, NegotiatorView

__all__ = [
    "NEGOTIATORS",
    "Boulware",
    "Conceder",
    "Critique",
    "Hardliner",
    "LinearConcession",
    "Negotiator",
    "NegotiatorName",
    "RandomNegotiator",
    "Scripted",
    "TimeBased",
    "TitForTat",
    "TrustSensitive",
    "make_negotiator",
]


@dataclass(frozen=True, slots=True)
class Critique:
    """A party's objection to a draft text: the changes it asks for, most wanted first.

    Each change is ``(issue index, direction)`` — one step up (+1) or down (-1)
    on one issue. No changes means it objects but no single step would help it.
    """

    changes: tuple[tuple[int, int], ...]

    @property
    def issue(self) -> int | None:
        """The issue it most wants changed, if any."""
        return self.changes[0][0] if self.changes else None

    @property
    def direction(self) -> int:
        """Which way it wants that issue moved."""
        return self.changes[0][1] if self.changes else 0


class Negotiator:
    """Base class: state handling, the sorted-utility helpers and the default critique."""

    name: ClassVar[str] = "negotiator"

    def __init__(self) -> None:
        self.view: NegotiatorView | None = None
        self.rng = np.random.default_rng(0)
        self._order = np.zeros(0, dtype=np.int64)
        self._sorted = np.zeros(0)

    # --- lifecycle -------------------------------------------------------------
    def params(self) -> dict[str, Any]:
        """Constructor arguments; ``clone()`` uses them."""
        return {}

    def clone(self) -> Negotiator:
        """A fresh negotiator with the same parameters and no state."""
        return type(self)(**self.params())

    def reset(self) -> None:
        """Forget everything learnt in a negotiation."""
        self.view = None

    def bind(self, view: NegotiatorView, rng: np.random.Generator) -> None:
        """Called by the protocol before the first step."""
        self.reset()
        self.view = view
        self.rng = rng
        self._order = np.argsort(view.utility, kind="stable")
        self._sorted = view.utility[self._order]
        self.on_start()

    def on_start(self) -> None:
        """Hook for subclasses: prepare for a new negotiation."""

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"

    # --- what a strategy decides --------------------------------------------------
    def propose(self, state: NegotiationState) -> int:
        """The outcome to offer now."""
        raise NotImplementedError

    def respond(self, state: NegotiationState, offer: int, proposer: str) -> bool:
        """Whether to accept the offer on the table."""
        raise NotImplementedError

    def critique(self, state: NegotiationState, text: int) -> Critique | None:
        """Accept a draft (``None``) or list the one-step changes that would help, best first."""
        if self.respond(state, text, "chair"):
            return None
        view = self._need_view()
        space = view.space
        idx = space.value_indices(text)
        base = view.utility[text]
        gains: list[tuple[float, int, int]] = []
        for k, size in enumerate(space.sizes):
            for direction in (-1, 1):
                j = int(idx[k]) + direction
                if 0 <= j < size:
                    gain = float(view.utility[text + direction * int(space.strides[k])] - base)
                    if gain > 0:
                        gains.append((-gain, k, direction))
        return Critique(tuple((k, d) for _, k, d in sorted(gains)))

    # --- helpers ------------------------------------------------------------------
    def _need_view(self) -> NegotiatorView:
        if self.view is None:
            raise AccordError(f"{self!r} was asked to act before the negotiation started")
        return self.view

    @property
    def best_utility(self) -> float:
        """Utility of this party's best outcome."""
        return float(self._sorted[-1])

    @property
    def floor(self) -> float:
        """The lowest utility this party will ever settle for."""
        return max(self._need_view().reservation, float(self._sorted[0]))

    def utility(self, outcome: int) -> float:
        """This party's utility of an outcome."""
        return float(self._need_view().utility[outcome])

    def at_least(self, target: float) -> int:
        """The outcome worth the least among those worth at least ``target``.

        Ties go to the lowest outcome number; a target above the best outcome
        gives the best outcome.
        """
        k = int(np.searchsorted(self._sorted, target, side="left"))
        if k >= len(self._sorted):
            k = len(self._sorted) - 1
        value = self._sorted[k]
        first = int(np.searchsorted(self._sorted, value, side="left"))
        return int(self._order[first])

    def near(self, target: float, band: float, state: NegotiationState) -> int:
        """An outcome worth at least ``target``, leaning towards the other side.

        Of the outcomes within ``band`` of the target (a fraction of this party's
        utility range), the one closest to the latest offer by another party;
        without such an offer, or with ``band = 0``, :meth:`at_least`.
        """
        first = self.at_least(target)
        view = self._need_view()
        theirs = next((o.outcome for o in reversed(state.offers) if o.party != view.party), None)
        if band <= 0 or theirs is None:
            return first
        low = float(view.utility[first])
        high = low + band * (self.best_utility - self.floor)
        lo = int(np.searchsorted(self._sorted, low, side="left"))
        hi = max(int(np.searchsorted(self._sorted, high, side="right")), lo + 1)
        candidates = self._order[lo:hi]
        space = view.space
        scale = np.maximum(np.asarray(space.sizes) - 1, 1)
        gap = np.abs(space.value_indices(candidates) - space.value_indices(theirs)) / scale
        return int(candidates[int(np.argmin(gap.sum(axis=1)))])

    def acceptable(self, outcome: int, target: float) -> bool:
        """Worth at least the target and at least the reservation value."""
        u = self.utility(outcome)
        return u >= target and u >= self._need_view().reservation


class TimeBased(Negotiator):
    """Faratin et al.'s (1998) time-dependent tactic with concession exponent ``beta``.

    Offers: an outcome worth at least the target; with ``band > 0``, among those
    within ``band`` of the target (as a fraction of its utility range), the one
    most similar to the other side's latest offer — a simple, deterministic
    step towards the other side that makes agreements findable in large
    spaces. ``band = 0`` offers exactly the least outcome above the target.
    Accepts an offer worth at least its current target.
    """

    name: ClassVar[str] = "time-based"

    def __init__(self, beta: float = 1.0, band: float = 0.05) -> None:
        if beta <= 0:
            raise AccordError(f"beta must be greater than 0, got {beta:g}")
        if not 0 <= band <= 1:
            raise AccordError(f"band must be between 0 and 1, got {band:g}")
        self.beta = float(beta)
        self.band = float(band)
        super().__init__()

    @override
    def params(self) -> dict[str, Any]:
        return {"beta": self.beta, "band": self.band}

    def effective_beta(self) -> float:
        """The exponent in use (subclasses may adapt it)."""
        return self.beta

    def target(self, t: float) -> float:
        """Target utility at relative time ``t``."""
        concession = 1.0 - float(t ** (1.0 / self.effective_beta()))
        return self.floor + (self.best_utility - self.floor) * concession

    @override
    def propose(self, state: NegotiationState) -> int:
        return self.near(self.target(state.relative_time), self.band, state)

    @override
    def respond(self, state: NegotiationState, offer: int, proposer: str) -> bool:
        return self.acceptable(offer, self.target(state.relative_time))


class Boulware(TimeBased):
    """Holds out and concedes near the deadline (``beta = 0.25``)."""

    name: ClassVar[str] = "boulware"

    def __init__(self, beta: float = 0.25, band: float = 0.05) -> None:
        super().__init__(beta, band)


class LinearConcession(TimeBased):
    """Concedes at a constant rate (``beta = 1``)."""

    name: ClassVar[str] = "linear"

    def __init__(self, beta: float = 1.0, band: float = 0.05) -> None:
        super().__init__(beta, band)


class Conceder(TimeBased):
    """Concedes early (``beta = 4``)."""

    name: ClassVar[str] = "conceder"

    def __init__(self, beta: float = 4.0, band: float = 0.05) -> None:
        super().__init__(beta, band)


class TrustSensitive(TimeBased):
    """A time-based negotiator that concedes faster to parties it trusts.

    The exponent is ``beta * sensitivity ** trust``, with ``trust`` the mean
    trust in the other parties at the table (from the scenario's relations):
    with the defaults, full trust turns a Boulware into a linear conceder and
    full distrust into a near-hardliner.
    """

    name: ClassVar[str] = "trust-sensitive"

    def __init__(self, beta: float = 0.25, sensitivity: float = 4.0, band: float = 0.05) -> None:
        if sensitivity < 1:
            raise AccordError(f"sensitivity must be at least 1, got {sensitivity:g}")
        self.sensitivity = float(sensitivity)
        super().__init__(beta, band)

    @override
    def params(self) -> dict[str, Any]:
        return {"beta": self.beta, "sensitivity": self.sensitivity, "band": self.band}

    @override
    def effective_beta(self) -> float:
        view = self._need_view()
        others = [v for p, v in view.trust.items() if p != view.party]
        trust = float(np.mean(others)) if others else 0.0
        return float(self.beta * self.sensitivity**trust)


class Hardliner(Negotiator):
    """Offers its best outcome every time and accepts nothing less."""

    name: ClassVar[str] = "hardliner"

    @override
    def propose(self, state: NegotiationState) -> int:
        return self.at_least(self.best_utility)

    @override
    def respond(self, state: NegotiationState, offer: int, proposer: str) -> bool:
        return self.acceptable(offer, self.best_utility)


class RandomNegotiator(Negotiator):
    """Offers a random outcome it prefers to no agreement.

    Accepts such outcomes with probability ``p_accept``.
    """

    name: ClassVar[str] = "random"

    def __init__(self, p_accept: float = 0.5) -> None:
        if not 0 <= p_accept <= 1:
            raise AccordError(f"p_accept must be between 0 and 1, got {p_accept:g}")
        self.p_accept = float(p_accept)
        super().__init__()

    @override
    def params(self) -> dict[str, Any]:
        return {"p_accept": self.p_accept}

    @override
    def propose(self, state: NegotiationState) -> int:
        start = int(np.searchsorted(self._sorted, self._need_view().reservation, side="left"))
        start = min(start, len(self._sorted) - 1)
        return int(self._order[self.rng.integers(start, len(self._sorted))])

    @override
    def respond(self, state: NegotiationState, offer: int, proposer: str) -> bool:
        draw = self.rng.random()
        return self.acceptable(offer, self.floor) and draw < self.p_accept


class TitForTat(Negotiator):
    """Relative tit-for-tat: gives back, in its own utility, what the others last gave.

    Starts at its best outcome. After each offer by another party it lowers
    its target by how much better that offer is for it than the previous
    offer by others (or raises it when they harden), never below its floor.
    """

    name: ClassVar[str] = "tit-for-tat"

    @override
    def on_start(self) -> None:
        self._target = self.best_utility
        self._seen = 0

    def _update(self, state: NegotiationState) -> None:
        mine = self._need_view().party
        theirs = [o for o in state.offers if o.party != mine]
        if len(theirs) > self._seen:
            if len(theirs) >= 2:
                gained = self.utility(theirs[-1].outcome) - self.utility(theirs[-2].outcome)
                self._target = float(np.clip(self._target - gained, self.floor, self.best_utility))
            self._seen = len(theirs)

    @override
    def propose(self, state: NegotiationState) -> int:
        self._update(state)
        return self.at_least(self._target)

    @override
    def respond(self, state: NegotiationState, offer: int, proposer: str) -> bool:
        self._update(state)
        return self.acceptable(offer, self._target)


class Scripted(Negotiator):
    """Plays a fixed list of offers and accepts from a given step on (for tests)."""

    name: ClassVar[str] = "scripted"

    def __init__(self, offers: tuple[int, ...] = (0,), accept_from: int | None = None) -> None:
        self.offers = tuple(int(o) for o in offers)
        self.accept_from = accept_from
        super().__init__()

    @override
    def params(self) -> dict[str, Any]:
        return {"offers": self.offers, "accept_from": self.accept_from}

    @override
    def on_start(self) -> None:
        self._made = 0

    @override
    def propose(self, state: NegotiationState) -> int:
        offer = self.offers[min(self._made, len(self.offers) - 1)]
        self._made += 1
        return offer

    @override
    def respond(self, state: NegotiationState, offer: int, proposer: str) -> bool:
        return (
            self.accept_from is not None
            and state.step >= self.accept_from
            and self.acceptable(offer, self._need_view().reservation)
        )


NegotiatorName = Literal[
    "boulware", "linear", "conceder", "trust-sensitive", "tit-for-tat", "hardliner", "random"
]
"""The negotiators the command line and the exercise bots know by name."""

NEGOTIATORS: dict[str, type[Negotiator]] = {
    cls.name: cls
    for cls in (
        Boulware,
        LinearConcession,
        Conceder,
        TrustSensitive,
        TitForTat,
        Hardliner,
        RandomNegotiator,
    )
}
"""Negotiators by name, as the command line knows them."""


def make_negotiator(name: str) -> Negotiator:
    """A negotiator with default parameters, by name."""
    try:
        return NEGOTIATORS[name]()
    except KeyError:
        raise AccordError(
            f"unknown negotiator {name!r}; choose from: {', '.join(NEGOTIATORS)}"
        ) from None
