"""The zone of agreement: packages every party prefers to no agreement, searched whole.

A package sets every issue at once, so a party may give on one issue to gain on
another (issue linkage; side payments through issues others value more). With
additive utilities, ``u_i(x) = Σ_k w_ik · v_ik(x_k)``, the joint space of ten issues
at five values each has nearly ten million packages; the search never builds them
as rows. It splits the issues into two halves, adds each half's per-party
contributions once (``(n_A, P)`` and ``(n_B, P)`` tables, a few thousand rows each)
and scans every pair of half-packages in vectorised blocks:

* the *zone*: packages where every party gains over its reservation (strictly);
  its size is their share of the joint space;
* the *Nash package*: within the zone, the one with the greatest product of
  gains (Nash 1950), the chair's proposal;
* the *maximin package*: the one whose least gain is greatest (zone or not); when
  no zone exists, the party with that least gain is the one whose reservation
  binds — no package pays it enough without another party losing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from accord.errors import AccordError
from accord.negotiation.domain import NegotiationDomain

__all__ = ["MAX_PACKAGES", "Zone", "zone_of_agreement"]

MAX_PACKAGES = 2_000_000_000
"""The largest joint space searched whole (pairs of half-packages)."""

_BLOCK = 2_000_000
"""Pairs of half-packages scanned at once (times the parties: memory per block)."""

_PRODUCT_PARTIES = 8
"""Up to this many parties the Nash product is ranked directly, beyond it by its logarithm."""

_GAIN = 1e-9
"""A gain smaller than this is no gain (utilities are sums of floats)."""


@dataclass(frozen=True)
class Zone:
    """What the joint space offers the seated parties over their reservations."""

    parties: tuple[str, ...]
    issues: tuple[str, ...]
    packages: int
    """Packages in the joint space."""
    in_zone: int
    """Packages every party prefers to its reservation."""
    nash: dict[str, float] | None
    """Within the zone, the package with the greatest product of gains (None: no zone)."""
    nash_gains: dict[str, float] | None
    maximin: dict[str, float]
    """The package whose least gain is greatest."""
    maximin_gains: dict[str, float]
    blocked: dict[str, int]
    """Per party: packages every other party prefers to no agreement but it does not."""

    @property
    def exists(self) -> bool:
        """Whether some package beats every party's reservation."""
        return self.in_zone > 0

    @property
    def share(self) -> float:
        """The zone's share of the joint space."""
        return self.in_zone / self.packages

    @property
    def binding(self) -> str:
        """Whose reservation binds: the party that refuses most packages all others accept.

        Ties (and a table where no package pleases all but one) go to the party with
        the least gain at the maximin package.
        """
        return max(self.parties, key=lambda p: (self.blocked[p], -self.maximin_gains[p], p))

    def describe(self) -> str:
        """One line in words."""
        who = self.binding
        blocked = self.blocked[who]
        refuses = (
            f"{who}'s reservation binds: it prefers no agreement to {blocked:,} packages "
            "every other party accepts"
            if blocked
            else f"{who}'s reservation binds"
        )
        if not self.exists:
            return f"no package of the {self.packages:,} beats every party's reservation; {refuses}"
        return (
            f"{self.in_zone:,} of {self.packages:,} packages ({self.share:.2%}) beat every "
            f"party's reservation; {refuses}"
        )


def _half_tables(contrib: list[np.ndarray], parties: int) -> np.ndarray:
    """``(prod of sizes, P)``: every combination's summed contributions, first issue slowest."""
    total = np.zeros((1, parties))
    for table in contrib:  # table: (size, P)
        total = (total[:, None, :] + table[None, :, :]).reshape(-1, parties)
    return total


def _digits(index: int, sizes: Sequence[int]) -> list[int]:
    out = []
    for size in reversed(sizes):
        index, d = divmod(index, size)
        out.append(d)
    return out[::-1]


