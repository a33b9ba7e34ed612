"""Forecasting models behind one small interface, and the registry of them by name.

A model maps :class:`~accord.forecasting.inputs.IssueArrays` (possibly a batch of
Monte Carlo draws) to one forecast per issue, and can say, per issue, where a
single forecast needs reading with care.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import ClassVar, Literal, Protocol

import numpy as np
from numpy.typing import NDArray

from accord.errors import ForecastError
from accord.forecasting.classic import Array, nash_bargaining, weighted_mean, weighted_median
from accord.forecasting.eu_options import BACKTESTED, ExpectedUtilityOptions
from accord.forecasting.exchange import ExchangeModel
from accord.forecasting.expected_utility import ExpectedUtilityTrajectory, run_expected_utility
from accord.forecasting.inputs import IssueArrays
from accord.forecasting.output import ModelOutput
from accord.forecasting.procedural import Procedural

__all__ = [
    "MODELS",
    "Ensemble",
    "ExchangeModel",
    "ExpectedUtility",
    "ForecastModel",
    "IssueTrajectory",
    "ModelOutput",
    "NashBargaining",
    "Procedural",
    "WeightedMean",
    "WeightedMedian",
    "get_model",
]


class ForecastModel(Protocol):
    """What a forecasting model provides."""

    name: ClassVar[str]
    label: ClassVar[str]
    summary: ClassVar[str]

    def predict_values(self, arrays: IssueArrays) -> Array:
        """Forecasts with shape ``batch_shape + (n_issues,)``."""
        ...

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecasts of a single scenario, with a note per issue."""
        ...


def _no_weight_notes(values: Array) -> tuple[str, ...]:
    return tuple("no actor with a position" if np.isnan(v) else "" for v in values)


@dataclass(frozen=True)
class WeightedMean:
    """Capability × salience weighted mean of positions ("compromise")."""

    name: ClassVar[str] = "mean"
    label: ClassVar[str] = "Weighted mean"
    summary: ClassVar[str] = (
        "Σ c·s·x / Σ c·s: where the parties meet if each pulls by its capability and salience."
    )

    def predict_values(self, arrays: IssueArrays) -> Array:
        """Forecast every issue (and every draw)."""
        return weighted_mean(arrays.position, arrays.weight)

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue of one scenario."""
        values = self.predict_values(arrays)
        return ModelOutput(values, _no_weight_notes(values))


@dataclass(frozen=True)
class WeightedMedian:
    """Capability × salience weighted median ("median voter")."""

    name: ClassVar[str] = "median"
    label: ClassVar[str] = "Weighted median"
    summary: ClassVar[str] = (
        "The position with half of the weighted capability × salience on either side."
    )

    def predict_values(self, arrays: IssueArrays) -> Array:
        """Forecast every issue (and every draw)."""
        return weighted_median(arrays.position, arrays.weight)

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue of one scenario."""
        values = self.predict_values(arrays)
        return ModelOutput(values, _no_weight_notes(values))


