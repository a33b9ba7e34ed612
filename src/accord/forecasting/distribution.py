"""Forecasts under uncertainty: a seeded Monte Carlo over the scenario's stated uncertainties."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from accord.errors import ForecastError
from accord.executors import Executor, InProcessExecutor
from accord.forecasting.classic import Array
from accord.forecasting.expected_utility import draws_per_chunk
from accord.forecasting.holders import within_holders
from accord.forecasting.inputs import IssueArrays
from accord.forecasting.models import Ensemble, ForecastModel
from accord.forecasting.table import issue_records, resolve_models
from accord.forecasting.uncertainty import Uncertainty
from accord.scenario import Issue, Scenario

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["ForecastDistribution", "forecast_distribution"]

Progress = Callable[[int, int], None]

CHUNKS_TO_SHARE = 16
"""Chunks of draws made for an executor, so that several workers have work."""


def _chunk_values(
    task: tuple[int, IssueArrays, Sequence[ForecastModel]],
) -> dict[str, Array]:
    """Every model's forecasts on one chunk of draws (a task an executor can run anywhere)."""
    _, part, chosen = task
    done: list[tuple[ForecastModel, Array]] = []
    for model in chosen:
        values = model.reuse(done) if isinstance(model, Ensemble) else None
        if values is None:
            values = within_holders(model.predict_values(part), part)
        done.append((model, values))
    return {model.name: values for model, values in done}


"""Called as ``progress(done, total)`` after each chunk of draws."""


@dataclass(frozen=True, eq=False)
class ForecastDistribution:
    """Forecasts of every issue by every model, for every Monte Carlo draw.

    Attributes:
        samples: Per model name, an array ``(draws, n_issues)``.
        seed: The seed the draws were made from.
        point: Per model name, the point forecast ``(n_issues,)`` of the scenario as written.
        uncertain: Whether the scenario states any uncertainty at all.
    """

    scenario: str
    format_id: str | None
    actors: tuple[str, ...]
    issues: tuple[Issue, ...]
    models: tuple[str, ...]
    samples: dict[str, Array]
    seed: int
    level: float = 0.90
    point: dict[str, Array] | None = None
    uncertain: bool = True

    @property
    def draws(self) -> int:
        """Number of Monte Carlo draws."""
        return int(next(iter(self.samples.values())).shape[0])

    def interval(self, issue: str, model: str) -> tuple[float, float, float]:
        """``(median, low, high)``: the median draw and the central interval (5–95% by default)."""
        k = [i.id for i in self.issues].index(issue)
        values = self.samples[model][:, k]
        values = values[~np.isnan(values)]
        if values.size == 0:
            nan = float("nan")
            return nan, nan, nan
        tail = (1.0 - self.level) / 2.0
        lo, mid, hi = np.quantile(values, [tail, 0.5, 1.0 - tail])
        return float(mid), float(lo), float(hi)

    def flags(self, issue: str, model: str) -> list[str]:
        """Where the distribution needs reading with care, in words (empty if nowhere).

        * no stated uncertainty reaches the forecast: the interval has zero width;
        * the point forecast lies outside its own interval;
        * the draws fall into two clusters, so the median describes neither.
        """
        k = [i.id for i in self.issues].index(issue)
        mid, lo, hi = self.interval(issue, model)
        if np.isnan(mid):
            return []
        scale = self.issues[k].scale
        out = []
        if hi - lo <= 1e-9 * scale.span:
            out.append(
                "no stated uncertainty: the interval has no width"
                if not self.uncertain
                else "no stated uncertainty moves this forecast: the interval has no width"
            )
        point = None if self.point is None else float(self.point[model][k])
        tolerance = 1e-9 * scale.span
        if (
            point is not None
            and not np.isnan(point)
            and not lo - tolerance <= point <= hi + tolerance
        ):
            out.append(
                f"the point forecast {point:.4g} lies outside its interval: small changes "
                "in the inputs move this model's answer a long way"
            )
        modes = _modes(self.samples[model][:, k], scale.min, scale.max)
        if modes is not None:
            out.append(
                f"two clusters of draws, around {modes[0]:.3g} and {modes[1]:.3g}: "
                "the median describes neither"
            )
        return out

    def records(self) -> list[dict[str, Any]]:
        """One row per (issue, model): median, interval, anchor of the median, flags."""
        out = []
        tail = round(100 * (1.0 - self.level) / 2.0)
        for issue in self.issues:
            for model in self.models:
                mid, lo, hi = self.interval(issue.id, model)
                anchor = issue.nearest_anchor(mid)
                words = "" if np.isnan(mid) else issue.reading(mid)

                def clean(v: float) -> float | None:
                    return None if np.isnan(v) else v

                out.append(
                    {
                        "issue": issue.id,
                        "model": model,
                        "median": clean(mid),
                        f"p{tail:02d}": clean(lo),
                        f"p{100 - tail:02d}": clean(hi),
                        "anchor": None if anchor is None else anchor.label,
                        "reading": words,
                        "value": None
                        if self.point is None
                        else clean(
                            float(self.point[model][[i.id for i in self.issues].index(issue.id)])
                        ),
                        "flags": "; ".join(self.flags(issue.id, model)),
                        "draws": self.draws,
                        "seed": self.seed,
                    }
                )
        return out

    def to_frame(self) -> pd.DataFrame:
        """The summary records as a tidy DataFrame."""
        import pandas as pd

        return pd.DataFrame.from_records(self.records())

    def to_json(self) -> str:
        """Summary and settings as JSON text."""
        payload = {
            "scenario": self.scenario,
            "format": self.format_id,
            "actors": list(self.actors),
            "models": list(self.models),
            "issues": issue_records(self.issues),
            "draws": self.draws,
            "seed": self.seed,
            "forecasts": self.records(),
        }
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"

    def to_csv(self) -> str:
        """Summary records as CSV text."""
        return self.to_frame().to_csv(index=False, lineterminator="\n")


