"""An issue's holder can keep the status quo: every model's forecast stays within what it offers.

Issue "The flagship as of its date": three of five models forecast the transfer of all
four Kuril islands, driven by parties with no say over them; Russia administers them.
"""

from __future__ import annotations

import numpy as np
import pytest

from accord.errors import ScenarioError
from accord.forecasting import forecast
from accord.forecasting.distribution import forecast_distribution
from accord.scenario import load_scenario, parse_scenario
from tests.conftest import SCENARIOS

FLAGSHIP = load_scenario(SCENARIOS / "northeast-asia-2002.toml")

HELD = """
[scenario]
name = "Held"

[[actors]]
id = "holder"
name = "Holder"
capability = 1

[[actors]]
id = "claimant"
name = "Claimant"
capability = 9

[[actors]]
id = "bystander"
name = "Bystander"
capability = 1

[[issues]]
id = "land"
name = "Land"
status_quo = 0
HOLDER

[positions.holder.land]
position = 30
salience = 0.5

[positions.claimant.land]
position = { value = 90, sd = 20 }
salience = 1

[positions.bystander.land]
position = 60
salience = 0.5

[[formats]]
id = "both"
actors = ["holder", "claimant"]

[[formats]]
id = "without-the-holder"
actors = ["claimant", "bystander"]
"""


def _held(holder: str = 'holder = "holder"') -> str:
    return HELD.replace("HOLDER", holder)


def test_every_model_stays_within_what_the_holder_offers() -> None:
    free = forecast(parse_scenario(_held("")))
    held = forecast(parse_scenario(_held()))
    assert max(free.value("land", m) for m in free.models) > 30  # the claimant's weight pulls
    for model in held.models:
        assert 0 <= held.value("land", model) <= 30, model
    notes = [c.note for c in held.cells if c.value == 30]
    assert notes and all("holder, which holds it" in n for n in notes)


def test_a_table_without_the_holder_cannot_move_the_issue() -> None:
    table = forecast(parse_scenario(_held()), format_id="without-the-holder")
    assert {table.value("land", m) for m in table.models} == {0.0}


def test_the_monte_carlo_draws_respect_the_holder_too() -> None:
    drawn = forecast_distribution(parse_scenario(_held()), samples=200, seed=3)
    for model, samples in drawn.samples.items():
        assert np.nanmax(samples[:, 0]) <= 30 + 1e-9, model
    free = forecast_distribution(parse_scenario(_held("")), samples=200, seed=3)
    assert max(np.nanmax(s[:, 0]) for s in free.samples.values()) > 30


@pytest.mark.parametrize("table", ["six-party", None])
def test_the_flagship_no_longer_hands_over_four_islands(table: str | None) -> None:
    result = forecast(FLAGSHIP, format_id=table)
    russia = float(FLAGSHIP.stance("russia", "kuril").position)
    for model in result.models:
        assert 10 <= result.value("kuril", model) <= russia, model


def test_a_holder_must_be_an_actor() -> None:
    with pytest.raises(ScenarioError, match="holder 'nobody' of issue 'land' is not an actor"):
        parse_scenario(_held('holder = "nobody"'))


def test_a_holder_needs_a_position_and_the_issue_a_status_quo() -> None:
    no_status_quo = _held().replace("status_quo = 0\n", "")
    with pytest.raises(ScenarioError, match="has a holder but no status quo"):
        parse_scenario(no_status_quo)
    silent = _held().replace("position = 30\nsalience = 0.5", "no_position = true")
    with pytest.raises(ScenarioError, match="has no position on it"):
        parse_scenario(silent)


def test_several_holders_each_bound_the_forecast() -> None:
    # The holder offers up to 30; the claimant, also a holder, wants 90: the bound is 30.
    both = forecast(parse_scenario(_held('holder = ["holder", "claimant"]')))
    for model in both.models:
        assert 0 <= both.value("land", model) <= 30, model
    relations = forecast(FLAGSHIP)  # the US offers 30 from 10; the DPRK wants 100
    for model in relations.models:
        assert 10 <= relations.value("us-dprk-relations", model) <= 30, model
    assert relations.value("us-dprk-relations", "mean") == 30.0
