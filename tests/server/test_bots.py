"""A software delegation's sense of time: drafts gone by, or the round's clock."""

from __future__ import annotations

import datetime as dt

from accord.server.bots import BotSeat
from accord.server.models import Exercise, Participant
from tests.server.conftest import SCENARIO

START = dt.datetime(2026, 11, 29, 9, 0, tzinfo=dt.UTC)


def _seat(horizon: int = 11) -> BotSeat:
    exercise = Exercise(id=1, scenario=SCENARIO, format="bilateral-us-dprk")
    participant = Participant(id=7, party="dprk", bot="boulware")
    return BotSeat(exercise, participant, horizon, token="t")


def _round(number: int, deadline: dt.datetime | None) -> dict[str, object]:
    return {"number": number, "state": "open", "deadline": deadline and deadline.isoformat()}


def test_without_a_deadline_time_is_the_drafts() -> None:
    seat = _seat()
    assert seat.progress(1, _round(1, None), START) == 0
    assert seat.progress(4, _round(1, None), START + dt.timedelta(hours=5)) == 3
    assert seat.progress(40, _round(1, None), START) == 10  # never past the horizon


def test_a_deadline_runs_the_clock_from_when_the_round_was_first_seen() -> None:
    seat = _seat()
    deadline = START + dt.timedelta(minutes=50)
    assert seat.progress(1, _round(1, deadline), START) == 0
    assert seat.progress(1, _round(1, deadline), START + dt.timedelta(minutes=25)) == 5
    assert seat.progress(8, _round(1, deadline), START + dt.timedelta(minutes=25)) == 7  # drafts
    assert seat.progress(1, _round(1, deadline), START + dt.timedelta(hours=2)) == 10
    # A new round starts its own clock.
    later = START + dt.timedelta(hours=3)
    assert seat.progress(1, _round(2, later + dt.timedelta(minutes=50)), later) == 0


def test_a_boulware_delegation_concedes_as_the_deadline_nears() -> None:
    seat = _seat()
    deadline = START + dt.timedelta(minutes=50)
    seat.step = seat.progress(1, _round(1, deadline), START)
    early = seat.negotiator.propose(seat.state(0))
    seat.step = seat.progress(1, _round(1, deadline), START + dt.timedelta(minutes=49))
    late = seat.negotiator.propose(seat.state(0))
    k = seat.domain.index("dprk")
    assert seat.domain.matrix[k][late] < seat.domain.matrix[k][early]
