"""Terminal rendering of results (a layer on top of the result data)."""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from accord.cli.common import scenario_summary
from accord.forecasting import MODELS, ForecastTable
from accord.forecasting.distribution import ForecastDistribution
from accord.forecasting.exchange import ExchangeRun
from accord.forecasting.influence import InfluenceTable
from accord.forecasting.models import IssueTrajectory
from accord.forecasting.record import track_record
from accord.negotiation import AgreementAnalysis, NegotiationDomain, NegotiationResult
from accord.report.html import ReportInputs
from accord.scenario import Issue, Scenario

__all__ = [
    "comparison_view",
    "distribution_view",
    "exchange_view",
    "forecast_view",
    "influence_view",
    "negotiation_view",
    "print_forecast",
    "run_summary",
    "scenario_summary",
    "track_record_view",
    "trajectory_view",
]


Row = tuple[str, str | None, list[Text]]
"""One issue: its name, its status quo in words (``None`` to leave the column out), a cell
per model."""

COLUMN = 16
"""Width below which a model's column stops being readable; narrower terminals stack."""


def _grid(title: str, rows: list[Row], labels: list[str], width: int | None) -> list[Table]:
    """Issues as rows and models as columns, or stacked when the terminal is narrow.

    Stacked means one small table per issue, used when the terminal is too narrow for
    every column to keep whole words and numbers.
    """
    has_sq = any(sq is not None for _, sq, _ in rows)
    columns = len(labels) + 1 + has_sq
    if width is None or width >= columns * COLUMN + 4:
        table = Table(title=title, title_justify="left", show_lines=True, expand=False)
        table.add_column("Issue", style="bold", overflow="fold", max_width=34)
        if has_sq:
            table.add_column("Status quo", overflow="fold", max_width=22)
        for label in labels:
            table.add_column(label, overflow="fold", max_width=30)
        for name, sq, cells in rows:
            table.add_row(name, *([sq or "—"] if has_sq else []), *cells)
        return [table]
    tables = []
    for k, (name, sq, cells) in enumerate(rows):
        heading = f"{title}\n{name}" if k == 0 else name
        if has_sq:
            heading += f" — status quo {sq or '—'}"
        table = Table(title=heading, title_justify="left", show_header=False)
        table.add_column("Model", style="bold", no_wrap=True)
        table.add_column("Forecast", overflow="fold")
        for label, cell in zip(labels, cells, strict=True):
            table.add_row(label, cell)
        tables.append(table)
    return tables


def _labels(models: tuple[str, ...]) -> list[str]:
    return [MODELS[name].label if name in MODELS else name for name in models]


def forecast_view(result: ForecastTable, scenario: Scenario, width: int | None = None) -> Group:
    """The forecast table: issues as rows, models as columns, caveats as numbered notes.

    With ``width`` (the terminal's) too narrow for every column, one small table per
    issue instead, so that no number or name is cut.
    """
    at = f" — format: {result.format_id}" if result.format_id else ""
    notes: dict[str, int] = {}
    rows: list[Row] = []
    for issue in result.issues:
        sq = issue.status_quo
        sq_text = "—" if sq is None else f"{sq.value:.{decimals_for(issue)}f}"
        if sq is not None and issue.reading(sq.value):
            sq_text += f" {issue.reading(sq.value)}"
        cells: list[Text] = []
        for name in result.models:
            cell = result.get(issue.id, name)
            text = Text(cell.describe(decimals_for(issue)))
            if cell.note:
                mark = notes.setdefault(cell.note, len(notes) + 1)
                text.append(f" [{mark}]", style="yellow")
            cells.append(text)
        rows.append((_issue_name(issue), sq_text, cells))
    parts: list[Table | Text] = list(
        _grid(f"{scenario_summary(scenario)}{at}", rows, _labels(result.models), width)
    )
    for note, mark in notes.items():
        parts.append(Text(f"[{mark}] {note}", style="yellow"))
    parts.append(track_record_view(result.models))
    parts.append(Text(f"Actors at the table: {_names(result.actors)}", style="dim"))
    return Group(*parts)


def _issue_name(issue: Issue) -> str:
    return f"{issue.name} ({issue.scale.unit})" if issue.scale.unit else issue.name


def _names(names: tuple[str, ...], most: int = 12) -> str:
    """Names joined by commas; past ``most``, how many more."""
    if len(names) <= most:
        return ", ".join(names)
    return f"{', '.join(names[:most])} and {len(names) - most:,} more"


def decimals_for(issue: Issue) -> int:
    """Decimals worth showing on an issue's scale: one on 0–100, two on 0–10."""
    return max(0, 3 - math.floor(math.log10(issue.scale.span)))


