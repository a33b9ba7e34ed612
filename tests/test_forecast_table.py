"""`forecast()` reads every issue by every model, against the issue's labelled points."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from accord.errors import AccordError, ForecastError
from accord.forecasting import MODELS, forecast
from accord.scenario import Scenario


def test_every_issue_by_every_model(nea: Scenario) -> None:
    table = forecast(nea)
    assert table.models == tuple(MODELS)
    assert len(table.cells) == len(nea.issues) * len(MODELS)
    assert [c.issue for c in table.cells[:: len(MODELS)]] == list(nea.issue_ids)


def test_nearest_anchor_is_attached(nea: Scenario) -> None:
    table = forecast(nea)
    cell = table.get("kuril", "nash")
    # Russia (45), Japan (100) and the US (100) all gain over the status quo (10); the
    # bargain alone lands between two islands and "two plus two", but Russia holds the
    # islands and offers just under two: the forecast is what it offers.
    assert cell.value == 45.0
    assert cell.anchor == "two islands (1956 Declaration)"
    assert cell.describe().startswith("45.0 ≈ two islands")
    assert "kept within what russia, which holds it" in cell.note


def test_nash_note_when_the_status_quo_is_protected(nea: Scenario) -> None:
    cell = forecast(nea).get("nuclear", "nash")
    assert cell.value == nea.issue("nuclear").status_quo.value  # type: ignore[union-attr]
    assert "both sides of the status quo" in cell.note


def test_format_restricts_the_actors(nea: Scenario) -> None:
    six = forecast(nea, format_id="six-party")
    four = forecast(nea, format_id="four-party")
    assert four.actors == ("usa", "china", "rok", "dprk")
    # Japan and Russia have the only positions on their economic cooperation.
    assert math.isnan(four.value("ru-jp-economy", "mean"))
    assert four.get("ru-jp-economy", "mean").note == "no actor with a position"
    assert not math.isnan(six.value("ru-jp-economy", "mean"))
    # Adding Japan and Russia (who favour a six-party table) moves the format forecast up.
    assert six.value("talks-format", "mean") > four.value("talks-format", "mean")


def test_model_selection_and_unknown_model(nea: Scenario) -> None:
    assert forecast(nea, models=["median"]).models == ("median",)
    with pytest.raises(ForecastError, match=r"unknown model 'bdm'.*mean, median, nash"):
        forecast(nea, models=["bdm"])
    with pytest.raises(AccordError, match="no format"):
        forecast(nea, format_id="eight-party")


def test_records_frame_json_and_csv_agree(nea: Scenario) -> None:
    table = forecast(nea, format_id="four-party")
    records = table.records()
    frame = table.to_frame()
    assert list(frame.columns) == [
        "issue",
        "model",
        "value",
        "anchor",
        "anchor_at",
        "note",
        "reading",
        "low",
        "high",
    ]
    assert len(frame) == len(records)
    payload = json.loads(table.to_json())
    assert payload["format"] == "four-party"
    assert payload["actors"] == list(table.actors)
    assert payload["forecasts"] == records  # NaN written as null
    kuril = next(i for i in payload["issues"] if i["id"] == "kuril")
    assert kuril["scale"] == {"min": 0.0, "max": 100.0, "unit": ""}
    assert kuril["status_quo"] == 10.0 and kuril["anchors"]
    from io import StringIO

    back = pd.read_csv(StringIO(table.to_csv()))
    assert back["value"].round(9).equals(frame["value"].astype(float).round(9))


def test_same_input_same_bytes(nea: Scenario) -> None:
    assert forecast(nea).to_json() == forecast(nea).to_json()


def test_the_ensemble_is_the_same_whether_its_members_ran_first_or_not(eu: Scenario) -> None:
    # The table reuses the members' runs when they are in it; alone, it runs them itself.
    both = forecast(eu, models=["mean", "expected-utility", "ensemble"])
    alone = forecast(eu, models=["ensemble"])
    for issue in eu.issues:
        expected = (both.value(issue.id, "mean") + both.value(issue.id, "expected-utility")) / 2
        assert both.value(issue.id, "ensemble") == pytest.approx(expected)
        assert alone.value(issue.id, "ensemble") == both.value(issue.id, "ensemble")
