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

__all__ = ["RunPlan", "RunSettings", "plan_run", "run_all"]

Step = Callable[[str], None]

INFLUENCE_MOST = 25
"""Who is pivotal is asked of this many actors at most: those with the most weight."""

INFLUENCE_BUDGET = INFLUENCE_MOST * 21 * 10 * 40**2
"""How much the pivotality step may weigh: 25 actors asked of 40 on 10 issues (about
half a minute here; of 60 actors, 11 are asked).

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


SAMPLES = 500
"""Monte Carlo draws of the forecasts, where the table is small enough."""

DRAWS = 20
"""Draws of the scenario for the format comparison, where the table is small enough."""

SAMPLE_BUDGET = 30_000_000
"""How much the forecast draws may weigh together, in actors² × issues² per draw: the
exchange model weighs every pair of actors on every pair of issues, the expected-utility
model every pair of actors on each issue, round after round (about a minute here: one
draw of 60 actors on 10 issues takes 0.6 s)."""

COMPARISON_BUDGET = 1_200_000
"""The same for the format comparison, whose forums and zones of agreement grow with the
actors seated and the packages searched (60 actors on 10 issues: about 15 s a draw)."""

FEWEST_SAMPLES = 20
"""Below this many draws a 5–95% range says little; larger tables take longer instead."""

FEWEST_DRAWS = 3


@dataclass(frozen=True, kw_only=True)
class RunSettings:
    """Settings of the main job.

    ``samples`` and ``draws`` left at ``None`` are chosen by the table's size (see
    :func:`plan_run`): 500 and 20 where that finishes in about a minute, fewer on larger
    tables, and the report says so.
    """

    seed: int = 0
    samples: int | None = None
    draws: int | None = None
    negotiator: str = "boulware"
    strategy: Strategy = "strict"
    shape: Shape = "linear"
    steps: int = 20


@dataclass(frozen=True)
class RunPlan:
    """How many draws a run makes, and in words what was cut to keep it about a minute."""

    samples: int
    draws: int
    note: str = ""
    """Empty where nothing was cut."""


def plan_run(scenario: Scenario, settings: RunSettings) -> RunPlan:
    """The draws of a run on this scenario: those asked, else as many as its size allows."""
    n, m = len(scenario.actors), len(scenario.issues)
    weight = max(1, (n * m) ** 2)
    samples, draws, fewer = settings.samples, settings.draws, []
    if samples is None:
        samples = min(SAMPLES, max(FEWEST_SAMPLES, SAMPLE_BUDGET // weight))
        if samples < SAMPLES:
            fewer.append(f"{samples} Monte Carlo draws of the forecasts, not {SAMPLES}")
    if draws is None:
        draws = min(DRAWS, max(FEWEST_DRAWS, COMPARISON_BUDGET // weight))
        if draws < DRAWS:
            fewer.append(f"{draws} draws for the format comparison, not {DRAWS}")
    note = (
        f"On a table of {n} actors and {m} issues the run makes {' and '.join(fewer)}, "
        f"to finish in minutes (--samples {SAMPLES} --draws {DRAWS} asks for the full run)."
        if fewer
        else ""
    )
    return RunPlan(samples, draws, note)


def run_all(scenario: Scenario, settings: RunSettings, step: Step | None = None) -> ReportInputs:
    """Run everything the report shows."""
    say = step or (lambda _: None)
    plan = plan_run(scenario, settings)
    say("forecasts")
    table = forecast(scenario)
    distribution = forecast_distribution(
        scenario,
        plan.samples,
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
            settings=forum_settings,
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
        plan.draws,
        seed=settings.seed,
        settings=ComparisonSettings(forum=forum_settings, strategy=settings.strategy),
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
            "samples": plan.samples,
            "draws": plan.draws,
            "fewer": plan.note,
            "negotiator": settings.negotiator,
            "strategy": settings.strategy,
            "shape": settings.shape,
        },
    )
