"""Who has a page open: the seats with a live-update stream, per exercise.

Counted by this server process (a seat with two tabs open counts once); the chair's and
facilitator's dashboards show it. Pages served by another process are not seen here.
"""

from __future__ import annotations

from collections import Counter

__all__ = ["Presence"]


class Presence:
    """Open live-update streams per (exercise, seat)."""

    def __init__(self) -> None:
        self._open: Counter[tuple[int, int]] = Counter()

    def arrive(self, exercise_id: int, seat_id: int) -> None:
        """A page of the seat opened its stream."""
        self._open[exercise_id, seat_id] += 1

    def leave(self, exercise_id: int, seat_id: int) -> None:
        """A page of the seat closed its stream."""
        self._open[exercise_id, seat_id] -= 1
        if self._open[exercise_id, seat_id] <= 0:
            del self._open[exercise_id, seat_id]

    def online(self, exercise_id: int) -> list[int]:
        """The seats of the exercise with a page open, by id."""
        return sorted(seat for (exercise, seat) in list(self._open) if exercise == exercise_id)
