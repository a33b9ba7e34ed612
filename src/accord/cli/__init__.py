"""The ``accord`` command.

Every command turns an :class:`accord.errors.AccordError` into a message on
standard error and exit status 2; no user mistake ends in a traceback.
"""

from __future__ import annotations

import functools
import os
import sys
import tempfile
from collections.abc import Callable
from enum import StrEnum
from pathlib import Path
from typing import Annotated, ParamSpec, TypeVar

import typer
from rich.console import Console

from accord.errors import AccordError
from accord.forecast import MODELS, forecast
from accord.scenario import load_scenario

__all__ = ["app", "main"]

P = ParamSpec("P")
R = TypeVar("R")

app = typer.Typer(
    name="accord",
    help=(
        "Model, forecast, simulate and run multilateral security negotiations.\n\n"
        "Start with: accord forecast scenarios/northeast-asia-2002.toml"
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
)

EXIT_USER_ERROR = 2


def _console(stderr: bool = False) -> Console:
    return Console(stderr=stderr, highlight=False, soft_wrap=False)


def user_errors(func: Callable[P, R]) -> Callable[P, R]:
    """Report :class:`AccordError` as a message and exit 2, never as a traceback."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except AccordError as exc:
            # Plain text, unwrapped: "file:line: path: message" stays one line for editors.
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(EXIT_USER_ERROR) from None

    return wrapper


def write_atomically(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that it is either complete or untouched."""
    directory = path.parent if str(path.parent) else Path(".")
    if not directory.is_dir():
        raise AccordError(f"{path}: the folder {directory} does not exist; create it first")
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


ScenarioFile = Annotated[
    Path,
    typer.Argument(
        help="Scenario file: accord TOML (docs/scenario-format.md) or a BDM/KTAB-style CSV table.",
        show_default=False,
        metavar="SCENARIO",
    ),
]

ModelName = StrEnum("ModelName", {name: name for name in MODELS})  # type: ignore[misc]


@app.command("forecast")
@user_errors
def forecast_command(
    scenario_file: ScenarioFile,
    format: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="Forecast only among the actors of this format (a table such as six-party).",
            show_default=False,
            metavar="FORMAT",
        ),
    ] = None,
    model: Annotated[
        list[ModelName] | None,
        typer.Option(
            "--model",
            "-m",
            help="Model to run; repeat for several. Default: all of " + ", ".join(MODELS) + ".",
            show_default=False,
            metavar="MODEL",
        ),
    ] = None,
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
) -> None:
    """Forecast every issue of a scenario with the collective-decision models.

    Prints one table, issues as rows and models as columns, each forecast read
    against the nearest labelled point of its issue.
    """
    if out is not None and out.suffix.lower() not in {".csv", ".json"}:
        raise AccordError(f"{out}: --out must end in .csv or .json")
    scenario = load_scenario(scenario_file)
    names = [m.value for m in model] if model else None
    result = forecast(scenario, models=names, table=format)
    from accord.cli.render import print_forecast

    print_forecast(_console(), result, scenario)
    if out is not None:
        text = result.to_json() if out.suffix.lower() == ".json" else result.to_csv()
        write_atomically(out, text)
        _console().print(f"Wrote {out}", style="dim")


@app.command("validate")
@user_errors
def validate_command(scenario_file: ScenarioFile) -> None:
    """Check a scenario file and report every problem in it.

    Exits 0 when the file is valid, 2 when it is not (one line per problem:
    file, line, dotted path, what is wrong and what is allowed).
    """
    scenario = load_scenario(scenario_file)
    from accord.cli.render import scenario_summary

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
