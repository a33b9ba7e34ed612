"""Spillover: a file negotiated on its own, against the same file inside the forum's package.

Azizian (2002) argues that a Northeast Asian forum convened for Korea could help
Russia and Japan settle the Kurils, a file that had stalled between the two. The
comparison: the zone of agreement of the file's parties on the file's issues alone
(outside), and the forum's Nash package over its whole agenda (inside), read on
the file's issues. Where the package moves the file further than the two alone
would, the forum's other issues pay for it (issue linkage); where no bilateral zone
exists and the forum's does, the forum opens a file that cannot move on its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from accord.errors import AccordError
from accord.forum.procedure import agenda_issues, zone_on
from accord.negotiation import domain_from_scenario
from accord.negotiation.zone import Zone
from accord.scenario import Scenario

__all__ = ["Spillover", "spillover"]


@dataclass(frozen=True)
class Spillover:
    """The file outside the forum and inside it."""

    parties: tuple[str, ...]
    issues: tuple[str, ...]
    outside: Zone
    inside: Zone
    status_quo: dict[str, float]

    @property
    def inside_values(self) -> dict[str, float] | None:
        """The forum's Nash package on the file's issues (None: no package in the forum)."""
        if self.inside.nash is None:
            return None
        return {i: self.inside.nash[i] for i in self.issues if i in self.inside.nash}

    def describe(self) -> str:
        """Two lines in words."""

        def said(values: dict[str, float] | None) -> str:
            if values is None:
                return "no package beats every reservation"
            return ", ".join(f"{k} = {v:g}" for k, v in values.items())

        outside = self.outside.nash
        return (
            f"outside the forum ({' and '.join(self.parties)} alone): "
            f"{said({i: outside[i] for i in self.issues} if outside else None)}\n"
            f"inside the forum's package: {said(self.inside_values)} "
            f"(status quo: {said(self.status_quo)})"
        )


def spillover(
    scenario: Scenario, forum_id: str, parties: tuple[str, ...], issues: tuple[str, ...]
) -> Spillover:
    """Compare a file (some parties, some issues) outside and inside a forum."""
    forum = scenario.forum(forum_id)
    seated = scenario.format(forum.format).actors
    missing = [p for p in parties if p not in seated]
    if missing:
        raise AccordError(f"{', '.join(missing)} not at {forum.format}; the file must sit there")
    pair = scenario.with_actors(parties)
    alone = domain_from_scenario(pair, None)
    names = [i.name for i in alone.space.issues]
    unknown = [i for i in issues if i not in names]
    if unknown:
        raise AccordError(f"unknown issues {unknown}; the issues are {names}")
    outside = zone_on(alone, pair, tuple(names.index(i) for i in issues))
    table = domain_from_scenario(scenario, forum.format)
    inside = zone_on(table, scenario, agenda_issues(table, forum))
    status_quo = {
        i: float(scenario.issue(i).status_quo.value)  # type: ignore[union-attr]
        for i in issues
        if scenario.issue(i).status_quo is not None
    }
    return Spillover(tuple(parties), tuple(issues), outside, inside, status_quo)
