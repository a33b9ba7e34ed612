"""The forum as a procedure: working groups, the chair's single text, the plenary.

One session (round) of a :class:`~accord.scenario.StandingForum`:

1. each working group negotiates its issues with the chair's single-text
   protocol, its own chair drafting; issues in no group are negotiated by the
   forum chair with all delegations;
2. the forum chair assembles one text: the groups' agreed texts, and for a
   group without agreement its chair's last draft (bracketed language);
3. the plenary adopts the text by consensus — a *joint statement*;
4. when it does not, the chair searches the joint space of the agenda for a
   package every delegation prefers to no agreement (the zone of agreement,
   :mod:`accord.negotiation.zone`) and, if one exists, tables the one with the
   greatest product of gains: the groups' partial texts are traded against each
   other, and a party may give on one issue for a gain on another. If that too
   is refused, the chair records the text in a *chair's statement* and the forum
   meets again. Issue by issue (``package = false``), each issue whose change
   every delegation accepts is adopted on its own (no package search).

When nothing is adopted, the run says why (:attr:`ForumRun.reason`): no package
beats every seated party's reservation (and whose reservation binds), or one
exists but the delegations did not accept one in time.

Time: a session covers a share of the delegations' negotiating time; a recess
between sessions (``recess``, 0–1) slows it, as delegations report to their
capitals, but the last session always reaches the deadline. Every
negotiation uses fresh negotiators of the delegations' chosen kinds, with
child seeds of the run's seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from accord.errors import AccordError
from accord.negotiation import (
    ChairText,
    LinearAdditiveUtility,
    NegotiationDomain,
    NegotiationIssue,
    NegotiationState,
    OutcomeSpace,
    domain_from_scenario,
    make_negotiator,
)
from accord.negotiation.protocols import seat
from accord.negotiation.scenario_domain import Shape, resolution_within
from accord.negotiation.zone import Zone, zone_of_agreement
from accord.scenario import Scenario, StandingForum

__all__ = [
    "ForumRound",
    "ForumRun",
    "ForumSettings",
    "GroupReport",
    "agenda_issues",
    "default_forum",
    "run_forum",
    "status_quo_index",
    "sub_domain",
    "zone_on",
]


@dataclass(frozen=True, kw_only=True)
class ForumSettings:
    """How the delegations negotiate inside the forum."""

    negotiator: str = "boulware"
    negotiators: Mapping[str, str] = field(default_factory=dict)
    """Per delegation, overriding ``negotiator``."""
    steps: int = 20
    """Revision rounds of a working group in one session."""
    resolution: int = 5
    shape: Shape = "linear"

    def kind(self, party: str) -> str:
        """The negotiator kind of a delegation."""
        return self.negotiators.get(party, self.negotiator)


@dataclass(frozen=True)
class GroupReport:
    """What a working group reported in one session."""

    group: str
    chair: str
    agreed: bool
    text: dict[str, float]


@dataclass(frozen=True)
class ForumRound:
    """One session: the groups' reports, the chair's text, the plenary's answer."""

    round: int
    groups: tuple[GroupReport, ...]
    text: dict[str, float]
    votes: dict[str, bool]
    statement: str
    """``"joint statement"`` (adopted by consensus) or ``"chair's statement"``."""
    adopted: tuple[str, ...]
    """Issues adopted so far."""
    package: dict[str, float] | None = None
    """The chair's package from the zone of agreement, tabled when the text was refused."""
    package_votes: dict[str, bool] | None = None


@dataclass(frozen=True)
class ForumRun:
    """A whole forum: the sessions, and what it adopted."""

    forum: str
    parties: tuple[str, ...]
    rounds: tuple[ForumRound, ...]
    outcome: dict[str, float]
    """The issues' values after the forum: adopted values, status quo elsewhere."""
    adopted: tuple[str, ...]
    utilities: dict[str, float]
    reservation: dict[str, float]
    domain: NegotiationDomain = field(repr=False, compare=False)
    zone: Zone | None = field(default=None, compare=False)
    """The agenda's zone of agreement among the seated delegations (package forums)."""
    resolution: int = 5
    """Values per issue the delegations negotiated over (fewer on very large tables)."""

    @property
    def agreed(self) -> bool:
        """Whether the forum adopted anything."""
        return bool(self.adopted)

    @property
    def reason(self) -> str:
        """Why the forum adopted what it did, or nothing, in words."""
        if self.agreed:
            last = self.rounds[-1]
            how = (
                "the chair's package"
                if last.package is not None and all((last.package_votes or {}).values())
                else "the text"
            )
            return f"adopted in session {last.round}, by consensus on {how}{self._coarse}"
        if self.zone is None:
            return "nothing adopted: no delegation accepted every change" + self._coarse
        if not self.zone.exists:
            return f"nothing adopted: {self.zone.describe()}{self._coarse}"
        return (
            "nothing adopted, though packages every delegation prefers to no agreement "
            f"exist ({self.zone.in_zone:,} of {self.zone.packages:,}): the delegations did "
            f"not accept one in time{self._coarse}"
        )

    @property
    def _coarse(self) -> str:
        if self.resolution >= 5:
            return ""
        return (
            f" (negotiated at {self.resolution} values per issue: with "
            f"{len(self.parties)} delegations the full grid would not fit in memory)"
        )


