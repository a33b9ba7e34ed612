"""Declarative behaviour tests: a scripted opponent, and the moves expected in reply."""

from __future__ import annotations

import pytest

from accord.errors import AccordError, NegotiationError
from accord.negotiation import (
    AlternatingOffers,
    Boulware,
    ChairText,
    Conceder,
    Hardliner,
    LinearConcession,
    Scripted,
    TitForTat,
    TrustSensitive,
    Voting,
)
from tests.negotiation_helpers import line_domain


def offers_by(result, party: str) -> list[int]:
    return [e.outcome for e in result.transcript if e.action == "offer" and e.party == party]


# Domain "line": one issue 0..4, a's utility x/4, b's utility 1 - x/4, reservations 0.
# With 5 rounds, relative time runs 0, .25, .5, .75, 1.


@pytest.mark.parametrize(
    ("negotiator", "expected", "agreed"),
    [
        # Linear: targets 1, .75, .5, .25 → offers 4, 3, 2, 1; at t = 1 its target is its
        # reservation value (0), so it accepts b's standing offer of 0.
        (LinearConcession(band=0), [4, 3, 2, 1], True),
        # Boulware (β = 1/4): targets 1, 1-.25^4, 1-.5^4, 1-.75^4 → 4, 4, 4, 3, then accepts.
        (Boulware(band=0), [4, 4, 4, 3], True),
        # Conceder (β = 4): targets 1, 1-.25^.25≈.29, ≈.16, ≈.07 → 4, 2, 1, 1, then accepts.
        (Conceder(band=0), [4, 2, 1, 1], True),
        (Hardliner(), [4, 4, 4, 4, 4], False),
    ],
)
def test_time_based_offers_against_a_silent_opponent(negotiator, expected, agreed) -> None:
    opponent = Scripted(offers=(0,), accept_from=None)
    result = AlternatingOffers(n_steps=5).run(line_domain(), [negotiator, opponent], seed=0)
    assert offers_by(result, "a") == expected
    assert result.agreed is agreed


def test_linear_accepts_once_the_offer_meets_its_target() -> None:
    # b offers 2 (worth .5 to a) every round; a's linear target is .5 at round 2.
    result = AlternatingOffers(n_steps=5).run(
        line_domain(), [LinearConcession(band=0), Scripted(offers=(2,))], seed=0
    )
    assert result.agreed and result.agreement == 2
    assert result.steps == 3  # accepted during round 2 (the third)
    assert result.utilities == (0.5, 0.5)


def test_tit_for_tat_mirrors_the_opponents_concessions() -> None:
    # b offers 0, 1, 2 (worth 0, .25, .5 to a). a opens at 4 and holds until b concedes
    # (one offer is no concession yet), then lowers its target by what b gave: .75 → offers 3;
    # .5 → accepts b's 2.
    result = AlternatingOffers(n_steps=4).run(
        line_domain(), [TitForTat(), Scripted(offers=(0, 1, 2, 2))], seed=0
    )
    assert offers_by(result, "a") == [4, 4, 3]
    assert result.agreed and result.agreement == 2


def test_trust_makes_a_negotiator_concede_faster() -> None:
    import numpy as np

    from accord.negotiation import NegotiationDomain

    base = line_domain()
    trusting = NegotiationDomain(
        base.name, base.space, base.parties, base.utilities, np.array([[0, 1.0], [1.0, 0]])
    )
    wary = NegotiationDomain(
        base.name, base.space, base.parties, base.utilities, np.array([[0, -1.0], [-1.0, 0]])
    )
    silent = Scripted(offers=(0,))
    fast = offers_by(
        AlternatingOffers(n_steps=5).run(trusting, [TrustSensitive(band=0), silent], 0), "a"
    )
    slow = offers_by(
        AlternatingOffers(n_steps=5).run(wary, [TrustSensitive(band=0), silent.clone()], 0), "a"
    )
    # Full trust: β = .25·4 = 1 (linear); full distrust: β = .25/4 (holds out longer).
    assert fast == [4, 3, 2, 1]
    assert slow == [4, 4, 4, 4]


def test_chair_text_revises_until_both_accept() -> None:
    # Neutral chair drafts the Nash point (x = 2) and both linear negotiators accept
    # once their targets fall to .5 (round 2 of 5).
    result = ChairText(n_steps=5).run(
        line_domain(), [LinearConcession(), LinearConcession()], seed=0
    )
    assert result.agreed and result.agreement == 2 and result.final_text == 2
    assert result.transcript[0].action == "draft"


def test_chair_text_without_unanimity_records_the_last_text() -> None:
    result = ChairText(n_steps=4).run(line_domain(), [Hardliner(), Hardliner()], seed=0)
    assert not result.agreed and result.agreement is None
    assert result.final_text is not None
    assert result.utilities == (0.0, 0.0)  # reservation values


def test_a_party_chair_drafts_in_its_own_favour() -> None:
    assert ChairText(chair="a").first_draft(line_domain()) == 4
    assert ChairText(chair="b").first_draft(line_domain()) == 0


def test_voting_majority_binds_the_minority() -> None:
    from tests.negotiation_helpers import random_domain

    domain = random_domain(11, parties=3)
    negotiators = [Hardliner(), Conceder(), Conceder()]
    yes = Voting(n_steps=3, rule="majority").run(domain, negotiators, seed=0)
    assert yes.agreed
    # The hardliner voted against the text that passed, and is bound by it all the same.
    last = [e for e in yes.transcript if e.step == yes.steps - 1]
    assert {(e.party, e.action) for e in last if e.action.startswith("vote")} == {
        ("p0", "vote-no"),
        ("p2", "vote-yes"),
    }
    # Under unanimity the same proposal does not pass.
    alike = Voting(n_steps=yes.steps, rule="unanimity").run(
        domain, [n.clone() for n in negotiators], seed=0
    )
    assert alike.agreement != yes.agreement or not alike.agreed
    with pytest.raises(AccordError, match="rule"):
        Voting(rule="plurality")  # type: ignore[arg-type]


def test_protocol_refuses_an_offer_outside_the_space() -> None:
    # A negotiator's bug, not the user's input: not an AccordError, so it keeps its traceback.
    with pytest.raises(NegotiationError, match="not an outcome of this space") as caught:
        AlternatingOffers(n_steps=2).run(
            line_domain(), [Scripted(offers=(99,)), Hardliner()], seed=0
        )
    assert not isinstance(caught.value, AccordError)


def test_protocol_needs_one_negotiator_per_party() -> None:
    neg = Hardliner()
    with pytest.raises(AccordError, match="own negotiator"):
        AlternatingOffers().run(line_domain(), [neg, neg], seed=0)
    with pytest.raises(AccordError, match="1 negotiators for 2 parties"):
        AlternatingOffers().run(line_domain(), [neg], seed=0)
