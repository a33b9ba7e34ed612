"""Commands that read a scenario: forecast, influence, validate, models."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.common import console as _console
from accord.cli.common import executor_for, scenario_summary, user_errors, with_progress
from accord.cli.root import (
    DaskOption,
    ExecutorOption,
    FormatOption,
    ModelName,
    ScenarioFile,
    WorkersOption,
)
from accord.errors import AccordError
from accord.files import write_atomically
from accord.forecasting import MODELS, ForecastTable, IssueArrays, forecast
from accord.forecasting.distribution import ForecastDistribution, forecast_distribution
from accord.scenario import load_scenario

__all__ = ["forecast_command", "influence_command", "models_command", "validate_command"]


@user_errors
def forecast_command(
    scenario_file: ScenarioFile,
    format: FormatOption = None,
    model: Annotated[
        list[ModelName] | None,
        typer.Option(
            "--model",
            "-m",
            help="Model to run; repeat for several. Default: all of " + ", ".join(MODELS) + ". "
            "Naming expected-utility prints its round-by-round trajectory; naming "
            "exchange lists the exchanges made.",
            show_default=False,
            metavar="MODEL",
        ),
    ] = None,
    rounds: Annotated[
        int | None,
        typer.Option(
            "--rounds",
            "-r",
            min=0,
            help="At most this many rounds of the expected-utility model (default 20); it "
            "stops earlier once no position moves by more than 1% of the scale.",
            show_default=False,
        ),
    ] = None,
    scholz: Annotated[
        bool,
        typer.Option(
            "--scholz",
            help="Expected utility as Scholz et al. (2011) computed it: their code's readings, "
            "every round run, the median after the last (with --rounds 8: their Table 2).",
        ),
    ] = False,
    samples: Annotated[
        int,
        typer.Option(
            "--samples",
            "-n",
            min=0,
            help="Monte Carlo draws over the scenario's uncertainties (sd, low/high); "
            "0 for the point forecast. Reports the median and the 5–95% interval.",
        ),
    ] = 0,
    seed: Annotated[
        int,
        typer.Option(
            "--seed", "-s", help="Seed of the Monte Carlo draws: same seed, same numbers."
        ),
    ] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            "-o",
            help="Also write the forecasts to this file: .csv (tidy rows) or .json.",
            show_default=False,
            metavar="FILE",
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Draw a PNG: with --samples, the forecast distributions; with the "
            "expected-utility model, positions per round and the quad map.",
            show_default=False,
            metavar="FILE.png",
        ),
    ] = None,
    quad_round: Annotated[
        int, typer.Option("--quad-round", min=1, help="Round whose quad map --plot draws.")
    ] = 1,
    executor: ExecutorOption = "in-process",
    workers: WorkersOption = None,
    dask: DaskOption = None,
) -> None:
    """Forecast every issue of a scenario with the collective-decision models.

    Prints one table, issues as rows and models as columns, each forecast read
    against the nearest labelled point of its issue.
    """
    if out is not None and out.suffix.lower() not in {".csv", ".json"}:
        raise AccordError(f"{out}: --out must end in .csv or .json")
    if plot is not None and plot.suffix.lower() != ".png":
        raise AccordError(f"{plot}: --plot must end in .png")
    from accord.cli import render

    scenario = load_scenario(scenario_file)
    names = [m.value for m in model] if model else list(MODELS)
    eu = _expected_utility(rounds, scholz)
    chosen = [eu if name == eu.name else MODELS[name] for name in names]
    console = _console()
    result: ForecastTable | ForecastDistribution
    if samples > 0:
        with executor_for(executor, workers, dask) as engine:
            result = with_progress(
                lambda progress: forecast_distribution(
                    scenario,
                    samples,
                    seed,
                    models=chosen,
                    format_id=format,
                    progress=progress,
                    executor=engine,
                ),
                samples,
            )
        console.print(render.distribution_view(result, scenario, console.width))
        if plot is not None:
            from accord.report.plots import plot_distributions

            plot_distributions(result, plot)
    else:
        result = forecast(scenario, models=chosen, format_id=format)
        console.print(render.forecast_view(result, scenario, console.width))
        if (model and eu.name in names) or plot is not None:
            seated = scenario.seated_at(format) if format else scenario
            runs = eu.trajectories(IssueArrays.from_scenario(seated), keep_eu=plot is not None)
            if model and eu.name in names:
                console.print(render.trajectory_view(runs, seated))
            if plot is not None:
                from accord.report.plots import plot_trajectories

                plot_trajectories(runs, seated, plot, quad_round=quad_round)
        if model and "exchange" in names:
            from accord.forecasting.exchange import ExchangeModel

            seated = scenario.seated_at(format) if format else scenario
            run = ExchangeModel().run(IssueArrays.from_scenario(seated))
            console.print(render.exchange_view(run, seated))
    if out is not None:
        write_atomically(
            out, result.to_json() if out.suffix.lower() == ".json" else result.to_csv()
        )
        console.print(f"Wrote {out}", style="dim")
    if plot is not None:
        console.print(f"Wrote {plot}", style="dim")


def _expected_utility(rounds: int | None, scholz: bool) -> Any:
    """The expected-utility model as the options ask: backtested by default, or Scholz's."""
    from accord.forecasting.eu_options import SCHOLZ
    from accord.forecasting.models import ExpectedUtility

    if scholz:
        return ExpectedUtility(
            rounds=8 if rounds is None else rounds, options=SCHOLZ, reading="last"
        )
    return ExpectedUtility() if rounds is None else ExpectedUtility(rounds=rounds)


