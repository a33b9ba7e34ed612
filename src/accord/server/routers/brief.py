"""A delegation's brief: its positions and priorities as the scenario states them."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException

from accord.server.deps import DelegationSeat
from accord.server.views import ERRORS, BriefView

router = APIRouter(prefix="/api/exercises/{exercise_id}", tags=["brief"], responses=ERRORS)


def priority(salience: float | None) -> str:
    """A salience (0–1) in words, as a brief would put it."""
    if salience is None:
        return "no stated position"
    if salience >= 0.7:
        return "a top priority"
    if salience >= 0.4:
        return "a priority"
    return "a lesser concern"


@router.get("/brief", response_model=BriefView)
def brief(seat: DelegationSeat) -> dict[str, Any]:
    """The delegation's brief: who it is, and where it stands on each issue, with sources.

    Only the delegation's own brief: another's positions are for it to reveal at the
    table. The status quo on each issue is where things stand without an agreement.
    """
    scenario = seat.scenario
    party = seat.participant.party
    if party is None or party not in scenario.actor_ids:  # pragma: no cover - seats come from it
        raise HTTPException(404, "this seat has no party in the scenario")
    actor = scenario.actor(party)
    issues = []
    for issue in scenario.issues:
        stance = scenario.stance(party, issue.id)
        quo = issue.status_quo.value if issue.status_quo is not None else None
        position = stance.position
        issues.append(
            {
                "id": issue.id,
                "name": issue.name,
                "position": position,
                "position_reading": "" if position is None else issue.reading(position),
                "priority": priority(stance.salience),
                "source": stance.entry.source
                or (stance.entry.position.source if stance.entry.position else "")
                or "",
                "note": stance.entry.note,
                "status_quo": quo,
                "status_quo_reading": "" if quo is None else issue.reading(quo),
            }
        )
    return {
        "party": party,
        "name": actor.name,
        "description": actor.description,
        "instructions": actor.instructions,
        "reservation": None if actor.reservation is None else actor.reservation.value,
        "issues": issues,
    }
