"""The chair's single negotiating text, versioned, and the delegations' comments on it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from accord.scenario import Issue
from accord.server.agenda import (
    agenda,
    check_issue,
    check_value,
    check_values,
    issue_view,
    on_the_text,
    readings,
)
from accord.server.deps import AnySeat, AppWrites, ChairWrite, DbSession, DelegationWrite, Seat
from accord.server.models import Comment, TextVersion, insert_row
from accord.server.rounds import as_utc, require_open_round
from accord.server.schemas import CommentCreate, TextRevise
from accord.server.service import record
from accord.server.views import ERRORS, CommentReceipt, CommentView, TextPage, TextView

router = APIRouter(prefix="/api/exercises/{exercise_id}", tags=["text"], responses=ERRORS)


_CURRENT_TEXT = (
    select(TextVersion)
    .where(TextVersion.exercise_id == bindparam("exercise_id"))
    .order_by(TextVersion.version.desc())
    .limit(1)
)
"""Built once: every comment reads the current text (see rounds._CURRENT_ROUND)."""
_texts = TextVersion.__table__
_TEXT_NOW = (
    select(*_texts.c["version", "values"])
    .where(_texts.c.exercise_id == bindparam("exercise_id"))
    .order_by(_texts.c.version.desc())
    .limit(1)
)
"""What a comment checks of the text: its columns, from the table (see rounds._ROUND_NOW)."""


def current_text(session: Session, exercise_id: int) -> TextVersion:
    """The newest version of the text."""
    return session.scalars(_CURRENT_TEXT, {"exercise_id": exercise_id}).one()


def _public(
    text: TextVersion, previous: TextVersion | None, issues: dict[str, Issue]
) -> dict[str, Any]:
    """A version: its values (and in words), its brackets, and what it changed."""
    changed = {
        k: {"from": previous.values.get(k), "to": v}
        for k, v in text.values.items()
        if previous is not None and previous.values.get(k) != v
    }
    before = set(previous.brackets) if previous is not None else set()
    return {
        "version": text.version,
        "values": text.values,
        "readings": readings(issues, text.values),
        "brackets": text.brackets,
        "note": text.note,
        "created_at": as_utc(text.created_at).isoformat(),
        "changes": changed,
        "bracketed": sorted(set(text.brackets) - before),
        "agreed": sorted(before - set(text.brackets)),
    }


@router.get("/text", response_model=TextPage)
def get_text(seat: AnySeat, session: DbSession) -> dict[str, Any]:
    """The current text and the history of versions, each with what it changed."""
    versions = list(
        session.scalars(
            select(TextVersion)
            .filter_by(exercise_id=seat.exercise_id)
            .order_by(TextVersion.version)
        )
    )
    issues = agenda(seat.scenario)
    history = [_public(v, versions[k - 1] if k else None, issues) for k, v in enumerate(versions)]
    on_table = {key: issue_view(issues[key]) for key in versions[-1].values if key in issues}
    return {"current": history[-1], "history": history, "issues": on_table}


@router.post("/text", status_code=201, response_model=TextView)
async def revise_text(body: TextRevise, seat: ChairWrite, writes: AppWrites) -> dict[str, Any]:
    """The chair issues a new version; refused with 409 if someone else revised it first."""
    return await writes.act(seat, _revise_text, body)


def _revise_text(session: Session, seat: Seat, body: TextRevise) -> dict[str, Any]:
    require_open_round(session, seat.exercise_id)
    text = current_text(session, seat.exercise_id)
    if body.base_version != text.version:
        raise HTTPException(
            409,
            f"the text is at version {text.version}, not {body.base_version}; "
            "reload it and apply your changes again",
        )
    issues = on_the_text(seat.scenario, text.values)
    check_values(issues, body.values, "values")
    brackets = text.brackets if body.brackets is None else sorted(set(body.brackets))
    for bracketed in brackets:
        check_issue(issues, bracketed, "brackets")
    new = TextVersion(
        exercise_id=seat.exercise_id,
        version=text.version + 1,
        values={**text.values, **body.values},
        brackets=brackets,
        note=body.note,
        author_id=seat.id,
    )
    session.add(new)
    session.flush()
    record(session, seat.exercise_id, "text", {"version": new.version})
    return _public(new, text, issues)


def _can_read_comment(seat: Seat, comment: Comment) -> bool:
    return (
        seat.exercise.archive_open
        or seat.role in ("chair", "facilitator")
        or comment.author_id == seat.id
    )


@router.get("/comments", response_model=list[CommentView])
def list_comments(seat: AnySeat, session: DbSession) -> list[dict[str, Any]]:
    """Comments the seat may read: its own; all for the chair and the facilitator.

    Everyone reads all of them once the archive opens.
    """
    rows = session.scalars(
        select(Comment).filter_by(exercise_id=seat.exercise_id).order_by(Comment.id)
    )
    return [
        {
            "id": c.id,
            "version": c.version,
            "issue": c.issue,
            "body": c.body,
            "amendment": c.amendment,
            "author_id": c.author_id,
        }
        for c in rows
        if _can_read_comment(seat, c)
    ]


@router.post("/comments", status_code=201, response_model=CommentReceipt)
async def add_comment(
    body: CommentCreate, seat: DelegationWrite, writes: AppWrites
) -> dict[str, Any]:
    """A delegation comments on one issue of the current text (or proposes an amendment)."""
    return await writes.act(seat, _add_comment, body)


def _add_comment(session: Session, seat: Seat, body: CommentCreate) -> dict[str, Any]:
    require_open_round(session, seat.exercise_id)
    text = session.execute(_TEXT_NOW, {"exercise_id": seat.exercise_id}).one()
    if body.version != text.version:
        raise HTTPException(
            409, f"the text is now at version {text.version}; comment on the current version"
        )
    issues = on_the_text(seat.scenario, text.values)
    check_issue(issues, body.issue, "issue")
    if body.amendment is not None:
        check_value(issues, body.issue, body.amendment, "amendment")
    comment_id = insert_row(
        session,
        Comment,
        exercise_id=seat.exercise_id,
        version=body.version,
        issue=body.issue,
        body=body.body,
        amendment=body.amendment,
        author_id=seat.id,
    )
    # Audience: the author; the chair and the facilitator see comment events by role.
    payload = {"id": comment_id, "issue": body.issue, "by": seat.id}
    record(session, seat.exercise_id, "comment", payload, [seat.id])
    return {"id": comment_id, "version": body.version, "issue": body.issue}
