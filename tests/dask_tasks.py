"""A task for Dask workers started as separate processes (they import it by name).

Each call leaves a mark saying which process started it; the task chosen as the victim
waits, after its mark, until the test says it may finish, so that the test can kill the
worker running it at a known moment.
"""

from __future__ import annotations

import os
import time
from pathlib import Path


def marked_square(item: tuple[str, int, int]) -> int:
    """``n * n``, after leaving ``started-<n>-<pid>`` in ``folder``."""
    folder, n, victim = item
    marks = Path(folder)
    (marks / f"started-{n}-{os.getpid()}").touch()
    if n == victim:
        deadline = time.monotonic() + 120
        while not (marks / "release").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    return n * n
