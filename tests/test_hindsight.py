"""No hindsight: sources after a scenario's date are named, through the installed command.

Issue "The flagship as of its date": the flagship once cited January 2003 statements,
the April 2003 talks and a 2022 statement while dated 20 November 2002.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from accord.scenario.hindsight import earliest_day
from tests.conftest import SCENARIOS

ACCORD = Path(sys.executable).with_name("accord")

SCENARIO = """
[scenario]
name = "Dated"
date = 2002-11-20

[[actors]]
id = "a"
name = "A"
capability = { value = 1, source = "judgement: equal weight" }

[[actors]]
id = "b"
name = "B"
capability = { value = 1, date = 2002, source = "a yearbook of 2002" }

[[issues]]
id = "x"
name = "X"
status_quo = { value = 10, source = "STATUS_QUO_SOURCE" STATUS_QUO_DATE }
outcome = { value = 80, date = 2003-04-25, source = "learnt later, and kept apart" }

[positions.a.x]
position = { value = 20, date = "2002-10", source = "a statement of October 2002" }
salience = { value = 0.5, source = "judgement" }

[positions.b.x]
position = { value = 70, date = 2003-01-07, source = "a statement of January 2003" }
salience = { value = 0.5, source = "judgement" }

[[formats]]
id = "both"
actors = ["a", "b"]

[[forums]]
id = "forum"
format = "both"
source = "design: working groups as the 2007 talks had them"
"""


def _validate(text: str, tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    path = tmp_path / "dated.toml"
    path.write_text(text)
    return subprocess.run(
        [str(ACCORD), "validate", str(path), *flags],
        capture_output=True,
        text=True,
        timeout=120,
        env={"COLUMNS": "200", "PATH": str(ACCORD.parent)},
    )


def _scenario(status_quo_source: str = "the record", status_quo_date: str = "") -> str:
    date = f", date = {status_quo_date}" if status_quo_date else ""
    return SCENARIO.replace("STATUS_QUO_SOURCE", status_quo_source).replace(
        " STATUS_QUO_DATE", date
    )


def test_a_source_after_the_scenarios_date_is_a_warning_and_with_strict_an_error(
    tmp_path: Path,
) -> None:
    warned = _validate(_scenario(status_quo_date="2002-11-01"), tmp_path)
    assert warned.returncode == 0
    (line,) = [w for w in warned.stderr.splitlines() if w.startswith("warning:")]
    assert "positions.b.x.position.date" in line and "dated 2003-01-07" in line
    assert "hindsight" in line
    refused = _validate(_scenario(status_quo_date="2002-11-01"), tmp_path, "--strict")
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "dated 2003-01-07" in refused.stderr


def test_outcomes_judgements_and_design_templates_are_not_held_to_the_date(
    tmp_path: Path,
) -> None:
    fixed = _scenario(status_quo_date="2002-11-01").replace(
        'date = 2003-01-07, source = "a statement of January 2003"',
        'source = "judgement: where its earlier statements pointed"',
    )
    assert _validate(fixed, tmp_path, "--strict").returncode == 0


def test_strict_asks_every_citation_for_its_date(tmp_path: Path) -> None:
    undated = _scenario().replace("date = 2003-01-07, ", "")
    assert _validate(undated, tmp_path).returncode == 0  # not without --strict
    refused = _validate(undated, tmp_path, "--strict")
    assert refused.returncode == 2
    assert "issues[x].status_quo.source: this source has no date" in refused.stderr
    assert "positions.b.x.position.source" in refused.stderr
    assert "actors[a]" not in refused.stderr  # a judgement needs no date


def test_a_month_or_a_year_counts_from_its_first_day() -> None:
    assert str(earliest_day("2002")) == "2002-01-01"
    assert str(earliest_day("2002-11")) == "2002-11-01"
    assert str(earliest_day("2002-11-21")) == "2002-11-21"


def test_the_flagship_rests_on_what_was_public_by_its_date(tmp_path: Path) -> None:
    checked = _validate((SCENARIOS / "northeast-asia-2002.toml").read_text(), tmp_path, "--strict")
    assert checked.returncode == 0, checked.stderr
