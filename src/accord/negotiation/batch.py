"""Many bilateral negotiations between time-based negotiators at once.

A time-based negotiator with ``band = 0`` offers, at each round, the least
outcome worth at least its target, and its target depends on time alone. Both
parties' whole offer sequences are therefore known in advance: they are found
with one sorted search for all negotiations, rounds and parties, and the first
acceptance is read off in turn order. The result is the same, move for move,
as running :class:`~accord.negotiation.protocols.AlternatingOffers` with
:class:`~accord.negotiation.negotiators.TimeBased` negotiators one negotiation
at a time (``tests/test_negotiation_batch.py`` checks this).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.errors import AccordError
from accord.negotiation import kernels
from accord.negotiation.utility import Array

__all__ = ["BatchResult", "batch_alternating_offers", "batch_stacked_offers"]


@dataclass(frozen=True, eq=False)
class BatchResult:
    """Outcomes of a batch of bilateral negotiations.

    Attributes:
        agreement: ``(B,)`` agreed outcome, -1 where there was none.
        rounds: ``(B,)`` rounds used.
        utilities: ``(B, 2)`` each party's utility of the agreement (reservation if none).
        offers: ``(B, 2, n_steps)`` the outcome each party would offer in each round.
    """

    agreement: NDArray[np.int64]
    rounds: NDArray[np.int64]
    utilities: Array
    offers: NDArray[np.int64]


COMPILE_FROM = 1_000_000
"""Utilities in a batch from which the compiled selection is used (numba compiles it
once per installation, in seconds, and loads it in a fraction of one; smaller batches
take less than that in numpy)."""


def _least_at_least(utilities: Array, targets: Array) -> NDArray[np.int64]:
    """Per row of ``utilities`` (R, N): for each target (R, T), the least outcome worth ≥ target.

    Ties go to the lowest outcome number; a target above the best gives the best.
    Compiled where numba is installed and the batch is large (no sort), else
    :func:`_least_at_least_sorted`.
    """
    if kernels.COMPILED and utilities.size >= COMPILE_FROM:
        return kernels.least_at_least(utilities, targets)
    return _least_at_least_sorted(utilities, targets)


def _least_at_least_sorted(utilities: Array, targets: Array) -> NDArray[np.int64]:
    """:func:`_least_at_least` in numpy, sorting every row.

    One ``searchsorted`` serves every row: rows are sorted and stacked with offsets.
    """
    rows, n = utilities.shape
    order = np.argsort(utilities, axis=1)
    ranked = np.take_along_axis(utilities, order, axis=1)
    # Among equal utilities the lowest outcome number wins: the smallest number in each run.
    starts = np.ones((rows, n), dtype=bool)
    starts[:, 1:] = ranked[:, 1:] != ranked[:, :-1]
    flat_starts = np.flatnonzero(starts)
    run_min = np.minimum.reduceat(order.ravel(), flat_starts)
    lowest = run_min[np.cumsum(starts.ravel()) - 1].reshape(rows, n)
    lo, hi = ranked[:, :1], ranked[:, -1:]
    width = float(np.max(hi - lo)) + 1.0
    offset = (np.arange(rows)[:, None] * width) - lo
    flat = (ranked + offset).ravel()
    k = np.searchsorted(flat, (np.minimum(targets, hi) + offset).ravel(), side="left")
    k = k.reshape(targets.shape) - np.arange(rows)[:, None] * n
    k = np.clip(k, 0, n - 1)  # 'left' lands on the first of a run of equal utilities
    return np.take_along_axis(lowest, k, axis=1).astype(np.int64)


def _targets(u: Array, res: Array, betas: Array, n_steps: int) -> Array:
    """``(B, n, T)``: each party's target in each round."""
    t = np.minimum(1.0, np.arange(n_steps) / max(1, n_steps - 1))
    floor = np.maximum(res, u.min(axis=2))
    best = u.max(axis=2)
    concession = 1.0 - t[None, None, :] ** (1.0 / betas[None, :, None])
    targets: Array = floor[:, :, None] + (best - floor)[:, :, None] * concession
    return targets


def _planned_offers(u: Array, targets: Array) -> NDArray[np.int64]:
    batch, n, steps = targets.shape
    flat = _least_at_least(u.reshape(batch * n, -1), targets.reshape(batch * n, steps))
    return flat.reshape(batch, n, steps)


