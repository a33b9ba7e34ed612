"""The zone of agreement, searched whole, against brute force; the forum's package search."""

from __future__ import annotations

import numpy as np
import pytest

from accord.forum import run_forum
from accord.negotiation import domain_from_scenario
from accord.negotiation.zone import zone_of_agreement
from accord.scenario import Scenario, parse_scenario
from tests.negotiation_helpers import random_domain


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize(("parties", "issues"), [(2, 1), (3, 3), (4, 5), (6, 4), (10, 3)])
def test_the_search_equals_brute_force(seed: int, parties: int, issues: int) -> None:
    domain = random_domain(seed, parties=parties, issues=issues, values=4)
    gains = np.asarray(domain.matrix) - np.asarray(domain.reservation)[:, None]
    gaining = gains > 1e-9
    inside = gaining.all(axis=0)
    zone = zone_of_agreement(domain)
    assert zone.packages == domain.space.size
    assert zone.in_zone == int(inside.sum())
    assert min(zone.maximin_gains.values()) == pytest.approx(gains.min(axis=0).max())
    for k, p in enumerate(domain.parties):
        others = np.delete(gaining, k, axis=0).all(axis=0)
        assert zone.blocked[p] == int((others & ~gaining[k]).sum())
    if inside.any():
        best = np.log(np.where(inside, gains, 1.0)).sum(axis=0)
        best[~inside] = -np.inf
        assert zone.nash_gains is not None
        found = sum(np.log(g) for g in zone.nash_gains.values())
        assert found == pytest.approx(best.max())
    else:
        assert zone.nash is None and not zone.exists


LOGROLL = """
[scenario]
name = "Logroll"

[[actors]]
id = "north"
name = "North"
capability = 1

[[actors]]
id = "south"
name = "South"
capability = 1

[[issues]]
id = "aid"
name = "Aid"
status_quo = 0

[[issues]]
id = "freeze"
name = "Freeze"
status_quo = 0

[positions.north.aid]
position = 100
salience = 0.9

[positions.north.freeze]
position = 0
salience = 0.3

[positions.south.aid]
position = 0
salience = 0.3

[positions.south.freeze]
position = 100
salience = 0.9

[[formats]]
id = "both"
actors = ["north", "south"]

[[forums]]
id = "split"
format = "both"
rounds = 2

[[forums.working_groups]]
id = "aid-group"
issues = ["aid"]
actors = ["north", "south"]

[[forums.working_groups]]
id = "freeze-group"
issues = ["freeze"]
actors = ["north", "south"]
"""


def test_each_issue_alone_is_refused_but_the_package_trades_them() -> None:
    scenario = parse_scenario(LOGROLL)
    domain = domain_from_scenario(scenario, "both")
    assert not zone_of_agreement(domain, [0]).exists  # aid alone: south only loses
    assert not zone_of_agreement(domain, [1]).exists
    zone = zone_of_agreement(domain)
    assert zone.exists and zone.nash == {"aid": 100.0, "freeze": 100.0}


def test_the_chair_links_what_separate_working_groups_cannot_settle() -> None:
    # Each working group holds one issue, on which one side only loses: neither agrees.
    # The chair's search over the joint space trades aid for the freeze.
    scenario = parse_scenario(LOGROLL)
    run = run_forum(scenario, "split", seed=0)
    assert all(not g.agreed for r in run.rounds for g in r.groups)
    first = run.rounds[0]
    assert first.statement == "chair's statement"  # the groups' drafts, refused
    assert first.package == {"aid": 100.0, "freeze": 100.0}  # so the chair tabled the package
    assert run.agreed and run.reason.startswith("adopted in session 2")
    for party in ("north", "south"):
        assert run.utilities[party] > run.reservation[party]


def test_when_nothing_is_adopted_the_run_says_why(nea: Scenario) -> None:
    run = run_forum(nea, "six-party-forum", seed=1)
    assert run.zone is not None
    if not run.agreed:
        assert run.reason.startswith("nothing adopted")
        said = "no package" if not run.zone.exists else "did not accept one in time"
        assert said in run.reason


def test_a_table_without_an_issues_holder_leaves_it_where_it_is(nea: Scenario) -> None:
    domain = domain_from_scenario(nea, "bilateral-us-dprk")
    kuril = next(i for i in domain.space.issues if i.name == "kuril")
    assert kuril.values == (10.0,)  # Russia holds the islands and does not sit here
    six = domain_from_scenario(nea, "six-party")
    assert len(next(i for i in six.space.issues if i.name == "kuril").values) == 5


def test_the_judgements_a_zone_rests_on_are_ranked_by_their_swing() -> None:
    from accord.forum.sensitivity import judgement_sensitivity

    judged = LOGROLL.replace(
        "salience = 0.9\n", 'salience = { value = 0.9, sd = 0.3, source = "judgement" }\n', 1
    )
    base, found = judgement_sensitivity(parse_scenario(judged), "split")
    assert base.exists
    (only,) = found  # north's salience on aid is the one judged number
    assert (only.actor, only.issue, only.what, only.step) == ("north", "aid", "salience", 0.3)
    # Caring less about aid, north will trade less for it: the zone shrinks; more, it grows.
    assert only.down < base.in_zone <= only.up


def test_a_file_is_compared_inside_the_forum_and_outside() -> None:
    from accord.forum.spillover import spillover

    scenario = parse_scenario(LOGROLL)
    compared = spillover(scenario, "split", ("north", "south"), ("aid",))
    assert not compared.outside.exists  # aid alone: south only loses
    assert compared.inside_values == {"aid": 100.0}  # inside, the freeze pays for it
    assert "no package beats every reservation" in compared.describe()
