"""The agenda behind an exercise: its issues, their scales and labelled points.

Every text, amendment and proposal is checked against it (known issues, values
on the scale), and every version of the text is read back in words: the
labelled point nearest each value.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from fastapi import HTTPException

from accord.scenario import Issue, Scenario, parse_scenario
from accord.server.models import Exercise

__all__ = [
    "agenda",
    "check_issue",
    "check_value",
    "check_values",
    "issue_view",
    "kept_scenario",
    "on_the_text",
    "readings",
    "scenario_of",
]


KEPT_SCENARIOS = 64
"""Parsed scenarios a server process keeps, the most recently used."""

_scenarios: OrderedDict[tuple[int, dt.datetime], Scenario] = OrderedDict()
_by_text: OrderedDict[str, Scenario] = OrderedDict()
_scenarios_lock = threading.Lock()


def _recall(kept: OrderedDict[Any, Scenario], key: Any) -> Scenario | None:
    with _scenarios_lock:
        scenario = kept.get(key)
        if scenario is not None:
            kept.move_to_end(key)
        return scenario


def _keep(kept: OrderedDict[Any, Scenario], key: Any, scenario: Scenario) -> None:
    with _scenarios_lock:
        kept[key] = scenario
        while len(kept) > KEPT_SCENARIOS:
            kept.popitem(last=False)


def scenario_of(exercise: Exercise) -> Scenario:
    """The exercise's scenario, parsed once per process (and once for many exercises).

    Kept by the exercise's id and creation time (see :func:`kept_scenario`).
    """
    if exercise.id is None or exercise.created_at is None:  # not yet in the database
        return parse_scenario(exercise.scenario, source=f"exercise {exercise.id}")
    return kept_scenario(exercise.id, exercise.created_at, lambda: exercise.scenario)


def kept_scenario(exercise_id: int, created_at: dt.datetime, text: Callable[[], str]) -> Scenario:
    """The scenario of the exercise with this id and creation time; ``text()`` its file.

    An exercise's scenario never changes, and the time tells apart exercises of other
    databases with the same id. Its text (a deferred column, tens of kilobytes) is read
    only the first time; exercises made from the same file (a course's tables) share
    one parse, which takes some 16 ms for the flagship scenario.
    """
    key = (exercise_id, created_at)
    scenario = _recall(_scenarios, key)
    if scenario is None:
        written = text()
        scenario = _recall(_by_text, written)
        if scenario is None:
            scenario = parse_scenario(written, source=f"exercise {exercise_id}")
            _keep(_by_text, written, scenario)
        _keep(_scenarios, key, scenario)
    return scenario


def agenda(scenario: Scenario) -> dict[str, Issue]:
    """The issues of an exercise's scenario, by id."""
    return {issue.id: issue for issue in scenario.issues}


def issue_view(issue: Issue) -> dict[str, Any]:
    """An issue as the desk shows it."""
    return {
        "name": issue.name,
        "description": issue.description,
        "min": issue.scale.min,
        "max": issue.scale.max,
        "unit": issue.scale.unit,
        "anchors": [{"at": a.at, "label": a.label} for a in issue.anchors],
    }


def readings(issues: dict[str, Issue], values: dict[str, float]) -> dict[str, str | None]:
    """Each value in words against its issue's labelled points (``None`` without labels)."""
    out: dict[str, str | None] = {}
    for key, value in values.items():
        words = issues[key].reading(value) if key in issues else ""
        out[key] = words.removeprefix("≈ ") or None
    return out


def on_the_text(scenario: Scenario, values: dict[str, float]) -> dict[str, Issue]:
    """The agenda's issues that a text (its values) covers."""
    return {issue.id: issue for issue in scenario.issues if issue.id in values}


def check_issue(issues: dict[str, Issue], key: str, where: str) -> None:
    """Refuse (422) an issue not on the agenda, naming the ones that are."""
    if key not in issues:
        raise HTTPException(422, f"{where}: unknown issue {key!r}; the issues are {sorted(issues)}")


def check_value(issues: dict[str, Issue], key: str, value: float, where: str) -> None:
    """Refuse (422) a value off its issue's scale, or an issue not on the agenda."""
    check_issue(issues, key, where)
    scale = issues[key].scale
    if not math.isfinite(value) or not scale.min <= value <= scale.max:
        raise HTTPException(
            422,
            f"{where}: {key} = {value:g} is off its scale; give a value from "
            f"{scale.min:g} to {scale.max:g}",
        )


def check_values(issues: dict[str, Issue], values: dict[str, float], where: str) -> None:
    """:func:`check_value` for every value."""
    for key, value in values.items():
        check_value(issues, key, value, where)
