"""Forecasting models behind one small interface, and the registry of them by name.

A model maps :class:`~accord.forecast.inputs.IssueArrays` (possibly a batch of
Monte Carlo draws) to one forecast per issue, and can say, per issue, where a
single forecast needs reading with care.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar, Protocol

import numpy as np

from accord.errors import ForecastError
from accord.forecast.classic import Array, nash_bargaining, weighted_mean, weighted_median
from accord.forecast.eu_options import ExpectedUtilityOptions
from accord.forecast.exchange import ExchangeModel
from accord.forecast.expected_utility import ExpectedUtilityTrajectory, run_expected_utility
from accord.forecast.inputs import IssueArrays
from accord.forecast.output import ModelOutput

__all__ = [
    "MODELS",
    "ExchangeModel",
    "ExpectedUtility",
    "ForecastModel",
    "IssueTrajectory",
    "ModelOutput",
    "NashBargaining",
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


@dataclass(frozen=True)
class ExpectedUtility:
    """Bueno de Mesquita's expected-utility model; the forecast is the median after the last round.

    Scholz, Calbert & Smith (2011) reconstruction; see
    :mod:`accord.forecast.expected_utility` and ``docs/models.md``.
    """

    rounds: int = 8
    options: ExpectedUtilityOptions = field(default_factory=ExpectedUtilityOptions)
    name: ClassVar[str] = "expected-utility"
    label: ClassVar[str] = "Expected utility"
    summary: ClassVar[str] = (
        "Bueno de Mesquita's challenge model (Scholz et al. 2011 reading): actors challenge, "
        "compromise or give in round by round; the forecast is the weighted median after "
        "the last round (default 8)."
    )

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
                values[:, k] = run.trajectory.median[-1]
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
            else:
                notes.append("")
        return ModelOutput(values, tuple(notes))


MODELS: dict[str, ForecastModel] = {
    m.name: m
    for m in (
        WeightedMean(),
        WeightedMedian(),
        NashBargaining(),
        ExpectedUtility(),
        ExchangeModel(),
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
