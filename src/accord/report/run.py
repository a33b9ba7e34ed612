"""The main job: forecasts, the forum in every format, the formats compared, for a report."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from accord.forecasting import forecast
from accord.forecasting.distribution import forecast_distribution
from accord.forecasting.influence import influence
from accord.forum import (
    ComparisonSettings,
    ForumSettings,
    compare_formats,
    default_forum,
    implement,
    run_forum,
    summarise,
)
from accord.forum.formats import negotiable
from accord.forum.implementation import Strategy
from accord.forum.procedure import status_quo_index
from accord.forum.spillover import spillover
from accord.negotiation.scenario_domain import Shape
from accord.report.html import ReportInputs
from accord.scenario import Scenario

__all__ = ["RunSettings", "run_all"]

Step = Callable[[str], None]

INFLUENCE_MOST = 25
"""Who is pivotal is asked of this many actors at most: those with the most weight."""

INFLUENCE_BUDGET = INFLUENCE_MOST * 21 * 10 * 60**2
"""How much the pivotality step may weigh: 25 actors asked of 60 on 10 issues.

Each actor asked costs ``1 + 2m`` runs of the expected-utility model on ``m`` issues,
each weighing every pair of the ``n`` actors; fewer actors are asked on larger tables.
"""


INFLUENCE_PER_ACTOR = 4_000_000
"""Beyond this cost one actor asked takes most of a minute (500 actors on 3 issues: 48 s)."""


def influence_most(actors: int, issues: int) -> int:
    """How many actors the report asks who is pivotal, on a table of this size.

    None where asking even one would take most of a minute: the report then says so and
    how to ask (``accord influence``).
    """
    per_actor = (1 + 2 * issues) * issues * actors * actors
    if per_actor > INFLUENCE_PER_ACTOR:
        return 0
    return max(1, min(INFLUENCE_MOST, INFLUENCE_BUDGET // max(per_actor, 1)))


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    """Settings of the main job; the defaults finish in well under a minute on a laptop."""

    seed: int = 0
    samples: int = 500
    draws: int = 20
    negotiator: str = "boulware"
    strategy: Strategy = "strict"
    shape: Shape = "linear"
    steps: int = 20


def run_all(scenario: Scenario, settings: RunSettings, step: Step | None = None) -> ReportInputs:
    """Run everything the report shows."""
    say = step or (lambda _: None)
    say("forecasts")
    table = forecast(scenario)
    distribution = forecast_distribution(
        scenario,
        settings.samples,
        settings.seed,
        progress=lambda done, total: say(f"forecasts, {done:,} of {total:,} draws"),
    )
    most = influence_most(len(scenario.actors), len(scenario.issues))
    say(f"influence of {most} actor{'' if most == 1 else 's'}")
    pivots = influence(scenario, "expected-utility", most=most)
    forum_settings = ForumSettings(
        negotiator=settings.negotiator, steps=settings.steps, shape=settings.shape
    )
    say("forums")
    formats = sorted(negotiable(scenario), key=lambda f: len(f.actors))
    forums = tuple(
        run_forum(
            scenario,
            next((f for f in scenario.forums if f.format == fmt.id), None)
            or default_forum(scenario, fmt.id),
            forum_settings,
            seed=settings.seed,
        )
        for fmt in formats
    )
    trust = None
    for run in reversed(forums):
        if run.agreed:
            domain = run.domain
            sq = status_quo_index(domain, scenario)
            values = {
                **{
                    i.name: float(i.values[int(k)])
                    for i, k in zip(domain.space.issues, sq, strict=True)
                },
                **run.outcome,
            }
            result = implement(
                domain,
                sq,
                domain.nearest_indices(values),
                strategy=settings.strategy,
                seed=settings.seed,
            )
            caption = (
                f"{run.forum}: {result.completed} of {result.phases} phases completed "
                f"({settings.strategy} reciprocity); defections: "
                + (", ".join(f"{p} in phase {k}" for k, p in result.defections) or "none")
            )
            trust = (result.trust, domain.parties, caption)
            break
    say("formats compared")
    comparison = compare_formats(
        scenario,
        settings.draws,
        settings.seed,
        ComparisonSettings(forum=forum_settings, strategy=settings.strategy),
    )
    say("spillover")
    spillovers = tuple(
        spillover(scenario, forum.id, group.actors, group.issues)
        for forum in scenario.forums
        for group in forum.working_groups
        if len(group.actors) < len(scenario.format(forum.format).actors)
    )
    return ReportInputs(
        scenario=scenario,
        spillovers=spillovers,
        forecast=table,
        distribution=distribution,
        influence=pivots,
        forums=forums,
        comparison=comparison,
        summary=summarise(comparison),
        trust=trust,
        settings={
            "seed": settings.seed,
            "samples": settings.samples,
            "draws": settings.draws,
            "negotiator": settings.negotiator,
            "strategy": settings.strategy,
            "shape": settings.shape,
        },
    )
