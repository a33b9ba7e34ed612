"""``accord backtest``: every model scored on decisions whose outcomes are known."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Group
from rich.table import Table
from rich.text import Text

from accord.cli.common import console, executor_for, with_progress
from accord.cli.root import DaskOption, ExecutorOption, WorkersOption
from accord.errors import AccordError

if TYPE_CHECKING:
    from accord.backtest import BacktestResult

__all__ = ["backtest_command", "backtest_view", "write_results"]

OUT_SUFFIXES = (".csv", ".json", ".parquet")


def _number(value: Any, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, float) and math.isinf(value):
        return "∞"
    return f"{value:.{digits}f}"


def _share(value: Any) -> str:
    return "—" if value is None or value != value else f"{100 * value:.0f}%"


def backtest_view(result: BacktestResult) -> Group:
    """Two narrow tables (errors; against the mean and intervals), a legend, the verdict.

    Two tables rather than one wide one, so that nothing is cut at 80 columns.
    """
    level = round(100 * result.level)
    issues = int(result.summary["issues"].max())
    names = ", ".join(Path(s).name for s in result.sources)
    errors = Table(
        title=f"Back-test on {issues} decisions with known outcomes ({names})",
        title_justify="left",
    )
    against = Table(
        title=f"Against the weighted mean, and {level}% empirical intervals", title_justify="left"
    )
    for table, columns in (
        (errors, ["Model", "Issues", "MAE", "Median", "RMSE", "Bias", "At ends", "≤10 off"]),
        (against, ["Model", "vs mean", f"{level}% interval", f"±{level}%", "Covers"]),
    ):
        for name in columns:
            if name == "Model":
                table.add_column(name, overflow="fold")
            else:
                table.add_column(name, justify="right", no_wrap=True)
    if result.samples:
        against.add_column("MC covers", justify="right", overflow="fold")
    for row in result.summary.to_dict(orient="records"):
        errors.add_row(
            row["label"],
            str(int(row["issues"])),
            _number(row["mae"], 2),
            _number(row["median_ae"]),
            _number(row["rmse"]),
            _number(row["bias"]),
            _share(row["at_ends"]),
            _share(row["within_10"]),
        )
        baseline = row["model"] == "mean"
        cells = [
            row["label"],
            "baseline" if baseline else _number(row["vs_baseline"], 2),
            ""
            if baseline
            else f"{_number(row['vs_baseline_low'], 2)} to {_number(row['vs_baseline_high'], 2)}",
            _number(row["conformal_halfwidth"]),
            _share(row["conformal_coverage"]),
        ]
        if result.samples:
            cells.append(_share(row["mc_coverage"]) if row["mc_issues"] else "none stated")
        against.add_row(*cells)
    legend = (
        "MAE, Median, RMSE: absolute error's mean and median, root mean square error, on the "
        "issues' scales. Bias: mean of forecast − outcome. At ends: forecasts at an end of the "
        "scale. ≤10 off: within 10% of the scale of the outcome. vs mean: MAE minus the weighted "
        f"mean's on the same issues (negative is better), with its {level}% interval from a "
        f"paired bootstrap over proposals (seed {result.seed}). ±{level}%: half-width of the "
        f"model's empirical {level}% interval (split-conformal, from its errors here). Covers: how "
        "often that interval held the outcome when computed without the issue's own proposal."
    )
    if result.samples:
        legend += " MC covers: outcomes inside the 5–95% Monte Carlo interval."
    parts: list[Table | Text] = [errors, against, Text(legend, style="dim")]
    parts.append(Text(result.verdict()))
    return Group(*parts)


def backtest_command(
    data: Annotated[
        list[Path],
        typer.Argument(
            help="Data files or folders: a DEU table (.tsv or .csv), actor tables with an "
            "Outcome column, scenario files (.toml) whose issues carry an outcome.",
            show_default=False,
            metavar="DATA...",
        ),
    ],
    model: Annotated[
        list[str] | None,
        typer.Option(
            "--model",
            "-m",
            help="Model to score; repeat for several (all by default; the weighted mean is "
            "always scored, as the baseline).",
            show_default=False,
            metavar="MODEL",
        ),
    ] = None,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            "-n",
            min=0,
            help="Monte Carlo draws over the data's stated uncertainty; reports how often the "
            "5–95% interval held the outcome.",
        ),
    ] = 0,
    seed: Annotated[
        int, typer.Option("--seed", "-s", help="Seed of the bootstrap, folds and draws.")
    ] = 0,
    level: Annotated[
        float,
        typer.Option("--level", min=0.5, max=0.99, help="Level of the intervals."),
    ] = 0.90,
    resamples: Annotated[
        int, typer.Option("--resamples", min=100, help="Bootstrap resamples.")
    ] = 2000,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Also write the results: .json (models and issues), or .csv / .parquet "
            "(one row per issue and model; the per-model scores beside it as "
            "NAME.models.csv / .parquet).",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    report: Annotated[
        Path | None,
        typer.Option(
            "--report",
            help="Also write an HTML page: the scores, error distributions and calibration.",
            show_default=False,
            metavar="FILE.html",
        ),
    ] = None,
    executor: ExecutorOption = "in-process",
    workers: WorkersOption = None,
    dask: DaskOption = None,
) -> None:
    """Score every forecasting model on decisions whose outcomes are known.

    Prints each model's errors, its difference from the weighted mean with a
    bootstrap interval, and its empirical interval with the coverage it achieved.
    """
    if out is not None and out.suffix.lower() not in OUT_SUFFIXES:
        raise AccordError(f"{out}: --out must end in {', '.join(OUT_SUFFIXES)}")
    if report is not None and report.suffix.lower() not in {".html", ".htm"}:
        raise AccordError(f"{report}: --report must end in .html")
    for target in (out, report):
        if target is not None and not (target.parent if str(target.parent) else Path(".")).is_dir():
            raise AccordError(
                f"{target}: the folder {target.parent} does not exist; create it first"
            )
    from accord.backtest import backtest, read_cases
    from accord.forecasting.models import get_model

    chosen = [get_model(m) for m in model] if model else None
    cases = read_cases(data)
    with executor_for(executor, workers, dask) as engine:
        result = with_progress(
            lambda progress: backtest(
                cases,
                chosen,
                samples=samples,
                seed=seed,
                level=level,
                resamples=resamples,
                progress=progress,
                executor=engine,
            ),
            len(cases.blocks) * (len(chosen) + 1 if chosen else 7),
            what="Models on issues",
        )
    terminal = console()
    terminal.print(backtest_view(result))
    written = []
    if out is not None:
        written += write_results(result, out)
    if report is not None:
        from accord.files import write_atomically
        from accord.report.backtest import render_backtest

        write_atomically(report, render_backtest(result))
        written.append(report)
    for path in written:
        terminal.print(f"Wrote {path}", style="dim")


def write_results(result: BacktestResult, out: Path) -> list[Path]:
    """Write the results in the format the suffix names; returns the files written."""
    from accord.files import atomic_path, write_atomically

    suffix = out.suffix.lower()
    if suffix == ".json":
        write_atomically(out, result.to_json())
        return [out]
    models = out.with_name(f"{out.stem}.models{out.suffix}")
    issues = result.issues.drop(columns=["span"])
    if suffix == ".csv":
        write_atomically(out, issues.to_csv(index=False, lineterminator="\n"))
        write_atomically(models, result.summary.to_csv(index=False, lineterminator="\n"))
    else:
        for frame, path in ((issues, out), (result.summary, models)):
            with atomic_path(path, suffix=".parquet") as tmp:
                frame.to_parquet(tmp, index=False)
    return [out, models]
