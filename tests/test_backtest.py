"""Back-tests: metrics by hand, a synthetic data set whose errors are known, the readers."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from accord.backtest import backtest, read_cases
from accord.backtest.readers import NICE_QUOTA, read_deu
from accord.backtest.scoring import (
    conformal_halfwidth,
    cross_fitted_coverage,
    paired_bootstrap,
    score,
)
from accord.errors import ScenarioError
from tests.conftest import DATA, ROOT

DEU_DEV = ROOT.parent / "shared" / "data" / "deu3" / "deu3-dev.tsv"

ACTORS = ["com", "ep", "de", "fr", "nl"]


def deu_table(rows: list[dict[str, object]], sep: str = "\t", gdp: bool = True) -> str:
    """A DEU-layout table with the given issues (missing cells blank)."""
    header = ["prnr", "isnr", "counvte", "proc", "intro"]
    header += [f"p{a}" for a in ACTORS] + [f"s{a}" for a in ACTORS] + ["rp", "out"]
    lines = [sep.join(header)]
    if gdp:
        capability = {"pcom": 4, "pep": 4, "pde": 2, "pfr": 2, "pnl": 1}
        lines.append(sep.join(str(capability.get(h, "")) for h in header))
    for row in rows:
        lines.append(sep.join(str(row.get(h, "")) for h in header))
    return "\n".join(lines) + "\n"


def issue(
    prnr: str, isnr: str, x: list[float], s: list[float], **extra: object
) -> dict[str, object]:
    row: dict[str, object] = {"prnr": prnr, "isnr": isnr, "counvte": "QMV", "proc": "COD"}
    row |= {"intro": "01-06-05"} | extra
    for a, xa, sa in zip(ACTORS, x, s, strict=True):
        row[f"p{a}"], row[f"s{a}"] = xa, sa
    return row


# --- metrics, by hand -------------------------------------------------------------------


def test_score_by_hand() -> None:
    forecast = np.array([0.0, 100.0, 50.0, np.nan])
    outcome = np.array([10.0, 70.0, 50.0, 20.0])
    got = score(forecast, outcome, np.full(4, 100.0))
    # errors -10, +30, 0; the NaN forecast is not scored
    assert got["issues"] == 3
    assert got["mae"] == pytest.approx(40 / 3)
    assert got["median_ae"] == pytest.approx(10.0)
    assert got["rmse"] == pytest.approx(math.sqrt(1000 / 3))
    assert got["bias"] == pytest.approx(20 / 3)
    assert got["within_10"] == pytest.approx(2 / 3)


def test_conformal_halfwidth_is_the_right_order_statistic() -> None:
    errors = np.arange(1.0, 10.0)  # 1..9
    assert conformal_halfwidth(errors, 0.9) == 9.0  # rank ceil(10 × 0.9) = 9
    assert conformal_halfwidth(errors, 0.5) == 5.0  # rank ceil(10 × 0.5) = 5
    assert math.isinf(conformal_halfwidth(errors[:5], 0.9))  # too few for 90%


def test_cross_fitted_coverage_is_near_nominal_on_exchangeable_errors() -> None:
    rng = np.random.default_rng(4)
    errors = np.abs(rng.standard_t(3, 3000)) * 10
    groups = [f"p{k // 5}" for k in range(3000)]
    coverage = cross_fitted_coverage(errors, groups, 0.9, seed=0)
    assert 0.88 <= coverage <= 0.92


def test_paired_bootstrap_of_a_constant_difference_is_that_constant() -> None:
    diff = np.full(40, 2.5)
    groups = [f"g{k // 4}" for k in range(40)]
    assert paired_bootstrap(diff, groups, 500, seed=3) == pytest.approx((2.5, 2.5))


def test_paired_bootstrap_resamples_groups_and_repeats_with_its_seed() -> None:
    rng = np.random.default_rng(1)
    diff = rng.normal(0.5, 3, 200)
    groups = [f"g{k // 10}" for k in range(200)]
    lo, hi = paired_bootstrap(diff, groups, 2000, seed=9)
    assert lo < diff.mean() < hi
    assert (lo, hi) == paired_bootstrap(diff, groups, 2000, seed=9)
    assert (lo, hi) != paired_bootstrap(diff, groups, 2000, seed=10)


# --- a synthetic back-test whose errors are known ---------------------------------------


def _synthetic(tmp_path: Path, offset: float) -> Path:
    """Outcomes exactly ``offset`` above the weighted mean (GDP × salience) of each issue."""
    rng = np.random.default_rng(0)
    capability = np.array([4, 4, 2, 2, 1.0])
    rows = []
    for k in range(24):
        x = rng.choice([0, 20, 40, 60, 80], 5).astype(float)
        s = rng.integers(10, 100, 5).astype(float)
        mean = float((capability * s * x).sum() / (capability * s).sum())
        rows.append(issue(f"d{k // 3}", f"d{k // 3}i{k % 3}", list(x), list(s), out=mean + offset))
    path = tmp_path / "synthetic.tsv"
    path.write_text(deu_table(rows))
    return path


def test_a_backtest_recovers_errors_it_was_built_with(tmp_path: Path) -> None:
    result = backtest(read_cases([_synthetic(tmp_path, 5.0)]), ["mean", "median"])
    mean = result.summary.set_index("model").loc["mean"]
    assert mean["issues"] == 24
    assert mean["mae"] == pytest.approx(5.0)
    assert mean["bias"] == pytest.approx(-5.0)  # forecast − outcome
    assert mean["rmse"] == pytest.approx(5.0)
    assert mean["conformal_halfwidth"] == pytest.approx(5.0)
    exact = backtest(read_cases([_synthetic(tmp_path, 0.0)]), ["mean"])
    assert exact.summary.loc[0, "mae"] == pytest.approx(0.0, abs=1e-9)


def test_the_verdict_says_when_the_mean_wins(tmp_path: Path) -> None:
    result = backtest(read_cases([_synthetic(tmp_path, 0.0)]), ["mean", "median"])
    assert result.verdict().startswith("The weighted mean beats every other model")


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    cases = read_cases([_synthetic(tmp_path, 3.0)])
    assert backtest(cases, seed=5).to_json() == backtest(cases, seed=5).to_json()


# --- readers ----------------------------------------------------------------------------


def test_deu_reader_reads_positions_rules_and_procedure() -> None:
    rows = [
        issue("d1", "d1i1", [100, 0, 40, 999, 60], [80, 20, 50, 70, 10], rp=0, out=50),
        issue("d1", "d1i2", [0, 0, 0, 0, 0], [1, 1, 1, 1, 1], out=999),  # outcome not usable
        issue("d2", "d2i1", [10, 20, 30, 40, 50], [5, 5, 5, 5, 5], out=30, counvte="Unan")
        | {"proc": "CNS", "intro": "12-03-99"},
    ]
    block = read_deu(deu_table(rows), "t.tsv")
    a = block.arrays
    assert a.actors == tuple(ACTORS)
    assert list(a.capability) == [4, 4, 2, 2, 1]
    assert np.isnan(a.position[3, 0])  # 999: no position recorded
    assert a.salience[0, 0] == pytest.approx(0.8)
    assert a.status_quo[0] == 0 and np.isnan(a.status_quo[2])
    assert np.isnan(block.outcome[1]) and block.outcome[2] == 30
    assert a.quota[0] == pytest.approx(NICE_QUOTA) and a.quota[2] == 1.0
    assert a.votes[ACTORS.index("com"), 0] == 0  # the Commission has no vote
    assert a.votes[ACTORS.index("de"), 0] == 29 and a.votes[ACTORS.index("de"), 2] == 10
    assert a.veto[ACTORS.index("ep"), 0] and not a.veto[ACTORS.index("ep"), 2]  # COD, CNS
    assert block.groups == ("d1", "d1", "d2")


def test_deu_reader_takes_tabs_commas_and_a_byte_order_mark(tmp_path: Path) -> None:
    rows = [issue("d1", "d1i1", [100, 0, 40, 20, 60], [80, 20, 50, 70, 10], out=50)]
    tab, comma = tmp_path / "a.tsv", tmp_path / "b.csv"
    tab.write_text(deu_table(rows))
    comma.write_bytes(b"\xef\xbb\xbf" + deu_table(rows, sep=",").encode())
    a, b = (read_cases([p]).blocks[0].arrays for p in (tab, comma))
    assert np.array_equal(a.position, b.position, equal_nan=True)
    assert a.actors == b.actors


def test_deu_reader_refuses_what_it_cannot_score(tmp_path: Path) -> None:
    bad = tmp_path / "bad.tsv"
    bad.write_text(deu_table([issue("d1", "d1i1", [1, 2, 3, 4, 5], [1, 1, 1, 1, 1])]))
    with pytest.raises(ScenarioError, match="no issue can be scored"):
        read_cases([bad])
    bad.write_text("prnr\tisnr\tpcom\tscom\n")
    with pytest.raises(ScenarioError, match=r"bad.tsv:1: .*needs the columns out"):
        read_cases([bad])


def test_ktab_table_with_outcome_and_status_quo_columns(tmp_path: Path) -> None:
    table = tmp_path / "ktab.csv"
    table.write_text(
        "Emissions,test,3,1\n"
        "Actor,Description,Influence,Emissions Position,Emissions Salience,"
        "Emissions Outcome,Emissions Status quo\n"
        "NL,Netherlands,1,40,80,55,30\n"
        "FR,France,2,70,60,,\n"
        "DE,Germany,2,50,40,55,\n"
    )
    block = read_cases([table]).blocks[0]
    assert block.outcome[0] == 55 and block.arrays.status_quo[0] == 30
    result = backtest(read_cases([table]), ["mean", "nash"])
    nash = result.issues[result.issues["model"] == "nash"]
    assert not nash["forecast"].isna().any()  # the status quo column reaches the Nash model


def test_conflicting_outcomes_in_a_table_are_refused_with_the_line(tmp_path: Path) -> None:
    table = tmp_path / "plain.csv"
    table.write_text("actor,capability,position,salience,outcome\na,1,10,0.5,40\nb,1,60,0.5,45\n")
    with pytest.raises(ScenarioError, match=r"plain.csv:3: column 'outcome'.*differs from the 40"):
        read_cases([table])


def test_a_table_without_an_outcome_says_which_column_to_add() -> None:
    with pytest.raises(ScenarioError, match="add a column '<dim> Outcome'"):
        read_cases([DATA / "eu-ktab.csv"])


def test_scenario_outcomes_are_scored_and_never_used_as_input(tmp_path: Path) -> None:
    import accord

    text = (DATA / "small.toml").read_text()
    decided = text.replace(
        "status_quo = 0\n",
        'status_quo = 0\noutcome = { value = 35, date = "2003-08", source = "test record" }\n',
        1,
    )
    path = tmp_path / "decided.toml"
    path.write_text(decided)
    plain = tmp_path / "plain.toml"
    plain.write_text(text)
    block = read_cases([path]).blocks[0]
    assert block.outcome[0] == 35 and np.isnan(block.outcome[1])
    assert (
        accord.forecast(accord.load_scenario(path)).to_json()
        == accord.forecast(accord.load_scenario(plain)).to_json()
    )


def test_an_outcome_off_the_scale_is_a_validation_error(tmp_path: Path) -> None:
    import accord

    path = tmp_path / "off.toml"
    path.write_text(
        (DATA / "small.toml")
        .read_text()
        .replace("status_quo = 0\n", 'status_quo = 0\noutcome = { value = 135, source = "x" }\n', 1)
    )
    with pytest.raises(ScenarioError, match=r"outcome 135 is off the scale"):
        accord.load_scenario(path)


def test_a_folder_stands_for_its_data_files(tmp_path: Path) -> None:
    for k in range(2):
        rows = [issue(f"d{k}", f"d{k}i1", [100, 0, 40, 20, 60], [80, 20, 50, 70, 10], out=50)]
        (tmp_path / f"part{k}.tsv").write_text(deu_table(rows))
    cases = read_cases([tmp_path])
    assert cases.count == 2 and len(cases.sources) == 2


# --- the published baselines on the development half of DEU III --------------------------


@pytest.mark.skipif(not DEU_DEV.exists(), reason=f"{DEU_DEV} is not beside this checkout")
def test_deu_development_half_reproduces_the_published_baselines() -> None:
    # shared/data/deu3/README.md, "Baselines on this half": capabilities = GDP,
    # compromise model 23.31 and weighted median 26.98 mean absolute error on 155 issues.
    result = backtest(read_cases([DEU_DEV]), ["mean", "median"])
    by_model = result.summary.set_index("model")
    assert by_model.loc["mean", "issues"] == 155
    assert round(by_model.loc["mean", "mae"], 2) == 23.31
    assert round(by_model.loc["median", "mae"], 2) == 26.98


@pytest.mark.skipif(not DEU_DEV.exists(), reason=f"{DEU_DEV} is not beside this checkout")
def test_the_shipped_track_record_is_what_the_backtest_measures() -> None:
    from accord.backtest.record import measure_record
    from accord.forecasting.record import track_record

    assert measure_record(DEU_DEV).records() == track_record().records()


def test_monte_carlo_coverage_is_counted_where_the_data_states_uncertainty(tmp_path: Path) -> None:
    # small.toml's actor a has position sd 2 on issue y; the outcome -5 is a's position.
    text = (DATA / "small.toml").read_text()
    decided = text.replace(
        'status_quo = { value = 0, source = "test" }\n',
        'status_quo = { value = 0, source = "test" }\noutcome = { value = -5, source = "test" }\n',
    )
    assert decided != text
    path = tmp_path / "decided.toml"
    path.write_text(decided)
    cases = read_cases([path])
    assert cases.blocks[0].uncertainty is not None
    result = backtest(cases, ["mean"], samples=400, seed=1)
    row = result.summary.set_index("model").loc["mean"]
    assert row["mc_issues"] == 1
    issue_row = result.issues.iloc[0]
    assert issue_row["mc_low"] < issue_row["mc_high"]
    covered = issue_row["mc_low"] <= -5 <= issue_row["mc_high"]
    assert row["mc_coverage"] == float(covered)
    without = backtest(read_cases([_synthetic(tmp_path, 1.0)]), ["mean"], samples=50)
    assert without.summary.loc[0, "mc_issues"] == 0  # DEU states no uncertainty
