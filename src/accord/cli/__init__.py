"""The ``accord`` command.

Every command turns an :class:`accord.errors.AccordError` into a message on
standard error and exit status 2; no user mistake ends in a traceback.
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.backtest import backtest_command
from accord.cli.common import console as _console
from accord.cli.common import scenario_summary, user_errors, with_progress
from accord.errors import AccordError
from accord.files import write_atomically
from accord.forecasting import MODELS, ForecastTable, IssueArrays, forecast
from accord.forecasting.distribution import ForecastDistribution, forecast_distribution
from accord.negotiation.protocols import VotingRule
from accord.negotiation.scenario_domain import (
    MAX_NEGOTIATED_PACKAGES,
    SHAPES,
    Shape,
    resolution_within,
)
from accord.scenario import load_scenario

__all__ = ["app", "main"]


app = typer.Typer(
    name="accord",
    help=(
        "Model, forecast, simulate and run multilateral security negotiations.\n\n"
        "Start with: accord run scenarios/northeast-asia-2002.toml"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

ScenarioFile = Annotated[
    Path,
    typer.Argument(
        help="Scenario file: accord TOML (docs/scenario-format.md) or a BDM/KTAB-style CSV table.",
        show_default=False,
        metavar="SCENARIO",
    ),
]

ModelName = StrEnum("ModelName", {name: name for name in MODELS})  # type: ignore[misc]

FormatOption = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help="Only the actors of this format (a table such as six-party).",
        show_default=False,
        metavar="FORMAT",
    ),
]


@app.command("forecast")
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
        result = with_progress(
            lambda progress: forecast_distribution(
                scenario, samples, seed, models=chosen, table=format, progress=progress
            ),
            samples,
        )
        console.print(render.distribution_view(result, scenario, console.width))
        if plot is not None:
            from accord.report.plots import plot_distributions

            plot_distributions(result, plot)
    else:
        result = forecast(scenario, models=chosen, table=format)
        console.print(render.forecast_view(result, scenario, console.width))
        if (model and eu.name in names) or plot is not None:
            seated = scenario.at_table(format) if format else scenario
            runs = eu.trajectories(IssueArrays.from_scenario(seated), keep_eu=plot is not None)
            if model and eu.name in names:
                console.print(render.trajectory_view(runs, seated))
            if plot is not None:
                from accord.report.plots import plot_trajectories

                plot_trajectories(runs, seated, plot, quad_round=quad_round)
        if model and "exchange" in names:
            from accord.forecasting.exchange import ExchangeModel

            seated = scenario.at_table(format) if format else scenario
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


@app.command("influence")
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
    result = influence(scenario, chosen, table=format)
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


@app.command("negotiate")
@user_errors
def negotiate_command(
    scenario_file: ScenarioFile,
    format: FormatOption = None,
    protocol: Annotated[
        str,
        typer.Option(
            "--protocol",
            "-p",
            help="alternating (bilateral, or stacked for more parties), chair-text "
            "(single negotiating text, unanimity) or voting.",
            metavar="PROTOCOL",
        ),
    ] = "alternating",
    negotiator: Annotated[
        str,
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

    scenario = load_scenario(scenario_file)
    if resolution is None:
        resolution = _negotiable_resolution(scenario, format)
    domain = domain_from_scenario(scenario, format, resolution, shape)
    names = {party: negotiator for party in domain.parties}
    for item in assign or []:
        party, sep, name = item.partition("=")
        if not sep:
            raise AccordError(f"--as {item!r}: write PARTY=NAME, e.g. --as dprk=hardliner")
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


"""The largest joint space ``accord negotiate`` builds by default: every delegation ranks
every package, and the analysis (Pareto frontier, Nash and Kalai points) scans them all."""


def _negotiable_resolution(scenario: Any, table: str | None) -> int:
    """5 values per issue, or fewer where the joint space would be too large (said aloud)."""
    from accord.negotiation import domain_from_scenario

    sizes = domain_from_scenario(scenario, table, 2).space.sizes
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


@app.command("run")
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
        str,
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
    from accord.negotiation import NEGOTIATORS
    from accord.report.html import render_report
    from accord.report.run import RunSettings, plan_run, run_all

    if strategy not in STRATEGIES:
        raise AccordError(f"--strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if negotiator not in NEGOTIATORS:
        raise AccordError(
            f"unknown negotiator {negotiator!r}; choose from: {', '.join(NEGOTIATORS)}"
        )
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


@app.command("experiment")
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
    executor: Annotated[
        str,
        typer.Option(
            "--executor", help="in-process, processes (all local cores) or dask.", metavar="KIND"
        ),
    ] = "processes",
    workers: Annotated[
        int | None,
        typer.Option(
            "--workers", min=1, help="Worker processes (default: all cores).", show_default=False
        ),
    ] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Run on the Dask scheduler at this address (tcp://host:8786); "
            "'local' starts a local cluster.",
            metavar="ADDRESS",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Compare the formats over many draws and parameter values, on all cores or a Dask cluster.

    Writes one row per task and format to DIR/results.parquet; a run that is
    interrupted (Ctrl-C, a killed worker) resumes where it stopped when started again.
    """
    from accord.experiments import Sweep, format_comparison_job, make_executor, run_sweep
    from accord.forum import summarise

    load_scenario(scenario_file)  # report problems before starting workers
    parameters: dict[str, list[object]] = {}
    for item in param or []:
        name, sep, values = item.partition("=")
        if not sep or not values:
            raise AccordError(
                f"--param {item!r}: write NAME=V1,V2, e.g. --param strategy=strict,generous"
            )
        parameters[name] = _sweep_values(item, name, values.split(","))
    sweep = Sweep(str(scenario_file), parameters, draws=runs, seed=seed)
    engine = make_executor(
        executor, workers, None if dask is None else ("" if dask == "local" else dask)
    )
    total = len(sweep.tasks())
    try:
        table = with_progress(
            lambda progress: run_sweep(sweep, format_comparison_job, engine, out, progress), total
        )
    except KeyboardInterrupt:
        typer.echo(
            f"interrupted; finished tasks are kept in {out}; run the same command to resume",
            err=True,
        )
        raise typer.Exit(130) from None
    finally:
        engine.close()
    swept = [name for name in sorted(sweep.parameters) if name in table.columns]
    summary = summarise(
        table.drop(columns=["task", "replicate", "seed"], errors="ignore"), by=swept
    )
    from accord.cli import render

    _console().print(render.comparison_view(summary, f"{total} tasks, {len(table)} rows", by=swept))
    _console().print(f"Wrote {out / 'results.parquet'}", style="dim")


