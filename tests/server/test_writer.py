"""The writer: writes waiting together share one commit; each is answered for itself.

On SQLite the server's writes waiting together are made in one transaction on the event
loop (group commit), or in the writer's thread while another process holds the write
lock. These tests submit pieces of work in one turn of the loop, so that what shares a
transaction is known, and read the database afterwards from a connection of their own.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from fastapi import HTTPException
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from accord.server.app import create_app
from accord.server.bell import Bell
from accord.server.db import engine_for, session_factory, upgrade
from accord.server.deps import open_session
from accord.server.models import Event, Inject, Participant
from accord.server.service import create_exercise, hash_token, record
from accord.server.settings import ServerSettings
from accord.server.writer import GroupWriter
from tests.server.conftest import SCENARIO, Table


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'writes.db'}"
    upgrade(url)
    with session_factory(url)() as session:
        create_exercise(session, SCENARIO, "four-party")
    return url


def inject(title: str, refuse: bool = False) -> Callable[[Session], str]:
    """Work that adds an inject to exercise 1 (and then refuses, if asked)."""

    def work(session: Session) -> str:
        session.add(Inject(exercise_id=1, title=title, body="", targets=[]))
        session.flush()
        if refuse:
            raise HTTPException(409, f"{title} refused")
        return title

    return work


def titles(database: str) -> list[str]:
    with session_factory(database)() as session:
        return list(session.scalars(select(Inject.title).order_by(Inject.id)))


async def together(writer: GroupWriter, works: list[Callable[[Session], str]]) -> list[object]:
    """Submit the works in one turn of the event loop: they wait together for the next."""
    return await asyncio.gather(*(writer.run(work) for work in works), return_exceptions=True)


def test_writes_waiting_together_share_one_commit(database: str) -> None:
    writer = GroupWriter(session_factory(database))
    answers = asyncio.run(together(writer, [inject(f"inject {i}") for i in range(20)]))
    assert answers == [f"inject {i}" for i in range(20)]
    assert writer.commits == 1
    assert titles(database) == [f"inject {i}" for i in range(20)]


def test_a_refused_write_rolls_back_alone(database: str) -> None:
    writer = GroupWriter(session_factory(database))
    works = [inject("kept"), inject("refused", refuse=True), inject("kept too")]
    answers = asyncio.run(together(writer, works))
    assert answers[0] == "kept" and answers[2] == "kept too"
    assert isinstance(answers[1], HTTPException) and answers[1].detail == "refused refused"
    assert writer.commits == 1  # the refusal did not cost the others their transaction
    assert titles(database) == ["kept", "kept too"]


def test_writes_wait_in_a_thread_while_another_process_holds_the_lock(database: str) -> None:
    """A command writing to the file holds the write lock: the loop is not held meanwhile.

    The write that found the lock held waits for it in the writer's thread, and so does
    the write after it (in its turn), while the loop goes on; once the lock is free both
    are made, in order, and the next write is made on the loop again.
    """
    writer = GroupWriter(session_factory(database))
    where: dict[str, str] = {}

    def noted(title: str) -> Callable[[Session], str]:
        def work(session: Session) -> str:
            where[title] = threading.current_thread().name
            return inject(title)(session)

        return work

    async def run() -> list[object]:
        other = sqlite3.connect(database.removeprefix("sqlite:///"), isolation_level=None)
        other.execute("BEGIN IMMEDIATE")  # another process's write, in progress
        first = asyncio.ensure_future(writer.run(noted("first")))
        await asyncio.sleep(0.1)
        second = asyncio.ensure_future(writer.run(noted("second")))
        turns = 0
        for _ in range(20):  # the loop goes on while they wait
            await asyncio.sleep(0.01)
            turns += 1
        assert turns == 20 and not first.done() and not second.done()
        other.execute("COMMIT")
        other.close()
        answers = [await first, await second]
        return [*answers, await writer.run(noted("third"))]

    assert asyncio.run(run()) == ["first", "second", "third"]
    assert titles(database) == ["first", "second", "third"]
    assert where["first"] == where["second"] == "accord-writer"
    assert where["third"] == threading.main_thread().name


class Witness(Bell):
    """A bell that, as it rings, counts the events another connection can read."""

    def __init__(self, database: str) -> None:
        super().__init__()
        self.database = database
        self.readable: list[int] = []

    def ring(self, exercise_id: int) -> None:
        with session_factory(self.database)() as session:
            count = select(func.count()).select_from(Event).where(Event.kind == "inject")
            self.readable.append(session.scalar(count) or 0)
        super().ring(exercise_id)


def test_pages_hear_of_a_batch_once_it_is_committed(database: str) -> None:
    """The bell rings once the batch commits, not as each write's savepoint is released.

    And a refused write in the batch does not silence the others' live updates.
    """
    sessions = session_factory(database)
    bell = Witness(database)

    def announce(session: Session) -> str:
        record(session, 1, "inject", {"title": "heard"})
        return "announced"

    async def run() -> bool:
        ticket = bell.ticket(1)
        writer = GroupWriter(lambda: bell.attach(sessions()))
        await together(writer, [announce, inject("refused", refuse=True)])
        return await ticket.wait(5)

    assert asyncio.run(run())
    assert bell.readable == [1]  # rung once, with the event there to read


def test_nothing_is_acknowledged_when_the_commit_fails(database: str) -> None:
    class FailingCommit(Session):
        def commit(self) -> None:
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    writer = GroupWriter(sessionmaker(bind=engine_for(database), class_=FailingCommit))
    answers = asyncio.run(together(writer, [inject("lost 1"), inject("lost 2")]))
    assert all(isinstance(a, OperationalError) for a in answers)
    assert titles(database) == []


def test_a_request_session_refuses_to_write(database: str) -> None:
    app = create_app(ServerSettings(database_url=database, clock_seconds=0))
    with open_session(app, read_only=True) as session:
        session.add(Inject(exercise_id=1, title="sneaked", body="", targets=[]))
        with pytest.raises(RuntimeError, match="writer"):
            session.flush()


def test_a_replaced_token_is_refused_though_the_server_has_seen_it(database: str) -> None:
    """The server keeps who holds each token it has seen; a write checks the token again.

    (A software delegation's runner gives the seat it takes a new token: the join
    link's old one must stop working at once, in this process too.)
    """
    app = create_app(ServerSettings(database_url=database, clock_seconds=0))
    table = Table(TestClient(app), session_factory(database))
    comment = {"version": 1, "issue": "nuclear", "body": "first"}
    assert table.call("dprk", "POST", "/comments", comment).status_code == 201
    with session_factory(database)() as session:
        session.execute(
            update(Participant)
            .where(Participant.token_hash == hash_token(table.tokens["dprk"]))
            .values(token_hash=hash_token("taken over"))
        )
        session.commit()
    again = table.call("dprk", "POST", "/comments", {**comment, "body": "again"})
    assert again.status_code == 401 and "join link" in again.json()["detail"]
    table.tokens["dprk"] = "taken over"
    assert table.call("dprk", "POST", "/comments", comment).status_code == 201
