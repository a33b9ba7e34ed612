"""Score every model on every decision with a known outcome, with honest statistics.

Per model, over the issues it gives a forecast for:

* **mae**, **median_ae**, **rmse**: absolute errors' mean and median, and the root
  mean square error, on the issues' own scales (0–100 for DEU);
* **bias**: mean signed error (forecast − outcome);
* **at_ends**: share of forecasts at either end of the scale; **within_10**: share
  within 10% of the scale of the outcome;
* **vs baseline**: the difference in MAE from the weighted mean (negative is
  better) on the issues both forecast, with a 90% interval from a paired bootstrap
  that resamples whole groups (a proposal's issues together: they are not
  independent), seeded;
* **conformal**: the half-width of a split-conformal interval (Vovk et al. 2005;
  Lei et al. 2018) at ``level`` — the ``⌈(n+1)·level⌉``-th smallest absolute
  error — and its coverage measured honestly by cross-fitting: the issues are
  split into folds by group, each fold's half-width is computed from the other
  folds only, and the share of the fold's outcomes it covers is counted;
* with ``samples``, **mc_coverage**: the share of outcomes inside the 5–95% Monte
  Carlo interval, on the issues whose data states an uncertainty.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from accord.backtest.cases import CaseBlock, Cases
from accord.errors import ForecastError
from accord.executors import Executor, InProcessExecutor
from accord.forecasting.classic import Array
from accord.forecasting.exchange import ExchangeModel
from accord.forecasting.holders import within_holders
from accord.forecasting.models import ForecastModel
from accord.forecasting.table import resolve_models

__all__ = [
    "BASELINE",
    "BacktestResult",
    "backtest",
    "conformal_halfwidth",
    "cross_fitted_coverage",
    "paired_bootstrap",
    "score",
]

BASELINE = "mean"
"""The model every other is compared with: the weighted mean, the literature's hardest baseline."""

FOLDS = 10


def score(forecast: Array, outcome: Array, span: Array) -> dict[str, float]:
    """The error measures of one model on the issues it forecast (NaN forecasts dropped)."""
    keep = ~np.isnan(forecast) & ~np.isnan(outcome)
    f, o, w = forecast[keep], outcome[keep], span[keep]
    if not keep.any():
        nan = float("nan")
        return dict.fromkeys(("mae", "median_ae", "rmse", "bias", "within_10"), nan) | {
            "issues": 0.0
        }
    error = f - o
    return {
        "issues": float(keep.sum()),
        "mae": float(np.abs(error).mean()),
        "median_ae": float(np.median(np.abs(error))),
        "rmse": float(np.sqrt((error**2).mean())),
        "bias": float(error.mean()),
        "within_10": float((np.abs(error) <= 0.1 * w + 1e-9).mean()),
    }


def conformal_halfwidth(abs_errors: Array, level: float) -> float:
    """The split-conformal half-width: the ⌈(n+1)·level⌉-th smallest absolute error.

    Infinite when there are too few errors for the level (n < level / (1 − level)).
    """
    e = np.sort(abs_errors[~np.isnan(abs_errors)])
    rank = math.ceil((len(e) + 1) * level)
    return float(e[rank - 1]) if 0 < rank <= len(e) else math.inf


def cross_fitted_coverage(
    abs_errors: Array, groups: Sequence[str], level: float, seed: int
) -> float:
    """Share of outcomes covered by half-widths computed without their own group's errors."""
    keep = ~np.isnan(abs_errors)
    e = abs_errors[keep]
    g = np.asarray(groups, dtype=object)[keep]
    names = np.array(sorted(set(g)), dtype=object)
    if len(names) < 2:
        return float("nan")
    order = np.random.default_rng(np.random.SeedSequence([seed, 2])).permutation(len(names))
    fold_of = {names[k]: j % FOLDS for j, k in enumerate(order)}
    fold = np.array([fold_of[x] for x in g])
    covered = np.zeros(len(e), dtype=bool)
    for f in np.unique(fold):
        held = fold == f
        covered[held] = e[held] <= conformal_halfwidth(e[~held], level)
    return float(covered.mean())


def paired_bootstrap(
    diff: Array, groups: Sequence[str], resamples: int, seed: int, level: float = 0.90
) -> tuple[float, float]:
    """Central ``level`` interval of the mean of ``diff``, resampling whole groups."""
    keep = ~np.isnan(diff)
    d = diff[keep]
    g = np.asarray(groups, dtype=object)[keep]
    names, index = np.unique(g, return_inverse=True)
    if len(names) < 2:
        return float("nan"), float("nan")
    sums = np.bincount(index, weights=d, minlength=len(names))
    counts = np.bincount(index, minlength=len(names)).astype(np.float64)
    rng = np.random.default_rng(np.random.SeedSequence([seed, 1]))
    picks = rng.integers(0, len(names), size=(resamples, len(names)))
    weights = np.zeros((resamples, len(names)))
    np.add.at(weights, (np.arange(resamples)[:, None], picks), 1.0)
    means = (weights @ sums) / (weights @ counts)
    tail = (1 - level) / 2
    lo, hi = np.quantile(means, [tail, 1 - tail])
    return float(lo), float(hi)


