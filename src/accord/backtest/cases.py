"""Decisions with known outcomes: the inputs of a back-test, as arrays the models take.

A :class:`CaseBlock` is one set of issues that share their actors (one DEU file,
one KTAB table, one scenario file): an :class:`~accord.forecasting.IssueArrays`
with the issues as columns, and per issue its recorded outcome. A back-test
runs every model once per block, over all the block's issues at once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from accord.forecasting.classic import Array
from accord.forecasting.inputs import IssueArrays
from accord.forecasting.uncertainty import Uncertainty

__all__ = ["CaseBlock", "Cases"]


@dataclass(frozen=True, eq=False)
class CaseBlock:
    """Issues that share their actors, with what was decided on each.

    Attributes:
        source: The file the block was read from.
        arrays: The model inputs, one column per issue.
        outcome: ``(n_issues,)`` the recorded outcome; NaN where none is known (not scored).
        cases: ``(n_issues,)`` a readable id per issue (``prnr/isnr`` for DEU).
        groups: ``(n_issues,)`` which issues belong together (one proposal's issues):
            the bootstrap resamples whole groups.
        uncertainty: The stated uncertainty of the inputs, if the data states any.
    """

    source: str
    arrays: IssueArrays
    outcome: Array
    cases: tuple[str, ...]
    groups: tuple[str, ...]
    uncertainty: Uncertainty | None = None

    @property
    def scored(self) -> np.ndarray:
        """Which issues have an outcome to score against."""
        return ~np.isnan(self.outcome)


@dataclass(frozen=True, eq=False)
class Cases:
    """Every block of a back-test, in the order the files were given."""

    blocks: tuple[CaseBlock, ...]

    @classmethod
    def of(cls, blocks: Sequence[CaseBlock]) -> Cases:
        """Blocks with at least one issue."""
        return cls(tuple(b for b in blocks if len(b.cases)))

    @property
    def count(self) -> int:
        """Issues with an outcome."""
        return int(sum(b.scored.sum() for b in self.blocks))

    @property
    def sources(self) -> tuple[str, ...]:
        """The files read, in order, once each."""
        return tuple(dict.fromkeys(b.source for b in self.blocks))
