"""Implementing an agreement "commitment for commitment, action for action".

The Six-Party joint statement of 19 Sep 2005 (§5) and the action plans of 2007
set the principle: coordinated, phased, reciprocal steps. Here an adopted
package is split into ``phases`` equal steps from the status quo towards the
agreement, issue by issue. Each issue's step is the *action* of the delegation
that gives most on it (the one whose utility falls most as the issue moves);
issues nobody loses on move by themselves.

In each phase each acting delegation complies or defects. It complies when
what it expects from the others' remaining steps, discounted by its trust in
them, outweighs what its own step costs now, plus noise::

    comply  ⇔  ((1 + trust) / 2) · future gain − cost now + ε ≥ 0,   ε ~ N(0, noise)

so trust and the shadow of the future both matter, and the temptation to
defect grows as the phases run out. The others then react by the chosen
strategy, in the spirit of Axelrod's tournaments:

* ``strict`` — strict reciprocity: a delegation that was defected on in the
  last phase defects in the next (tit-for-tat), so one defection can unravel
  the phases after it;
* ``generous`` — generous reciprocity: the same, but it forgives a defection
  with probability ⅓ (Nowak & Sigmund's generous tit-for-tat);
* ``unconditional`` — it never retaliates: each phase it decides on its own
  calculation alone, whatever the others did.

After each phase every delegation's trust in each other moves towards 1 if
that delegation complied and towards -1 if it defected (rate ``learning``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from accord.errors import AccordError
from accord.negotiation import NegotiationDomain

__all__ = ["STRATEGIES", "ImplementationRun", "implement", "utilities_at"]

Strategy = Literal["strict", "generous", "unconditional"]
STRATEGIES: tuple[Strategy, ...] = ("strict", "generous", "unconditional")


@dataclass(frozen=True, eq=False)
class ImplementationRun:
    """What happened when a package was implemented.

    Attributes:
        phases: The number of phases planned.
        completed: Phases in which every acting delegation complied.
        defections: ``(phase, delegation)`` for every defection, phases from 1.
        trust: ``(phases + 1, n, n)`` trust before the first phase and after each.
        progress: ``(n_issues,)`` share of each issue's planned move carried out.
        utilities: Each delegation's utility of where implementation left things.
    """

    strategy: str
    phases: int
    completed: int
    defections: tuple[tuple[int, str], ...]
    trust: np.ndarray
    progress: np.ndarray
    utilities: dict[str, float]


def utilities_at(domain: NegotiationDomain, position: np.ndarray) -> np.ndarray:
    """Every party's utility at fractional value indices (linear between grid values)."""
    out = np.zeros(len(domain.parties))
    for k, x in enumerate(position):
        lo = int(np.floor(x))
        hi = min(lo + 1, domain.space.sizes[k] - 1)
        frac = x - lo
        for p, u in enumerate(domain.utilities):
            table = u.values[k]
            out[p] += u.weights[k] * ((1 - frac) * table[lo] + frac * table[hi])
    return out


def implement(
    domain: NegotiationDomain,
    start: np.ndarray,
    end: np.ndarray,
    *,
    strategy: Strategy = "strict",
    phases: int = 4,
    noise: float = 0.05,
    learning: float = 0.3,
    seed: int = 0,
) -> ImplementationRun:
    """Implement the move from ``start`` to ``end`` (value indices per issue) in phases.

    Args:
        domain: The delegations and their utilities.
        start: Value index of each issue before implementation (the status quo).
        end: Value index of each issue in the adopted package.
        strategy: How delegations react to defections (see the module).
        phases: Number of reciprocal steps.
        noise: Standard deviation of the compliance noise.
        learning: How fast trust follows behaviour.
        seed: Seed of the noise.
    """
    if strategy not in STRATEGIES:
        raise AccordError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    if phases < 1:
        raise AccordError(f"phases must be at least 1, got {phases}")
    rng = np.random.default_rng(seed)
    n, m = len(domain.parties), len(start)
    start = np.asarray(start, dtype=np.float64)
    end = np.asarray(end, dtype=np.float64)
    base = utilities_at(domain, start)
    # Who acts on each issue: the delegation that loses most from its full move.
    owners = np.full(m, -1)
    for k in range(m):
        moved = start.copy()
        moved[k] = end[k]
        loss = base - utilities_at(domain, moved)
        if end[k] != start[k] and loss.max() > 0:
            owners[k] = int(np.argmax(loss))
    trust = np.array(domain.trust_matrix, dtype=np.float64, copy=True)
    history = [trust.copy()]
    progress = np.zeros(m)
    defections: list[tuple[int, str]] = []
    betrayed = np.zeros(n, dtype=bool)  # defected on in the last phase
    completed = 0
    step = (end - start) / phases
    for phase in range(1, phases + 1):
        actors = sorted({int(o) for o in owners if o >= 0})
        complied = np.ones(n, dtype=bool)
        for i in actors:
            mine = owners == i
            here = start + step * progress * phases
            after_mine = here + np.where(mine, step, 0.0)
            cost = float(utilities_at(domain, here)[i] - utilities_at(domain, after_mine)[i])
            others_rest = start + np.where(mine, progress * phases * step, end - start)
            future = float(utilities_at(domain, others_rest)[i] - utilities_at(domain, here)[i])
            peers = [j for j in actors if j != i]
            t = float(np.mean([trust[i, j] for j in peers])) if peers else 1.0
            wants = ((1 + t) / 2) * future - cost + rng.normal(0.0, noise) >= 0
            if strategy == "strict" and betrayed[i]:
                wants = False
            elif strategy == "generous" and betrayed[i] and rng.random() >= 1 / 3:
                wants = False
            complied[i] = wants
        for k in range(m):
            if owners[k] < 0 or complied[owners[k]]:
                progress[k] += 1.0 / phases
        defectors = [i for i in actors if not complied[i]]
        defections += [(phase, domain.parties[i]) for i in defectors]
        if not defectors and actors:
            completed += 1
        betrayed = np.zeros(n, dtype=bool)
        if defectors:
            betrayed[:] = True
            betrayed[defectors] = len(defectors) > 1  # a lone defector was not defected on
        for i in range(n):
            for j in actors:
                if i == j:
                    continue
                target = 1.0 if complied[j] else -1.0
                trust[i, j] += learning * (target - trust[i, j])
        history.append(trust.copy())
    final = start + (end - start) * np.minimum(progress, 1.0)
    utilities = dict(zip(domain.parties, utilities_at(domain, final).tolist(), strict=True))
    return ImplementationRun(
        strategy=strategy,
        phases=phases,
        completed=completed,
        defections=tuple(defections),
        trust=np.stack(history),
        progress=np.minimum(progress, 1.0),
        utilities=utilities,
    )
