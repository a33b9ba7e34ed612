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
    # Same seed, same report, byte for byte (plots included).
    again = _run(
        "run", str(scenario), "--samples", "50", "--draws", "3", "-o", "again.html", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "again.html").read_bytes() == (tmp_path / "accord-report.html").read_bytes()


@pytest.mark.parametrize("actors", [2, 8, 9, 12])
def test_run_works_on_a_table_of_any_size(actors: int, tmp_path: Path) -> None:
    table = tmp_path / "actors.csv"
    rows = ["actor,capability,position,salience"]
    rows += [f"actor{k},{1 + k % 4},{(37 * k) % 101},{20 + (13 * k) % 80}" for k in range(actors)]
    table.write_text("\n".join(rows) + "\n")
    proc = _run("run", str(table), "--samples", "20", "--draws", "2", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "accord-report.html").is_file()


def _deu(tmp_path: Path) -> Path:
    """A small DEU-layout table (tab-separated, with the GDP row), four proposals."""
    actors = ["com", "ep", "de", "fr", "nl"]
    header = ["prnr", "isnr", "counvte", "proc", "intro"]
    header += [f"p{a}" for a in actors] + [f"s{a}" for a in actors] + ["rp", "out"]
    lines = ["\t".join(header), "\t".join([""] * 5 + ["4", "4", "2", "2", "1"] + [""] * 7)]
    for k in range(12):
        x = [(17 * k + 29 * j) % 101 for j in range(5)]
        s = [20 + (13 * k + 7 * j) % 80 for j in range(5)]
        meta = [f"d{k // 3}", f"d{k // 3}i{k % 3}", "QMV" if k % 2 else "Unan", "COD", "01-06-05"]
        lines.append("\t".join(map(str, [*meta, *x, *s, 0, (31 * k) % 101])))
    path = tmp_path / "deu.tsv"
    path.write_text("\n".join(lines) + "\n")
    return path


def test_backtest_command_prints_scores_and_writes_the_same_bytes_twice(tmp_path: Path) -> None:
    data = _deu(tmp_path)
    first = _run("backtest", str(data), "--out", "a.json", "--seed", "4", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "Back-test on 12 decisions" in first.stdout
    assert "weighted mean" in first.stdout.lower()
    second = _run("backtest", str(data), "--out", "b.json", "--seed", "4", cwd=tmp_path)
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()
    assert second.stdout == first.stdout.replace("a.json", "b.json")


@pytest.mark.parametrize("suffix", [".csv", ".parquet"])
def test_backtest_tables_go_to_two_files(tmp_path: Path, suffix: str) -> None:
    import pandas as pd

    proc = _run(
        "backtest", str(_deu(tmp_path)), "-m", "median", "--out", f"r{suffix}", cwd=tmp_path
    )
    assert proc.returncode == 0, proc.stderr
    read = pd.read_csv if suffix == ".csv" else pd.read_parquet
    issues, models = read(tmp_path / f"r{suffix}"), read(tmp_path / f"r.models{suffix}")
    assert set(issues["model"]) == {"mean", "median"} and len(issues) == 24
    assert list(models["model"]) == ["mean", "median"]
    assert {"mae", "vs_baseline_low", "conformal_coverage"} <= set(models.columns)


def test_backtest_report_is_a_page(tmp_path: Path) -> None:
    proc = _run("backtest", str(_deu(tmp_path)), "--report", "bt.html", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    page = (tmp_path / "bt.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and page.count("data:image/png;base64,") == 2


def test_backtest_bad_data_is_refused_and_nothing_is_written(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("actor,capability,position,salience\na,1,10,0.5\nb,1,60,0.5\n")
    proc = _run("backtest", str(bad), "--out", "r.json", cwd=tmp_path)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert f"{bad}" in proc.stderr and "Outcome" in proc.stderr
    assert not (tmp_path / "r.json").exists()
    missing = _run("backtest", "nowhere.tsv", cwd=tmp_path)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
    wrong = _run("backtest", str(_deu(tmp_path)), "--out", "r.xlsx", cwd=tmp_path)
    assert wrong.returncode == 2 and ".csv, .json, .parquet" in wrong.stderr


def test_a_table_too_large_for_the_pairwise_models_is_refused_up_front(tmp_path: Path) -> None:
    table = tmp_path / "many.csv"
    rows = ["actor,capability,position,salience"]
    rows += [f"a{k},{1 + k % 4},{(37 * k) % 101},{20 + (13 * k) % 80}" for k in range(60_000)]
    table.write_text("\n".join(rows) + "\n")
    refused = _run("forecast", str(table), cwd=tmp_path)
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    assert "on 60,000 actors needs about" in refused.stderr and "-m mean" in refused.stderr
    simple = _run("forecast", str(table), "-m", "mean", "-m", "median", cwd=tmp_path)
    assert simple.returncode == 0, simple.stderr
    assert "and 59,988 more" in simple.stdout


def test_forecast_at_80_columns_cuts_no_number_or_name(tmp_path: Path) -> None:
    import json

    scenario = SCENARIOS / "northeast-asia-2002.toml"
    proc = _run("forecast", str(scenario), "--out", "f.json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    narrow = subprocess.run(
        [str(ACCORD), "forecast", str(scenario)],
        capture_output=True,
        text=True,
        check=False,
        env={"COLUMNS": "80", "PATH": str(ACCORD.parent)},
    )
    assert narrow.returncode == 0, narrow.stderr
    lines = narrow.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    forecasts = json.loads((tmp_path / "f.json").read_text())["forecasts"]
    for cell in forecasts:
        if cell["value"] is not None:
            assert any(f"{cell['value']:.1f}" in line for line in lines), cell
    for label in ("Weighted mean", "Expected utility", "Nash bargaining", "Ensemble"):
        assert any(label in line for line in lines), label
