"""Loading valid scenarios gives immutable, typed objects with working accessors."""

from __future__ import annotations

import dataclasses

import pydantic
import pytest

from accord.errors import AccordError
from accord.scenario import ActorKind, Scenario, load_scenario, parse_scenario
from tests.conftest import DATA


def test_small_scenario_loads_typed_values(small: Scenario) -> None:
    assert small.actor_ids == ("a", "b", "c")
    assert small.issue_ids == ("x", "y")
    assert small.actor("c").kind is ActorKind.INTERNATIONAL_ORGANIZATION
    assert small.actor("b").capability.value == 1.0
    assert small.actor("b").capability.source == "test"
    assert small.issue("x").scale.min == 0
    assert small.issue("x").scale.max == 100
    assert small.issue("y").scale.min == -10
    assert small.metadata.date is not None
    assert small.metadata.date.isoformat() == "2002-11-20"


def test_bare_numbers_and_tables_are_the_same_quantity(small: Scenario) -> None:
    a = small.stance("a", "y").entry.position
    b = small.stance("b", "y").entry.position
    assert a is not None
    assert a.value == -5
    assert a.sd == 2
    assert a.uncertain
    assert b is not None
    assert (b.low, b.high) == (2, 8)
    assert b.uncertain
    assert small.stance("a", "x").entry.position is not None
    assert not small.stance("a", "x").entry.position.uncertain


def test_explicit_no_position(small: Scenario) -> None:
    stance = small.stance("c", "x")
    assert not stance.stated
    assert stance.position is None
    assert stance.salience is None
    assert stance.entry.source == "none stated"


def test_objects_are_immutable(small: Scenario) -> None:
    with pytest.raises(dataclasses.FrozenInstanceError):
        small.actors = ()  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError):
        small.actor("a").capability.value = 3.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        small.stances[0][0] = small.stances[0][1]  # type: ignore[index]


def test_relations_and_trust(small: Scenario) -> None:
    assert small.relation("b", "a") is small.relation("a", "b")
    assert small.trust("b", "a") == 0.5
    assert small.trust("a", "c") == 0.0  # no relation given: neutral


def test_seated_at_keeps_only_seated_actors(small: Scenario) -> None:
    pair = small.seated_at("pair")
    assert pair.actor_ids == ("a", "b")
    assert [row[0].actor for row in pair.stances] == ["a", "b"]
    assert small.actor_ids == ("a", "b", "c")  # the original is untouched


def test_unknown_names_raise_clear_errors(small: Scenario) -> None:
    with pytest.raises(AccordError, match=r"no format 'nine-party'.*pair"):
        small.seated_at("nine-party")
    with pytest.raises(AccordError, match="no actor 'zz'"):
        small.actor("zz")


def test_loading_is_deterministic() -> None:
    text = (DATA / "small.toml").read_text()
    assert parse_scenario(text) == parse_scenario(text)


def test_flagship_has_the_required_content(nea: Scenario) -> None:
    assert set(nea.actor_ids) == {"usa", "china", "rok", "dprk", "japan", "russia"}
    assert len(nea.issues) >= 5
    kuril = nea.issue("kuril")
    labels = {a.label for a in kuril.anchors}
    assert "no territorial problem (Gromyko line)" in labels
    assert "two islands (1956 Declaration)" in labels
    assert "four islands" in labels
    assert any("two plus two" in label for label in labels)
    formats = {f.id: set(f.actors) for f in nea.formats}
    assert formats["bilateral-us-dprk"] == {"usa", "dprk"}
    assert formats["three-party"] == {"usa", "china", "dprk"}
    assert formats["four-party"] == {"usa", "china", "rok", "dprk"}
    assert formats["six-party"] == set(nea.actor_ids)
    usa_japan, usa_rok = nea.relation("usa", "japan"), nea.relation("usa", "rok")
    assert usa_japan is not None
    assert usa_japan.alliance
    assert usa_rok is not None
    assert usa_rok.alliance
    china_dprk = nea.relation("china", "dprk")
    assert china_dprk is not None
    assert "1961" in china_dprk.treaty
    russia_japan = nea.relation("russia", "japan")
    assert russia_japan is not None
    assert russia_japan.rivalry


def _numbers(scenario: Scenario) -> list[tuple[str, object]]:
    found: list[tuple[str, object]] = []
    for actor in scenario.actors:
        found.append((f"actors.{actor.id}.capability", actor.capability))
    for issue in scenario.issues:
        if issue.status_quo is not None:
            found.append((f"issues.{issue.id}.status_quo", issue.status_quo))
    for row in scenario.stances:
        for stance in row:
            for key in ("position", "salience"):
                q = getattr(stance.entry, key)
                if q is not None:
                    found.append((f"positions.{stance.actor}.{stance.issue}.{key}", q))
    for rel in scenario.relations:
        if rel.trust is not None:
            found.append((f"relations.{'-'.join(rel.actors)}.trust", rel.trust))
    return found


@pytest.mark.parametrize("name", ["northeast-asia-2002.toml", "eu-emissions-1994.toml"])
def test_every_number_in_a_shipped_scenario_carries_its_source(name: str) -> None:
    scenario = load_scenario(DATA.parent.parent / "scenarios" / name)
    unsourced = [path for path, q in _numbers(scenario) if not getattr(q, "source", None)]
    assert unsourced == []
    silent = [
        f"{s.actor}.{s.issue}"
        for row in scenario.stances
        for s in row
        if not s.stated and not s.entry.source
    ]
    assert silent == []


def test_flagship_judgements_are_labelled_as_such(nea: Scenario) -> None:
    # Saliences and trust levels are not stated by the parties: each must say it is a judgement.
    for row in nea.stances:
        for s in row:
            if s.stated:
                assert s.entry.salience is not None
                assert s.entry.salience.source is not None
                assert "judgement" in s.entry.salience.source, f"{s.actor}.{s.issue}"
    for rel in nea.relations:
        assert rel.trust is not None
        assert rel.trust.source is not None
        assert "judgement" in rel.trust.source


def test_a_value_is_read_as_a_label_only_near_it(small: Scenario) -> None:
    # Issue x has labels at 0, 50 and 100 on a 0–100 scale; "near" is within 10 points.
    x = small.issue("x")
    assert x.reading(8.0) == "≈ none"
    assert x.reading(20.0) == "between none and half"  # once "≈ none", 20 points away
    assert x.reading(59.0) == "≈ half"
    assert small.issue("y").reading(3.0) == ""  # no labels, no words
