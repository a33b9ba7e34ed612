"""Contracts every negotiator, protocol and forecasting model must honour.

In the manner of the Axelrod library's ``TestPlayer``: a test class for one
implementation subclasses the contract and says how to build an instance with
non-default arguments; the contract's tests then run on it. Each contract is shown
to fail on a deliberately broken implementation (``tests/test_contracts.py``), so a
contract that passes says something.
"""

from __future__ import annotations

import pickle
from typing import Any

import numpy as np

from accord.forecasting import IssueArrays
from accord.forecasting.models import ForecastModel
from accord.negotiation import (
    AlternatingOffers,
    ChairText,
    Critique,
    NegotiationDomain,
    NegotiationResult,
    NegotiationState,
    Negotiator,
    NegotiatorView,
    Voting,
    make_negotiator,
)
from accord.negotiation.protocols import NegotiationProtocol
from accord.scenario import Scenario, scenario_from_dict
from tests.negotiation_helpers import random_domain

PROTOCOLS = (AlternatingOffers(n_steps=20), ChairText(n_steps=10), Voting(n_steps=10))


class Midway(Negotiator):
    """Plays as ``inner``, but after ``at`` moves goes on as a pickled copy of it."""

    def __init__(self, inner: Negotiator, at: int) -> None:
        super().__init__()
        self.inner, self.at, self.moves = inner, at, 0

    def bind(self, view: NegotiatorView, rng: np.random.Generator) -> None:
        self.inner.bind(view, rng)

    def _move(self) -> Negotiator:
        self.moves += 1
        if self.moves == self.at:
            self.inner = pickle.loads(pickle.dumps(self.inner))
        return self.inner

    def propose(self, state: NegotiationState) -> int:
        return self._move().propose(state)

    def respond(self, state: NegotiationState, offer: int, proposer: str) -> bool:
        return self._move().respond(state, offer, proposer)

    def critique(self, state: NegotiationState, text: int) -> Critique | None:
        return self._move().critique(state, text)


class NegotiatorContract:
    """Same seed, same play; a clone, a reset or a pickled copy plays as a fresh one would.

    Subclasses give :meth:`make`: an instance whose arguments differ from the defaults
    in a way that changes its play, so that a clone that lost them is caught.
    """

    partner = "linear"

    def make(self) -> Negotiator:
        raise NotImplementedError

    def play(self, negotiator: Negotiator, domain: int, seed: int, protocol: int) -> Any:
        table = random_domain(domain, parties=2, issues=3, values=5)
        others = make_negotiator(self.partner)
        return PROTOCOLS[protocol].run(table, [negotiator, others], seed=seed).transcript

    def test_same_seed_same_play(self) -> None:
        for p in range(len(PROTOCOLS)):
            assert self.play(self.make(), 1, 3, p) == self.play(self.make(), 1, 3, p)

    def test_its_arguments_are_not_the_defaults(self) -> None:
        made = self.make()
        if made.params():  # a negotiator without arguments has nothing to lose in a clone
            assert made.params() != type(made)().params()

    def test_a_clone_plays_as_a_fresh_one(self) -> None:
        used = self.make()
        self.play(used, 1, 1, 0)  # it has played, and may have learnt
        clone = used.clone()
        assert clone is not used
        assert clone.view is None
        assert clone.params() == self.make().params()
        for p in range(len(PROTOCOLS)):
            assert self.play(used.clone(), 2, 5, p) == self.play(self.make(), 2, 5, p)

    def test_after_a_negotiation_it_plays_the_next_as_a_fresh_one(self) -> None:
        for p in range(len(PROTOCOLS)):
            used = self.make()
            self.play(used, 1, 1, p)
            used.reset()
            assert used.view is None
            assert self.play(used, 2, 5, p) == self.play(self.make(), 2, 5, p)

    def test_pickled_mid_negotiation_it_plays_on_unchanged(self) -> None:
        for p in range(len(PROTOCOLS)):
            straight = self.play(self.make(), 3, 7, p)
            for at in (1, 2, 4):
                assert self.play(Midway(self.make(), at), 3, 7, p) == straight

    def test_repr_names_the_class_and_arguments(self) -> None:
        made = self.make()
        text = repr(made)
        assert text.startswith(type(made).__name__ + "(")
        for name in made.params():
            assert f"{name}=" in text


