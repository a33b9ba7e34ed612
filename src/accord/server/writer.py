"""The writer: every write of a server process goes through it, and is answered once committed.

A request that records something hands the writer its work — a function of a session
that adds, changes and checks, and does not commit — and waits for the answer.

On SQLite, which has one writer at a time, the writes waiting together share one
transaction — group commit — made on the event loop itself: the writes that arrive in
one turn of the loop are made in the next, one after the other, committed once, and
only then answered. So nothing is acknowledged before it is on disk (in the write-ahead
log, which a killed process keeps), and under load one commit serves many writes. The
loop waits for nothing meanwhile: the transaction takes the write lock without waiting
for it, and when another process holds it (a command writing to the same file), the
batch, and every write after it until that one is done, goes to a thread of the writer,
which waits for the lock. (Under wrk here, every batch made in the thread cost the
server 1.08–1.25 ms of processor time per write against 0.97–0.98 ms on the loop: the
loop and the thread hand the interpreter to each other at every statement.)

On PostgreSQL, which takes many writers at once, each piece of work is a transaction of
its own, in a worker thread, no more at once than the connection pool holds. (Batching
there would put several exercises' ordering locks in one transaction, in an order
another server process could take the other way round: a deadlock.)
"""

from __future__ import annotations

import asyncio
import queue
import sqlite3
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from sqlalchemy.orm import Session

from accord.server.db import SQLITE_BUSY_TIMEOUT_MS

__all__ = ["BATCH_LIMIT", "GroupWriter", "PooledWriter", "Writer", "wait_to_end"]

T = TypeVar("T")

BATCH_LIMIT = 256
"""The most pieces of work one transaction of the SQLite writer takes."""

IDLE_SECONDS = 5.0
"""The SQLite writer's thread ends after this long with nothing to write (and starts again)."""

_IMPATIENT = "accord.impatient"
"""The session's connection, its busy timeout set to 0 for this transaction."""

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


class _BusyError(Exception):
    """Another process holds the database's write lock (and the writer would have waited)."""


def _busy(exc: BaseException) -> bool:
    """Whether a database error is SQLite's "the write lock is held" (busy)."""
    cause = getattr(exc, "orig", exc)
    code = getattr(cause, "sqlite_errorcode", None)
    return isinstance(cause, sqlite3.OperationalError) and (code or 0) & 0xFF == sqlite3.SQLITE_BUSY


