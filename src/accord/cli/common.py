"""What every command shares: the console, user errors as messages, progress bars."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterator
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console

from accord.errors import AccordError
from accord.executors import Executor, ExecutorKind
from accord.scenario import Scenario

__all__ = [
    "EXIT_USER_ERROR",
    "console",
    "name_value",
    "scenario_summary",
    "user_errors",
    "with_progress",
]

P = ParamSpec("P")
R = TypeVar("R")

EXIT_USER_ERROR = 2


def console(stderr: bool = False) -> Console:
    """A console that never highlights or wraps on its own."""
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


def name_value(option: str, item: str, form: str, example: str) -> tuple[str, str]:
    """``NAME=VALUE`` of a repeatable option, both parts non-empty.

    Raises:
        AccordError: Naming the option, what was given, the form and an example.
    """
    name, sep, value = item.partition("=")
    if not (sep and name.strip() and value.strip()):
        raise AccordError(f"{option} {item!r}: write {form}, e.g. {option} {example}")
    return name.strip(), value.strip()


def party_negotiator(option: str, item: str, example: str) -> tuple[str, str]:
    """``PARTY=NAME`` where NAME is a negotiator accord knows.

    Raises:
        AccordError: Naming the option, what was given and the negotiators to choose from.
    """
    from accord.negotiation.negotiators import NEGOTIATORS

    party, name = name_value(option, item, "PARTY=NAME", example)
    if name not in NEGOTIATORS:
        raise AccordError(
            f"{option} {item!r}: {name!r} is not a negotiator; choose from {', '.join(NEGOTIATORS)}"
        )
    return party, name


def with_progress(
    work: Callable[[Callable[[int, int], None]], R], total: int, what: str = "Monte Carlo draws"
) -> R:
    """Run ``work`` with a progress bar on the terminal (none when output is redirected)."""
    from rich.progress import BarColumn, Progress, TimeRemainingColumn

    err = console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        "{task.completed}/{task.total}",
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    ) as bar:
        task = bar.add_task(what, total=total)
        return work(lambda done, _total: bar.update(task, completed=done))


def scenario_summary(scenario: Scenario) -> str:
    """One line saying what a scenario holds."""
    date = f" ({scenario.metadata.date.isoformat()})" if scenario.metadata.date else ""
    counts = ", ".join(
        _count(n, word)
        for n, word in (
            (len(scenario.actors), "actor"),
            (len(scenario.issues), "issue"),
            (len(scenario.formats), "format"),
            (len(scenario.relations), "relation"),
        )
    )
    return f"{scenario.name}{date}: {counts}"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


@contextlib.contextmanager
def executor_for(kind: ExecutorKind, workers: int | None, dask: str | None) -> Iterator[Executor]:
    """The executor the options --executor, --workers and --dask name, closed afterwards."""
    from accord.executors import make_executor

    engine = make_executor(
        kind, workers=workers, dask=None if dask is None else ("" if dask == "local" else dask)
    )
    try:
        yield engine
    finally:
        engine.close()