def print_forecast(console: Console, result: ForecastTable, scenario: Scenario) -> None:
    """Print the forecast table to a console, stacked if the console is narrow."""
    console.print(forecast_view(result, scenario, console.width))


def distribution_view(
    result: ForecastDistribution, scenario: Scenario, width: int | None = None
) -> Group:
    """Median forecast and 5–95% interval of every issue by every model (stacked when narrow)."""
    at = f" — format: {result.format_id}" if result.format_id else ""
    tail = round(100 * (1 - result.level) / 2)
    title = (
        f"{scenario_summary(scenario)}{at}\n"
        f"{result.draws} draws, seed {result.seed}: median [{tail}%–{100 - tail}%]"
    )
    notes: dict[str, int] = {}
    rows: list[Row] = []
    for issue in result.issues:
        d = decimals_for(issue)
        cells: list[Text] = []
        for name in result.models:
            mid, lo, hi = result.interval(issue.id, name)
            if math.isnan(mid):
                cells.append(Text("—"))
                continue
            words = issue.reading(mid)
            text = Text(f"{mid:.{d}f} [{lo:.{d}f}–{hi:.{d}f}]")
            for flag in result.flags(issue.id, name):
                if not result.uncertain and flag.startswith("no stated uncertainty"):
                    continue  # said once, below the table
                text.append(f" [{notes.setdefault(flag, len(notes) + 1)}]", style="yellow")
            if words:
                text.append(f"\n{words}", style="dim")
            cells.append(text)
        rows.append((_issue_name(issue), None, cells))
    parts: list[Table | Text] = list(_grid(title, rows, _labels(result.models), width))
    if not result.uncertain:
        parts.append(
            Text(
                "The scenario states no uncertainty (no sd or low/high on any value): every "
                "draw is the scenario as written, so the intervals have no width.",
                style="yellow",
            )
        )
    parts += [Text(f"[{mark}] {note}", style="yellow") for note, mark in notes.items()]
    parts.append(track_record_view(result.models))
    parts.append(Text(f"Actors at the table: {_names(result.actors)}", style="dim"))
    return Group(*parts)


def track_record_view(models: tuple[str, ...]) -> Text:
    """One line per model of its record on the shipped reference data."""
    record = track_record()
    text = Text(
        f"Track record on {record.data} — a different kind of decision from most scenarios, "
        "so a guide to how far to trust each model, not a promise:",
        style="dim",
    )
    for name in models:
        label = MODELS[name].label if name in MODELS else name
        text.append(f"\n  {label}: {record.line(name)}", style="dim")
    return text


_MOVE_MARK = {1: "×", 2: "~", 3: "!"}


def trajectory_view(runs: list[IssueTrajectory], scenario: Scenario) -> Group:
    """Round-by-round positions (rows: actors, columns: rounds), median and mean, per issue."""
    parts: list[Table | Text] = []
    for run in runs:
        issue = scenario.issue(run.issue)
        d = decimals_for(issue)
        if run.trajectory is None:
            parts.append(Text(f"{issue.name}: no disagreement to model", style="dim"))
            continue
        t = run.trajectory
        table = Table(title=f"Expected utility, round by round: {issue.name}", title_justify="left")
        table.add_column("Actor", style="bold")
        for k in range(t.positions.shape[0]):
            table.add_column("start" if k == 0 else str(k), justify="right")
        for a, actor in enumerate(run.actors):
            row = [actor]
            for k in range(t.positions.shape[0]):
                mark = _MOVE_MARK.get(int(t.kinds[k - 1, 0, a]), "") if k > 0 else ""
                row.append(f"{t.positions[k, 0, a]:.{d}f}{mark}")
            table.add_row(*row)
        table.add_section()
        table.add_row("median", *[f"{v:.{d}f}" for v in t.median[:, 0]], style="bold")
        table.add_row("mean", *[f"{v:.{d}f}" for v in t.mean[:, 0]])
        parts.append(table)
    parts.append(Text("× lost a conflict and moved, ~ compromised, ! capitulated", style="dim"))
    return Group(*parts)


