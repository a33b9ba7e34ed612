"""accord: model, forecast, simulate and run multilateral security negotiations.

The first steps::

    import accord

    scenario = accord.load_scenario("scenarios/northeast-asia-2002.toml")
    table = accord.forecast(scenario, format_id="six-party")
    table.to_frame()
"""

from importlib import metadata as _metadata

from accord.errors import AccordError, ForecastError, Problem, ScenarioError
from accord.forecasting import Forecast, ForecastTable, forecast
from accord.scenario import Scenario, load_scenario, parse_scenario

try:
    __version__ = _metadata.version("accord")
except _metadata.PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0+unknown"

__all__ = [
    "AccordError",
    "Forecast",
    "ForecastError",
    "ForecastTable",
    "Problem",
    "Scenario",
    "ScenarioError",
    "__version__",
    "forecast",
    "load_scenario",
    "parse_scenario",
]
