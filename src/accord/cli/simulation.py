"""Commands that simulate: negotiate, run (the main job) and experiment (sweeps)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.common import console as _console
from accord.cli.common import (
    executor_for,
    name_value,
    party_negotiator,
    user_errors,
    with_progress,
)
from accord.cli.root import DaskOption, ExecutorOption, FormatOption, ScenarioFile, WorkersOption
from accord.errors import AccordError
from accord.files import write_atomically
from accord.negotiation.negotiators import NegotiatorName
from accord.negotiation.protocols import ProtocolName, VotingRule
from accord.negotiation.scenario_domain import (
    MAX_NEGOTIATED_PACKAGES,
    SHAPES,
    Shape,
    resolution_within,
)
from accord.scenario import load_scenario

__all__ = ["experiment_command", "negotiate_command", "run_command"]


@user_errors
def negotiate_command(
    scenario_file: ScenarioFile,
    format: FormatOption = None,
    protocol: Annotated[
        ProtocolName,
        typer.Option(
            "--protocol",
            "-p",
            help="alternating (bilateral, or stacked for more parties), chair-text "
            "(single negotiating text, unanimity) or voting.",
            metavar="PROTOCOL",
        ),
    ] = "alternating",
    negotiator: Annotated[
        NegotiatorName,
        typer.Option(
            "--negotiator",
            help="Strategy of every delegation: boulware, linear, conceder, trust-sensitive, "
            "tit-for-tat, hardliner or random.",
            metavar="NAME",
        ),
    ] = "boulware",
    assign: Annotated[
        list[str] | None,
        typer.Option(
            "--as",
            help="Strategy of one delegation, as PARTY=NAME (repeat); overrides --negotiator.",
            metavar="PARTY=NAME",
            show_default=False,
        ),
    ] = None,
    steps: Annotated[int, typer.Option("--steps", min=1, help="Rounds before the deadline.")] = 100,
    chair: Annotated[
        str | None,
        typer.Option(
            "--chair",
            help="chair-text: the party that chairs (default: a neutral chair).",
            metavar="PARTY",
            show_default=False,
        ),
    ] = None,
    rule: Annotated[VotingRule, typer.Option("--rule", help="voting: votes a text needs.")] = (
        "majority"
    ),
    resolution: Annotated[
        int | None,
        typer.Option(
            "--resolution",
            min=2,
            help="Values per issue (scale ends included). Default: 5, fewer where the joint "
            f"space would pass {MAX_NEGOTIATED_PACKAGES:,} packages.",
            show_default=False,
        ),
    ] = None,
    shape: Annotated[
        Shape, typer.Option("--shape", help="Value functions: linear or quadratic in distance.")
    ] = "linear",
    seed: Annotated[int, typer.Option("--seed", "-s", help="Seed of the run.")] = 0,
    out: Annotated[
        Path | None,
        typer.Option(
            "--out", "-o", help="Write the transcript and result as .json.", metavar="FILE"
        ),
    ] = None,
    plot: Annotated[
        Path | None,
        typer.Option(
            "--plot",
            help="Draw a PNG: offers over time, and for two parties the utility plane "
            "with the Pareto frontier.",
            metavar="FILE.png",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Play a negotiation out on a scenario, offer by offer, and analyse the result.

    Each delegation's utility comes from its positions (ideal points), saliences
    (weights) and the status quo (reservation value); see docs/negotiation.md.
    """
    if out is not None and out.suffix.lower() != ".json":
        raise AccordError(f"{out}: --out must end in .json")
    if plot is not None and plot.suffix.lower() != ".png":
        raise AccordError(f"{plot}: --plot must end in .png")
    from accord.cli import render
    from accord.negotiation import analyse, domain_from_scenario, get_protocol, make_negotiator

    # The options' form is checked before any work; the parties once the table is known.
    assigned = [party_negotiator("--as", item, "dprk=hardliner") for item in assign or []]
    scenario = load_scenario(scenario_file)
    if resolution is None:
        resolution = _negotiable_resolution(scenario, format)
    domain = domain_from_scenario(scenario, format, resolution=resolution, shape=shape)
    names: dict[str, str] = {party: negotiator for party in domain.parties}
    for party, name in assigned:
        domain.index(party)
        names[party] = name
    negotiators = [make_negotiator(names[p]) for p in domain.parties]
    if chair is not None:
        domain.index(chair)
    engine = get_protocol(protocol, steps, chair=chair, rule=rule)
    result = engine.run(domain, negotiators, seed=seed)
    analysis = analyse(domain, result)
    _console().print(
        render.negotiation_view(
            domain, result, analysis, [names[p] for p in domain.parties], scenario
        )
    )
    if out is not None:
        from accord.negotiation.export import result_to_json

        write_atomically(out, result_to_json(domain, result, analysis, seed))
        _console().print(f"Wrote {out}", style="dim")
    if plot is not None:
        from accord.report.plots import plot_negotiation

        plot_negotiation(domain, result, plot)
        _console().print(f"Wrote {plot}", style="dim")