def influence_view(result: InfluenceTable, scenario: Scenario) -> Group:
    """The ranking of actors by pivotality, then the effect of each on each issue."""
    label = MODELS[result.model].label if result.model in MODELS else result.model
    at = f" — format: {result.format_id}" if result.format_id else ""
    ranking = Table(title=f"Who is pivotal ({label}){at}", title_justify="left")
    ranking.add_column("Rank", justify="right")
    ranking.add_column("Actor", style="bold")
    ranking.add_column("Mean |shift| if it leaves", justify="right")
    ranking.add_column("Mean |shift| if it moves ±10%", justify="right")
    for rank, (actor, leave, shift) in enumerate(result.ranking(), start=1):
        ranking.add_row(str(rank), scenario.actor(actor).name, f"{leave:.1f}", f"{shift:.1f}")
    detail = Table(title="Forecast shift per issue: leaves / +10% / −10%", title_justify="left")
    detail.add_column("Actor", style="bold")
    for issue_id in result.issues:
        detail.add_column(issue_id, justify="right")
    for actor in result.actors:
        cells = [actor]
        for issue_id in result.issues:
            row = result.get(actor, issue_id)
            if math.isnan(row.up):
                cells.append("no stance")
                continue
            left = "—" if math.isnan(row.leave) else f"{row.leave:+.1f}"
            cells.append(f"{left} / {row.up:+.1f} / {row.down:+.1f}")
        detail.add_row(*cells)
    return Group(ranking, detail)


def exchange_view(run: ExchangeRun, scenario: Scenario) -> Group:
    """The exchanges made, in order, and the outcomes before and after."""
    table = Table(title="Exchanges (Stokman equal gain), in order", title_justify="left")
    table.add_column("#", justify="right")
    table.add_column("Gives", style="bold")
    table.add_column("On")
    table.add_column("Vote", justify="right")
    table.add_column("In return", style="bold")
    table.add_column("On")
    table.add_column("Vote", justify="right")
    table.add_column("Gain each", justify="right")
    for e in run.exchanges:
        table.add_row(
            str(e.step),
            e.first,
            e.first_issue,
            f"{e.first_from:.1f} → {e.first_to:.1f}",
            e.second,
            e.second_issue,
            f"{e.second_from:.1f} → {e.second_to:.1f}",
            f"{e.gain:.3g}",
        )
    shifts = ", ".join(
        f"{issue.id} {before:.1f} → {after:.1f}"
        for issue, before, after in zip(scenario.issues, run.start[0], run.outcome[0], strict=True)
    )
    note = "no exchange gains both sides" if not run.exchanges else f"weighted means: {shifts}"
    return Group(table, Text(note, style="dim"))


def negotiation_view(
    domain: NegotiationDomain,
    result: NegotiationResult,
    analysis: AgreementAnalysis,
    negotiators: list[str],
    scenario: Scenario | None = None,
) -> Group:
    """Summary of one negotiation: the outcome, who got what, and how it compares."""
    parts: list[Table | Text] = []
    head = (
        f"{domain.name}: {result.protocol}, {len(domain.parties)} parties, "
        f"{domain.space.size} outcomes"
    )
    if result.agreed:
        verdict = Text(f"Agreement at round {result.steps}.", style="bold green")
    else:
        verdict = Text(f"No agreement after {result.steps} rounds.", style="bold red")
    parts += [Text(head), verdict]
    shown = result.agreement if result.agreed else result.final_text
    if shown is not None:
        label = "Agreed text" if result.agreed else "Chair's last text (not adopted)"
        text = Table(title=label, title_justify="left")
        text.add_column("Issue", style="bold")
        text.add_column("Value", justify="right")
        for issue, value in domain.describe(shown).items():
            reading = f"{value}" if isinstance(value, str) else f"{value:g}"
            if scenario is not None and issue in scenario.issue_ids and not isinstance(value, str):
                words = scenario.issue(issue).reading(float(value))
                if words:
                    reading += f" {words}"
            text.add_row(issue, reading)
        parts.append(text)
    people = Table(title="Parties", title_justify="left")
    for col in ("Party", "Negotiator", "Utility", "Reservation", "Share of gain"):
        people.add_column(col, justify="left" if col in ("Party", "Negotiator") else "right")
    for k, party in enumerate(domain.parties):
        share = analysis.shares[k]
        people.add_row(
            party,
            negotiators[k],
            f"{result.utilities[k]:.3f}",
            f"{domain.reservation[k]:.3f}",
            "—" if math.isnan(share) else f"{share:.0%}",
        )
    parts.append(people)
    if scenario is not None:
        parts.append(Text(reservation_note(scenario, domain.parties), style="dim"))

    def point(name: str, outcome: int | None, distance: float) -> str:
        if outcome is None:
            return f"{name}: none (no outcome beats no agreement for every party)"
        values = ", ".join(
            f"{k}={v}" if isinstance(v, str) else f"{k}={v:g}"
            for k, v in domain.describe(outcome).items()
        )
        return f"{name}: {values} (distance {distance:.3f})"

    size = domain.matrix.shape
    frontier = (
        f"Pareto frontier: not searched ({size[0]} parties × {size[1]:,} outcomes is too "
        "many comparisons; seat fewer parties or pass a lower --resolution)"
        if analysis.frontier_size is None
        else f"Pareto frontier: {analysis.frontier_size:,} outcomes; "
        f"distance from it {analysis.distance_to_frontier:.3f}"
    )
    dominated = (
        "no outcome gives every party as much and one more (Pareto-optimal)"
        if analysis.dominating == 0
        else f"{analysis.dominating:,} outcomes give every party as much and one more"
    )
    lines = [
        frontier,
        f"{'The agreement' if result.agreement is not None else 'No agreement'}: {dominated}",
        point("Nash point", analysis.nash, analysis.distance_to_nash),
        point("Kalai–Smorodinsky point", analysis.kalai, analysis.distance_to_kalai),
        point("Maximum welfare", analysis.welfare, analysis.distance_to_welfare),
    ]
    parts.append(Text("\n".join(lines)))
    counts: dict[str, int] = {}
    for event in result.transcript:
        counts[event.action] = counts.get(event.action, 0) + 1
    moves = ", ".join(f"{n} {a}" for a, n in counts.items())
    parts.append(
        Text(f"Transcript: {len(result.transcript)} moves ({moves}); last moves:", style="dim")
    )
    for event in result.transcript[-6:]:
        detail = f" ({event.detail})" if event.detail else ""
        parts.append(
            Text(
                f"  round {event.step}: {event.party} {event.action} {event.outcome}{detail}",
                style="dim",
            )
        )
    return Group(*parts)


