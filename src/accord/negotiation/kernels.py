"""Compiled kernels for the batched engine, where numba is installed (``accord[fast]``).

Without numba, :mod:`accord.negotiation.batch` uses its numpy code; with it, the
selection below replaces a sort of every row of utilities. Both give the same
outcomes (``tests/test_negotiation_batch.py`` compares them).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.typing import NDArray

__all__ = ["COMPILED", "least_at_least"]

try:
    from numba import njit, prange
except ImportError:  # pragma: no cover - depends on the environment
    COMPILED = False
else:
    COMPILED = True


CELLS_PER_TARGET = 4
"""Cells of the lookup grid that places an outcome among a row's sorted targets."""


def _least_at_least(utilities: Any, targets: Any, out: Any) -> None:  # pragma: no cover
    """For each row and target, the least outcome worth at least the target.

    Per row: the targets are sorted (there are few), and each outcome is placed in the
    band between two consecutive targets, each band keeping its least utility (the
    lowest outcome number among equals). A target's answer is the least outcome of the
    first non-empty band at or above it; a target above every utility gets the best
    outcome, as if it were lowered to the best utility.

    An outcome's band is found from a grid of equal cells over the targets' range,
    which says where to start, and a short walk to the exact place: the walk compares
    with the targets themselves, so the grid's rounding never decides anything.
    """
    rows, n = utilities.shape
    steps = targets.shape[1]
    cells = CELLS_PER_TARGET * steps
    for row in prange(rows):
        u = utilities[row]
        order = np.argsort(targets[row])
        ranked = targets[row][order]
        low = ranked[0]
        width = ranked[steps - 1] - low
        scale = cells / width if width > 0 else 0.0
        start = np.zeros(cells + 1, dtype=np.int64)  # targets below each cell's lower edge
        k = 0
        for c in range(cells + 1):
            edge = low + c / scale if scale > 0 else low
            while k < steps and ranked[k] < edge:
                k += 1
            start[c] = k
        least = np.full(steps + 1, np.inf)
        which = np.full(steps + 1, -1, dtype=np.int64)
        best = 0
        for j in range(n):
            value = u[j]
            if value > u[best]:
                best = j
            c = int(min(max((value - low) * scale, 0.0), cells))
            band = start[c]  # then walk to: the number of targets at most value
            while band > 0 and ranked[band - 1] > value:
                band -= 1
            while band < steps and ranked[band] <= value:
                band += 1
            if value < least[band]:
                least[band] = value
                which[band] = j
        # Band c holds outcomes meeting the c lowest targets; target k (in rank order)
        # is met by the bands above k, and the least of them is the first non-empty one.
        nearest = best
        for c in range(steps, 0, -1):
            if which[c] >= 0:
                nearest = which[c]
            out[row, order[c - 1]] = nearest


if COMPILED:
    _compiled = njit(parallel=True, cache=True, nogil=True)(_least_at_least)


def least_at_least(
    utilities: NDArray[np.float64], targets: NDArray[np.float64]
) -> NDArray[np.int64]:
    """``(R, T)``: per row of ``utilities`` (R, N), the least outcome worth ≥ each target."""
    out = np.empty(targets.shape, dtype=np.int64)
    _compiled(np.ascontiguousarray(utilities), np.ascontiguousarray(targets), out)
    return out
