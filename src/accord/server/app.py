"""The FastAPI application of the live exercise server."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from weakref import WeakKeyDictionary

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError, OperationalError

from accord.server.bell import Bell
from accord.server.db import POOL_OVERFLOW, POOL_SIZE, session_factory
from accord.server.deps import SeatKeys, Writes, make_writer, run_with_session
from accord.server.feed import Feeds
from accord.server.headers import SecurityHeaders
from accord.server.limits import BodyLimit, SeatRate
from accord.server.listen import Listener
from accord.server.presence import Presence
from accord.server.rounds import close_overdue_rounds
from accord.server.routers import brief, channels, exercise, measures, proposals, texts
from accord.server.settings import ServerSettings

__all__ = ["ROUTERS", "create_app"]

ROUTERS = tuple(m.router for m in (exercise, brief, texts, proposals, channels, measures))
"""The API's routers, each route with its access rule (see :class:`accord.server.deps.Allowed`)."""

STATIC = Path(__file__).parent / "static"

log = logging.getLogger(__name__)

FEED_MIN_GAP_SECONDS = 0.25
"""An exercise's live-update feed reads at most this often: a burst of writes is one read."""

DB_SLOTS = POOL_SIZE + POOL_OVERFLOW - 2
"""Requests at once on a pooled database: the pool, less room for the clock and the bots."""


async def _tick(app: FastAPI) -> None:
    await run_with_session(app, True, close_overdue_rounds)


@asynccontextmanager
async def _clock(app: FastAPI) -> AsyncIterator[None]:
    """While the server runs: close overdue rounds, and listen for other processes.

    Rounds whose deadline has passed are closed every few moments; on PostgreSQL, a
    thread listens for events recorded by other server processes (see listen).
    """
    seconds = app.state.clock_seconds

    async def run() -> None:
        while True:
            await asyncio.sleep(seconds)
            try:
                await _tick(app)
            except Exception:  # the clock must never stop the server; log and try again
                log.exception("closing overdue rounds failed")

    task = asyncio.create_task(run()) if seconds > 0 else None
    listener = None
    if app.state.database_url.startswith("postgresql"):
        listener = Listener(app.state.database_url, app.state.bell)
        listener.start()
    app.state.listener = listener
    try:
        yield
    finally:
        if task is not None:
            task.cancel()
        if listener is not None:
            await asyncio.to_thread(listener.stop)


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The app, bound to one database (migrate it first: ``accord db upgrade``)."""
    settings = settings or ServerSettings()
    app = FastAPI(
        title="accord exercise server",
        version="1",
        description="Live forum exercises: delegations (human or software), a chair, "
        "a facilitator and observers.",
        lifespan=_clock,
        # The interactive docs pages load scripts from a CDN, which the content security
        # policy refuses; the schema stays at /openapi.json for any viewer or client generator.
        docs_url=None,
        redoc_url=None,
    )
    app.state.database_url = settings.database_url
    # Requests open their sessions here (tests swap in sessions bound to a rolled-back
    # transaction); on SQLite one writer makes every write.
    app.state.sessions = session_factory(settings.database_url)
    app.state.serialise_writes = settings.database_url.startswith("sqlite")
    app.state.db_queues = WeakKeyDictionary()
    app.state.db_slots = DB_SLOTS
    app.state.clock_seconds = settings.clock_seconds
    app.state.bell = Bell()  # rung when a commit records events in an exercise
    app.state.writer = make_writer(app)  # every write goes through it
    app.state.writes = Writes(app)
    app.state.seat_keys = SeatKeys()  # who holds each token seen
    app.state.presence = Presence()  # which seats have a page open
    app.state.feeds = Feeds(
        lambda writes, work: run_with_session(app, writes, work),
        app.state.bell,
        recheck=settings.events_recheck_seconds,
        min_gap=FEED_MIN_GAP_SECONDS,
    )
    for router in ROUTERS:
        app.include_router(router)
    app.state.seat_rate = SeatRate(settings.seat_writes_per_minute, settings.seat_write_burst)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)

    @app.exception_handler(IntegrityError)
    async def conflict(_request: Request, _exc: IntegrityError) -> JSONResponse:
        return JSONResponse(
            {"detail": "this conflicts with something already recorded; reload and try again"}, 409
        )

    @app.exception_handler(OperationalError)
    async def busy(_request: Request, exc: OperationalError) -> JSONResponse:
        # Nothing was acknowledged, so nothing is lost.
        if "readonly" in str(exc).lower() or "read-only" in str(exc).lower():
            log.error("the database cannot be written: %s", exc.orig)
            return JSONResponse(
                {
                    "detail": "the server cannot write to its database (the file is read-only); "
                    "nothing was recorded, and trying again will not help until whoever runs "
                    "the server fixes the file's permissions"
                },
                503,
            )
        # A busy database: the client may simply retry.
        return JSONResponse(
            {"detail": "the database is busy; nothing was recorded — try again"}, 503
        )

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [
            {"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg", "")}
            for e in exc.errors()
        ]
        return JSONResponse({"detail": "the request is not valid", "problems": problems}, 422)

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
