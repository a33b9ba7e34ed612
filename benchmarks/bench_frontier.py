"""The many-party Pareto frontier: accord's two searches against a textbook baseline.

* baseline: every candidate against every kept outcome over a (candidates, kept,
  parties) cube of comparisons, reduced over the parties — the plain numpy way, and
  what accord did until December 2026;
* table: :func:`accord.negotiation.pareto_frontier` on the utility matrix (outcomes in
  decreasing order of total utility, compared one party at a time in place);
* by issue: :func:`accord.negotiation.domain_frontier`, which extends only the
  undominated combinations of the first issues to the next.

Cases: random additive domains (weights and value tables uniform, values rounded to
three decimals), 3 to 12 parties, up to 78,125 outcomes. The script checks that all
three find the same outcomes.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from accord.negotiation import (
    LinearAdditiveUtility,
    NegotiationDomain,
    NegotiationIssue,
    OutcomeSpace,
    domain_frontier,
    pareto_frontier,
)


def random_domain(parties: int, issues: int, values: int, seed: int = 0) -> NegotiationDomain:
    rng = np.random.default_rng(seed)
    space = OutcomeSpace(
        tuple(NegotiationIssue(f"i{k}", tuple(range(values))) for k in range(issues))
    )
    utilities = []
    for _ in range(parties):
        w = rng.random(issues)
        tables = tuple(tuple(rng.random(values).round(3).tolist()) for _ in range(issues))
        utilities.append(LinearAdditiveUtility(tuple((w / w.sum()).tolist()), tables, 0.2))
    names = tuple(f"p{k}" for k in range(parties))
    return NegotiationDomain("bench", space, names, tuple(utilities))


def timed(fn, arg):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn(arg)
    return out, time.perf_counter() - start


def baseline(u: np.ndarray) -> np.ndarray:
    """Outcomes in decreasing total, each chunk checked over a full comparison cube."""
    order = np.argsort(-u.sum(axis=0), kind="stable")
    points = u[:, order].T
    kept = np.zeros((0, u.shape[0]))
    found = []
    for start in range(0, len(points), 2048):
        cand = points[start : start + 2048]
        beaten = np.zeros(len(cand), dtype=bool)
        for k in range(0, len(kept), 256):
            ref = kept[k : k + 256]
            ge = np.all(ref[None] >= cand[:, None], axis=2)
            gt = np.any(ref[None] > cand[:, None], axis=2)
            beaten |= np.any(ge & gt, axis=1)
        rest = cand[~beaten]
        ge = np.all(rest[None] >= rest[:, None], axis=2)
        gt = np.any(rest[None] > rest[:, None], axis=2)
        alive = np.flatnonzero(~beaten)[~np.any(ge & gt, axis=1)]
        found.append(order[start + alive])
        kept = np.vstack([kept, cand[alive]])
    return np.sort(np.concatenate(found))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller cases, for a smoke check")
    args = parser.parse_args()
    cases = (
        [(3, 8, 3), (6, 8, 3)]
        if args.quick
        else [(3, 10, 3), (6, 10, 3), (6, 5, 9), (6, 7, 5), (8, 6, 5), (12, 8, 3)]
    )
    print("Pareto frontier (seconds, one run each; ratio: baseline against by issue)")
    print(
        f"{'parties × issues × values':<27} {'outcomes':>9} {'frontier':>9} "
        f"{'baseline':>9} {'table':>7} {'by issue':>9} {'ratio':>7}"
    )
    for parties, issues, values in cases:
        domain = random_domain(parties, issues, values)
        u = domain.matrix
        first, base = timed(baseline, u)
        found, table = timed(pareto_frontier, u)
        built, by_issue = timed(domain_frontier, domain)
        if not (np.array_equal(first, found) and np.array_equal(first, built)):
            raise SystemExit("the three searches found different frontiers")
        print(
            f"{f'{parties} × {issues} × {values}':<27} {u.shape[1]:>9,} "
            f"{len(found):>9,} {base:>9.2f} {table:>7.2f} {by_issue:>9.3f} "
            f"{base / by_issue:>6.0f}×"
        )


if __name__ == "__main__":
    main()
