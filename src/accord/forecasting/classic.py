"""The classic one-shot collective-decision models, for all issues at once.

Every function takes arrays with actors on axis ``-2`` and issues on axis
``-1``; any leading axes (a batch of Monte Carlo draws, say) are carried
through, so one call forecasts many scenarios. Actors without a stated position
have NaN positions and must have weight 0.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["nash_bargaining", "weighted_mean", "weighted_median"]

Array = NDArray[np.float64]

_BISECTION_STEPS = 100


def weighted_mean(position: Array, weight: Array) -> Array:
    """The capability-and-salience weighted mean ("compromise") of each issue.

    ``O = Σ w_i x_i / Σ w_i`` with ``w_i = c_i s_i`` (Bueno de Mesquita 1994;
    Achen 2006's "compromise model"; Scholz et al. 2011's "mean voter").
    Actors without a position are dropped, not counted as 0.

    Returns:
        Forecasts with the actor axis removed; NaN where no actor has weight.
    """
    w = np.where(np.isnan(position), 0.0, weight)
    x = np.where(np.isnan(position), 0.0, position)
    total = w.sum(axis=-2)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (w * x).sum(axis=-2) / total, np.nan)


def weighted_median(position: Array, weight: Array) -> Array:
    """The weighted median of each issue.

    Positions are sorted and weights ``w = c·s`` summed from the lowest
    position up; the forecast is the first position at which the running sum
    reaches half of the total weight. When the running sum lands exactly on
    one half (a tie between two positions), this rule picks the lower
    position; the papers give no rule for that case.

    Returns:
        Forecasts with the actor axis removed; NaN where no actor has weight.
    """
    w = np.where(np.isnan(position), 0.0, weight)
    x = np.where(np.isnan(position), np.inf, position)
    order = np.argsort(x, axis=-2, kind="stable")
    xs = np.take_along_axis(x, order, axis=-2)
    cum = np.cumsum(np.take_along_axis(w, order, axis=-2), axis=-2)
    total = cum[..., -1:, :]
    # A relative tolerance keeps "reaches half" robust to rounding in the sum.
    reached = cum >= 0.5 * total * (1.0 - 1e-12)
    first = np.argmax(reached & (total > 0), axis=-2)[..., None, :]
    out = np.take_along_axis(xs, first, axis=-2)[..., 0, :]
    return np.where(total[..., 0, :] > 0, out, np.nan)


def nash_bargaining(
    position: Array, weight: Array, status_quo: Array
) -> tuple[Array, Array, Array]:
    """The asymmetric Nash bargaining solution of each issue, with the status quo as threat point.

    Each actor's utility is quadratic around its position, ``u_i(x) = -s_i (x - x_i)^2``,
    and the solution maximises ``Π_i (u_i(x) - u_i(d))^{w_i}`` over the outcomes
    every actor prefers to the status quo ``d`` (individual rationality).

    Choices, and why:

    * **Quadratic utility.** Linear loss gives corner solutions (see
      ``docs/models.md``); quadratic loss is the standard spatial form and gives
      a unique interior bargain.
    * **Weights** ``w_i = c_i s_i``. The Nash solution is invariant to rescaling
      each player's utility, so salience cannot act through ``u_i``; it acts
      through the bargaining weight instead. With these weights the solution
      tends to the weighted mean as the status quo moves far from every
      position (Achen 2006), so the two models are comparable.
    * **Threat point** the status quo. If actors sit on both sides of it, no
      outcome is better for all of them than the status quo, and the solution
      *is* the status quo: unanimity protects it. The returned bargaining range
      shows this (lower == upper).

    The first-order condition ``Σ w_i (x_i - x) / ((d - x_i)^2 - (x - x_i)^2) = 0``
    is strictly decreasing on the open bargaining range, so it is solved by
    bisection, vectorised over issues (and any batch axes).

    Args:
        position: Positions, actors on axis -2; NaN for no position.
        weight: Bargaining weights ``c·s``; 0 for actors to leave out.
        status_quo: Threat point per issue (actors axis absent); NaN for none.

    Returns:
        ``(solution, lower, upper)``: the bargain and the range of outcomes that
        every actor with weight prefers to the status quo. NaN where the issue
        has no status quo or no actor with weight.
    """
    d = np.asarray(status_quo, dtype=np.float64)[..., None, :]
    active = ~np.isnan(position) & (weight > 0)
    x = np.where(active, position, 0.0)
    w = np.where(active, weight, 0.0)
    reach = np.abs(d - x)  # each actor accepts outcomes within |d - x_i| of its position
    lower = np.max(np.where(active, x - reach, -np.inf), axis=-2)
    upper = np.min(np.where(active, x + reach, np.inf), axis=-2)
    d0 = d[..., 0, :]
    undefined = np.isnan(d0) | ~active.any(axis=-2)

    # Issues without a bargaining range keep finite bounds so the loop stays quiet.
    lo = np.where(undefined, 0.0, lower)
    hi = np.where(undefined, 0.0, upper)
    for _ in range(_BISECTION_STEPS):
        mid = 0.5 * (lo + hi)
        m = mid[..., None, :]
        slack = reach**2 - (m - x) ** 2
        with np.errstate(divide="ignore", invalid="ignore"):
            terms = np.where(active, w * (x - m) / slack, 0.0)
            rising = terms.sum(axis=-2) > 0
        lo = np.where(rising, mid, lo)
        hi = np.where(rising, hi, mid)
    solution = np.where(upper > lower, 0.5 * (lo + hi), d0)
    nan = np.full_like(d0, np.nan)
    return (
        np.where(undefined, nan, solution),
        np.where(undefined, nan, lower),
        np.where(undefined, nan, upper),
    )
