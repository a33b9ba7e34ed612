"""Live-update feeds: one read of the timeline per exercise, filtered per page."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from accord.server import feed as feeds_module
from accord.server.bell import Bell
from accord.server.db import session_factory
from accord.server.feed import Feed, Viewer
from accord.server.service import create_exercise, record
from tests.server.conftest import SCENARIO, database_url


def _reader(database: str) -> Callable[[bool, Callable[[Session], Any]], Any]:
    async def read(_writes: bool, work: Callable[[Session], Any]) -> Any:
        def run() -> Any:
            with session_factory(database)() as session:
                return work(session)

        return await asyncio.to_thread(run)

    return read


@pytest.fixture
def exercise(tmp_path: Path) -> tuple[str, int]:
    database = database_url("sqlite", tmp_path)
    with session_factory(database)() as session:
        exercise, _ = create_exercise(session, SCENARIO, "bilateral-us-dprk")
    return database, exercise.id


def _write(database: str, exercise_id: int, audiences: list[list[int] | None]) -> None:
    with session_factory(database)() as session:
        for n, audience in enumerate(audiences):
            record(session, exercise_id, "message", {"n": n}, audience)
        session.commit()


def test_each_page_sees_only_what_its_seat_may(exercise: tuple[str, int]) -> None:
    database, exercise_id = exercise
    feed = Feed(exercise_id, _reader(database), Bell(), recheck=60)

    async def read_twice() -> None:
        await feed.refresh()  # where the timeline stands
        _write(database, exercise_id, [None, [11], [12]])  # plenary, then two private
        await feed.refresh()

    asyncio.run(read_twice())
    start = feed.items[0].id - 1
    shown = {
        who: [data != "" for _, data in feed.newer(start, viewer) or []]
        for who, viewer in {
            "seat 11": Viewer("delegation", 11),
            "seat 12": Viewer("delegation", 12),
            "observer": Viewer("observer", 13),
        }.items()
    }
    assert shown == {
        "seat 11": [True, True, False],
        "seat 12": [True, False, True],
        "observer": [True, False, False],
    }


def test_a_page_behind_the_window_reads_for_itself(
    exercise: tuple[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(feeds_module, "WINDOW", 3)
    database, exercise_id = exercise
    feed = Feed(exercise_id, _reader(database), Bell(), recheck=60)
    page = Viewer("delegation", 1)
    assert feed.newer(0, page) is None  # not read yet

    async def read_twice() -> None:
        await feed.refresh()
        _write(database, exercise_id, [None] * 5)
        await feed.refresh()

    asyncio.run(read_twice())
    kept = [item.id for item in feed.items]
    assert len(kept) == 3
    assert feed.newer(kept[0] - 2, page) is None  # its next event has left the window
    assert [i for i, _ in feed.newer(kept[0] - 1, page) or []] == kept
    assert feed.newer(kept[-1], page) == []


def test_the_observer_is_shown_live_what_it_may_read() -> None:
    # The observer reads notifications, proposals, public injects and who voted on the
    # pages; its live updates once left them out, so its page changed only on a reload.
    from accord.server.feed import can_see

    for kind in ("notification", "proposal", "vote", "inject", "thresholds", "message"):
        assert can_see("observer", 13, False, kind, None), kind
    assert not can_see("observer", 13, False, "comment", [11])  # a delegation's own comment
    assert not can_see("observer", 13, False, "inject", [11])  # an inject to one delegation
