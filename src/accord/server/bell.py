"""The bell: wakes an exercise's live-update streams when something is recorded in it.

A stream takes a :class:`Ticket` *before* it looks at the database, then waits on it.
When a transaction that recorded events in the exercise commits (in any thread of this
process), the bell rings and every ticket of that exercise wakes: the stream looks
again at once instead of on a fixed poll. Writes made by another process (a second
server, the command line) do not ring this bell; streams still look every few
seconds to pick those up.
"""

from __future__ import annotations

import asyncio
import threading
from contextlib import suppress
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

__all__ = ["Bell", "Ticket", "recorded"]

_RECORDED = "accord.recorded"
_BELL = "accord.bell"


class Ticket:
    """A stream's place in the queue of one exercise, taken before it looks."""

    def __init__(self, bell: Bell, exercise_id: int) -> None:
        self._bell = bell
        self._exercise_id = exercise_id
        self._loop = asyncio.get_running_loop()
        self._rung = self._loop.create_future()

    def _wake(self) -> None:  # on the ticket's own event loop
        if not self._rung.done():
            self._rung.set_result(None)

    def ring(self) -> None:
        """Wake the waiting stream (safe from any thread)."""
        with suppress(RuntimeError):  # the stream's loop has closed: nobody to wake
            self._loop.call_soon_threadsafe(self._wake)

    async def wait(self, seconds: float) -> bool:
        """Until the bell rings for the exercise (True) or ``seconds`` pass (False)."""
        try:
            await asyncio.wait_for(asyncio.shield(self._rung), seconds)
            return True
        except TimeoutError:
            return False
        finally:
            self._bell.forget(self)

    @property
    def exercise_id(self) -> int:
        """The exercise this ticket waits on."""
        return self._exercise_id


class Bell:
    """One per app: the tickets of every stream, by exercise."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tickets: dict[int, set[Ticket]] = {}

    def ticket(self, exercise_id: int) -> Ticket:
        """A new ticket: any commit recording events in the exercise from now on wakes it."""
        ticket = Ticket(self, exercise_id)
        with self._lock:
            self._tickets.setdefault(exercise_id, set()).add(ticket)
        return ticket

    def forget(self, ticket: Ticket) -> None:
        """Drop a ticket (rung, timed out, or its stream closed)."""
        with self._lock:
            waiting = self._tickets.get(ticket.exercise_id)
            if waiting is not None:
                waiting.discard(ticket)
                if not waiting:
                    del self._tickets[ticket.exercise_id]

    def ring(self, exercise_id: int) -> None:
        """Wake every stream of the exercise (safe from any thread)."""
        with self._lock:
            waiting = self._tickets.pop(exercise_id, set())
        for ticket in waiting:
            ticket.ring()

    def attach(self, session: Session) -> Session:
        """Have the session ring this bell when it commits events (see :func:`recorded`)."""
        session.info[_BELL] = self
        return session


def recorded(session: Session, exercise_id: int) -> bool:
    """Note that the session's transaction records events in the exercise.

    True the first time in the transaction.
    """
    exercises = session.info.setdefault(_RECORDED, set())
    first = exercise_id not in exercises
    exercises.add(exercise_id)
    return first


@event.listens_for(Session, "after_commit")
def _ring_after_commit(session: Session) -> None:
    if session.in_nested_transaction():  # a savepoint released: nothing is committed yet
        return
    exercises: set[int] = session.info.pop(_RECORDED, set())
    bell: Any = session.info.get(_BELL)
    if bell is not None:
        for exercise_id in exercises:
            bell.ring(exercise_id)


@event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    # A savepoint rolled back (one refused write among others committed together) leaves
    # what the transaction recorded before it: the bell still rings for those.
    if not session.in_nested_transaction():
        session.info.pop(_RECORDED, None)
