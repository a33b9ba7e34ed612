"""The forum on the flagship's ten issues, and the search behind it.

1. The zone of agreement of the six-party table (5 values on each of 10 issues:
   9,765,625 packages), searched by halves, against the baseline of building the
   whole utility matrix and scanning it (what ``nash_point`` on ``domain.matrix``
   does), on the same domain. ``--quick`` uses 8 issues (390,625 packages).
2. The six-party forum run (working groups, plenary votes, the chair's package)
   and ``accord run``'s comparison of the formats over a few draws.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
from timing import best_of

from accord.forum import compare_formats, run_forum
from accord.forum.procedure import status_quo_index, sub_domain
from accord.negotiation import NegotiationDomain, domain_from_scenario
from accord.negotiation.zone import zone_of_agreement
from accord.scenario import load_scenario

ROOT = Path(__file__).resolve().parent.parent
FLAGSHIP = ROOT / "scenarios" / "northeast-asia-2002.toml"


def brute_force(domain) -> int:  # type: ignore[no-untyped-def]
    """The baseline: every package's utilities as rows (built afresh), then the same answers.

    The zone's size, the Nash package, the maximin package and who blocks what.
    """
    fresh = NegotiationDomain(domain.name, domain.space, domain.parties, domain.utilities)
    gains = np.asarray(fresh.matrix) - np.asarray(fresh.reservation)[:, None]
    gaining = gains > 1e-9
    inside = gaining.all(axis=0)
    np.argmax(gains.min(axis=0))
    np.argmax(np.where(inside, np.log(np.where(gaining, gains, 1.0)).sum(axis=0), -np.inf))
    ok = gaining.sum(axis=0)
    [int(((ok == len(gains) - 1) & ~row).sum()) for row in gaining]
    return int(inside.sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="8 issues, 2 draws")
    args = parser.parse_args()
    scenario = load_scenario(FLAGSHIP)
    whole = domain_from_scenario(scenario, "six-party")
    issues = tuple(range(8 if args.quick else len(whole.space.issues)))
    domain = sub_domain(whole, whole.parties, issues, status_quo_index(whole, scenario))
    packages = domain.space.size
    zone = zone_of_agreement(domain)
    assert zone.in_zone == brute_force(domain), "the search and brute force disagree"
    ours = best_of(lambda: zone_of_agreement(domain), 3)
    base = best_of(lambda: brute_force(domain), 1)
    print(f"zone of agreement, six parties, {packages:,} packages ({zone.in_zone:,} in the zone)")
    ratio = base / ours
    print(f"  split-half search {ours:8.3f} s   whole matrix {base:8.3f} s   ratio {ratio:6.1f}x")
    forum = best_of(lambda: run_forum(scenario, "six-party-forum", seed=0), 3)
    print(f"six-party forum run (10 issues, 7 working groups and the plenary): {forum:.2f} s")
    draws = 2 if args.quick else 5
    compared = best_of(lambda: compare_formats(scenario, draws, seed=0), 1)
    print(f"formats compared, {draws} draws: {compared:.2f} s ({compared / draws:.2f} s a draw)")


if __name__ == "__main__":
    main()
