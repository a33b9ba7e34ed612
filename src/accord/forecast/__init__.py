"""Collective-decision models on scenario issues, vectorised with numpy.

:func:`forecast` runs the registered models (:data:`MODELS`) on a scenario and
returns a :class:`ForecastTable`; the array functions in
:mod:`accord.forecast.classic` work on batches of scenarios at once.
"""

from accord.forecast.classic import nash_bargaining, weighted_mean, weighted_median
from accord.forecast.inputs import IssueArrays
from accord.forecast.models import (
    MODELS,
    ForecastModel,
    NashBargaining,
    WeightedMean,
    WeightedMedian,
    get_model,
)
from accord.forecast.output import ModelOutput
from accord.forecast.table import Forecast, ForecastTable, forecast

__all__ = [
    "Forecast",
    "ForecastModel",
    "ForecastTable",
    "IssueArrays",
    "MODELS",
    "ModelOutput",
    "NashBargaining",
    "WeightedMean",
    "WeightedMedian",
    "forecast",
    "get_model",
    "nash_bargaining",
    "weighted_mean",
    "weighted_median",
]