def _forecast_block(
    task: tuple[int, ForecastModel, CaseBlock, Any],
) -> tuple[Array, Array | None]:
    """One model on one block: the forecasts, and the 5% and 95% points over the draws."""
    _, model, block, draws = task
    value = _predict(model, block, block.arrays)
    if draws is None:
        return value, None
    return value, np.nanquantile(_predict(model, block, draws), [0.05, 0.95], axis=0)


def _issue_rows(
    model: ForecastModel, block: CaseBlock, value: Array, interval: Array | None
) -> pd.DataFrame:
    """One row per scored issue of a block, for one model."""
    keep = block.scored
    span = np.asarray(block.arrays.scale_max - block.arrays.scale_min)
    frame = pd.DataFrame(
        {
            "source": block.source,
            "case": np.asarray(block.cases, dtype=object)[keep],
            "group": np.asarray(block.groups, dtype=object)[keep],
            "model": model.name,
            "forecast": value[keep],
            "outcome": block.outcome[keep],
            "span": span[keep],
            "scale_min": np.asarray(block.arrays.scale_min)[keep],
            "scale_max": np.asarray(block.arrays.scale_max)[keep],
        }
    )
    if interval is not None:
        frame["mc_low"], frame["mc_high"] = interval[0][keep], interval[1][keep]
    return frame


def _predict(model: ForecastModel, block: CaseBlock, arrays: Any) -> Array:
    """One model on a block; a model that trades across issues trades within a group only."""
    if not isinstance(model, ExchangeModel):
        return np.asarray(within_holders(model.predict_values(arrays), arrays), dtype=np.float64)
    out = np.full((*arrays.position.shape[:-2], len(block.cases)), np.nan)
    groups = np.asarray(block.groups, dtype=object)
    for name in dict.fromkeys(block.groups):
        columns = np.flatnonzero(groups == name)
        part = arrays.select(columns)
        out[..., columns] = within_holders(model.predict_values(part), part)
    return out


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """The forecasts and errors per issue and model, and the scores per model."""

    issues: pd.DataFrame
    """One row per (issue, model): source, case, group, model, forecast, outcome, error, …"""
    summary: pd.DataFrame
    """One row per model, in the order asked: the measures listed in the module's description."""
    level: float
    samples: int
    seed: int
    sources: tuple[str, ...]

    def records(self) -> dict[str, Any]:
        """Everything, as plain data with stable keys (NaN as ``None``)."""

        def clean(frame: pd.DataFrame) -> list[dict[str, Any]]:
            rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
            return [
                {
                    str(k): (None if isinstance(v, float) and math.isinf(v) else v)
                    for k, v in r.items()
                }
                for r in rows
            ]

        return {
            "sources": list(self.sources),
            "baseline": BASELINE,
            "level": self.level,
            "samples": self.samples,
            "seed": self.seed,
            "models": clean(self.summary),
            "issues": clean(self.issues),
        }

    def to_json(self) -> str:
        """The records as JSON text."""
        return json.dumps(self.records(), indent=2, ensure_ascii=False) + "\n"

    def verdict(self) -> str:
        """One sentence: does any model beat the weighted mean, with confidence?"""
        others = self.summary[self.summary["model"] != BASELINE].dropna(subset=["vs_baseline"])
        if others.empty:
            return "Only the weighted mean was run."
        level = round(100 * self.level)

        def difference(row: Any) -> str:
            return (
                f"{row['vs_baseline']:+.2f} in MAE ({row['mae']:.2f} against "
                f"{row['baseline_mae']:.2f} on the same {int(row['issues'])} issues; "
                f"{level}% interval {row['vs_baseline_low']:+.2f} "
                f"to {row['vs_baseline_high']:+.2f})"
            )

        better = others[others["vs_baseline_high"] < 0]
        if not better.empty:
            best = better.sort_values("mae").iloc[0]
            return f"{best['label']} beats the weighted mean: {difference(best)}."
        best = others.sort_values("vs_baseline").iloc[0]
        if best["vs_baseline_low"] > 0:
            return (
                "The weighted mean beats every other model; the closest, "
                f"{best['label']}, is worse by {difference(best)}."
            )
        return (
            "No model beats the weighted mean with confidence. The closest, "
            f"{best['label']}, differs by {difference(best)}, an interval that includes 0."
        )


