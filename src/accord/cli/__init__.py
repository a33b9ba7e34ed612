"""The ``accord`` command.

Every command turns an :class:`accord.errors.AccordError` into a message on
standard error and exit status 2; no user mistake ends in a traceback. The commands
live by group: :mod:`accord.cli.analysis` (forecast, influence, validate, models),
:mod:`accord.cli.simulation` (negotiate, run, experiment), :mod:`accord.cli.exercises`
(db, serve, exercise) and :mod:`accord.cli.backtest`; here they are registered on
:data:`accord.cli.root.app`, in the order ``accord --help`` lists them.
"""

from __future__ import annotations

import sys

from accord.cli import analysis, exercises, simulation
from accord.cli.backtest import backtest_command
from accord.cli.common import user_errors
from accord.cli.root import app

__all__ = ["app", "main"]

app.command("forecast")(analysis.forecast_command)
app.command("influence")(analysis.influence_command)
app.command("negotiate")(simulation.negotiate_command)
app.command("run")(simulation.run_command)
app.command("experiment")(simulation.experiment_command)
app.add_typer(exercises.db_app, name="db")
app.add_typer(exercises.exercise_app, name="exercise")
app.command("serve")(exercises.serve_command)
app.command("backtest")(user_errors(backtest_command))
app.command("validate")(analysis.validate_command)
app.command("models")(analysis.models_command)


def main() -> None:
    """Entry point of the ``accord`` console script."""
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover - interactive only
        print("interrupted", file=sys.stderr)
        raise SystemExit(130) from None
