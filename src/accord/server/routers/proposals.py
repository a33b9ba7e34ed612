"""Proposals with sponsors, and votes hidden until the vote closes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException
from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.agenda import agenda, check_values
from accord.server.deps import (
    AllowedToWrite,
    AnySeat,
    AppWrites,
    ChairWrite,
    DbSession,
    DelegationWrite,
    RecordId,
    Seat,
    delegation_ids,
    delegations,
)
from accord.server.models import Proposal, Vote
from accord.server.rounds import require_open_round
from accord.server.schemas import CosponsorAnswer, ProposalCreate, VoteClose, VoteCreate
from accord.server.service import record
from accord.server.views import ERRORS, ProposalView

router = APIRouter(prefix="/api/exercises/{exercise_id}", tags=["proposals"], responses=ERRORS)


ProposerWrite = Annotated[Seat, Depends(AllowedToWrite("delegation", "chair"))]
"""Who may table a proposal: a delegation, or the chair putting its text to the vote."""


def _public(seat: Seat, session: DbSession, proposal: Proposal) -> dict[str, Any]:
    votes = list(session.scalars(select(Vote).filter_by(proposal_id=proposal.id)))
    shown = [v for v in votes if proposal.state != "open" or v.participant_id == seat.id]
    return {
        "id": proposal.id,
        "title": proposal.title,
        "values": proposal.values,
        "sponsor_id": proposal.sponsor_id,
        "cosponsors": proposal.cosponsors,
        "invited": proposal.invited,
        "state": proposal.state,
        "votes_cast": len(votes),
        "votes": [
            {"participant_id": v.participant_id, "choice": v.choice, "reason": v.reason}
            for v in shown
        ],
    }


def _proposal(session: DbSession, seat: Seat, proposal_id: int) -> Proposal:
    proposal = session.get(Proposal, proposal_id)
    if proposal is None or proposal.exercise_id != seat.exercise_id:
        raise HTTPException(404, f"no proposal {proposal_id} in this exercise")
    return proposal


@router.get("/proposals", response_model=list[ProposalView])
def list_proposals(seat: AnySeat, session: DbSession) -> list[dict[str, Any]]:
    """Every proposal, to every seat; others' votes only once the vote has closed."""
    rows = session.scalars(
        select(Proposal).filter_by(exercise_id=seat.exercise_id).order_by(Proposal.id)
    )
    return [_public(seat, session, p) for p in rows]


@router.post("/proposals", status_code=201, response_model=ProposalView)
async def add_proposal(
    body: ProposalCreate, seat: ProposerWrite, writes: AppWrites
) -> dict[str, Any]:
    """A delegation or the chair tables a proposal, inviting delegations to co-sponsor it.

    The chair puts its text to the vote this way (the chair does not vote). A co-sponsor
    is named only once it accepts the invitation (``/cosponsorship``): no delegation's
    name is put to a text without its consent.
    """
    return await writes.act(seat, _add_proposal, body)


def _add_proposal(session: Session, seat: Seat, body: ProposalCreate) -> dict[str, Any]:
    require_open_round(session, seat.exercise_id)
    check_values(agenda(seat.scenario), body.values, "values")
    repeated = sorted({p for p in body.cosponsors if body.cosponsors.count(p) > 1})
    if repeated:
        raise HTTPException(422, f"co-sponsors named more than once: {repeated}; name each once")
    cosponsors = delegation_ids(session, seat.exercise_id, body.cosponsors, "co-sponsors")
    if seat.id in cosponsors:
        raise HTTPException(
            422,
            "a delegation sponsors its own proposal; name only other delegations as co-sponsors",
        )
    proposal = Proposal(
        exercise_id=seat.exercise_id,
        title=body.title,
        values=body.values,
        sponsor_id=seat.id,
        cosponsors=[],
        invited=cosponsors,
    )
    session.add(proposal)
    session.flush()
    record(session, seat.exercise_id, "proposal", {"id": proposal.id, "title": body.title})
    if cosponsors:  # the invitation reaches the invited delegations (and the sponsor) only
        invitation = {"proposal": proposal.id, "title": body.title}
        record(session, seat.exercise_id, "invitation", invitation, [seat.id, *cosponsors])
    return _public(seat, session, proposal)


