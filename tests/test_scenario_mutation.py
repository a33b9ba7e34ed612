"""Random mutations of valid scenarios either load or raise ScenarioError — nothing else.

The base documents are the shipped scenarios and a small test file. A mutation
changes a type, pushes a number out of range, breaks or swaps a reference, or
deletes a key or a list item; several may apply at once. The same holds for raw
text edits of the TOML, which exercise the syntax path and the line finder.
"""

from __future__ import annotations

import copy
import tomllib
from typing import Any

import tomli_w
from hypothesis import given
from hypothesis import strategies as st

from accord.errors import ScenarioError
from accord.scenario import Scenario, parse_scenario, scenario_from_dict
from tests.conftest import DATA, SCENARIOS

BASES = {
    "small": (DATA / "small.toml").read_text(),
    "nea": (SCENARIOS / "northeast-asia-2002.toml").read_text(),
    "eu": (SCENARIOS / "eu-emissions-1994.toml").read_text(),
}
PARSED = {name: tomllib.loads(text) for name, text in BASES.items()}

Path = tuple[str | int, ...]


def paths(node: Any, prefix: Path = ()) -> list[Path]:
    """Every path to a value inside a parsed document."""
    out: list[Path] = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            out += paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            out += paths(value, (*prefix, i))
    return out


REPLACEMENTS = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from([-1.0, 0.0, 1.0000001, 1e9, -1e9, 101.0, -0.5, 2.0]),
    st.text(max_size=8),
    st.sampled_from(["usa", "dprk", "kuril", "six-party", "a", "x", "nobody", "", "Not An Id"]),
    st.booleans(),
    st.just([]),
    st.just({}),
    st.lists(st.sampled_from(["usa", "a", "b", "ghost"]), max_size=3),
    st.dictionaries(
        st.sampled_from(["value", "source", "sd", "low", "high", "bogus"]),
        st.one_of(st.floats(-5, 200), st.text(max_size=3)),
        max_size=3,
    ),
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(sorted(PARSED)))
    doc = copy.deepcopy(PARSED[name])
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        candidates = paths(doc)
        if not candidates:
            break
        path = draw(st.sampled_from(candidates))
        parent: Any = doc
        for key in path[:-1]:
            parent = parent[key]
        key = path[-1]
        if draw(st.booleans()):
            del parent[key]  # deletion of a key or of a list item
        else:
            parent[key] = draw(REPLACEMENTS)
    return name, doc


def assert_loads_or_reports(load: Any) -> None:
    error: ScenarioError | None = None
    try:
        result = load()
    except ScenarioError as exc:  # the documented error; anything else fails the test
        error = exc
    if error is None:
        assert isinstance(result, Scenario)
        return
    assert error.problems
    for problem in error.problems:
        assert problem.message
        assert str(problem)


@given(mutated())
def test_mutated_documents_load_or_raise_scenario_error(case: tuple[str, dict[str, Any]]) -> None:
    _, doc = case
    assert_loads_or_reports(lambda: scenario_from_dict(doc, source="mutant.toml"))
    # The same document written back to TOML goes through the text path and line finder.
    text = tomli_w.dumps(doc)
    assert_loads_or_reports(lambda: parse_scenario(text, source="mutant.toml"))


@given(
    st.sampled_from(sorted(BASES)),
    st.lists(
        st.tuples(st.floats(0, 1), st.integers(0, 40), st.text(max_size=6)), min_size=1, max_size=4
    ),
)
def test_text_edits_load_or_raise_scenario_error(
    name: str, edits: list[tuple[float, int, str]]
) -> None:
    text = BASES[name]
    for where, cut, insert in edits:
        at = int(where * len(text))
        text = text[:at] + insert + text[at + cut :]
    assert_loads_or_reports(lambda: parse_scenario(text, source="edited.toml"))
