"""Where an agreement stands: Pareto frontier, Nash, Kalai–Smorodinsky and welfare points.

All functions take the utility matrix ``U`` of shape ``(n_parties, n_outcomes)``
(``NegotiationDomain.matrix``) and work on every outcome at once.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from accord.negotiation.domain import NegotiationDomain
from accord.negotiation.transcript import NegotiationResult
from accord.negotiation.utility import Array

__all__ = [
    "AgreementAnalysis",
    "analyse",
    "domain_frontier",
    "kalai_smorodinsky_point",
    "max_welfare_point",
    "nash_point",
    "pareto_frontier",
]

IntArray = NDArray[np.int64]
_BLOCK = 1 << 24


def _frontier_2d(u: Array) -> IntArray:
    a, b = u[0], u[1]
    order = np.lexsort((-b, -a))  # by a descending, then b descending
    a_s, b_s = a[order], b[order]
    # For each outcome: the best b among outcomes with strictly greater a.
    new_group = np.r_[True, a_s[1:] != a_s[:-1]]
    group = np.cumsum(new_group) - 1
    group_max = b_s[new_group]  # first of each group has the group's best b
    before = np.r_[-np.inf, np.maximum.accumulate(group_max)[:-1]]
    keep = (b_s == group_max[group]) & (b_s > before[group])
    return np.sort(order[keep])


def _beaten(cand: Array, ref: Array) -> NDArray[np.bool_]:
    """``(len(cand), len(ref))``: whether ``ref[j]`` dominates ``cand[i]``.

    One party at a time, in place: a pass per party over a plane of booleans, where a
    comparison over a short last axis of parties would cost several times more.
    """
    cols_c, cols_r = np.ascontiguousarray(cand.T), np.ascontiguousarray(ref.T)
    ge: NDArray[np.bool_] = cols_r[0][None, :] >= cols_c[0][:, None]
    gt = cols_r[0][None, :] > cols_c[0][:, None]
    step = np.empty_like(ge)
    for c, r in zip(cols_c[1:], cols_r[1:], strict=True):
        np.greater_equal(r[None, :], c[:, None], out=step)
        ge &= step
        np.greater(r[None, :], c[:, None], out=step)
        gt |= step
    ge &= gt
    return ge


def _dominated_by(cand: Array, kept: Array) -> NDArray[np.bool_]:
    """For each candidate row: whether some row of ``kept`` dominates it."""
    out = np.zeros(len(cand), dtype=bool)
    alive = np.arange(len(cand))
    block = 1024
    # The strongest dominators were kept first: most candidates fall to the first blocks,
    # and only the survivors are checked against the rest.
    for s in range(0, len(kept), block):
        if not len(alive):
            break
        ref = kept[s : s + block]
        step = max(1, _BLOCK // max(1, len(ref)))
        hit = np.zeros(len(alive), dtype=bool)
        for a in range(0, len(alive), step):
            hit[a : a + step] = _beaten(cand[alive[a : a + step]], ref).any(axis=1)
        out[alive[hit]] = True
        alive = alive[~hit]
    return out


def _frontier_nd(u: Array) -> IntArray:
    k, n = u.shape
    order = np.argsort(-u.sum(axis=0), kind="stable")  # dominators have strictly larger sums
    pts = u[:, order].T
    frontier: list[IntArray] = []
    kept = np.zeros((0, k))
    chunk = 4096
    start = 0
    while start < n:
        c = pts[start : start + chunk]
        idx = np.flatnonzero(~_dominated_by(c, kept)) if len(kept) else np.arange(len(c))
        cand = c[idx]
        if len(cand) > 1:
            idx = idx[~_beaten(cand, cand).any(axis=1)]
        frontier.append(order[start + idx])
        kept = np.vstack([kept, c[idx]])
        start += chunk
    return np.sort(np.concatenate(frontier)) if frontier else np.zeros(0, dtype=np.int64)


def pareto_frontier(u: Array) -> IntArray:
    """Outcomes no other outcome Pareto-dominates (weakly better for all, better for one).

    Exact. Two parties: one sort and a sweep, O(N log N), fine for millions of
    outcomes. More parties: outcomes are taken in decreasing order of total
    utility (only an outcome with a larger total can dominate) and checked in
    blocks against the frontier found so far; the cost grows with the
    frontier's size.

    Returns:
        Outcome numbers, ascending.
    """
    u = np.asarray(u, dtype=np.float64)
    if u.shape[0] == 1:
        return np.flatnonzero(u[0] == u[0].max()).astype(np.int64)
    if u.shape[0] == 2:
        return _frontier_2d(u).astype(np.int64)
    return _frontier_nd(u).astype(np.int64)


def domain_frontier(domain: NegotiationDomain) -> IntArray:
    """The Pareto frontier of a domain's outcomes, built issue by issue.

    Utilities are additive over issues, so an outcome whose values on the first k issues
    are beaten (for every party, strictly for one) by other values on those issues is
    beaten over all issues too. Only the undominated combinations of the first k issues
    are extended to the next issue, and the full table is never searched whole: six
    parties on 59,049 outcomes take a fraction of a second instead of seconds. The sums
    are taken in the order :attr:`NegotiationDomain.matrix` takes them, so the frontier
    is the one :func:`pareto_frontier` finds in the matrix.

    Returns:
        Outcome numbers, ascending.
    """
    parties = len(domain.parties)
    sums = np.zeros((parties, 1))
    outcomes = np.zeros(1, dtype=np.int64)
    for k, size in enumerate(domain.space.sizes):
        part = np.array(
            [u.weights[k] * np.asarray(u.values[k], dtype=np.float64) for u in domain.utilities]
        )  # (parties, size)
        combined = (sums[:, :, None] + part[:, None, :]).reshape(parties, -1)
        numbers = (outcomes[:, None] * size + np.arange(size)[None, :]).reshape(-1)
        keep = pareto_frontier(combined)
        sums, outcomes = combined[:, keep], numbers[keep]
    return np.sort(outcomes)


def max_welfare_point(u: Array) -> int:
    """The outcome with the largest sum of utilities (lowest number on ties)."""
    return int(np.argmax(np.asarray(u).sum(axis=0)))


def nash_point(u: Array, reservation: Array) -> int | None:
    """The Nash bargaining point: the outcome maximising ``Π (u_i - r_i)`` over outcomes all prefer.

    ``None`` when no outcome is strictly better than no agreement for everyone.
    """
    gain = np.asarray(u) - np.asarray(reservation)[:, None]
    ok = np.all(gain > 0, axis=0)
    if not ok.any():
        return None
    with np.errstate(divide="ignore"):
        score = np.where(ok, np.log(np.where(ok[None], gain, 1.0)).sum(axis=0), -np.inf)
    return int(np.argmax(score))


def kalai_smorodinsky_point(u: Array, reservation: Array) -> int | None:
    """The Kalai–Smorodinsky point: equal shares of each party's best possible gain.

    Among outcomes every party weakly prefers to no agreement, the one that
    maximises the smallest ``(u_i - r_i) / (best_i - r_i)``; ties go to the
    larger total utility, then the lowest number.
    """
    u = np.asarray(u)
    r = np.asarray(reservation)[:, None]
    ok = np.all(u >= r, axis=0)
    if not ok.any():
        return None
    best = np.where(ok[None], u, -np.inf).max(axis=1, keepdims=True)
    span = np.where(best > r, best - r, 1.0)
    share = np.where(ok, ((u - r) / span).min(axis=0), -np.inf)
    top = share.max()
    candidates = np.flatnonzero(share >= top - 1e-12)
    welfare = u[:, candidates].sum(axis=0)
    return int(candidates[int(np.argmax(welfare))])


@dataclass(frozen=True)
class AgreementAnalysis:
    """An agreement (or its absence) against the domain's reference points.

    Distances are Euclidean, in the parties' utility space.
    """

    agreement: int | None
    utilities: tuple[float, ...]
    shares: tuple[float, ...]
    """Each party's share of the total gain over reservation values (NaN without gain)."""
    frontier_size: int | None
    """Outcomes on the Pareto frontier; ``None`` where it was too large a search (see
    :data:`FRONTIER_WORK`)."""
    distance_to_frontier: float
    dominating: int
    """Outcomes that give every party at least the agreement's utility and one more (0: the
    agreement is Pareto-optimal). Counted against no agreement's utilities without one."""
    nash: int | None
    kalai: int | None
    welfare: int
    distance_to_nash: float
    distance_to_kalai: float
    distance_to_welfare: float


