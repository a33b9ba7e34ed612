"""Each model's track record on real decisions, shipped with accord and shown beside forecasts.

``record.json`` holds what ``accord backtest`` measured on the reference data (the
development half of DEU III: EU legislative decisions with known outcomes). It is
written by ``python -m accord.backtest.record DATA`` and checked against the data
by the test suite, so the line printed beside a forecast is the number the
back-test gives, not a number typed in.
"""

from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from importlib.resources import files
from typing import Any

__all__ = ["ModelRecord", "TrackRecord", "track_record"]


@dataclass(frozen=True, slots=True)
class ModelRecord:
    """One model's scores on the reference data.

    Attributes:
        issues: Decisions it gave a forecast for.
        mae: Its mean absolute error, in points of a 0–100 scale.
        baseline_mae: The weighted mean's on the same decisions.
        vs_baseline: ``mae − baseline_mae``, and its bootstrap interval.
        halfwidth: Half-width of its empirical interval at ``level``, as a share of the scale.
        coverage: How often that interval held outcomes it was not computed from.
    """

    issues: int
    mae: float
    baseline_mae: float
    vs_baseline: float
    vs_baseline_low: float
    vs_baseline_high: float
    halfwidth: float
    coverage: float


@dataclass(frozen=True, slots=True)
class TrackRecord:
    """The scores of every model on one reference data set."""

    data: str
    kind: str
    level: float
    models: dict[str, ModelRecord]

    def line(self, model: str) -> str:
        """One line of the model's record, e.g. ``MAE 25.2 on 155 EU decisions (…)``."""
        r = self.models.get(model)
        if r is None:
            return f"not yet back-tested on {self.data}"
        level = round(100 * self.level)
        text = f"MAE {r.mae:.1f} on {r.issues} {self.kind}"
        if model != "mean":
            text += f" (weighted mean {r.baseline_mae:.1f}"
            if r.vs_baseline_high < 0:
                text += ", better with confidence)"
            elif r.vs_baseline_low > 0:
                text += ", worse with confidence)"
            else:
                text += ", no clear difference)"
        if math.isfinite(r.halfwidth):
            text += (
                f"; {level}% of outcomes within ±{100 * r.halfwidth:.0f}% of the scale "
                f"({100 * r.coverage:.0f}% on unseen proposals)"
            )
        return text

    def records(self) -> dict[str, Any]:
        """As plain data (the shape of ``record.json``)."""
        return {
            "data": self.data,
            "kind": self.kind,
            "level": self.level,
            "models": {name: dict(_fields(r)) for name, r in self.models.items()},
        }


def _fields(r: ModelRecord) -> list[tuple[str, Any]]:
    return [(name, getattr(r, name)) for name in ModelRecord.__slots__]


@functools.cache
def track_record() -> TrackRecord:
    """The record shipped with accord (``record.json`` beside this module)."""
    raw = json.loads((files("accord.forecasting") / "record.json").read_text(encoding="utf-8"))
    return TrackRecord(
        data=raw["data"],
        kind=raw["kind"],
        level=float(raw["level"]),
        models={name: ModelRecord(**fields) for name, fields in raw["models"].items()},
    )
