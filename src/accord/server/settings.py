"""Server settings, from arguments or ``ACCORD_*`` environment variables."""

from __future__ import annotations

from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["ServerSettings"]


class ServerSettings(BaseSettings):
    """Where the server listens and which database it keeps its exercises in.

    The default is an embedded SQLite file in the working folder: no set-up.
    ``postgresql+psycopg://user:pass@host/db`` (or ``postgresql://``) for shared deployments.
    """

    model_config = SettingsConfigDict(env_prefix="ACCORD_")

    database_url: str = "sqlite:///accord-exercises.db"
    host: str = "127.0.0.1"
    port: int = 8000
    clock_seconds: float = 1.0
    """How often the server closes rounds whose deadline has passed (0: never, for tests)."""
    max_body_bytes: int = 1_000_000
    """The largest request body the server reads; larger ones get 413 before parsing."""
    seat_writes_per_minute: float = 120.0
    """Writes one seat may make a minute on average (0: no limit); faster ones get 429."""
    seat_write_burst: int = 30
    """Writes one seat may make at once before the per-minute pace applies."""
    events_recheck_seconds: float = 5.0
    """How often an open page's live-update stream looks at the database unwoken.

    Writes made through this server wake the pages of their exercise at once; this
    catches writes by other processes (a second server, the command line).
    """
