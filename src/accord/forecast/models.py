"""Forecasting models behind one small interface, and the registry of them by name.

A model takes :class:`~accord.forecast.inputs.IssueArrays` and returns one
forecast per issue plus a note per issue where the number needs reading with
care. New models (expected utility, exchange) register here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Protocol

import numpy as np

from accord.forecast.classic import Array, nash_bargaining, weighted_mean, weighted_median
from accord.forecast.inputs import IssueArrays

__all__ = [
    "MODELS",
    "ForecastModel",
    "ModelOutput",
    "NashBargaining",
    "WeightedMean",
    "WeightedMedian",
    "get_model",
]


@dataclass(frozen=True)
class ModelOutput:
    """One model's forecasts: a value and a note (possibly empty) per issue."""

    values: Array
    notes: tuple[str, ...]


class ForecastModel(Protocol):
    """What a forecasting model provides."""

    name: ClassVar[str]
    label: ClassVar[str]
    summary: ClassVar[str]

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue of ``arrays``."""
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

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue."""
        values = weighted_mean(arrays.position, arrays.weight)
        return ModelOutput(values, _no_weight_notes(values))


@dataclass(frozen=True)
class WeightedMedian:
    """Capability × salience weighted median ("median voter")."""

    name: ClassVar[str] = "median"
    label: ClassVar[str] = "Weighted median"
    summary: ClassVar[str] = (
        "The position that half of the weighted capability × salience lies on either side of."
    )

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue."""
        values = weighted_median(arrays.position, arrays.weight)
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

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue."""
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


MODELS: dict[str, ForecastModel] = {
    m.name: m for m in (WeightedMean(), WeightedMedian(), NashBargaining())
}
"""The models ``accord forecast`` knows, by name, in the order they are shown."""


def get_model(name: str) -> ForecastModel:
    """The registered model with this name.

    Raises:
        ForecastError: No model has that name.
    """
    from accord.errors import ForecastError

    try:
        return MODELS[name]
    except KeyError:
        raise ForecastError(
            f"unknown model {name!r}; the models are: {', '.join(MODELS)}"
        ) from None
