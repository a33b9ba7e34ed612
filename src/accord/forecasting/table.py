"""A forecast of every issue by every model, as data: records, a DataFrame, CSV or JSON."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.forecasting.classic import Array
from accord.forecasting.holders import within_holders
from accord.forecasting.inputs import IssueArrays
from accord.forecasting.models import MODELS, Ensemble, ForecastModel, get_model
from accord.forecasting.output import ModelOutput
from accord.forecasting.record import track_record
from accord.scenario import Issue, Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["Forecast", "ForecastTable", "forecast", "issue_records"]


@dataclass(frozen=True, slots=True)
class Forecast:
    """One model's forecast of one issue, read against the issue's labelled points.

    Attributes:
        issue: Issue id.
        model: Model name.
        value: The forecast on the issue's scale (NaN where undefined).
        anchor: Label of the nearest anchor point, if the issue has any.
        anchor_at: Where that anchor point lies.
        note: A caveat for reading the number, or ``""``.
        reading: The value in words against the labelled points (``≈ label`` when near one,
            ``between A and B`` otherwise; see :meth:`accord.scenario.Issue.reading`).
        low: Lower end of the model's empirical interval (its track record's errors,
            :mod:`accord.forecasting.record`), clipped to the scale; NaN without a record.
        high: Upper end of that interval.
    """

    issue: str
    model: str
    value: float
    anchor: str | None
    anchor_at: float | None
    note: str
    reading: str = ""
    low: float = float("nan")
    high: float = float("nan")

    def describe(self, decimals: int = 1) -> str:
        """The forecast in words, e.g. ``38.0 ≈ two islands (1956 Declaration)``."""
        if math.isnan(self.value):
            return "—"
        text = f"{self.value:.{decimals}f}"
        return f"{text} {self.reading}" if self.reading else text


@dataclass(frozen=True)
class ForecastTable:
    """Forecasts of every issue (rows) by every model (columns)."""

    scenario: str
    format_id: str | None
    actors: tuple[str, ...]
    issues: tuple[Issue, ...]
    models: tuple[str, ...]
    cells: tuple[Forecast, ...]

    def get(self, issue: str, model: str) -> Forecast:
        """The forecast of one issue by one model."""
        for cell in self.cells:
            if cell.issue == issue and cell.model == model:
                return cell
        raise KeyError((issue, model))

    def value(self, issue: str, model: str) -> float:
        """The forecast value of one issue by one model."""
        return self.get(issue, model).value

    def records(self) -> list[dict[str, Any]]:
        """One plain dict per (issue, model), in table order; NaN becomes ``None``."""
        return [
            {
                "issue": c.issue,
                "model": c.model,
                "value": None if math.isnan(c.value) else c.value,
                "anchor": c.anchor,
                "anchor_at": c.anchor_at,
                "note": c.note,
                "reading": c.reading,
                "low": None if math.isnan(c.low) else c.low,
                "high": None if math.isnan(c.high) else c.high,
            }
            for c in self.cells
        ]

    def to_frame(self) -> pd.DataFrame:
        """The forecasts as a tidy DataFrame (one row per issue and model)."""
        import pandas as pd

        return pd.DataFrame.from_records(
            self.records(),
            columns=[
                "issue",
                "model",
                "value",
                "anchor",
                "anchor_at",
                "note",
                "reading",
                "low",
                "high",
            ],
        )

    def to_json(self) -> str:
        """The forecasts, what they were computed on and each model's track record, as JSON."""
        record = track_record()
        payload = {
            "scenario": self.scenario,
            "format": self.format_id,
            "actors": list(self.actors),
            "models": list(self.models),
            "issues": issue_records(self.issues),
            "track_record": {
                m: {"reference": record.data, "line": record.line(m)} for m in self.models
            },
            "interval_level": record.level,
            "forecasts": self.records(),
        }
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"

    def to_csv(self) -> str:
        """The tidy records as CSV text."""
        return self.to_frame().to_csv(index=False, lineterminator="\n")


