"""Sweeps: the same table on every executor, and resuming an interrupted run."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from accord.errors import AccordError
from accord.experiments import (
    DaskExecutor,
    InProcessExecutor,
    LocalProcessExecutor,
    Sweep,
    Task,
    format_comparison_job,
    run_sweep,
)
from tests.conftest import SCENARIOS

NEA = str(SCENARIOS / "northeast-asia-2002.toml")


def small_sweep() -> Sweep:
    return Sweep(NEA, {"strategy": ["strict", "generous"], "steps": [6]}, draws=2, seed=11)


@pytest.fixture(scope="module")
def reference() -> pd.DataFrame:
    return run_sweep(small_sweep(), format_comparison_job, executor=InProcessExecutor())


def test_tasks_are_listed_deterministically() -> None:
    tasks = small_sweep().tasks()
    assert len(tasks) == 4
    assert [t.index for t in tasks] == [0, 1, 2, 3]
    assert tasks == small_sweep().tasks()
    assert len({t.seed for t in tasks}) == 2  # seeds depend on draw and replicate, not parameters


def test_local_processes_give_the_same_table(reference: pd.DataFrame) -> None:
    for workers in (1, 2):
        table = run_sweep(
            small_sweep(), format_comparison_job, executor=LocalProcessExecutor(workers)
        )
        pd.testing.assert_frame_equal(table, reference)


def test_a_dask_cluster_gives_the_same_table(reference: pd.DataFrame) -> None:
    executor = DaskExecutor(workers=2)
    try:
        table = run_sweep(small_sweep(), format_comparison_job, executor=executor)
    finally:
        executor.close()
    pd.testing.assert_frame_equal(table, reference)


class StopAfter:
    """An executor that is interrupted (as by Ctrl-C) after some tasks."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.ran: list[int] = []
        self.name = "stop-after"

    def run(self, fn: Any, tasks: list[tuple[str, Task]]):  # type: ignore[no-untyped-def]
        for item in tasks:
            if len(self.ran) == self.limit:
                raise KeyboardInterrupt
            self.ran.append(item[1].index)
            yield item, fn(item)


def test_an_interrupted_run_resumes_without_redoing_work(
    tmp_path: Path, reference: pd.DataFrame
) -> None:
    out = tmp_path / "run"
    first = StopAfter(limit=3)
    with pytest.raises(KeyboardInterrupt):
        run_sweep(small_sweep(), format_comparison_job, executor=first, out=out)
    assert first.ran == [0, 1, 2]
    assert len(list((out / "parts").glob("task-*.parquet"))) == 3
    second = StopAfter(limit=10)
    table = run_sweep(small_sweep(), format_comparison_job, executor=second, out=out)
    assert second.ran == [3]  # only the unfinished task
    pd.testing.assert_frame_equal(table, reference)
    pd.testing.assert_frame_equal(pd.read_parquet(out / "results.parquet"), reference)


def test_a_folder_of_another_sweep_is_refused(tmp_path: Path) -> None:
    run_sweep(Sweep(NEA, {"steps": [4]}, draws=1), format_comparison_job, out=tmp_path)
    with pytest.raises(AccordError, match="different sweep"):
        run_sweep(Sweep(NEA, {"steps": [5]}, draws=1), format_comparison_job, out=tmp_path)


def test_a_sweep_resumed_after_its_scenario_was_edited_is_refused(tmp_path: Path) -> None:
    scenario = tmp_path / "edited.toml"
    scenario.write_text(Path(NEA).read_text())
    before = Sweep(str(scenario), {"steps": [4]}, draws=1).fingerprint()
    scenario.write_text(
        Path(NEA).read_text().replace("value = 0.9, sd = 0.05", "value = 0.8, sd = 0.05", 1)
    )
    after = Sweep(str(scenario), {"steps": [4]}, draws=1).fingerprint()
    assert before != after  # same name, other content: another sweep


@pytest.mark.parametrize(
    ("param", "says"),
    [
        ("steps=abc", "steps must be whole numbers from 1, got 'abc'"),
        ("steps=0", "steps must be whole numbers from 1"),
        ("negotiator=boulwre", "'boulwre' is not a negotiator; choose from boulware"),
        ("strategy=kind", "'kind' is not a strategy"),
        ("colour=red", "choose negotiator, strategy, shape or steps"),
    ],
)
def test_a_bad_sweep_parameter_is_named_before_any_work(param: str, says: str) -> None:
    from typer.testing import CliRunner

    from accord.cli import app

    result = CliRunner().invoke(app, ["experiment", NEA, "--runs", "1", "--param", param])
    assert result.exit_code == 2 and says in result.output
    assert "Traceback" not in result.output


def test_every_executor_can_be_closed_twice() -> None:
    for executor in (InProcessExecutor(), LocalProcessExecutor(1)):
        executor.close()
        executor.close()


CRASH_FLAG = "ACCORD_TEST_CRASH_AT"


def crashing_job(item: tuple[str, Task]) -> list[dict[str, Any]]:
    """The comparison job, except that the worker running task N dies (as if killed)."""
    import os

    if str(item[1].index) == os.environ.get(CRASH_FLAG):
        os._exit(9)
    return format_comparison_job(item)


def test_a_killed_worker_loses_no_finished_work(
    tmp_path: Path, reference: pd.DataFrame, monkeypatch
) -> None:
    out = tmp_path / "run"
    monkeypatch.setenv(CRASH_FLAG, "3")
    with pytest.raises(AccordError, match="worker process died"):
        run_sweep(small_sweep(), crashing_job, executor=LocalProcessExecutor(1), out=out)
    finished = sorted(p.name for p in (out / "parts").glob("task-*.parquet"))
    assert "task-000003.parquet" not in finished
    monkeypatch.delenv(CRASH_FLAG)
    resumed = StopAfter(limit=10)
    table = run_sweep(small_sweep(), format_comparison_job, executor=resumed, out=out)
    assert 3 in resumed.ran  # the task that died is run again ...
    assert len(resumed.ran) == 4 - len(finished)  # ... and nothing that had finished
    pd.testing.assert_frame_equal(table, reference)
