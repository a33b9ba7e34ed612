"""The batched bilateral negotiation equals the protocol run one negotiation at a time."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from accord.negotiation import AlternatingOffers, TimeBased
from accord.negotiation.batch import batch_alternating_offers
from tests.negotiation_helpers import random_domain


@given(
    st.integers(0, 10_000),
    st.sampled_from([0.25, 1.0, 4.0]),
    st.sampled_from([0.25, 1.0, 4.0]),
    st.integers(1, 30),
    st.integers(1, 5),
)
def test_batch_equals_sequential(
    seed: int, beta0: float, beta1: float, steps: int, batch: int
) -> None:
    domains = [random_domain(seed + b, parties=2, issues=3, values=3) for b in range(batch)]
    u = np.stack([d.matrix for d in domains])
    r = np.stack([d.reservation for d in domains])
    together = batch_alternating_offers(u, r, (beta0, beta1), steps)
    for b, d in enumerate(domains):
        one = AlternatingOffers(n_steps=steps).run(
            d, [TimeBased(beta0, band=0), TimeBased(beta1, band=0)], seed=0
        )
        assert together.agreement[b] == (-1 if one.agreement is None else one.agreement)
        assert together.rounds[b] == one.steps
        assert np.allclose(together.utilities[b], one.utilities)
        made = [
            e.outcome for e in one.transcript if e.action == "offer" and e.party == d.parties[0]
        ]
        assert together.offers[b, 0, : len(made)].tolist() == made


@given(st.integers(0, 10_000), st.integers(2, 4), st.integers(1, 25), st.integers(1, 4))
def test_stacked_batch_equals_sequential(seed: int, parties: int, steps: int, batch: int) -> None:
    from accord.negotiation.batch import batch_stacked_offers

    betas = tuple([0.25, 1.0, 4.0, 0.5][:parties])
    domains = [random_domain(seed + b, parties=parties, issues=2, values=4) for b in range(batch)]
    u = np.stack([d.matrix for d in domains])
    r = np.stack([d.reservation for d in domains])
    together = batch_stacked_offers(u, r, betas, steps)
    for b, d in enumerate(domains):
        one = AlternatingOffers(n_steps=steps).run(d, [TimeBased(x, band=0) for x in betas], seed=0)
        assert together.agreement[b] == (-1 if one.agreement is None else one.agreement)
        assert together.rounds[b] == one.steps
        assert np.allclose(together.utilities[b], one.utilities)
