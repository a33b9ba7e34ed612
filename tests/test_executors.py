"""Monte Carlo forecasts and back-tests on every executor: the same numbers, bit for bit.

Every draw is made in the calling process from the one generator; the executors only
evaluate chunks of draws (forecasts) or (block, model) pairs (back-tests).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from accord.backtest import backtest, read_cases
from accord.executors import DaskExecutor, Executor, InProcessExecutor, LocalProcessExecutor
from accord.forecasting.distribution import forecast_distribution
from accord.scenario import Scenario
from tests.conftest import DATA

DEU_DEV = Path(__file__).resolve().parents[2] / "shared" / "data" / "deu3" / "deu3-dev.tsv"


@pytest.fixture(scope="module", params=["processes", "dask"])
def executor(request: pytest.FixtureRequest) -> Iterator[Executor]:
    engine: Executor = (
        LocalProcessExecutor(2) if request.param == "processes" else DaskExecutor(workers=2)
    )
    yield engine
    engine.close()


class Counting(InProcessExecutor):
    """In this process, counting the tasks it was given."""

    def __init__(self) -> None:
        self.tasks = 0

    def run(self, fn, tasks):  # type: ignore[no-untyped-def]
        self.tasks += len(tasks)
        yield from super().run(fn, tasks)


def test_monte_carlo_draws_give_the_same_bits_on_every_executor(
    nea: Scenario, executor: Executor
) -> None:
    here = forecast_distribution(nea, 200, 7)
    counting = Counting()
    alone = forecast_distribution(nea, 200, 7, executor=counting)
    there = forecast_distribution(nea, 200, 7, executor=executor)
    assert counting.tasks > 1  # the draws were shared out in chunks
    for result in (alone, there):
        assert result.models == here.models
        for name in here.models:
            assert np.array_equal(result.samples[name], here.samples[name], equal_nan=True)
    assert alone.to_frame().equals(here.to_frame())


def test_a_backtest_gives_the_same_table_on_every_executor(
    tmp_path: Path, executor: Executor
) -> None:
    # small.toml with an outcome: its stated uncertainty gives Monte Carlo intervals.
    text = (DATA / "small.toml").read_text()
    decided = text.replace(
        'status_quo = { value = 0, source = "test" }\n',
        'status_quo = { value = 0, source = "test" }\noutcome = { value = -5, source = "test" }\n',
    )
    (tmp_path / "decided.toml").write_text(decided)
    sources = [tmp_path / "decided.toml", *([DEU_DEV] if DEU_DEV.exists() else [])]
    cases = read_cases(sources)
    here = backtest(cases, samples=40, seed=3, resamples=200)
    there = backtest(cases, samples=40, seed=3, resamples=200, executor=executor)
    assert here.issues["mc_low"].notna().any()
    pd.testing.assert_frame_equal(there.issues, here.issues, check_exact=True)
    pd.testing.assert_frame_equal(there.summary, here.summary, check_exact=True)
