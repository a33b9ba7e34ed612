"""The root of the ``accord`` command, and the arguments its commands share."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from accord.executors import ExecutorKind
from accord.forecasting import MODELS

__all__ = ["FormatOption", "ModelName", "ScenarioFile", "app"]


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

ExecutorOption = Annotated[
    ExecutorKind,
    typer.Option(
        "--executor", help="in-process, processes (all local cores) or dask.", metavar="KIND"
    ),
]

WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers", min=1, help="Worker processes (default: all cores).", show_default=False
    ),
]

DaskOption = Annotated[
    str | None,
    typer.Option(
        "--dask",
        help="Run on the Dask scheduler at this address (tcp://host:8786); "
        "'local' starts a local cluster.",
        metavar="ADDRESS",
        show_default=False,
    ),
]
