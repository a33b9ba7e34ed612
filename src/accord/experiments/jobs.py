"""Jobs that experiments run: module-level functions, so any executor can ship them."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from accord.experiments.sweep import Task
from accord.forecasting import IssueArrays
from accord.forecasting.uncertainty import Uncertainty
from accord.forum.formats import ComparisonSettings, compare_one, scenario_draw
from accord.forum.procedure import ForumSettings
from accord.negotiation.scenario_domain import as_shape
from accord.scenario import Scenario, load_scenario

__all__ = ["format_comparison_job"]


@lru_cache(maxsize=8)
def _scenario(path: str) -> tuple[Scenario, IssueArrays, Uncertainty]:
    scenario = load_scenario(path)
    return scenario, IssueArrays.from_scenario(scenario), Uncertainty.from_scenario(scenario)


def format_comparison_job(item: tuple[str, Task]) -> list[dict[str, Any]]:
    """Every format on one draw of the scenario; parameters: negotiator, strategy, shape, steps."""
    path, task = item
    scenario, base, uncertainty = _scenario(path)
    p = task.params
    settings = ComparisonSettings(
        forum=ForumSettings(
            negotiator=str(p.get("negotiator", "boulware")),
            steps=int(p.get("steps", 20)),
            shape=as_shape(p.get("shape", "linear")),
        ),
        strategy=p.get("strategy", "strict"),
    )
    drawn = scenario_draw(scenario, base, uncertainty, task.seed, task.draw)
    return compare_one(drawn, settings, seed=task.seed)
