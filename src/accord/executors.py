"""Where independent tasks run: in this process, on all local cores, or on a Dask cluster.

One seam, three implementations: ``run(fn, tasks)`` yields ``(task, result)``
pairs as tasks finish, in any order. The runner puts results back in task
order, so the table is the same on every executor and any number of workers.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Any, Literal, Protocol, TypeVar

from accord.errors import AccordError

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "ExecutorKind",
    "InProcessExecutor",
    "LocalProcessExecutor",
    "make_executor",
]

T = TypeVar("T")

CONNECT_TIMEOUT_S = 10
"""How long to wait for a Dask scheduler to answer before saying it is not there."""

ExecutorKind = Literal["in-process", "processes", "dask"]
EXECUTORS: tuple[ExecutorKind, ...] = ("in-process", "processes", "dask")


class Executor(Protocol):
    """Runs a function on every task and yields ``(task, result)`` as each finishes."""

    name: str

    def run(self, fn: Callable[[T], Any], tasks: Sequence[T]) -> Iterator[tuple[T, Any]]:
        """Run ``fn`` on every task."""
        ...

    def close(self) -> None:
        """Release what the executor holds (processes, a cluster); safe to call twice."""
        ...


class InProcessExecutor:
    """One task after another, in this process."""

    name = "in-process"

    def close(self) -> None:
        """Nothing to release."""

    def run(self, fn: Callable[[T], Any], tasks: Sequence[T]) -> Iterator[tuple[T, Any]]:
        """Run ``fn`` on every task, in order."""
        for task in tasks:
            yield task, fn(task)


class LocalProcessExecutor:
    """All local cores (or ``workers`` processes)."""

    name = "local-processes"

    def __init__(self, workers: int | None = None) -> None:
        self.workers = workers or os.cpu_count() or 1

    def close(self) -> None:
        """Nothing to release: each run's pool closes with the run."""

    def run(self, fn: Callable[[T], Any], tasks: Sequence[T]) -> Iterator[tuple[T, Any]]:
        """Run ``fn`` on every task in a pool of processes."""
        with ProcessPoolExecutor(max_workers=self.workers) as pool:
            futures = {pool.submit(fn, task): task for task in tasks}
            try:
                for future in as_completed(futures):
                    yield futures[future], future.result()
            except BrokenProcessPool:
                raise AccordError(
                    "a worker process died (killed, or out of memory); the tasks it finished "
                    "are kept — run the same command again to resume"
                ) from None
            except BaseException:
                for future in futures:
                    future.cancel()
                raise


class DaskExecutor:
    """A Dask cluster: ``tcp://host:8786``, or a local cluster when no address is given."""

    name = "dask"

    def __init__(self, address: str | None = None, workers: int | None = None) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:  # pragma: no cover - depends on the environment
            raise AccordError(
                "--dask needs dask.distributed; install it with: pip install 'accord[dask]'"
            ) from None
        self.address = address
        if address:
            self._cluster = None
            try:
                self.client = Client(address, timeout=CONNECT_TIMEOUT_S)  # type: ignore[no-untyped-call]
            except (OSError, ValueError) as exc:
                raise AccordError(
                    f"--dask {address}: no Dask scheduler answered there ({exc}); start one "
                    "with `dask scheduler` and its workers with `dask worker ADDRESS`, or pass "
                    "--dask local for a cluster on this machine"
                ) from None
        else:
            self._cluster = LocalCluster(  # type: ignore[no-untyped-call]
                n_workers=workers or os.cpu_count() or 1,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
            )
            self.client = Client(self._cluster)  # type: ignore[no-untyped-call]

    def run(self, fn: Callable[[T], Any], tasks: Sequence[T]) -> Iterator[tuple[T, Any]]:
        """Run ``fn`` on every task on the cluster."""
        from dask.distributed import KilledWorker
        from dask.distributed import as_completed as dask_completed

        futures = self.client.map(fn, list(tasks), pure=False)
        index = {f.key: t for f, t in zip(futures, tasks, strict=True)}
        # Only the futures still wanted are held: the scheduler recomputes any result it
        # still owes a client when a worker holding it dies, so a result already received
        # is let go, or a killed worker would have finished tasks run again.
        pending = {f.key: f for f in futures}
        del futures
        try:
            for future in dask_completed(list(pending.values())):  # type: ignore[no-untyped-call]
                value = future.result()
                del pending[future.key]
                future.release()
                yield index[future.key], value
        except KilledWorker:
            # The scheduler reruns a task whose worker died; it gives up on one that has
            # taken several workers down with it.
            raise AccordError(
                "a task took down every Dask worker that ran it (out of memory, or killed); "
                "the tasks that finished are kept — run the same command again to resume"
            ) from None
        finally:
            self.client.cancel(list(pending.values()))  # type: ignore[no-untyped-call]

    def close(self) -> None:
        """Release the client (and the local cluster, if this executor started one)."""
        self.client.close()  # type: ignore[no-untyped-call]
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


def make_executor(
    kind: ExecutorKind = "processes", *, workers: int | None = None, dask: str | None = None
) -> Executor:
    """An executor by name: ``in-process``, ``processes`` or ``dask`` (with an optional address)."""
    if dask is not None or kind == "dask":
        return DaskExecutor(dask or None, workers)
    if kind == "in-process":
        return InProcessExecutor()
    if kind == "processes":
        return LocalProcessExecutor(workers)
    raise AccordError(f"unknown executor {kind!r}; choose {', '.join(EXECUTORS)}")
