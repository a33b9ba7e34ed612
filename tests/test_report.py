"""The main job's report: self-contained, with every section."""

from __future__ import annotations

import re

import pytest
from markupsafe import escape

from accord.report.html import render_report
from accord.report.run import RunSettings, run_all
from accord.scenario import Scenario


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
    assert "wedge_dprk" in html
