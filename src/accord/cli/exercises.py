"""Commands of the live exercise: its database, the server, and create, export, replay."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import typer

from accord.cli.common import console as _console
from accord.cli.common import party_negotiator, user_errors
from accord.cli.root import ScenarioFile
from accord.errors import AccordError
from accord.files import write_atomically
from accord.scenario import load_scenario

__all__ = ["db_app", "exercise_app", "serve_command"]


db_app = typer.Typer(help="The exercise server's database.", no_args_is_help=True)
exercise_app = typer.Typer(help="Create, export and replay live exercises.", no_args_is_help=True)

DatabaseOption = Annotated[
    str | None,
    typer.Option(
        "--database",
        help="Database URL (default: sqlite:///accord-exercises.db in this folder; "
        "postgresql://user:pass@host/db for shared deployments).",
        metavar="URL",
        show_default=False,
    ),
]


def _need_server() -> None:
    """The exercise server's libraries are an extra; say how to get them."""
    try:
        import alembic  # noqa: F401
        import fastapi  # noqa: F401
        import httpx  # noqa: F401
        import pydantic_settings  # noqa: F401
        import sqlalchemy  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError as exc:
        raise AccordError(
            f"the exercise server needs {exc.name}; install it with: pip install 'accord[server]'"
        ) from None


def _settings(database: str | None, host: str | None = None, port: int | None = None) -> Any:
    _need_server()
    from pydantic import ValidationError

    from accord.server.settings import ServerSettings

    values: dict[str, Any] = {}
    if database:
        values["database_url"] = database
    if host:
        values["host"] = host
    if port:
        values["port"] = port
    try:
        settings = ServerSettings(**values)
    except ValidationError as exc:  # the rest come from ACCORD_* environment variables
        wrong = exc.errors()[0]
        name = "ACCORD_" + ".".join(str(p) for p in wrong["loc"]).upper()
        raise AccordError(
            f"environment variable {name}={wrong.get('input')!r}: {wrong['msg']}; "
            f"set it right or unset it (unset {name}) to use the default"
        ) from None
    _check_sqlite_file(settings.database_url)
    return settings


def _check_sqlite_file(url: str) -> None:
    """A SQLite file must lie in a folder that exists and that this user may write to."""
    import os

    from accord.server.db import sqlite_file

    try:
        path = sqlite_file(url)
    except Exception:  # SQLAlchemy raises several kinds for a malformed URL
        raise AccordError(
            f"--database {url!r} is not a database URL; write sqlite:///FILE.db or "
            "postgresql://USER:PASSWORD@HOST/NAME"
        ) from None
    if path is None:
        return
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise AccordError(
            f"--database {url}: the folder {folder} does not exist; create it first "
            f"(mkdir -p {folder}) or give a file in another folder"
        )
    writable = os.access(path, os.W_OK) if path.exists() else os.access(folder, os.W_OK)
    if not writable:
        what = f"the file {path}" if path.exists() else f"the folder {folder}"
        raise AccordError(
            f"--database {url}: {what} is read-only for this user; the server records every "
            "move there, so give a file it may write to (or change the permissions)"
        )


@db_app.command("upgrade")
@user_errors
def db_upgrade_command(database: DatabaseOption = None) -> None:
    """Create or migrate the database schema to the newest version (Alembic)."""
    _need_server()
    from accord.server.db import upgrade

    settings = _settings(database)
    upgrade(settings.database_url)
    _console().print(f"database at the newest schema: {settings.database_url}", markup=False)


@user_errors
def serve_command(
    database: DatabaseOption = None,
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[
        int, typer.Option("--port", min=1, max=65535, help="Port to listen on.")
    ] = 8000,
    workers: Annotated[
        int,
        typer.Option(
            "--workers",
            min=1,
            help="Server processes, sharing the port (PostgreSQL only: a SQLite file takes "
            "one). Pages hear of writes made through any of them at once.",
        ),
    ] = 1,
) -> None:
    """Host live exercises (web pages and API); the database is migrated first."""
    _need_server()
    import uvicorn

    from accord.server.app import create_app
    from accord.server.bots import BotRunner
    from accord.server.db import hold_sqlite_file, upgrade

    settings = _settings(database, host, port)
    if workers > 1 and not settings.database_url.startswith("postgresql"):
        raise AccordError(
            f"--workers {workers}: a SQLite database takes one server process (it has one "
            "writer at a time, and processes would not hear of each other's writes); serve "
            "it with one process, or use PostgreSQL: --database "
            "postgresql://USER:PASSWORD@HOST/NAME (docs/exercises.md)"
        )
    held = hold_sqlite_file(settings.database_url)  # noqa: F841  (held while serving)
    upgrade(settings.database_url)
    # Software delegations act through the API, on the loopback address.
    BotRunner(settings.database_url, f"http://127.0.0.1:{settings.port}").start()
    _console().print(
        f"accord exercise server on http://{settings.host}:{settings.port}/"
        + (f" ({workers} processes)" if workers > 1 else ""),
        markup=False,
    )
    if workers > 1:
        # Each process builds its own app from the same settings, handed down as ACCORD_*.
        for name, value in settings.model_dump().items():
            os.environ[f"ACCORD_{name.upper()}"] = str(value)
    uvicorn.run(
        "accord.server.app:create_app" if workers > 1 else create_app(settings),
        factory=workers > 1,
        workers=workers if workers > 1 else None,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        # Requests are not logged (below the warning level): nor is their log line built.
        access_log=False,
        timeout_keep_alive=30,
        # Open pages' live-update streams never end by themselves: on Ctrl-C, give
        # requests in flight a moment, then close the streams and stop.
        timeout_graceful_shutdown=3,
    )


