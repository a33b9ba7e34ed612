"""Every command on generated scenarios: any number of actors and issues, formats or none.

Scenarios are drawn by Hypothesis — 2 to 30 actors, 1 to 4 issues, positions,
saliences and capabilities of any size, uncertainties, status quos and formats
present or not — and run through the commands' own functions (`run`, `forecast
--samples`, `influence`, `negotiate`). Whatever the draw, each finishes with
finite numbers where a forecast is defined; nothing crashes.

Larger tables, 31 to 500 actors on 1 to 10 issues, go through the command line
itself. Their values come from a generator seeded by Hypothesis (drawing 5,000
numbers one by one would exhaust its budget); sizes, uncertainties, status quos
and formats are Hypothesis's own draws. Tables of up to 1,500 actor-issues are
drawn here (500 × 3, 150 × 10): at 500 actors on 10 issues one draw of the
expected-utility and exchange models takes about 18 seconds, and `run` makes at
least twenty; that corner is timed in `benchmarks/` instead.
"""

from __future__ import annotations

import math
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from accord.cli import app
from accord.files import write_atomically
from accord.forecasting import forecast
from accord.forecasting.distribution import forecast_distribution
from accord.forecasting.influence import influence
from accord.report.html import render_report
from accord.report.run import RunSettings, run_all
from accord.scenario import Scenario, scenario_from_dict

runner = CliRunner(env={"COLUMNS": "120"})


@st.composite
def scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario document of any size the suite can afford."""
    n = draw(st.integers(2, 30))
    m = draw(st.integers(1, 4))
    actors = [
        {
            "id": f"a{k}",
            "name": f"Actor {k}",
            "capability": draw(
                st.floats(0.01, 100)
                | st.builds(lambda v: {"value": v, "sd": v / 10}, st.floats(0.1, 10))
            ),
        }
        for k in range(n)
    ]
    issues = []
    for j in range(m):
        issue: dict[str, Any] = {
            "id": f"i{j}",
            "name": f"Issue {j}",
            "anchors": [{"at": 0, "label": "none"}, {"at": 100, "label": "all"}],
        }
        if draw(st.booleans()):
            issue["status_quo"] = draw(st.floats(0, 100))
        issues.append(issue)
    positions: dict[str, Any] = {}
    for k in range(n):
        entry = {}
        for j in range(m):
            if k > 0 and draw(st.integers(0, 9)) == 0:  # someone must state a position
                entry[f"i{j}"] = {"no_position": True, "source": "test"}
                continue
            position: Any = draw(st.sampled_from([0.0, 50.0, 100.0]) | st.floats(0, 100))
            if draw(st.booleans()):
                position = {"value": position, "sd": draw(st.floats(0.5, 20))}
            entry[f"i{j}"] = {"position": position, "salience": draw(st.floats(0.01, 1))}
        positions[f"a{k}"] = entry
    doc: dict[str, Any] = {
        "scenario": {"name": "Generated", "date": "2002-11-20"},
        "actors": actors,
        "issues": issues,
        "positions": positions,
    }
    if n >= 3 and draw(st.booleans()):
        doc["formats"] = [
            {"id": "small", "actors": [f"a{k}" for k in range(2)]},
            {"id": "all", "actors": [f"a{k}" for k in range(n)]},
        ]
    return doc


def _finite_where_defined(values: list[float | None]) -> bool:
    return all(v is None or math.isfinite(v) or math.isnan(v) for v in values)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios())
def test_every_command_runs_on_generated_scenarios(doc: dict[str, Any]) -> None:
    scenario: Scenario = scenario_from_dict(doc, source="generated")
    table = forecast(scenario)
    assert all(c.note or not math.isnan(c.value) or c.model == "nash" for c in table.cells), (
        "a forecast is NaN without saying why"
    )
    distribution = forecast_distribution(scenario, 8, seed=1)
    assert set(distribution.samples) == set(table.models)
    pivots = influence(scenario, "mean")
    assert {r.actor for r in pivots.rows} == set(scenario.actor_ids)
    inputs = run_all(scenario, RunSettings(seed=2, samples=6, draws=1, steps=8))
    # A format where fewer than two actors state a position has nothing to negotiate.
    stake = set(scenario.stakeholders)
    formats = {f.id for f in scenario.formats if len(stake & set(f.actors)) >= 2}
    assert {run.forum for run in inputs.forums} == {f"{f}-forum" for f in formats}
    if len(stake) >= 2:
        assert set(inputs.comparison["format"]) >= formats
    assert _finite_where_defined(list(inputs.comparison["welfare"]))
    assert render_report(inputs).startswith("<!DOCTYPE html>")


def test_the_commands_run_on_a_generated_file(tmp_path: Any) -> None:
    # The same pipeline through the command line, once, with formats and uncertainties.
    import tomli_w

    actors = 12
    raw = {
        "scenario": {"name": "Twelve", "date": "2002-11-20"},
        "actors": [
            {"id": f"a{k}", "name": f"A{k}", "capability": 1 + k % 3} for k in range(actors)
        ],
        "issues": [
            {"id": "x", "name": "X", "status_quo": 20},
            {"id": "y", "name": "Y"},
        ],
        "positions": {
            f"a{k}": {
                "x": {"position": (17 * k) % 101, "salience": 0.2 + (k % 5) / 10},
                "y": {"position": {"value": (29 * k) % 101, "sd": 5}, "salience": 0.5},
            }
            for k in range(actors)
        },
        "formats": [{"id": "four", "actors": ["a0", "a1", "a2", "a3"]}],
    }
    path = tmp_path / "twelve.toml"
    write_atomically(path, tomli_w.dumps(raw))
    for args in (
        ["validate", str(path)],
        ["forecast", str(path), "--samples", "20"],
        ["influence", str(path)],
        ["negotiate", str(path), "-f", "four"],
        ["run", str(path), "--samples", "20", "--draws", "2", "--report", str(tmp_path / "r.html")],
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 0, (args, result.output)


def large_document(
    n: int, m: int, seed: int, *, uncertain: bool, coded: bool, quos: int, everyone: bool
) -> dict[str, Any]:
    """A scenario of ``n`` actors and ``m`` issues, values from a seeded generator.

    ``coded``: positions 0/50/100 (ties everywhere, as in coded data); ``quos``: how many
    issues state a status quo; ``everyone``: a format with every actor beside a small one.
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    position = rng.choice([0.0, 50.0, 100.0], (n, m)) if coded else rng.uniform(0, 100, (n, m))
    salience = rng.uniform(0.01, 1, (n, m))
    capability = rng.lognormal(0, 1, n)
    issues: list[dict[str, Any]] = [
        {
            "id": f"i{j}",
            "name": f"Issue {j}",
            "anchors": [{"at": 0, "label": "none"}, {"at": 100, "label": "all"}],
            **({"status_quo": float(rng.uniform(0, 100))} if j < quos else {}),
        }
        for j in range(m)
    ]
    formats = [{"id": "three", "actors": ["a0", "a1", "a2"]}]
    if everyone:
        formats.append({"id": "all", "actors": [f"a{k}" for k in range(n)]})
    return {
        "scenario": {"name": "Generated, large", "date": "2002-11-20"},
        "actors": [
            {"id": f"a{k}", "name": f"Actor {k}", "capability": float(capability[k])}
            for k in range(n)
        ],
        "issues": issues,
        "positions": {
            f"a{k}": {
                f"i{j}": {
                    "position": {"value": float(position[k, j]), "sd": 5.0}
                    if uncertain
                    else float(position[k, j]),
                    "salience": float(salience[k, j]),
                }
                for j in range(m)
            }
            for k in range(n)
        },
        "formats": formats,
    }


