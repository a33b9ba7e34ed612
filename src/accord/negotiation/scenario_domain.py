"""Negotiation domains built from a scenario: ideal points, saliences, status quo.

For a chosen format (table) and resolution, each issue's scale is cut into
``resolution`` evenly spaced values and each party gets a linear additive
utility:

* **value function**: on each issue, 1 at the party's stated position falling
  linearly to 0 at the far end of the scale from it, ``v(x) = 1 - |x - x_i| / D_i``
  with ``D_i = max(x_i - min, max - x_i)``. Linear loss in distance is the
  same spatial preference the expected-utility and exchange models assume, so
  the negotiation and the forecasts read a scenario the same way; every value
  of the scale is worth something, so no outcome is worthless to a party that
  cares about several issues. ``shape="quadratic"`` uses ``1 - (|x - x_i| / D_i)^2``
  instead (indifferent near the ideal point, steep far from it);
* **weights**: the party's saliences, divided by their sum; an issue on which it
  has no stance gets weight 0 (it is indifferent);
* **reservation value**: the utility of the status quo outcome, or the actor's
  ``reservation`` where the scenario gives one. An issue without a status quo
  contributes nothing to the reservation value.
"""

from __future__ import annotations

from typing import Literal, get_args

import numpy as np

from accord.errors import AccordError
from accord.negotiation.domain import NegotiationDomain
from accord.negotiation.space import NegotiationIssue, OutcomeSpace
from accord.negotiation.utility import LinearAdditiveUtility
from accord.scenario import Scenario

__all__ = [
    "MAX_NEGOTIATED_PACKAGES",
    "SHAPES",
    "Shape",
    "as_shape",
    "domain_from_scenario",
    "resolution_within",
    "utilities_of",
]

Shape = Literal["linear", "quadratic"]
"""How a delegation's value falls with distance from its ideal point."""
SHAPES: tuple[Shape, ...] = get_args(Shape)


MAX_NEGOTIATED_PACKAGES = 100_000
"""The joint space a negotiation played offer by offer is kept within (each negotiator
ranks every package; ten issues at five values would be nearly ten million)."""


def resolution_within(free_issues: int, packages: int, wanted: int = 5) -> int:
    """The most values per issue, up to ``wanted``, within ``packages`` packages (at least 2)."""
    for resolution in range(wanted, 2, -1):
        if resolution**free_issues <= packages:
            return resolution
    return 2


def as_shape(value: object) -> Shape:
    """``value`` as a shape, or an error that names the shapes there are."""
    for shape in SHAPES:
        if value == shape:
            return shape
    raise AccordError(f"shape must be one of {', '.join(SHAPES)}, got {value!r}")


def _value_table(
    values: np.ndarray, ideal: float, low: float, high: float, shape: Shape
) -> np.ndarray:
    reach = max(ideal - low, high - ideal)
    loss = np.abs(values - ideal) / reach if reach > 0 else np.zeros_like(values)
    return 1.0 - (loss**2 if shape == "quadratic" else loss)


def domain_from_scenario(
    scenario: Scenario,
    format_id: str | None = None,
    *,
    resolution: int = 5,
    shape: Shape = "linear",
) -> NegotiationDomain:
    """The negotiation domain of a scenario's format.

    Args:
        scenario: A loaded scenario.
        format_id: A format id; all actors when ``None``.
        resolution: Values per issue (the scale's ends included).
        shape: ``"linear"`` (default) or ``"quadratic"`` value functions.
    """
    if shape not in ("linear", "quadratic"):
        raise AccordError(f"shape must be 'linear' or 'quadratic', got {shape!r}")
    seated = scenario.seated_at(format_id) if format_id is not None else scenario
    # An actor that states no position at this table has nothing at stake: it does not sit.
    stake = seated.stakeholders
    if len(stake) < 2:
        raise AccordError(
            f"{scenario.source}: fewer than two actors at this table state a position on any "
            "issue, so there is nothing to negotiate"
        )
    if len(stake) < len(seated.actors):
        seated = seated.with_actors(stake)
    # An issue whose holder is not at this table is not the table's to settle: it stays
    # at the status quo, its one value (see accord.forecasting.holders).
    issues = tuple(
        NegotiationIssue(i.id, (float(i.status_quo.value),))
        if any(h not in seated.actor_ids for h in i.holders) and i.status_quo is not None
        else NegotiationIssue.discretised(i.id, i.scale.min, i.scale.max, resolution)
        for i in seated.issues
    )
    space = OutcomeSpace(issues)
    utilities = []
    for actor, row in zip(seated.actors, seated.stances, strict=True):
        saliences = np.array([0.0 if s.salience is None else s.salience for s in row])
        total = saliences.sum()
        weights = saliences / total
        tables = []
        sq_value = 0.0
        for k, (issue, stance) in enumerate(zip(seated.issues, row, strict=True)):
            values = np.array(issues[k].values, dtype=np.float64)
            if stance.position is None:
                tables.append(tuple(np.zeros_like(values).tolist()))
                continue
            table_k = _value_table(values, stance.position, issue.scale.min, issue.scale.max, shape)
            tables.append(tuple(table_k.tolist()))
            if issue.status_quo is not None:
                sq = _value_table(
                    np.array([issue.status_quo.value]),
                    stance.position,
                    issue.scale.min,
                    issue.scale.max,
                    shape,
                )
                sq_value += weights[k] * float(sq[0])
        reservation = actor.reservation.value if actor.reservation is not None else sq_value
        utilities.append(
            LinearAdditiveUtility(tuple(weights.tolist()), tuple(tables), float(reservation))
        )
    n = len(seated.actors)
    trust = (
        np.array(
            [
                [0.0 if a == b else seated.trust(a, b) for b in seated.actor_ids]
                for a in seated.actor_ids
            ]
        )
        if n
        else None
    )
    return NegotiationDomain(
        name=f"{scenario.name}" + (f" — {format_id}" if format_id else ""),
        space=space,
        parties=seated.actor_ids,
        utilities=tuple(utilities),
        trust=trust,
    )


def utilities_of(
    scenario: Scenario,
    values: dict[str, float],
    *,
    format_id: str | None = None,
    shape: Shape = "linear",
) -> dict[str, float]:
    """Each seated actor's utility of an outcome given as exact values per issue.

    The same value functions and weights as :func:`domain_from_scenario`, but
    evaluated at any point of the scales, not only on the grid. Issues missing
    from ``values`` are taken at their status quo (or the middle of the scale).
    """
    seated = scenario.seated_at(format_id) if format_id is not None else scenario
    out = {}
    for actor, row in zip(seated.actors, seated.stances, strict=True):
        saliences = np.array([0.0 if s.salience is None else s.salience for s in row])
        total = saliences.sum()
        utility = 0.0
        for issue, stance, salience in zip(seated.issues, row, saliences, strict=True):
            if stance.position is None or total <= 0:
                continue
            default = (
                issue.status_quo.value
                if issue.status_quo is not None
                else (issue.scale.min + issue.scale.max) / 2
            )
            x = np.array([float(values.get(issue.id, default))])
            v = _value_table(x, stance.position, issue.scale.min, issue.scale.max, shape)
            utility += salience / total * float(v[0])
        out[actor.id] = utility
    return out