def reservation_note(scenario: Scenario, parties: tuple[str, ...]) -> str:
    """Where each party's reservation value (its utility of no agreement) came from."""
    stated = [p for p in parties if scenario.actor(p).reservation is not None]
    without_sq = [i.id for i in scenario.issues if i.status_quo is None]
    lines = ["Reservation: a party's utility of no agreement."]
    if stated:
        lines.append(f"  Stated in the scenario for {', '.join(stated)}.")
    others = [p for p in parties if p not in stated]
    if others and len(without_sq) == len(scenario.issues):
        lines.append(
            f"  {', '.join(others)}: 0, because no issue has a status quo: any agreement "
            "beats none for them. Give issues a status_quo (or actors a reservation) to change it."
        )
    elif others:
        gap = f"; issues without one ({', '.join(without_sq)}) add nothing" if without_sq else ""
        lines.append(f"  {', '.join(others)}: the utility of the status quo{gap}.")
    return "\n".join(lines)


def comparison_view(summary: pd.DataFrame, title: str, by: Sequence[str] = ()) -> Table:
    """Formats compared: mean and 5–95% interval of each measure (per swept parameter)."""
    table = Table(title=f"Formats compared ({title}): mean [5%–95%]", title_justify="left")
    # Folded, never cut with "…": a narrow or piped terminal still shows every number.
    for name in by:
        table.add_column(name.capitalize(), style="bold", overflow="fold")
    table.add_column("Format", style="bold", overflow="fold")
    columns = [c for c in ("agreed", "phases", "welfare", "nash_distance") if c in summary]
    columns += [
        c for c in summary.columns if c.startswith("wedge_") and not c.endswith(("_lo", "_hi"))
    ]
    for c in columns:
        table.add_column(c, justify="right", overflow="fold")
    for row in summary.to_dict(orient="records"):
        cells = [str(row[name]) for name in by] + [str(row["format"])]
        for c in columns:
            value = row.get(c)
            if value is None or value != value:
                cells.append("—")
            else:
                cells.append(f"{value:.2f} [{row[c + '_lo']:.2f}–{row[c + '_hi']:.2f}]")
        table.add_row(*cells)
    return table


def run_summary(inputs: ReportInputs) -> Group:
    """What the main job found: forums, then the formats compared."""
    forums = Table(title="The forum in each format", title_justify="left")
    forums.add_column("Forum", style="bold")
    forums.add_column("Sessions", justify="right")
    forums.add_column("Adopted")
    forums.add_column("Last statement")
    forums.add_column("Zone of agreement")
    for run in inputs.forums:
        zone = run.zone
        forums.add_row(
            run.forum,
            str(len(run.rounds)),
            ", ".join(run.adopted) or "nothing",
            run.rounds[-1].statement if run.rounds else "—",
            "—"
            if zone is None
            else f"{zone.in_zone:,} of {zone.packages:,} packages"
            if zone.exists
            else f"none ({zone.binding} binds)",
        )
    why = "\n".join(f"{run.forum}: {run.reason}" for run in inputs.forums)
    parts: list[Table | Text] = [
        forums,
        Text(why, style="dim"),
        comparison_view(inputs.summary, f"{inputs.settings['draws']} draws"),
    ]
    if inputs.trust is not None:
        parts.append(Text(inputs.trust[2], style="dim"))
    return Group(*parts)