def issue_records(issues: Sequence[Issue]) -> list[dict[str, Any]]:
    """What each issue's numbers mean: its scale, unit, status quo and labelled points."""
    return [
        {
            "id": i.id,
            "name": i.name,
            "scale": {"min": i.scale.min, "max": i.scale.max, "unit": i.scale.unit},
            "status_quo": None if i.status_quo is None else i.status_quo.value,
            "anchors": [{"at": a.at, "label": a.label} for a in i.anchors],
        }
        for i in issues
    ]


def resolve_models(models: Sequence[str | ForecastModel] | None) -> list[ForecastModel]:
    """Model instances for names (or instances) given; all registered models by default."""
    if models is None:
        return list(MODELS.values())
    return [get_model(m) if isinstance(m, str) else m for m in models]


def _held(out: ModelOutput, arrays: IssueArrays, scenario: Scenario) -> ModelOutput:
    """A model's forecasts kept within what each issue's holder lets pass (see holders)."""
    values = within_holders(out.values, arrays)
    notes = list(out.notes)
    for k, issue in enumerate(scenario.issues):
        if not issue.holders or values[k] == out.values[k] or np.isnan(values[k]):
            continue
        who = " and ".join(issue.holders)
        said = (
            f"{who} {'hold' if len(issue.holders) > 1 else 'holds'} it, not all at this "
            "table: the status quo stays"
            if arrays.holder_absent is not None and arrays.holder_absent[k]
            else f"kept within what {who}, which {'hold' if len(issue.holders) > 1 else 'holds'} "
            f"it, offer{'' if len(issue.holders) > 1 else 's'} from the status quo "
            f"(the model alone: {float(out.values[k]):.4g})"
        )
        notes[k] = f"{notes[k]}; {said}" if notes[k] else said
    return ModelOutput(values, tuple(notes))


def forecast(
    scenario: Scenario,
    *,
    models: Sequence[str | ForecastModel] | None = None,
    format_id: str | None = None,
) -> ForecastTable:
    """Forecast every issue of a scenario with the given models.

    Args:
        scenario: A loaded scenario.
        models: Model names (see :data:`accord.forecasting.MODELS`) or configured
            model objects (``ExpectedUtility(rounds=5)``); all by default.
        format_id: A format id: forecast only among the actors at that table.

    Returns:
        A :class:`ForecastTable`.

    Raises:
        ForecastError: An unknown model name.
        AccordError: An unknown format.
    """
    chosen = resolve_models(models)
    names = tuple(m.name for m in chosen)
    seated = scenario.seated_at(format_id) if format_id is not None else scenario
    arrays = IssueArrays.from_scenario(seated)
    outputs = {}
    done: list[tuple[ForecastModel, Array]] = []  # the ensemble reuses its members' runs
    for model in chosen:
        if isinstance(model, Ensemble) and (reused := model.reuse(done)) is not None:
            output = model.output(reused)
        else:
            output = model.predict(arrays)
        done.append((model, output.values))
        outputs[model.name] = _held(output, arrays, seated)
    record = track_record()
    cells = []
    for k, issue in enumerate(seated.issues):
        for name in names:
            out = outputs[name]
            value = float(out.values[k])
            anchor = issue.nearest_anchor(value)
            known = record.models.get(name)
            half = known.halfwidth * issue.scale.span if known else math.nan
            low, high = (
                (math.nan, math.nan)
                if math.isnan(value) or math.isnan(half)
                else (max(issue.scale.min, value - half), min(issue.scale.max, value + half))
            )
            cells.append(
                Forecast(
                    issue=issue.id,
                    model=name,
                    value=value,
                    anchor=None if anchor is None else anchor.label,
                    anchor_at=None if anchor is None else anchor.at,
                    note=out.notes[k],
                    reading="" if math.isnan(value) else issue.reading(value),
                    low=low,
                    high=high,
                )
            )
    return ForecastTable(
        scenario=scenario.name,
        format_id=format_id,
        actors=seated.actor_ids,
        issues=seated.issues,
        models=names,
        cells=tuple(cells),
    )
