"""The :class:`Scenario`: a forum as of a date, loaded and validated."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cached_property

from accord.errors import AccordError
from accord.scenario.model import (
    Actor,
    Document,
    Format,
    Issue,
    Linkage,
    Metadata,
    Relation,
    StanceEntry,
    StandingForum,
)

__all__ = ["Scenario", "Stance"]


@dataclass(frozen=True, slots=True)
class Stance:
    """One actor's stance on one issue.

    ``position`` and ``salience`` are ``None`` when the actor has stated no
    position on the issue (``no_position = true`` in the file).
    """

    actor: str
    issue: str
    entry: StanceEntry

    @property
    def stated(self) -> bool:
        """Whether the actor has taken a position on the issue."""
        return not self.entry.no_position

    @property
    def position(self) -> float | None:
        """The position on the issue's scale, or ``None``."""
        return None if self.entry.position is None else self.entry.position.value

    @property
    def salience(self) -> float | None:
        """How much the issue matters to the actor, 0–1, or ``None``."""
        return None if self.entry.salience is None else self.entry.salience.value


@dataclass(frozen=True)
class Scenario:
    """A multilateral negotiation as of a date: who sits at the table and what they want.

    Build one with :func:`accord.load_scenario`; every instance has passed
    validation. Instances are immutable; :meth:`seated_at` returns a new one.
    """

    metadata: Metadata
    actors: tuple[Actor, ...]
    issues: tuple[Issue, ...]
    stances: tuple[tuple[Stance, ...], ...]
    """``stances[a][i]``: the stance of the a-th actor on the i-th issue."""
    relations: tuple[Relation, ...] = ()
    formats: tuple[Format, ...] = ()
    linkages: tuple[Linkage, ...] = ()
    forums: tuple[StandingForum, ...] = ()
    source: str = field(default="<memory>", compare=False)

    @classmethod
    def from_document(cls, doc: Document, source: str = "<memory>") -> Scenario:
        """Build a scenario from a validated, cross-checked document."""
        stances = tuple(
            tuple(Stance(a.id, i.id, doc.positions[a.id][i.id]) for i in doc.issues)
            for a in doc.actors
        )
        return cls(
            metadata=doc.scenario,
            actors=doc.actors,
            issues=doc.issues,
            stances=stances,
            relations=doc.relations,
            formats=doc.formats,
            linkages=doc.linkages,
            forums=doc.forums,
            source=source,
        )

    @property
    def name(self) -> str:
        """The scenario's name."""
        return self.metadata.name

    @cached_property
    def actor_ids(self) -> tuple[str, ...]:
        """Actor ids in file order."""
        return tuple(a.id for a in self.actors)

    @cached_property
    def issue_ids(self) -> tuple[str, ...]:
        """Issue ids in file order."""
        return tuple(i.id for i in self.issues)

    def actor(self, actor_id: str) -> Actor:
        """The actor with this id."""
        return self.actors[self._index(self.actor_ids, actor_id, "actor")]

    def issue(self, issue_id: str) -> Issue:
        """The issue with this id."""
        return self.issues[self._index(self.issue_ids, issue_id, "issue")]

    def format(self, format_id: str) -> Format:
        """The format (table) with this id."""
        ids = tuple(f.id for f in self.formats)
        return self.formats[self._index(ids, format_id, "format")]

    def forum(self, forum_id: str) -> StandingForum:
        """The forum with this id."""
        ids = tuple(f.id for f in self.forums)
        return self.forums[self._index(ids, forum_id, "forum")]

    def stance(self, actor_id: str, issue_id: str) -> Stance:
        """The stance of an actor on an issue."""
        a = self._index(self.actor_ids, actor_id, "actor")
        i = self._index(self.issue_ids, issue_id, "issue")
        return self.stances[a][i]

    def relation(self, a: str, b: str) -> Relation | None:
        """The relation between two actors, in either order, if the file gives one."""
        pair = {a, b}
        return next((r for r in self.relations if set(r.actors) == pair), None)

    def trust(self, a: str, b: str) -> float:
        """Mutual trust between two actors, in [-1, 1]; 0 where the file says nothing."""
        rel = self.relation(a, b)
        return 0.0 if rel is None or rel.trust is None else rel.trust.value

    @property
    def stakeholders(self) -> tuple[str, ...]:
        """The actors that state a position (with a salience above 0) on some issue."""
        return tuple(
            a.id
            for a, row in zip(self.actors, self.stances, strict=True)
            if any(s.salience for s in row)
        )

    def seated_at(self, format_id: str) -> Scenario:
        """The same scenario restricted to the actors of one format.

        Relations and formats that involve actors outside the table are dropped.
        """
        members = set(self.format(format_id).actors)
        return self.with_actors(a for a in self.actor_ids if a in members)

    def with_actors(self, actor_ids: Iterable[str]) -> Scenario:
        """The same scenario with only the given actors (kept in file order)."""
        keep = set(actor_ids)
        unknown = keep - set(self.actor_ids)
        if unknown:
            raise AccordError(f"unknown actors {sorted(unknown)}; known: {list(self.actor_ids)}")
        rows = [k for k, a in enumerate(self.actor_ids) if a in keep]
        return replace(
            self,
            actors=tuple(self.actors[k] for k in rows),
            stances=tuple(self.stances[k] for k in rows),
            relations=tuple(r for r in self.relations if set(r.actors) <= keep),
            formats=tuple(f for f in self.formats if set(f.actors) <= keep),
            forums=tuple(f for f in self.forums if set(self.format(f.format).actors) <= keep),
        )

    def _index(self, ids: tuple[str, ...], wanted: str, what: str) -> int:
        try:
            return ids.index(wanted)
        except ValueError:
            known = ", ".join(ids) or "none"
            raise AccordError(
                f"{self.source}: no {what} {wanted!r}; the {what}s are: {known}"
            ) from None
