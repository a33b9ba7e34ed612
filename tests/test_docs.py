"""The documentation's examples and commands work as written."""

from __future__ import annotations

import re
import shlex

from accord.scenario import parse_scenario
from tests.conftest import ROOT


def toml_blocks(text: str) -> list[str]:
    return re.findall(r"```toml\n(.*?)```", text, flags=re.S)


def test_scenario_format_example_is_complete_and_valid() -> None:
    (example,) = toml_blocks((ROOT / "docs" / "scenario-format.md").read_text())
    scenario = parse_scenario(example, source="docs example")
    assert scenario.actor_ids == ("north", "south", "un")
    assert {f.id for f in scenario.formats} == {"bilateral", "mediated"}
    assert not scenario.stance("un", "islands").stated
    assert scenario.linkages
    assert scenario.relations


def first_screen_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    first_screen = "\n".join(readme.splitlines()[:40])
    return [
        line.strip()
        for block in re.findall(r"```(?:sh|bash|console)?\n(.*?)```", first_screen, re.S)
        for line in block.splitlines()
        if line.strip() and not line.startswith("#")
    ]


def test_readme_first_screen_gives_the_two_commands() -> None:
    commands = first_screen_commands()
    assert any("accord run scenarios/northeast-asia-2002.toml" in c for c in commands)
    assert any("pytest" in c for c in commands)
    for command in commands:
        shlex.split(command)  # each is a well-formed shell line


def test_ci_runs_the_readme_test_command() -> None:
    test_command = next(c for c in first_screen_commands() if "pytest" in c)
    assert test_command in (ROOT / ".ci" / "run").read_text()
