"""The debrief: what the room adopted, in words, beside what the models forecast.

Told as a trainer would tell it: whether anything was adopted and by which vote; if
not, which votes failed and that the chair's latest draft binds no one; the text issue
by issue in the scenario's own words; each delegation's outcome against its
reservation; and the models' forecasts and the Nash point, each with what it means.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from accord.server.models import Event, Exercise, Proposal, TextVersion, Vote

__all__ = ["debrief_of", "final_text_of"]

MODELS = ("mean", "median", "nash", "expected-utility")


def _tally(session: Session, proposal: Proposal) -> dict[str, int]:
    counts = {"accept": 0, "reject": 0, "abstain": 0}
    for vote in session.scalars(select(Vote).filter_by(proposal_id=proposal.id)):
        counts[vote.choice] = counts.get(vote.choice, 0) + 1
    return counts


def _vote_in_words(proposal: Proposal, tally: dict[str, int]) -> str:
    def count(n: int, word: str) -> str:
        return f"{n} {word}"

    return (
        f"proposal #{proposal.id}, “{proposal.title}”: "
        f"{count(tally['accept'], 'for')}, {count(tally['reject'], 'against')}, "
        f"{count(tally['abstain'], 'abstaining')}"
    )


def _chair_statements(session: Session, exercise_id: int) -> dict[int, str]:
    """The chair's words on each failed vote, by proposal, where the chair wrote some."""
    closed = session.scalars(select(Event).filter_by(exercise_id=exercise_id, kind="vote-closed"))
    return {
        int(e.payload["proposal"]): str(e.payload["chair_statement"])
        for e in closed
        if e.payload.get("chair_statement")
    }


def _verdict(session: Session, exercise: Exercise) -> tuple[Proposal | None, TextVersion, str]:
    """The adopted proposal (if any), the chair's latest text, and the outcome in words."""
    proposals = list(
        session.scalars(select(Proposal).filter_by(exercise_id=exercise.id).order_by(Proposal.id))
    )
    latest = session.scalars(
        select(TextVersion)
        .filter_by(exercise_id=exercise.id)
        .order_by(TextVersion.version.desc())
        .limit(1)
    ).one()
    adopted = next((p for p in reversed(proposals) if p.state == "adopted"), None)
    rejected = [p for p in proposals if p.state == "rejected"]
    still_open = [p for p in proposals if p.state == "open"]
    if adopted is not None:
        words = (
            f"Adopted by consensus as a joint statement: "
            f"{_vote_in_words(adopted, _tally(session, adopted))}."
        )
    else:
        words = "Nothing was adopted."
        if rejected:
            said = _chair_statements(session, exercise.id)
            failed = "; ".join(
                _vote_in_words(p, _tally(session, p))
                + (f" (the chair's statement: “{said[p.id]}”)" if p.id in said else "")
                for p in rejected
            )
            words += f" Put to the vote and not adopted: {failed}."
        else:
            words += " No proposal was put to a vote and closed."
        words += (
            f" The text below is the chair's latest draft (version {latest.version}), "
            "which binds no one."
        )
    if still_open:
        words += " Votes never closed: " + ", ".join(f"#{p.id}" for p in still_open) + "."
    return adopted, latest, words


