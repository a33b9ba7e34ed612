"""Negotiation protocols (mechanisms), all run as ``protocol.run(domain, negotiators, seed)``.

* :class:`AlternatingOffers` — bilateral alternating offers, and for more
  parties the stacked alternating offers protocol: parties take turns; on its
  turn a party accepts the standing offer or replaces it with its own; an offer
  stands when every other party has accepted it in turn.
* :class:`ChairText` — Fisher's single negotiating text: the chair drafts, each
  party accepts or names the issue it most wants changed and which way, the
  chair revises, and the final text passes only by unanimity; otherwise there
  is no agreement and the chair's last text is recorded.
* :class:`Voting` — each round one party proposes and all vote; the proposal
  passes by majority or unanimity.

Randomness: the run's seed spawns one child seed per negotiator, so the same
seed gives the same transcript.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal, Protocol

import numpy as np

from accord.errors import AccordError, NegotiationError
from accord.negotiation.analysis import max_welfare_point, nash_point
from accord.negotiation.domain import NegotiationDomain
from accord.negotiation.negotiators import Critique, Negotiator
from accord.negotiation.state import NegotiationState, NegotiatorView, Offer
from accord.negotiation.transcript import Event, NegotiationResult

__all__ = [
    "PROTOCOLS",
    "AlternatingOffers",
    "ChairText",
    "NegotiationProtocol",
    "ProtocolName",
    "Voting",
    "get_protocol",
    "seat",
]


VotingRule = Literal["majority", "unanimity"]
"""How many votes a proposal needs: more than half, or all."""


class NegotiationProtocol(Protocol):
    """What every protocol offers."""

    name: ClassVar[str]

    def run(
        self, domain: NegotiationDomain, negotiators: Sequence[Negotiator], seed: int = 0
    ) -> NegotiationResult:
        """Run one negotiation."""
        ...


def seat(domain: NegotiationDomain, negotiators: Sequence[Negotiator], seed: int) -> None:
    """Give each negotiator its read-only view and its own random generator (from ``seed``)."""
    if len(negotiators) != len(domain.parties):
        raise AccordError(
            f"{len(negotiators)} negotiators for {len(domain.parties)} parties "
            f"({', '.join(domain.parties)})"
        )
    if len({id(n) for n in negotiators}) != len(negotiators):
        raise AccordError("each party needs its own negotiator object; use clone()")
    children = np.random.SeedSequence(seed).spawn(len(negotiators))
    for k, (party, neg) in enumerate(zip(domain.parties, negotiators, strict=True)):
        trust = {
            p: float(domain.trust_matrix[k, j]) for j, p in enumerate(domain.parties) if j != k
        }
        view = NegotiatorView(
            party=party,
            parties=domain.parties,
            space=domain.space,
            utility=domain.matrix[k],
            ufun=domain.utilities[k],
            reservation=float(domain.reservation[k]),
            trust=trust,
        )
        neg.bind(view, np.random.default_rng(children[k]))


def _checked(domain: NegotiationDomain, neg: Negotiator, outcome: object) -> int:
    if not isinstance(outcome, int | np.integer) or not domain.space.contains(int(outcome)):
        raise NegotiationError(
            f"{neg!r} offered {outcome!r}, which is not an outcome of this space "
            f"(0 to {domain.space.size - 1})"
        )
    return int(outcome)


def _result(
    name: str,
    domain: NegotiationDomain,
    agreement: int | None,
    steps: int,
    events: list[Event],
    final_text: int | None = None,
) -> NegotiationResult:
    utilities = (
        tuple(float(u) for u in domain.matrix[:, agreement])
        if agreement is not None
        else tuple(float(r) for r in domain.reservation)
    )
    return NegotiationResult(
        name, domain.parties, agreement, steps, utilities, tuple(events), final_text
    )


@dataclass(frozen=True)
class AlternatingOffers:
    """Alternating offers (stacked, for more than two parties), at most ``n_steps`` rounds."""

    n_steps: int = 100
    name: ClassVar[str] = "alternating"

    def run(
        self, domain: NegotiationDomain, negotiators: Sequence[Negotiator], seed: int = 0
    ) -> NegotiationResult:
        """Run one negotiation; a round gives every party one turn."""
        seat(domain, negotiators, seed)
        parties, n = domain.parties, len(negotiators)
        events: list[Event] = []
        offers: list[Offer] = []
        standing: int | None = None
        proposer: str | None = None
        accepted = 0
        for step in range(self.n_steps):
            for k, neg in enumerate(negotiators):
                party = parties[k]
                state = NegotiationState(step, self.n_steps, standing, proposer, tuple(offers))
                if standing is not None and party != proposer:
                    if neg.respond(state, standing, proposer or ""):
                        events.append(Event(step, party, "accept", standing))
                        accepted += 1
                        if accepted == n - 1:
                            return _result(self.name, domain, standing, step + 1, events)
                        continue
                    events.append(Event(step, party, "reject", standing))
                offer = _checked(domain, neg, neg.propose(state))
                standing, proposer, accepted = offer, party, 0
                offers.append(Offer(step, party, offer))
                events.append(Event(step, party, "offer", offer))
        return _result(self.name, domain, None, self.n_steps, events)


@dataclass(frozen=True)
class ChairText:
    """The chair's single negotiating text, adopted only by unanimity.

    Attributes:
        n_steps: Revision rounds before the final yes/no.
        chair: A party that chairs (drafting the text best for itself that every
            party still prefers to no agreement), or ``None`` for a neutral chair
            (drafting the Nash bargaining point).
    """

    n_steps: int = 30
    chair: str | None = None
    clock: tuple[float, float] = (0.0, 1.0)
    first_text: int | None = None
    name: ClassVar[str] = "chair-text"

    def first_draft(self, domain: NegotiationDomain) -> int:
        """The chair's opening text."""
        rational = np.all(domain.matrix >= domain.reservation[:, None], axis=0)
        if self.chair is None:
            point = nash_point(domain.matrix, domain.reservation)
            return point if point is not None else max_welfare_point(domain.matrix)
        own = domain.matrix[domain.index(self.chair)]
        if not rational.any():
            return int(np.argmax(own))
        return int(np.argmax(np.where(rational, own, -np.inf)))

    @staticmethod
    def revise(domain: NegotiationDomain, text: int, critiques: list[Critique]) -> int:
        """The chair's next text from the parties' requests.

        Each objecting party's most wanted change counts one vote for moving that
        issue one step that way; every issue with a net pull moves one step. When
        the most wanted changes cancel out, the chair goes down the parties'
        lists (second wishes, third...) until some request is not cancelled — so
        a deadlock on one issue opens the others to trade.
        """
        space = domain.space
        depth = max((len(c.changes) for c in critiques), default=0)
        idx = space.value_indices(text)
        for rank in range(depth):
            pull = np.zeros(len(space.sizes), dtype=np.int64)
            for c in critiques:
                if rank < len(c.changes):
                    issue, direction = c.changes[rank]
                    pull[issue] += int(np.sign(direction))
            moved = np.clip(idx + np.sign(pull), 0, np.asarray(space.sizes) - 1)
            revised = space.outcome(moved)
            if revised != text:
                return revised
        return text

    def run(
        self, domain: NegotiationDomain, negotiators: Sequence[Negotiator], seed: int = 0
    ) -> NegotiationResult:
        """Run one negotiation."""
        seat(domain, negotiators, seed)
        chair = self.chair or "chair"
        space = domain.space
        text = self.first_draft(domain) if self.first_text is None else self.first_text
        events = [Event(0, chair, "draft", text)]
        offers = [Offer(0, chair, text)]
        for step in range(self.n_steps):
            state = NegotiationState(step, self.n_steps, text, chair, tuple(offers), self.clock)
            critiques = []
            for party, neg in zip(domain.parties, negotiators, strict=True):
                critique = neg.critique(state, text)
                if critique is None:
                    events.append(Event(step, party, "accept", text))
                    continue
                critiques.append(critique)
                if critique.issue is None:
                    events.append(
                        Event(step, party, "critique", text, "objects; no single change helps")
                    )
                    continue
                issue = space.issues[critique.issue].name
                way = "up" if critique.direction > 0 else "down"
                events.append(Event(step, party, "critique", text, f"{issue} {way}"))
            if not critiques:
                return _result(self.name, domain, text, step + 1, events, final_text=text)
            revised = self.revise(domain, text, critiques)
            if revised == text:
                break  # every request is cancelled by an opposite one: go to the final vote
            text = revised
            offers.append(Offer(step + 1, chair, text))
            events.append(Event(step + 1, chair, "draft", text))
        final = NegotiationState(
            self.n_steps - 1, self.n_steps, text, chair, tuple(offers), self.clock
        )
        yes = True
        for party, neg in zip(domain.parties, negotiators, strict=True):
            agree = neg.respond(final, text, chair)
            events.append(Event(final.step, party, "vote-yes" if agree else "vote-no", text))
            yes = yes and agree
        steps = max(e.step for e in events) + 1
        return _result(self.name, domain, text if yes else None, steps, events, final_text=text)


