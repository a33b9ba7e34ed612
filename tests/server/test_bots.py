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


def test_a_software_delegation_speaks_in_the_scenarios_words() -> None:
    seat = _seat()
    said = seat.asks("nuclear", 50, 25)
    # The delegation's name, the issue's name and readings, and its own stated position.
    assert said.startswith("Democratic People's Republic of Korea asks to move “DPRK nuclear")
    assert "from 50 (" in said and "to 25 (" in said
    assert "toward our stated position of" in said
    assert "move nuclear" not in said and "“nuclear”" not in said  # no internal ids


def test_a_software_delegations_vote_names_the_issue_that_decides_it() -> None:
    seat = _seat()
    far = {"nuclear": 100.0, "talks-format": 100.0}
    against = seat.because(far, accept=False)
    assert against.startswith("Not yet: on “")
    assert "too far from our position of" in against
    own = {i.id: seat.scenario.stance("dprk", i.id).position or 0.0 for i in seat.scenario.issues}
    assert seat.because(own, accept=True).startswith("We can accept this: on “")
    # Different texts, different reasons: not one sentence repeated.
    assert seat.because(far, accept=False) != seat.because(own, accept=False)
