"""Formats compared: the same scenario at the bilateral, three-, four- and six-party tables.

For every draw of the scenario's uncertainties, each of the scenario's formats
runs as a forum (the scenario's own forum for that format if it defines one,
otherwise a plain one) and the adopted package is implemented phase by phase.
A *bilateral sequence* is run for each hub actor (by default every actor that
sits at every format): the hub meets the others one at a time, in file order,
and carries the best deal so far into the next meeting as its fallback — it can
use one table's offer against another. The last deal stands.

Every outcome is valued by every actor of the scenario, seated or not: what a
four-party table decides about the Korean peninsula matters to Japan and
Russia too. Measures per draw and format:

* ``agreed`` and ``adopted``: whether the forum adopted anything, and what;
* ``phases``: implementation phases completed;
* ``u_<actor>``: each actor's utility of the implemented outcome;
* ``welfare``: their sum;
* ``nash_distance``: distance in utility space from the six-party Nash point
  (NaN where no outcome beats the status quo for all);
* ``wedge_<hub>`` (bilateral rows): how much more the hub obtains meeting the
  others separately than in the largest format.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from accord.forecasting import IssueArrays
from accord.forecasting.uncertainty import Uncertainty
from accord.forum.implementation import Strategy, implement, utilities_at
from accord.forum.procedure import ForumSettings, default_forum, run_forum, status_quo_index
from accord.negotiation import (
    ChairText,
    NegotiationDomain,
    domain_from_scenario,
    make_negotiator,
)
from accord.negotiation.scenario_domain import MAX_NEGOTIATED_PACKAGES, resolution_within
from accord.negotiation.zone import zone_of_agreement
from accord.scenario import Format, Scenario
from accord.scenario.values import with_values

__all__ = [
    "MAX_HUBS",
    "ComparisonSettings",
    "compare_formats",
    "compare_one",
    "negotiable",
    "summarise",
]


@dataclass(frozen=True, kw_only=True)
class ComparisonSettings:
    """How each format is run."""

    forum: ForumSettings = field(default_factory=ForumSettings)
    strategy: Strategy = "strict"
    phases: int = 4
    hubs: tuple[str, ...] | None = None
    """Hub actors of the bilateral sequence. By default the actors common to all formats,
    at most :data:`MAX_HUBS` of them: the most capable (file order on ties)."""


MAX_HUBS = 6
"""Bilateral sequences run by default: each is a hub meeting every other actor in turn, so
a table of n actors would otherwise need n × (n − 1) negotiations per draw."""


def _hubs(scenario: Scenario, settings: ComparisonSettings) -> tuple[str, ...]:
    if settings.hubs is not None:
        for h in settings.hubs:
            scenario.actor(h)
        return settings.hubs
    common = set(scenario.stakeholders)
    for f in scenario.formats:
        common &= set(f.actors)
    ranked = sorted(
        (a for a in scenario.actors if a.id in common), key=lambda a: -a.capability.value
    )
    chosen = {a.id for a in ranked[:MAX_HUBS]}
    return tuple(a for a in scenario.actor_ids if a in chosen)


def _bilateral_sequence(
    scenario: Scenario, hub: str, settings: ComparisonSettings, seed: int
) -> tuple[dict[str, float] | None, int]:
    """The hub meets each other actor in turn; returns the standing deal and the number of deals."""
    best: dict[str, float] | None = None
    best_value = -np.inf
    deals = 0
    seeds = np.random.SeedSequence(seed).spawn(len(scenario.actors))
    # The hub meets every other actor over every issue: keep each meeting's space within
    # what a negotiation played offer by offer ranks (ten issues: 3 values each, not 5).
    resolution = resolution_within(
        len(scenario.issues), MAX_NEGOTIATED_PACKAGES, settings.forum.resolution
    )
    for k, other in enumerate(a for a in scenario.stakeholders if a != hub):
        pair = scenario.with_actors([hub, other])
        domain = domain_from_scenario(pair, None, resolution=resolution, shape=settings.forum.shape)
        h = domain.index(hub)
        if best is not None:
            # The best deal so far is the hub's fallback at this table.
            u = domain.utilities[h]
            floor = max(u.reservation, best_value)
            utilities = list(domain.utilities)
            utilities[h] = replace(u, reservation=floor)
            domain = NegotiationDomain(
                domain.name, domain.space, domain.parties, tuple(utilities), domain.trust
            )
        negotiators = [make_negotiator(settings.forum.kind(p)) for p in domain.parties]
        steps = settings.forum.steps * 3
        result = ChairText(n_steps=steps).run(
            domain, negotiators, seed=int(seeds[k].generate_state(1)[0])
        )
        if result.agreement is not None:
            deals += 1
            best = {i: float(v) for i, v in domain.describe(result.agreement).items()}
            best_value = float(domain.matrix[h, result.agreement])
    return best, deals


def compare_one(
    scenario: Scenario, settings: ComparisonSettings, *, seed: int
) -> list[dict[str, Any]]:
    """All formats on one scenario (one draw): one row per format."""
    whole = domain_from_scenario(
        scenario, None, resolution=settings.forum.resolution, shape=settings.forum.shape
    )
    sq = status_quo_index(whole, scenario)
    sq_values = {
        i.name: float(i.values[int(k)]) for i, k in zip(whole.space.issues, sq, strict=True)
    }
    # The Nash point of all the scenario's actors, searched over the joint space without
    # building it (ten issues at five values are nearly ten million packages).
    zone = zone_of_agreement(whole)
    nash = (
        None
        if zone.nash_gains is None
        else np.asarray(whole.reservation) + np.array([zone.nash_gains[p] for p in whole.parties])
    )
    hubs = _hubs(scenario, settings)
    # One child seed per forum run, per implementation and per bilateral sequence:
    # formats first, then each hub's implementation, then each hub's sequence.
    seeds = np.random.SeedSequence(seed).spawn(len(scenario.formats) + 2 * len(hubs))
    rows: list[dict[str, Any]] = []
    largest: dict[str, float] = {}

    def measure(
        name: str, values: dict[str, float] | None, agreed: bool, adopted: str, k: int
    ) -> dict[str, Any]:
        end = whole.nearest_indices(values) if values is not None else sq
        run = implement(
            whole,
            sq,
            end,
            strategy=settings.strategy,
            phases=settings.phases,
            seed=int(seeds[k].generate_state(1)[0]),
        )
        final = sq + (end - sq) * run.progress
        utility = utilities_at(whole, final)
        row: dict[str, Any] = {
            "format": name,
            "agreed": agreed,
            "adopted": adopted,
            "phases": run.completed if agreed else 0,
        }
        row |= {f"u_{p}": float(u) for p, u in zip(whole.parties, utility, strict=True)}
        row["welfare"] = float(utility.sum())
        row["nash_distance"] = (
            float(np.linalg.norm(utility - nash)) if nash is not None else float("nan")
        )
        return row

    formats = sorted(negotiable(scenario), key=lambda f: len(f.actors))
    for k, fmt in enumerate(formats):
        forum = next((f for f in scenario.forums if f.format == fmt.id), None) or default_forum(
            scenario, fmt.id
        )
        run = run_forum(
            scenario, forum, settings=settings.forum, seed=int(seeds[k].generate_state(1)[0])
        )
        values = {**sq_values, **run.outcome} if run.agreed else None
        rows.append(measure(fmt.id, values, run.agreed, ",".join(run.adopted), k))
    if rows:
        largest = rows[-1]
    for j, hub in enumerate(hubs):
        deal, count = _bilateral_sequence(
            scenario, hub, settings, int(seeds[len(formats) + len(hubs) + j].generate_state(1)[0])
        )
        values = {**sq_values, **deal} if deal is not None else None
        row = measure(
            f"bilateral:{hub}", values, deal is not None, f"{count} deals", len(formats) + j
        )
        if largest:
            row[f"wedge_{hub}"] = row[f"u_{hub}"] - largest[f"u_{hub}"]
        rows.append(row)
    return rows


def negotiable(scenario: Scenario) -> list[Format]:
    """The scenario's formats at which at least two actors state a position.

    The others have nothing to negotiate and are not run.
    """
    stake = set(scenario.stakeholders)
    return [f for f in scenario.formats if len(stake & set(f.actors)) >= 2]


def compare_formats(
    scenario: Scenario, draws: int, *, seed: int, settings: ComparisonSettings | None = None
) -> pd.DataFrame:
    """Every format on ``draws`` draws of the scenario's uncertainties.

    Draw 0 is the scenario as written.

    Returns:
        One row per (draw, format).
    """
    settings = settings or ComparisonSettings()
    if len(scenario.stakeholders) < 2:  # nobody to negotiate with: nothing to compare
        return pd.DataFrame(columns=["draw", "format", "agreed", "adopted", "phases", "welfare"])
    base = IssueArrays.from_scenario(scenario)
    uncertainty = Uncertainty.from_scenario(scenario)
    rows: list[dict[str, Any]] = []
    for d in range(draws):
        drawn = scenario_draw(scenario, base, uncertainty, seed, d)
        for row in compare_one(
            drawn, settings, seed=int(np.random.SeedSequence([seed, d, 1]).generate_state(1)[0])
        ):
            rows.append({"draw": d, **row})
    return pd.DataFrame.from_records(rows)


def scenario_draw(
    scenario: Scenario, base: IssueArrays, uncertainty: Uncertainty, seed: int, draw: int
) -> Scenario:
    """Draw ``draw`` of the scenario: the scenario itself for draw 0, else sampled values."""
    if draw == 0:
        return scenario
    sample = uncertainty.sample(
        base, 1, np.random.default_rng(np.random.SeedSequence([seed, draw]))
    )
    position = np.where(base.stated, sample.position[0], base.position)
    return with_values(scenario, np.nan_to_num(position), sample.salience[0], sample.capability[0])


def summarise(table: pd.DataFrame, *, level: float = 0.90, by: Sequence[str] = ()) -> pd.DataFrame:
    """Mean and central interval of every numeric measure over the draws.

    One row per format, and per value of each column in ``by`` (a swept parameter).
    """
    tail = (1 - level) / 2
    keys = [*by, "format"]
    numeric = [
        c
        for c in table.columns
        if c not in (*keys, "draw", "adopted") and pd.api.types.is_numeric_dtype(table[c])
    ]
    out = []
    for name, group in table.groupby(keys, sort=False):
        row: dict[str, Any] = {**dict(zip(keys, name, strict=True)), "draws": len(group)}
        for column in numeric:
            values = group[column].astype(float).dropna()
            if values.empty:
                continue
            row[column] = float(values.mean())
            row[f"{column}_lo"] = float(values.quantile(tail))
            row[f"{column}_hi"] = float(values.quantile(1 - tail))
        out.append(row)
    return pd.DataFrame.from_records(out)
