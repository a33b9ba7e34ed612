"""A negotiation domain: an outcome space, the parties and their utility functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from accord.errors import AccordError
from accord.negotiation.space import OutcomeSpace
from accord.negotiation.utility import Array, LinearAdditiveUtility

__all__ = ["NegotiationDomain"]


def _frozen(a: Array) -> Array:
    a = np.ascontiguousarray(a, dtype=np.float64)
    a.setflags(write=False)
    return a


@dataclass(frozen=True, eq=False)
class NegotiationDomain:
    """Who negotiates over what, and what each outcome is worth to each of them.

    Attributes:
        name: A label for reports.
        space: The outcomes.
        parties: Party names, in table order.
        utilities: One utility function per party.
        trust: ``(n, n)`` mutual trust in [-1, 1] (0 when unknown).
    """

    name: str
    space: OutcomeSpace
    parties: tuple[str, ...]
    utilities: tuple[LinearAdditiveUtility, ...]
    trust: Array | None = None

    def __post_init__(self) -> None:
        if len(self.parties) != len(self.utilities):
            raise AccordError(
                f"{len(self.parties)} parties but {len(self.utilities)} utility functions"
            )
        if len(set(self.parties)) != len(self.parties):
            raise AccordError(f"party names must be unique: {list(self.parties)}")
        for u in self.utilities:
            u.check(self.space)

    @cached_property
    def matrix(self) -> Array:
        """``(n_parties, n_outcomes)``: every party's utility of every outcome (read-only)."""
        return _frozen(np.stack([u.evaluate(self.space) for u in self.utilities]))

    @cached_property
    def reservation(self) -> Array:
        """``(n_parties,)`` reservation values."""
        return _frozen(np.array([u.reservation for u in self.utilities]))

    @cached_property
    def trust_matrix(self) -> Array:
        """``(n, n)`` trust, zeros where the domain gives none."""
        n = len(self.parties)
        return _frozen(np.zeros((n, n)) if self.trust is None else np.asarray(self.trust))

    def index(self, party: str) -> int:
        """Position of a party at the table."""
        try:
            return self.parties.index(party)
        except ValueError:
            raise AccordError(
                f"no party {party!r}; the parties are: {', '.join(self.parties)}"
            ) from None

    def nearest_indices(self, values: Mapping[str, float]) -> NDArray[np.int64]:
        """Per issue, the index of the grid value nearest to ``values[issue]`` (numeric issues)."""
        missing = [i.name for i in self.space.issues if i.name not in values]
        if missing:
            raise AccordError(f"no value for issues {missing}")
        return np.array(
            [
                int(np.argmin(np.abs(np.array(i.values, dtype=float) - float(values[i.name]))))
                for i in self.space.issues
            ],
            dtype=np.int64,
        )

    def describe(self, outcome: int) -> dict[str, float | str]:
        """An outcome as ``{issue name: value}``."""
        values = self.space.values_of(outcome)
        return {issue.name: v for issue, v in zip(self.space.issues, values, strict=True)}
