"""Negotiation engine side by side with NegMAS, where ``negmas`` is importable.

Install it with ``pip install '.[bench]'``.

Installs nothing itself. Cases, on one 3-issue domain of 10 × 10 × 10 = 1,000
outcomes with 100 rounds:

* 1,000 bilateral negotiations between time-based negotiators (Boulware against
  linear), each with its own random pair of linear additive profiles:
  accord batched (all at once), accord one at a time, and NegMAS's
  ``SAOMechanism`` with ``BoulwareTBNegotiator`` / ``LinearTBNegotiator``;
* 6-party stacked alternating offers, accord against NegMAS.

Checks, on the same profiles: the Pareto frontier (as a set of utility vectors)
and the Nash point agree exactly with NegMAS's ``pareto_frontier`` and
``nash_points``; and how often the agreements coincide (see the printed note on
why the time-based strategies of the two libraries are not identical).
Prints negotiations per second for both, and the ratio.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from accord.negotiation import (
    AlternatingOffers,
    LinearAdditiveUtility,
    NegotiationDomain,
    NegotiationIssue,
    OutcomeSpace,
    TimeBased,
    batch,
    kernels,
    nash_point,
    pareto_frontier,
)
from accord.negotiation.batch import BatchResult, batch_alternating_offers, batch_stacked_offers

VALUES = 10
ISSUES = 3
STEPS = 100
BETAS = (0.25, 1.0)  # Boulware against linear (Faratin et al.'s exponent)


def profiles(n: int, parties: int, seed: int) -> list[list[LinearAdditiveUtility]]:
    rng = np.random.default_rng(seed)
    out = []
    for _ in range(n):
        table = []
        for _ in range(parties):
            w = rng.random(ISSUES)
            w = (w / w.sum()).round(6)
            values = tuple(tuple(rng.random(VALUES).round(6).tolist()) for _ in range(ISSUES))
            table.append(LinearAdditiveUtility(tuple(w.tolist()), values, 0.1))
        out.append(table)
    return out


SPACE = OutcomeSpace(tuple(NegotiationIssue(f"i{k}", tuple(range(VALUES))) for k in range(ISSUES)))


def domain(ufuns: list[LinearAdditiveUtility]) -> NegotiationDomain:
    return NegotiationDomain(
        "bench", SPACE, tuple(f"p{k}" for k in range(len(ufuns))), tuple(ufuns)
    )


def per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds > 0 else float("inf")


def batch_times(run, *args) -> tuple[BatchResult, float, float, float]:  # type: ignore[no-untyped-def]
    """The result, the first call's seconds, and the best of three warm calls' seconds
    with the compiled selection (where numba is installed) and with numpy's sort."""
    start = time.perf_counter()
    result = run(*args)
    first = time.perf_counter() - start

    def best() -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            again = run(*args)
            times.append(time.perf_counter() - start)
            assert np.array_equal(again.agreement, result.agreement)
        return min(times)

    warm = best()
    threshold = batch.COMPILE_FROM
    batch.COMPILE_FROM = 2**62  # numpy's sort, whatever the size
    try:
        numpy_only = best()
    finally:
        batch.COMPILE_FROM = threshold
    return result, first, warm, numpy_only


def print_batch_times(count: int, first: float, warm: float, numpy_only: float) -> None:
    selection = "compiled" if kernels.COMPILED else "numpy; pip install '.[fast]' to compile"
    print(
        f"  accord, batched          {per_second(count, warm):>12,.0f} negotiations/s ({selection})"
    )
    print(f"  accord, batched, numpy   {per_second(count, numpy_only):>12,.0f} negotiations/s")
    print(f"  first call               {first:>12.2f} s (compiling or loading the kernel)")


# --- NegMAS side ---------------------------------------------------------------------------


