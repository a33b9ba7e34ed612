"""Shared fixtures and Hypothesis settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from accord.scenario import Scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
DATA = Path(__file__).resolve().parent / "data"

# CI runs derandomised so that a red run is reproducible; locally Hypothesis explores.
settings.register_profile(
    "ci",
    derandomize=True,
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("dev", max_examples=100, deadline=None)
settings.register_profile("deep", max_examples=3000, deadline=None)  # HYPOTHESIS_PROFILE=deep
settings.load_profile("ci" if os.environ.get("CI") else os.environ.get("HYPOTHESIS_PROFILE", "dev"))


@pytest.fixture(scope="session")
def nea() -> Scenario:
    """The flagship scenario."""
    return load_scenario(SCENARIOS / "northeast-asia-2002.toml")


@pytest.fixture(scope="session")
def eu() -> Scenario:
    """Scholz et al. (2011) Table 1: the EU emission-standards example."""
    return load_scenario(SCENARIOS / "eu-emissions-1994.toml")


@pytest.fixture(scope="session")
def small() -> Scenario:
    """A small valid scenario: three actors, two issues (tests/data/small.toml)."""
    return load_scenario(DATA / "small.toml")
