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
from accord.forecasting.classic import Array
from accord.forecasting.expected_utility import MEMORY_SHARE, machine_memory
from accord.forecasting.inputs import IssueArrays
from accord.forecasting.output import ModelOutput

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


PRUNE_FROM = 200_000
"""Ordered pairs of actors × pairs of issues from which the search prunes (100 actors on 3
issues take 0.05 s unpruned and 0.12 s pruned; on 10 issues 2.2 s and 1.2 s)."""

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
    s = np.broadcast_to(arrays.salience, x.shape)
    w = np.broadcast_to(arrays.weight, x.shape)
    # Each exchange is counted once: j gives on the first issue of a pair (p < q), i on
    # the second; the gains decide which of the two actors is i.
    allowed = np.triu(np.ones((m, m), dtype=bool), k=1)
    if linked_only:
        allowed &= arrays.linkage > 0
    first, second = np.nonzero(allowed)
    votes = _Votes(ideal, x, np.zeros(x.shape, dtype=bool), s, w, first, second)
    given, total = votes.given, votes.total
    outcome = _outcomes(x, w)
    start = outcome.copy()
    span = float(np.max(arrays.scale_max - arrays.scale_min))
    min_gain = tolerance * span
    count = np.zeros(batch, dtype=np.int64)
    active = np.ones(batch, dtype=bool)
    made: list[Exchange] = []
    for step in range(1, max_exchanges + 1 if first.size else 1):
        best = votes.best(outcome, min_gain)
        go = active & (best.draw >= 0)
        if not go.any():
            break
        for b in np.flatnonzero(go):
            bi, bj = int(best.i[b]), int(best.j[b])
            bp, bq = int(first[best.k[b]]), int(second[best.k[b]])
            dp = float(best.bound[b])
            dq = dp * float(best.ratio[b])
            before_j, before_i = x[b, bj, bp], x[b, bi, bq]
            for actor, issue, towards, delta in (
                (bj, bp, ideal[b, bi, bp], dp),
                (bi, bq, ideal[b, bj, bq], dq),
            ):
                move = delta * total[b, issue] / w[b, actor, issue]
                x[b, actor, issue] += np.sign(towards - x[b, actor, issue]) * move
                given[b, actor, issue] = True
            if b == 0:
                # Listed as the actor after the other in file order gives first.
                sides = [
                    (arrays.actors[bj], arrays.issues[bp], float(before_j), float(x[b, bj, bp])),
                    (arrays.actors[bi], arrays.issues[bq], float(before_i), float(x[b, bi, bq])),
                ]
                if bi > bj:
                    sides.reverse()
                (a1, i1, f1, t1), (a2, i2, f2, t2) = sides
                made.append(
                    Exchange(
                        step=step,
                        first=a1,
                        first_issue=i1,
                        first_from=f1,
                        first_to=t1,
                        second=a2,
                        second_issue=i2,
                        second_from=f2,
                        second_to=t2,
                        gain=float(best.gain[b]),
                    )
                )
        count += go
        active = go
        outcome = _outcomes(x, w)
    return ExchangeRun(
        start=start,
        outcome=outcome,
        positions=x,
        count=count,
        exchanges=tuple(made),
    )


