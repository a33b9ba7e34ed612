"""Seeded sweeps: parameters × draws of the scenario's uncertainties × seeds, as one tidy table.

A :class:`Sweep` lists its tasks deterministically; each task carries its own
seed, derived from the sweep's seed and the task's draw and replicate, so a
task's rows do not depend on where or in which order it runs. Finished tasks
are written one file each under ``out/parts`` (atomically); a run that is
interrupted — Ctrl-C, a killed worker — picks up where it stopped: finished
tasks are read back, not redone.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from accord.errors import AccordError
from accord.executors import Executor, InProcessExecutor
from accord.files import atomic_path

__all__ = ["Sweep", "Task", "run_sweep"]

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Task:
    """One unit of work: a parameter combination, a draw, a replicate, and its seed."""

    index: int
    params: dict[str, Any]
    draw: int
    replicate: int
    seed: int


@dataclass(frozen=True)
class Sweep:
    """What to run: a scenario file, parameter values to cross, draws and replicates.

    Attributes:
        scenario: Path of the scenario file (each worker loads it).
        parameters: Name → list of values; every combination is run.
        draws: Draws of the scenario's uncertainties (draw 0 is the scenario as written).
        replicates: Runs per combination and draw, each with its own seed.
        seed: The sweep's seed; every task seed derives from it.
    """

    scenario: str
    parameters: Mapping[str, Sequence[Any]] = field(default_factory=dict)
    draws: int = 1
    replicates: int = 1
    seed: int = 0

    def tasks(self) -> list[Task]:
        """Every task, in a fixed order."""
        names = sorted(self.parameters)
        combos = list(itertools.product(*(self.parameters[n] for n in names))) or [()]
        out: list[Task] = []
        for combo, draw, rep in itertools.product(
            combos, range(self.draws), range(self.replicates)
        ):
            seed = int(np.random.SeedSequence([self.seed, draw, rep]).generate_state(1)[0])
            out.append(Task(len(out), dict(zip(names, combo, strict=True)), draw, rep, seed))
        return out

    def fingerprint(self) -> str:
        """A digest of the sweep, to refuse resuming a different sweep in the same folder.

        It covers the scenario file's content, not only its name: a sweep resumed after
        the file was edited would mix results from two different scenarios.
        """
        path = Path(self.scenario)
        content = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
        spec = json.dumps(
            {
                "scenario": path.name,
                "content": content,
                "parameters": {k: list(v) for k, v in sorted(self.parameters.items())},
                "draws": self.draws,
                "replicates": self.replicates,
                "seed": self.seed,
            },
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(spec.encode()).hexdigest()[:16]


def _write_parquet(frame: pd.DataFrame, path: Path) -> None:
    with atomic_path(path, suffix=".parquet") as tmp:
        frame.to_parquet(tmp, index=False)


def run_sweep(
    sweep: Sweep,
    job: Callable[[tuple[str, Task]], list[dict[str, Any]]],
    *,
    executor: Executor | None = None,
    out: Path | None = None,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """Run every task of a sweep and return one table, in task order.

    Args:
        sweep: What to run.
        job: A module-level function of ``(scenario path, task)`` returning rows.
        executor: Where to run (in this process by default).
        out: A folder for results: finished tasks go to ``out/parts``, the table
            to ``out/results.parquet``; an existing folder of the same sweep is resumed.
        progress: Called with ``(finished, total)`` after every task.
    """
    executor = executor or InProcessExecutor()
    tasks = sweep.tasks()
    done: dict[int, pd.DataFrame] = {}
    parts: Path | None = None
    if out is not None:
        parts = out / "parts"
        parts.mkdir(parents=True, exist_ok=True)
        manifest = out / "sweep.json"
        fingerprint = sweep.fingerprint()
        if manifest.exists():
            previous = json.loads(manifest.read_text()).get("fingerprint")
            if previous != fingerprint:
                raise AccordError(
                    f"{out} holds results of a different sweep; "
                    "choose another --out folder or delete it"
                )
        else:
            manifest.write_text(
                json.dumps({"fingerprint": fingerprint, "tasks": len(tasks)}) + "\n"
            )
        for task in tasks:
            path = parts / f"task-{task.index:06d}.parquet"
            if path.exists():
                done[task.index] = pd.read_parquet(path)
    todo = [t for t in tasks if t.index not in done]
    if progress is not None:
        progress(len(done), len(tasks))
    for item, rows in executor.run(job, [(sweep.scenario, t) for t in todo]):
        t = item[1]
        frame = pd.DataFrame.from_records(
            [
                {
                    "task": t.index,
                    **t.params,
                    "draw": t.draw,
                    "replicate": t.replicate,
                    "seed": t.seed,
                    **r,
                }
                for r in rows
            ]
        )
        if parts is not None:
            _write_parquet(frame, parts / f"task-{t.index:06d}.parquet")
        done[t.index] = frame
        if progress is not None:
            progress(len(done), len(tasks))
    table = (
        pd.concat([done[k] for k in sorted(done)], ignore_index=True) if done else pd.DataFrame()
    )
    if out is not None:
        _write_parquet(table, out / "results.parquet")
    return table