def zone_of_agreement(domain: NegotiationDomain, issues: Sequence[int] | None = None) -> Zone:
    """Search the joint space of ``issues`` (all by default) for the zone of agreement.

    Issues left out stay where the reservations put them: pass a domain whose
    reservations are the parties' values of the status quo on those issues.
    """
    chosen = list(range(len(domain.space.issues)) if issues is None else issues)
    if not chosen:
        raise AccordError("a zone of agreement needs at least one issue to negotiate")
    sizes = [len(domain.space.issues[k].values) for k in chosen]
    packages = int(np.prod(sizes, dtype=np.float64))
    if packages > MAX_PACKAGES:
        raise AccordError(
            f"{packages:,} packages are too many to search whole (at most {MAX_PACKAGES:,}); "
            "use a coarser resolution or fewer issues"
        )
    parties = len(domain.parties)
    contrib = [
        np.array(
            [
                [u.weights[k] * u.values[k][v] for u in domain.utilities]
                for v in range(len(domain.space.issues[k].values))
            ],
            dtype=np.float64,
        )
        for k in chosen
    ]
    cut = len(chosen) // 2
    half_a = _half_tables(contrib[:cut], parties)
    half_b = _half_tables(contrib[cut:], parties)
    half_b = half_b - np.asarray(domain.reservation)[None, :]
    n_b = half_b.shape[0]
    rows = max(1, _BLOCK // max(1, n_b))
    in_zone = 0
    blocked = np.zeros(parties, dtype=np.int64)
    best_nash, nash_at = -np.inf, (-1, -1)
    best_min, min_at = -np.inf, (0, 0)
    columns_a = [np.ascontiguousarray(half_a[:, i]) for i in range(parties)]
    columns_b = [np.ascontiguousarray(half_b[:, i]) for i in range(parties)]
    for start in range(0, half_a.shape[0], rows):
        stop = min(start + rows, half_a.shape[0])
        # One (rows, n_b) plane per party: elementwise passes over contiguous memory.
        gains = [columns_a[i][start:stop, None] + columns_b[i][None, :] for i in range(parties)]
        least = gains[0].copy()
        for plane in gains[1:]:
            np.minimum(least, plane, out=least)
        flat = int(np.argmax(least))
        if least.flat[flat] > best_min:
            best_min, min_at = float(least.flat[flat]), (start + flat // n_b, flat % n_b)
        gaining = [plane > _GAIN for plane in gains]
        count_ok = np.sum(gaining, axis=0, dtype=np.int8) if parties > 1 else gaining[0]
        if parties > 1:
            all_but_one = count_ok == parties - 1
            if all_but_one.any():
                for i in range(parties):
                    blocked[i] += int(np.count_nonzero(all_but_one & ~gaining[i]))
        inside = least > _GAIN
        count = int(np.count_nonzero(inside))
        if count:
            in_zone += count
            # Within the zone every gain is positive: the product ranks as the log-sum does
            # (for a few parties; for many, the product could underflow, so the logs).
            if parties <= _PRODUCT_PARTIES:
                product = np.where(inside, gains[0], 0.0)
                for plane in gains[1:]:
                    product *= plane
            else:
                product = np.zeros_like(least)
                for plane in gains:
                    product += np.log(np.where(inside, plane, 1.0))
            product[~inside] = -np.inf
            flat = int(np.argmax(product))
            value = float(product.flat[flat])
            score = float(np.log(value)) if parties <= _PRODUCT_PARTIES else value
            if score > best_nash:
                best_nash, nash_at = score, (start + flat // n_b, flat % n_b)

    def package(at: tuple[int, int]) -> tuple[dict[str, float], dict[str, float]]:
        a, b = at
        idx = _digits(a, sizes[:cut]) + _digits(b, sizes[cut:])
        values = {
            domain.space.issues[k].name: float(domain.space.issues[k].values[d])
            for k, d in zip(chosen, idx, strict=True)
        }
        gains = half_a[a] + half_b[b]
        return values, {p: float(gains[i]) for i, p in enumerate(domain.parties)}

    maximin, maximin_gains = package(min_at)
    nash, nash_gains = package(nash_at) if in_zone else (None, None)
    return Zone(
        parties=domain.parties,
        issues=tuple(domain.space.issues[k].name for k in chosen),
        packages=packages,
        in_zone=in_zone,
        nash=nash,
        nash_gains=nash_gains,
        maximin=maximin,
        maximin_gains=maximin_gains,
        blocked={p: int(blocked[i]) for i, p in enumerate(domain.parties)},
    )
