"""Back-test speed, and how quickly the command starts.

1. ``accord backtest`` in-process on a DEU table (the development half of DEU III
   when ``--data`` points at it; a synthetic table of the same shape otherwise):
   reading, every model, the bootstrap and the intervals, against the baseline of
   every model run one issue at a time, as a loop over per-issue files would (without
   the reading, the scores or the 0.8 s of start-up each such call pays).
2. The start-up of ``accord --help``, ``accord forecast --help`` and ``accord
   validate`` as processes, against a bare ``python -c pass`` in the same run.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from timing import best_of

from accord.backtest import backtest, read_cases
from accord.forecasting import MODELS

ROOT = Path(__file__).resolve().parent.parent
ACCORD = Path(sys.executable).with_name("accord")


def synthetic_deu(path: Path, issues: int, seed: int = 3) -> None:
    """A DEU-layout table: 30 actors, positions and saliences on 0–100, an outcome each."""
    rng = np.random.default_rng(seed)
    actors = ["com", "ep", *(f"m{k:02d}" for k in range(28))]
    header = ["prnr", "isnr", "counvte", "proc", "intro"]
    header += [f"p{a}" for a in actors] + [f"s{a}" for a in actors] + ["rp", "out"]
    rows = ["\t".join(header)]
    rows.append("\t".join([""] * 5 + [f"{g:.2f}" for g in rng.uniform(0.1, 4, 30)] + [""] * 32))
    for k in range(issues):
        x = rng.choice([0, 25, 50, 75, 100], 30).astype(str)
        s = rng.integers(10, 100, 30).astype(str)
        meta = [f"p{k // 3}", f"p{k // 3}i{k % 3}", "QMV", "COD", "01-01-05"]
        rows.append("\t".join(meta + list(x) + list(s) + ["0", str(rng.integers(0, 101))]))
    path.write_text("\n".join(rows) + "\n")


def start_up(args: list[str], repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(args, capture_output=True, check=False)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", type=Path, help="a DEU table (default: synthetic, 155 issues)")
    parser.add_argument("--quick", action="store_true", help="fewer repeats")
    opts = parser.parse_args()
    repeats = 2 if opts.quick else 5
    with tempfile.TemporaryDirectory() as folder:
        data = opts.data
        if data is None:
            data = Path(folder) / "synthetic.tsv"
            synthetic_deu(data, 155)
        cases = read_cases([data])
        arrays = cases.blocks[0].arrays
        one_at_a_time = [arrays.select([k]) for k in range(len(arrays.issues))]

        def loop() -> None:
            for single in one_at_a_time:
                for model in MODELS.values():
                    model.predict_values(single)

        base = best_of(loop, max(1, repeats // 2))
        full = best_of(lambda: backtest(read_cases([data])), repeats)
        print(f"Back-test of {cases.count} issues ({data.name}), every model, best of {repeats}:")
        print(f"  models one issue at a time (baseline): {1000 * base:9.0f} ms")
        print(
            f"  accord backtest, whole table at once:  {1000 * full:9.0f} ms  ({full / base:.2f}×)"
        )

    bare = start_up([sys.executable, "-c", "pass"], repeats)
    print(f"\nStart-up, median of {repeats} (a bare `python -c pass` = 1.0):")
    print(f"  python -c pass:          {1000 * bare:7.0f} ms")
    scenario = str(ROOT / "scenarios" / "northeast-asia-2002.toml")
    for name, args in (
        ("accord --help", [str(ACCORD), "--help"]),
        ("accord forecast --help", [str(ACCORD), "forecast", "--help"]),
        ("accord validate", [str(ACCORD), "validate", scenario]),
    ):
        took = start_up(args, repeats)
        print(f"  {name + ':':24}{1000 * took:7.0f} ms  ({took / bare:.1f}×)")


if __name__ == "__main__":
    main()