@dataclass(frozen=True)
class NashBargaining:
    """Asymmetric Nash bargaining solution with the status quo as the threat point."""

    name: ClassVar[str] = "nash"
    label: ClassVar[str] = "Nash bargaining"
    summary: ClassVar[str] = (
        "Maximises Π (u_i(x) − u_i(status quo))^(c·s) with quadratic utilities, "
        "over outcomes every party prefers to the status quo."
    )

    def predict_values(self, arrays: IssueArrays) -> Array:
        """Forecast every issue (and every draw)."""
        return nash_bargaining(arrays.position, arrays.weight, arrays.status_quo)[0]

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue of one scenario."""
        values, lower, upper = nash_bargaining(arrays.position, arrays.weight, arrays.status_quo)
        notes = []
        for k, v in enumerate(values):
            if np.isnan(arrays.status_quo[k]):
                notes.append("no status quo given: the Nash solution needs one")
            elif np.isnan(v):
                notes.append("no actor with a position")
            elif upper[k] <= lower[k]:
                notes.append("parties on both sides of the status quo: no outcome all prefer to it")
            else:
                notes.append("")
        return ModelOutput(values, tuple(notes))


@dataclass(frozen=True)
class IssueTrajectory:
    """The expected-utility run on one issue, among the actors with a stance on it."""

    issue: str
    actors: tuple[str, ...]
    trajectory: ExpectedUtilityTrajectory | None
    """``None`` when fewer than two actors hold different positions."""


EUReading = Literal["settled", "last"]


@dataclass(frozen=True)
class ExpectedUtility:
    """Bueno de Mesquita's expected-utility model, run until the positions settle.

    Scholz, Calbert & Smith (2011) reconstruction; see
    :mod:`accord.forecasting.expected_utility` and ``docs/models.md``. The papers give
    no stopping rule. Here the run stops once no position moves by more than
    ``options.tolerance`` of the scale in a round, or after ``rounds`` rounds.
    ``reading="settled"`` forecasts the weighted median where the run settled; a run
    that never settles oscillates, and its forecast is then the average of the
    weighted medians over the rounds run (the middle of the cycle, not whichever
    side the last round happened to land on). ``reading="last"`` is the median
    after the last round, as Scholz et al. report it; with ``options=SCHOLZ`` and
    ``rounds=8`` it reproduces their Table 2.
    """

    rounds: int = 20
    options: ExpectedUtilityOptions = field(default_factory=lambda: BACKTESTED)
    reading: EUReading = "settled"
    name: ClassVar[str] = "expected-utility"
    label: ClassVar[str] = "Expected utility"
    summary: ClassVar[str] = (
        "Bueno de Mesquita's challenge model (Scholz et al. 2011 reconstruction): actors "
        "challenge, compromise or give in round by round until no position moves; the "
        "forecast is the weighted median where it settles (the middle of the cycle if it "
        "oscillates)."
    )

    def __post_init__(self) -> None:
        if self.reading not in ("settled", "last"):
            raise ForecastError(f"reading must be 'settled' or 'last', got {self.reading!r}")

    def read(self, trajectory: ExpectedUtilityTrajectory) -> tuple[Array, NDArray[np.bool_]]:
        """``(forecast, oscillates)`` per draw of one issue's run."""
        last = trajectory.median[-1]
        oscillates = trajectory.rounds_run >= max(self.rounds, 1)
        if self.options.tolerance <= 0 or trajectory.rounds == 0:
            oscillates = np.zeros_like(oscillates)
        if self.reading == "last":
            return np.asarray(last, dtype=np.float64), oscillates
        middle = trajectory.median[1:].mean(axis=0) if trajectory.rounds else last
        return np.asarray(np.where(oscillates, middle, last), dtype=np.float64), oscillates

    def trajectories(self, arrays: IssueArrays, keep_eu: bool = False) -> list[IssueTrajectory]:
        """Run the model on every issue; one trajectory per issue."""
        out = []
        stated_any = arrays.stated.reshape((-1, *arrays.stated.shape[-2:]))[0]
        for k, issue in enumerate(arrays.issues):
            rows = np.flatnonzero(stated_any[:, k])
            actors = tuple(arrays.actors[r] for r in rows)
            if len(rows) < 2:
                out.append(IssueTrajectory(issue, actors, None))
                continue
            x = arrays.position[..., rows, k].reshape((-1, len(rows)))
            if np.all(x.max(axis=-1) == x.min(axis=-1)):
                out.append(IssueTrajectory(issue, actors, None))
                continue
            c = arrays.capability[..., rows].reshape((-1, len(rows)))
            s = arrays.salience[..., rows, k].reshape((-1, len(rows)))
            run = run_expected_utility(
                x,
                np.broadcast_to(c, x.shape),
                s,
                rounds=self.rounds,
                options=self.options,
                scale=(float(arrays.scale_min[k]), float(arrays.scale_max[k])),
                keep_eu=keep_eu,
            )
            out.append(IssueTrajectory(issue, actors, run))
        return out

    def predict_values(self, arrays: IssueArrays) -> Array:
        """Forecast every issue (and every draw): the median after the last round."""
        return self._values(arrays, self.trajectories(arrays))

    def _values(self, arrays: IssueArrays, runs: list[IssueTrajectory]) -> Array:
        # Issues without disagreement keep their (weighted-median) starting point.
        fallback = weighted_median(arrays.position, arrays.weight)
        values = np.array(fallback, dtype=np.float64, copy=True).reshape((-1, len(arrays.issues)))
        for k, run in enumerate(runs):
            if run.trajectory is not None:
                values[:, k] = self.read(run.trajectory)[0]
        return values.reshape((*arrays.batch_shape, len(arrays.issues)))

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue of one scenario."""
        runs = self.trajectories(arrays)
        values = self._values(arrays, runs)
        notes = []
        for v, run in zip(values, runs, strict=True):
            if np.isnan(v):
                notes.append("no actor with a position")
            elif run.trajectory is None:
                notes.append("no disagreement to model: the stated positions coincide")
            elif self.read(run.trajectory)[1][0]:
                notes.append(
                    f"oscillates: unsettled after {self.rounds} rounds; "
                    "the average of the rounds' medians"
                )
            else:
                notes.append("")
        return ModelOutput(values, tuple(notes))


@dataclass(frozen=True)
class Ensemble:
    """The average of the weighted mean and the expected-utility model, with equal weights.

    Forecast combination: two models that use the same inputs differently (where
    the parties meet if each pulls by its weight; who challenges whom and gives in)
    averaged with equal weights, which the forecasting literature finds hard to beat
    with fitted ones (Clemen 1989; Graefe et al. 2014). The weights were fixed before
    any back-test, not fitted.
    """

    members: tuple[ForecastModel, ...] = field(
        default_factory=lambda: (WeightedMean(), ExpectedUtility())
    )
    name: ClassVar[str] = "ensemble"
    label: ClassVar[str] = "Ensemble"
    summary: ClassVar[str] = (
        "The average of the weighted mean and the expected-utility model (equal weights, "
        "fixed in advance)."
    )

    def predict_values(self, arrays: IssueArrays) -> Array:
        """Forecast every issue (and every draw)."""
        return self.combine([m.predict_values(arrays) for m in self.members])

    def combine(self, values: list[Array]) -> Array:
        """The ensemble's forecast from its members' forecasts (in ``members`` order)."""
        return np.asarray(np.stack(values).mean(axis=0), dtype=np.float64)

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue of one scenario."""
        return self.output(self.predict_values(arrays))

    def output(self, values: Array) -> ModelOutput:
        """The forecasts with their notes."""
        return ModelOutput(values, _no_weight_notes(values))

    def reuse(self, done: Sequence[tuple[ForecastModel, Array]]) -> Array | None:
        """The forecast from its members' forecasts already in ``done``; ``None`` if one is not."""
        found = [next((v for m, v in done if m == member), None) for member in self.members]
        if any(v is None for v in found):
            return None
        return self.combine([v for v in found if v is not None])


MODELS: dict[str, ForecastModel] = {
    m.name: m
    for m in (
        WeightedMean(),
        WeightedMedian(),
        NashBargaining(),
        ExpectedUtility(),
        ExchangeModel(),
        Procedural(),
        Ensemble(),
    )
}
"""The models ``accord forecast`` knows, by name, in the order they are shown."""


def get_model(name: str) -> ForecastModel:
    """The registered model with this name.

    Raises:
        ForecastError: No model has that name.
    """
    try:
        return MODELS[name]
    except KeyError:
        raise ForecastError(
            f"unknown model {name!r}; the models are: {', '.join(MODELS)}"
        ) from None
