"""Multi-issue outcome spaces held as arrays.

An outcome is one value on every issue. Outcomes are numbered in mixed radix,
the first issue most significant, so an outcome is a single integer and a set of
outcomes is an integer array; per-issue value indices are computed on demand.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cached_property

import numpy as np
from numpy.typing import NDArray

from accord.errors import AccordError

__all__ = ["NegotiationIssue", "OutcomeSpace"]

IntArray = NDArray[np.int64]


@dataclass(frozen=True)
class NegotiationIssue:
    """An issue with a finite list of values (numbers or labels)."""

    name: str
    values: tuple[float | str, ...]

    def __post_init__(self) -> None:
        if not self.values:
            raise AccordError(f"issue {self.name!r} has no values")

    @classmethod
    def discretised(cls, name: str, low: float, high: float, resolution: int) -> NegotiationIssue:
        """A continuous issue cut into ``resolution`` evenly spaced values, ends included."""
        if resolution < 2:
            raise AccordError(f"resolution must be at least 2, got {resolution}")
        return cls(name, tuple(float(v) for v in np.linspace(low, high, resolution)))

    @property
    def numeric(self) -> bool:
        """Whether every value is a number."""
        return all(isinstance(v, int | float) for v in self.values)


@dataclass(frozen=True, eq=False)
class OutcomeSpace:
    """The Cartesian product of the issues' values."""

    issues: tuple[NegotiationIssue, ...]

    @cached_property
    def sizes(self) -> tuple[int, ...]:
        """Number of values of each issue."""
        return tuple(len(i.values) for i in self.issues)

    @cached_property
    def size(self) -> int:
        """Number of outcomes."""
        return math.prod(self.sizes)

    @cached_property
    def strides(self) -> IntArray:
        """Weight of each issue's value index in an outcome's number."""
        strides = np.ones(len(self.sizes), dtype=np.int64)
        for k in range(len(self.sizes) - 2, -1, -1):
            strides[k] = strides[k + 1] * self.sizes[k + 1]
        return strides

    def value_indices(self, outcomes: IntArray | int) -> IntArray:
        """Per-issue value indices of outcomes: shape ``outcomes.shape + (n_issues,)``."""
        o = np.asarray(outcomes, dtype=np.int64)
        return (o[..., None] // self.strides) % np.asarray(self.sizes, dtype=np.int64)

    def outcome(self, value_indices: IntArray | list[int]) -> int:
        """The outcome number of one value index per issue."""
        idx = np.asarray(value_indices, dtype=np.int64)
        if idx.shape != (len(self.issues),) or np.any(idx < 0) or np.any(idx >= self.sizes):
            raise AccordError(f"value indices {idx.tolist()} do not fit sizes {list(self.sizes)}")
        return int((idx * self.strides).sum())

    def values_of(self, outcome: int) -> tuple[float | str, ...]:
        """The value on each issue of one outcome."""
        if not 0 <= outcome < self.size:
            raise AccordError(f"outcome {outcome} is outside the space of {self.size} outcomes")
        idx = self.value_indices(outcome)
        return tuple(issue.values[int(k)] for issue, k in zip(self.issues, idx, strict=True))

    def contains(self, outcome: int) -> bool:
        """Whether an outcome number belongs to the space."""
        return isinstance(outcome, int | np.integer) and 0 <= int(outcome) < self.size
