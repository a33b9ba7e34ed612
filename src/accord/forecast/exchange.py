"""Stokman's exchange model: actors trade concessions across pairs of issues.

After Stokman & Van Oosten (1994), "The exchange of voting positions", in Bueno
de Mesquita & Stokman (eds.), *European Community Decision Making*, in the
equal-gain form of the ``decide`` implementation (Dijkstra et al.).

On each issue the outcome is the weighted mean ``O = Σ w x / Σ w`` with
``w = c·s``. Two actors who sit on opposite sides of the outcome on two issues
``p`` and ``q`` can both gain if each cares relatively more about a different
issue: ``i`` (who values ``p`` more, ``s_ip s_jq > s_iq s_jp``) moves on ``q``
towards ``j``, and ``j`` moves on ``p`` towards ``i``.

If ``j``'s move shifts ``O_p`` by ``δ_p`` towards ``i`` and ``i``'s move shifts
``O_q`` by ``δ_q`` towards ``j``, with linear salience-weighted utilities
``i`` gains ``s_ip δ_p - s_iq δ_q`` and ``j`` gains ``s_jq δ_q - s_jp δ_p``.
Equal gain fixes ``δ_q = δ_p (s_ip + s_jp) / (s_iq + s_jq)``, and each gains
``δ_p (s_ip s_jq - s_iq s_jp) / (s_iq + s_jq)``.

What moves is the actors' *voting* positions; their interests stay where the
scenario puts them, so gains and sides are judged from the stated positions
while outcomes are computed from the voting positions (Stokman & Van Oosten's
"exchange of voting positions").

accord's readings where the sources leave room (``docs/models.md``):

* **size**: the largest ``δ_p`` such that neither actor's vote passes the
  other's stated position and neither outcome passes the stated position of
  the actor it moves towards — the range in which the linear gains hold;
* **commitment**: an actor gives on an issue at most once; a vote once traded
  is not traded back. This rules out cycles, so the process ends;
* **order**: exchanges are made one at a time, the largest gain first (ties:
  first actor, then issue, in file order), recomputing the outcomes after
  each, until no exchange gains more than a small tolerance.

A batch of Monte Carlo draws runs at once: each step makes the best exchange
of every draw.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
from numpy.typing import NDArray

from accord.errors import ForecastError
from accord.forecast.classic import Array
from accord.forecast.expected_utility import MEMORY_SHARE, machine_memory
from accord.forecast.inputs import IssueArrays
from accord.forecast.output import ModelOutput

__all__ = ["Exchange", "ExchangeModel", "ExchangeRun", "run_exchanges"]


@dataclass(frozen=True, slots=True)
class Exchange:
    """One exchange: each of two actors gives on one issue, and both gain the same."""

    step: int
    first: str
    first_issue: str
    first_from: float
    first_to: float
    second: str
    second_issue: str
    second_from: float
    second_to: float
    gain: float

    def describe(self) -> str:
        """The exchange in one line."""
        return (
            f"{self.first} gives on {self.first_issue} "
            f"({self.first_from:.1f} → {self.first_to:.1f}), "
            f"{self.second} gives on {self.second_issue} "
            f"({self.second_from:.1f} → {self.second_to:.1f}); each gains {self.gain:.3g}"
        )


@dataclass(frozen=True, eq=False)
class ExchangeRun:
    """Outcomes before and after the exchanges, and (for one scenario) the exchanges made."""

    start: Array
    """``(B, n_issues)`` weighted means before any exchange."""
    outcome: Array
    """``(B, n_issues)`` weighted means after the exchanges."""
    positions: Array
    """``(B, n_actors, n_issues)`` positions after the exchanges."""
    count: NDArray[np.int64]
    """``(B,)`` number of exchanges made in each draw."""
    exchanges: tuple[Exchange, ...]
    """The exchanges of the first draw, in order."""


EXCHANGE_ARRAYS = 24
"""How many ``(draws, n, n, m, m)`` float arrays an exchange step holds at its peak."""


def _outcomes(x: Array, w: Array) -> Array:
    total = w.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 0, (w * np.nan_to_num(x)).sum(axis=1) / total, np.nan)


def run_exchanges(
    arrays: IssueArrays,
    linked_only: bool = False,
    max_exchanges: int = 200,
    tolerance: float = 1e-9,
) -> ExchangeRun:
    """Make equal-gain exchanges until none gains anything.

    Args:
        arrays: A scenario (or a batch of draws) as arrays.
        linked_only: Exchange only across pairs of issues that the scenario links.
        max_exchanges: Upper bound on the exchanges per draw.
        tolerance: Smallest gain worth an exchange, relative to the widest scale.
    """
    ideal = np.array(arrays.position, dtype=np.float64, copy=True)
    if ideal.ndim == 2:
        ideal = ideal[None]
    batch, n, m = ideal.shape
    per_draw = EXCHANGE_ARRAYS * 8 * n * n * m * m
    budget = MEMORY_SHARE * machine_memory()
    if per_draw > budget:
        raise ForecastError(
            f"the exchange model on {n:,} actors and {m} issues needs about "
            f"{per_draw / 2**30:,.1f} GiB of memory for one draw (it weighs every pair of "
            f"actors over every pair of issues), and this machine has "
            f"{machine_memory() / 2**30:,.1f} GiB; use fewer actors or issues, or other models"
        )
    fit = max(1, int(budget // per_draw))
    if fit < batch:  # draws are independent: run them in chunks that fit in memory
        parts = [
            run_exchanges(
                arrays.with_values(
                    np.asarray(arrays.position)[k : k + fit],
                    np.broadcast_to(arrays.salience, ideal.shape)[k : k + fit],
                    np.broadcast_to(arrays.capability, (batch, n))[k : k + fit],
                ),
                linked_only,
                max_exchanges,
                tolerance,
            )
            for k in range(0, batch, fit)
        ]
        return ExchangeRun(
            start=np.concatenate([r.start for r in parts]),
            outcome=np.concatenate([r.outcome for r in parts]),
            positions=np.concatenate([r.positions for r in parts]),
            count=np.concatenate([r.count for r in parts]),
            exchanges=parts[0].exchanges,
        )
    x = ideal.copy()  # voting positions
    given = np.zeros(x.shape, dtype=bool)
    s = np.broadcast_to(arrays.salience, x.shape)
    w = np.broadcast_to(arrays.weight, x.shape)
    allowed_pairs = ~np.eye(m, dtype=bool)
    if linked_only:
        allowed_pairs &= arrays.linkage > 0
    not_self = ~np.eye(n, dtype=bool)
    static = not_self[:, :, None, None] & allowed_pairs[None, None, :, :]

    # Indices (i, j, p, q) on axes 1..4 after the batch axis.
    s_ip, s_iq = s[:, :, None, :, None], s[:, :, None, None, :]
    s_jp, s_jq = s[:, None, :, :, None], s[:, None, :, None, :]
    edge = s_ip * s_jq - s_iq * s_jp  # > 0: i values p relatively more than j does
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = (s_ip + s_jp) / (s_iq + s_jq)  # δ_q / δ_p under equal gain
        per_dp = edge / (s_iq + s_jq)  # gain per unit of δ_p
    w_jp, w_iq = w[:, None, :, :, None], w[:, :, None, None, :]

    start = _outcomes(x, w)
    span = float(np.max(arrays.scale_max - arrays.scale_min))
    min_gain = tolerance * span
    count = np.zeros(batch, dtype=np.int64)
    active = np.ones(batch, dtype=bool)
    made: list[Exchange] = []
    for step in range(1, max_exchanges + 1):
        outcome = _outcomes(x, w)
        total = w.sum(axis=1)
        side = np.sign(np.nan_to_num(ideal - outcome[:, None, :]))
        side = np.where(w > 0, side, 0.0)
        opposite_p = (side[:, :, None, :, None] * side[:, None, :, :, None]) < 0
        opposite_q = (side[:, :, None, None, :] * side[:, None, :, None, :]) < 0
        free = ~given[:, None, :, :, None] & ~given[:, :, None, None, :]  # j on p, i on q
        valid = static[None] & opposite_p & opposite_q & (edge > 0) & free
        x0, ideal0 = np.nan_to_num(x), np.nan_to_num(ideal)
        x_ip, x_iq = ideal0[:, :, None, :, None], x0[:, :, None, None, :]
        x_jp, x_jq = x0[:, None, :, :, None], ideal0[:, None, :, None, :]
        o_p, o_q = outcome[:, None, None, :, None], outcome[:, None, None, None, :]
        t_p, t_q = total[:, None, None, :, None], total[:, None, None, None, :]
        with np.errstate(invalid="ignore", divide="ignore"):
            bound = functools.reduce(
                np.minimum,
                [
                    np.abs(x_jp - x_ip) * w_jp / t_p,  # j stops at i's position on p
                    np.abs(x_iq - x_jq) * w_iq / t_q / ratio,  # i stops at j's position on q
                    np.abs(x_ip - o_p),  # O_p stops at i
                    np.abs(x_jq - o_q) / ratio,  # O_q stops at j
                ],
            )
            gain = np.where(valid, bound * per_dp, -np.inf)
        flat = gain.reshape(batch, -1)
        best = flat.argmax(axis=1)
        best_gain = flat[np.arange(batch), best]
        go = active & (best_gain > min_gain)
        if not go.any():
            break
        i, j, p, q = np.unravel_index(best, (n, n, m, m))
        rows = np.flatnonzero(go)
        for b in rows:
            bi, bj, bp, bq = int(i[b]), int(j[b]), int(p[b]), int(q[b])
            dp = float(bound[b, bi, bj, bp, bq])
            dq = dp * float(ratio[b, bi, bj, bp, bq])
            before_j, before_i = x[b, bj, bp], x[b, bi, bq]
            x[b, bj, bp] += np.sign(ideal[b, bi, bp] - before_j) * dp * total[b, bp] / w[b, bj, bp]
            x[b, bi, bq] += np.sign(ideal[b, bj, bq] - before_i) * dq * total[b, bq] / w[b, bi, bq]
            given[b, bj, bp] = given[b, bi, bq] = True
            if b == 0:
                made.append(
                    Exchange(
                        step=step,
                        first=arrays.actors[bj],
                        first_issue=arrays.issues[bp],
                        first_from=float(before_j),
                        first_to=float(x[b, bj, bp]),
                        second=arrays.actors[bi],
                        second_issue=arrays.issues[bq],
                        second_from=float(before_i),
                        second_to=float(x[b, bi, bq]),
                        gain=float(best_gain[b]),
                    )
                )
        count += go
        active = go
    return ExchangeRun(
        start=start,
        outcome=_outcomes(x, w),
        positions=x,
        count=count,
        exchanges=tuple(made),
    )


@dataclass(frozen=True)
class ExchangeModel:
    """Stokman's equal-gain exchange model; the forecast is the weighted mean after exchanges."""

    linked_only: bool = False
    name: ClassVar[str] = "exchange"
    label: ClassVar[str] = "Exchange"
    summary: ClassVar[str] = (
        "Stokman's equal-gain exchange model: pairs of actors trade concessions across "
        "pairs of issues; the forecast is the weighted mean after all profitable exchanges."
    )

    def predict_values(self, arrays: IssueArrays) -> Array:
        """Forecast every issue (and every draw)."""
        run = run_exchanges(arrays, linked_only=self.linked_only)
        return run.outcome.reshape((*arrays.batch_shape, len(arrays.issues)))

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue of one scenario."""
        values = self.predict_values(arrays)
        alone = len(arrays.issues) < 2 or (self.linked_only and not (arrays.linkage > 0).any())
        notes = tuple(
            "no actor with a position"
            if np.isnan(v)
            else "no second issue to trade against: equals the weighted mean"
            if alone
            else ""
            for v in values
        )
        return ModelOutput(values, notes)

    def run(self, arrays: IssueArrays) -> ExchangeRun:
        """The full run, with the exchanges made."""
        return run_exchanges(arrays, linked_only=self.linked_only)
