"""The batched bilateral negotiation equals the protocol run one negotiation at a time."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from accord.negotiation import AlternatingOffers, TimeBased, batch, kernels
from accord.negotiation.batch import batch_alternating_offers
from tests.negotiation_helpers import random_domain

# Both ways of choosing offers: numpy (a sort per row) and, where numba is installed,
# the compiled selection, used here on batches of any size.
SELECTIONS = pytest.mark.parametrize(
    "compiled",
    [
        False,
        pytest.param(
            True,
            marks=pytest.mark.skipif(not kernels.COMPILED, reason="numba is not installed"),
        ),
    ],
    ids=["numpy", "compiled"],
)


def _selection(compiled: bool) -> mock._patch[int]:
    return mock.patch.object(batch, "COMPILE_FROM", 0 if compiled else 2**62)


@given(
    st.integers(0, 10_000),
    st.sampled_from([0.25, 1.0, 4.0]),
    st.sampled_from([0.25, 1.0, 4.0]),
    st.integers(1, 30),
    st.integers(1, 5),
)
@SELECTIONS
def test_batch_equals_sequential(
    compiled: bool, seed: int, beta0: float, beta1: float, steps: int, size: int
) -> None:
    domains = [random_domain(seed + b, parties=2, issues=3, values=3) for b in range(size)]
    u = np.stack([d.matrix for d in domains])
    r = np.stack([d.reservation for d in domains])
    with _selection(compiled):
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
@SELECTIONS
def test_stacked_batch_equals_sequential(
    compiled: bool, seed: int, parties: int, steps: int, size: int
) -> None:
    from accord.negotiation.batch import batch_stacked_offers

    betas = tuple([0.25, 1.0, 4.0, 0.5][:parties])
    domains = [random_domain(seed + b, parties=parties, issues=2, values=4) for b in range(size)]
    u = np.stack([d.matrix for d in domains])
    r = np.stack([d.reservation for d in domains])
    with _selection(compiled):
        together = batch_stacked_offers(u, r, betas, steps)
    for b, d in enumerate(domains):
        one = AlternatingOffers(n_steps=steps).run(d, [TimeBased(x, band=0) for x in betas], seed=0)
        assert together.agreement[b] == (-1 if one.agreement is None else one.agreement)
        assert together.rounds[b] == one.steps
        assert np.allclose(together.utilities[b], one.utilities)


@pytest.mark.skipif(not kernels.COMPILED, reason="numba is not installed")
@given(
    hnp.arrays(
        np.int8, st.tuples(st.integers(1, 4), st.integers(1, 30)), elements=st.integers(0, 6)
    ),
    st.integers(1, 12),
    st.data(),
)
def test_the_compiled_selection_equals_the_sorted_one(
    levels: np.ndarray, steps: int, data: st.DataObject
) -> None:
    # Few levels, so that utilities tie, targets tie, and targets fall on utilities,
    # below all of them and above all of them.
    utilities = levels.astype(np.float64) / 4
    targets = (
        data.draw(
            hnp.arrays(np.int8, (levels.shape[0], steps), elements=st.integers(-2, 8))
        ).astype(np.float64)
        / 4
    )
    assert np.array_equal(
        kernels.least_at_least(utilities, targets),
        batch._least_at_least_sorted(utilities, targets),
    )
