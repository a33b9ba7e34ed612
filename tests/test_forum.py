"""The forum procedure, implementation, and the formats compared."""

from __future__ import annotations

import numpy as np
import pytest

from accord.errors import AccordError, ScenarioError
from accord.forum import (
    ComparisonSettings,
    ForumSettings,
    compare_formats,
    default_forum,
    implement,
    run_forum,
    summarise,
)
from accord.negotiation import (
    LinearAdditiveUtility,
    NegotiationDomain,
    NegotiationIssue,
    OutcomeSpace,
)
from accord.scenario import Scenario, parse_scenario, scenario_from_dict
from tests.conftest import SCENARIOS


def test_a_seeded_forum_run_is_identical_twice(nea: Scenario) -> None:
    a = run_forum(nea, "six-party-forum", settings=ForumSettings(shape="quadratic"), seed=3)
    b = run_forum(nea, "six-party-forum", settings=ForumSettings(shape="quadratic"), seed=3)
    assert a.rounds == b.rounds
    assert a.outcome == b.outcome


def test_forum_sessions_follow_the_procedure(nea: Scenario) -> None:
    run = run_forum(nea, "six-party-forum", settings=ForumSettings(shape="quadratic"), seed=1)
    assert 1 <= len(run.rounds) <= 4
    first = run.rounds[0]
    assert {g.group for g in first.groups} == {
        "denuclearization",
        "peace-and-security",
        "russia-japan",
        "us-dprk",
        "japan-dprk",
        "economy-and-energy",
        "plenary",
    }
    assert set(first.votes) == set(nea.format("six-party").actors)
    for r in run.rounds:
        assert r.statement == ("joint statement" if all(r.votes.values()) else "chair's statement")
    if not run.agreed:
        assert run.utilities == run.reservation


def test_conceders_adopt_a_package_at_a_small_table(nea: Scenario) -> None:
    run = run_forum(
        nea,
        default_forum(nea, "four-party"),
        settings=ForumSettings(negotiator="conceder", shape="quadratic"),
        seed=0,
    )
    assert run.agreed
    # Japan and Russia are not at this table: nobody there has a stance on their economic
    # cooperation, so it stays at the status quo.
    assert "ru-jp-economy" not in run.adopted
    assert run.outcome["ru-jp-economy"] == 25.0
    assert all(run.utilities[p] >= run.reservation[p] - 1e-9 for p in run.parties) or not run.agreed


def test_issue_by_issue_adopts_separately(nea: Scenario) -> None:
    forum = default_forum(nea, "three-party").model_copy(update={"package": False, "rounds": 2})
    run = run_forum(
        nea, forum, settings=ForumSettings(negotiator="conceder", shape="quadratic"), seed=0
    )
    for r in run.rounds:
        assert set(r.adopted) <= {"nuclear", "talks-format", "kuril", "security-mechanism"}


def two_party_line() -> NegotiationDomain:
    space = OutcomeSpace(
        (NegotiationIssue("a", (0, 1, 2, 3, 4)), NegotiationIssue("b", (0, 1, 2, 3, 4)))
    )
    ramp = (0.0, 0.25, 0.5, 0.75, 1.0)
    fall = tuple(reversed(ramp))
    # x wants issue a low and b high, y the opposite; moving both from 0 to 4 costs x on a
    # and y on b, and each gains more on the other issue (0.4 → 0.6).
    x = LinearAdditiveUtility((0.4, 0.6), (fall, ramp), 0.0)
    y = LinearAdditiveUtility((0.6, 0.4), (ramp, fall), 0.0)
    return NegotiationDomain("swap", space, ("x", "y"), (x, y), np.array([[0, 0.9], [0.9, 0]]))


def test_trusting_partners_implement_every_phase() -> None:
    run = implement(two_party_line(), np.array([0, 0]), np.array([4, 4]), noise=0.0, phases=4)
    assert run.completed == 4 and run.defections == ()
    assert np.allclose(run.progress, 1.0)
    assert run.trust.shape == (5, 2, 2)
    assert run.trust[-1, 0, 1] > run.trust[0, 0, 1]  # compliance builds trust