db_app = typer.Typer(help="The exercise server's database.", no_args_is_help=True)
exercise_app = typer.Typer(help="Create, export and replay live exercises.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(exercise_app, name="exercise")

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL (default: sqlite:///accord-exercises.db in this folder; "
        "postgresql://user:pass@host/db for shared deployments).",
        metavar="URL",
        show_default=False,
    ),
]


def _need_server() -> None:
    """The exercise server's libraries are an extra; say how to get them."""
    try:
        import alembic  # noqa: F401
        import fastapi  # noqa: F401
        import httpx  # noqa: F401
        import pydantic_settings  # noqa: F401
        import sqlalchemy  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise AccordError(
            f"the exercise server needs {exc.name}; install it with: pip install 'accord[server]'"
        ) from None


def _settings(database: str | None, host: str | None = None, port: int | None = None) -> Any:
    _need_server()
    from pydantic import ValidationError

    from accord.server.settings import ServerSettings

    values: dict[str, Any] = {}
    if database:
        values["database_url"] = database
    if host:
        values["host"] = host
    if port:
        values["port"] = port
    try:
        settings = ServerSettings(**values)
    except ValidationError as exc:  # the rest come from ACCORD_* environment variables
        wrong = exc.errors()[0]
        name = "ACCORD_" + ".".join(str(p) for p in wrong["loc"]).upper()
        raise AccordError(
            f"environment variable {name}={wrong.get('input')!r}: {wrong['msg']}; "
            f"set it right or unset it (unset {name}) to use the default"
        ) from None
    _check_sqlite_file(settings.database_url)
    return settings


def _check_sqlite_file(url: str) -> None:
    """A SQLite file must lie in a folder that exists and that this user may write to."""
    import os

    from accord.server.db import sqlite_file

    try:
        path = sqlite_file(url)
    except Exception:  # SQLAlchemy raises several kinds for a malformed URL
        raise AccordError(
            f"--database {url!r} is not a database URL; write sqlite:///FILE.db or "
            "postgresql://USER:PASSWORD@HOST/NAME"
        ) from None
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise AccordError(
            f"--database {url}: the folder {folder} does not exist; create it first "
            f"(mkdir -p {folder}) or give a file in another folder"
        )
    writable = os.access(path, os.W_OK) if path.exists() else os.access(folder, os.W_OK)
    if not writable:
        what = f"the file {path}" if path.exists() else f"the folder {folder}"
        raise AccordError(
            f"--database {url}: {what} is read-only for this user; the server records every "
            "move there, so give a file it may write to (or change the permissions)"
        )


@db_app.command("upgrade")
@user_errors
def db_upgrade_command(database: DatabaseOption = None) -> None:
    """Create or migrate the database schema to the newest version (Alembic)."""
    _need_server()
    from accord.server.db import upgrade

    settings = _settings(database)
    upgrade(settings.database_url)
    _console().print(f"database at the newest schema: {settings.database_url}", markup=False)


@app.command("serve")
@user_errors
def serve_command(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
) -> None:
    """Host live exercises (web pages and API); the database is migrated first."""
    _need_server()
    import uvicorn

    from accord.server.app import create_app
    from accord.server.bots import BotRunner
    from accord.server.db import hold_sqlite_file, upgrade

    settings = _settings(database, host, port)
    held = hold_sqlite_file(settings.database_url)  # noqa: F841  (held while serving)
    upgrade(settings.database_url)
    # Software delegations act through the API, on the loopback address.
    BotRunner(settings.database_url, f"http://127.0.0.1:{settings.port}").start()
    _console().print(
        f"accord exercise server on http://{settings.host}:{settings.port}/", markup=False
    )
    uvicorn.run(
        create_app(settings),
        host=settings.host,
        port=settings.port,
        log_level="warning",
        timeout_keep_alive=30,
        # Open pages' live-update streams never end by themselves: on Ctrl-C, give
        # requests in flight a moment, then close the streams and stop.
        timeout_graceful_shutdown=3,
    )