@exercise_app.command("create")
@user_errors
def exercise_create_command(
    scenario_file: ScenarioFile,
    format: Annotated[
        str,
        typer.Option(
            "--format", "-f", help="The table: a format of the scenario.", metavar="FORMAT"
        ),
    ],
    bot: Annotated[
        list[str] | None,
        typer.Option(
            "--bot",
            help="A delegation played by software, as PARTY=NEGOTIATOR (repeat).",
            metavar="PARTY=NAME",
        ),
    ] = None,
    database: DatabaseOption = None,
    url: Annotated[
        str,
        typer.Option("--url", help="Where the server is reachable, for the links.", metavar="URL"),
    ] = "http://127.0.0.1:8000",
) -> None:
    """Create an exercise and print its join links.

    One link per delegation, one for the chair, the facilitator and the observers.
    """
    _need_server()
    from accord.server.db import session_factory, upgrade
    from accord.server.service import create_exercise

    bots: dict[str, str] = {}
    for item in bot or []:
        party, name = party_negotiator("--bot", item, "dprk=boulware")
        bots[party] = name
    load_scenario(scenario_file)
    settings = _settings(database)
    upgrade(settings.database_url)
    with session_factory(settings.database_url)() as session:
        exercise, seats = create_exercise(
            session,
            scenario_file.read_text(encoding="utf-8"),
            format,
            bots=bots,
            source=str(scenario_file),
        )
    _print_links(f"Exercise {exercise.id}: {exercise.name}", exercise.id, seats, url, bots)


@exercise_app.command("export")
@user_errors
def exercise_export_command(
    exercise_id: Annotated[int, typer.Argument(help="The exercise number.", metavar="ID")],
    out: Annotated[
        Path, typer.Option("--out", "-o", help="The JSON file to write.", metavar="FILE.json")
    ],
    database: DatabaseOption = None,
) -> None:
    """Write a whole exercise (texts, messages, votes, timeline) to a JSON file."""
    _need_server()
    from accord.server.db import session_factory, upgrade
    from accord.server.service import export_exercise

    settings = _settings(database)
    upgrade(settings.database_url)
    with session_factory(settings.database_url)() as session:
        write_atomically(out, export_exercise(session, exercise_id))
    _console().print(f"Wrote {out}", markup=False)


@exercise_app.command("replay")
@user_errors
def exercise_replay_command(
    export_file: Annotated[
        Path,
        typer.Argument(help="A file written by 'accord exercise export'.", metavar="FILE.json"),
    ],
    database: DatabaseOption = None,
    url: Annotated[
        str,
        typer.Option("--url", help="Where the server is reachable, for the links.", metavar="URL"),
    ] = "http://127.0.0.1:8000",
) -> None:
    """Load an exported exercise again, with its archive open, for replay and debrief."""
    _need_server()
    from accord.server.db import session_factory, upgrade
    from accord.server.service import import_exercise

    try:
        data = export_file.read_bytes()  # checked as UTF-8 JSON by the import, with its name
    except OSError as exc:
        raise AccordError(f"{export_file}: cannot be read: {exc.strerror}") from None
    settings = _settings(database)
    upgrade(settings.database_url)
    with session_factory(settings.database_url)() as session:
        exercise, seats = import_exercise(session, data, source=str(export_file))
    _print_links(
        f"Loaded as exercise {exercise.id}: {exercise.name} (archive open: the debrief and "
        "the whole record, nothing more to negotiate)",
        exercise.id,
        seats,
        url,
    )


def _print_links(
    heading: str, exercise_id: int, seats: list[Any], url: str, bots: dict[str, str] | None = None
) -> None:
    """One join link per seat, under a heading."""
    bots = bots or {}
    console = _console()
    console.print(heading, markup=False)
    for seat in seats:
        who = seat.party or seat.role
        if seat.party in bots:  # the server's bot runner takes the seat with a token of its own
            line = f"  {who:12} {'delegation':28} played by software ({bots[seat.party]})"
        else:
            line = f"  {who:12} {seat.role:28} {url}/?exercise={exercise_id}&token={seat.token}"
        console.print(line, markup=False, soft_wrap=True)