@dataclass(frozen=True)
class _Votes:
    """The votes of a batch of draws as exchanges move them, and the exchanges they allow."""

    ideal: Array
    x: Array
    """The voting positions, moved in place."""
    given: NDArray[np.bool_]
    """Which votes have been traded, set in place."""
    s: Array
    w: Array
    first: NDArray[np.intp]
    """The pairs of issues that can be traded against each other, ``first < second``."""
    second: NDArray[np.intp]

    @functools.cached_property
    def total(self) -> Array:
        """``(B, m)`` the weight on each issue."""
        total: Array = self.w.sum(axis=1)
        return total

    def best(self, outcome: Array, min_gain: float) -> _Possible:
        """Each draw's exchange of largest gain above ``min_gain``.

        No exchange gains more than ``s_ip |x_ip - O_p|`` (what ``i`` can win on ``p``) or
        ``s_jq |x_jq - O_q|``. The exchanges among the few actors with most to win give a
        gain that each draw's best reaches at least; the exchanges whose bound falls
        below it are then left out, and the rest weighed exactly: the same answer as
        weighing them all, ties included.
        """
        batch, n, _ = self.x.shape
        if n * n * self.first.size <= PRUNE_FROM:  # small: the first pass would cost more
            everyone = np.ones(self.x.shape, dtype=bool)
            return self.possible(outcome, everyone, everyone).best(min_gain, batch)
        ideal, votes = np.nan_to_num(self.ideal), np.nan_to_num(self.x)
        on = self.w > 0
        # What an actor can win on an issue it is given on, and (per unit of the partner's
        # salience, whose largest is used) what its own vote can move on an issue.
        # (An issue on which nobody sits has no outcome: nothing there passes.)
        with np.errstate(invalid="ignore", divide="ignore"):
            win = np.where(on, self.s * np.abs(ideal - outcome[:, None, :]), 0)
            low = np.where(on, ideal, np.inf).min(axis=1, keepdims=True)
            high = np.where(on, ideal, -np.inf).max(axis=1, keepdims=True)
            room = np.maximum(np.abs(votes - low), np.abs(votes - high))
            move = np.where(on, room * self.w / self.total[:, None, :], 0)
            move *= np.where(on, self.s, 0).max(axis=1, keepdims=True)
        few = min(n, 16)
        top = -np.partition(-win, few - 1, axis=1)[:, few - 1 : few, :]
        floor = self.possible(outcome, win >= top, move >= 0).best(min_gain, batch).gain
        floor = np.maximum(np.where(np.isfinite(floor), floor, min_gain), min_gain) * (1 - 1e-9)
        floor = floor[:, None, None]
        return self.possible(outcome, win >= floor, move >= floor).best(min_gain, batch)

    def possible(
        self, outcome: Array, wins: NDArray[np.bool_], moves: NDArray[np.bool_]
    ) -> _Possible:
        """The exchanges whose gain the masks (``(B, n, m)``) do not rule out.

        ``i`` must win enough on ``p`` and move enough on ``q``, ``j`` the reverse.

        Which exchanges are possible is settled first, on cheap comparisons (sides, votes
        already given, relative saliences), and the sizes are computed for those alone.
        """
        ideal, x, s, w, first, second = self.ideal, self.x, self.s, self.w, self.first, self.second
        side = np.where(w > 0, np.sign(np.nan_to_num(ideal - outcome[:, None, :])), 0)
        side = side.astype(np.int8)
        side_p, side_q = side[:, :, first], side[:, :, second]
        # Per vote pair (actor, pair of issues): the sides on p and q as a code from 0 to 8;
        # i's and j's codes sum to 8 when they sit on opposite sides of both. Left out: an
        # actor on neither side of one issue, a vote already given (j's on p, i's on q),
        # or one that cannot win or move enough.
        code = ((side_p + 1) * 3 + side_q + 1).astype(np.int16)
        sides = (side_p != 0) & (side_q != 0)
        as_i = wins[:, :, first] & moves[:, :, second] & ~self.given[:, :, second]
        as_j = wins[:, :, second] & moves[:, :, first] & ~self.given[:, :, first]
        b, i, j, k = _matching(
            np.where(as_i & sides, code, -1), np.where(as_j & sides, 8 - code, -1)
        )
        n, pairs = code.shape[1], code.shape[2]
        # Flat indices into (B, n, K) arrays of each actor's values on the pair's issues.
        ik, jk, bk = (b * n + i) * pairs + k, (b * n + j) * pairs + k, b * pairs + k
        total = self.total

        def on(a: Array, issues: NDArray[np.intp], where: NDArray[np.intp]) -> Array:
            return np.take(a[:, :, issues], where)

        s_ip, s_iq, s_jp, s_jq = (
            on(s, first, ik),
            on(s, second, ik),
            on(s, first, jk),
            on(s, second, jk),
        )
        edge = s_ip * s_jq - s_iq * s_jp
        keep = np.flatnonzero(edge > 0)  # i values p relatively more than j does
        b, i, j, k, ik, jk, bk = (v[keep] for v in (b, i, j, k, ik, jk, bk))
        s_ip, s_iq, s_jp, s_jq, edge = (v[keep] for v in (s_ip, s_iq, s_jp, s_jq, edge))
        x_ip, x_jq = on(np.nan_to_num(ideal), first, ik), on(np.nan_to_num(ideal), second, jk)
        x_jp, x_iq = on(np.nan_to_num(x), first, jk), on(np.nan_to_num(x), second, ik)
        w_jp, w_iq = on(w, first, jk), on(w, second, ik)
        t_p, t_q = np.take(total[:, first], bk), np.take(total[:, second], bk)
        o_p, o_q = np.take(outcome[:, first], bk), np.take(outcome[:, second], bk)
        with np.errstate(invalid="ignore", divide="ignore"):
            ratio = (s_ip + s_jp) / (s_iq + s_jq)  # δ_q / δ_p under equal gain
            bound = functools.reduce(
                np.minimum,
                [
                    np.abs(x_jp - x_ip) * w_jp / t_p,  # j stops at i's position on p
                    np.abs(x_iq - x_jq) * w_iq / t_q / ratio,  # i stops at j's on q
                    np.abs(x_ip - o_p),  # O_p stops at i
                    np.abs(x_jq - o_q) / ratio,  # O_q stops at j
                ],
            )
            gain = bound * edge / (s_iq + s_jq)
        return _Possible(b, i, j, k, gain, bound, ratio, first[k], second[k])


