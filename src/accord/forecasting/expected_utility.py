"""Bueno de Mesquita's expected-utility ("challenge") model, vectorised.

The model of Bueno de Mesquita (1985; 1994, in Bueno de Mesquita & Stokman,
*European Community Decision Making*) as reconstructed by Scholz, Calbert &
Smith (2011), "Unravelling Bueno De Mesquita's group decision model",
*Journal of Theoretical Politics* 23(4), Appendix. One round:

1. the weighted median ``mu`` (step 1, weights ``c·s``);
2. with every risk exponent at 1, each actor's security ``S_i``: the sum of
   the expected utilities of the others challenging it; risk
   ``R_i = (2 S_i - max S - min S) / (max S - min S)`` and exponent
   ``r_i = (1 - R_i/3) / (1 + R_i/3)`` in [0.5, 2] (step 5, BDM 1985);
3. utilities of success, failure and status quo (step 2) with the assessing
   actor's exponent; the probability that one position beats another from
   every actor's capability-and-salience-weighted vote (step 3, eq. 31);
4. for every ordered pair, the expected utility of challenging (step 4,
   ``EU = s_j [P U_s + (1-P) U_f] + (1-s_j) U_s - Q U_sq - (1-Q)[T U_b + (1-T) U_w]``);
5. each actor ``i`` reads each rival ``j`` from its own point of view
   (``EU_i(ij)``, ``EU_i(ji)``, both with ``r_i``): *conflict* when both are
   positive and the rival's is larger (``i`` moves to ``x_j``); *compromise*
   when the rival gains and ``i`` loses less than the rival gains (``i`` moves
   the fraction ``|EU_ij / EU_ji|`` of the way); *capitulation* when the rival
   gains and ``i`` would lose more (``i`` moves all the way);
6. each actor accepts the most enforceable offer (conflict, then compromise,
   then capitulation), among conflicts and capitulations the one that moves
   it least; all actors move at once.

Every ambiguity of the papers is an option of
:class:`~accord.forecasting.eu_options.ExpectedUtilityOptions`; ``docs/models.md``
explains each default. All ordered pairs, and a whole batch of Monte Carlo
draws, are computed at once with numpy; :mod:`accord.forecasting.eu_reference`
is the plain-loop version this one is tested against.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import NDArray

from accord.errors import ForecastError
from accord.forecasting.classic import Array, weighted_mean, weighted_median
from accord.forecasting.eu_options import SAME_POSITION, SAME_SECURITY, ExpectedUtilityOptions

__all__ = ["KIND_NAMES", "ExpectedUtilityTrajectory", "run_expected_utility"]

NONE, CONFLICT, COMPROMISE, CAPITULATION = 0, 1, 2, 3
KIND_NAMES = ("none", "conflict", "compromise", "capitulation")
"""Names of the move kinds recorded in :attr:`ExpectedUtilityTrajectory.kinds`."""


@dataclass(frozen=True, eq=False)
class ExpectedUtilityTrajectory:
    """Round-by-round result of the expected-utility model on one issue.

    Arrays have a leading batch axis ``B`` (Monte Carlo draws; 1 for a plain run).
    Index 0 of the round axis is the starting state.

    Attributes:
        positions: ``(rounds + 1, B, n)`` positions after each round.
        median: ``(rounds + 1, B)`` weighted median after each round.
        mean: ``(rounds + 1, B)`` weighted mean after each round.
        risk: ``(rounds, B, n)`` risk exponents used in each round.
        kinds: ``(rounds, B, n)`` kind of move accepted (see :data:`KIND_NAMES`).
        rivals: ``(rounds, B, n)`` the rival whose offer was accepted, -1 for none.
        eu_own: ``(rounds, B, n, n)`` ``EU_i(ij)`` as seen by ``i``, if kept.
        eu_rival: ``(rounds, B, n, n)`` ``EU_i(ji)`` as seen by ``i``, if kept.
        rounds_run: ``(B,)`` rounds until each draw settled (see ``tolerance``).
    """

    positions: Array
    median: Array
    mean: Array
    risk: Array
    kinds: NDArray[np.int8]
    rivals: NDArray[np.int64]
    eu_own: Array | None
    eu_rival: Array | None
    rounds_run: NDArray[np.int64]

    @property
    def rounds(self) -> int:
        """Number of rounds recorded."""
        return int(self.risk.shape[0])


def _joined(parts: list[ExpectedUtilityTrajectory]) -> ExpectedUtilityTrajectory:
    """Trajectories of consecutive chunks of draws as one."""

    def cat(name: str, axis: int) -> Any:
        arrays = [getattr(p, name) for p in parts]
        return None if arrays[0] is None else np.concatenate(arrays, axis=axis)

    return ExpectedUtilityTrajectory(
        positions=cat("positions", 1),
        median=cat("median", 1),
        mean=cat("mean", 1),
        risk=cat("risk", 1),
        kinds=cat("kinds", 1),
        rivals=cat("rivals", 1),
        eu_own=cat("eu_own", 1),
        eu_rival=cat("eu_rival", 1),
        rounds_run=cat("rounds_run", 0),
    )


def _as_batch(a: Array | list[float], name: str) -> Array:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ForecastError(f"{name} must have shape (actors,) or (draws, actors), got {arr.shape}")
    return arr


_DIRECT_UP_TO = 16
"""Up to this many actors the vote sums are taken directly (fastest for small issues
and many Monte Carlo draws); above it, by sorting (see :func:`_support_sorted`)."""

_BLOCK = 1 << 21  # elements per temporary (B, k, n, n) block of the direct sums: ~16 MB


def _support_direct(x: Array, span: Array, w: Array, r: Array) -> tuple[Array, Array]:
    """The vote sums over every voter for every pair: O(n³) work, in bounded blocks."""
    batch, n = x.shape
    dist = np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None]
    # powered[b, k, m] = d_km ^ r_k (no power needed while every exponent is 1)
    powered = dist if np.all(r == 1.0) else dist ** r[:, :, None]
    support = np.zeros((batch, n, n))  # Σ_k w_k max(0, d_kt^r - d_ka^r)
    per_draw = max(1, _BLOCK // max(1, n * n * n))
    for b0 in range(0, batch, per_draw):
        bs = slice(b0, b0 + per_draw)
        nb = powered[bs].shape[0]
        per_voter = max(1, _BLOCK // max(1, nb * n * n))
        for k0 in range(0, n, per_voter):
            ks = slice(k0, k0 + per_voter)
            p = powered[bs, ks]
            diff = p[:, :, None, :] - p[:, :, :, None]  # diff[b, k, a, t] = d_kt^r - d_ka^r
            np.maximum(diff, 0.0, out=diff)
            support[bs] += np.einsum("bk,bkat->bat", w[bs, ks], diff)
    return support, np.einsum("bk,bkm->bm", w, powered)


def _support_sorted(x: Array, span: Array, w: Array, r: Array) -> tuple[Array, Array]:
    """The votes for each position over each other, by sorting voters once per round.

    Returns ``(support, v)``: ``support[b, a, t] = Σ_k w_k max(0, d_kt^r_k − d_ka^r_k)``
    and ``v[b, m] = Σ_k w_k d_km^r_k``, with ``d`` the distances divided by the range.
    Actor k's term is positive exactly when k is closer to a than to t: on one
    dimension, when k lies on a's side of the midpoint of a and t. Sorting the
    voters by position turns the sum over those k into a difference of prefix
    sums of ``w_k d_km^r_k``, so a round costs O(n² log n) time and O(n²) memory
    instead of the O(n³) of summing every voter for every pair.

    Both sums depend on the two positions only, not on who holds them, and actors
    gather on each other's positions round by round (500 actors hold about 200
    distinct positions after a few rounds). The sums are therefore taken over the
    distinct positions and then spread to the actors holding them, with the same
    values, bit for bit, as over every actor.
    """
    support, total, _, which = _support_by_place(x, span, w, r)
    return _to_actors(support, which), _to_actors(total, which)


def _support_by_place(
    x: Array, span: Array, w: Array, r: Array
) -> tuple[Array, Array, Array, NDArray[np.intp] | None]:
    """:func:`_support_sorted`'s sums over the distinct positions (the places).

    Returns ``(support, v, places, which)``, ``which[b, k]`` the place actor k holds
    (``None`` where every actor holds a place of its own).
    """
    batch, n = x.shape
    order = np.argsort(x, axis=1, kind="stable")
    xs = np.take_along_axis(x, order, axis=1)
    fresh = np.ones((batch, n), dtype=bool)
    fresh[:, 1:] = xs[:, 1:] != xs[:, :-1]
    distinct = int(fresh.sum(axis=1).max())
    if distinct > _GATHER_BELOW * n:
        return (*_vote_sums(x, span, w, r, order, x), x, None)
    # held[b, i]: which distinct position the i-th actor in sorted order holds
    held = np.cumsum(fresh, axis=1) - 1
    places = np.repeat(xs[:, -1:], distinct, axis=1)  # short rows padded with their top
    np.put_along_axis(places, held, xs, axis=1)
    which = np.empty_like(held)
    np.put_along_axis(which, order, held, axis=1)
    return (*_vote_sums(x, span, w, r, order, places), places, which)


def _to_actors(by_place: Array, which: NDArray[np.intp] | None) -> Array:
    """Values per place (``(B, p)`` or ``(B, p, p)``) spread to the actors holding them."""
    if which is None:
        return by_place
    if by_place.ndim == 2:
        return np.take_along_axis(by_place, which, axis=1)
    rows = np.take_along_axis(by_place, which[:, :, None], axis=1)
    return np.take_along_axis(rows, which[:, None, :], axis=2)


_GATHER_BELOW = 0.8
"""Sum over distinct positions when there are at most this share of the actors (the
spreading back costs about what the sums over a fifth of the pairs would)."""


def _vote_sums(
    x: Array, span: Array, w: Array, r: Array, order: NDArray[np.intp], places: Array
) -> tuple[Array, Array]:
    """:func:`_support_sorted`'s sums for every pair of ``places`` (``(B, p)``).

    The voters are ``x``, sorted by ``order``.
    """
    batch, n = x.shape
    xs = np.take_along_axis(x, order, axis=1)
    ws = np.take_along_axis(w, order, axis=1)
    rs = np.take_along_axis(r, order, axis=1)
    # powered[b, i, m] = w_k d_km^r_k for the i-th voter k in sorted order
    d = np.abs(xs[:, :, None] - places[:, None, :]) / span[:, None, None]
    powered = d if np.all(rs == 1.0) else d ** rs[:, :, None]
    powered *= ws[:, :, None]
    prefix = np.zeros((batch, n + 1, places.shape[1]))
    np.cumsum(powered, axis=1, out=prefix[:, 1:])
    total = prefix[:, -1, :]  # = v
    # How many voters lie strictly below, and at or below, each midpoint; searched once for
    # the whole batch by shifting each draw's positions into a band of its own.
    lo, hi = float(np.min(x)), float(np.max(x))
    band = 2.0 * (hi - lo) + 1.0
    shift = (np.arange(batch, dtype=np.float64) * band)[:, None]
    keys = (xs - lo + shift).ravel()
    mid = 0.5 * (places[:, :, None] + places[:, None, :]) - lo + shift[:, :, None]
    first = np.searchsorted(keys, mid, side="left")
    # Voters exactly at a midpoint are rare: search again only for those.
    at_mid = keys[np.minimum(first, keys.size - 1)] == mid
    last = first.copy()
    last[at_mid] = np.searchsorted(keys, mid[at_mid], side="right")
    offset = (np.arange(batch) * n)[:, None, None]
    below, above = first - offset, last - offset
    # a below t: voters below the midpoint side with a; a above t: voters above it do.
    a_low = places[:, :, None] < places[:, None, :]
    at_t = np.take_along_axis(prefix, below, axis=1)  # Σ_{k below mid} w_k d_kt^r_k
    at_a = np.take_along_axis(prefix, below.transpose(0, 2, 1), axis=1).transpose(0, 2, 1)
    low_side = at_t - at_a
    up_t = total[:, None, :] - np.take_along_axis(prefix, above, axis=1)
    up_a = total[:, :, None] - np.take_along_axis(
        prefix, above.transpose(0, 2, 1), axis=1
    ).transpose(0, 2, 1)
    high_side = up_t - up_a
    a_high = places[:, :, None] > places[:, None, :]
    support = np.where(a_low, low_side, np.where(a_high, high_side, 0.0))
    return np.maximum(support, 0.0), total


def _probabilities(x: Array, span: Array, w: Array, r: Array, pairwise: bool) -> Array:
    """``P[b, a, t]``: probability that a's position beats t's (Scholz eq. 31).

    Actor k's vote for a over t is ``w_k ((d_kt)^r_k - (d_ka)^r_k)``, with ``d``
    the distances divided by the range.
    """
    if x.shape[1] <= _DIRECT_UP_TO:
        support, v = _support_direct(x, span, w, r)
        places, which = x, None
    else:  # pairwise, the probabilities too depend on the two positions only
        support, v, places, which = _support_by_place(x, span, w, r)
    # |d| = 2 max(0, d) - d, and Σ_k w_k d = v_t - v_a with v_m = Σ_k w_k d_km^r_k.
    spread = 2.0 * support - (v[:, None, :] - v[:, :, None])
    if not pairwise:
        support, spread, places = _to_actors(support, which), _to_actors(spread, which), x
        which = None
    total = spread if pairwise else spread.sum(axis=(1, 2), keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        prob = np.where(total > 0, support / total, 0.0)
    dist = np.abs(places[:, :, None] - places[:, None, :]) / span[:, None, None]
    return _to_actors(np.where(dist <= SAME_POSITION, 0.0, prob), which)


def _utilities(dist: Array, rp: Array | float) -> tuple[Array, Array, Array | float]:
    """Step 2: utilities of success, failure and the status quo, with exponent ``rp``.

    They depend on the distance between the two positions only, so a challenge
    and the counter-challenge share them.
    """
    if isinstance(rp, float) and rp == 1.0:
        return 1 + 2 * dist, 1 - 2 * dist, 0.0
    u_success = 2 - 4 * (0.5 - 0.5 * dist) ** rp
    u_failure = 2 - 4 * (0.5 + 0.5 * dist) ** rp
    return u_success, u_failure, 2 - 4 * 0.5**rp


def _challenge_eu(
    utilities: tuple[Array, Array, Array | float],
    prob: Array,
    s_target: Array,
    rp: Array | float,
    q: float,
    better_worse: tuple[Array, Array] | None,
) -> Array:
    """EU of challenging (step 4) for arrays broadcast to a common shape.

    ``better_worse`` is ``(e, T)``: ``e = (|x_ch - mu| + |x_ch - x_tg|) / (4R)``
    and ``T`` the indicator that the target moving towards ``mu`` helps the
    challenger; needed only when ``q < 1``.
    """
    u_success, u_failure, u_status_quo = utilities
    eu = s_target * (prob * u_success + (1 - prob) * u_failure) + (1 - s_target) * u_success
    eu = eu - q * u_status_quo
    if q < 1 and better_worse is not None:
        e, t = better_worse
        u_better = 2 - 4 * np.maximum(0.0, 0.5 - e) ** rp
        u_worse = 2 - 4 * (0.5 + e) ** rp
        eu = eu - (1 - q) * (t * u_better + (1 - t) * u_worse)
    return eu


def _better_worse(x: Array, mu: Array, span: Array) -> tuple[Array, Array]:
    """``e[b, a, t]`` and ``T[b, a, t]`` for challenger a and target t."""
    xa, xt = x[:, :, None], x[:, None, :]
    m = mu[:, None, None]
    e = 0.25 * (np.abs(xa - m) + np.abs(xa - xt)) / span[:, None, None]
    apart = np.abs(xa - xt) > SAME_POSITION * span[:, None, None]
    t = (((m - xt) * (xa - xt) > 0) & apart).astype(np.float64)
    return e, t


def _risk_exponents(
    x: Array,
    span: Array,
    dist: Array,
    w: Array,
    s: Array,
    opts: ExpectedUtilityOptions,
    bw: tuple[Array, Array] | None,
) -> Array:
    """Step 5: risk exponents from each actor's security, all exponents set to 1 first."""
    ones = np.ones_like(w)
    prob = _probabilities(x, span, w, ones, opts.probability == "pairwise")
    # eu[b, a, t]: a challenging t, seen with exponent 1.
    eu = _challenge_eu(_utilities(dist, 1.0), prob, s[:, None, :], 1.0, opts.q, bw)
    n = w.shape[1]
    eu = np.where(np.eye(n, dtype=bool)[None], 0.0, eu)
    security = eu.sum(axis=1)  # S_t = Σ_a EU(a → t)
    hi = security.max(axis=1, keepdims=True)
    lo = security.min(axis=1, keepdims=True)
    # Securities equal up to rounding noise mean equal risk (else noise sets the exponents).
    spread = hi - lo > SAME_SECURITY * np.maximum(1.0, np.maximum(np.abs(hi), np.abs(lo)))
    with np.errstate(invalid="ignore", divide="ignore"):
        big_r = np.where(spread, (2 * security - hi - lo) / (hi - lo), 0.0)
    return (1 - big_r / 3) / (1 + big_r / 3)


