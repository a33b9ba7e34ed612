"""The public surface: one sorted __all__ per package, every name importable."""

from __future__ import annotations

import importlib

import pytest

PACKAGES = ["accord", "accord.scenario", "accord.forecast", "accord.errors", "accord.backtest"]


@pytest.mark.parametrize("name", PACKAGES)
def test_all_is_sorted_and_honest(name: str) -> None:
    module = importlib.import_module(name)
    exported = list(module.__all__)
    assert exported == sorted(exported)
    for symbol in exported:
        assert hasattr(module, symbol), f"{name}.{symbol} is listed in __all__ but missing"


def test_top_level_exposes_the_first_steps() -> None:
    import accord

    scenario = accord.load_scenario("scenarios/eu-emissions-1994.toml")
    assert round(accord.forecast(scenario).value("emissions", "mean"), 3) == 7.390
    assert accord.__version__
