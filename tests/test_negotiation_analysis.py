"""Pareto frontier, Nash, Kalai–Smorodinsky and welfare points."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from accord.negotiation import (
    AlternatingOffers,
    LinearConcession,
    analyse,
    kalai_smorodinsky_point,
    max_welfare_point,
    nash_point,
    pareto_frontier,
)
from accord.negotiation.analysis import _frontier_nd
from tests.negotiation_helpers import line_domain


def brute_frontier(u: np.ndarray) -> list[int]:
    n = u.shape[1]
    keep = []
    for i in range(n):
        dominated = any(
            np.all(u[:, j] >= u[:, i]) and np.any(u[:, j] > u[:, i]) for j in range(n) if j != i
        )
        if not dominated:
            keep.append(i)
    return keep


@given(st.integers(1, 4), st.integers(1, 80), st.data())
def test_frontier_matches_brute_force(k: int, n: int, data: st.DataObject) -> None:
    # Few distinct values: many ties and duplicates, the hard cases for a sweep.
    u = data.draw(
        hnp.arrays(np.float64, (k, n), elements=st.sampled_from([0.0, 0.1, 0.25, 0.5, 1.0]))
    )
    assert pareto_frontier(u).tolist() == brute_frontier(u)


@given(st.integers(1, 120), st.data())
def test_two_party_sweep_equals_the_general_method(n: int, data: st.DataObject) -> None:
    u = data.draw(hnp.arrays(np.float64, (2, n), elements=st.floats(0, 1)))
    assert pareto_frontier(u).tolist() == _frontier_nd(u).tolist()


def test_million_outcome_two_party_frontier() -> None:
    rng = np.random.default_rng(0)
    u = rng.random((2, 1_000_000))
    front = pareto_frontier(u)
    # Every frontier point is undominated: sorted by the first utility, the second strictly falls.
    order = front[np.argsort(-u[0, front])]
    assert np.all(np.diff(u[1, order]) > 0) or np.all(np.diff(u[1, order][::-1]) < 0)
    assert u[0].argmax() in front and u[1].argmax() in front


def test_points_on_the_line_domain() -> None:
    d = line_domain()
    assert pareto_frontier(d.matrix).tolist() == [0, 1, 2, 3, 4]
    assert nash_point(d.matrix, d.reservation) == 2  # maximises x/4 · (1 - x/4)
    assert kalai_smorodinsky_point(d.matrix, d.reservation) == 2
    assert max_welfare_point(d.matrix) == 0  # every outcome sums to 1: lowest number


def test_nash_and_kalai_differ_by_hand() -> None:
    # Outcomes (u_a, u_b): (0.9, 0.2), (0.5, 0.5), (0.2, 0.6); reservations 0.
    # Nash products .18, .25, .12 → outcome 1. KS: best .9 and .6; min shares
    # (1, .33), (.56, .83), (.22, 1) → minima .33, .56, .22 → outcome 1 too.
    u = np.array([[0.9, 0.5, 0.2], [0.2, 0.5, 0.6]])
    assert nash_point(u, np.zeros(2)) == 1
    assert kalai_smorodinsky_point(u, np.zeros(2)) == 1
    # Raise b's reservation to .45: only outcomes 1 and 2 are rational for b;
    # Nash products (.5)(.05) vs (.2)(.15).
    assert nash_point(u, np.array([0.0, 0.45])) == 2
    assert nash_point(u, np.array([0.95, 0.0])) is None


def test_analysis_of_an_agreement() -> None:
    d = line_domain()
    result = AlternatingOffers(n_steps=5).run(
        d, [LinearConcession(band=0), LinearConcession(band=0)], seed=0
    )
    assert result.agreed
    a = analyse(d, result)
    assert a.distance_to_frontier == pytest.approx(0.0)  # every outcome here is Pareto-optimal
    assert sum(a.shares) == pytest.approx(1.0)
    assert a.nash == 2
    expected = math.dist(result.utilities, (0.5, 0.5))
    assert a.distance_to_nash == pytest.approx(expected)


def test_the_outcomes_that_dominate_an_agreement_are_counted(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.negotiation_helpers import random_domain

    domain = random_domain(5, parties=4, issues=3, values=4)
    result = AlternatingOffers(n_steps=3).run(
        domain, [LinearConcession(band=0) for _ in range(4)], seed=0
    )
    point = np.array(result.utilities)
    u = domain.matrix
    expected = sum(
        bool(np.all(u[:, j] >= point) and np.any(u[:, j] > point)) for j in range(u.shape[1])
    )
    analysis = analyse(domain, result)
    assert analysis.dominating == expected
    assert analysis.frontier_size == len(brute_frontier(u))
    # Too many parties × outcomes for the frontier: not searched, and said so; the count
    # of dominating outcomes still stands.
    import accord.negotiation.analysis as module

    monkeypatch.setattr(module, "FRONTIER_WORK", 10.0)
    skipped = analyse(domain, result)
    assert skipped.frontier_size is None and math.isnan(skipped.distance_to_frontier)
    assert skipped.dominating == expected


@given(
    st.integers(1, 5),
    st.integers(1, 4),
    st.integers(1, 4),
    st.sampled_from([1, 2, 3]),
    st.integers(0, 2**16),
)
def test_the_frontier_built_issue_by_issue_is_the_whole_tables(
    parties: int, issues: int, values: int, decimals: int, seed: int
) -> None:
    # Values rounded to one decimal make ties and duplicate outcomes common: an outcome
    # equal to an undominated one must stay, one beaten on some issues must go.
    from accord.negotiation import LinearAdditiveUtility, NegotiationDomain, domain_frontier
    from tests.negotiation_helpers import random_domain

    d = random_domain(seed, parties=parties, issues=issues, values=values)
    rounded = tuple(
        LinearAdditiveUtility(
            tuple(round(w, decimals) for w in u.weights),
            tuple(tuple(round(v, decimals) for v in t) for t in u.values),
            u.reservation,
        )
        for u in d.utilities
    )
    d = NegotiationDomain(d.name, d.space, d.parties, rounded)
    assert domain_frontier(d).tolist() == brute_frontier(d.matrix)


def test_six_parties_many_ties_over_several_chunks_equal_brute_force() -> None:
    # Enough outcomes that later chunks are checked, block by block, against the frontier
    # kept from earlier ones.
    rng = np.random.default_rng(3)
    u = rng.choice([0.0, 0.2, 0.4, 0.6, 0.8, 1.0], (6, 9000))
    beaten = [
        bool(np.any(np.all(u >= u[:, [i]], axis=0) & np.any(u > u[:, [i]], axis=0)))
        for i in range(u.shape[1])
    ]
    assert pareto_frontier(u).tolist() == [i for i, b in enumerate(beaten) if not b]
