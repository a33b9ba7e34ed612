"""Expected-utility model: the vectorised path against the plain-loop reference.

Cases:
* the EU emission-standards example (10 actors, one issue) and the Northeast Asia
  scenario (up to 6 actors on each of 5 issues), for 1, 100 and 10,000 Monte
  Carlo draws;
* synthetic single issues with 10, 100 and 1,000 actors, one draw;
* large issues over 8 rounds (the defaults accord forecasts with), the vote sums
  taken once per distinct position against once per actor (the same values, bit for
  bit; actors gather on each other's positions as the rounds pass).

The loop reference is far too slow to run 10,000 draws; its time per draw is
measured on a few draws and multiplied out, and the table says so. Times are
the best of a few repeats (the vectorised path) and wall-clock seconds.
"""

from __future__ import annotations

import argparse
import math
from pathlib import Path

import numpy as np
from timing import best_of

from accord.forecasting import IssueArrays
from accord.forecasting.eu_options import ExpectedUtilityOptions
from accord.forecasting.eu_reference import reference_run
from accord.forecasting.expected_utility import run_expected_utility
from accord.forecasting.uncertainty import Uncertainty
from accord.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
ROUNDS = 8


def issue_batches(name: str, draws: int) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Per issue: (x, c, s) arrays of shape (draws, actors with a stance)."""
    scenario = load_scenario(ROOT / "scenarios" / name)
    base = IssueArrays.from_scenario(scenario)
    uncertainty = Uncertainty.from_scenario(scenario)
    if uncertainty.any:
        drawn = uncertainty.sample(base, draws, np.random.default_rng(7))
    else:  # no stated uncertainty: jitter positions so draws differ
        rng = np.random.default_rng(7)
        pos = base.position[None] + rng.normal(
            0, 0.05 * (base.scale_max - base.scale_min), (draws, *base.position.shape)
        )
        drawn = base.with_values(
            np.clip(pos, base.scale_min, base.scale_max),
            np.broadcast_to(base.salience, pos.shape),
            np.broadcast_to(base.capability, (draws, len(base.actors))),
        )
    out = []
    for k in range(len(base.issues)):
        rows = np.flatnonzero(base.stated[:, k])
        if len(rows) < 2:
            continue
        out.append(
            (
                drawn.position[:, rows, k],
                np.broadcast_to(drawn.capability[:, rows], (draws, len(rows))),
                drawn.salience[:, rows, k],
            )
        )
    return out


def vectorised(batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> None:
    for x, c, s in batches:
        run_expected_utility(x, c, s, rounds=ROUNDS)


def reference(batches: list[tuple[np.ndarray, np.ndarray, np.ndarray]], draws: int) -> None:
    opts = ExpectedUtilityOptions()
    for x, c, s in batches:
        for b in range(draws):
            reference_run(x[b].tolist(), c[b].tolist(), s[b].tolist(), ROUNDS, opts)


def row(label: str, vec: float, ref: float, extrapolated: bool) -> None:
    mark = "*" if extrapolated else " "
    print(f"{label:<38} {vec:>10.4f} {ref:>12.3f}{mark} {ref / vec:>10.0f}x")


def scenarios(draw_counts: list[int], ref_draws: int) -> None:
    print(f"\nScenarios, {ROUNDS} rounds (seconds; * = reference time per draw × draws)")
    print(f"{'case':<38} {'vectorised':>10} {'reference':>13} {'ratio':>11}")
    for name in ("eu-emissions-1994.toml", "northeast-asia-2002.toml"):
        probe = issue_batches(name, ref_draws)
        per_draw = best_of(lambda probe=probe: reference(probe, ref_draws), 1) / ref_draws
        for draws in draw_counts:
            batches = issue_batches(name, draws)
            vec = best_of(lambda batches=batches: vectorised(batches), 3 if draws < 1000 else 1)
            exact = draws <= ref_draws
            ref = (
                best_of(lambda batches=batches, d=draws: reference(batches, d), 1)
                if exact
                else per_draw * draws
            )
            row(f"{name} × {draws} draws", vec, ref, not exact)


def synthetic(sizes: list[int], reference_up_to: int) -> None:
    rounds = 2
    print(f"\nSynthetic single issue, 1 draw, {rounds} rounds (seconds)")
    print(f"{'actors':<38} {'vectorised':>10} {'reference':>13} {'ratio':>11}")
    rng = np.random.default_rng(0)
    previous: tuple[int, float] | None = None
    for n in sizes:
        x, c, s = rng.uniform(0, 100, n), rng.uniform(0.1, 1, n), rng.uniform(0.1, 1, n)
        vec = best_of(
            lambda x=x, c=c, s=s: run_expected_utility(x, c, s, rounds=rounds), 2 if n < 500 else 1
        )
        if n <= reference_up_to:
            ref = best_of(
                lambda x=x, c=c, s=s: reference_run(x.tolist(), c.tolist(), s.tolist(), rounds), 1
            )
            row(f"{n} actors", vec, ref, False)
        else:
            print(f"{f'{n} actors':<38} {vec:>10.4f} {'—':>13} {'—':>11}")
        if previous is not None:
            n0, t0 = previous
            slope = math.log(vec / t0) / math.log(n / n0)
            print(f"{'':<38} time grows as n^{slope:.2f} from {n0} to {n}")
        previous = (n, vec)


def shared_positions(sizes: list[int]) -> None:
    from unittest import mock

    from accord.forecasting import expected_utility
    from accord.forecasting.eu_options import BACKTESTED

    print(f"\nLarge issues, 1 draw, {ROUNDS} rounds, backtested options (seconds)")
    print(f"{'actors':<38} {'by position':>11} {'by actor':>12} {'ratio':>11}")
    rng = np.random.default_rng(1)
    for n in sizes:
        x, c, s = rng.uniform(0, 100, n), rng.lognormal(0, 1, n), rng.uniform(0.01, 1, n)

        def once(x=x, c=c, s=s) -> np.ndarray:
            run = run_expected_utility(x, c, s, ROUNDS, BACKTESTED, scale=(0.0, 100.0))
            return run.positions

        shared = best_of(once, 1)
        with mock.patch.object(expected_utility, "_GATHER_BELOW", 0.0):
            every = best_of(once, 1)
            baseline = once()
        assert np.array_equal(once(), baseline), "the two ways gave different positions"
        print(f"{f'{n} actors':<38} {shared:>11.3f} {every:>12.3f} {every / shared:>10.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes for a smoke check")
    args = parser.parse_args()
    if args.quick:
        scenarios([1, 100], ref_draws=2)
        synthetic([10, 100], reference_up_to=10)
        shared_positions([200, 500])
    else:
        scenarios([1, 100, 10_000], ref_draws=5)
        synthetic([10, 100, 1_000, 3_000], reference_up_to=10)
        shared_positions([500, 1_000, 3_000])


if __name__ == "__main__":
    main()
