"""One self-contained HTML report of a run: tables, and plots embedded as PNG data."""

from __future__ import annotations

import base64
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2
import numpy as np
import pandas as pd

from accord.forecasting import MODELS, ForecastTable
from accord.forecasting.distribution import ForecastDistribution
from accord.forecasting.influence import InfluenceTable
from accord.forecasting.record import track_record
from accord.forum import ForumRun
from accord.forum.spillover import Spillover
from accord.scenario import Scenario

__all__ = ["ReportInputs", "render_report"]


@dataclass(frozen=True)
class ReportInputs:
    """Everything a report shows; computed by :func:`accord.run.run_all`."""

    scenario: Scenario
    forecast: ForecastTable
    distribution: ForecastDistribution
    influence: InfluenceTable
    forums: tuple[ForumRun, ...]
    comparison: pd.DataFrame
    summary: pd.DataFrame
    trust: tuple[np.ndarray, tuple[str, ...], str] | None
    settings: dict[str, Any]
    spillovers: tuple[Spillover, ...] = ()
    """Each working group of fewer parties than its forum: its file alone and inside."""


def _format_labels(scenario: Scenario) -> dict[str, str]:
    """Formats in words: the scenario's names, and what a bilateral sequence is."""
    labels = {f.id: f.name or f.id for f in scenario.formats}
    for hub in scenario.actor_ids:
        labels[f"bilateral:{hub}"] = f"Bilateral sequence: {hub} meets each other party in turn"
    return labels


def png(draw: Any, *args: Any) -> str:
    """A figure drawn by ``draw(*args, path)``, as base64 PNG data for an ``<img>``."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "figure.png"
        draw(*args, path)
        return base64.b64encode(path.read_bytes()).decode("ascii")


def render_report(inputs: ReportInputs) -> str:
    """The report as HTML text (write it with an atomic write)."""
    from accord import __version__
    from accord.report.plots import comparison_figure, plot_distributions, trust_figure

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("accord.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    format_labels = _format_labels(inputs.scenario)
    images = {
        "distributions": png(plot_distributions, inputs.distribution),
        "formats": png(comparison_figure, inputs.summary, format_labels)
        if len(inputs.summary)
        else "",
        "trust": png(trust_figure, inputs.trust[0], inputs.trust[1]) if inputs.trust else "",
    }
    scenario = inputs.scenario
    status_quo = {
        i.id: "—" if i.status_quo is None else f"{i.status_quo.value:g}" for i in scenario.issues
    }
    columns = [c for c in ("agreed", "phases", "welfare", "nash_distance") if c in inputs.summary]
    columns += [
        c
        for c in inputs.summary.columns
        if c.startswith("wedge_") and not c.endswith(("_lo", "_hi"))
    ]
    format_labels = {f.id: f.name or f.id for f in scenario.formats}
    for hub in scenario.actor_ids:
        format_labels[f"bilateral:{hub}"] = (
            f"Bilateral sequence: {hub} meets each other party in turn"
        )
    column_labels = {
        "agreed": "Adopted",
        "phases": "Phases",
        "welfare": "Welfare",
        "nash_distance": "Distance from the Nash point",
        **{f"wedge_{a}": f"Gain from bilateral deals ({a})" for a in scenario.actor_ids},
    }
    template = env.get_template("report.html.j2")
    return template.render(
        scenario=scenario,
        forecast=inputs.forecast,
        distribution=inputs.distribution,
        influence=inputs.influence,
        forums=inputs.forums,
        spillovers=inputs.spillovers,
        comparison=inputs.summary.to_dict(orient="records"),
        comparison_columns=columns,
        images=images,
        status_quo=status_quo,
        model_labels={k: m.label for k, m in MODELS.items()},
        record=track_record(),
        settings=inputs.settings,
        trust_caption=inputs.trust[2]
        if inputs.trust
        else "No format adopted a package, so nothing was implemented.",
        version=__version__,
        format_labels=format_labels,
        column_labels=column_labels,
        source_name=Path(scenario.source).name,
    )
