"""The main job's report: self-contained, with every section."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from accord.report.html import render_report
from accord.report.run import RunSettings, run_all
from accord.scenario import Scenario
from tests.conftest import SCENARIOS


@pytest.fixture(scope="module")
def html(nea: Scenario) -> str:
    inputs = run_all(
        nea, RunSettings(samples=40, draws=2, steps=8, negotiator="conceder", shape="quadratic")
    )
    return render_report(inputs)


@pytest.mark.parametrize(
    ("anchor", "heading"),
    [
        ("forecast", "Forecast per issue and model"),
        ("distributions", "Forecast distributions"),
        ("influence", "Who is pivotal"),
        ("forum", "The forum in each format"),
        ("formats", "Formats compared"),
        ("trust", "Trust over the implementation phases"),
    ],
)
def test_every_section_is_there(html: str, anchor: str, heading: str) -> None:
    assert re.search(rf'<h2 id="{anchor}">{heading}', html)


def test_the_report_is_self_contained(html: str) -> None:
    assert html.count("data:image/png;base64,") >= 3  # distributions, formats, trust
    assert not re.search(r'src="(?!data:)', html)  # no external images, scripts or styles
    assert "<link" not in html


def test_the_report_names_the_forum_and_the_parties(html: str, nea: Scenario) -> None:
    assert "six-party-forum" in html
    for actor in nea.actors:
        assert escape(actor.name) in html  # escaped: names are data, not markup
    # Formats and measures in words, each measure explained once; no machine path.
    assert "Gain from bilateral deals (dprk)" in html and "wedge_dprk" not in html
    assert "Bilateral sequence: dprk meets each other party in turn" in html
    assert "<dt>Distance from the Nash point</dt>" in html
    assert "Positions and sources: northeast-asia-2002.toml." in html
    assert "/work/" not in html and str(SCENARIOS) not in html


def test_the_report_shows_its_inputs_with_sources_and_dates(html: str, nea: Scenario) -> None:
    assert re.search(r'<h2 id="inputs">Inputs</h2>', html)
    kuril = nea.stance("russia", "kuril").entry.position
    assert kuril is not None and kuril.source is not None
    assert str(escape(kuril.source))[:60] in html and f"({kuril.date})" in html
    assert html.count("<details>") == len(nea.issues)
    assert "held by russia" in html  # the Kurils' holder


def test_the_report_says_why_each_forum_adopted_or_not(html: str) -> None:
    assert "Zone of agreement on the agenda" in html
    assert re.search(r"<strong>(Adopted in session|Nothing adopted)", html)


def test_the_report_compares_each_smaller_file_inside_the_forum_and_outside(html: str) -> None:
    assert "Spillover: a file inside the forum and outside" in html
    assert "japan and russia: kuril, ru-jp-economy" in html  # the essay's Russia–Japan file


def test_fewer_actors_are_asked_who_is_pivotal_on_larger_tables() -> None:
    # accord run on 500 actors × 3 issues spent 145 s asking 3 actors.
    from accord.report.run import INFLUENCE_MOST, influence_most

    # The flagship and every table up to 40 actors on 10 issues: the 25 with most weight.
    assert influence_most(6, 5) == influence_most(40, 10) == INFLUENCE_MOST
    asked = [influence_most(n, 10) for n in (60, 80, 100)]
    assert asked == sorted(asked, reverse=True) and asked[0] < INFLUENCE_MOST
    # Where one actor would take most of a minute, none is asked and the report says so.
    assert influence_most(500, 3) == influence_most(200, 10) == 0


def test_a_run_makes_fewer_draws_on_larger_tables_and_says_so() -> None:
    # accord run on 60 actors × 10 issues took 10 minutes with 500 forecast draws and 20
    # comparison draws (5 and 4 minutes); the defaults are meant to finish in about one.
    from accord.report.run import DRAWS, SAMPLES, RunSettings, plan_run
    from accord.scenario import load_scenario, scenario_from_dict
    from tests.test_pipeline import large_document

    flagship = load_scenario(SCENARIOS / "northeast-asia-2002.toml")
    assert plan_run(flagship, RunSettings()) == plan_run(flagship, RunSettings(samples=500))
    assert plan_run(flagship, RunSettings()).samples == SAMPLES
    assert plan_run(flagship, RunSettings()).draws == DRAWS
    assert plan_run(flagship, RunSettings()).note == ""

    def plan(n: int, m: int, **asked: int):
        doc = large_document(n, m, 0, uncertain=False, coded=True, quos=0, everyone=False)
        return plan_run(scenario_from_dict(doc), RunSettings(**asked))

    sizes = [(31, 5), (60, 10), (150, 10), (500, 10)]
    plans = [plan(n, m) for n, m in sizes]
    assert [p.samples for p in plans] == sorted((p.samples for p in plans), reverse=True)
    assert plans[1].samples < SAMPLES and plans[1].draws < DRAWS
    assert "60 actors and 10 issues" in plans[1].note
    assert f"{plans[1].samples} Monte Carlo draws of the forecasts, not 500" in plans[1].note
    assert "--samples 500 --draws 20" in plans[1].note
    # Never so few that the ranges say nothing; what is asked is what is run, unremarked.
    assert plans[-1].samples >= 20 and plans[-1].draws >= 3
    assert plan(60, 10, samples=500, draws=20) == type(plans[1])(500, 20, "")
    assert "Monte Carlo" not in plan(60, 10, samples=7).note
