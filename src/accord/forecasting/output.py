"""What a forecasting model returns for one scenario."""

from __future__ import annotations

from dataclasses import dataclass

from accord.forecasting.classic import Array

__all__ = ["ModelOutput"]


@dataclass(frozen=True)
class ModelOutput:
    """One model's forecasts: a value and a note (possibly empty) per issue."""

    values: Array
    notes: tuple[str, ...]