@user_errors
def influence_command(
    scenario_file: ScenarioFile,
    format: FormatOption = None,
    model: Annotated[
        ModelName,
        typer.Option("--model", "-m", help="Model whose forecasts are compared.", metavar="MODEL"),
    ] = "expected-utility",  # type: ignore[assignment]
    rounds: Annotated[
        int | None,
        typer.Option(
            "--rounds",
            "-r",
            min=0,
            help="At most this many rounds of the expected-utility model (default 20).",
            show_default=False,
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option("--out", "-o", help="Also write the rows to .csv or .json.", metavar="FILE"),
    ] = None,
) -> None:
    """Rank the actors by how far they move the forecasts.

    For each actor and issue: the shift of the forecast if the actor leaves the
    table, and if it moves its position by ±10% of the issue's scale.
    """
    if out is not None and out.suffix.lower() not in {".csv", ".json"}:
        raise AccordError(f"{out}: --out must end in .csv or .json")
    from accord.cli import render
    from accord.forecasting.influence import influence

    scenario = load_scenario(scenario_file)
    name = model.value if hasattr(model, "value") else str(model)
    chosen = _expected_utility(rounds, False) if name == "expected-utility" else MODELS[name]
    result = influence(scenario, chosen, format_id=format)
    _console().print(render.influence_view(result, scenario))
    if out is not None:
        frame = result.to_frame()
        text = (
            frame.to_json(orient="records", indent=2) + "\n"
            if out.suffix.lower() == ".json"
            else frame.to_csv(index=False, lineterminator="\n")
        )
        write_atomically(out, text)
        _console().print(f"Wrote {out}", style="dim")


@user_errors
def validate_command(
    scenario_file: ScenarioFile,
    strict: Annotated[
        bool,
        typer.Option(
            "--strict",
            help="Sources after the scenario's date, and cited sources without a date, "
            "are errors (exit 2), not warnings.",
        ),
    ] = False,
) -> None:
    """Check a scenario file and report every problem in it.

    Exits 0 when the file is valid, 2 when it is not (one line per problem:
    file, line, dotted path, what is wrong and what is allowed). A source dated
    after the scenario's own date is hindsight: a warning, an error with --strict.
    """
    from accord.errors import ScenarioError
    from accord.scenario.loader import hindsight_problems

    scenario = load_scenario(scenario_file)
    later = hindsight_problems(scenario_file, strict=strict)
    if strict and later:
        raise ScenarioError(str(scenario_file), later)
    for problem in later:
        _console(stderr=True).print(f"warning: {problem}", markup=False, soft_wrap=True)
    _console().print(f"ok: {scenario_file}: {scenario_summary(scenario)}", markup=False)


def models_command() -> None:
    """List the forecasting models and what each computes."""
    console = _console()
    for name, model in MODELS.items():
        console.print(f"{name:8} {model.label}: {model.summary}", markup=False)
