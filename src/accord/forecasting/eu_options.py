"""The choices the expected-utility model leaves open, as one small value object.

Bueno de Mesquita's papers leave several steps ambiguous; Scholz, Calbert &
Smith (2011) reconstructed them, partly in their text and partly only in their
code. Each ambiguity is an option here, with the default that reproduces
Scholz et al.'s Table 2 (see ``docs/models.md`` for the reasoning per option).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from accord.errors import ForecastError

__all__ = ["BACKTESTED", "SAME_POSITION", "SAME_SECURITY", "SCHOLZ", "ExpectedUtilityOptions"]

Probability = Literal["all-pairs", "pairwise"]
CompromiseRanking = Literal["weighted-position", "smallest-move"]
RangeRule = Literal["initial", "scale", "current"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpectedUtilityOptions:
    """How to read the ambiguous steps of the expected-utility model.

    Attributes:
        q: Weight of the status-quo utility in the expected utility of a
            challenge (BDM's Q). Scholz et al. use 1, which makes the
            "better/worse" terms ``U_b``, ``U_w`` and ``T`` vanish.
        probability: Denominator of the probability that one position beats
            another. ``"all-pairs"`` divides by the votes of every actor over
            every pair of positions, as Scholz et al.'s code does (it
            reproduces their Table 2; probabilities are then small and the
            two directions do not add up to 1). ``"pairwise"`` divides by the
            votes over the two positions at stake only (their eq. 31), so
            ``P(i beats j) + P(j beats i) = 1``.
        compromise: How an actor ranks several compromise offers.
            ``"weighted-position"`` takes the offer whose EU-weighted
            position (``(|EU_ij| x_i + |EU_ji| x_j) / (|EU_ij| + |EU_ji|)``)
            is lowest, as Scholz et al.'s code does; ``"smallest-move"`` takes
            the offer that moves the actor least, as their text says.
        range: The range ``R`` that distances are divided by: ``"initial"``
            (spread of the starting positions, fixed; Scholz's code),
            ``"scale"`` (the issue's scale) or ``"current"`` (spread of the
            positions at the start of each round).
        capitulation: Whether an actor whose expected loss from resisting
            exceeds the challenger's expected gain gives in fully. Replications
            differ: one popular one never triggers it because of a typo.
        tolerance: Stop early once no position moves by more than this
            fraction of ``R`` in a round (0: always run every round).
    """

    q: float = 1.0
    probability: Probability = "all-pairs"
    compromise: CompromiseRanking = "weighted-position"
    range: RangeRule = "initial"
    capitulation: bool = True
    tolerance: float = 0.0

    def __post_init__(self) -> None:
        if not 0.0 <= self.q <= 1.0:
            raise ForecastError(f"q must be between 0 and 1, got {self.q:g}")
        if self.probability not in ("all-pairs", "pairwise"):
            raise ForecastError(
                f"probability must be 'all-pairs' or 'pairwise', got {self.probability!r}"
            )
        if self.compromise not in ("weighted-position", "smallest-move"):
            raise ForecastError(
                "compromise must be 'weighted-position' or 'smallest-move', "
                f"got {self.compromise!r}"
            )
        if self.range not in ("initial", "scale", "current"):
            raise ForecastError(
                f"range must be 'initial', 'scale' or 'current', got {self.range!r}"
            )
        if self.tolerance < 0:
            raise ForecastError(f"tolerance must be 0 or more, got {self.tolerance:g}")


SAME_POSITION = 1e-9
"""Positions closer than this (as a share of the range) count as one position.

The model is discontinuous where two positions meet: a challenge between equal
positions has no winner (probability 0, by convention) and the sign test for
moving towards the median flips. Without a tolerance, rounding noise of 1e-16
between two actors who reached the same compromise changes their risk by 0.01.
"""

SAME_SECURITY = 1e-9
"""Securities this close (relative to their size) count as equal: every risk exponent is 1.

When every actor's security is the same, the risk formula is 0/0; rounding noise
must not decide the exponents.
"""


SCHOLZ = ExpectedUtilityOptions()
"""The readings that reproduce Scholz et al.'s (2011) Table 2: their code's choices."""

BACKTESTED = ExpectedUtilityOptions(
    probability="pairwise", compromise="smallest-move", range="scale", tolerance=0.01
)
"""The readings the forecast uses: their paper's text rather than their code, and a stop.

Chosen on the development half of DEU III (``docs/validation.md``): with Scholz's code
readings and eight rounds the model missed EU decisions by 31.1 points on average; with
the probability of eq. 31, the smallest move among compromise offers and distances on
the issue's scale, by 25.2–25.5 whatever the number of rounds. The run stops when no
position moves by more than 1% of the scale in a round.
"""
