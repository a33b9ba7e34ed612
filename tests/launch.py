"""Start an exercise server in a separate process (for tests, benchmarks and scripts)."""

from __future__ import annotations

import socket
import subprocess
import sys
import time

import httpx

from accord.errors import AccordError

__all__ = ["answering", "free_port", "start_server"]


def free_port() -> int:
    """A free TCP port on the loopback address."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    database: str, port: int, log: str | None = None, wait: float = 30.0, workers: int = 1
) -> subprocess.Popen[bytes]:
    """``accord serve`` on 127.0.0.1:``port``; returns once it answers (or raises)."""
    command = [sys.executable, "-m", "accord", "serve", "--database", database, "--port", str(port)]
    command += ["--workers", str(workers)]
    # A process group of its own: with --workers, killing the group stops every process.
    if log is None:
        proc = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
        )
    else:
        with open(log, "w") as errors:  # the child keeps its own copy of the descriptor
            proc = subprocess.Popen(
                command, stdout=subprocess.DEVNULL, stderr=errors, start_new_session=True
            )
    return answering(proc, port, wait)


def answering(
    proc: subprocess.Popen[bytes], port: int, wait: float = 30.0
) -> subprocess.Popen[bytes]:
    """``proc`` once its server on 127.0.0.1:``port`` answers; killed, and an error, if not."""
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        try:
            httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise AccordError(f"the server on port {port} did not start within {wait:g} s")