def negmas_parts(ufuns: list[LinearAdditiveUtility]):  # type: ignore[no-untyped-def]
    from negmas import make_issue
    from negmas.outcomes import make_os
    from negmas.preferences import LinearAdditiveUtilityFunction
    from negmas.preferences.value_fun import TableFun

    issues = [make_issue(list(range(VALUES)), f"i{k}") for k in range(ISSUES)]
    os_ = make_os(issues)
    out = []
    for u in ufuns:
        fun = LinearAdditiveUtilityFunction(
            values=[TableFun(dict(enumerate(t))) for t in u.values],
            weights=list(u.weights),
            outcome_space=os_,
            reserved_value=u.reservation,
        )
        out.append(fun)
    return issues, os_, out


def negmas_run(ufuns: list[LinearAdditiveUtility], kinds: list[str]) -> tuple | None:  # type: ignore[type-arg]
    from negmas import BoulwareTBNegotiator, ConcederTBNegotiator, LinearTBNegotiator, SAOMechanism

    issues, _, funs = negmas_parts(ufuns)
    classes = {
        "boulware": BoulwareTBNegotiator,
        "linear": LinearTBNegotiator,
        "conceder": ConcederTBNegotiator,
    }
    mechanism = SAOMechanism(issues=issues, n_steps=STEPS)
    for kind, fun in zip(kinds, funs, strict=True):
        mechanism.add(classes[kind](), ufun=fun)
    mechanism.run()
    return mechanism.agreement


def negmas_reference_points(ufuns: list[LinearAdditiveUtility]) -> tuple[set, tuple | None]:  # type: ignore[type-arg]
    from negmas.preferences import ops

    _, os_, funs = negmas_parts(ufuns)
    outcomes = list(os_.enumerate())
    front, _ = ops.pareto_frontier(funs, outcomes=outcomes, sort_by_welfare=True)
    nash = ops.nash_points(funs, front, outcome_space=os_, outcomes=outcomes)
    return {tuple(round(v, 9) for v in p) for p in front}, (
        tuple(round(v, 9) for v in nash[0][0]) if nash else None
    )


def bilateral(count: int, negmas_count: int, have_negmas: bool) -> None:
    print(
        f"\nBilateral: {count} negotiations, {SPACE.size} outcomes, {STEPS} rounds, betas {BETAS}"
    )
    cases = profiles(count, 2, seed=1)
    u = np.stack([domain(c).matrix for c in cases])
    r = np.stack([domain(c).reservation for c in cases])

    batched, first, t_batch, t_numpy = batch_times(batch_alternating_offers, u, r, BETAS, STEPS)

    sample = min(count, 200)
    start = time.perf_counter()
    singles = [
        AlternatingOffers(n_steps=STEPS).run(
            domain(c), [TimeBased(BETAS[0], band=0), TimeBased(BETAS[1], band=0)], seed=0
        )
        for c in cases[:sample]
    ]
    t_single = (time.perf_counter() - start) / sample
    same = sum(
        int(batched.agreement[k]) == (-1 if s.agreement is None else s.agreement)
        for k, s in enumerate(singles)
    )
    print_batch_times(count, first, t_batch, t_numpy)
    print(f"  accord, one at a time    {per_second(1, t_single):>12,.0f} negotiations/s")
    print(f"  batched = one at a time  {same}/{sample} agreements identical")
    print(f"  agreement rate (accord)  {np.mean(batched.agreement >= 0):.1%}")
    if not have_negmas:
        print("  negmas is not importable: install the 'bench' extra to compare")
        return

    start = time.perf_counter()
    theirs = [negmas_run(c, ["boulware", "linear"]) for c in cases[:negmas_count]]
    t_negmas = (time.perf_counter() - start) / negmas_count
    ours = [SPACE.values_of(int(a)) if a >= 0 else None for a in batched.agreement[:negmas_count]]
    equal = sum(a == b for a, b in zip(ours, theirs, strict=True))
    rate = np.mean([t is not None for t in theirs])
    print(f"  NegMAS ({negmas_count} run)         {per_second(1, t_negmas):>12,.0f} negotiations/s")
    print(f"  ratio batched / NegMAS   {t_negmas / (t_batch / count):>12,.0f}x")
    print(f"  ratio numpy / NegMAS     {t_negmas / (t_numpy / count):>12,.0f}x")
    print(f"  ratio single / NegMAS    {t_negmas / t_single:>12,.0f}x")
    print(f"  agreement rate (NegMAS)  {rate:.1%}; identical agreements {equal}/{negmas_count}")

    frontier_equal = nash_equal = 0
    checked = min(20, count)
    for c in cases[:checked]:
        d = domain(c)
        ours_front = {tuple(round(v, 9) for v in d.matrix[:, k]) for k in pareto_frontier(d.matrix)}
        their_front, their_nash = negmas_reference_points(c)
        frontier_equal += ours_front == their_front
        # NegMAS takes the disagreement point as max(reserved value, worst utility); do the same.
        n = nash_point(d.matrix, np.maximum(d.reservation, d.matrix.min(axis=1)))
        mine = None if n is None else tuple(round(v, 9) for v in d.matrix[:, n])
        nash_equal += mine == their_nash
    print(f"  Pareto frontiers equal   {frontier_equal}/{checked}")
    print(f"  Nash points equal        {nash_equal}/{checked}")


