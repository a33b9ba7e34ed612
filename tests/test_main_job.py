"""The main job through the door the user uses: the installed `accord` command, as a process.

`accord run` on every bundled scenario and on plain actor tables of the sizes analysts
bring (nine actors crashed the formats compared until the seeds were counted per hub).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SCENARIOS

ACCORD = Path(sys.executable).with_name("accord")


def _run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ACCORD), *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
        env={"COLUMNS": "120", "PATH": str(ACCORD.parent)},
    )


@pytest.mark.parametrize("scenario", sorted(SCENARIOS.glob("*.toml")), ids=lambda p: p.stem)
def test_run_works_on_every_bundled_scenario(scenario: Path, tmp_path: Path) -> None:
    proc = _run("run", str(scenario), "--samples", "50", "--draws", "3", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "Formats compared" in proc.stdout
    report = (tmp_path / "accord-report.html").read_text()
    assert report.startswith("<!DOCTYPE html>")


@pytest.mark.parametrize("actors", [2, 8, 9, 12])
def test_run_works_on_a_table_of_any_size(actors: int, tmp_path: Path) -> None:
    table = tmp_path / "actors.csv"
    rows = ["actor,capability,position,salience"]
    rows += [f"actor{k},{1 + k % 4},{(37 * k) % 101},{20 + (13 * k) % 80}" for k in range(actors)]
    table.write_text("\n".join(rows) + "\n")
    proc = _run("run", str(table), "--samples", "20", "--draws", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "accord-report.html").is_file()