@exercise_app.command("create")
@user_errors
def exercise_create_command(
    scenario_file: ScenarioFile,
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="The table: a format of the scenario.", metavar="FORMAT"
        ),
    ],
    bot: Annotated[
        list[str] | None,
        typer.Option(
            "--bot",
            help="A delegation played by software, as PARTY=NEGOTIATOR (repeat).",
            metavar="PARTY=NAME",
        ),
    ] = None,
    database: DatabaseOption = None,
    url: Annotated[
        str,
        typer.Option("--url", help="Where the server is reachable, for the links.", metavar="URL"),
    ] = "http://127.0.0.1:8000",
) -> None:
    """Create an exercise and print its join links.

    One link per delegation, one for the chair, the facilitator and the observers.
    """
    _need_server()
    from accord.negotiation import NEGOTIATORS
    from accord.server.db import session_factory, upgrade
    from accord.server.service import create_exercise

    bots: dict[str, str] = {}
    for item in bot or []:
        party, sep, name = item.partition("=")
        if not sep or name not in NEGOTIATORS:
            raise AccordError(
                f"--bot {item!r}: write PARTY=NAME with NAME one of {', '.join(NEGOTIATORS)}"
            )
        bots[party] = name
    load_scenario(scenario_file)
    settings = _settings(database)
    upgrade(settings.database_url)
    with session_factory(settings.database_url)() as session:
        exercise, seats = create_exercise(
            session,
            scenario_file.read_text(encoding="utf-8"),
            format,
            bots,
            source=str(scenario_file),
        )
    _print_links(f"Exercise {exercise.id}: {exercise.name}", exercise.id, seats, url, bots)


@exercise_app.command("export")
@user_errors
def exercise_export_command(
    exercise_id: Annotated[int, typer.Argument(help="The exercise number.", metavar="ID")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The JSON file to write.", metavar="FILE.json")
    ],
    database: DatabaseOption = None,
) -> None:
    """Write a whole exercise (texts, messages, votes, timeline) to a JSON file."""
    _need_server()
    from accord.server.db import session_factory, upgrade
    from accord.server.service import export_exercise

    settings = _settings(database)
    upgrade(settings.database_url)
    with session_factory(settings.database_url)() as session:
        write_atomically(out, export_exercise(session, exercise_id))
    _console().print(f"Wrote {out}", markup=False)


@exercise_app.command("replay")
@user_errors
def exercise_replay_command(
    export_file: Annotated[
        Path,
        typer.Argument(help="A file written by 'accord exercise export'.", metavar="FILE.json"),
    ],
    database: DatabaseOption = None,
    url: Annotated[
        str,
        typer.Option("--url", help="Where the server is reachable, for the links.", metavar="URL"),
    ] = "http://127.0.0.1:8000",
) -> None:
    """Load an exported exercise again, with its archive open, for replay and debrief."""
    _need_server()
    from accord.server.db import session_factory, upgrade
    from accord.server.service import import_exercise

    try:
        data = export_file.read_bytes()  # checked as UTF-8 JSON by the import, with its name
    except OSError as exc:
        raise AccordError(f"{export_file}: cannot be read: {exc.strerror}") from None
    settings = _settings(database)
    upgrade(settings.database_url)
    with session_factory(settings.database_url)() as session:
        exercise, seats = import_exercise(session, data, source=str(export_file))
    _print_links(
        f"Loaded as exercise {exercise.id}: {exercise.name} (archive open: the debrief and "
        "the whole record, nothing more to negotiate)",
        exercise.id,
        seats,
        url,
    )


def _print_links(
    heading: str, exercise_id: int, seats: list[Any], url: str, bots: dict[str, str] | None = None
) -> None:
    """One join link per seat, under a heading."""
    bots = bots or {}
    console = _console()
    console.print(heading, markup=False)
    for seat in seats:
        who = seat.party or seat.role
        if seat.party in bots:  # the server's bot runner takes the seat with a token of its own
            line = f"  {who:12} {'delegation':28} played by software ({bots[seat.party]})"
        else:
            line = f"  {who:12} {seat.role:28} {url}/?exercise={exercise_id}&token={seat.token}"
        console.print(line, markup=False, soft_wrap=True)


app.command("backtest")(user_errors(backtest_command))


@app.command("validate")
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


@app.command("models")
def models_command() -> None:
    """List the forecasting models and what each computes."""
    console = _console()
    for name, model in MODELS.items():
        console.print(f"{name:8} {model.label}: {model.summary}", markup=False)


def main() -> None:
    """Entry point of the ``accord`` console script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