def multilateral(count: int, sample: int, have_negmas: bool) -> None:
    print(f"\nSix parties: {count} stacked alternating-offers negotiations, {STEPS} rounds")
    cases = profiles(count, 6, seed=2)
    kinds = ["boulware", "linear", "boulware", "linear", "boulware", "linear"]
    betas = tuple(BETAS[k % 2] for k in range(6))
    u = np.stack([domain(c).matrix for c in cases])
    r = np.stack([domain(c).reservation for c in cases])
    batched, first, t_batch, t_numpy = batch_times(batch_stacked_offers, u, r, betas, STEPS)
    start = time.perf_counter()
    results = [
        AlternatingOffers(n_steps=STEPS).run(
            domain(c), [TimeBased(b, band=0) for b in betas], seed=0
        )
        for c in cases[:sample]
    ]
    t_ours = (time.perf_counter() - start) / sample
    same = sum(
        int(batched.agreement[k]) == (-1 if s.agreement is None else s.agreement)
        for k, s in enumerate(results)
    )
    print_batch_times(count, first, t_batch, t_numpy)
    print(f"  accord, one at a time    {per_second(1, t_ours):>12,.0f} negotiations/s")
    print(f"  batched = one at a time  {same}/{sample} agreements identical")
    print(f"  agreement rate (accord)  {np.mean(batched.agreement >= 0):.1%}")
    if not have_negmas:
        return
    start = time.perf_counter()
    theirs = [negmas_run(c, kinds) for c in cases[:sample]]
    t_negmas = (time.perf_counter() - start) / sample
    print(f"  NegMAS ({sample} run)          {per_second(1, t_negmas):>12,.0f} negotiations/s")
    print(f"  ratio batched / NegMAS   {t_negmas / (t_batch / count):>12,.0f}x")
    print(f"  ratio numpy / NegMAS     {t_negmas / (t_numpy / count):>12,.0f}x")
    print(f"  ratio single / NegMAS    {t_negmas / t_ours:>12,.0f}x")
    print(f"  agreement rate (NegMAS)  {np.mean([t is not None for t in theirs]):.1%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer negotiations")
    args = parser.parse_args()
    try:
        import negmas  # noqa: F401

        have_negmas = True
    except ImportError:
        have_negmas = False
    if args.quick:
        bilateral(100, 10, have_negmas)
        multilateral(20, 3, have_negmas)
    else:
        bilateral(1000, 100, have_negmas)
        multilateral(1000, 20, have_negmas)
    print(
        "\nNote: both libraries' time-based negotiators concede along t^e curves, but NegMAS "
        "rescales targets to each utility function's range and picks an outcome within a "
        "utility band, while accord offers the least outcome above its target and never "
        "goes below its reservation value; agreements can therefore differ."
    )


if __name__ == "__main__":
    main()
