"""Terminal rendering of results (a layer on top of the result data)."""

from __future__ import annotations

import math

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from accord.forecast import MODELS, ForecastTable
from accord.scenario import Issue, Scenario

__all__ = ["forecast_view", "scenario_summary"]


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


def forecast_view(result: ForecastTable, scenario: Scenario) -> Group:
    """The forecast table: issues as rows, models as columns, caveats as numbered notes."""
    at = f" — table: {result.table}" if result.table else ""
    title = f"{scenario_summary(scenario)}{at}"
    table = Table(title=title, title_justify="left", show_lines=True, expand=False)
    table.add_column("Issue", style="bold", overflow="fold", max_width=34)
    table.add_column("Status quo", overflow="fold", max_width=22)
    for name in result.models:
        table.add_column(
            MODELS[name].label if name in MODELS else name, overflow="fold", max_width=30
        )
    notes: dict[str, int] = {}
    for issue in result.issues:
        sq = issue.status_quo
        sq_text = "—" if sq is None else f"{sq.value:.{decimals_for(issue)}f}"
        if sq is not None and issue.nearest_anchor(sq.value) is not None:
            sq_text += f" ≈ {issue.nearest_anchor(sq.value).label}"  # type: ignore[union-attr]
        cells: list[Text | str] = [issue.name, sq_text]
        for name in result.models:
            cell = result.get(issue.id, name)
            text = Text(cell.describe(decimals_for(issue)))
            if cell.note:
                mark = notes.setdefault(cell.note, len(notes) + 1)
                text.append(f" [{mark}]", style="yellow")
            cells.append(text)
        table.add_row(*cells)
    parts: list[Table | Text] = [table]
    for note, mark in notes.items():
        parts.append(Text(f"[{mark}] {note}", style="yellow"))
    parts.append(Text(f"Actors at the table: {', '.join(result.actors)}", style="dim"))
    return Group(*parts)


def decimals_for(issue: Issue) -> int:
    """Decimals worth showing on an issue's scale: one on 0–100, two on 0–10."""
    return max(0, 3 - math.floor(math.log10(issue.scale.span)))


def print_forecast(console: Console, result: ForecastTable, scenario: Scenario) -> None:
    """Print the forecast table to a console."""
    console.print(forecast_view(result, scenario))
