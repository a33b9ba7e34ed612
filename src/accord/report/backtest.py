"""The back-test as one self-contained HTML page: scores, error distributions, calibration."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
import numpy as np

from accord.report.html import png

if TYPE_CHECKING:
    from accord.backtest import BacktestResult

__all__ = ["calibration", "render_backtest"]

LEVELS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95)


def calibration(
    result: BacktestResult, levels: tuple[float, ...] = LEVELS
) -> dict[str, list[float]]:
    """Per model: the cross-fitted coverage of its conformal interval at each nominal level."""
    from accord.backtest.scoring import cross_fitted_coverage

    out: dict[str, list[float]] = {}
    for name, group in result.issues.groupby("model", sort=False):
        errors = group["abs_error"].to_numpy(dtype=float)
        out[str(name)] = [
            cross_fitted_coverage(errors, list(group["group"]), level, result.seed)
            for level in levels
        ]
    return out


def _errors_figure(result: BacktestResult, path: Path) -> None:
    from accord.report.plots import pyplot, save

    plt = pyplot()
    labels = dict(zip(result.summary["model"], result.summary["label"], strict=True))
    groups = [
        (labels[str(name)], g["error"].dropna().to_numpy(dtype=float))
        for name, g in result.issues.groupby("model", sort=False)
    ]
    fig, ax = plt.subplots(figsize=(8, 0.55 * len(groups) + 1.4))
    ax.boxplot([e for _, e in groups], orientation="horizontal", whis=(5, 95), showfliers=False)
    ax.set_yticks(range(1, len(groups) + 1), [name for name, _ in groups])
    ax.axvline(0, color="0.5", lw=0.8)
    ax.set_xlabel("forecast − outcome (box: middle half; whiskers: 5–95%)")
    ax.invert_yaxis()
    fig.tight_layout()
    save(fig, path)


def _calibration_figure(result: BacktestResult, path: Path) -> None:
    from accord.report.plots import pyplot, save

    plt = pyplot()
    labels = dict(zip(result.summary["model"], result.summary["label"], strict=True))
    fig, ax = plt.subplots(figsize=(5.2, 4.4))
    ax.plot([0.45, 1], [0.45, 1], color="0.6", ls="--", lw=0.8, label="nominal")
    for name, coverage in calibration(result).items():
        ax.plot(LEVELS, coverage, marker="o", ms=3, label=labels[name])
    ax.set_xlabel("nominal level of the empirical interval")
    ax.set_ylabel("share of outcomes covered (cross-fitted)")
    ax.set_xlim(0.45, 1)
    ax.set_ylim(0.3, 1.02)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    save(fig, path)


def _clean(value: Any) -> Any:
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return None
    return value


def render_backtest(result: BacktestResult) -> str:
    """The page as HTML text (write it with an atomic write)."""
    from accord import __version__

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("accord.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    rows = [{k: _clean(v) for k, v in r.items()} for r in result.summary.to_dict("records")]
    return env.get_template("backtest.html.j2").render(
        result=result,
        rows=rows,
        issues=int(np.nanmax(result.summary["issues"])),
        level=round(100 * result.level),
        sources=[Path(s).name for s in result.sources],
        verdict=result.verdict(),
        images={
            "errors": png(_errors_figure, result),
            "calibration": png(_calibration_figure, result),
        },
        version=__version__,
    )
