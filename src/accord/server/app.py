"""The FastAPI application of the live exercise server."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse
from sqlalchemy.exc import IntegrityError, OperationalError

from accord.server.routers import channels, exercise, proposals, texts
from accord.server.settings import ServerSettings

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"


def create_app(settings: ServerSettings | None = None) -> FastAPI:
    """The app, bound to one database (migrate it first: ``accord db upgrade``)."""
    settings = settings or ServerSettings()
    app = FastAPI(
        title="accord exercise server",
        version="1",
        description="Live forum exercises: delegations (human or software), a chair, "
        "a facilitator and observers.",
    )
    app.state.database_url = settings.database_url
    for module in (exercise, texts, proposals, channels):
        app.include_router(module.router)

    @app.exception_handler(IntegrityError)
    async def conflict(_request: Request, _exc: IntegrityError) -> JSONResponse:
        return JSONResponse(
            {"detail": "this conflicts with something already recorded; reload and try again"}, 409
        )

    @app.exception_handler(OperationalError)
    async def busy(_request: Request, _exc: OperationalError) -> JSONResponse:
        # Nothing was acknowledged, so nothing is lost: the client may simply retry.
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

    @app.get("/", include_in_schema=False)
    def page() -> FileResponse:
        return FileResponse(STATIC / "index.html")

    return app