def test_distrust_unravels_under_strict_reciprocity() -> None:
    d = two_party_line()
    wary = NegotiationDomain(
        d.name, d.space, d.parties, d.utilities, np.array([[0, -1.0], [-1.0, 0]])
    )
    strict = implement(wary, np.array([0, 0]), np.array([4, 4]), noise=0.0, strategy="strict")
    assert strict.completed == 0 and strict.defections
    assert strict.trust[-1, 0, 1] == pytest.approx(-1.0)


def test_generous_reciprocity_forgives_sometimes() -> None:
    d = two_party_line()
    results = {
        s: [
            implement(
                d, np.array([0, 0]), np.array([4, 4]), noise=0.5, strategy=s, seed=k
            ).completed
            for k in range(30)
        ]
        for s in ("strict", "generous")
    }
    assert np.mean(results["generous"]) >= np.mean(results["strict"])
    with pytest.raises(AccordError, match="strategy"):
        implement(d, np.array([0, 0]), np.array([4, 4]), strategy="grim")  # type: ignore[arg-type]


def test_formats_compared_table(nea: Scenario) -> None:
    table = compare_formats(
        nea, draws=2, seed=1, settings=ComparisonSettings(forum=ForumSettings(steps=8))
    )
    formats = set(table["format"])
    assert {"bilateral-us-dprk", "three-party", "four-party", "six-party"} <= formats
    assert {"bilateral:usa", "bilateral:dprk"} <= formats  # the actors at every table
    assert {f"u_{a}" for a in nea.actor_ids} <= set(table.columns)
    assert np.allclose(table["welfare"], table[[f"u_{a}" for a in nea.actor_ids]].sum(axis=1))
    assert "wedge_dprk" in table.columns
    summary = summarise(table)
    assert {"welfare", "welfare_lo", "welfare_hi"} <= set(summary.columns)
    again = compare_formats(
        nea, draws=2, seed=1, settings=ComparisonSettings(forum=ForumSettings(steps=8))
    )
    assert table.equals(again)


def test_forum_references_are_checked() -> None:
    text = (SCENARIOS / "northeast-asia-2002.toml").read_text()
    bad = text.replace('chair = "china"\nrounds = 4', 'chair = "france"\nrounds = 4').replace(
        'issues = ["kuril", "ru-jp-economy"]\nactors = ["japan", "russia"]',
        'issues = ["kuril", "nuclear"]\nactors = ["japan", "mongolia"]',
    )
    with pytest.raises(ScenarioError) as info:
        parse_scenario(bad, source="nea.toml")
    messages = " | ".join(p.message for p in info.value.problems)
    assert "chair 'france' does not sit at format 'six-party'" in messages
    assert "issue 'nuclear' is already in working group 'denuclearization'" in messages
    assert "actor 'mongolia' does not sit at format 'six-party'" in messages


def test_a_forum_too_large_for_memory_negotiates_on_a_coarser_grid_and_says_so(
    nea: Scenario,
) -> None:
    from accord.forum.procedure import forum_resolution

    # The flagship's groups are small: the full grid of 5 values per issue.
    assert all(forum_resolution(nea, f, 5) == 5 for f in nea.forums)
    # 40 delegations at one table on 9 issues: 5⁹ packages each would be 78 million
    # utilities (the 150-actor case took 22 GB and was killed); 4⁹ fits.
    doc = {
        "scenario": {"name": "Forty"},
        "actors": [{"id": f"a{k}", "name": f"A{k}", "capability": 1 + k % 3} for k in range(40)],
        "issues": [{"id": f"i{j}", "name": f"I{j}", "status_quo": 50} for j in range(9)],
        "positions": {
            f"a{k}": {
                f"i{j}": {"position": (37 * k + 11 * j) % 101, "salience": 0.5} for j in range(9)
            }
            for k in range(40)
        },
        "formats": [{"id": "all", "actors": [f"a{k}" for k in range(40)]}],
    }
    forty = scenario_from_dict(doc)
    run = run_forum(forty, default_forum(forty, "all"), settings=ForumSettings(steps=4), seed=0)
    assert run.resolution == 4
    assert "negotiated at 4 values per issue" in run.reason