@dataclass(frozen=True)
class Voting:
    """Each round one party proposes (in turn) and everyone votes; ``majority`` or ``unanimity``."""

    n_steps: int = 30
    rule: VotingRule = "majority"
    name: ClassVar[str] = "voting"

    def __post_init__(self) -> None:
        if self.rule not in ("majority", "unanimity"):
            raise AccordError(f"rule must be 'majority' or 'unanimity', got {self.rule!r}")

    def run(
        self, domain: NegotiationDomain, negotiators: Sequence[Negotiator], seed: int = 0
    ) -> NegotiationResult:
        """Run one negotiation."""
        seat(domain, negotiators, seed)
        parties, n = domain.parties, len(negotiators)
        events: list[Event] = []
        offers: list[Offer] = []
        for step in range(self.n_steps):
            k = step % n
            state = NegotiationState(step, self.n_steps, None, None, tuple(offers))
            proposal = _checked(domain, negotiators[k], negotiators[k].propose(state))
            offers.append(Offer(step, parties[k], proposal))
            events.append(Event(step, parties[k], "offer", proposal))
            state = NegotiationState(step, self.n_steps, proposal, parties[k], tuple(offers))
            yes = 1
            for j, neg in enumerate(negotiators):
                if j == k:
                    continue
                agree = neg.respond(state, proposal, parties[k])
                events.append(Event(step, parties[j], "vote-yes" if agree else "vote-no", proposal))
                yes += int(agree)
            passed = yes == n if self.rule == "unanimity" else yes * 2 > n
            if passed:
                return _result(self.name, domain, proposal, step + 1, events)
        return _result(self.name, domain, None, self.n_steps, events)


ProtocolName = Literal["alternating", "chair-text", "voting"]
"""The protocols the command line knows by name."""

PROTOCOLS: dict[str, type[AlternatingOffers] | type[ChairText] | type[Voting]] = {
    "alternating": AlternatingOffers,
    "chair-text": ChairText,
    "voting": Voting,
}
"""Protocols by name, as the command line knows them."""


def get_protocol(
    name: str, n_steps: int, *, chair: str | None = None, rule: VotingRule = "majority"
) -> NegotiationProtocol:
    """A protocol by name with its settings."""
    if name == "alternating":
        return AlternatingOffers(n_steps=n_steps)
    if name == "chair-text":
        return ChairText(n_steps=n_steps, chair=chair)
    if name == "voting":
        return Voting(n_steps=n_steps, rule=rule)
    raise AccordError(f"unknown protocol {name!r}; choose from: {', '.join(PROTOCOLS)}")
