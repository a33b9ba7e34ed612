"""Software delegations: accord's negotiators taking a seat, acting through the same API as people.

``accord serve`` runs a :class:`BotRunner` beside the web server. For every
software delegation it reads the exercise over HTTP with that delegation's
own token, like any participant, and

* comments on every new version of the chair's text: the one-step change on
  one issue it most wants (its negotiator's critique), as an amendment;
* votes on every open proposal it has not voted on: accept if its negotiator
  would accept the proposal now, reject otherwise, with the reason.

It acts only while a round is open, as a person must.

Its sense of time is the further of two clocks: the text's progress (version
``v`` of at most ``horizon`` versions) and, when the round has a deadline, the
share of the round gone since the bot first saw it open. Time-based
negotiators concede as drafts go by or as the deadline nears, whichever is
further along.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading
from typing import Any

import httpx
import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import undefer

from accord.negotiation import (
    NegotiationDomain,
    NegotiationState,
    Negotiator,
    NegotiatorView,
    domain_from_scenario,
    make_negotiator,
)
from accord.scenario import parse_scenario
from accord.server.db import session_factory
from accord.server.models import Exercise, Participant
from accord.server.service import hash_token

__all__ = ["BotRunner", "BotSeat"]

log = logging.getLogger(__name__)


class BotSeat:
    """One software delegation: its negotiator, its domain, what it has already answered."""

    def __init__(
        self, exercise: Exercise, participant: Participant, horizon: int, token: str
    ) -> None:
        scenario = parse_scenario(exercise.scenario, source=f"exercise {exercise.id}")
        self.scenario = scenario
        self.exercise_id = exercise.id
        self.party = participant.party or ""
        self.token = token
        self.horizon = horizon
        self.domain: NegotiationDomain = domain_from_scenario(scenario, exercise.format)
        k = self.domain.index(self.party)
        self.negotiator: Negotiator = make_negotiator(participant.bot or "boulware")
        view = NegotiatorView(
            party=self.party,
            parties=self.domain.parties,
            space=self.domain.space,
            utility=self.domain.matrix[k],
            ufun=self.domain.utilities[k],
            reservation=float(self.domain.reservation[k]),
            trust={
                p: float(self.domain.trust_matrix[k, j])
                for j, p in enumerate(self.domain.parties)
                if j != k
            },
        )
        self.negotiator.bind(view, np.random.default_rng(participant.id))
        self.answered_version = 0
        self.voted: set[int] = set()
        self.step = 0  # where the negotiator is in its horizon (see progress)
        self.round_seen: tuple[int, dt.datetime] | None = None  # (round, first seen open)

    def progress(self, version: int, round_: dict[str, Any], now: dt.datetime) -> int:
        """The step of the horizon the bot is at: drafts gone by, or the round's clock.

        ``round_`` is the round as ``/me`` shows it; ``now`` is the current moment (UTC).
        """
        by_drafts = version - 1
        if self.round_seen is None or self.round_seen[0] != round_["number"]:
            self.round_seen = (round_["number"], now)
        by_clock = 0
        if round_.get("deadline"):
            start = self.round_seen[1]
            deadline = dt.datetime.fromisoformat(round_["deadline"])
            length = (deadline - start).total_seconds()
            share = 1.0 if length <= 0 else (now - start).total_seconds() / length
            by_clock = int(min(1.0, max(0.0, share)) * (self.horizon - 1))
        return min(max(by_drafts, by_clock), self.horizon - 1)

    def outcome(self, values: dict[str, float]) -> int:
        """The grid outcome nearest to a text's values."""
        return self.domain.space.outcome(self.domain.nearest_indices(values))

    def state(self, outcome: int) -> NegotiationState:
        """The negotiator's view of the table: where it is in its horizon, and the outcome."""
        return NegotiationState(self.step, self.horizon, outcome, "chair")

    def asks(self, issue_id: str, current: float, target: float) -> str:
        """A comment in the delegation's words: where the issue stands, where it should go."""
        issue = self.scenario.issue(issue_id)
        position = self.scenario.stance(self.party, issue_id).position
        toward = (
            ""
            if position is None
            else f", toward our stated position of {position:g} ({issue.reading(position)})"
        )
        return (
            f"{self.scenario.actor(self.party).name} asks to move “{issue.name}” from "
            f"{current:g} ({issue.reading(current)}) to {target:g} ({issue.reading(target)})"
            f"{toward}."
        )

    def because(self, values: dict[str, float], accept: bool) -> str:
        """A vote's reason: the issue that decides it, read against the stated position.

        Accepting, the issue this text brings closest to the delegation's position (for
        its weight); rejecting, the one it leaves furthest away.
        """
        gaps = []
        for issue in self.scenario.issues:
            stance = self.scenario.stance(self.party, issue.id)
            if issue.id in values and stance.position is not None:
                width = issue.scale.max - issue.scale.min
                gap = (stance.salience or 0.0) * abs(values[issue.id] - stance.position) / width
                gaps.append((gap, issue.id))
        if not gaps:
            return "acceptable at this stage" if accept else "not yet acceptable to us"
        _, issue_id = min(gaps) if accept else max(gaps)
        issue = self.scenario.issue(issue_id)
        value = values[issue_id]
        position = self.scenario.stance(self.party, issue_id).position
        assert position is not None  # only stated positions were weighed
        if accept:
            return (
                f"We can accept this: on “{issue.name}” it reads {value:g} "
                f"({issue.reading(value)}), close enough to our position at this stage."
            )
        return (
            f"Not yet: on “{issue.name}” it reads {value:g} ({issue.reading(value)}), "
            f"too far from our position of {position:g} ({issue.reading(position)})."
        )

    def act(self, client: httpx.Client, base: str) -> None:
        """Answer what is new: the latest text, and open proposals."""
        headers = {"Authorization": f"Bearer {self.token}"}
        round_ = client.get(f"{base}/me", headers=headers).json()["round"]
        if round_["state"] != "open":
            return  # nothing is negotiated between rounds; answer when the next one opens
        text = client.get(f"{base}/text", headers=headers).json()["current"]
        version = int(text["version"])
        self.step = self.progress(version, round_, dt.datetime.now(dt.UTC))
        if version > self.answered_version:
            outcome = self.outcome(text["values"])
            critique = self.negotiator.critique(self.state(outcome), outcome)
            if critique is not None and critique.issue is not None:
                issue = self.domain.space.issues[critique.issue]
                current = self.domain.space.value_indices(outcome)[critique.issue]
                target = float(issue.values[int(current) + critique.direction])
                # The domain names its issues by the scenario's ids.
                body = {
                    "version": version,
                    "issue": issue.name,
                    "body": self.asks(issue.name, float(issue.values[int(current)]), target),
                    "amendment": target,
                }
                answer = client.post(f"{base}/comments", json=body, headers=headers)
                if answer.status_code != 201:  # a newer text, or the round closed: next pass
                    return
            self.answered_version = version
        for proposal in client.get(f"{base}/proposals", headers=headers).json():
            if proposal["state"] != "open" or proposal["id"] in self.voted:
                continue
            outcome = self.outcome({**text["values"], **proposal["values"]})
            accept = self.negotiator.respond(self.state(outcome), outcome, "proposer")
            reason = self.because({**text["values"], **proposal["values"]}, accept)
            vote = {"choice": "accept" if accept else "reject", "reason": reason}
            url = f"{base}/proposals/{proposal['id']}/votes"
            if client.post(url, json=vote, headers=headers).status_code == 201:
                self.voted.add(proposal["id"])


