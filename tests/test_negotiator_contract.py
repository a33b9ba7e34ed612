"""What every negotiator does at any table: offers outcomes of the space, accepts nothing
below its reservation value, draws only from its own generator, sees a read-only view.

Determinism, clones, resets and pickling are the contract in ``tests/contracts.py``,
run on every negotiator in ``tests/test_contracts.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from accord.negotiation import (
    NEGOTIATORS,
    AlternatingOffers,
    ChairText,
    RandomNegotiator,
    Voting,
    make_negotiator,
)
from tests.negotiation_helpers import random_domain

NAMES = sorted(NEGOTIATORS)
PROTOCOLS = [AlternatingOffers(n_steps=20), ChairText(n_steps=10), Voting(n_steps=10)]


def play(names: list[str], seed: int, domain_seed: int, protocol=PROTOCOLS[0]):
    domain = random_domain(domain_seed, parties=len(names))
    negotiators = [make_negotiator(n) for n in names]
    return domain, protocol.run(domain, negotiators, seed=seed)


@settings(max_examples=60)
@given(
    st.lists(st.sampled_from(NAMES), min_size=2, max_size=4),
    st.integers(0, 10_000),
    st.integers(0, 10_000),
    st.sampled_from(range(len(PROTOCOLS))),
)
def test_offers_stay_in_the_space_and_acceptances_respect_reservations(
    names, seed, dseed, p
) -> None:
    domain, result = play(names, seed, dseed, PROTOCOLS[p])
    for event in result.transcript:
        if event.outcome is not None:
            assert 0 <= event.outcome < domain.space.size
        if event.action in ("accept", "vote-yes") and event.party in domain.parties:
            k = domain.parties.index(event.party)
            u = domain.matrix[k, event.outcome]
            assert u >= domain.reservation[k], (names, event)


def test_random_negotiator_draws_from_its_own_rng() -> None:
    domain = random_domain(5)
    a = Voting(n_steps=10).run(domain, [RandomNegotiator(), RandomNegotiator()], seed=1)
    b = Voting(n_steps=10).run(domain, [RandomNegotiator(), RandomNegotiator()], seed=2)
    offers = lambda r: [e.outcome for e in r.transcript if e.action == "offer"]  # noqa: E731
    assert offers(a) != offers(b)


def test_negotiators_only_see_a_read_only_view() -> None:
    domain = random_domain(6)
    neg = make_negotiator("linear")
    AlternatingOffers(n_steps=3).run(domain, [neg, make_negotiator("linear")], seed=0)
    assert neg.view is not None
    with pytest.raises(ValueError, match="read-only"):
        neg.view.utility[0] = 1.0
    assert not hasattr(neg.view, "run")
    assert np.array_equal(neg.view.utility, domain.matrix[0])
