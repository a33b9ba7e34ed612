"""Monte Carlo over stated uncertainties: seeded, reproducible, within bounds."""

from __future__ import annotations

import numpy as np
import pytest

from accord.errors import ForecastError
from accord.forecasting import IssueArrays
from accord.forecasting.distribution import forecast_distribution
from accord.forecasting.uncertainty import Uncertainty
from accord.scenario import Scenario, load_scenario
from tests.conftest import DATA


def test_same_seed_same_bytes(nea: Scenario) -> None:
    a = forecast_distribution(nea, 300, seed=7)
    b = forecast_distribution(nea, 300, seed=7)
    assert a.to_json() == b.to_json()
    for name in a.models:
        assert a.samples[name].tobytes() == b.samples[name].tobytes()


def test_other_seed_other_numbers(nea: Scenario) -> None:
    a = forecast_distribution(nea, 300, seed=7, models=["mean"])
    b = forecast_distribution(nea, 300, seed=8, models=["mean"])
    assert not np.array_equal(a.samples["mean"], b.samples["mean"])


def test_chunking_does_not_change_the_numbers(nea: Scenario) -> None:
    whole = forecast_distribution(nea, 250, seed=3, chunk=1000)
    pieces = forecast_distribution(nea, 250, seed=3, chunk=7)
    for name in whole.models:
        assert np.array_equal(whole.samples[name], pieces.samples[name], equal_nan=True)


def test_draws_respect_bounds_and_missing_stances(nea: Scenario) -> None:
    base = IssueArrays.from_scenario(nea)
    drawn = Uncertainty.from_scenario(nea).sample(base, 2000, np.random.default_rng(1))
    stated = base.stated
    pos = drawn.position[:, stated]
    assert np.all(pos >= 0) and np.all(pos <= 100)
    assert np.all(np.isnan(drawn.position[:, ~stated]))
    assert np.all((drawn.salience >= 0) & (drawn.salience <= 1))
    assert np.all(drawn.capability > 0)


def test_exact_values_do_not_vary_and_sd_values_do() -> None:
    small = load_scenario(DATA / "small.toml")
    base = IssueArrays.from_scenario(small)
    drawn = Uncertainty.from_scenario(small).sample(base, 500, np.random.default_rng(0))
    # a.x = 20 is exact; a.y has sd 2; b.y is uniform on [2, 8].
    assert np.all(drawn.position[:, 0, 0] == 20.0)
    assert drawn.position[:, 0, 1].std() == pytest.approx(2.0, rel=0.15)
    assert drawn.position[:, 1, 1].min() >= 2.0 and drawn.position[:, 1, 1].max() <= 8.0
    assert drawn.position[:, 1, 1].std() == pytest.approx(6 / np.sqrt(12), rel=0.15)


def test_without_uncertainty_every_draw_is_the_point_forecast(eu: Scenario) -> None:
    dist = forecast_distribution(eu, 20, seed=1, models=["mean", "median"])
    assert np.allclose(dist.samples["mean"], 7.38995569)
    mid, lo, hi = dist.interval("emissions", "median")
    assert mid == lo == hi == 7.0


def test_summary_records(nea: Scenario) -> None:
    dist = forecast_distribution(nea, 200, seed=2, models=["mean"])
    rec = dist.records()[0]
    assert set(rec) == {
        "issue",
        "model",
        "median",
        "p05",
        "p95",
        "anchor",
        "reading",
        "value",
        "flags",
        "draws",
        "seed",
    }
    assert rec["p05"] <= rec["median"] <= rec["p95"]


def test_progress_is_reported(nea: Scenario) -> None:
    seen: list[tuple[int, int]] = []
    forecast_distribution(
        nea, 25, seed=0, models=["mean"], chunk=10, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(10, 25), (20, 25), (25, 25)]


def test_samples_must_be_positive(nea: Scenario) -> None:
    with pytest.raises(ForecastError, match="at least 1"):
        forecast_distribution(nea, 0, seed=0)


def test_a_scenario_without_uncertainty_says_so(eu: Scenario) -> None:
    dist = forecast_distribution(eu, 20, seed=1, models=["mean"])
    assert not dist.uncertain
    assert dist.flags("emissions", "mean") == ["no stated uncertainty: the interval has no width"]


def test_a_point_forecast_outside_its_interval_is_flagged(eu: Scenario) -> None:
    from dataclasses import replace

    dist = forecast_distribution(eu, 50, seed=0, models=["mean"])
    rng = np.random.default_rng(0)
    moved = replace(
        dist, samples={"mean": rng.uniform(8.0, 9.0, (50, 1))}, uncertain=True
    )  # the point forecast, 7.39, is below every draw
    flags = moved.flags("emissions", "mean")
    assert len(flags) == 1 and flags[0].startswith("the point forecast 7.39 lies outside")
    inside = replace(moved, samples={"mean": rng.uniform(6.0, 9.0, (50, 1))})
    assert inside.flags("emissions", "mean") == []


def test_two_clusters_of_draws_are_found_and_one_cluster_is_not() -> None:
    from accord.forecasting.distribution import _modes

    rng = np.random.default_rng(0)
    two = np.concatenate([rng.normal(22, 1.5, 500), rng.normal(78, 1.5, 500)])
    one = rng.normal(50, 10, 1000)
    modes = _modes(two, 0.0, 100.0)
    assert modes is not None and modes[0] == pytest.approx(22.5) and modes[1] == pytest.approx(77.5)
    assert _modes(one, 0.0, 100.0) is None
