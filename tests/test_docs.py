"""The documentation's examples and commands work as written."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

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


# Lines that cannot run here as written, and why; every other `accord` line runs.
NOT_HERE = {
    "accord serve": "starts a server that runs until stopped (tests/server drives it)",
    "--dask tcp://": "needs a Dask scheduler running at that address",
}
# Placeholders for the reader's own files, and the files the tests hold in that layout.
THEIR_FILES = {
    "my-ktab-data.csv": "tests/data/eu-ktab.csv",
    "my-scenario.toml": "tests/data/small.toml",
    "deu.tsv": "../shared/data/deu3/deu3-dev.tsv",
}


def documented_commands() -> list[tuple[str, str]]:
    """Every ``accord`` line in a shell block of the README and docs, with $F expanded."""
    out = []
    for page in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        for block in re.findall(r"```(?:sh|bash|console)\n(.*?)```", page.read_text(), re.S):
            variables: dict[str, str] = {}
            for raw in block.splitlines():
                line = raw.split("  #")[0].strip()
                if m := re.fullmatch(r"([A-Z]+)=(\S+)", line):
                    variables[m[1]] = m[2]
                    continue
                for part in line.split("&&"):
                    part = part.strip()
                    if part.startswith("accord "):
                        for name, value in variables.items():
                            part = part.replace(f"${name}", value)
                        out.append((page.name, part))
    return out


def test_the_documented_commands_are_found() -> None:
    commands = [c for _, c in documented_commands()]
    assert len(commands) >= 20
    assert "accord models" in commands
    assert not [c for c in commands if "$" in c]


@pytest.mark.parametrize(
    ("page", "command"), documented_commands(), ids=lambda v: v if " " not in v else None
)
def test_every_documented_command_runs_as_written(
    page: str, command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reason = next((why for text, why in NOT_HERE.items() if text in command), None)
    if reason:
        pytest.skip(f"{page}: {reason}")
    args = shlex.split(command)[1:]
    for k, arg in enumerate(args):
        if arg in THEIR_FILES:
            args[k] = str((ROOT / THEIR_FILES[arg]).resolve())
        elif (ROOT / arg).exists():
            args[k] = str((ROOT / arg).resolve())
    if not all(Path(a).exists() for a in args if a.endswith((".toml", ".csv", ".tsv"))):
        pytest.skip(f"{page}: the data it names is not beside this checkout")
    monkeypatch.chdir(tmp_path)  # whatever it writes lands here
    from typer.testing import CliRunner

    from accord.cli import app

    result = CliRunner(env={"COLUMNS": "120"}).invoke(app, args)
    assert result.exit_code == 0, f"{page}: {command}\n{result.output}"


def test_the_cluster_script_in_the_docs_builds_the_batch_script_it_describes() -> None:
    # docs/scale.md's dask-jobqueue script, up to the line that submits jobs: the batch
    # script it would hand to SLURM runs 16 single-threaded workers per job.
    pytest.importorskip("dask_jobqueue")
    (script,) = re.findall(r"```python\n(.*?)```", (ROOT / "docs" / "scale.md").read_text(), re.S)
    before_submit = script.split("# --- submit ---")[0]
    before_submit = before_submit.replace("print(cluster.job_script())", "")
    before_submit = before_submit.replace('":8787"', "None")  # no dashboard in a test
    scope: dict[str, object] = {}
    exec(before_submit, scope)
    cluster = scope["cluster"]
    try:
        job = cluster.job_script()  # type: ignore[attr-defined]
        assert "#SBATCH -p normal" in job and "#SBATCH -A my-project" in job
        assert "#SBATCH -t 02:00:00" in job
        assert "--nworkers 16" in job and "--nthreads 1" in job
        assert cluster.scheduler_address.startswith("tcp://")  # type: ignore[attr-defined]
    finally:
        cluster.close()  # type: ignore[attr-defined]