def default_forum(scenario: Scenario, format_id: str) -> StandingForum:
    """A plain forum for a format: neutral chair, no working groups, three sessions, one package."""
    return StandingForum(id=f"{format_id}-forum", name=f"Forum of {format_id}", format=format_id)


def status_quo_index(domain: NegotiationDomain, scenario: Scenario) -> np.ndarray:
    """Per issue, the grid value nearest to the status quo (the scale's middle where none)."""
    idx = []
    for issue in domain.space.issues:
        values = np.array(issue.values, dtype=np.float64)
        sq = scenario.issue(issue.name).status_quo
        target = sq.value if sq is not None else float(values[len(values) // 2])
        idx.append(int(np.argmin(np.abs(values - target))))
    return np.array(idx, dtype=np.int64)


def sub_domain(
    domain: NegotiationDomain, parties: tuple[str, ...], issues: tuple[int, ...], sq: np.ndarray
) -> NegotiationDomain:
    """The domain of a working group: its issues, its members; reservation = status quo on them."""
    space = OutcomeSpace(tuple(domain.space.issues[k] for k in issues))
    utilities = []
    for party in parties:
        u = domain.utilities[domain.index(party)]
        weights = tuple(u.weights[k] for k in issues)
        tables = tuple(u.values[k] for k in issues)
        reservation = float(
            sum(w * t[int(sq[k])] for w, t, k in zip(weights, tables, issues, strict=True))
        )
        utilities.append(LinearAdditiveUtility(weights, tables, reservation))
    rows = [domain.index(p) for p in parties]
    trust = domain.trust_matrix[np.ix_(rows, rows)]
    return NegotiationDomain(f"{domain.name} / group", space, parties, tuple(utilities), trust)


def _values(space_issues: tuple[NegotiationIssue, ...], idx: np.ndarray) -> dict[str, float]:
    return {
        issue.name: float(issue.values[int(k)]) for issue, k in zip(space_issues, idx, strict=True)
    }


def agenda_issues(domain: NegotiationDomain, forum: StandingForum) -> tuple[int, ...]:
    """The forum's agenda in the domain, as issue indices.

    An issue no delegation at this table has a stance on stays at the status quo.
    """
    names = [i.name for i in domain.space.issues]
    wanted = set(forum.agenda or names)
    return tuple(
        k
        for k, n in enumerate(names)
        if n in wanted and any(u.weights[k] > 0 for u in domain.utilities)
    )


def zone_on(domain: NegotiationDomain, scenario: Scenario, issues: tuple[int, ...]) -> Zone:
    """The zone of agreement of the domain's parties on some issues, the rest at the status quo."""
    sq = status_quo_index(domain, scenario)
    return zone_of_agreement(sub_domain(domain, domain.parties, issues, sq))


def _outcome(
    domain: NegotiationDomain, scenario: Scenario, idx: np.ndarray, adopted: list[str]
) -> dict[str, float]:
    """Adopted values; elsewhere the status quo itself, not its nearest point on the grid."""
    out = _values(domain.space.issues, idx)
    for name in out:
        sq = scenario.issue(name).status_quo
        if name not in adopted and sq is not None:
            out[name] = float(sq.value)
    return out


def _package_utilities(domain: NegotiationDomain, idx: np.ndarray) -> np.ndarray:
    """``(n_parties,)``: each party's utility of the package at value indices ``idx``."""
    return np.array(
        [
            sum(w * t[int(i)] for w, t, i in zip(u.weights, u.values, idx, strict=True))
            for u in domain.utilities
        ]
    )


def vote_domain(domain: NegotiationDomain, idx: np.ndarray) -> NegotiationDomain:
    """The plenary's question as a domain of a few whole packages.

    The packages: the text, and each party's best and worst package. A delegation's
    answer to a text depends on what the text is worth to it against its best and
    worst outcome and its reservation (time-based negotiators set their target
    between those); each party's best and worst package, issue by issue, are in
    this domain, so every answer is the one it would give in the whole joint space —
    without building that space (ten issues at five values are nearly ten million
    packages).
    """
    packages = [np.asarray(idx)]
    for u in domain.utilities:
        packages.append(np.array([int(np.argmax(t)) for t in u.values]))
        packages.append(np.array([int(np.argmin(t)) for t in u.values]))
    labels = ("text", *(f"{kind} of {p}" for p in domain.parties for kind in ("best", "worst")))
    issue = NegotiationIssue("package", labels)
    tables = np.array([_package_utilities(domain, pkg) for pkg in packages]).T
    utilities = tuple(
        LinearAdditiveUtility((1.0,), (tuple(tables[k].tolist()),), u.reservation)
        for k, u in enumerate(domain.utilities)
    )
    return NegotiationDomain(
        f"{domain.name} / plenary vote",
        OutcomeSpace((issue,)),
        domain.parties,
        utilities,
        domain.trust,
    )


def _votes(
    domain: NegotiationDomain,
    settings: ForumSettings,
    idx: np.ndarray,
    t: float,
    seed: int,
    chair: str,
) -> dict[str, bool]:
    """Each delegation's answer to the package at value indices ``idx`` (see vote_domain)."""
    question = vote_domain(domain, idx)
    negotiators = [make_negotiator(settings.kind(p)) for p in question.parties]
    seat(question, negotiators, seed)
    state = NegotiationState(0, 1, 0, chair, (), (t, t))
    return {
        p: bool(n.respond(state, 0, chair))
        for p, n in zip(question.parties, negotiators, strict=True)
    }


def run_forum(
    scenario: Scenario,
    forum: StandingForum | str,
    *,
    settings: ForumSettings | None = None,
    seed: int = 0,
) -> ForumRun:
    """Run a forum of a scenario, session by session.

    Args:
        scenario: A loaded scenario.
        forum: A forum (from the scenario's ``[[forums]]``, or :func:`default_forum`) or its id.
        settings: Negotiators and resolution.
        seed: Seed of the run; each negotiation gets a child seed.
    """
    settings = settings or ForumSettings()
    if isinstance(forum, str):
        forum = scenario.forum(forum)
    resolution = forum_resolution(scenario, forum, settings.resolution)
    domain = domain_from_scenario(
        scenario, forum.format, resolution=resolution, shape=settings.shape
    )
    names = [i.name for i in domain.space.issues]
    on_agenda = agenda_issues(domain, forum)
    agenda = {names[k] for k in on_agenda}
    chair = forum.chair
    groups = [
        (g.id, g.chair, tuple(g.actors), tuple(names.index(i) for i in g.issues if i in agenda))
        for g in forum.working_groups
    ]
    grouped = {k for *_, issues in groups for k in issues}
    plenary = tuple(k for k, n in enumerate(names) if n in agenda and k not in grouped)
    if plenary:
        groups.append(("plenary", chair, domain.parties, plenary))
    sq = status_quo_index(domain, scenario)
    zone = (
        zone_of_agreement(sub_domain(domain, domain.parties, on_agenda, sq))
        if forum.package and on_agenda
        else None
    )
    adopted_idx = sq.copy()
    adopted: list[str] = []
    seeds = np.random.SeedSequence(seed).spawn(forum.rounds * (len(groups) + 1))
    pace = 1.0 - forum.recess
    rounds: list[ForumRound] = []
    for r in range(forum.rounds):
        last = r == forum.rounds - 1
        clock = (pace * r / forum.rounds, 1.0 if last else pace * (r + 1) / forum.rounds)
        text = adopted_idx.copy()
        reports = []
        for g, (gid, gchair, members, issues) in enumerate(groups):
            pending = tuple(k for k in issues if names[k] not in adopted)
            if not pending:
                continue
            sub = sub_domain(domain, members, pending, adopted_idx)
            negotiators = [make_negotiator(settings.kind(p)) for p in members]
            protocol = ChairText(
                n_steps=settings.steps, chair=None if gchair == "neutral" else gchair, clock=clock
            )
            child = int(seeds[r * (len(groups) + 1) + g].generate_state(1)[0])
            result = protocol.run(sub, negotiators, seed=child)
            final = result.agreement if result.agreement is not None else result.final_text
            assert final is not None
            sub_idx = sub.space.value_indices(final)
            for k, v in zip(pending, sub_idx, strict=True):
                text[k] = v
            reports.append(
                GroupReport(gid, gchair, result.agreed, _values(sub.space.issues, sub_idx))
            )
        vote_seed = int(seeds[r * (len(groups) + 1) + len(groups)].generate_state(1)[0])
        votes = _votes(domain, settings, text, clock[1], vote_seed, chair)
        package: dict[str, float] | None = None
        package_votes: dict[str, bool] | None = None
        if forum.package and not all(votes.values()) and zone is not None and zone.nash:
            package = dict(zone.nash)
            offer = text.copy()
            for k in on_agenda:
                values = np.asarray(domain.space.issues[k].values, dtype=np.float64)
                offer[k] = int(np.argmin(np.abs(values - package[names[k]])))
            package_votes = _votes(domain, settings, offer, clock[1], vote_seed, chair)
            if all(package_votes.values()):
                text, votes = offer, package_votes
        if forum.package:
            if all(votes.values()):
                adopted_idx = text
                adopted = [n for n in names if n in agenda]
        else:
            for k, name in enumerate(names):
                if name in adopted or name not in agenda or text[k] == adopted_idx[k]:
                    continue
                candidate = adopted_idx.copy()
                candidate[k] = text[k]
                if all(
                    _votes(
                        domain,
                        settings,
                        candidate,
                        clock[1],
                        vote_seed,
                        chair,
                    ).values()
                ):
                    adopted_idx = candidate
                    adopted.append(name)
        consensus = all(votes.values())
        rounds.append(
            ForumRound(
                round=r + 1,
                groups=tuple(reports),
                text=_values(domain.space.issues, text),
                votes=votes,
                statement="joint statement" if consensus else "chair's statement",
                adopted=tuple(adopted),
                package=package,
                package_votes=package_votes,
            )
        )
        if set(adopted) >= agenda:
            break
    worth = _package_utilities(domain, adopted_idx)
    utilities = {p: float(worth[k]) for k, p in enumerate(domain.parties)}
    if not adopted:
        utilities = {p: float(domain.reservation[k]) for k, p in enumerate(domain.parties)}
    return ForumRun(
        forum=forum.id,
        parties=domain.parties,
        rounds=tuple(rounds),
        outcome=_outcome(domain, scenario, adopted_idx, adopted),
        adopted=tuple(adopted),
        utilities=utilities,
        reservation={p: float(domain.reservation[k]) for k, p in enumerate(domain.parties)},
        domain=domain,
        zone=zone,
        resolution=resolution,
    )


NEGOTIATED_CELLS = 20_000_000
"""At most this many (delegation, package) utilities in one working group's negotiation.

Every delegation ranks every package of its group's issues: 150 delegations on ten
issues at 5 values each would be 1.5 billion utilities (11 GB), at 3 values 9 million.
"""


def forum_resolution(scenario: Scenario, forum: StandingForum, wanted: int) -> int:
    """``wanted`` values per issue, or fewer where a group's negotiation would be too large."""
    domain = domain_from_scenario(scenario, forum.format, resolution=2)
    names = [i.name for i in domain.space.issues]
    free = {n for n, size in zip(names, domain.space.sizes, strict=True) if size > 1}
    agenda = {names[k] for k in agenda_issues(domain, forum)} & free
    grouped = {i for g in forum.working_groups for i in g.issues}
    groups = [(len(g.actors), len(agenda & set(g.issues))) for g in forum.working_groups]
    groups.append((len(domain.parties), len(agenda - grouped)))
    return min(
        resolution_within(issues, NEGOTIATED_CELLS // max(members, 1), wanted)
        for members, issues in groups
    )


def check_settings(settings: ForumSettings, parties: tuple[str, ...]) -> None:
    """Raise if the settings name a delegation that is not at the table."""
    unknown = set(settings.negotiators) - set(parties)
    if unknown:
        raise AccordError(
            f"no delegations {sorted(unknown)} at this table; the parties are: {', '.join(parties)}"
        )
