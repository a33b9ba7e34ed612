"""Stokman's exchange model on cases solved by hand."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays as np_arrays

from accord.forecasting import forecast
from accord.forecasting.exchange import ExchangeModel, run_exchanges
from accord.forecasting.inputs import IssueArrays
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


def test_ties_go_to_the_actor_listed_first() -> None:
    # Two identical pairs, listed b-a-d-c: "c"/"d" mirror "a"/"b", so the exchanges a–b,
    # a–d, c–b and c–d gain exactly the same. The first made involves the actor listed
    # first that can trade (b) and its first partner in file order (a).
    s = two_issue_scenario(
        [
            ("b", 1, 100, 100, 0.2, 0.8),
            ("a", 1, 0, 0, 0.8, 0.2),
            ("d", 1, 100, 100, 0.2, 0.8),
            ("c", 1, 0, 0, 0.8, 0.2),
        ]
    )
    run = run_exchanges(IssueArrays.from_scenario(s))
    first = run.exchanges[0]
    assert {first.first, first.second} == {"a", "b"}
    assert len({e.gain for e in run.exchanges[:2]}) == 1


def test_ties_between_issues_go_to_the_issue_listed_first() -> None:
    # b cares most about p; a cares about q and r alike: a's vote on p for b's on q gains
    # exactly what it gains for b's on r. b gives on r, listed before q.
    scenario = scenario_from_dict(
        {
            "scenario": {"name": "hand"},
            "actors": [{"id": a, "name": a, "capability": 1} for a in ("a", "b")],
            "issues": [{"id": i, "name": i} for i in ("p", "r", "q")],
            "positions": {
                "a": {
                    i: {"position": 0, "salience": v}
                    for i, v in zip("prq", (0.1, 0.8, 0.8), strict=True)
                },
                "b": {
                    i: {"position": 100, "salience": v}
                    for i, v in zip("prq", (0.8, 0.1, 0.1), strict=True)
                },
            },
        }
    )
    (exchange,) = run_exchanges(IssueArrays.from_scenario(scenario)).exchanges
    assert {(exchange.first, exchange.first_issue), (exchange.second, exchange.second_issue)} == {
        ("a", "p"),
        ("b", "r"),
    }


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
    from accord.forecasting.uncertainty import Uncertainty

    base = IssueArrays.from_scenario(nea)
    drawn = Uncertainty.from_scenario(nea).sample(base, 6, np.random.default_rng(4))
    together = ExchangeModel().predict_values(drawn)
    for b in range(6):
        one = drawn.with_values(drawn.position[b], drawn.salience[b], drawn.capability[b])
        assert np.allclose(together[b], ExchangeModel().predict_values(one), equal_nan=True)


def test_exchange_is_a_registered_model(nea: Scenario) -> None:
    value = forecast(nea, models=["exchange"]).value("kuril", "exchange")
    assert 0 <= value <= 100


def exhaustive(ideal: np.ndarray, s: np.ndarray, w: np.ndarray) -> np.ndarray:
    """The model as documented, weighing every exchange at every step: the outcomes."""
    n, m = ideal.shape
    x, given_ = ideal.copy(), np.zeros((n, m), dtype=bool)
    total = w.sum(axis=0)
    for _ in range(200):
        o = (w * x).sum(axis=0) / total
        side = np.sign(ideal - o)
        best: tuple[tuple[int, int, int, int], float, float, float] | None = None
        for p in range(m):
            for q in range(p + 1, m):  # j gives on p, i on q
                for i in range(n):
                    for j in range(n):
                        edge = s[i, p] * s[j, q] - s[i, q] * s[j, p]
                        if (
                            edge <= 0
                            or side[i, p] * side[j, p] >= 0
                            or side[i, q] * side[j, q] >= 0
                            or given_[j, p]
                            or given_[i, q]
                        ):
                            continue
                        ratio = (s[i, p] + s[j, p]) / (s[i, q] + s[j, q])
                        size = min(
                            abs(x[j, p] - ideal[i, p]) * w[j, p] / total[p],
                            abs(x[i, q] - ideal[j, q]) * w[i, q] / total[q] / ratio,
                            abs(ideal[i, p] - o[p]),
                            abs(ideal[j, q] - o[q]) / ratio,
                        )
                        gain = size * edge / (s[i, q] + s[j, q])
                        # Ties: the first actor, the other, the other's issue, the first's.
                        key = (i, j, q, p) if i < j else (j, i, p, q)
                        if gain > 1e-9 * 100 and (
                            best is None or gain > best[1] or (gain == best[1] and key < best[0])
                        ):
                            best = (key, gain, size, ratio)
        if best is None:
            break
        (a, b, c, d), _, size, ratio = best
        i, j, p, q = (a, b, d, c) if d < c else (b, a, c, d)
        for actor, issue, towards, delta in (
            (j, p, ideal[i, p], size),
            (i, q, ideal[j, q], size * ratio),
        ):
            x[actor, issue] += (
                np.sign(towards - x[actor, issue]) * delta * total[issue] / w[actor, issue]
            )
            given_[actor, issue] = True
    return (w * x).sum(axis=0) / total


@settings(max_examples=40, deadline=None)
@given(st.integers(17, 40), st.integers(2, 4), st.data())
def test_the_pruned_search_makes_the_exchanges_that_weighing_every_one_makes(
    n: int, m: int, data: st.DataObject
) -> None:
    import importlib

    # Prune even these small tables (larger ones would make the reference too slow).
    module = importlib.import_module("accord.forecasting.exchange")
    saved, module.PRUNE_FROM = module.PRUNE_FROM, 0

    # More than 16 actors, where the search leaves exchanges out. Tied values are common
    # in real data (positions 0/50/100, equal saliences).
    def values(choices: list[float], low: float, high: float) -> np.ndarray:
        element = st.sampled_from(choices) | st.floats(low, high)
        return data.draw(np_arrays(np.float64, (n, m), elements=element))

    ideal, s = values([0, 25, 50, 100], 0, 100), values([0.2, 0.5, 0.8], 0.01, 1)
    capability = data.draw(np_arrays(np.float64, (n,), elements=st.sampled_from([1.0, 2.0, 5.0])))
    doc = {
        "scenario": {"name": "drawn"},
        "actors": [{"id": f"a{k}", "name": f"A{k}", "capability": capability[k]} for k in range(n)],
        "issues": [{"id": f"i{t}", "name": f"I{t}"} for t in range(m)],
        "positions": {
            f"a{k}": {f"i{t}": {"position": ideal[k, t], "salience": s[k, t]} for t in range(m)}
            for k in range(n)
        },
    }
    try:
        run = run_exchanges(IssueArrays.from_scenario(scenario_from_dict(doc)))
    finally:
        module.PRUNE_FROM = saved
    expected = exhaustive(ideal, s, capability[:, None] * s)
    assert np.allclose(run.outcome[0], expected, rtol=0, atol=1e-9)
