"""Linear additive utility functions, evaluated for every outcome at once."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.errors import AccordError
from accord.negotiation.space import OutcomeSpace

__all__ = ["LinearAdditiveUtility"]

Array = NDArray[np.float64]


@dataclass(frozen=True, eq=False)
class LinearAdditiveUtility:
    """``u(o) = Σ_i w_i v_i(o_i)``, with a reservation value for no agreement.

    Attributes:
        weights: One weight per issue (the scenario's saliences, normalised).
        values: Per issue, the value of each of its values (a value table).
        reservation: Utility of no agreement.
    """

    weights: tuple[float, ...]
    values: tuple[tuple[float, ...], ...]
    reservation: float = 0.0

    def check(self, space: OutcomeSpace) -> None:
        """Raise if this function does not fit the space."""
        if len(self.weights) != len(space.issues) or len(self.values) != len(space.issues):
            raise AccordError(
                f"utility has {len(self.weights)} weights for {len(space.issues)} issues"
            )
        for issue, table in zip(space.issues, self.values, strict=True):
            if len(table) != len(issue.values):
                raise AccordError(
                    f"issue {issue.name!r}: {len(table)} values in the utility table, "
                    f"{len(issue.values)} in the space"
                )

    def evaluate(self, space: OutcomeSpace) -> Array:
        """Utility of every outcome, in outcome order: ``(space.size,)``."""
        self.check(space)
        total = np.zeros(space.sizes)
        n = len(space.sizes)
        for k, (w, table) in enumerate(zip(self.weights, self.values, strict=True)):
            shape = [1] * n
            shape[k] = len(table)
            total = total + w * np.asarray(table, dtype=np.float64).reshape(shape)
        return total.reshape(-1)

    def __call__(self, space: OutcomeSpace, outcome: int) -> float:
        """Utility of one outcome."""
        idx = space.value_indices(outcome)
        return float(
            sum(w * t[int(i)] for w, t, i in zip(self.weights, self.values, idx, strict=True))
        )