class GroupWriter:
    """SQLite: the writes waiting together in one transaction (group commit), on the loop.

    See the module's text. ``limit`` caps a transaction's writes (and so how long the
    loop is held at once).
    """

    def __init__(self, sessions: Sessions, limit: int = BATCH_LIMIT) -> None:
        self._sessions = sessions
        self._limit = limit
        self._waiting: dict[asyncio.AbstractEventLoop, list[_Job]] = {}
        self._jobs: queue.SimpleQueue[_Job] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._running = False
        self._in_thread = 0  # writes handed to the thread, not yet made
        self.commits = 0
        """Transactions committed so far (the tests read it)."""

    async def run(self, work: Callable[[Session], T]) -> T:
        """``work(session)`` in the next transaction; its value once that has committed."""
        loop = asyncio.get_running_loop()
        job = _Job(work, loop)
        waiting = self._waiting.get(loop)
        if waiting is None:  # the first of this turn: the batch is made in the next one
            waiting = self._waiting[loop] = []
            loop.call_soon(self._write_waiting, loop)
        waiting.append(job)
        return await wait_to_end(job.answer)

    def _write_waiting(self, loop: asyncio.AbstractEventLoop) -> None:
        """Make the writes that came in the last turn of the loop (on the loop)."""
        batch = self._waiting.pop(loop)
        with self._lock:
            behind = self._in_thread > 0
        if behind:  # after the writes waiting for the lock, in their order
            self._to_thread(batch)
            return
        for start in range(0, len(batch), self._limit):
            try:
                answers = self._write(batch[start : start + self._limit], wait=False)
            except BaseException as exc:  # (answered there:) the rest is not made either
                _give_all([(job, None, exc) for job in batch[start + self._limit :]])
                raise
            if answers is None:  # another process holds the lock: the thread waits for it
                self._to_thread(batch[start:])
                return
            _give_all(answers)

    def _to_thread(self, jobs: list[_Job]) -> None:
        with self._lock:
            self._in_thread += len(jobs)
            for job in jobs:
                self._jobs.put(job)
            if not self._running:
                self._running = True
                threading.Thread(target=self._serve, name="accord-writer", daemon=True).start()

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
            answers = self._write(batch, wait=True)
            assert answers is not None  # one that waits is never busy
            with self._lock:  # made: a write answered after this one may go on the loop
                self._in_thread -= len(batch)
            _answer(answers)

    def _write(self, batch: list[_Job], wait: bool) -> list[Answer] | None:
        """The batch in one transaction, committed once; what to answer each piece of work.

        First every piece one after the other, as they come. If one is refused, that
        transaction is rolled back and the batch made again with each piece in a
        savepoint of its own, so that the refused one rolls back alone. (A savepoint
        for every piece costs a tenth of a comment's time, and nearly every write is
        accepted.) Without ``wait``, None (and nothing written) if another process
        holds the write lock.
        """
        try:
            done = self._together(batch, wait)
            if done is None:
                done = self._apart(batch, wait)
        except _BusyError:
            return None
        except BaseException as exc:  # the transaction failed: nothing of it is acknowledged
            # (BaseException too: whatever happened, every waiting request gets an answer.)
            failed: list[Answer] = [(job, None, exc) for job in batch]
            if not isinstance(exc, Exception) and not wait:  # on the loop: pass it on too
                _give_all(failed)
                raise
            return failed
        return done

    @contextmanager
    def _transaction(self, wait: bool) -> Iterator[Session]:
        """A session, its transaction taking the write lock at once or failing busy.

        With ``wait``, it waits for the lock as long as the connection does.
        """
        with self._sessions() as session:
            if wait:
                yield session
                return
            raw = session.connection().connection.dbapi_connection
            assert raw is not None
            raw.execute("PRAGMA busy_timeout = 0")
            session.info[_IMPATIENT] = raw
            try:
                yield session
            finally:  # the connection goes back to the pool as patient as it came
                self._be_patient(session)

    @staticmethod
    def _be_patient(session: Session) -> None:
        raw = session.info.pop(_IMPATIENT, None)
        if raw is not None:
            raw.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")

    def _commit(self, session: Session) -> None:
        self._be_patient(session)
        session.commit()
        self.commits += 1

    @staticmethod
    def _refused(exc: Exception, wait: bool) -> None:
        """A piece of work raised: busy (see _write), or refused (the caller's to answer)."""
        if not wait and _busy(exc):
            raise _BusyError from exc

    def _together(self, batch: list[_Job], wait: bool) -> list[Answer] | None:
        """Every piece of work in the transaction and a commit; None if one was refused."""
        done: list[Answer] = []
        with self._transaction(wait) as session:
            for job in batch:
                try:
                    value = job.work(session)
                    session.flush()  # its rows too: a conflict is its own
                except Exception as exc:
                    self._refused(exc, wait)
                    if len(batch) == 1:  # alone: its refusal is the answer
                        return [(job, None, exc)]
                    return None
                done.append((job, value, None))
            self._commit(session)
        return done

    def _apart(self, batch: list[_Job], wait: bool) -> list[Answer]:
        """Each piece of work in its savepoint, then one commit."""
        done: list[Answer] = []
        with self._transaction(wait) as session:
            for job in batch:
                try:
                    with session.begin_nested():
                        value = job.work(session)
                except Exception as exc:  # refused: its savepoint is rolled back, alone
                    self._refused(exc, wait)
                    done.append((job, None, exc))
                else:
                    done.append((job, value, None))
            self._commit(session)
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
