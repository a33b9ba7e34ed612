"""BDM/KTAB-style tables import into the same validated scenarios as TOML files."""

from __future__ import annotations

from pathlib import Path

import pytest

from accord.errors import ScenarioError
from accord.forecasting import forecast
from accord.scenario import load_scenario, parse_table
from tests.conftest import DATA


def test_ktab_layout_reads_positions_and_divides_saliences_by_100() -> None:
    s = load_scenario(DATA / "eu-ktab.csv")
    assert s.name == "EU emissions"
    assert s.actor_ids[:2] == ("nl", "bel")
    assert s.actor("nl").description == "Netherlands"
    assert s.issue_ids == ("emissions",)
    assert s.stance("uk", "emissions").position == 100.0
    assert s.stance("uk", "emissions").salience == pytest.approx(0.9)
    assert s.issue("emissions").scale.max == 100.0


def test_ktab_table_forecasts_match_the_toml_version_on_a_rescaled_axis() -> None:
    # KTAB positions are 10 × Scholz's 4–10 scale, so forecasts are 10 × the paper's.
    table = forecast(load_scenario(DATA / "eu-ktab.csv"))
    assert table.value("emissions", "mean") == pytest.approx(73.90, abs=0.005)
    assert table.value("emissions", "median") == pytest.approx(70.0)


def test_plain_layout_with_crlf_line_endings_and_percent_saliences() -> None:
    s = load_scenario(DATA / "eu-plain.csv")
    assert len(s.actors) == 10
    assert s.stance("denmark", "issue").salience == pytest.approx(1.0)
    assert (s.issue("issue").scale.min, s.issue("issue").scale.max) == (4.0, 10.0)
    assert "0–100" in s.metadata.description
    table = forecast(s)
    assert table.value("issue", "mean") == pytest.approx(7.390, abs=0.0005)


def test_plain_layout_with_unit_saliences_is_read_as_is() -> None:
    s = parse_table("actor,capability,position,salience\nA,1,0,0.5\nB,1,10,1\n")
    assert s.stance("a", "issue").salience == 0.5