def _matching(
    key_i: NDArray[np.int16], key_j: NDArray[np.int16]
) -> tuple[NDArray[np.intp], NDArray[np.intp], NDArray[np.intp], NDArray[np.intp]]:
    """``(draw, i, j, pair)`` of every i and j (i ≠ j) with the same key (≥ 0) on a pair.

    A join rather than a comparison of every i with every j: its cost follows the
    votes that can trade, which the pruning makes few. In order of draw, pair, key, i, j.
    """
    pairs = key_i.shape[2]

    def groups(key: NDArray[np.int16]) -> tuple[NDArray[np.intp], NDArray[np.intp]]:
        b, actor, k = np.nonzero(key >= 0)  # in order of draw, actor, pair
        group = (b * pairs + k) * 9 + key[b, actor, k]
        order = np.argsort(group, kind="stable")  # actors stay in order within a group
        return group[order], actor[order]

    group_i, actor_i = groups(key_i)
    group_j, actor_j = groups(key_j)
    heads, start, size = np.unique(group_j, return_index=True, return_counts=True)
    if not heads.size:
        none = np.zeros(0, dtype=np.intp)
        return none, none, none, none
    at = np.minimum(np.searchsorted(heads, group_i), heads.size - 1)
    partners = np.where(heads[at] == group_i, size[at], 0)
    row = np.repeat(np.arange(group_i.size), partners)
    within = np.arange(row.size) - np.repeat(np.cumsum(partners) - partners, partners)
    i, j = actor_i[row], actor_j[np.repeat(start[at], partners) + within]
    b, k = np.divmod(group_i[row] // 9, pairs)
    keep = i != j
    return b[keep], i[keep], j[keep], k[keep]


@dataclass(frozen=True)
class _Possible:
    """Possible exchanges: in draw ``draw``, ``j`` gives on issue ``p`` and ``i`` on ``q``.

    In order of draw, then ``i``, ``j`` and the pair of issues.
    """

    draw: NDArray[np.intp]
    i: NDArray[np.intp]
    j: NDArray[np.intp]
    k: NDArray[np.intp]
    """Which pair of issues."""
    gain: Array
    bound: Array
    """The size ``δ_p``."""
    ratio: Array
    """``δ_q / δ_p``."""
    p: NDArray[np.intp]
    q: NDArray[np.intp]

    def best(self, min_gain: float, batch: int) -> _Possible:
        """Each draw's exchange of largest gain above ``min_gain``; ``draw`` is -1 where none.

        Ties go to the exchange whose first actor (in file order) comes first, then the
        other actor, the issue the other gives on and the issue the first gives on.
        """
        keep = np.flatnonzero(self.gain > min_gain)
        pick = np.zeros(batch, dtype=np.intp)
        found = np.zeros(batch, dtype=bool)
        if keep.size:
            draw, gain = self.draw[keep], self.gain[keep]
            starts = np.flatnonzero(np.r_[True, draw[1:] != draw[:-1]])
            top = np.repeat(np.maximum.reduceat(gain, starts), np.diff(np.r_[starts, keep.size]))
            tied = keep[gain == top]
            i, j, p, q = self.i[tied], self.j[tied], self.p[tied], self.q[tied]
            lead_first = i < j
            order = np.lexsort(
                (
                    np.where(lead_first, q, p),  # the issue the first actor gives on
                    np.where(lead_first, p, q),  # the issue the other gives on
                    np.maximum(i, j),
                    np.minimum(i, j),
                    self.draw[tied],
                )
            )
            draws = self.draw[tied][order]
            heads = tied[order][np.r_[True, draws[1:] != draws[:-1]]]
            pick[self.draw[heads]] = heads
            found[self.draw[heads]] = True
        if not self.draw.size:  # nothing to pick from: placeholders behind draw = -1
            pad = np.zeros(batch)
            return _Possible(pick - 1, pick, pick, pick, pad, pad, pad, pick, pick)
        return _Possible(
            np.where(found, np.arange(batch), -1),
            self.i[pick],
            self.j[pick],
            self.k[pick],
            self.gain[pick],
            self.bound[pick],
            self.ratio[pick],
            self.p[pick],
            self.q[pick],
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