def batch_stacked_offers(
    utilities: Array, reservation: Array, betas: tuple[float, ...], n_steps: int
) -> BatchResult:
    """Run ``B`` stacked alternating-offers negotiations among ``n`` time-based negotiators.

    The turn order and rules are those of
    :class:`~accord.negotiation.protocols.AlternatingOffers`; the loop runs over
    turns, each turn vectorised over the batch.

    Args:
        utilities: ``(B, n, N)`` each party's utility of every outcome.
        reservation: ``(B, n)`` reservation values.
        betas: One concession exponent per party.
        n_steps: Rounds.
    """
    u = np.asarray(utilities, dtype=np.float64)
    res = np.asarray(reservation, dtype=np.float64)
    batch, n, _ = u.shape
    beta = np.asarray(betas, dtype=np.float64)
    if beta.shape != (n,):
        raise AccordError(f"give one beta per party ({n}), got {len(betas)}")
    targets = _targets(u, res, beta, n_steps)
    offers = _planned_offers(u, targets)
    threshold = np.maximum(targets, res[:, :, None])
    rows = np.arange(batch)
    standing = np.full(batch, -1, dtype=np.int64)
    proposer = np.full(batch, -1, dtype=np.int64)
    accepted = np.zeros(batch, dtype=np.int64)
    done = np.zeros(batch, dtype=bool)
    agreement = np.full(batch, -1, dtype=np.int64)
    rounds = np.full(batch, n_steps, dtype=np.int64)
    for r in range(n_steps):
        for k in range(n):
            live = ~done
            answering = live & (standing >= 0) & (proposer != k)
            value = u[rows, k, np.maximum(standing, 0)]
            yes = answering & (value >= threshold[:, k, r])
            accepted = accepted + yes
            finished = yes & (accepted == n - 1)
            agreement = np.where(finished, standing, agreement)
            rounds = np.where(finished, r + 1, rounds)
            done = done | finished
            propose = live & ~yes
            standing = np.where(propose, offers[:, k, r], standing)
            proposer = np.where(propose, k, proposer)
            accepted = np.where(propose, 0, accepted)
        if done.all():
            break
    utilities_out = np.where(
        (agreement >= 0)[:, None],
        u[rows[:, None], np.arange(n)[None, :], np.maximum(agreement, 0)[:, None]],
        res,
    )
    return BatchResult(agreement=agreement, rounds=rounds, utilities=utilities_out, offers=offers)


def batch_alternating_offers(
    utilities: Array, reservation: Array, betas: tuple[float, float], n_steps: int
) -> BatchResult:
    """Run ``B`` bilateral alternating-offers negotiations between time-based negotiators.

    Args:
        utilities: ``(B, 2, N)`` each party's utility of every outcome.
        reservation: ``(B, 2)`` reservation values.
        betas: Concession exponents of the first and second party (Faratin et al. 1998).
        n_steps: Rounds; party 0 moves first in each round.
    """
    u = np.asarray(utilities, dtype=np.float64)
    res = np.asarray(reservation, dtype=np.float64)
    if u.ndim != 3 or u.shape[1] != 2:
        raise AccordError(f"utilities must have shape (B, 2, N), got {u.shape}")
    if n_steps < 1:
        raise AccordError(f"n_steps must be at least 1, got {n_steps}")
    batch = u.shape[0]
    targets = _targets(u, res, np.asarray(betas, dtype=np.float64), n_steps)  # (B, 2, T)
    offers = _planned_offers(u, targets)

    rows = np.arange(batch)[:, None]
    # Party 1 answers party 0's offer of the same round;
    # party 0 answers party 1's offer of the round before.
    u1_of_0 = u[rows, 1, offers[:, 0, :]]
    accept_1 = (u1_of_0 >= targets[:, 1, :]) & (u1_of_0 >= res[:, 1:2])
    u0_of_1 = u[rows, 0, offers[:, 1, :-1]]
    accept_0 = (u0_of_1 >= targets[:, 0, 1:]) & (u0_of_1 >= res[:, 0:1])
    # Turn order: (r0, p1), (r1, p0), (r1, p1), (r2, p0), ...
    turns = np.empty((batch, 2 * n_steps - 1), dtype=bool)
    turns[:, 0::2] = accept_1
    turns[:, 1::2] = accept_0
    agreed: NDArray[np.bool_] = np.asarray(turns.any(axis=1))
    first = turns.argmax(axis=1)
    round_of = (first + 1) // 2
    by_one = first % 2 == 0
    outcome = np.where(
        by_one,
        offers[np.arange(batch), 0, round_of],
        offers[np.arange(batch), 1, np.maximum(round_of - 1, 0)],
    )
    agreement = np.where(agreed, outcome, -1)
    utilities_out = np.where(
        agreed[:, None],
        u[np.arange(batch)[:, None], [0, 1], np.maximum(agreement, 0)[:, None]],
        res,
    )
    return BatchResult(
        agreement=agreement.astype(np.int64),
        rounds=np.where(agreed, round_of + 1, n_steps).astype(np.int64),
        utilities=utilities_out,
        offers=offers,
    )