def test_bad_cell_is_reported_with_its_row(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("actor,capability,position,salience\nA,1,0,0.5\nB,lots,10,1\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.line == 3
    assert problem.location == "actors[b].capability"
    assert "'lots'" in problem.message


def test_ktab_declared_counts_must_match() -> None:
    text = (DATA / "eu-ktab.csv").read_text().replace(",10,1", ",11,1", 1)
    with pytest.raises(ScenarioError, match="declares 11 actors but the table has 10 rows"):
        parse_table(text, source="eu.csv")


def test_ktab_saliences_may_not_exceed_100_per_actor() -> None:
    text = (
        "Two,test,2,2\nActor,Description,Influence,A Position,A Salience,B Position,B Salience\n"
        "X,x,1,10,60,20,50\nY,y,1,30,10,40,10\n"
    )
    with pytest.raises(ScenarioError, match="saliences add up to 110"):
        parse_table(text)


def test_unknown_layout_names_both_accepted_layouts() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_table("who,what\nA,B\n", source="odd.csv")
    message = str(info.value)
    assert "actor, capability, position, salience" in message
    assert "n_actors, n_dims" in message


# --- the layouts analysts have, as files written for these tests --------------------------

EU = [  # Scholz et al. (2011) Table 1: actor, capability, position (4–10), salience (0–100)
    ("Netherlands", 0.08, 4, 80),
    ("Belgium", 0.08, 7, 40),
    ("Luxembourg", 0.03, 4, 20),
    ("Germany", 0.16, 4, 80),
    ("France", 0.16, 10, 60),
    ("Italy", 0.16, 10, 60),
    ("UK", 0.16, 10, 90),
    ("Ireland", 0.05, 7, 10),
    ("Denmark", 0.05, 4, 100),
    ("Greece", 0.08, 7, 70),
]


def _mean(path: Path) -> float:
    return forecast(load_scenario(path), models=["mean"]).value("issue", "mean")


def test_the_bdm_replication_layout_reads_the_same_numbers(tmp_path: Path) -> None:
    path = tmp_path / "replication.csv"
    rows = ["Stakeholder,Resources,Position,Salience"]
    rows += [f"{a},{100 * c:g},{x},{s}" for a, c, x, s in EU]
    path.write_text("\n".join(rows) + "\n")
    assert _mean(path) == pytest.approx(7.390, abs=0.0005)


def test_semicolons_decimal_commas_a_bom_and_a_txt_name(tmp_path: Path) -> None:
    # European Excel: 'CSV (semicolon)', decimal commas, a byte-order mark, saved as .txt.
    path = tmp_path / "export.txt"
    rows = ["actor;capability;position;salience"]
    rows += [f"{a};{str(c).replace('.', ',')};{x};{s}" for a, c, x, s in EU]
    path.write_bytes(b"\xef\xbb\xbf" + ("\r\n".join(rows) + "\r\n").encode())
    assert _mean(path) == pytest.approx(7.390, abs=0.0005)


def test_a_tab_separated_table(tmp_path: Path) -> None:
    path = tmp_path / "tabs.tsv"
    rows = ["Actor\tPosition\tSalience\tCapability"]  # any column order
    rows += [f"{a}\t{x}\t{s}\t{c}" for a, c, x, s in EU]
    path.write_text("\n".join(rows) + "\n")
    assert _mean(path) == pytest.approx(7.390, abs=0.0005)


def test_ktab_headers_are_names_only_as_in_ktab(tmp_path: Path) -> None:
    # KTAB's template: 'Power', 'Pstn1', 'Sal1', trailing commas, padded cells.
    path = tmp_path / "template.csv"
    path.write_text(
        'Template ,"Two dimensions",3,2,\n'
        "Actor,Description,Power,Pstn1,Sal1,Pstn2,Sal2,\n"
        "A-00, First, 102.5, 75.8, 49.5,  6.4, 5.9,\n"
        "A-01, Second,  53.4, 82.7, 30.3, 73.5, 21.2,\n"
        "A-02, Third, 129.6, 82.5, 48.5, 90.9, 13.6,\n"
    )
    s = load_scenario(path)
    assert s.issue_ids == ("pstn1", "pstn2")
    assert s.actor("a-00").capability.value == pytest.approx(102.5)
    assert s.stance("a-02", "pstn2").salience == pytest.approx(0.136)


def test_ktab_xml_scenario(tmp_path: Path) -> None:
    actors = "".join(
        f"<Actor><name>{a}</name><description>{a}</description><capability>{c}</capability>"
        f"<Position><dCoord>{10 * x}</dCoord></Position><Salience><dSal>{s}</dSal></Salience>"
        "</Actor>"
        for a, c, x, s in EU
    )
    path = tmp_path / "eu.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n<Scenario><name>EU</name><desc>test</desc>'
        "<prngSeed>0x1</prngSeed><Dimensions><dName>Emissions</dName></Dimensions>"
        f"<Actors>{actors}</Actors></Scenario>\n"
    )
    s = load_scenario(path)
    assert s.issue_ids == ("emissions",) and len(s.actors) == 10
    mean = forecast(s, models=["mean"]).value("emissions", "mean")
    assert mean == pytest.approx(73.90, abs=0.005)


def test_malformed_xml_names_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<Scenario>\n<name>x</name>\n<Actors>\n</Scenario>\n")
    with pytest.raises(ScenarioError, match=r"bad.xml:4: not valid XML"):
        load_scenario(path)


def test_a_repeated_actor_is_an_error_naming_both_lines(tmp_path: Path) -> None:
    # It used to become a second actor 'germany-2' and move the mean from 7.390 to 7.666.
    path = tmp_path / "twice.csv"
    rows = ["actor,capability,position,salience"] + [f"{a},{c},{x},{s}" for a, c, x, s in EU]
    rows.append("germany,0.16,4,80")
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(
        ScenarioError, match=r"twice.csv:12: actor 'germany' repeats 'Germany' on line 5"
    ):
        load_scenario(path)


def test_saliences_on_two_scales_are_an_error_not_a_rescaling(tmp_path: Path) -> None:
    # One 80 among values on 0–1 once divided every salience by 100 (mean 7.390 → 4.327).
    path = tmp_path / "mixed.csv"
    rows = ["actor,capability,position,salience"]
    rows += [f"{a},{c},{x},{s / 100 if a != 'Germany' else s}" for a, c, x, s in EU]
    path.write_text("\n".join(rows) + "\n")
    with pytest.raises(ScenarioError, match="saliences mix the 0–1 and 0–100 scales"):
        load_scenario(path)


def test_a_header_without_rows_says_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("actor,capability,position,salience\n")
    with pytest.raises(ScenarioError, match="a header but no actor rows"):
        load_scenario(path)


def test_text_that_is_not_utf8_names_the_fix(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("actor,capability,position,salience\nMünchen,1,2,0.5\n".encode("latin-1"))
    with pytest.raises(ScenarioError, match=r"latin.csv:2: is not UTF-8 text.*CSV UTF-8"):
        load_scenario(latin)
    wide = tmp_path / "wide.txt"
    wide.write_bytes("actor\tcapability\n".encode("utf-16"))
    with pytest.raises(ScenarioError, match="is UTF-16 text"):
        load_scenario(wide)


def test_an_unknown_column_is_named(tmp_path: Path) -> None:
    path = tmp_path / "extra.csv"
    path.write_text("actor,capability,position,salience,mood\nA,1,0,0.5,calm\nB,1,1,0.5,x\n")
    with pytest.raises(ScenarioError, match="unknown column 'mood'"):
        load_scenario(path)


def test_a_toml_file_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (DATA / "small.toml").read_bytes())
    assert load_scenario(path).name == "Small"


def test_an_unrecognised_table_says_what_it_found() -> None:
    with pytest.raises(ScenarioError, match=r"found 2 semicolon-separated cells: 'who', 'what'"):
        parse_table("who;what\nA;B\n", source="odd.csv")


def test_a_repeated_actor_in_ktab_xml_is_an_error(tmp_path: Path) -> None:
    actor = (
        "<Actor><name>{}</name><description>x</description><capability>1</capability>"
        "<Position><dCoord>10</dCoord></Position><Salience><dSal>50</dSal></Salience></Actor>"
    )
    path = tmp_path / "twice.xml"
    path.write_text(
        "<Scenario><name>T</name><desc>t</desc><Dimensions><dName>D</dName></Dimensions>"
        f"<Actors>{actor.format('Alpha')}{actor.format('ALPHA')}</Actors></Scenario>"
    )
    with pytest.raises(ScenarioError, match="actor 'ALPHA' repeats 'Alpha'"):
        load_scenario(path)
