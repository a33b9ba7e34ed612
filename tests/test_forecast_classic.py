"""The weighted mean, weighted median and Nash bargaining solution."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from accord.forecasting import (
    IssueArrays,
    forecast,
    nash_bargaining,
    weighted_mean,
    weighted_median,
)
from accord.scenario import Scenario


def col(*values: float) -> np.ndarray:
    return np.array(values, dtype=float)[:, None]


# --- Published starting values: Scholz, Calbert & Smith (2011), EU emission standards.


def test_eu_starting_mean_is_7_390(eu: Scenario) -> None:
    # Scholz et al. 2011, Table 2 / text: "starting weighted mean 7.390".
    assert round(forecast(eu).value("emissions", "mean"), 3) == 7.390


def test_eu_starting_median_is_7_0(eu: Scenario) -> None:
    # Scholz et al. 2011: starting median 7.0.
    assert forecast(eu).value("emissions", "median") == 7.0


# --- Hand-computed cases.


def test_mean_by_hand() -> None:
    # (2·0.5·10 + 1·1·40) / (2·0.5 + 1·1) = (10 + 40) / 2 = 25
    x, w = col(10, 40), col(2 * 0.5, 1 * 1.0)
    assert weighted_mean(x, w)[0] == pytest.approx(25.0)


def test_equal_weights_0_100_100_give_two_thirds() -> None:
    # Anchor from the exchange-model literature: positions 0/100/100, equal weights → 66.67.
    assert weighted_mean(col(0, 100, 100), col(1, 1, 1))[0] == pytest.approx(200 / 3)


def test_median_first_position_reaching_half_the_weight() -> None:
    # weights 1, 1, 3 at 0, 50, 100 → cumulative 1, 2, 5 of 5 → 100
    assert weighted_median(col(0, 50, 100), col(1, 1, 3))[0] == 100.0
    # weights 3, 1, 1 → 0
    assert weighted_median(col(0, 50, 100), col(3, 1, 1))[0] == 0.0


def test_median_tie_at_exactly_half_takes_the_lower_position() -> None:
    assert weighted_median(col(10, 90), col(1, 1))[0] == 10.0


def test_actors_without_position_are_dropped_not_counted_as_zero() -> None:
    x, w = col(np.nan, 40, 60), col(0.0, 1, 1)
    assert weighted_mean(x, w)[0] == pytest.approx(50.0)
    assert weighted_median(x, w)[0] == 40.0


def test_issue_without_any_weight_is_nan() -> None:
    x, w = col(np.nan, np.nan), col(0.0, 0.0)
    assert math.isnan(weighted_mean(x, w)[0])
    assert math.isnan(weighted_median(x, w)[0])
    assert math.isnan(nash_bargaining(x, w, np.array([0.0]))[0][0])


def test_nash_two_actors_same_side_by_hand() -> None:
    # u_i = -(x - x_i)^2, d = 0, positions 20 and 40, equal weights.
    # Gains x(40 - x) and x(80 - x); the first-order condition reduces to
    # x^2 - 90x + 1600 = 0, whose root in [0, 40] is 45 - sqrt(425).
    solution, lower, upper = nash_bargaining(col(20, 40), col(1, 1), np.array([0.0]))
    assert solution[0] == pytest.approx(45 - math.sqrt(425), abs=1e-9)
    assert (lower[0], upper[0]) == (0.0, 40.0)


def test_nash_is_the_status_quo_when_parties_sit_on_both_sides() -> None:
    solution, lower, upper = nash_bargaining(col(10, 90), col(1, 1), np.array([50.0]))
    assert solution[0] == 50.0
    assert lower[0] == upper[0] == 50.0


def test_nash_tends_to_the_weighted_mean_as_the_status_quo_recedes() -> None:
    # Achen (2006): with the threat point far from every position the NBS with
    # weights c·s approaches the c·s-weighted mean.
    x, w = col(4, 7, 10, 4), col(6.4, 3.2, 9.6, 12.8)
    mean = weighted_mean(x, w)[0]
    far = nash_bargaining(x, w, np.array([-1e6]))[0][0]
    assert far == pytest.approx(mean, abs=1e-3)


def test_nash_single_actor_gets_its_ideal_point() -> None:
    solution, _, _ = nash_bargaining(col(70), col(1), np.array([10.0]))
    assert solution[0] == pytest.approx(70.0)


def test_nash_without_status_quo_is_undefined() -> None:
    assert math.isnan(nash_bargaining(col(1, 2), col(1, 1), np.array([np.nan]))[0][0])


# --- Properties, and batches of scenarios at once.

positions = hnp.arrays(
    np.float64,
    st.tuples(st.integers(1, 7), st.integers(1, 4)),
    elements=st.floats(0, 100, allow_nan=False),
)


@given(positions, st.data())
def test_forecasts_lie_within_the_stated_positions(x: np.ndarray, data: st.DataObject) -> None:
    w = data.draw(hnp.arrays(np.float64, x.shape, elements=st.floats(0.01, 10)))
    sq = data.draw(hnp.arrays(np.float64, x.shape[1:], elements=st.floats(0, 100)))
    lo, hi = x.min(axis=0), x.max(axis=0)
    for value in (weighted_mean(x, w), weighted_median(x, w)):
        assert np.all(value >= lo - 1e-9)
        assert np.all(value <= hi + 1e-9)
    nash, lower, upper = nash_bargaining(x, w, sq)
    # The bargain is individually rational and lies between the status quo and the positions.
    assert np.all(nash >= lower - 1e-9)
    assert np.all(nash <= upper + 1e-9)
    assert np.all(nash >= np.minimum(lo, sq) - 1e-9)
    assert np.all(nash <= np.maximum(hi, sq) + 1e-9)
    gain = (sq[None, :] - x) ** 2 - (nash[None, :] - x) ** 2
    assert np.all(gain >= -1e-6)


@given(positions, st.data())
def test_a_batch_gives_the_same_answer_as_one_at_a_time(x: np.ndarray, data: st.DataObject) -> None:
    batch = data.draw(st.integers(1, 4))
    xs = np.stack([x + k for k in range(batch)])
    ws = data.draw(hnp.arrays(np.float64, xs.shape, elements=st.floats(0.01, 10)))
    sq = np.full(xs.shape[:1] + xs.shape[2:], 50.0)
    for k in range(batch):
        assert np.array_equal(weighted_mean(xs, ws)[k], weighted_mean(xs[k], ws[k]))
        assert np.array_equal(weighted_median(xs, ws)[k], weighted_median(xs[k], ws[k]))
        assert np.array_equal(
            nash_bargaining(xs, ws, sq)[0][k], nash_bargaining(xs[k], ws[k], sq[k])[0]
        )


def test_issue_arrays_are_read_only(nea: Scenario) -> None:
    arrays = IssueArrays.from_scenario(nea)
    assert arrays.position.shape == (6, 10)
    with pytest.raises(ValueError, match="read-only"):
        arrays.position[0, 0] = 1.0
    # No stance → no weight.
    kuril = nea.issue_ids.index("kuril")
    china = nea.actor_ids.index("china")
    assert math.isnan(arrays.position[china, kuril])
    assert arrays.weight[china, kuril] == 0.0
