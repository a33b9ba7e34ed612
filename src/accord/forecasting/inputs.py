"""A scenario as arrays: the input every forecasting model works on."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
from numpy.typing import NDArray

from accord.scenario import Scenario
from accord.scenario.model import RULE_QUOTA

__all__ = ["IssueArrays"]

Array = NDArray[np.float64]


def _frozen(a: Array) -> Array:
    a = np.ascontiguousarray(a, dtype=np.float64)
    a.setflags(write=False)
    return a


def _frozen_bool(values: list[bool]) -> NDArray[np.bool_]:
    a = np.array(values, dtype=bool)
    a.setflags(write=False)
    return a


def _linkage_matrix(scenario: Scenario) -> Array:
    ids = scenario.issue_ids
    out = np.zeros((len(ids), len(ids)))
    for link in scenario.linkages:
        a, b = (ids.index(i) for i in link.issues)
        strength = 1.0 if link.strength is None else link.strength.value
        out[a, b] = out[b, a] = strength
    return out


@dataclass(frozen=True, eq=False)
class IssueArrays:
    """Positions, saliences and capabilities of all actors on all issues.

    Actors run along axis -2 and issues along axis -1. An actor with no stated
    position on an issue has ``position`` NaN and ``salience`` 0 there, so that
    it carries no weight. A leading batch axis (Monte Carlo draws, see
    :mod:`accord.forecasting.uncertainty`) may come first on ``position``,
    ``salience`` and ``capability``. All arrays are read-only.

    Attributes:
        actors: Actor ids, in row order.
        issues: Issue ids, in column order.
        position: ``([B,] n_actors, n_issues)`` positions on each issue's scale.
        salience: ``([B,] n_actors, n_issues)`` saliences in [0, 1].
        capability: ``([B,] n_actors)`` capabilities, greater than 0.
        scale_min: ``(n_issues,)`` lower ends of the scales.
        scale_max: ``(n_issues,)`` upper ends of the scales.
        status_quo: ``(n_issues,)`` status quo, NaN where the scenario has none.
        linkage: ``(n_issues, n_issues)`` linkage strength, 0 where two issues are not linked.
        quota: ``(n_issues,)`` share of the votes a change needs (1 for unanimity), NaN
            where the decision rule is not known.
        votes: ``(n_actors, n_issues)`` votes in the deciding body (0 for an actor who
            takes part without a vote, such as the European Commission); capabilities
            unless the data says otherwise.
        veto: ``(n_actors, n_issues)`` actors whose consent a change needs whatever the
            vote: the European Parliament under co-decision, or an issue's holder.
    """

    actors: tuple[str, ...]
    issues: tuple[str, ...]
    position: Array
    salience: Array
    capability: Array
    scale_min: Array
    scale_max: Array
    status_quo: Array
    linkage: Array
    quota: Array
    votes: Array
    veto: NDArray[np.bool_]
    held: NDArray[np.bool_] | None = None
    """``(n_actors, n_issues)``: the actor holds what the issue is about (also a veto)."""
    holder_absent: NDArray[np.bool_] | None = None
    """``(n_issues,)``: a holder of the issue is not at this table, so it cannot move it."""

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> IssueArrays:
        """Read the arrays off a validated scenario."""
        nan = float("nan")
        position = [
            [nan if s.position is None else s.position for s in row] for row in scenario.stances
        ]
        salience = [
            [0.0 if s.salience is None else s.salience for s in row] for row in scenario.stances
        ]
        capability = np.array([a.capability.value for a in scenario.actors])
        veto = np.zeros((len(scenario.actors), len(scenario.issues)), dtype=bool)
        for k, issue in enumerate(scenario.issues):
            for holder in issue.holders:
                if holder in scenario.actor_ids:
                    veto[scenario.actor_ids.index(holder), k] = True
        veto.setflags(write=False)
        return cls(
            actors=scenario.actor_ids,
            issues=scenario.issue_ids,
            position=_frozen(np.array(position, dtype=np.float64)),
            salience=_frozen(np.array(salience, dtype=np.float64)),
            capability=_frozen(capability),
            scale_min=_frozen(np.array([i.scale.min for i in scenario.issues])),
            scale_max=_frozen(np.array([i.scale.max for i in scenario.issues])),
            status_quo=_frozen(
                np.array(
                    [nan if i.status_quo is None else i.status_quo.value for i in scenario.issues]
                )
            ),
            linkage=_frozen(_linkage_matrix(scenario)),
            quota=_frozen(
                np.array([nan if i.rule is None else RULE_QUOTA[i.rule] for i in scenario.issues])
            ),
            votes=_frozen(np.repeat(capability[:, None], len(scenario.issues), axis=1)),
            veto=veto,
            held=veto.copy(),
            holder_absent=_frozen_bool(
                [any(h not in scenario.actor_ids for h in i.holders) for i in scenario.issues]
            ),
        )

    @property
    def stated(self) -> NDArray[np.bool_]:
        """``(n_actors, n_issues)``: whether each actor has a position on each issue."""
        return ~np.isnan(self.position)

    @property
    def weight(self) -> Array:
        """``(n_actors, n_issues)``: capability × salience, 0 where there is no stance."""
        return np.where(self.stated, self.capability[..., :, None] * self.salience, 0.0)

    @property
    def batch_shape(self) -> tuple[int, ...]:
        """Leading batch axes: ``()`` for a single scenario, ``(B,)`` for draws."""
        return tuple(self.position.shape[:-2])

    def select(self, columns: NDArray[np.intp] | list[int]) -> IssueArrays:
        """The same actors on some of the issues only (in the order given)."""
        k = np.asarray(columns, dtype=np.intp)
        return replace(
            self,
            issues=tuple(self.issues[j] for j in k),
            position=_frozen(self.position[..., k]),
            salience=_frozen(self.salience[..., k]),
            scale_min=_frozen(self.scale_min[k]),
            scale_max=_frozen(self.scale_max[k]),
            status_quo=_frozen(self.status_quo[k]),
            linkage=_frozen(self.linkage[np.ix_(k, k)]),
            quota=_frozen(self.quota[k]),
            votes=_frozen(self.votes[:, k]),
            veto=self.veto[:, k].copy(),
            held=None if self.held is None else self.held[:, k].copy(),
            holder_absent=None if self.holder_absent is None else self.holder_absent[k].copy(),
        )

    def with_values(self, position: Array, salience: Array, capability: Array) -> IssueArrays:
        """The same actors and issues with other (for example sampled) values."""
        return replace(
            self,
            position=_frozen(position),
            salience=_frozen(salience),
            capability=_frozen(capability),
        )
