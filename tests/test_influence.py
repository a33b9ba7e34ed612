"""Who is pivotal: departures and ±10% shifts, checked by hand on small cases."""

from __future__ import annotations

import math

import pytest

from accord.forecasting.influence import influence
from accord.scenario import Scenario


def test_mean_influence_by_hand(small: Scenario) -> None:
    # Issue x: a (w = 2·1 = 2) at 20, b (w = 1·0.5 = 0.5) at 40, c has no stance.
    # Mean = (40 + 20) / 2.5 = 24. Without a: 40 (+16). Without b: 20 (-4).
    # a moving +10: (2·30 + 0.5·40) / 2.5 = 32 (+8); b moving +10: 26 (+2).
    table = influence(small, "mean")
    a, b, c = (table.get(x, "x") for x in "abc")
    assert a.baseline == pytest.approx(24.0)
    assert (a.leave, a.up, a.down) == pytest.approx((16.0, 8.0, -8.0))
    assert (b.leave, b.up, b.down) == pytest.approx((-4.0, 2.0, -2.0))
    assert math.isnan(c.leave) and math.isnan(c.up)


def test_shift_is_clipped_to_the_scale(small: Scenario) -> None:
    # Issue y runs -10..10: a shift of 10% is 2 points; a at -5 → -3 / -7.
    table = influence(small, "mean")
    a = table.get("a", "y")
    # y: a (w = 1) at -5, b (w = 0.5) at 5, c (w = 0.2) at 0 → mean = -2.5/1.7
    base = (-5 + 2.5 + 0) / 1.7
    assert a.baseline == pytest.approx(base)
    assert a.up == pytest.approx(((-3) + 2.5) / 1.7 - base)


def test_ranking_puts_the_most_pivotal_first(small: Scenario) -> None:
    ranking = influence(small, "mean").ranking()
    assert ranking[0][0] == "a"
    assert all(isinstance(v, float) for _, leave, shift in ranking for v in (leave, shift))


def test_flagship_expected_utility_influence_runs(nea: Scenario) -> None:
    table = influence(nea, "expected-utility")
    assert len(table.rows) == len(nea.actors) * len(nea.issues)
    # Without China, the broker of a multilateral format, the format forecast moves;
    # the actors whose leaving changes nothing there are reported as 0, not left out.
    assert table.get("china", "talks-format").leave != 0
    assert table.get("usa", "talks-format").leave == 0
    frame = table.to_frame()
    assert list(frame.columns) == ["model", "actor", "issue", "baseline", "leave", "up", "down"]
