"""Small negotiation domains for tests."""

from __future__ import annotations

import numpy as np

from accord.negotiation import (
    LinearAdditiveUtility,
    NegotiationDomain,
    NegotiationIssue,
    OutcomeSpace,
)


def random_domain(
    seed: int, parties: int = 2, issues: int = 3, values: int = 4
) -> NegotiationDomain:
    rng = np.random.default_rng(seed)
    space = OutcomeSpace(
        tuple(NegotiationIssue(f"i{k}", tuple(range(values))) for k in range(issues))
    )
    utilities = []
    for _ in range(parties):
        w = rng.random(issues)
        w /= w.sum()
        tables = tuple(tuple(rng.random(values).round(3).tolist()) for _ in range(issues))
        utilities.append(
            LinearAdditiveUtility(tuple(w.tolist()), tables, float(rng.uniform(0.1, 0.4)))
        )
    return NegotiationDomain(
        "random", space, tuple(f"p{k}" for k in range(parties)), tuple(utilities)
    )


def line_domain() -> NegotiationDomain:
    """One issue with values 0..4; party a prefers high, b prefers low (linear), reservation 0."""
    space = OutcomeSpace((NegotiationIssue("x", (0, 1, 2, 3, 4)),))
    a = LinearAdditiveUtility((1.0,), ((0.0, 0.25, 0.5, 0.75, 1.0),), 0.0)
    b = LinearAdditiveUtility((1.0,), ((1.0, 0.75, 0.5, 0.25, 0.0),), 0.0)
    return NegotiationDomain("line", space, ("a", "b"), (a, b))
