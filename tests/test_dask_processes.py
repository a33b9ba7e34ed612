"""Sweeps on a Dask cluster whose scheduler and workers are separate processes.

The cluster is started the way a user starts one, with the ``dask`` command line, and
the sweep with the installed ``accord`` command. Workers run without a nanny, so that
killing one kills the process that runs its tasks.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from accord.experiments import DaskExecutor
from tests.conftest import ROOT, SCENARIOS
from tests.launch import free_port

pytest.importorskip("distributed")

BIN = Path(sys.executable).parent
NEA = str(SCENARIOS / "northeast-asia-2002.toml")
# Workers import the task module of these tests by name, as they would import a user's.
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


@dataclass
class Cluster:
    address: str
    workers: list[subprocess.Popen[bytes]]


def _start_worker(address: str, log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as out:
        return subprocess.Popen(
            [str(BIN / "dask"), "worker", address, "--nthreads=1", "--no-nanny", "--no-dashboard"],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=ENV,
            cwd=ROOT,
        )


@pytest.fixture
def cluster(tmp_path: Path) -> Iterator[Cluster]:
    from distributed import Client

    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    with (tmp_path / "scheduler.log").open("wb") as out:
        scheduler = subprocess.Popen(
            [
                str(BIN / "dask"),
                "scheduler",
                "--host=127.0.0.1",
                f"--port={port}",
                "--no-dashboard",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=ENV,
        )
    workers = [_start_worker(address, tmp_path / f"worker-{i}.log") for i in range(2)]
    try:
        with Client(address, timeout=60) as client:  # type: ignore[no-untyped-call]
            client.wait_for_workers(2, timeout=120)  # type: ignore[no-untyped-call]
        yield Cluster(address, workers)
    finally:
        for proc in [*workers, scheduler]:
            proc.send_signal(signal.SIGTERM)
        for proc in [*workers, scheduler]:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _experiment(out: Path, *where: str, runs: int = 2) -> list[str]:
    return [
        str(BIN / "accord"),
        "experiment",
        NEA,
        "--runs",
        str(runs),
        "--param",
        "strategy=strict,generous",
        "--param",
        "steps=6",
        "--seed",
        "11",
        "--out",
        str(out),
        *where,
    ]


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(command, capture_output=True, text=True, timeout=300, env=ENV)
    assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.mark.timeout(400)
def test_a_sweep_on_separate_scheduler_and_workers_gives_the_same_bytes(
    cluster: Cluster, tmp_path: Path
) -> None:
    _run(_experiment(tmp_path / "here", "--executor", "in-process"))
    _run(_experiment(tmp_path / "there", "--dask", cluster.address))
    here = (tmp_path / "here" / "results.parquet").read_bytes()
    assert (tmp_path / "there" / "results.parquet").read_bytes() == here


@pytest.mark.timeout(400)
def test_a_worker_killed_mid_sweep_loses_nothing(cluster: Cluster, tmp_path: Path) -> None:
    runs = 8  # 16 tasks, about half a second each: the kill lands mid-sweep
    _run(_experiment(tmp_path / "here", "--executor", "in-process", runs=runs))
    there = tmp_path / "there"
    sweep = subprocess.Popen(
        _experiment(there, "--dask", cluster.address, runs=runs),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        env=ENV,
    )
    parts = there / "parts"
    deadline = time.monotonic() + 120
    while len(list(parts.glob("task-*.parquet"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    kept = {p.name: p.read_bytes() for p in parts.glob("task-*.parquet")}
    cluster.workers[0].kill()
    output, _ = sweep.communicate(timeout=300)
    assert sweep.returncode == 0, output.decode()
    assert 3 <= len(kept) < 2 * runs, "the worker was not killed mid-sweep"
    # What had finished is kept as it was; the table is the one computed in one process.
    assert {name: (parts / name).read_bytes() for name in kept} == kept
    assert len(list(parts.glob("task-*.parquet"))) == 2 * runs
    here = (tmp_path / "here" / "results.parquet").read_bytes()
    assert (there / "results.parquet").read_bytes() == here


@pytest.mark.timeout(400)
def test_the_task_a_killed_worker_was_running_is_run_again_once(
    cluster: Cluster, tmp_path: Path
) -> None:
    marks = tmp_path / "marks"
    marks.mkdir()
    victim = 2
    tasks = [(str(marks), n, victim) for n in range(8)]
    from tests.dask_tasks import marked_square

    executor = DaskExecutor(cluster.address)
    results: dict[int, Any] = {}
    failure: list[BaseException] = []

    def consume() -> None:
        try:
            for task, value in executor.run(marked_square, tasks):
                assert task[1] not in results, "a result came back twice"
                results[task[1]] = value
        except BaseException as exc:  # handed to the test thread
            failure.append(exc)

    reader = threading.Thread(target=consume)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while not list(marks.glob(f"started-{victim}-*")) and time.monotonic() < deadline:
            time.sleep(0.02)
        # Every other task finishes (on the other worker, or on this one before the victim)
        # and its result is received; then the victim's worker is killed.
        while len(results) < len(tasks) - 1 and time.monotonic() < deadline:
            time.sleep(0.02)
        (first,) = marks.glob(f"started-{victim}-*")
        pid = int(first.name.rsplit("-", 1)[1])
        (worker,) = [w for w in cluster.workers if w.pid == pid]
        worker.kill()
        worker.wait()
        (marks / "release").touch()
        reader.join(timeout=120)
    finally:
        executor.close()
    assert not failure, failure
    assert results == {n: n * n for n in range(8)}
    started = sorted(p.name.rsplit("-", 1)[0] for p in marks.glob("started-*"))
    # The victim started twice (on the killed worker, then on the other); the rest once,
    # though some finished on the killed worker: a result received is not computed again.
    assert started.count(f"started-{victim}") == 2
    assert sorted(set(started)) == [f"started-{n}" for n in range(8)]
    assert len(started) == 9
    pids = {int(p.name.rsplit("-", 1)[1]) for p in marks.glob(f"started-{victim}-*")}
    assert pid in pids and len(pids) == 2


def test_an_address_with_no_scheduler_is_named_without_a_traceback(tmp_path: Path) -> None:
    done = subprocess.run(
        _experiment(tmp_path / "out", "--dask", f"tcp://127.0.0.1:{free_port()}", runs=1),
        capture_output=True,
        text=True,
        timeout=120,
        env=ENV,
    )
    assert done.returncode == 2
    assert "no Dask scheduler answered there" in done.stderr + done.stdout
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "out").exists()
