"""Every negotiator, protocol and forecasting model against its contract (tests/contracts.py).

Each built-in implementation gets a test class with non-default arguments; then each
contract is run on deliberately broken implementations and must fail, so that a
contract that passes says something.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pytest

from accord.forecasting.exchange import ExchangeModel
from accord.forecasting.models import (
    MODELS,
    ExpectedUtility,
    ForecastModel,
    NashBargaining,
    WeightedMean,
)
from accord.forecasting.output import ModelOutput
from accord.forecasting.procedural import Procedural
from accord.negotiation import (
    AlternatingOffers,
    Boulware,
    ChairText,
    Conceder,
    Hardliner,
    LinearConcession,
    NegotiationState,
    Negotiator,
    RandomNegotiator,
    Scripted,
    TimeBased,
    TitForTat,
    TrustSensitive,
    Voting,
)
from accord.negotiation.protocols import NegotiationProtocol
from tests.contracts import ForecastModelContract, NegotiatorContract, ProtocolContract

# --- negotiators -------------------------------------------------------------------------


class TestBoulware(NegotiatorContract):
    def make(self) -> Negotiator:
        return Boulware(beta=0.6, band=0.2)


class TestLinearConcession(NegotiatorContract):
    def make(self) -> Negotiator:
        return LinearConcession(beta=1.5, band=0.0)


class TestConceder(NegotiatorContract):
    def make(self) -> Negotiator:
        return Conceder(beta=9.0, band=0.1)


class TestTimeBased(NegotiatorContract):
    def make(self) -> Negotiator:
        return TimeBased(beta=2.5, band=0.15)


class TestTrustSensitive(NegotiatorContract):
    def make(self) -> Negotiator:
        return TrustSensitive(beta=0.5, sensitivity=1.5, band=0.1)


class TestTitForTat(NegotiatorContract):
    def make(self) -> Negotiator:
        return TitForTat()


class TestHardliner(NegotiatorContract):
    partner = "conceder"

    def make(self) -> Negotiator:
        return Hardliner()


class TestRandomNegotiator(NegotiatorContract):
    def make(self) -> Negotiator:
        return RandomNegotiator(p_accept=0.2)


class TestScripted(NegotiatorContract):
    def make(self) -> Negotiator:
        return Scripted(offers=(7, 3, 11, 40), accept_from=4)


def test_every_named_negotiator_has_its_contract_class() -> None:
    from accord.negotiation import NEGOTIATORS

    tested = {
        type(cls().make())
        for cls in NegotiatorContract.__subclasses__()
        if cls.__module__ == __name__
    }
    assert set(NEGOTIATORS.values()) <= tested


# --- protocols ---------------------------------------------------------------------------


class TestAlternatingOffers(ProtocolContract):
    def make(self) -> NegotiationProtocol:
        return AlternatingOffers(n_steps=12)


class TestChairText(ProtocolContract):
    def make(self) -> NegotiationProtocol:
        return ChairText(n_steps=8)


class TestVoting(ProtocolContract):
    binds_minority = True

    def make(self) -> NegotiationProtocol:
        return Voting(n_steps=6, rule="majority")


# --- forecasting models ------------------------------------------------------------------


class TestWeightedMean(ForecastModelContract):
    def make(self) -> ForecastModel:
        return WeightedMean()


class TestNashBargaining(ForecastModelContract):
    def make(self) -> ForecastModel:
        return NashBargaining()


class TestExpectedUtility(ForecastModelContract):
    def make(self) -> ForecastModel:
        return ExpectedUtility(rounds=6, reading="last")


class TestExchange(ForecastModelContract):
    def make(self) -> ForecastModel:
        return ExchangeModel()


class TestProcedural(ForecastModelContract):
    def make(self) -> ForecastModel:
        return Procedural()


def test_every_registered_model_has_its_contract_class() -> None:
    tested = {
        type(cls().make())
        for cls in ForecastModelContract.__subclasses__()
        if cls.__module__ == __name__
    }
    untested = {type(m) for m in MODELS.values()} - tested
    # The median and the ensemble are read off the others; their classes are covered below.
    assert {t.__name__ for t in untested} <= {"WeightedMedian", "Ensemble"}


class TestWeightedMedianAndEnsemble:
    """The remaining registered models, through the same contract."""

    @pytest.mark.parametrize("name", ["median", "ensemble"])
    def test_contract(self, name: str) -> None:
        class Contract(ForecastModelContract):
            def make(self) -> ForecastModel:
                return MODELS[name]

        contract = Contract()
        for test in _tests_of(ForecastModelContract):
            getattr(contract, test)()


# --- broken implementations: each contract must fail on them -----------------------------


def _tests_of(contract: type) -> list[str]:
    return [name for name in dir(contract) if name.startswith("test_")]


def _fails(contract: object) -> list[str]:
    """The contract's tests that fail on this implementation."""
    failed = []
    for name in _tests_of(type(contract)):
        try:
            getattr(contract, name)()
        except AssertionError:
            failed.append(name)
    return failed


class ForgetsItsArguments(Boulware):
    """Its clone is built with the defaults."""

    def params(self) -> dict[str, Any]:
        return {}