def _sweep_values(item: str, name: str, values: list[str]) -> list[object]:
    """The values of one ``--param NAME=V1,V2``, each checked before any worker starts."""
    from accord.forum.implementation import STRATEGIES
    from accord.negotiation import NEGOTIATORS

    allowed: dict[str, tuple[str, ...]] = {
        "negotiator": tuple(NEGOTIATORS),
        "strategy": tuple(STRATEGIES),
        "shape": SHAPES,
    }
    if name == "steps":
        out: list[object] = []
        for v in values:
            if not v.strip().isdigit() or int(v) < 1:
                raise AccordError(
                    f"--param {item!r}: steps must be whole numbers from 1, got {v!r}"
                )
            out.append(int(v))
        return out
    if name not in allowed:
        raise AccordError(f"--param {name!r}: choose negotiator, strategy, shape or steps")
    for v in values:
        if v not in allowed[name]:
            raise AccordError(
                f"--param {item!r}: {v!r} is not a {name}; choose from {', '.join(allowed[name])}"
            )
    return list(values)


def _negotiable_resolution(scenario: Any, table: str | None) -> int:
    """5 values per issue, or fewer where the joint space would be too large (said aloud)."""
    from accord.negotiation import domain_from_scenario

    sizes = domain_from_scenario(scenario, table, resolution=2).space.sizes
    free = sum(1 for size in sizes if size > 1)  # an issue fixed at the status quo has one value
    resolution = resolution_within(free, MAX_NEGOTIATED_PACKAGES)
    if resolution < 5:
        _console(stderr=True).print(
            f"note: {free} issues at 5 values each would be {5**free:,} packages; negotiating "
            f"at {resolution} values per issue ({resolution**free:,} packages). Pass "
            "--resolution to choose (the forum and `accord run` search the whole space at 5).",
            markup=False,
            soft_wrap=True,
        )
    return resolution


