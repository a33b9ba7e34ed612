"""The expected-utility model as plain loops: the readable reference.

This is the model of Bueno de Mesquita (1985, 1994) as reconstructed by Scholz,
Calbert & Smith (2011), "Unravelling Bueno De Mesquita's group decision model",
Journal of Theoretical Politics 23(4), written one actor and one pair at a
time so that each step can be checked against the paper. The vectorised
implementation in :mod:`accord.forecasting.expected_utility` is tested against
this one on random inputs; use that one for real work.

Notation (one issue): positions ``x``, capabilities ``c``, saliences ``s`` in
[0, 1], risk exponents ``r``, range ``R``, status-quo weight ``Q``, the
weighted median ``mu``.
"""

from __future__ import annotations

from dataclasses import dataclass

from accord.forecasting.eu_options import SAME_POSITION, SAME_SECURITY, ExpectedUtilityOptions

__all__ = ["ReferenceRound", "reference_round", "reference_run"]


@dataclass(frozen=True)
class ReferenceRound:
    """What one round did: risk exponents used, moves chosen, positions after."""

    risk: tuple[float, ...]
    moves: tuple[tuple[str, int, float] | None, ...]
    """Per actor: ``(kind, rival, new_position)`` of the accepted offer, or ``None``."""
    positions: tuple[float, ...]


def _median(x: list[float], w: list[float]) -> float:
    """Weighted median: first position where the running weight reaches half."""
    order = sorted(range(len(x)), key=lambda k: x[k])
    half = 0.5 * sum(w) * (1.0 - 1e-12)
    running = 0.0
    for k in order:
        running += w[k]
        if running >= half:
            return x[k]
    return x[order[-1]]


