"""Which of the analyst's judgements a forum's result rests on.

Every position and salience whose source is or contains a ``judgement`` is moved, one at a
time, down and up by its own uncertainty (its ``sd``; 10 points of the scale for a
position without one, 0.1 for a salience), and the forum's zone of agreement is
searched again: how many packages beat every party's reservation, and whether any
does. The judgements whose moves change the zone most are the ones the result is
most sensitive to; an analyst should source those first.

Run it on a scenario's forum::

    python -m accord.forum.sensitivity scenarios/northeast-asia-2002.toml six-party-forum

It prints a Markdown table (``docs/forum.md`` keeps the flagship's).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from accord.forecasting import IssueArrays
from accord.forum.procedure import agenda_issues, zone_on
from accord.negotiation import domain_from_scenario
from accord.negotiation.zone import Zone
from accord.scenario import Scenario, StandingForum, load_scenario
from accord.scenario.values import with_values

__all__ = ["Sensitivity", "judgement_sensitivity", "main"]

POSITION_STEP = 0.10
"""A judged position without an ``sd`` moves by this share of its scale."""
SALIENCE_STEP = 0.10


@dataclass(frozen=True)
class Sensitivity:
    """One judgement moved down and up: the zone's size each way."""

    actor: str
    issue: str
    what: str
    """``position`` or ``salience``."""
    value: float
    step: float
    down: int
    up: int

    def swing(self, base: int) -> int:
        """The larger change in the zone's size, either way."""
        return max(abs(self.down - base), abs(self.up - base))


def _zone(scenario: Scenario, forum: StandingForum) -> Zone:
    domain = domain_from_scenario(scenario, forum.format)
    return zone_on(domain, scenario, agenda_issues(domain, forum))


def judgement_sensitivity(scenario: Scenario, forum_id: str) -> tuple[Zone, list[Sensitivity]]:
    """The forum's zone, and each judged number's effect on it, largest swing first."""
    forum = scenario.forum(forum_id)
    seated = set(scenario.format(forum.format).actors)
    base = _zone(scenario, forum)
    arrays = IssueArrays.from_scenario(scenario)
    position, salience = np.array(arrays.position), np.array(arrays.salience)
    capability = np.array(arrays.capability)
    found: list[Sensitivity] = []
    for a, row in enumerate(scenario.stances):
        if scenario.actor_ids[a] not in seated:
            continue
        for i, stance in enumerate(row):
            entry = stance.entry
            if entry.position is None or entry.salience is None:
                continue
            issue = scenario.issues[i]
            for what, quantity, grid, default, low, high in (
                (
                    "position",
                    entry.position,
                    position,
                    POSITION_STEP * issue.scale.span,
                    issue.scale.min,
                    issue.scale.max,
                ),
                ("salience", entry.salience, salience, SALIENCE_STEP, 0.0, 1.0),
            ):
                if "judgement" not in (quantity.source or "").lower():
                    continue
                step = quantity.sd or default
                sizes = []
                for sign in (-1.0, 1.0):
                    moved = grid.copy()
                    moved[a, i] = float(np.clip(quantity.value + sign * step, low, high))
                    values = (moved, salience) if what == "position" else (position, moved)
                    changed = with_values(scenario, *values, capability)
                    sizes.append(_zone(changed, forum).in_zone)
                found.append(
                    Sensitivity(scenario.actor_ids[a], issue.id, what, quantity.value, step, *sizes)
                )
    found.sort(key=lambda s: (-s.swing(base.in_zone), s.actor, s.issue, s.what))
    return base, found


def main(argv: list[str] | None = None) -> int:
    """Print the sensitivity table of a scenario's forum as Markdown."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 2:
        print("usage: python -m accord.forum.sensitivity SCENARIO.toml FORUM_ID", file=sys.stderr)
        return 2
    scenario = load_scenario(args[0])
    base, found = judgement_sensitivity(scenario, args[1])
    print(f"Zone of agreement of {args[1]}: {base.describe()}.\n")
    print("| judgement | value | moved by | zone if lower | zone if higher |")
    print("|---|---|---|---|---|")
    for s in found[:15]:
        print(
            f"| {s.actor}'s {s.what} on {s.issue} | {s.value:g} | ±{s.step:g} | "
            f"{s.down:,} | {s.up:,} |"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