class BotRunner:
    """Runs every software delegation of the server's database, in a background thread."""

    def __init__(
        self, database_url: str, base_url: str, interval: float = 1.0, horizon: int = 10
    ) -> None:
        self.database_url = database_url
        self.base_url = base_url.rstrip("/")
        self.interval = interval
        self.horizon = horizon
        self.seats: dict[int, BotSeat] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="accord-bots", daemon=True)

    def start(self) -> None:
        """Start acting."""
        self._thread.start()

    def stop(self) -> None:
        """Stop after the current pass."""
        self._stop.set()

    def _discover(self) -> None:
        """Take the seat of every software delegation not yet taken.

        The runner gives each seat it takes a new token, kept only in this process's
        memory; the database keeps its hash, as for every seat. (So the database never
        holds a usable token, and a second runner on the same database would take the
        seats over from the first: run one per database.)
        """
        with session_factory(self.database_url)() as session:
            rows: list[Any] = list(
                session.execute(
                    select(Participant, Exercise)
                    .join(Exercise, Exercise.id == Participant.exercise_id)
                    .where(Participant.bot.is_not(None), Exercise.archive_open.is_(False))
                    .options(undefer(Exercise.scenario))  # read after the session closes
                )
            )
            new = [(p, e) for p, e in rows if p.id not in self.seats]
            tokens = {p.id: secrets.token_urlsafe(24) for p, _ in new}
            for participant, _ in new:
                participant.token_hash = hash_token(tokens[participant.id])
            session.commit()
        for participant, exercise in new:
            seat = BotSeat(exercise, participant, self.horizon, tokens[participant.id])
            self.seats[participant.id] = seat

    def _loop(self) -> None:
        with httpx.Client(base_url=self.base_url, timeout=10) as client:
            while not self._stop.wait(self.interval):
                try:
                    self._discover()
                    for seat in list(self.seats.values()):
                        seat.act(client, f"/api/exercises/{seat.exercise_id}")
                except Exception:  # a bot must never take the server down; log and try again
                    log.exception("software delegation pass failed")