@router.post("/proposals/{proposal_id}/cosponsorship", response_model=ProposalView)
async def answer_invitation(
    proposal_id: RecordId, body: CosponsorAnswer, seat: DelegationWrite, writes: AppWrites
) -> dict[str, Any]:
    """An invited delegation accepts or declines to co-sponsor an open proposal."""
    return await writes.act(seat, _answer_invitation, proposal_id, body)


def _answer_invitation(
    session: Session, seat: Seat, proposal_id: RecordId, body: CosponsorAnswer
) -> dict[str, Any]:
    proposal = _proposal(session, seat, proposal_id)
    if seat.id not in proposal.invited:
        raise HTTPException(
            409, f"your delegation has no open invitation to co-sponsor proposal {proposal_id}"
        )
    if proposal.state != "open":
        raise HTTPException(409, f"the vote on proposal {proposal_id} is closed ({proposal.state})")
    proposal.invited = [i for i in proposal.invited if i != seat.id]
    if body.accept:
        proposal.cosponsors = [*proposal.cosponsors, seat.id]
        record(session, seat.exercise_id, "cosponsor", {"proposal": proposal.id, "party": seat.id})
    return _public(seat, session, proposal)


@router.post("/proposals/{proposal_id}/votes", status_code=201, response_model=ProposalView)
async def vote(
    proposal_id: RecordId, body: VoteCreate, seat: DelegationWrite, writes: AppWrites
) -> dict[str, Any]:
    """A delegation votes (or changes its vote) while the vote is open."""
    return await writes.act(seat, _vote, proposal_id, body)


def _vote(session: Session, seat: Seat, proposal_id: RecordId, body: VoteCreate) -> dict[str, Any]:
    require_open_round(session, seat.exercise_id)
    proposal = _proposal(session, seat, proposal_id)
    if proposal.state != "open":
        raise HTTPException(409, f"the vote on proposal {proposal_id} is closed ({proposal.state})")
    existing = session.scalars(
        select(Vote).filter_by(proposal_id=proposal.id, participant_id=seat.id)
    ).one_or_none()
    if existing is None:
        session.add(
            Vote(
                proposal_id=proposal.id,
                participant_id=seat.id,
                choice=body.choice,
                reason=body.reason,
            )
        )
    else:
        existing.choice, existing.reason = body.choice, body.reason
    # Everyone may learn who has voted (the count is public), not how.
    payload = {"proposal": proposal.id, "by": seat.id, "changed": existing is not None}
    record(session, seat.exercise_id, "vote", payload)
    return _public(seat, session, proposal)


@router.post("/proposals/{proposal_id}/close", response_model=ProposalView)
async def close_vote(
    proposal_id: RecordId, seat: ChairWrite, writes: AppWrites, body: VoteClose | None = None
) -> dict[str, Any]:
    """The chair closes the vote.

    Consensus (every delegation accepts or abstains, none missing, one accepts)
    adopts the proposal as a joint statement; otherwise the chair records it in
    a chair's statement, in the chair's words when given (on the timeline and in the
    debrief). A vote closes only this way: it never expires silently.
    """
    return await writes.act(seat, _close_vote, proposal_id, body)


def _close_vote(
    session: Session, seat: Seat, proposal_id: RecordId, body: VoteClose | None
) -> dict[str, Any]:
    proposal = _proposal(session, seat, proposal_id)
    if proposal.state != "open":
        raise HTTPException(
            409, f"the vote on proposal {proposal_id} is already closed ({proposal.state})"
        )
    seated = delegations(session, seat.exercise_id)
    votes = {
        v.participant_id: v.choice
        for v in session.scalars(select(Vote).filter_by(proposal_id=proposal.id))
    }
    consensus = all(votes.get(p.id) in ("accept", "abstain") for p in seated.values()) and any(
        c == "accept" for c in votes.values()
    )
    proposal.state = "adopted" if consensus else "rejected"
    statement = "joint statement" if consensus else "chair's statement"
    payload = {"proposal": proposal.id, "state": proposal.state, "statement": statement}
    words = (body.statement.strip() if body else "") if not consensus else ""
    if words:
        payload["chair_statement"] = words
    record(session, seat.exercise_id, "vote-closed", payload)
    return {**_public(seat, session, proposal), "statement": statement}
