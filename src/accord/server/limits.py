"""Limits: request bodies are capped before anything reads them; each seat's writes are paced.

A body larger than the limit is refused with 413 as soon as its declared length
(or, without one, the bytes received so far) passes the limit: nothing parses it,
whether or not the request carries a valid token, and memory stays flat.

A seat writing faster than its pace is answered 429 with the seconds to wait
(``Retry-After``): one delegation's script cannot flood the table or the database.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable

from fastapi import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["BodyLimit", "SeatRate"]


class SeatRate:
    """A token bucket per seat: ``per_minute`` writes on average, ``burst`` at once.

    ``per_minute`` 0 switches the limit off. Counted per server process.
    """

    def __init__(
        self, per_minute: float, burst: int, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self._clock = clock
        self._buckets: dict[int, tuple[float, float]] = {}  # seat: (tokens, when counted)
        self._lock = threading.Lock()

    def take(self, seat_id: int) -> None:
        """Count one write of the seat, or refuse it with 429 and the seconds to wait."""
        if self.rate <= 0:
            return
        with self._lock:
            now = self._clock()
            tokens, then = self._buckets.get(seat_id, (self.burst, now))
            tokens = min(self.burst, tokens + (now - then) * self.rate)
            if tokens < 1.0:
                self._buckets[seat_id] = (tokens, now)
                wait = math.ceil((1.0 - tokens) / self.rate)
                raise HTTPException(
                    429,
                    f"this seat is writing faster than the server allows "
                    f"({self.rate * 60:g} a minute); nothing was recorded — try again in {wait} s",
                    headers={"Retry-After": str(wait)},
                )
            self._buckets[seat_id] = (tokens - 1.0, now)


class BodyLimit:
    """ASGI middleware: 413 for a request body over ``limit`` bytes."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def _refuse(self, send: Send) -> None:
        body = json.dumps(
            {"detail": f"the request body is larger than {self.limit:,} bytes; send less"}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on, unless its body is or becomes too large."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared: int | None = None
        for name, value in scope.get("headers") or ():
            if name == b"transfer-encoding":  # sent in chunks: counted as they come
                declared = None
                break
            if name == b"content-length" and value.isdigit():
                declared = int(value)
        if declared is not None:
            if declared > self.limit:
                await self._refuse(send)
            else:  # the HTTP server delivers no more than the declared length
                await self.app(scope, receive, send)
            return
        received = 0
        started = refused = False

        async def counted() -> Message:
            nonlocal received, refused
            if refused:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit and not started:
                    # Answer now and tell the app the client has gone: it stops reading,
                    # and whatever it then tries to send is dropped.
                    refused = True
                    await self._refuse(send)
                    return {"type": "http.disconnect"}
            return message

        async def watched(message: Message) -> None:
            nonlocal started
            if refused:
                return
            started = started or message["type"] == "http.response.start"
            await send(message)

        await self.app(scope, counted, watched)

    def __repr__(self) -> str:  # pragma: no cover - for debugging
        return f"BodyLimit(limit={self.limit})"
