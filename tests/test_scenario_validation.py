"""Bad scenario files are rejected with every problem, each naming file, line, path and fix."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from accord.errors import Problem, ScenarioError
from accord.scenario import load_scenario, parse_scenario
from tests.conftest import DATA

BASE = (DATA / "small.toml").read_text()


def problems_of(text: str, source: str = "bad.toml") -> tuple[Problem, ...]:
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source=source)
    assert info.value.problems, "a ScenarioError must list at least one problem"
    return info.value.problems


def only(problems: tuple[Problem, ...], location: str) -> Problem:
    matches = [p for p in problems if p.location == location]
    assert len(matches) == 1, f"expected one problem at {location}, got {problems}"
    return matches[0]


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    lines = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    return lines[occurrence - 1]


def test_salience_out_of_range_names_file_line_path_value_and_range() -> None:
    text = BASE.replace("salience = 0.5\n\n[positions.b.y]", "salience = 1.5\n\n[positions.b.y]")
    p = only(problems_of(text), "positions.b.x.salience")
    assert p.file == "bad.toml"
    assert p.line == line_of(text, "salience = 1.5")
    assert "1.5" in p.message
    assert "between 0 and 1" in p.message
    assert str(p).startswith(f"bad.toml:{p.line}: positions.b.x.salience: ")


def test_unknown_actor_in_relation_and_format() -> None:
    text = BASE.replace('actors = ["a", "b"]\nalliance', 'actors = ["a", "zed"]\nalliance')
    text = text.replace('id = "pair"\nactors = ["a", "b"]', 'id = "pair"\nactors = ["a", "q"]')
    found = problems_of(text)
    rel = only(found, "relations[0].actors[1]")
    assert "unknown actor 'zed'" in rel.message
    assert "a, b, c" in rel.message
    fmt = only(found, "formats[pair].actors[1]")
    assert "unknown actor 'q'" in fmt.message


def test_duplicate_ids() -> None:
    text = BASE.replace('id = "b"\nname = "Beta"', 'id = "a"\nname = "Beta"')
    found = problems_of(text)
    dup = [p for p in found if "duplicate actor id 'a'" in p.message]
    assert len(dup) == 1
    assert dup[0].line == line_of(text, 'id = "a"', 2)


def test_position_off_the_issue_scale() -> None:
    text = BASE.replace("position = 0\nsalience = 0.2", "position = 30\nsalience = 0.2")
    p = only(problems_of(text), "positions.c.y.position")
    assert "30" in p.message
    assert "-10–10" in p.message


def test_missing_position_must_be_explicit() -> None:
    text = BASE.replace('[positions.c.x]\nno_position = true\nsource = "none stated"\n', "")
    p = only(problems_of(text), "positions.c")
    assert "no entry for issue 'x'" in p.message
    assert "no_position = true" in p.message


def test_stance_without_salience() -> None:
    text = BASE.replace("position = 40\nsalience = 0.5", "position = 40")
    p = only(problems_of(text), "positions.b.x")
    assert "'salience'" in p.message
    assert "no_position" in p.message


def test_empty_format() -> None:
    text = BASE.replace('id = "pair"\nactors = ["a", "b"]', 'id = "pair"\nactors = []')
    p = only(problems_of(text), "formats[pair].actors")
    assert "at least two actors" in p.message


def test_wrong_type_names_the_expected_form() -> None:
    text = BASE.replace('name = "Alpha"\ncapability = 2', 'name = "Alpha"\ncapability = "big"')
    p = only(problems_of(text), "actors[a].capability")
    assert "'big'" in p.message
    assert "a number" in p.message


def test_unknown_key_lists_the_allowed_ones() -> None:
    text = BASE.replace('name = "Alpha"', 'name = "Alpha"\ncolour = "red"')
    p = only(problems_of(text), "actors[a].colour")
    assert "unknown key 'colour'" in p.message
    assert "capability" in p.message


def test_trust_out_of_range() -> None:
    text = BASE.replace("trust = 0.5", "trust = -2")
    p = only(problems_of(text), "relations[0].trust")
    assert "between -1 and 1" in p.message


def test_malformed_toml_reports_the_line() -> None:
    text = BASE.replace("[[issues]]", "[[issues]", 1)
    (p,) = problems_of(text)
    assert p.line == line_of(text, "[[issues]")
    assert "not valid TOML" in p.message


def test_all_problems_are_reported_at_once() -> None:
    text = (
        BASE.replace("trust = 0.5", "trust = 7")
        .replace("position = 40\nsalience = 0.5", "position = 400\nsalience = 0.5")
        .replace('id = "pair"\nactors = ["a", "b"]', 'id = "pair"\nactors = ["a"]')
        .replace("capability = 2", "capability = 0")
    )
    found = problems_of(text)
    locations = {p.location for p in found}
    assert {
        "relations[0].trust",
        "positions.b.x.position",
        "formats[pair].actors",
        "actors[a].capability",
    } <= locations
    assert [p.line for p in found] == sorted(p.line or 0 for p in found)


def test_message_lists_every_problem_and_says_nothing_loaded() -> None:
    text = BASE.replace("trust = 0.5", "trust = 7").replace("capability = 2", "capability = -1")
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, source="bad.toml")
    message = str(info.value)
    assert message.startswith("bad.toml: 2 problems found; nothing was loaded.")
    assert len(re.findall(r"^  bad\.toml:\d+: ", message, flags=re.M)) == 2


def test_missing_and_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="no such file"):
        load_scenario(tmp_path / "absent.toml")
    with pytest.raises(ScenarioError, match="is a directory"):
        load_scenario(tmp_path)
    binary = tmp_path / "binary.toml"
    binary.write_bytes(b"\xff\xfe\x00bad")
    with pytest.raises(ScenarioError, match="UTF-8"):
        load_scenario(binary)


def test_ids_must_be_simple() -> None:
    text = BASE.replace('id = "c"', 'id = "Gamma Org"')
    found = problems_of(text)
    assert any(p.location == "actors[2].id" and "not a valid id" in p.message for p in found)


def test_range_uncertainty_must_contain_the_value() -> None:
    text = BASE.replace("{ value = 5, low = 2, high = 8 }", "{ value = 5, low = 6, high = 8 }")
    p = only(problems_of(text), "positions.b.y.position")
    assert "must contain" in p.message