class RemembersThePastNegotiation(Boulware):
    """Concedes more with every negotiation it has played, and reset does not forget."""

    played = 0

    def on_start(self) -> None:
        type(self).played += 1
        self.beta = 0.25 * (1 + type(self).played)


class LosesItsDrawsInAPickle(RandomNegotiator):
    """Restarts its random numbers when unpickled."""

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.rng = np.random.default_rng(0)


class DrawsFromTheGlobalGenerator(Boulware):
    """Offers at random, from a generator nobody seeds (two plays agree by chance only
    if every offer does, among 125 outcomes)."""

    def propose(self, state: NegotiationState) -> int:
        return int(np.random.default_rng().integers(self._need_view().space.size))


@pytest.mark.parametrize(
    ("make", "caught"),
    [
        (lambda: ForgetsItsArguments(beta=3.0, band=0.0), "test_a_clone_plays_as_a_fresh_one"),
        (
            lambda: RemembersThePastNegotiation(beta=0.5),
            "test_after_a_negotiation_it_plays_the_next_as_a_fresh_one",
        ),
        (
            lambda: LosesItsDrawsInAPickle(p_accept=0.3),
            "test_pickled_mid_negotiation_it_plays_on_unchanged",
        ),
        (lambda: DrawsFromTheGlobalGenerator(beta=0.5), "test_same_seed_same_play"),
    ],
    ids=["forgets its arguments", "remembers", "loses its draws", "unseeded"],
)
def test_the_negotiator_contract_catches(make, caught: str) -> None:  # type: ignore[no-untyped-def]
    class Contract(NegotiatorContract):
        def make(self) -> Negotiator:
            return make()

    assert caught in _fails(Contract())


@dataclass(frozen=True)
class UnseededVoting(Voting):
    """Shuffles who proposes first with a generator nobody seeds."""

    name: ClassVar[str] = "unseeded"

    def run(self, domain, negotiators, seed=0):  # type: ignore[no-untyped-def]
        return super().run(domain, negotiators, seed=int(np.random.default_rng().integers(1000)))


@dataclass(frozen=True)
class ReportsTheWrongUtilities(AlternatingOffers):
    """Reports every party's best utility, whatever was agreed."""

    def run(self, domain, negotiators, seed=0):  # type: ignore[no-untyped-def]
        from dataclasses import replace

        result = super().run(domain, negotiators, seed=seed)
        if result.agreement is None:
            return result
        return replace(result, utilities=tuple(float(v) for v in domain.matrix.max(axis=1)))


@pytest.mark.parametrize(
    ("protocol", "caught"),
    [
        (UnseededVoting(n_steps=6), "test_same_seed_same_transcript"),
        (
            ReportsTheWrongUtilities(n_steps=12),
            "test_the_result_is_what_the_domain_says_of_the_agreement",
        ),
    ],
    ids=["unseeded", "wrong utilities"],
)
def test_the_protocol_contract_catches(protocol: NegotiationProtocol, caught: str) -> None:
    class Contract(ProtocolContract):
        binds_minority = True

        def make(self) -> NegotiationProtocol:
            return protocol

    assert caught in _fails(Contract())


@dataclass(frozen=True)
class PoolsTheDraws(WeightedMean):
    """Forecasts every draw of a batch with the batch's average: draws leak into each other."""

    def predict_values(self, arrays):  # type: ignore[no-untyped-def]
        values = super().predict_values(arrays)
        return np.broadcast_to(values.mean(axis=0), values.shape) if values.ndim > 1 else values


@dataclass(frozen=True)
class FirstListed(WeightedMean):
    """Forecasts the first listed actor's position: the file's order decides."""

    def predict_values(self, arrays):  # type: ignore[no-untyped-def]
        return np.asarray(arrays.position[..., 0, :], dtype=np.float64)

    def predict(self, arrays):  # type: ignore[no-untyped-def]
        values = self.predict_values(arrays)
        return ModelOutput(values, tuple("" for _ in values))


@dataclass(frozen=True)
class OffTheScale(WeightedMean):
    """Reports forecasts in percent of the scale's width plus its minimum, twice over."""

    def predict_values(self, arrays):  # type: ignore[no-untyped-def]
        return 2 * super().predict_values(arrays) + 1

    def predict(self, arrays):  # type: ignore[no-untyped-def]
        values = self.predict_values(arrays)
        return ModelOutput(values, tuple("" for _ in values))


@pytest.mark.parametrize(
    ("model", "caught"),
    [
        (PoolsTheDraws(), "test_a_batch_of_draws_forecasts_each_draw_as_alone"),
        (FirstListed(), "test_the_order_of_the_actors_does_not_matter"),
        (OffTheScale(), "test_one_forecast_per_issue_on_its_scale"),
    ],
    ids=["pools draws", "first listed", "off the scale"],
)
def test_the_model_contract_catches(model: ForecastModel, caught: str) -> None:
    class Contract(ForecastModelContract):
        def make(self) -> ForecastModel:
            return model

    assert caught in _fails(Contract())
