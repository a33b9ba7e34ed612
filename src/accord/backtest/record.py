"""Measure the shipped track record: ``python -m accord.backtest.record DATA [OUT]``.

Runs the back-test on the reference data with the default settings (seed 0,
2,000 bootstrap resamples, 90% intervals) and writes ``record.json``, which
``accord forecast`` and the report read (:mod:`accord.forecasting.record`).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from accord.backtest.readers import read_cases
from accord.backtest.scoring import BacktestResult, backtest
from accord.files import write_atomically
from accord.forecasting.record import ModelRecord, TrackRecord

__all__ = ["REFERENCE", "measure_record"]

REFERENCE = "DEU III development half (Arregui & Perarnaud 2021)"
KIND = "EU decisions"


def from_result(result: BacktestResult, data: str = REFERENCE, kind: str = KIND) -> TrackRecord:
    """The record of every model in a back-test; half-widths as a share of the scale."""
    span = float(result.issues["span"].max())
    models = {}
    for row in result.summary.to_dict(orient="records"):
        low, high = row["vs_baseline_low"], row["vs_baseline_high"]
        models[str(row["model"])] = ModelRecord(
            issues=int(row["issues"]),
            mae=round(float(row["mae"]), 4),
            baseline_mae=round(float(row["baseline_mae"]), 4),
            vs_baseline=round(float(row["vs_baseline"]), 4),
            vs_baseline_low=round(float(low), 4) if low == low else 0.0,
            vs_baseline_high=round(float(high), 4) if high == high else 0.0,
            halfwidth=round(float(row["conformal_halfwidth"]) / span, 4),
            coverage=round(float(row["conformal_coverage"]), 4),
        )
    return TrackRecord(data=data, kind=kind, level=result.level, models=models)


def measure_record(data: Path) -> TrackRecord:
    """The record on a reference data file, with the default settings."""
    return from_result(backtest(read_cases([data])))


def main(argv: list[str]) -> int:
    """Write the record measured on ``argv[0]`` to ``argv[1]`` (the shipped file by default)."""
    if not argv:
        print(__doc__, file=sys.stderr)
        return 2
    out = (
        Path(argv[1])
        if len(argv) > 1
        else Path(__file__).resolve().parent.parent / "forecasting" / "record.json"
    )
    record = measure_record(Path(argv[0]))
    write_atomically(out, json.dumps(record.records(), indent=2) + "\n")
    print(f"Wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
