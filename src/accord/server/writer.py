"""The writer: every write of a server process goes through it, and is answered once committed.

A request that records something hands the writer its work — a function of a session
that adds, changes and checks, and does not commit — and waits for the answer.

On SQLite, which has one writer at a time, the writer is one thread. It takes every
piece of work waiting, runs each in a savepoint of one transaction (a piece refused with
a 409 or a 422 rolls back alone), commits them together — group commit — and only then
answers each request. So nothing is acknowledged before it is on disk (in the write-ahead
log, which a killed process keeps), and under load one commit serves many writes, with
no request holding the database while it waits its turn for the event loop or a thread.

On PostgreSQL, which takes many writers at once, each piece of work is a transaction of
its own, in a worker thread, no more at once than the connection pool holds. (Batching
there would put several exercises' ordering locks in one transaction, in an order
another server process could take the other way round: a deadlock.)
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

__all__ = ["BATCH_LIMIT", "GroupWriter", "PooledWriter", "Writer", "wait_to_end"]

T = TypeVar("T")

BATCH_LIMIT = 256
"""The most pieces of work one transaction of the SQLite writer takes."""

IDLE_SECONDS = 5.0
"""The SQLite writer's thread ends after this long with nothing to write (and starts again)."""

Sessions = Callable[[], Session]
"""Opens a new session of the app's database (the app's current factory: tests swap it)."""


async def wait_to_end(running: asyncio.Future[T]) -> T:
    """The result of work running elsewhere; a caller cancelled meanwhile waits for its end.

    The work cannot be called back once started: a cancelled caller (the server shutting
    down, a page closing) passes the cancellation on only when the work is over, so that
    nothing closes a connection under a running query.
    """
    try:
        return await asyncio.shield(running)
    except asyncio.CancelledError:
        while not running.done():
            with suppress(asyncio.CancelledError):
                await asyncio.wait([running])
        raise


class Writer(Protocol):
    """Runs ``work(session)`` in a transaction and commits it; see the module's text."""

    async def run(self, work: Callable[[Session], T]) -> T:
        """``work(session)``'s value, once the transaction it ran in has committed."""
        ...


@dataclass
class _Job:
    work: Callable[[Session], Any]
    loop: asyncio.AbstractEventLoop
    answer: asyncio.Future[Any] = field(init=False)

    def __post_init__(self) -> None:
        self.answer = self.loop.create_future()

    def give(self, value: Any, error: BaseException | None) -> None:
        """Answer the waiting request (on its event loop)."""
        if self.answer.done():  # pragma: no cover - the future is shielded, never cancelled
            return
        if error is None:
            self.answer.set_result(value)
        else:
            self.answer.set_exception(error)


Answer = tuple[_Job, Any, BaseException | None]
"""A piece of work, and its value or the error it raised."""


def _give_all(answers: list[Answer]) -> None:
    for job, value, error in answers:
        job.give(value, error)


def _answer(answers: list[Answer]) -> None:
    """Answer a batch's requests (from the writer's thread): one wake-up per event loop.

    Each wake-up of a loop from another thread is a system call and a turn of the loop:
    a batch needs one per loop, not one per request.
    """
    by_loop: dict[asyncio.AbstractEventLoop, list[Answer]] = {}
    for answer in answers:
        by_loop.setdefault(answer[0].loop, []).append(answer)
    for loop, each in by_loop.items():
        with suppress(RuntimeError):  # the requests' loop has closed: nobody to answer
            loop.call_soon_threadsafe(_give_all, each)


class GroupWriter:
    """SQLite: one thread, every waiting piece of work in one transaction (group commit)."""

    def __init__(self, sessions: Sessions, limit: int = BATCH_LIMIT) -> None:
        self._sessions = sessions
        self._limit = limit
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False
        self.commits = 0
        """Transactions committed so far (the tests read it)."""

    async def run(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` in the next transaction; its value once that has committed."""
        job = _Job(work, asyncio.get_running_loop())
        with self._lock:
            self._jobs.put(job)
            if not self._running:
                self._running = True
                threading.Thread(target=self._serve, name="accord-writer", daemon=True).start()
        return await wait_to_end(job.answer)

    def _serve(self) -> None:
        while True:
            try:
                first = self._jobs.get(timeout=IDLE_SECONDS)
            except queue.Empty:
                with self._lock:
                    if self._jobs.empty():
                        self._running = False
                        return
                continue
            batch = [first]
            while len(batch) < self._limit:
                try:
                    batch.append(self._jobs.get_nowait())
                except queue.Empty:
                    break
            _answer(self._write(batch))

    def _write(self, batch: list[_Job]) -> list[Answer]:
        """The batch in one transaction, committed once; what to answer each piece of work.

        First every piece one after the other, as they come. If one is refused, that
        transaction is rolled back and the batch made again with each piece in a
        savepoint of its own, so that the refused one rolls back alone. (A savepoint
        for every piece costs a tenth of a comment's time, and nearly every write is
        accepted.)
        """
        try:
            done = self._together(batch)
            if done is None:
                done = self._apart(batch)
        except BaseException as exc:  # the transaction failed: nothing of it is acknowledged
            # (BaseException too: whatever happened, every waiting request gets an answer.)
            return [(job, None, exc) for job in batch]
        return done

    def _together(self, batch: list[_Job]) -> list[Answer] | None:
        """Every piece of work in the transaction and a commit; None if one was refused."""
        done: list[Answer] = []
        with self._sessions() as session:
            for job in batch:
                try:
                    value = job.work(session)
                    session.flush()  # its rows too: a conflict is its own
                except Exception as exc:
                    if len(batch) == 1:  # alone: its refusal is the answer
                        return [(job, None, exc)]
                    return None
                done.append((job, value, None))
            session.commit()
        self.commits += 1
        return done

    def _apart(self, batch: list[_Job]) -> list[Answer]:
        """Each piece of work in its savepoint, then one commit."""
        done: list[Answer] = []
        with self._sessions() as session:
            for job in batch:
                try:
                    with session.begin_nested():
                        value = job.work(session)
                except Exception as exc:  # refused: its savepoint is rolled back, alone
                    done.append((job, None, exc))
                else:
                    done.append((job, value, None))
            session.commit()
        self.commits += 1
        return done


class PooledWriter:
    """PostgreSQL: each piece of work its own transaction, in a worker thread.

    ``turn`` is entered on the event loop before the work starts: it keeps the requests
    at once within the connection pool (see deps).
    """

    def __init__(self, sessions: Sessions, turn: Callable[[], Any]) -> None:
        self._sessions = sessions
        self._turn = turn

    async def run(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` in a transaction of its own; its value once committed."""

        def transaction() -> T:
            with self._sessions() as session:
                value = work(session)
                session.commit()
                return value

        async with self._turn():
            return await wait_to_end(asyncio.ensure_future(asyncio.to_thread(transaction)))
