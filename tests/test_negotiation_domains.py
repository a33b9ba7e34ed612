"""Outcome spaces, utilities from scenarios, and GENIUS XML domains."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from accord.errors import AccordError, ScenarioError
from accord.negotiation import (
    LinearAdditiveUtility,
    NegotiationIssue,
    OutcomeSpace,
    domain_from_scenario,
)
from accord.negotiation.genius import load_genius
from accord.scenario import Scenario
from tests.conftest import DATA

GENIUS = DATA / "genius"


def test_outcome_numbers_round_trip() -> None:
    space = OutcomeSpace((NegotiationIssue("a", (1, 2, 3)), NegotiationIssue("b", ("x", "y"))))
    assert space.size == 6
    assert space.values_of(0) == (1, "x") and space.values_of(5) == (3, "y")
    assert space.outcome([2, 0]) == 4
    assert space.value_indices(np.arange(6)).tolist() == [
        [0, 0],
        [0, 1],
        [1, 0],
        [1, 1],
        [2, 0],
        [2, 1],
    ]
    with pytest.raises(AccordError, match="outside the space"):
        space.values_of(6)


def test_a_million_outcomes_evaluate_at_once() -> None:
    space = OutcomeSpace(tuple(NegotiationIssue.discretised(f"i{k}", 0, 1, 10) for k in range(6)))
    assert space.size == 1_000_000
    u = LinearAdditiveUtility(
        (0.5, 0.1, 0.1, 0.1, 0.1, 0.1), tuple(tuple(np.linspace(0, 1, 10)) for _ in range(6))
    )
    values = u.evaluate(space)
    assert values.shape == (1_000_000,)
    assert values[-1] == pytest.approx(1.0) and values[0] == 0.0
    assert values[123456] == pytest.approx(u(space, 123456))


def test_scenario_domain_value_functions_and_reservation(nea: Scenario) -> None:
    d = domain_from_scenario(nea, "bilateral-us-dprk", resolution=5)
    assert d.parties == ("usa", "dprk")
    # Issues whose holders are not all at this table stay at their status quo: the Kurils
    # (Russia), Japan-DPRK normalisation and the abductions (Japan and the DPRK).
    fixed = {i.name: i.values for i in d.space.issues if len(i.values) == 1}
    assert fixed == {"kuril": (10.0,), "japan-dprk": (40.0,), "abductions": (25.0,)}
    assert d.space.size == 5**7
    assert d.space.issues[0].values == (0.0, 25.0, 50.0, 75.0, 100.0)
    usa = d.utilities[0]
    # USA on the nuclear issue: ideal 95, far end 0 at distance 95 → v(0) = 0, v(100) = 1 - 5/95.
    assert usa.values[0][0] == pytest.approx(0.0)
    assert usa.values[0][4] == pytest.approx(1 - 5 / 95)
    # Weights are saliences over their sum; no stance (ru-jp-economy, abductions) → weight 0.
    saliences = [0.9, 0.6, 0.1, 0.0, 0.4, 0.4, 0.4, 0.15, 0.0, 0.3]
    assert usa.weights == pytest.approx(tuple(s / sum(saliences) for s in saliences))
    # Reservation = utility of the status quo.
    sq = [50, 0, 10, 25, 15, 50, 10, 40, 25, 40]
    ideal = [95, 90, 100, None, 40, 15, 30, 40, None, 25]
    expected = 0.0
    for w, x, s in zip(usa.weights, ideal, sq, strict=True):
        if x is not None:
            reach = max(x, 100 - x)
            expected += w * (1 - abs(s - x) / reach)
    assert usa.reservation == pytest.approx(expected)
    assert d.trust_matrix[0, 1] == -0.8


def test_genius_domain_reads_discrete_and_integer_issues() -> None:
    d = load_genius(
        GENIUS / "party_domain.xml", GENIUS / "party_alice.xml", GENIUS / "party_bob.xml"
    )
    assert d.parties == ("party_alice", "party_bob")
    assert [i.name for i in d.space.issues] == ["Food", "Music", "Guests"]
    assert d.space.issues[2].values == (1.0, 2.0, 3.0, 4.0)
    assert d.reservation.tolist() == [0.3, 0.25]
    # Alice on (Chips, Band, 1 guest): .5·(2/4) + .3·(1/3) + .2·(.25 + .25·(1 - 1)) = .4
    # (evaluations divided by the issue's best; integers measured from the lower bound).
    assert d.matrix[0, 0] == pytest.approx(0.4)
    # Bob on the same: .2·1 + .6·1 + .2·(1 - .25·(1 - 1)) = 1.
    assert d.matrix[1, 0] == pytest.approx(1.0)
    best_for_alice = d.describe(int(np.argmax(d.matrix[0])))
    assert best_for_alice == {"Food": "Catering", "Music": "DJ", "Guests": 4.0}


def test_genius_integer_issues_count_from_the_lower_bound_and_stay_in_0_1(
    tmp_path: Path,
) -> None:
    """GENIUS's EvaluatorInteger: offset + slope · (value - lowerbound), cut to [0, 1]."""
    domain = tmp_path / "prices.xml"
    domain.write_text(
        '<utility_space><objective name="prices">'
        '<issue index="1" etype="integer" name="price" lowerbound="-5" upperbound="5"/>'
        "</objective></utility_space>"
    )
    for name, slope, offset in [("buyer", 0.08, 0.3), ("seller", 0.2, -0.5)]:
        (tmp_path / f"{name}.xml").write_text(
            '<utility_space><objective name="prices">'
            '<issue index="1" etype="integer" name="price">'
            f'<evaluator ftype="linear" slope="{slope}" offset="{offset}"/></issue>'
            '<weight index="1" value="1"/></objective></utility_space>'
        )
    d = load_genius(domain, tmp_path / "buyer.xml", tmp_path / "seller.xml")
    prices = [d.describe(k)["price"] for k in range(d.space.size)]
    assert prices == [float(v) for v in range(-5, 6)]
    # buyer: .3 at -5, rising .08 a step to .3 + .8 = 1.1 at 5, held at 1.
    buyer = [min(1.0, 0.3 + 0.08 * (v + 5)) for v in range(-5, 6)]
    assert d.matrix[0] == pytest.approx(buyer)
    # seller: -.5 at -5 held at 0 until the line crosses 0 (at -2.5), 1 from 2.5 on.
    seller = [min(1.0, max(0.0, -0.5 + 0.2 * (v + 5))) for v in range(-5, 6)]
    assert d.matrix[1] == pytest.approx(seller)
    assert d.matrix.min() == 0.0


def test_genius_errors_name_the_file_and_element(tmp_path: Path) -> None:
    broken = tmp_path / "broken.xml"
    broken.write_text("<utility_space><objective><issue name='x' etype='discrete'>")
    with pytest.raises(ScenarioError, match="not well-formed XML"):
        load_genius(broken, GENIUS / "party_alice.xml", GENIUS / "party_bob.xml")
    profile = tmp_path / "carol.xml"
    profile.write_text(
        (GENIUS / "party_bob.xml").read_text().replace('<weight index="2" value="0.6"/>', "")
    )
    with pytest.raises(ScenarioError, match="no weight for issue 'Music'"):
        load_genius(GENIUS / "party_domain.xml", GENIUS / "party_alice.xml", profile)
    with pytest.raises(ScenarioError, match="at least two utility profiles"):
        load_genius(GENIUS / "party_domain.xml", GENIUS / "party_alice.xml")