_BINS = 20


def _modes(values: Array, lo: float, hi: float) -> tuple[float, float] | None:
    """The centres of two clusters of draws, if the draws form two; ``None`` otherwise.

    The draws are counted in 20 bins over the scale. Two clusters means two peaks,
    each holding at least 10% of the draws within a bin of it, with a bin between
    them holding at most a quarter of the smaller peak.
    """
    values = values[~np.isnan(values)]
    if values.size < 20 or hi <= lo:
        return None
    counts, edges = np.histogram(values, bins=_BINS, range=(lo, hi))
    padded = np.concatenate([[0], counts, [0]])
    mass = padded[:-2] + padded[1:-1] + padded[2:]
    peaks = [
        j
        for j in range(_BINS)
        if counts[j] > 0
        and counts[j] >= padded[j]
        and counts[j] >= padded[j + 2]
        and mass[j] >= 0.10 * values.size
    ]
    for a in range(len(peaks)):
        for b in range(a + 1, len(peaks)):
            i, j = peaks[a], peaks[b]
            if j - i >= 2 and counts[i + 1 : j].min() <= 0.25 * min(counts[i], counts[j]):
                centre = 0.5 * (edges[:-1] + edges[1:])
                return float(centre[i]), float(centre[j])
    return None


def forecast_distribution(
    scenario: Scenario,
    samples: int,
    seed: int,
    models: Sequence[str | ForecastModel] | None = None,
    format_id: str | None = None,
    progress: Progress | None = None,
    chunk: int = 1000,
    executor: Executor | None = None,
) -> ForecastDistribution:
    """Forecast every issue under the scenario's uncertainties.

    Args:
        scenario: A loaded scenario; values with ``sd`` or ``low``/``high`` vary.
        samples: Number of Monte Carlo draws.
        seed: Seed of the one random generator of the run; same seed, same numbers.
        models: Model names or objects; all registered models by default.
        format_id: A format id: only the actors at that table.
        progress: Called after each chunk of draws with ``(done, total)``.
        chunk: Draws evaluated at once (memory only; results do not depend on it).
        executor: Where the chunks run (:mod:`accord.executors`); in this process by
            default. Every draw is made here, from the one generator, before any chunk
            is sent, so the numbers are the same on every executor.
    """
    if samples < 1:
        raise ForecastError(f"--samples must be at least 1, got {samples}")
    chosen = resolve_models(models)
    seated = scenario.seated_at(format_id) if format_id is not None else scenario
    base = IssueArrays.from_scenario(seated)
    drawn = Uncertainty.from_scenario(seated).sample(base, samples, np.random.default_rng(seed))
    out = {m.name: np.empty((samples, len(base.issues))) for m in chosen}
    # An issue with many actors needs (draws × actors²) memory in the pairwise models.
    chunk = draws_per_chunk(len(base.actors), chunk)
    if executor is not None:
        chunk = min(chunk, max(1, -(-samples // CHUNKS_TO_SHARE)))
    parts = [
        (
            start,
            drawn.with_values(
                drawn.position[start : start + chunk],
                drawn.salience[start : start + chunk],
                drawn.capability[start : start + chunk],
            ),
            chosen,
        )
        for start in range(0, samples, chunk)
    ]
    done = 0
    for (start, part, _), values in (executor or InProcessExecutor()).run(_chunk_values, parts):
        stop = start + len(part.position)
        for name, array in values.items():
            out[name][start:stop] = array
        done += stop - start
        if progress is not None:
            progress(done, samples)
    uncertainty = Uncertainty.from_scenario(seated)
    return ForecastDistribution(
        scenario=scenario.name,
        format_id=format_id,
        actors=seated.actor_ids,
        issues=seated.issues,
        models=tuple(m.name for m in chosen),
        samples=out,
        seed=seed,
        point={
            m.name: np.asarray(within_holders(m.predict_values(base), base), dtype=np.float64)
            for m in chosen
        },
        uncertain=uncertainty.any,
    )
