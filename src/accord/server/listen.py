"""Live updates across server processes on PostgreSQL: LISTEN/NOTIFY rings the bell.

A transaction that records events in an exercise also sends ``NOTIFY`` on
:data:`CHANNEL` with the exercise's id (see :func:`accord.server.service.record`);
PostgreSQL delivers it when, and only if, the transaction commits. Each server
process keeps one connection listening on the channel, in a thread, and rings its
own bell for every notification: pages open on any process hear of writes made
through any other within milliseconds instead of at the next recheck.
"""

from __future__ import annotations

import logging
import threading

from accord.server.bell import Bell

__all__ = ["CHANNEL", "Listener"]

CHANNEL = "accord_events"
"""The PostgreSQL notification channel; the payload is an exercise id."""

log = logging.getLogger(__name__)


class Listener:
    """A thread that rings ``bell`` for every notification on :data:`CHANNEL`."""

    RETRY_SECONDS = 1.0
    """How long to wait before listening again after the connection is lost."""

    def __init__(self, database_url: str, bell: Bell) -> None:
        from sqlalchemy.engine import make_url

        # psycopg takes a libpq URL: postgresql://, without SQLAlchemy's +driver.
        self._url = make_url(database_url).set(drivername="postgresql")
        self._bell = bell
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="accord-listen", daemon=True)
        self.listening = threading.Event()
        """Set once the connection listens (tests wait on it)."""

    def start(self) -> None:
        """Start listening, in a thread of its own."""
        self._thread.start()

    def stop(self) -> None:
        """Stop listening (within a second) and close the connection."""
        self._stop.set()
        self._thread.join(timeout=5)

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(
                    self._url.render_as_string(hide_password=False), autocommit=True
                ) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._stop.is_set():
                        for note in connection.notifies(timeout=1.0):
                            if note.payload.isdigit():
                                self._bell.ring(int(note.payload))
            except psycopg.Error as exc:  # the database restarted, or is unreachable
                self.listening.clear()
                log.warning("listening for other processes' writes failed (%s); retrying", exc)
                self._stop.wait(self.RETRY_SECONDS)