def _choose(key: Array, allowed: NDArray[np.bool_]) -> tuple[NDArray[np.bool_], NDArray[np.int64]]:
    """Per actor: whether any offer is allowed, and the allowed one with the lowest key."""
    masked = np.where(allowed, key, np.inf)
    return np.asarray(allowed.any(axis=2)), np.asarray(masked.argmin(axis=2), dtype=np.int64)


def _round(
    x: Array, c: Array, s: Array, span: Array, opts: ExpectedUtilityOptions
) -> tuple[Array, Array, NDArray[np.int8], NDArray[np.int64], Array, Array]:
    w = c * s
    mu = weighted_median(x[:, :, None], w[:, :, None])[:, 0]
    dist = np.abs(x[:, :, None] - x[:, None, :]) / span[:, None, None]
    bw = _better_worse(x, mu, span) if opts.q < 1 else None
    r = _risk_exponents(x, span, dist, w, s, opts, bw)
    prob = _probabilities(x, span, w, r, opts.probability == "pairwise")
    rp = r[:, :, None]  # every assessment by actor i uses i's exponent (row)
    utilities = _utilities(dist, rp)
    eu_own = _challenge_eu(utilities, prob, s[:, None, :], rp, opts.q, bw)  # i challenges j
    bw_t = None if bw is None else (bw[0].transpose(0, 2, 1), bw[1].transpose(0, 2, 1))
    # j challenges i, as i sees it: same distance and exponent, so the same utilities
    eu_rival = _challenge_eu(utilities, prob.transpose(0, 2, 1), s[:, :, None], rp, opts.q, bw_t)

    n = x.shape[1]
    valid = (dist > SAME_POSITION) & ~np.eye(n, dtype=bool)[None]
    move = np.abs(x[:, None, :] - x[:, :, None])  # move[b, i, j] = |x_j - x_i|
    conflict = valid & (eu_rival > eu_own) & (eu_own > 0)
    rival_gains = valid & (eu_rival > 0) & (eu_own < 0)
    compromise = rival_gains & (eu_rival > np.abs(eu_own))
    capitulation = rival_gains & (eu_rival < np.abs(eu_own)) & opts.capitulation
    with np.errstate(invalid="ignore", divide="ignore"):
        fraction = np.where(compromise, np.abs(eu_own / eu_rival), 0.0)
        new_compromise = x[:, :, None] + (x[:, None, :] - x[:, :, None]) * fraction
        if opts.compromise == "weighted-position":
            a, b = np.abs(eu_own), np.abs(eu_rival)
            comp_key = (a * x[:, :, None] + b * x[:, None, :]) / (a + b)
        else:
            comp_key = np.abs(new_compromise - x[:, :, None])

    has_conf, j_conf = _choose(move, conflict)
    has_comp, j_comp = _choose(comp_key, compromise)
    has_cap, j_cap = _choose(move, capitulation)
    kinds = np.where(
        has_conf, CONFLICT, np.where(has_comp, COMPROMISE, np.where(has_cap, CAPITULATION, NONE))
    )
    rival = np.where(has_conf, j_conf, np.where(has_comp, j_comp, np.where(has_cap, j_cap, -1)))
    safe = np.maximum(rival, 0)[:, :, None]
    to_rival = np.take_along_axis(np.broadcast_to(x[:, None, :], dist.shape), safe, axis=2)[:, :, 0]
    to_compromise = np.take_along_axis(new_compromise, safe, axis=2)[:, :, 0]
    new_x = np.where(kinds == COMPROMISE, to_compromise, np.where(kinds == NONE, x, to_rival))
    return new_x, r, kinds.astype(np.int8), rival.astype(np.int64), eu_own, eu_rival


