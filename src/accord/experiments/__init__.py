"""Experiments at scale: seeded sweeps on any executor, resumable, as tidy tables."""

from accord.executors import (
    EXECUTORS,
    DaskExecutor,
    Executor,
    ExecutorKind,
    InProcessExecutor,
    LocalProcessExecutor,
    make_executor,
)
from accord.experiments.jobs import format_comparison_job
from accord.experiments.sweep import Sweep, Task, run_sweep

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "ExecutorKind",
    "InProcessExecutor",
    "LocalProcessExecutor",
    "Sweep",
    "Task",
    "format_comparison_job",
    "make_executor",
    "run_sweep",
]