def debrief_of(session: Session, exercise: Exercise) -> dict[str, Any]:
    """The debrief of an exercise, as data for the page (see ``views.DebriefView``)."""
    from accord.forecasting import MODELS as KNOWN
    from accord.forecasting import forecast
    from accord.negotiation import domain_from_scenario, nash_point, utilities_of
    from accord.server.agenda import scenario_of

    scenario = scenario_of(exercise)
    table = exercise.format
    adopted, latest, verdict = _verdict(session, exercise)
    text = {**latest.values, **(adopted.values if adopted is not None else {})}
    forecasts = forecast(scenario, models=list(MODELS), format_id=table)
    domain = domain_from_scenario(scenario, table)
    nash = nash_point(domain.matrix, domain.reservation)
    # The domain's issues are named by their ids.
    nash_values = None if nash is None else {k: float(v) for k, v in domain.describe(nash).items()}
    utilities = utilities_of(scenario, text, format_id=table)
    nash_utilities = (
        None if nash_values is None else utilities_of(scenario, nash_values, format_id=table)
    )
    reservation = dict(zip(domain.parties, domain.reservation.tolist(), strict=True))
    names = {a.id: a.name for a in scenario.actors}
    issues = [
        {
            "id": issue.id,
            "name": issue.name,
            "value": text[issue.id],
            "reading": issue.reading(text[issue.id]),
            "nash": None if nash_values is None else nash_values[issue.id],
            "forecasts": {m: forecasts.value(issue.id, m) for m in forecasts.models},
        }
        for issue in forecasts.issues
        if issue.id in text
    ]
    parties = [
        {
            "party": party,
            "name": names.get(party, party),
            "utility": utilities[party],
            "nash_utility": None if nash_utilities is None else nash_utilities[party],
            "reservation": reservation[party],
            "below_reservation": utilities[party] < reservation[party] - 1e-9,
        }
        for party in domain.parties
    ]
    return {
        "adopted": adopted is not None,
        "verdict": verdict,
        "source": f"proposal {adopted.id} (adopted)"
        if adopted is not None
        else f"chair's draft, version {latest.version} (nothing adopted)",
        "text": text,
        "issues": issues,
        "parties": parties,
        "models": {m: {"label": KNOWN[m].label, "meaning": KNOWN[m].summary} for m in MODELS},
        "nash_meaning": (
            "The Nash bargaining point: the text that maximises the product of every "
            "delegation's gain over its reservation — where rational bargainers who must "
            "all agree would settle."
        ),
        "forecasts": {i["id"]: i["forecasts"] for i in issues},
        "nash_point": nash_values,
        "utilities": utilities,
        "nash_utilities": nash_utilities,
        "reservation": reservation,
    }


def final_text_of(session: Session, exercise: Exercise) -> str:
    """The final text as a document to keep or circulate (Markdown, readable as plain text).

    The outcome first, in the debrief's words; then the text issue by issue in the
    scenario's words, with what is still bracketed; then how each vote went, with each
    delegation's reasons. Nothing in it depends on when it is downloaded.
    """
    from accord.server.agenda import scenario_of
    from accord.server.models import Participant

    scenario = scenario_of(exercise)
    adopted, latest, verdict = _verdict(session, exercise)
    text = {**latest.values, **(adopted.values if adopted is not None else {})}
    brackets = set() if adopted is not None else set(latest.brackets)
    names = {a.id: a.name for a in scenario.actors}
    seats = {
        p.id: names.get(p.party or "", p.party or p.role)
        for p in session.scalars(select(Participant).filter_by(exercise_id=exercise.id))
    }
    status = (
        f"Adopted text (proposal #{adopted.id}, “{adopted.title}”)"
        if adopted is not None
        else f"Chair's draft, version {latest.version} — not adopted, binding no one"
    )
    lines = [f"# {exercise.name}", "", f"**{status}**", ""]
    date = scenario.metadata.date
    if date is not None:
        lines += [f"The scenario is set on {date.day} {date:%B %Y}.", ""]
    lines += ["## Outcome", "", verdict, "", "## The text", ""]
    for number, issue in enumerate((i for i in scenario.issues if i.id in text), start=1):
        value = text[issue.id]
        mark = " — *[bracketed: not agreed]*" if issue.id in brackets else ""
        lines.append(
            f"{number}. **{issue.name}**: {issue.reading(value)} "
            f"({value:g} on a scale of {issue.scale.min:g} to {issue.scale.max:g}){mark}"
        )
    if brackets:
        lines += ["", "Bracketed values were not agreed when the draft was last issued."]
    proposals = list(
        session.scalars(select(Proposal).filter_by(exercise_id=exercise.id).order_by(Proposal.id))
    )
    if proposals:
        lines += ["", "## The votes", ""]
    for proposal in proposals:
        sponsors = [seats[proposal.sponsor_id], *(seats[c] for c in proposal.cosponsors)]
        lines += [
            f"### Proposal #{proposal.id}, “{proposal.title}” — {proposal.state}",
            "",
            f"Tabled by {', '.join(sponsors)}.",
            "",
        ]
        votes = session.scalars(
            select(Vote).filter_by(proposal_id=proposal.id).order_by(Vote.participant_id)
        )
        for vote in votes:
            reason = f": {vote.reason}" if vote.reason else ""
            lines.append(f"- {seats[vote.participant_id]} — {vote.choice}{reason}")
        lines.append("")
    said = _chair_statements(session, exercise.id)
    for proposal_id, statement in said.items():
        lines += [f"The chair's statement on proposal #{proposal_id}: “{statement}”", ""]
    return "\n".join(lines).rstrip() + "\n"
