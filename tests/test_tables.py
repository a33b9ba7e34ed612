"""BDM/KTAB-style tables import into the same validated scenarios as TOML files."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import ScenarioError
from accord.forecast import forecast
from accord.scenario import load_scenario, parse_table
from tests.conftest import DATA


def test_ktab_layout_reads_positions_and_divides_saliences_by_100() -> None:
    s = load_scenario(DATA / "eu-ktab.csv")
    assert s.name == "EU emissions"
    assert s.actor_ids[:2] == ("nl", "bel")
    assert s.actor("nl").description == "Netherlands"
    assert s.issue_ids == ("emissions",)
    assert s.stance("uk", "emissions").position == 100.0
    assert s.stance("uk", "emissions").salience == pytest.approx(0.9)
    assert s.issue("emissions").scale.max == 100.0


def test_ktab_table_forecasts_match_the_toml_version_on_a_rescaled_axis() -> None:
    # KTAB positions are 10 × Scholz's 4–10 scale, so forecasts are 10 × the paper's.
    table = forecast(load_scenario(DATA / "eu-ktab.csv"))
    assert table.value("emissions", "mean") == pytest.approx(73.90, abs=0.005)
    assert table.value("emissions", "median") == pytest.approx(70.0)


def test_plain_layout_with_crlf_line_endings_and_percent_saliences() -> None:
    s = load_scenario(DATA / "eu-plain.csv")
    assert len(s.actors) == 10
    assert s.stance("denmark", "issue").salience == pytest.approx(1.0)
    assert (s.issue("issue").scale.min, s.issue("issue").scale.max) == (4.0, 10.0)
    assert "0–100" in s.metadata.description
    table = forecast(s)
    assert table.value("issue", "mean") == pytest.approx(7.390, abs=0.0005)


def test_plain_layout_with_unit_saliences_is_read_as_is() -> None:
    s = parse_table("actor,capability,position,salience\nA,1,0,0.5\nB,1,10,1\n")
    assert s.stance("a", "issue").salience == 0.5


def test_bad_cell_is_reported_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("actor,capability,position,salience\nA,1,0,0.5\nB,lots,10,1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.line == 3
    assert problem.location == "actors[b].capability"
    assert "'lots'" in problem.message


def test_ktab_declared_counts_must_match() -> None:
    text = (DATA / "eu-ktab.csv").read_text().replace(",10,1", ",11,1", 1)
    with pytest.raises(ScenarioError, match="declares 11 actors but the table has 10 rows"):
        parse_table(text, source="eu.csv")


def test_ktab_saliences_may_not_exceed_100_per_actor() -> None:
    text = (
        "Two,test,2,2\nActor,Description,Influence,A Position,A Salience,B Position,B Salience\n"
        "X,x,1,10,60,20,50\nY,y,1,30,10,40,10\n"
    )
    with pytest.raises(ScenarioError, match="saliences add up to 110"):
        parse_table(text)


def test_unknown_layout_names_both_accepted_layouts() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_table("who,what\nA,B\n", source="odd.csv")
    message = str(info.value)
    assert "actor, capability, position, salience" in message
    assert "n_actors, n_dims" in message
