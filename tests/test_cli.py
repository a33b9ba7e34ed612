"""The `accord` command: exit codes, messages, files written, help."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from accord.cli import app
from tests.conftest import DATA, SCENARIOS

runner = CliRunner(env={"COLUMNS": "200"})
NEA = str(SCENARIOS / "northeast-asia-2002.toml")


def test_forecast_flagship_prints_the_table() -> None:
    result = runner.invoke(app, ["forecast", NEA])
    assert result.exit_code == 0, result.output
    assert "Northeast Asian security forum" in result.output
    assert "Kuril Islands" in result.output
    assert "Weighted mean" in result.output
    assert "45.0 ≈ two islands" in result.output  # kept within what Russia, the holder, offers


def test_forecast_with_format_and_models() -> None:
    result = runner.invoke(app, ["forecast", NEA, "--format", "four-party", "-m", "median"])
    assert result.exit_code == 0, result.output
    assert "format: four-party" in result.output
    assert "Weighted mean" not in result.output
    assert "usa, china, rok, dprk" in result.output


def test_forecast_csv_table_works() -> None:
    result = runner.invoke(app, ["forecast", str(DATA / "eu-ktab.csv")])
    assert result.exit_code == 0, result.output
    assert "73.9" in result.output


@pytest.mark.parametrize("suffix", [".csv", ".json"])
def test_out_writes_the_results(tmp_path: Path, suffix: str) -> None:
    out = tmp_path / f"results{suffix}"
    result = runner.invoke(app, ["forecast", NEA, "--out", str(out)])
    assert result.exit_code == 0, result.output
    text = out.read_text()
    if suffix == ".json":
        assert json.loads(text)["scenario"].startswith("Northeast Asian")
    else:
        assert text.splitlines()[0] == "issue,model,value,anchor,anchor_at,note,reading,low,high"
    assert [p.name for p in tmp_path.iterdir()] == [out.name]  # no temporary left behind


def test_bad_out_suffix_or_folder_is_refused_before_work(tmp_path: Path) -> None:
    result = runner.invoke(app, ["forecast", NEA, "--out", str(tmp_path / "r.xlsx")])
    assert result.exit_code == 2
    assert ".csv or .json" in result.output
    result = runner.invoke(app, ["forecast", NEA, "--out", str(tmp_path / "no" / "r.csv")])
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_validate_good_file_exits_0() -> None:
    result = runner.invoke(app, ["validate", NEA])
    assert result.exit_code == 0
    assert result.output.startswith("ok: ")
    assert "6 actors, 10 issues, 4 formats" in result.output


def test_validate_bad_file_exits_2_with_every_problem(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text(
        (DATA / "small.toml")
        .read_text()
        .replace("trust = 0.5", "trust = 9")
        .replace("capability = 2", "capability = -2")
    )
    result = runner.invoke(app, ["validate", str(bad)])
    assert result.exit_code == 2
    assert "2 problems found" in result.output
    assert f"{bad}:" in result.output
    assert "relations[0].trust" in result.output
    assert "Traceback" not in result.output


def test_unknown_format_exits_2() -> None:
    result = runner.invoke(app, ["forecast", NEA, "--format", "ten-party"])
    assert result.exit_code == 2
    assert "no format 'ten-party'" in result.output
    assert "six-party" in result.output


def test_missing_file_exits_2_without_traceback() -> None:
    result = runner.invoke(app, ["forecast", "nowhere.toml"])
    assert result.exit_code == 2
    assert "no such file" in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(
    "command", ["forecast", "validate", "models", "influence", "negotiate", "run", "experiment"]
)
def test_every_command_explains_its_options(command: str) -> None:
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0
    if command == "forecast":
        for option in ("--format", "--model", "--out", "--rounds", "--samples", "--seed", "--plot"):
            assert option in result.output
        for model in ("mean", "median", "nash"):
            assert model in result.output


def test_top_level_help_lists_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("forecast", "validate", "models"):
        assert command in result.output


def test_console_script_runs_as_a_process(tmp_path: Path) -> None:
    bad = tmp_path / "broken.toml"
    bad.write_text("[scenario\nname = 1\n")
    proc = subprocess.run(
        [sys.executable, "-m", "accord", "validate", str(bad)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 2
    assert f"{bad}:1: not valid TOML" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_expected_utility_trajectory_is_printed() -> None:
    eu_file = str(SCENARIOS / "eu-emissions-1994.toml")
    result = runner.invoke(
        app, ["forecast", eu_file, "-m", "expected-utility", "--rounds", "3", "--scholz"]
    )
    assert result.exit_code == 0, result.output
    assert "round by round" in result.output
    assert "8.42~" in result.output  # Belgium compromises with France in round 1
    assert "9.96" in result.output  # median after round 3 (Scholz Table 2: 9.9)


def test_samples_and_seed_give_intervals_and_repeat(tmp_path: Path) -> None:
    out1, out2 = tmp_path / "a.json", tmp_path / "b.json"
    args = ["forecast", NEA, "--samples", "200", "--seed", "7", "-m", "mean"]
    first = runner.invoke(app, [*args, "--out", str(out1)])
    second = runner.invoke(app, [*args, "--out", str(out2)])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert "200 draws, seed 7" in first.output and "[5%–95%]" in first.output
    assert out1.read_bytes() == out2.read_bytes()


@pytest.mark.parametrize("extra", [["-m", "expected-utility"], ["--samples", "50"]])
def test_plot_writes_a_png(tmp_path: Path, extra: list[str]) -> None:
    png = tmp_path / "figure.png"
    result = runner.invoke(app, ["forecast", NEA, *extra, "--plot", str(png)])
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_influence_command_ranks_actors(tmp_path: Path) -> None:
    out = tmp_path / "influence.csv"
    result = runner.invoke(app, ["influence", NEA, "--model", "mean", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Who is pivotal" in result.output and "Rank" in result.output
    assert out.read_text().startswith("model,actor,issue,baseline,leave,up,down")


@pytest.mark.parametrize("protocol", ["alternating", "chair-text", "voting"])
def test_negotiate_runs_each_protocol(protocol: str) -> None:
    result = runner.invoke(
        app,
        [
            "negotiate",
            NEA,
            "--format",
            "six-party",
            "--protocol",
            protocol,
            "--seed",
            "1",
            "--shape",
            "quadratic",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Agreement at round" in result.output or "No agreement" in result.output
    assert "Pareto frontier" in result.output and "Nash point" in result.output
    assert "Transcript:" in result.output


def test_negotiate_is_reproducible_and_writes_json_and_png(tmp_path: Path) -> None:
    args = ["negotiate", NEA, "-f", "bilateral-us-dprk", "--seed", "4", "--as", "dprk=hardliner"]
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    first = runner.invoke(app, [*args, "--out", str(a), "--plot", str(tmp_path / "n.png")])
    second = runner.invoke(app, [*args, "--out", str(b)])
    assert first.exit_code == 0, first.output
    assert second.exit_code == 0, second.output
    assert a.read_bytes() == b.read_bytes()
    payload = json.loads(a.read_text())
    assert payload["parties"] == ["usa", "dprk"] and payload["transcript"]
    assert (tmp_path / "n.png").read_bytes()[:4] == b"\x89PNG"


def test_negotiate_rejects_bad_names() -> None:
    bad = runner.invoke(app, ["negotiate", NEA, "--as", "nobody=boulware"])
    assert bad.exit_code == 2 and "no party 'nobody'" in bad.output
    # Names of negotiators and protocols are refused at the edge, before the scenario is read.
    bad = runner.invoke(app, ["negotiate", NEA, "--negotiator", "genius"])
    assert bad.exit_code == 2 and "'genius' is not one of 'boulware'" in bad.output
    assert "packages" not in bad.output  # no work was done
    bad = runner.invoke(app, ["negotiate", NEA, "--protocol", "auction"])
    assert bad.exit_code == 2 and "'auction' is not one of 'alternating'" in bad.output
    bad = runner.invoke(app, ["negotiate", NEA, "--as", "dprk=genius"])
    assert bad.exit_code == 2 and "--as 'dprk=genius': 'genius' is not a negotiator" in bad.output
    assert "packages" not in bad.output
    for option, value in (("--shape", "cubic"), ("--rule", "plurality")):
        bad = runner.invoke(app, ["negotiate", NEA, option, value])
        assert bad.exit_code == 2 and f"'{value}' is not one of" in bad.output, bad.output
    bad = runner.invoke(app, ["run", NEA, "--shape", "cubic"])
    assert bad.exit_code == 2 and "'linear', 'quadratic'" in bad.output


def test_run_writes_the_report(tmp_path: Path) -> None:
    report = tmp_path / "report.html"
    result = runner.invoke(
        app, ["run", NEA, "--report", str(report), "--samples", "30", "--draws", "2", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "The forum in each format" in result.output and "Formats compared" in result.output
    text = report.read_text()
    assert text.startswith("<!DOCTYPE html>") and "Formats compared" in text


def test_run_refuses_bad_options(tmp_path: Path) -> None:
    bad = runner.invoke(app, ["run", NEA, "--report", str(tmp_path / "r.pdf")])
    assert bad.exit_code == 2 and ".html" in bad.output
    bad = runner.invoke(
        app, ["run", NEA, "--report", str(tmp_path / "r.html"), "--strategy", "grim"]
    )
    assert bad.exit_code == 2 and "strict, generous, unconditional" in bad.output
    bad = runner.invoke(app, ["run", NEA, "--negotiator", "genius"])
    assert bad.exit_code == 2 and "'genius' is not one of 'boulware'" in bad.output


def test_experiment_runs_and_resumes(tmp_path: Path) -> None:
    out = tmp_path / "exp"
    args = [
        "experiment",
        NEA,
        "--runs",
        "2",
        "--param",
        "steps=5",
        "--param",
        "strategy=strict,generous",  # as the README writes it
        "--executor",
        "in-process",
        "--out",
        str(out),
    ]
    first = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "Formats compared" in first.output
    # One row per strategy and format: the sweep is summarised per value swept.
    assert "Strategy" in first.output and "generous" in first.output and "strict" in first.output
    assert (out / "results.parquet").exists()
    parts = {p.name: p.stat().st_mtime_ns for p in (out / "parts").iterdir()}
    assert len(parts) == 4  # 2 strategies × 2 runs
    import accord.experiments

    def never(item: object) -> object:
        raise AssertionError(f"task redone: {item}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accord.experiments, "format_comparison_job", never)
        again = runner.invoke(app, args)  # everything done: read back, nothing redone
    assert again.exit_code == 0, again.output
    assert {p.name: p.stat().st_mtime_ns for p in (out / "parts").iterdir()} == parts
    bad = runner.invoke(app, ["experiment", NEA, "--param", "colour=red"])
    assert bad.exit_code == 2 and "choose negotiator, strategy, shape or steps" in bad.output


def test_written_files_get_ordinary_permissions(tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    assert runner.invoke(app, ["forecast", NEA, "-m", "mean", "--out", str(out)]).exit_code == 0
    mask = os.umask(0)
    os.umask(mask)
    assert out.stat().st_mode & 0o777 == 0o666 & ~mask  # not a temporary file's 0600


def test_a_bad_server_setting_in_the_environment_is_named(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'exercises.db'}"
    result = runner.invoke(
        app,
        ["db", "upgrade", "--database", database],
        env={"ACCORD_EVENTS_RECHECK_SECONDS": "soon"},
    )
    assert result.exit_code == 2
    assert "ACCORD_EVENTS_RECHECK_SECONDS='soon'" in result.output
    assert "unset ACCORD_EVENTS_RECHECK_SECONDS" in result.output
    assert not (tmp_path / "exercises.db").exists()  # nothing was done


def test_negotiate_says_where_reservations_come_from() -> None:
    eu_file = str(SCENARIOS / "eu-emissions-1994.toml")
    result = runner.invoke(app, ["negotiate", eu_file])
    assert result.exit_code == 0, result.output
    assert "0, because no issue has a status quo" in result.output
    result = runner.invoke(app, ["negotiate", NEA, "-f", "six-party"])
    assert "usa, china, rok, dprk, japan, russia: the utility of the status quo" in result.output


@pytest.mark.parametrize(
    "command",
    [
        ["db", "upgrade"],
        ["serve"],
        ["exercise", "create", NEA, "-f", "six-party"],
        ["exercise", "export", "1", "--out", "x.json"],
    ],
)
def test_a_database_in_a_missing_folder_is_named_not_a_traceback(
    command: list[str], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'nowhere' / 'x.db'}"
    result = runner.invoke(app, [*command, "--database", url])
    assert result.exit_code == 2, result.output
    assert f"the folder {tmp_path / 'nowhere'} does not exist" in result.output
    assert not (tmp_path / "nowhere").exists()


def test_replay_prints_join_links_that_open_the_debrief(tmp_path: Path) -> None:
    import re

    from fastapi.testclient import TestClient

    from accord.server.app import create_app
    from accord.server.settings import ServerSettings

    url = f"sqlite:///{tmp_path / 'ex.db'}"
    made = runner.invoke(app, ["exercise", "create", NEA, "-f", "six-party", "--database", url])
    assert made.exit_code == 0, made.output
    saved = tmp_path / "ex.json"
    exported = runner.invoke(
        app, ["exercise", "export", "1", "--out", str(saved), "--database", url]
    )
    assert exported.exit_code == 0, exported.output
    replay = runner.invoke(app, ["exercise", "replay", str(saved), "--database", url])
    assert replay.exit_code == 0, replay.output
    links = dict(re.findall(r"^\s+(\w+)\s.*\?exercise=2&token=(\S+)$", replay.output, re.M))
    assert set(links) >= {"usa", "dprk", "chair", "facilitator", "observer"}
    client = TestClient(create_app(ServerSettings(database_url=url, clock_seconds=0)))
    debrief = client.get(
        "/api/exercises/2/debrief", headers={"Authorization": f"Bearer {links['observer']}"}
    )
    assert debrief.status_code == 200


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ["negotiate", NEA, "--as", "dprk"],
            "--as 'dprk': write PARTY=NAME, e.g. --as dprk=hardliner",
        ),
        (["negotiate", NEA, "-f", "bilateral-us-dprk", "--as", "=hardliner"], "write PARTY=NAME"),
        (["experiment", NEA, "--param", "strategy="], "--param 'strategy=': write NAME=V1,V2"),
        (
            ["exercise", "create", NEA, "-f", "bilateral-us-dprk", "--bot", "dprk"],
            "--bot 'dprk': write PARTY=NAME",
        ),
        (
            ["exercise", "create", NEA, "-f", "bilateral-us-dprk", "--bot", "dprk=genius"],
            "'genius' is not a negotiator; choose from boulware",
        ),
    ],
)
def test_name_value_options_say_the_form_and_an_example(args: list[str], said: str) -> None:
    # One parser for every PARTY=NAME and NAME=VALUES option: the same words for each.
    result = runner.invoke(app, args)
    assert result.exit_code == 2, result.output
    assert said in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert "note:" not in result.output  # refused before any work, with nothing else said


def test_the_command_line_knows_every_executor_and_no_other() -> None:
    from typing import get_args

    from accord.executors import EXECUTORS, ExecutorKind

    assert get_args(ExecutorKind) == EXECUTORS
    for command in (["experiment", NEA], ["forecast", NEA, "-n", "10"], ["backtest", NEA]):
        result = runner.invoke(app, [*command, "--executor", "threads"])
        assert result.exit_code == 2
        assert "'in-process', 'processes', 'dask'" in result.output


def test_the_names_the_command_line_accepts_are_the_registries() -> None:
    # The Literal types the options are checked against, and the registries that build
    # the objects, list the same names in the same order: a new negotiator or protocol
    # is offered by the command line or the test fails.
    from typing import get_args

    from accord.negotiation import NEGOTIATORS, PROTOCOLS, NegotiatorName, ProtocolName

    assert get_args(NegotiatorName) == tuple(NEGOTIATORS)
    assert get_args(ProtocolName) == tuple(PROTOCOLS)
