"""Stokman's exchange model: the pruned search against weighing every exchange.

Each step of the model looks for the exchange of largest gain among every ordered
pair of actors on every pair of issues. accord first weighs the exchanges among the
actors with most to win, then leaves out every exchange whose bound falls short of
that gain. The baseline, in the same run, is the same code with nothing left out.
Both must make the same exchanges; the script checks that the outcomes are equal.

Cases: random tables of 100 to 500 actors on 3 to 10 issues, one draw each, 200
exchanges at most (the model's default).
"""

from __future__ import annotations

import argparse
import time
from unittest import mock

import numpy as np

from accord.forecasting import IssueArrays
from accord.forecasting import exchange as model
from accord.scenario import scenario_from_dict


def table(actors: int, issues: int, seed: int = 1) -> IssueArrays:
    """A random table: positions on 0-100, saliences and capabilities spread out."""
    rng = np.random.default_rng(seed)
    doc = {
        "scenario": {"name": "bench"},
        "actors": [
            {"id": f"a{k}", "name": f"A{k}", "capability": float(c)}
            for k, c in enumerate(rng.uniform(0.1, 100, actors))
        ],
        "issues": [{"id": f"i{j}", "name": f"I{j}"} for j in range(issues)],
        "positions": {
            f"a{k}": {
                f"i{j}": {
                    "position": float(rng.uniform(0, 100)),
                    "salience": float(rng.uniform(0.01, 1)),
                }
                for j in range(issues)
            }
            for k in range(actors)
        },
    }
    return IssueArrays.from_scenario(scenario_from_dict(doc))


def weigh_every_exchange(self: model._Votes, outcome: np.ndarray, min_gain: float):  # type: ignore[no-untyped-def]
    everyone = np.ones(self.x.shape, dtype=bool)
    return self.possible(outcome, everyone, everyone).best(min_gain, self.x.shape[0])


def timed(arrays: IssueArrays) -> tuple[float, np.ndarray, int]:
    start = time.perf_counter()
    run = model.run_exchanges(arrays)
    return time.perf_counter() - start, run.outcome, int(run.count[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small tables only")
    args = parser.parse_args()
    sizes = [(100, 3), (100, 10)] if args.quick else [(100, 10), (200, 10), (500, 3), (500, 10)]
    print(f"{'table':>16} {'exchanges':>9} {'pruned s':>9} {'every s':>9} {'ratio':>6}")
    for actors, issues in sizes:
        arrays = table(actors, issues)
        fast, outcome, count = timed(arrays)
        with mock.patch.object(model._Votes, "best", weigh_every_exchange):
            slow, expected, _ = timed(arrays)
        assert np.array_equal(outcome, expected), "the pruned search made other exchanges"
        label = f"{actors} × {issues}"
        print(f"{label:>16} {count:>9} {fast:>9.2f} {slow:>9.2f} {slow / fast:>5.1f}×")


if __name__ == "__main__":
    main()