@user_errors
def run_command(
    scenario_file: ScenarioFile,
    report: Annotated[
        Path,
        typer.Option("--report", "-o", help="Where to write the HTML report.", metavar="FILE.html"),
    ] = Path("accord-report.html"),
    samples: Annotated[
        int | None,
        typer.Option(
            "--samples",
            "-n",
            min=1,
            help="Monte Carlo draws for the forecasts [default: 500, fewer on large tables].",
            show_default=False,
        ),
    ] = None,
    draws: Annotated[
        int | None,
        typer.Option(
            "--draws",
            min=1,
            help="Draws of the scenario for the format comparison "
            "[default: 20, fewer on large tables].",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Seed of the whole run.")] = 0,
    negotiator: Annotated[
        NegotiatorName,
        typer.Option("--negotiator", help="Delegations' strategy in the forums.", metavar="NAME"),
    ] = "boulware",
    strategy: Annotated[
        str,
        typer.Option(
            "--strategy",
            help="Implementation: strict, generous or unconditional reciprocity.",
            metavar="NAME",
        ),
    ] = "strict",
    shape: Annotated[Shape, typer.Option("--shape", help="Value functions.")] = "linear",
) -> None:
    """The main job: forecasts, the forum in each format, the formats compared, one HTML report.

    Prints a summary and writes a self-contained HTML report (tables and plots
    embedded). The defaults finish in about a minute: on large tables the run makes
    fewer draws, and says so.
    """
    if report.suffix.lower() not in {".html", ".htm"}:
        raise AccordError(f"{report}: --report must end in .html")
    if not (report.parent if str(report.parent) else Path(".")).is_dir():
        raise AccordError(f"{report}: the folder {report.parent} does not exist; create it first")
    from accord.forum.implementation import STRATEGIES
    from accord.report.html import render_report
    from accord.report.run import RunSettings, plan_run, run_all

    if strategy not in STRATEGIES:
        raise AccordError(f"--strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    scenario = load_scenario(scenario_file)
    console = _console()
    settings = RunSettings(
        seed=seed,
        samples=samples,
        draws=draws,
        negotiator=negotiator,
        strategy=strategy,
        shape=shape,
    )
    plan = plan_run(scenario, settings)
    if plan.note:
        console.print(plan.note, style="dim", markup=False, soft_wrap=True)
    with console.status("Running") as status:
        inputs = run_all(scenario, settings, lambda what: status.update(f"Running: {what}"))
    from accord.cli import render

    console.print(render.distribution_view(inputs.distribution, scenario, console.width))
    console.print(render.run_summary(inputs))
    write_atomically(report, render_report(inputs))
    console.print(f"Wrote {report}", style="dim")


@user_errors
def experiment_command(
    scenario_file: ScenarioFile,
    runs: Annotated[
        int, typer.Option("--runs", min=1, help="Draws of the scenario's uncertainties.")
    ] = 100,
    param: Annotated[
        list[str] | None,
        typer.Option(
            "--param",
            help="A parameter to sweep, as NAME=V1,V2 "
            "(negotiator, strategy, shape, steps); repeat.",
            metavar="NAME=VALUES",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", "-s", help="Seed of the sweep.")] = 0,
    out: Annotated[
        Path,
        typer.Option(
            "--out",
            "-o",
            help="Results folder; an interrupted run in it is resumed.",
            metavar="DIR",
        ),
    ] = Path("accord-experiment"),
    executor: ExecutorOption = "processes",
    workers: WorkersOption = None,
    dask: DaskOption = None,
) -> None:
    """Compare the formats over many draws and parameter values, on all cores or a Dask cluster.

    Writes one row per task and format to DIR/results.parquet; a run that is
    interrupted (Ctrl-C, a killed worker) resumes where it stopped when started again.
    """
    from accord.experiments import Sweep, format_comparison_job, run_sweep
    from accord.forum import summarise

    load_scenario(scenario_file)  # report problems before starting workers
    parameters: dict[str, list[object]] = {}
    for item in param or []:
        name, values = name_value("--param", item, "NAME=V1,V2", "strategy=strict,generous")
        parameters[name] = _sweep_values(item, name, values.split(","))
    sweep = Sweep(str(scenario_file), parameters, draws=runs, seed=seed)
    total = len(sweep.tasks())
    try:
        with executor_for(executor, workers, dask) as engine:
            table = with_progress(
                lambda progress: run_sweep(
                    sweep, format_comparison_job, executor=engine, out=out, progress=progress
                ),
                total,
            )
    except KeyboardInterrupt:
        typer.echo(
            f"interrupted; finished tasks are kept in {out}; run the same command to resume",
            err=True,
        )
        raise typer.Exit(130) from None
    swept = [name for name in sorted(sweep.parameters) if name in table.columns]
    summary = summarise(
        table.drop(columns=["task", "replicate", "seed"], errors="ignore"), by=swept
    )
    from accord.cli import render

    _console().print(render.comparison_view(summary, f"{total} tasks, {len(table)} rows", by=swept))
    _console().print(f"Wrote {out / 'results.parquet'}", style="dim")