@st.composite
def large_scenarios(draw: st.DrawFn) -> dict[str, Any]:
    """A scenario of 31 to 500 actors and 1 to 10 issues (at most 1,500 stances)."""
    m = draw(st.integers(1, 10))
    n = draw(st.integers(31, min(500, 1500 // m)))
    return large_document(
        n,
        m,
        draw(st.integers(0, 2**32 - 1)),
        uncertain=draw(st.booleans()),
        coded=draw(st.booleans()),
        quos=draw(st.integers(0, m)),
        everyone=draw(st.booleans()),
    )


@settings(max_examples=2, deadline=None, suppress_health_check=list(HealthCheck))
@given(large_scenarios())
# The two corners, always: the most actors, and the most issues with the most actors.
@example(large_document(500, 3, 1, uncertain=True, coded=True, quos=3, everyone=True))
@example(large_document(150, 10, 2, uncertain=False, coded=False, quos=5, everyone=True))
def test_every_command_runs_on_large_generated_files(doc: dict[str, Any]) -> None:
    import tempfile
    from pathlib import Path

    import tomli_w

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.toml"
        write_atomically(path, tomli_w.dumps(doc))
        report = Path(folder) / "report.html"
        out = Path(folder) / "forecast.json"
        actors, issues = len(doc["actors"]), len(doc["issues"])
        # The corners choose their own comparison draws (fewer than 20, and say so).
        planned = actors * issues >= 1000
        for args in (
            ["validate", str(path)],
            ["forecast", str(path), "--samples", "2", "--out", str(out)],
            ["influence", str(path), "-m", "mean"],
            ["negotiate", str(path), "-f", "three"],
            ["run", str(path), "--samples", "2", "--report", str(report)]
            + ([] if planned else ["--draws", "1"]),
        ):
            result = runner.invoke(app, args)
            assert result.exit_code == 0, (args, result.output)
            assert "Traceback" not in result.output
        assert f"{actors} actors" in runner.invoke(app, ["validate", str(path)]).output
        html = report.read_text()
        assert html.startswith("<!DOCTYPE html>")
        if planned:
            said = f"On a table of {actors} actors and {issues} issues the run makes 3 draws"
            assert said in " ".join(result.output.split())
            assert said in html
        assert out.stat().st_size > 0
