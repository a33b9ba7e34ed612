"""Monte Carlo over the scenario's stated uncertainties.

Every number of a scenario may carry an uncertainty: a standard deviation
(``sd``, drawn from a normal distribution) or a range (``low``/``high``, drawn
uniformly). Draws are clipped to what the value allows — positions to the
issue's scale, saliences to [0, 1], capabilities to above 0 — so a wide
normal piles some mass at the bounds rather than being redrawn; say so when
reporting tails.

Randomness has one owner: a ``numpy.random.Generator`` made from the seed.
All draws are made at once, in a fixed order (capabilities, positions,
saliences), and a full array is drawn for each whether or not a value is
uncertain, so the draws of one value do not depend on which other values are
uncertain, nor on how the draws are later split into chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.forecasting.classic import Array
from accord.forecasting.inputs import IssueArrays
from accord.scenario import Quantity, Scenario

__all__ = ["Uncertainty"]

EXACT, NORMAL, UNIFORM = 0, 1, 2


def _spec(q: Quantity | None) -> tuple[int, float, float]:
    if q is None:
        return EXACT, 0.0, 0.0
    if q.sd is not None and q.sd > 0:
        return NORMAL, q.value, q.sd
    if q.low is not None and q.high is not None and q.high > q.low:
        return UNIFORM, q.low, q.high
    return EXACT, 0.0, 0.0


@dataclass(frozen=True, eq=False)
class _Spread:
    kind: NDArray[np.int8]
    a: Array
    b: Array

    @classmethod
    def of(
        cls, specs: list[tuple[int, float, float]] | list[list[tuple[int, float, float]]]
    ) -> _Spread:
        """From ``(kind, a, b)`` triples, in the shape of the values they describe."""
        arr = np.array(specs, dtype=np.float64)
        return cls(arr[..., 0].astype(np.int8), arr[..., 1], arr[..., 2])

    def draw(self, base: Array, draws: int, rng: np.random.Generator) -> Array:
        shape = (draws, *base.shape)
        z = rng.standard_normal(shape)
        u = rng.random(shape)
        normal = self.a + self.b * z
        uniform = self.a + (self.b - self.a) * u
        return np.where(self.kind == NORMAL, normal, np.where(self.kind == UNIFORM, uniform, base))


@dataclass(frozen=True, eq=False)
class Uncertainty:
    """The uncertainty of every capability, position and salience of a scenario."""

    capability: _Spread
    position: _Spread
    salience: _Spread

    @classmethod
    def from_scenario(cls, scenario: Scenario) -> Uncertainty:
        """Read the ``sd`` and ``low``/``high`` of every value."""
        return cls(
            capability=_Spread.of([_spec(a.capability) for a in scenario.actors]),
            position=_Spread.of(
                [[_spec(s.entry.position) for s in row] for row in scenario.stances]
            ),
            salience=_Spread.of(
                [[_spec(s.entry.salience) for s in row] for row in scenario.stances]
            ),
        )

    @property
    def any(self) -> bool:
        """Whether any value is uncertain at all."""
        return bool(
            (self.capability.kind != EXACT).any()
            or (self.position.kind != EXACT).any()
            or (self.salience.kind != EXACT).any()
        )

    def sample(self, base: IssueArrays, draws: int, rng: np.random.Generator) -> IssueArrays:
        """``draws`` scenarios drawn around ``base``, as one batch ``(draws, ...)``."""
        capability = np.maximum(self.capability.draw(base.capability, draws, rng), 1e-12)
        position = self.position.draw(base.position, draws, rng)
        position = np.clip(position, base.scale_min, base.scale_max)
        position = np.where(base.stated, position, np.nan)
        salience = np.clip(self.salience.draw(base.salience, draws, rng), 0.0, 1.0)
        salience = np.where(base.stated, salience, 0.0)
        return base.with_values(position, salience, capability)
