"""Stokman's exchange model on cases solved by hand."""

from __future__ import annotations

import numpy as np
import pytest

from accord.forecast import forecast
from accord.forecast.exchange import ExchangeModel, run_exchanges
from accord.forecast.inputs import IssueArrays
from accord.scenario import Scenario, scenario_from_dict


def two_issue_scenario(actors: list[tuple[str, float, float, float, float, float]]) -> Scenario:
    """actors: (id, capability, x_p, x_q, s_p, s_q)."""
    return scenario_from_dict(
        {
            "scenario": {"name": "hand"},
            "actors": [{"id": a, "name": a, "capability": c} for a, c, *_ in actors],
            "issues": [{"id": "p", "name": "P"}, {"id": "q", "name": "Q"}],
            "positions": {
                a: {"p": {"position": xp, "salience": sp}, "q": {"position": xq, "salience": sq}}
                for a, _, xp, xq, sp, sq in actors
            },
        }
    )


def test_three_actors_by_hand() -> None:
    # A (0, 0; s .8/.2), B (100, 100; s .2/.8), C (50, 50; s .5/.5), equal capabilities.
    # O_p = 45/1.5 = 30, O_q = 105/1.5 = 70. Only A and B sit on opposite sides of both
    # outcomes; A values p relatively more, so B gives on p and A gives on q.
    # Equal gain: δ_q/δ_p = (.8+.2)/(.2+.8) = 1. Bounds on δ_p: B's vote reaching A's
    # position, 100·0.2/1.5 = 13.33; A's vote reaching B's, 13.33; outcomes reaching
    # A (30) and B (30). So δ_p = 13.33, each gains 13.33·(.64-.04)/1 = 8.
    # Afterwards no pair is on opposite sides of both outcomes with a vote left to trade.
    s = two_issue_scenario(
        [("a", 1, 0, 0, 0.8, 0.2), ("b", 1, 100, 100, 0.2, 0.8), ("c", 1, 50, 50, 0.5, 0.5)]
    )
    run = run_exchanges(IssueArrays.from_scenario(s))
    (ex,) = run.exchanges
    assert (ex.first, ex.first_issue, ex.second, ex.second_issue) == ("b", "p", "a", "q")
    assert ex.first_to == pytest.approx(0.0) and ex.second_to == pytest.approx(100.0)
    assert ex.gain == pytest.approx(8.0)
    assert run.start[0].tolist() == pytest.approx([30.0, 70.0])
    assert run.outcome[0].tolist() == pytest.approx([30 - 40 / 3, 70 + 40 / 3])


def test_outcome_bound_by_hand() -> None:
    # A (0, 0; s .9/.1; c 1), B (100, 100; s .1/.9; c 10).
    # W_p = 1.9, O_p = 100/1.9; W_q = 9.1, O_q = 900/9.1. δ_q/δ_p = 1.
    # Bounds: B's vote to A: 100/1.9; A's vote to B: 100·0.1/9.1; O_p to A: 100/1.9;
    # O_q to B: 100 - 900/9.1 = 100/9.1. δ_p = 100/91 ≈ 1.0989; gain = δ_p·(.81-.01) = 0.8791.
    s = two_issue_scenario([("a", 1, 0, 0, 0.9, 0.1), ("b", 10, 100, 100, 0.1, 0.9)])
    run = run_exchanges(IssueArrays.from_scenario(s))
    (ex,) = run.exchanges
    delta = 100 / 91
    assert ex.gain == pytest.approx(0.8 * delta)
    assert ex.first_to == pytest.approx(100 - delta * 1.9)  # B's vote on p
    assert ex.second_to == pytest.approx(100.0)  # A's vote on q reaches B's position
    assert run.outcome[0].tolist() == pytest.approx([100 / 1.9 - delta, 100.0])


def test_no_exchange_when_priorities_agree() -> None:
    # Both care most about p: neither gains by trading p for q.
    s = two_issue_scenario([("a", 1, 0, 0, 0.8, 0.2), ("b", 1, 100, 100, 0.8, 0.2)])
    run = run_exchanges(IssueArrays.from_scenario(s))
    assert run.exchanges == ()
    assert np.array_equal(run.start, run.outcome)


def test_linked_only_restricts_the_issue_pairs(nea: Scenario) -> None:
    arrays = IssueArrays.from_scenario(nea)
    linked = run_exchanges(arrays, linked_only=True)
    pairs = {frozenset((e.first_issue, e.second_issue)) for e in linked.exchanges}
    allowed = {frozenset(link.issues) for link in nea.linkages}
    assert pairs <= allowed
    assert linked.exchanges  # the flagship's linked issues do give rise to trades


def test_flagship_exchanges_are_listed_and_each_vote_moves_once(nea: Scenario) -> None:
    run = run_exchanges(IssueArrays.from_scenario(nea))
    moved = [(e.first, e.first_issue) for e in run.exchanges] + [
        (e.second, e.second_issue) for e in run.exchanges
    ]
    assert len(moved) == len(set(moved))
    assert all(e.gain > 0 for e in run.exchanges)
    gains = [e.gain for e in run.exchanges]
    assert gains[0] == max(gains)
    assert "gives on" in run.exchanges[0].describe()


def test_batch_matches_single_runs(nea: Scenario) -> None:
    from accord.forecast.uncertainty import Uncertainty

    base = IssueArrays.from_scenario(nea)
    drawn = Uncertainty.from_scenario(nea).sample(base, 6, np.random.default_rng(4))
    together = ExchangeModel().predict_values(drawn)
    for b in range(6):
        one = drawn.with_values(drawn.position[b], drawn.salience[b], drawn.capability[b])
        assert np.allclose(together[b], ExchangeModel().predict_values(one), equal_nan=True)


def test_exchange_is_a_registered_model(nea: Scenario) -> None:
    value = forecast(nea, models=["exchange"]).value("kuril", "exchange")
    assert 0 <= value <= 100
