"""Collective-decision models on scenario issues, vectorised with numpy.

:func:`forecast` runs the registered models (:data:`MODELS`) on a scenario and
returns a :class:`ForecastTable`; the array functions in
:mod:`accord.forecasting.classic` work on batches of scenarios at once.
"""

from accord.forecasting.classic import nash_bargaining, weighted_mean, weighted_median
from accord.forecasting.inputs import IssueArrays
from accord.forecasting.models import (
    MODELS,
    ForecastModel,
    NashBargaining,
    WeightedMean,
    WeightedMedian,
    get_model,
)
from accord.forecasting.output import ModelOutput
from accord.forecasting.table import Forecast, ForecastTable, forecast

__all__ = [
    "MODELS",
    "Forecast",
    "ForecastModel",
    "ForecastTable",
    "IssueArrays",
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
