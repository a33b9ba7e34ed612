"""The procedural model: the win-set of the status quo, by hand."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from accord.forecasting import IssueArrays
from accord.forecasting.procedural import Procedural, win_set
from accord.scenario import Scenario


def _arrays(
    small: Scenario, x: list[float], quota: float, veto: list[bool] | None = None
) -> IssueArrays:
    """Issue x of the small scenario with three voters (one vote each) at ``x``, status quo 0."""
    base = IssueArrays.from_scenario(small).select([0])
    position = np.array(x, dtype=float)[:, None]
    return replace(
        base,
        position=position,
        salience=np.full((3, 1), 0.5),
        capability=np.ones(3),
        votes=np.ones((3, 1)),
        quota=np.array([quota]),
        status_quo=np.array([0.0]),
        veto=np.array(veto or [False] * 3)[:, None],
    )


def test_unanimity_lets_pass_only_what_the_closest_voter_accepts(small: Scenario) -> None:
    arrays = _arrays(small, [10, 60, 80], quota=1.0)
    lower, upper = win_set(arrays)
    # The voter at 10 prefers x to 0 up to 2 × 10 − 0 = 20.
    assert (lower[0], upper[0]) == (0.0, 20.0)
    assert Procedural().predict_values(arrays)[0] == 20.0  # the mean, 50, held to 20


def test_a_qualified_majority_leaves_out_the_most_reluctant_voter(small: Scenario) -> None:
    arrays = _arrays(small, [10, 60, 80], quota=2 / 3)
    assert win_set(arrays)[1][0] == 100.0  # 60 and 80 reach 120 and 160; the scale ends at 100
    assert Procedural().predict_values(arrays)[0] == pytest.approx(50.0)


def test_a_veto_player_binds_whatever_the_vote(small: Scenario) -> None:
    arrays = _arrays(small, [10, 60, 30], quota=2 / 3, veto=[False, False, True])
    assert win_set(arrays)[1][0] == 60.0  # the veto player at 30 accepts up to 60


def test_voters_on_both_sides_under_unanimity_keep_the_status_quo(small: Scenario) -> None:
    arrays = replace(_arrays(small, [10, 60, 80], quota=1.0), status_quo=np.array([40.0]))
    assert win_set(arrays) == (pytest.approx([40.0]), pytest.approx([40.0]))
    note = Procedural().predict(arrays).notes[0]
    assert note == "nothing can pass against the status quo under the rule"


def test_without_a_rule_it_is_the_weighted_mean_and_says_so(small: Scenario) -> None:
    arrays = replace(_arrays(small, [10, 60, 80], quota=1.0), quota=np.array([np.nan]))
    out = Procedural().predict(arrays)
    assert out.values[0] == pytest.approx(50.0)
    assert out.notes[0] == "no decision rule given: equals the weighted mean"