class ProtocolContract:
    """Same seed, same transcript; results consistent with the transcript and the domain.

    Subclasses give :meth:`make` (non-default arguments) and may say whether the
    protocol can bind a party below its reservation value (majority voting can).
    """

    binds_minority = False

    def make(self) -> NegotiationProtocol:
        raise NotImplementedError

    def run(self, parties: int, seed: int, protocol: Any = None) -> tuple[Any, Any]:
        domain = random_domain(seed, parties=parties, issues=3, values=4)
        # A random negotiator at every table: the seed decides its play, so a protocol
        # that ignores the seed it is given shows in the transcripts.
        names = ["random", "linear", "boulware", "conceder", "tit-for-tat"][:parties]
        negotiators = [make_negotiator(n) for n in names]
        return domain, (protocol or self.make()).run(domain, negotiators, seed=seed)

    def test_same_seed_same_transcript(self) -> None:
        for parties in (2, 3, 5):
            for seed in range(4):
                assert self.run(parties, seed)[1] == self.run(parties, seed)[1]

    def test_a_pickled_protocol_runs_the_same(self) -> None:
        restored = pickle.loads(pickle.dumps(self.make()))
        for seed in range(4):
            assert self.run(3, seed)[1] == self.run(3, seed, restored)[1]

    def test_the_result_is_what_the_domain_says_of_the_agreement(self) -> None:
        for parties in (2, 3, 5):
            for seed in range(6):
                domain, result = self.run(parties, seed)
                self.check_result(domain, result)

    def check_result(self, domain: NegotiationDomain, result: NegotiationResult) -> None:
        if result.agreement is None:
            assert not result.agreed
            assert np.allclose(result.utilities, domain.reservation)
            return
        assert result.agreed
        assert 0 <= result.agreement < domain.space.size
        assert np.allclose(result.utilities, domain.matrix[:, result.agreement])
        if not self.binds_minority:
            assert np.all(np.array(result.utilities) >= domain.reservation - 1e-12)
        assert result.transcript, "an agreement with no transcript"
        assert any(e.outcome == result.agreement for e in result.transcript)


def _forecast_scenario(actors: int, issues: int, seed: int, shuffle: bool = False) -> Scenario:
    """Distinct positions, saliences and capabilities: no ties for a model to settle.

    ``shuffle``: the same actors listed in another order.
    """
    rng = np.random.default_rng(seed)
    document = {
        "scenario": {"name": "contract"},
        "actors": [
            {"id": f"a{k}", "name": f"A{k}", "capability": float(rng.uniform(0.5, 3))}
            for k in range(actors)
        ],
        "issues": [
            {
                "id": f"i{j}",
                "name": f"I{j}",
                "anchors": [{"at": 0, "label": "none"}, {"at": 100, "label": "all"}],
                # A status quo below everyone, none, and one with parties on both sides.
                **({0: {"status_quo": 0.0}, 2: {"status_quo": 50.0}}.get(j % 3, {})),
            }
            for j in range(issues)
        ],
        "positions": {
            f"a{k}": {
                f"i{j}": {
                    "position": float(rng.uniform(0, 100)),
                    "salience": float(rng.uniform(0.05, 1)),
                }
                for j in range(issues)
            }
            for k in range(actors)
        },
    }
    if shuffle:
        listed = document["actors"]
        order = np.random.default_rng(seed + 1).permutation(len(listed))
        document["actors"] = [listed[k] for k in order]
    return scenario_from_dict(document)


class ForecastModelContract:
    """Forecasts on the scale, one per issue, the same alone or in a batch, in any order.

    Subclasses give :meth:`make`.
    """

    def make(self) -> ForecastModel:
        raise NotImplementedError

    def arrays(self, seed: int = 0, shuffle: bool = False) -> IssueArrays:
        return IssueArrays.from_scenario(_forecast_scenario(7, 3, seed, shuffle))

    def test_one_forecast_per_issue_on_its_scale(self) -> None:
        for seed in range(3):
            arrays = self.arrays(seed=seed)
            output = self.make().predict(arrays)
            assert len(output.values) == len(arrays.issues) == len(output.notes)
            for value, note, low, high in zip(
                output.values, output.notes, arrays.scale_min, arrays.scale_max, strict=True
            ):
                # A forecast on the scale, or none with a note that says why.
                assert low - 1e-9 <= value <= high + 1e-9 if np.isfinite(value) else note
            assert np.isfinite(output.values).any(), "no forecast on any issue"

    def test_predict_and_predict_values_agree(self) -> None:
        arrays = self.arrays(seed=4)
        model = self.make()
        assert np.array_equal(
            model.predict(arrays).values, model.predict_values(arrays), equal_nan=True
        )

    def test_a_batch_of_draws_forecasts_each_draw_as_alone(self) -> None:
        draws = [self.arrays(seed=s) for s in (5, 6, 7)]
        stacked = draws[0].with_values(
            np.stack([d.position for d in draws]),
            np.stack([d.salience for d in draws]),
            np.stack([d.capability for d in draws]),
        )
        together = self.make().predict_values(stacked)
        assert together.shape == (3, len(draws[0].issues))
        for k, alone in enumerate(draws):
            alone_values = self.make().predict_values(alone)
            assert np.allclose(together[k], alone_values, rtol=0, atol=1e-9, equal_nan=True)

    def test_the_order_of_the_actors_does_not_matter(self) -> None:
        model = self.make()
        listed = model.predict_values(self.arrays(seed=8))
        shuffled = model.predict_values(self.arrays(seed=8, shuffle=True))
        assert np.allclose(listed, shuffled, rtol=0, atol=1e-9, equal_nan=True)

    def test_a_pickled_model_forecasts_the_same(self) -> None:
        arrays = self.arrays(seed=9)
        model = self.make()
        restored = pickle.loads(pickle.dumps(model))
        again = restored.predict_values(arrays)
        assert np.array_equal(model.predict_values(arrays), again, equal_nan=True)
