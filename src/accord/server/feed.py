"""Live-update feeds: one reader of the timeline per exercise, shared by its open pages.

Every open page of an exercise (six delegations, the chair, the facilitator, observers)
wants the same new events, each filtered by what that seat may see. A :class:`Feed`
reads them from the database once, when the exercise's bell rings (a write through this
server) or every ``recheck`` seconds (writes by other processes), at most once per
``min_gap`` seconds, and keeps a window of the latest events. Pages take what is new
from the window; a page that has fallen behind the window reads the database itself.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from accord.server.bell import Bell
from accord.server.models import Event, Exercise

__all__ = ["PUBLIC_TO_OBSERVERS", "Feed", "Feeds", "Item", "Viewer", "can_see", "events_after"]

log = logging.getLogger(__name__)

PUBLIC_TO_OBSERVERS = (
    "message",
    "text",
    "round",
    "created",
    "clock",
    "archive",
    "vote-closed",
    "vote",
    "proposal",
    "cosponsor",
    "notification",
    "inject",
    "thresholds",
    "channel",
)
"""What the observer is shown live before the archive opens, where meant for all: what its
pages can read."""
WINDOW = 500
"""Events a feed keeps in memory; a page further behind reads the database itself."""


def can_see(
    role: str, seat_id: int, archive_open: bool, kind: str, audience: Sequence[int] | None
) -> bool:
    """Whether a seat may be shown an event of the timeline."""
    if role == "observer" and not archive_open:
        return audience is None and kind in PUBLIC_TO_OBSERVERS
    if archive_open or audience is None:
        return True
    if kind == "comment" and role in ("chair", "facilitator"):
        return True
    return seat_id in audience


@dataclass(frozen=True)
class Viewer:
    """Who an open page belongs to."""

    role: str
    seat_id: int

    def lines(self, items: Sequence[Item], archive_open: bool) -> list[tuple[int, str]]:
        """Each event's id, and its line, or "" where this page may not see it."""
        return [
            (
                i.id,
                i.data
                if can_see(self.role, self.seat_id, archive_open, i.kind, i.audience)
                else "",
            )
            for i in items
        ]


@dataclass(frozen=True)
class Item:
    """One event as a feed holds it: what pages filter on, and the line they send."""

    id: int
    kind: str
    audience: tuple[int, ...] | None
    data: str

    @classmethod
    def of(cls, event: Event) -> Item:
        """The feed's copy of an event row."""
        audience = None if event.audience is None else tuple(event.audience)
        data = json.dumps({"kind": event.kind, "payload": event.payload})
        return cls(event.id, event.kind, audience, data)


def events_after(session: Session, exercise_id: int, last: int) -> list[Item]:
    """The exercise's events after event ``last``, oldest first."""
    rows = session.scalars(
        select(Event).where(Event.exercise_id == exercise_id, Event.id > last).order_by(Event.id)
    )
    return [Item.of(e) for e in rows]


Read = Callable[[bool, Callable[[Session], Any]], Awaitable[Any]]
"""Runs a function of a database session in a worker thread (deps.run_with_session)."""


class Feed:
    """The latest events of one exercise, read once for all its open pages."""

    def __init__(self, exercise_id: int, read: Read, bell: Bell, recheck: float) -> None:
        self.exercise_id = exercise_id
        self.items: list[Item] = []
        self.since: int | None = None
        """Every event with a greater id is in ``items`` (None: not read yet)."""
        self.archive_open = False
        self.pages = 0
        self._read = read
        self._bell = bell
        self._recheck = recheck
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def newer(self, last: int, viewer: Viewer) -> list[tuple[int, str]] | None:
        """What a page that has shown up to event ``last`` shows next.

        Each event's id, and its line, or "" where the page may not see it. None: not
        in the window (not read yet, or the page has fallen behind it).
        """
        if self.since is None or last < self.since:
            return None
        return viewer.lines([i for i in self.items if i.id > last], self.archive_open)

    @property
    def signal(self) -> asyncio.Event:
        """Set at the feed's next change (take it before calling :meth:`newer`)."""
        return self._changed

    @staticmethod
    async def changed(signal: asyncio.Event, seconds: float) -> None:
        """Until the feed changes after ``signal`` was taken, or ``seconds`` pass."""
        with suppress(TimeoutError):
            await asyncio.wait_for(signal.wait(), seconds)

    def start(self, min_gap: float) -> None:
        """Start reading (once)."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(min_gap))

    def stop(self) -> None:
        """Stop reading (no page is open any more)."""
        if self._task is not None:
            self._task.cancel()

    async def _run(self, min_gap: float) -> None:
        while True:
            ticket = self._bell.ticket(self.exercise_id)  # before reading: no ring is missed
            looked = time.monotonic()
            try:
                try:
                    await self.refresh()
                except Exception:  # a busy or restarting database: try again at the next recheck
                    log.exception("reading the timeline of exercise %s failed", self.exercise_id)
                await ticket.wait(self._recheck)
            finally:
                self._bell.forget(ticket)
            await asyncio.sleep(max(0.0, looked + min_gap - time.monotonic()))

    async def refresh(self) -> None:
        """Read the exercise's new events into the window (the feed's task does this)."""
        since = self.since

        def read(session: Session) -> tuple[bool, list[Item], int | None]:
            archive_open = bool(
                session.scalar(select(Exercise.archive_open).where(Exercise.id == self.exercise_id))
            )
            if since is None:
                newest = session.scalar(
                    select(func.max(Event.id)).where(Event.exercise_id == self.exercise_id)
                )
                return archive_open, [], newest or 0
            return archive_open, events_after(session, self.exercise_id, since), None

        archive_open, items, newest = await self._read(False, read)
        changed = bool(items) or newest is not None or archive_open != self.archive_open
        self.archive_open = archive_open
        if newest is not None:
            self.since = newest
        self.items.extend(items)
        if len(self.items) > WINDOW:
            dropped = self.items[: len(self.items) - WINDOW]
            self.items = self.items[len(dropped) :]
            self.since = dropped[-1].id
        if changed:
            self._changed.set()
            self._changed = asyncio.Event()


class Feeds:
    """The feeds of an app, by event loop and exercise, running while pages are open."""

    def __init__(self, read: Read, bell: Bell, recheck: float, min_gap: float) -> None:
        self._read = read
        self._bell = bell
        self._recheck = recheck
        self._min_gap = min_gap
        self._feeds: WeakKeyDictionary[asyncio.AbstractEventLoop, dict[int, Feed]] = (
            WeakKeyDictionary()
        )

    def join(self, exercise_id: int) -> Feed:
        """The exercise's feed, started if this is its first open page."""
        feeds = self._feeds.setdefault(asyncio.get_running_loop(), {})
        feed = feeds.get(exercise_id)
        if feed is None:
            feed = feeds[exercise_id] = Feed(exercise_id, self._read, self._bell, self._recheck)
            feed.start(self._min_gap)
        feed.pages += 1
        return feed

    def leave(self, feed: Feed) -> None:
        """A page closed; the feed stops with the last one."""
        feed.pages -= 1
        if feed.pages == 0:
            feed.stop()
            feeds = self._feeds.get(asyncio.get_running_loop(), {})
            if feeds.get(feed.exercise_id) is feed:
                del feeds[feed.exercise_id]