class _Round:
    """The quantities of one round, computed on demand with loops."""

    def __init__(
        self,
        x: list[float],
        c: list[float],
        s: list[float],
        span: float,
        opts: ExpectedUtilityOptions,
    ) -> None:
        self.x, self.c, self.s, self.span, self.opts = x, c, s, span, opts
        self.n = len(x)
        self.mu = _median(x, [c[k] * s[k] for k in range(self.n)])
        self._all_votes: dict[tuple[float, ...], float] = {}

    def same(self, a: float, b: float) -> bool:
        """Whether two positions count as one (see ``SAME_POSITION``)."""
        return abs(a - b) <= SAME_POSITION * self.span

    def vote(self, k: int, a: float, b: float, r: list[float]) -> float:
        """Actor k's vote for position a over position b (positive: prefers a)."""
        xk, rk = self.x[k], r[k]
        return float(self.c[k] * self.s[k]) * float(
            (abs(xk - b) / self.span) ** rk - (abs(xk - a) / self.span) ** rk
        )

    def probability(self, i: int, j: int, r: list[float]) -> float:
        """Probability that i's position prevails over j's."""
        a, b = self.x[i], self.x[j]
        if self.same(a, b):
            return 0.0
        support = sum(max(0.0, self.vote(k, a, b, r)) for k in range(self.n))
        if self.opts.probability == "all-pairs":
            total = self.all_votes(r)
        else:
            total = sum(abs(self.vote(k, a, b, r)) for k in range(self.n))
        return support / total if total > 0 else 0.0

    def all_votes(self, r: list[float]) -> float:
        """Sum of |votes| of every actor over every ordered pair of actors' positions."""
        key = tuple(r)
        if key not in self._all_votes:
            self._all_votes[key] = sum(
                abs(self.vote(k, self.x[p], self.x[q], r))
                for k in range(self.n)
                for p in range(self.n)
                for q in range(self.n)
            )
        return self._all_votes[key]

    def expected_utility(self, i: int, j: int, rp: float, r: list[float]) -> float:
        """EU of i challenging j, as seen by an actor whose risk exponent is rp."""
        x, span, q = self.x, self.span, self.opts.q
        d = abs(x[i] - x[j]) / span
        u_success = 2 - 4 * (0.5 - 0.5 * d) ** rp
        u_failure = 2 - 4 * (0.5 + 0.5 * d) ** rp
        u_status_quo = 2 - 4 * 0.5**rp
        p = self.probability(i, j, r)
        eu = self.s[j] * (p * u_success + (1 - p) * u_failure) + (1 - self.s[j]) * u_success
        eu -= q * u_status_quo
        if q < 1:
            e = 0.25 * (abs(x[i] - self.mu) + abs(x[i] - x[j])) / span
            u_better = 2 - 4 * max(0.0, 0.5 - e) ** rp
            u_worse = 2 - 4 * (0.5 + e) ** rp
            # T = 1 when j moving towards the median brings it closer to i.
            towards = (self.mu - x[j]) * (x[i] - x[j]) > 0
            t = 1.0 if towards and not self.same(x[i], x[j]) else 0.0
            eu -= (1 - q) * (t * u_better + (1 - t) * u_worse)
        return float(eu)

    def risk_exponents(self) -> list[float]:
        """Each actor's risk exponent from its security (BDM 1985; Scholz et al. step 5)."""
        ones = [1.0] * self.n
        security = [
            sum(self.expected_utility(j, i, 1.0, ones) for j in range(self.n) if j != i)
            for i in range(self.n)
        ]
        hi, lo = max(security), min(security)
        if hi - lo <= SAME_SECURITY * max(1.0, abs(hi), abs(lo)):
            return ones
        out = []
        for s_i in security:
            big_r = (2 * s_i - hi - lo) / (hi - lo)
            out.append((1 - big_r / 3) / (1 + big_r / 3))
        return out

    def best_move(self, i: int, r: list[float]) -> tuple[str, int, float] | None:
        """The offer actor i accepts: the most enforceable kind, then by the ranking rule."""
        x = self.x
        offers: dict[str, list[tuple[float, int, float]]] = {
            "conflict": [],
            "compromise": [],
            "capitulation": [],
        }
        for j in range(self.n):
            if j == i or self.same(x[j], x[i]):
                continue
            eu_ij = self.expected_utility(i, j, r[i], r)
            eu_ji = self.expected_utility(j, i, r[i], r)
            move = abs(x[j] - x[i])
            if eu_ji > eu_ij > 0:
                offers["conflict"].append((move, j, x[j]))
            elif eu_ji > 0 > eu_ij and eu_ji > abs(eu_ij):
                new = x[i] + (x[j] - x[i]) * abs(eu_ij / eu_ji)
                if self.opts.compromise == "weighted-position":
                    key = (abs(eu_ij) * x[i] + abs(eu_ji) * x[j]) / (abs(eu_ij) + abs(eu_ji))
                else:
                    key = abs(new - x[i])
                offers["compromise"].append((key, j, new))
            elif self.opts.capitulation and eu_ji > 0 > eu_ij and eu_ji < abs(eu_ij):
                offers["capitulation"].append((move, j, x[j]))
        for kind in ("conflict", "compromise", "capitulation"):
            if offers[kind]:
                best = offers[kind][0]
                for offer in offers[kind][1:]:
                    if offer[0] < best[0]:
                        best = offer
                return kind, best[1], best[2]
        return None


def reference_round(
    x: list[float], c: list[float], s: list[float], span: float, opts: ExpectedUtilityOptions
) -> ReferenceRound:
    """One round of challenges, offers and moves; all actors move at once."""
    rnd = _Round(list(x), list(c), list(s), span, opts)
    r = rnd.risk_exponents()
    moves = tuple(rnd.best_move(i, r) for i in range(rnd.n))
    positions = tuple(m[2] if m is not None else x[i] for i, m in enumerate(moves))
    return ReferenceRound(risk=tuple(r), moves=moves, positions=positions)


def reference_run(
    x: list[float],
    c: list[float],
    s: list[float],
    rounds: int,
    opts: ExpectedUtilityOptions | None = None,
    scale: tuple[float, float] | None = None,
) -> list[ReferenceRound]:
    """Run the model for a number of rounds (fewer if it settles, see ``tolerance``)."""
    opts = opts or ExpectedUtilityOptions()
    initial = max(x) - min(x)
    out: list[ReferenceRound] = []
    current = list(x)
    for _ in range(rounds):
        if opts.range == "initial":
            span = initial
        elif opts.range == "scale":
            assert scale is not None, "range='scale' needs the issue's scale"
            span = scale[1] - scale[0]
        else:
            span = max(current) - min(current)
        if span <= 0:
            break
        step = reference_round(current, c, s, span, opts)
        out.append(step)
        moved = max(abs(a - b) for a, b in zip(step.positions, current, strict=True))
        current = list(step.positions)
        if opts.tolerance > 0 and moved <= opts.tolerance * span:
            break
    return out
