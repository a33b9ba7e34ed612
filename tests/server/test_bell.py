"""The bell that wakes live-update streams: rung by commits that record events."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from accord.server.bell import Bell
from accord.server.db import session_factory
from accord.server.models import Event
from accord.server.service import create_exercise, record
from tests.server.conftest import POSTGRESQL, SCENARIO, database_url


def test_a_ring_from_another_thread_wakes_that_exercise_only() -> None:
    bell = Bell()

    async def wait_both() -> tuple[bool, bool]:
        mine, other = bell.ticket(1), bell.ticket(2)
        threading.Thread(target=bell.ring, args=(1,)).start()
        return await mine.wait(10), await other.wait(0.2)

    assert asyncio.run(wait_both()) == (True, False)


def test_a_ticket_taken_before_a_ring_is_not_missed() -> None:
    bell = Bell()

    async def ring_then_wait() -> bool:
        ticket = bell.ticket(7)
        bell.ring(7)  # rung while the stream was still busy looking
        await asyncio.sleep(0)  # the loop turns before the stream waits
        return await ticket.wait(0)

    assert asyncio.run(ring_then_wait())


def test_a_commit_that_records_events_rings_and_a_rollback_does_not(tmp_path: Path) -> None:
    database = database_url("sqlite", tmp_path)
    with session_factory(database)() as session:
        exercise, _ = create_exercise(session, SCENARIO, "bilateral-us-dprk")
    bell = Bell()

    async def write(commit: bool) -> bool:
        ticket = bell.ticket(exercise.id)

        def in_a_worker() -> None:
            with session_factory(database)() as session:
                record(bell.attach(session), exercise.id, "inject", {"title": "news"})
                session.commit() if commit else session.rollback()

        await asyncio.to_thread(in_a_worker)
        return await ticket.wait(0.5)

    assert asyncio.run(write(commit=False)) is False
    assert asyncio.run(write(commit=True)) is True


def _until_a_transaction_waits_for_a_lock(sessions: sessionmaker[Session]) -> None:
    """Return once PostgreSQL shows a transaction waiting for a lock (at most 10 s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sessions() as probe:
            waiting = probe.scalar(
                text("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            )
        if waiting:
            return
        time.sleep(0.05)
    raise AssertionError("no transaction waited for a lock within 10 s")


@pytest.mark.skipif(not POSTGRESQL, reason="set ACCORD_TEST_DATABASE_URL to test on PostgreSQL")
def test_an_exercises_events_commit_in_the_order_of_their_ids(tmp_path: Path) -> None:
    """Pages read "events after the last id seen": a later id must never commit first.

    On PostgreSQL writers run side by side, so a second transaction recording in the
    same exercise waits for the first to commit.
    """
    database = database_url("postgresql", tmp_path)
    sessions = session_factory(database)
    with sessions() as session:
        exercise, _ = create_exercise(session, SCENARIO, "bilateral-us-dprk")
    committed: list[str] = []

    def second() -> None:
        with sessions() as session:
            record(session, exercise.id, "inject", {"title": "second"})
            session.commit()
            committed.append("second")

    with sessions() as first:
        record(first, exercise.id, "inject", {"title": "first"})
        first.flush()  # the first event has its id
        racing = threading.Thread(target=second)
        racing.start()
        _until_a_transaction_waits_for_a_lock(sessions)
        assert committed == []  # the second waits ...
        first.commit()
        committed.append("first")
    racing.join(10)
    assert committed == ["first", "second"]  # ... until the first has committed
    with sessions() as session:
        in_id_order = session.scalars(
            select(Event)
            .where(Event.exercise_id == exercise.id, Event.kind == "inject")
            .order_by(Event.id)
        ).all()
    assert [e.payload["title"] for e in in_id_order] == committed