FRONTIER_WORK = 3e10
"""Comparisons (outcomes² × parties) the many-party frontier may take: six parties on
59,049 outcomes is 2.1e10, under a second here; twelve parties on as many (4.2e10), whose
frontier holds half the outcomes, take eight seconds, and 150 parties would take hours."""


def analyse(domain: NegotiationDomain, result: NegotiationResult) -> AgreementAnalysis:
    """Compare a negotiation's result with the frontier and the reference points."""
    u, r = domain.matrix, domain.reservation
    point = np.array(result.utilities)
    parties, outcomes = u.shape
    searchable = parties <= 2 or float(outcomes) ** 2 * parties <= FRONTIER_WORK
    frontier = domain_frontier(domain) if searchable else None
    front = u[:, frontier].T if frontier is not None else np.zeros((0, parties))
    better = np.all(u >= point[:, None], axis=0) & np.any(u > point[:, None], axis=0)
    nash = nash_point(u, r)
    kalai = kalai_smorodinsky_point(u, r)
    welfare = max_welfare_point(u)

    def dist(outcome: int | None) -> float:
        return float("nan") if outcome is None else float(np.linalg.norm(point - u[:, outcome]))

    gain = point - r
    total = gain.sum()
    shares = tuple(float(g / total) if total > 0 else float("nan") for g in gain)
    to_frontier = (
        float(np.min(np.linalg.norm(front - point[None], axis=1))) if len(front) else float("nan")
    )
    return AgreementAnalysis(
        agreement=result.agreement,
        utilities=result.utilities,
        shares=shares,
        frontier_size=None if frontier is None else len(frontier),
        dominating=int(better.sum()),
        distance_to_frontier=to_frontier,
        nash=nash,
        kalai=kalai,
        welfare=welfare,
        distance_to_nash=dist(nash),
        distance_to_kalai=dist(kalai),
        distance_to_welfare=dist(welfare),
    )
