"""Who is pivotal: how far each actor moves each forecast.

For every actor and issue, two questions:

* **leave**: how far the forecast moves if the actor leaves the table (the
  model is re-run without it);
* **shift**: how far it moves if the actor shifts its position by ±10 points
  (10% of the issue's scale, clipped to the scale), everything else equal.

Shifts are computed as one batch of perturbed scenarios; departures as one run
per actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.forecasting.holders import within_holders
from accord.forecasting.inputs import IssueArrays
from accord.forecasting.models import ForecastModel
from accord.forecasting.table import resolve_models
from accord.scenario import Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Influence", "InfluenceTable", "influence"]


@dataclass(frozen=True, slots=True)
class Influence:
    """One actor's effect on one issue's forecast (NaN where it has no stance)."""

    actor: str
    issue: str
    baseline: float
    leave: float
    """Forecast without the actor, minus the baseline."""
    up: float
    """Forecast with the actor's position 10% of the scale higher, minus the baseline."""
    down: float
    """Forecast with the actor's position 10% of the scale lower, minus the baseline."""


@dataclass(frozen=True)
class InfluenceTable:
    """Every actor's influence on every issue under one model."""

    model: str
    format_id: str | None
    actors: tuple[str, ...]
    issues: tuple[str, ...]
    rows: tuple[Influence, ...]
    of: int = 0
    """How many actors sit at the table (``actors`` may be the weightiest of them only)."""

    def get(self, actor: str, issue: str) -> Influence:
        """The influence of one actor on one issue."""
        for row in self.rows:
            if row.actor == actor and row.issue == issue:
                return row
        raise KeyError((actor, issue))

    def ranking(self) -> list[tuple[str, float, float]]:
        """Actors by pivotality: ``(actor, mean |leave|, mean |shift|)``, most pivotal first.

        Means run over the issues on which the actor has a stance; ties keep file order.
        """
        scores = []
        for actor in self.actors:
            mine = [r for r in self.rows if r.actor == actor and not np.isnan(r.up)]
            leave = float(np.mean([abs(r.leave) for r in mine])) if mine else 0.0
            shift = float(np.mean([(abs(r.up) + abs(r.down)) / 2 for r in mine])) if mine else 0.0
            scores.append((actor, float(np.nan_to_num(leave)), float(np.nan_to_num(shift))))
        order = sorted(range(len(scores)), key=lambda k: (-scores[k][1], -scores[k][2], k))
        return [scores[k] for k in order]

    def records(self) -> list[dict[str, Any]]:
        """One row per (actor, issue)."""

        def clean(v: float) -> float | None:
            return None if np.isnan(v) else v

        return [
            {
                "model": self.model,
                "actor": r.actor,
                "issue": r.issue,
                "baseline": clean(r.baseline),
                "leave": clean(r.leave),
                "up": clean(r.up),
                "down": clean(r.down),
            }
            for r in self.rows
        ]

    def to_frame(self) -> pd.DataFrame:
        """The rows as a tidy DataFrame."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records())


def influence(
    scenario: Scenario,
    model: str | ForecastModel = "mean",
    format_id: str | None = None,
    shift: float = 0.10,
    most: int | None = None,
) -> InfluenceTable:
    """How far each actor moves each issue's forecast under one model.

    Args:
        scenario: A loaded scenario.
        model: Model name or object.
        format_id: A format id: only the actors at that table.
        shift: Size of the position shift, as a fraction of each issue's scale.
        most: Analyse only this many actors, those with the most weight (capability ×
            salience, summed over the issues; file order on ties). All by default.
    """
    (chosen,) = resolve_models([model])
    seated = scenario.seated_at(format_id) if format_id is not None else scenario
    base = IssueArrays.from_scenario(seated)
    baseline = within_holders(chosen.predict_values(base), base)
    n, m = len(base.actors), len(base.issues)
    weight = base.weight.sum(axis=1)
    order = np.argsort(-weight, kind="stable")
    picked = sorted(order[: most if most is not None else n].tolist())
    p = len(picked)

    # One batch: for each (actor, issue, direction) the actor's position moved on that issue.
    step = shift * (base.scale_max - base.scale_min)
    position = np.broadcast_to(base.position, (p, m, 2, n, m)).copy()
    for j, a in enumerate(picked):
        for k in range(m):
            for d, sign in enumerate((1.0, -1.0)):
                moved = position[j, k, d, a, k] + sign * step[k]
                position[j, k, d, a, k] = np.clip(moved, base.scale_min[k], base.scale_max[k])
    batch = base.with_values(
        position.reshape((-1, n, m)),
        np.broadcast_to(base.salience, (p * m * 2, n, m)),
        np.broadcast_to(base.capability, (p * m * 2, n)),
    )
    shifted = (
        within_holders(chosen.predict_values(batch), batch).reshape((p, m, 2, m))
        if p
        else np.zeros((0, m, 2, m))
    )

    rows = []
    for j, a in enumerate(picked):
        actor = base.actors[a]
        others = [x for x in base.actors if x != actor]
        rest = IssueArrays.from_scenario(seated.with_actors(others))
        without = within_holders(chosen.predict_values(rest), rest)
        for k, issue in enumerate(base.issues):
            stated = bool(base.stated[a, k])
            nan = float("nan")
            rows.append(
                Influence(
                    actor=actor,
                    issue=issue,
                    baseline=float(baseline[k]),
                    leave=float(without[k] - baseline[k]) if stated else nan,
                    up=float(shifted[j, k, 0, k] - baseline[k]) if stated else nan,
                    down=float(shifted[j, k, 1, k] - baseline[k]) if stated else nan,
                )
            )
    return InfluenceTable(
        model=chosen.name,
        format_id=format_id,
        actors=tuple(base.actors[a] for a in picked),
        issues=base.issues,
        rows=tuple(rows),
        of=n,
    )