PAIR_ARRAYS = 16
"""How many ``(draws, n, n)`` float arrays a round holds at its peak (distances,
probabilities, utilities, both EU matrices, offers, temporaries), for the memory check."""

MEMORY_SHARE = 0.6
"""The share of the machine's memory a run may plan to use."""


def machine_memory() -> int:
    """Bytes of physical memory on this machine (4 GiB where it cannot be asked)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not POSIX
        return 4 << 30


def pair_memory(actors: int, draws: int = 1) -> int:
    """Bytes a round of the model needs for ``actors`` actors and ``draws`` draws at once."""
    return PAIR_ARRAYS * 8 * draws * actors * actors


def draws_per_chunk(actors: int, wanted: int) -> int:
    """How many draws of an issue with ``actors`` actors fit in memory at once (at least 1)."""
    budget = MEMORY_SHARE * machine_memory()
    return max(1, min(wanted, int(budget // max(1, pair_memory(actors)))))


def check_memory(actors: int, draws: int = 1) -> None:
    """Refuse, before any work, a run that cannot fit in this machine's memory.

    Raises:
        ForecastError: Naming the memory needed, the memory here, and what to do.
    """
    need = pair_memory(actors, 1)
    have = machine_memory()
    if need > MEMORY_SHARE * have:
        raise ForecastError(
            f"the expected-utility model on {actors:,} actors needs about "
            f"{need / 2**30:,.1f} GiB of memory for one draw (it compares every pair of "
            f"actors), and this machine has {have / 2**30:,.1f} GiB; use fewer actors (merge "
            "the smallest into blocs, or leave out those without a stated position), or "
            "choose models that scale with the number of actors (-m mean -m median)"
        )


def run_expected_utility(
    position: Array | list[float],
    capability: Array | list[float],
    salience: Array | list[float],
    rounds: int,
    options: ExpectedUtilityOptions | None = None,
    scale: tuple[float, float] | None = None,
    keep_eu: bool = False,
) -> ExpectedUtilityTrajectory:
    """Run the expected-utility model on one issue for a batch of draws at once.

    Args:
        position: ``(n,)`` or ``(B, n)`` positions of the actors with a stance.
        capability: Same shape, greater than 0.
        salience: Same shape, in [0, 1].
        rounds: Number of rounds (the papers give no stopping rule).
        options: Readings of the ambiguous steps; defaults reproduce Scholz et al.
        scale: The issue's ``(min, max)``, needed for ``range="scale"``.
        keep_eu: Keep the ``(rounds, B, n, n)`` expected-utility matrices (for
            the quad map); off by default to save memory on large batches.

    Returns:
        An :class:`ExpectedUtilityTrajectory` with ``rounds`` rounds; a draw
        that settles early (``tolerance``) keeps its positions from then on.
    """
    opts = options or ExpectedUtilityOptions()
    x = _as_batch(position, "position")
    check_memory(x.shape[1])
    c = np.broadcast_to(_as_batch(capability, "capability"), x.shape)
    s = np.broadcast_to(_as_batch(salience, "salience"), x.shape)
    per_chunk = draws_per_chunk(x.shape[1], x.shape[0])
    if per_chunk < x.shape[0]:  # draws are independent: run them in chunks that fit in memory
        parts = [
            run_expected_utility(
                x[k : k + per_chunk],
                c[k : k + per_chunk],
                s[k : k + per_chunk],
                rounds,
                options=opts,
                scale=scale,
                keep_eu=keep_eu,
            )
            for k in range(0, x.shape[0], per_chunk)
        ]
        return _joined(parts)
    if rounds < 0:
        raise ForecastError(f"rounds must be 0 or more, got {rounds}")
    if opts.range == "scale" and scale is None:
        raise ForecastError("range='scale' needs the issue's scale")
    initial_span = x.max(axis=1) - x.min(axis=1)
    w = c * s
    positions, risks, kinds, rivals, own, rival_eu = [x], [], [], [], [], []
    active = np.ones(x.shape[0], dtype=bool)
    rounds_run = np.zeros(x.shape[0], dtype=np.int64)
    current = x
    for _ in range(rounds):
        if opts.range == "initial":
            span = initial_span
        elif opts.range == "scale":
            assert scale is not None
            span = np.full(x.shape[0], scale[1] - scale[0])
        else:
            span = current.max(axis=1) - current.min(axis=1)
        active = active & (span > 0)
        safe_span = np.where(span > 0, span, 1.0)
        new_x, r, kind, rival, eu_o, eu_r = _round(current, c, s, safe_span, opts)
        new_x = np.where(active[:, None], new_x, current)
        kind = np.where(active[:, None], kind, NONE).astype(np.int8)
        rival = np.where(active[:, None], rival, -1)
        rounds_run = rounds_run + active
        moved = np.abs(new_x - current).max(axis=1)
        if opts.tolerance > 0:
            active = active & (moved > opts.tolerance * safe_span)
        positions.append(new_x)
        risks.append(r)
        kinds.append(kind)
        rivals.append(rival)
        if keep_eu:
            own.append(eu_o)
            rival_eu.append(eu_r)
        current = new_x
        if not active.any() and len(risks) < rounds:
            # Every draw has settled: the remaining rounds repeat this one, without the work.
            for _ in range(rounds - len(risks)):
                positions.append(current)
                risks.append(r)
                kinds.append(np.full_like(kind, NONE))
                rivals.append(np.full_like(rival, -1))
                if keep_eu:
                    own.append(eu_o)
                    rival_eu.append(eu_r)
            break
    pos = np.stack(positions)
    n_rounds = len(risks)
    empty = np.zeros((0, *x.shape))
    return ExpectedUtilityTrajectory(
        positions=pos,
        median=weighted_median(pos[..., None], np.broadcast_to(w, pos.shape)[..., None])[..., 0],
        mean=weighted_mean(pos[..., None], np.broadcast_to(w, pos.shape)[..., None])[..., 0],
        risk=np.stack(risks) if n_rounds else empty,
        kinds=np.stack(kinds) if n_rounds else empty.astype(np.int8),
        rivals=np.stack(rivals) if n_rounds else empty.astype(np.int64),
        eu_own=np.stack(own) if keep_eu and n_rounds else None,
        eu_rival=np.stack(rival_eu) if keep_eu and n_rounds else None,
        rounds_run=rounds_run,
    )