def backtest(
    cases: Cases,
    models: Sequence[str | ForecastModel] | None = None,
    *,
    samples: int = 0,
    seed: int = 0,
    resamples: int = 2000,
    level: float = 0.90,
    progress: Callable[[int, int], None] | None = None,
    executor: Executor | None = None,
) -> BacktestResult:
    """Score models on every issue with a known outcome.

    Args:
        cases: The data (:func:`accord.backtest.read_cases`).
        models: Model names or objects; all registered models by default. The
            weighted mean is always run, as the baseline.
        samples: Monte Carlo draws over the data's stated uncertainty (0: none).
        seed: Seed of the bootstrap, the folds and the draws.
        resamples: Bootstrap resamples.
        level: Level of the conformal intervals and of the bootstrap interval.
        progress: Called with (done, total) after each block and model.
        executor: Where each (block, model) pair is forecast (:mod:`accord.executors`);
            in this process by default. The draws are made here, so the numbers are the
            same on every executor.

    Raises:
        ForecastError: No issue to score, or bad settings.
    """
    if cases.count == 0:
        raise ForecastError("no issue with a known outcome to score")
    if not 0.5 <= level < 1:
        raise ForecastError(f"level must be at least 0.5 and below 1, got {level:g}")
    if resamples < 100:
        raise ForecastError(f"resamples must be at least 100, got {resamples}")
    chosen = resolve_models(models)
    if BASELINE not in {m.name for m in chosen}:
        chosen = [*resolve_models([BASELINE]), *chosen]
    block_seeds = np.random.SeedSequence(seed).spawn(len(cases.blocks))
    work: list[tuple[int, ForecastModel, CaseBlock, Any]] = []
    for block, block_seed in zip(cases.blocks, block_seeds, strict=True):
        draws = None
        if samples > 0 and block.uncertainty is not None:
            draws = block.uncertainty.sample(
                block.arrays, samples, np.random.default_rng(block_seed)
            )
        work.extend((len(work), model, block, draws) for model in chosen)
    answers: dict[int, tuple[Array, Array | None]] = {}
    for (index, *_), answer in (executor or InProcessExecutor()).run(_forecast_block, work):
        answers[index] = answer
        if progress is not None:
            progress(len(answers), len(work))
    frames = [_issue_rows(model, block, *answers[index]) for index, model, block, _ in work]
    issues = pd.concat(frames, ignore_index=True)
    if "mc_low" not in issues:
        issues["mc_low"] = issues["mc_high"] = np.nan
    issues["error"] = issues["forecast"] - issues["outcome"]
    issues["abs_error"] = issues["error"].abs()
    edge = np.minimum(
        (issues["forecast"] - issues["scale_min"]).abs(),
        (issues["scale_max"] - issues["forecast"]).abs(),
    )
    issues["at_end"] = pd.Series(edge <= 0.005 * issues["span"]).where(issues["forecast"].notna())
    return BacktestResult(
        issues=issues,
        summary=_summary(issues, [m for m in chosen], level, resamples, seed),
        level=level,
        samples=samples,
        seed=seed,
        sources=cases.sources,
    )


def _summary(
    issues: pd.DataFrame, models: list[ForecastModel], level: float, resamples: int, seed: int
) -> pd.DataFrame:
    baseline = issues[issues["model"] == BASELINE].reset_index(drop=True)
    rows = []
    for model in models:
        mine = issues[issues["model"] == model.name].reset_index(drop=True)
        e = mine["abs_error"].to_numpy(dtype=float)
        row: dict[str, Any] = {"model": model.name, "label": model.label}
        row |= score(
            mine["forecast"].to_numpy(float),
            mine["outcome"].to_numpy(float),
            mine["span"].to_numpy(float),
        )
        answered = mine["forecast"].notna()
        row["at_ends"] = float(mine.loc[answered, "at_end"].astype(float).mean())
        both = answered & baseline["forecast"].notna()
        diff = np.where(both, e - baseline["abs_error"].to_numpy(dtype=float), np.nan)
        row["baseline_mae"] = float(baseline.loc[both, "abs_error"].mean())
        row["vs_baseline"] = float(np.nanmean(diff)) if both.any() else float("nan")
        if model.name == BASELINE or not both.any():
            row["vs_baseline_low"] = row["vs_baseline_high"] = float("nan")
        else:
            lo, hi = paired_bootstrap(diff, list(mine["group"]), resamples, seed, level)
            row["vs_baseline_low"], row["vs_baseline_high"] = lo, hi
        row["conformal_halfwidth"] = conformal_halfwidth(e, level)
        row["conformal_coverage"] = cross_fitted_coverage(e, list(mine["group"]), level, seed)
        mc = mine["mc_low"].notna()
        row["mc_issues"] = float(mc.sum())
        row["mc_coverage"] = (
            float(
                (
                    (mine.loc[mc, "outcome"] >= mine.loc[mc, "mc_low"] - 1e-9)
                    & (mine.loc[mc, "outcome"] <= mine.loc[mc, "mc_high"] + 1e-9)
                ).mean()
            )
            if mc.any()
            else float("nan")
        )
        rows.append(row)
    return pd.DataFrame.from_records(rows)
