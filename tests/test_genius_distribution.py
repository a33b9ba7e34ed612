"""GENIUS domains as the GENIUS distribution ships them, not only files written here.

GENIUS (and NegMAS, which carries a copy under ``external/genius10.4``) is
GPL/AGPL, so its files are not committed to accord. Point
``ACCORD_GENIUS_TEMPLATES`` at a ``genius/templates`` folder of a GENIUS
distribution (in the NegMAS repository:
``external/genius10.4/src/main/resources/genius/templates``) to run these
tests; without it they skip and say so.

What they check, on every folder that holds a domain and two or more profiles:
accord reads it or refuses it with a :class:`ScenarioError` naming the file
(never another exception); utilities obey GENIUS's rules (evaluations divided by
the issue's best, integers measured from the lower bound and kept in [0, 1],
weights as written); and, where NegMAS is installed, accord's weights and value
tables agree with NegMAS's reading of the same files.
"""

from __future__ import annotations

import os
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from accord.errors import ScenarioError
from accord.negotiation.domain import NegotiationDomain
from accord.negotiation.genius import load_genius

_ROOT = os.environ.get("ACCORD_GENIUS_TEMPLATES")
pytestmark = pytest.mark.skipif(
    not _ROOT or not Path(_ROOT).is_dir(),
    reason="set ACCORD_GENIUS_TEMPLATES to a GENIUS distribution's templates folder "
    "(not committed: GENIUS is GPL)",
)


def _folders() -> list[tuple[Path, list[Path], list[Path]]]:
    """Each folder with its domain files (no weights) and profiles (with weights)."""
    found = []
    for folder in sorted({p.parent for p in Path(_ROOT or ".").rglob("*.xml")}):
        domains, profiles = [], []
        for path in sorted(folder.glob("*.xml")):
            try:
                root = ET.parse(path).getroot()
            except ET.ParseError:
                continue
            if root.find(".//issue") is None:
                continue
            (profiles if root.find(".//weight") is not None else domains).append(path)
        if len(domains) == 1 and len(profiles) >= 2:
            found.append((folder, domains, profiles))
    return found


def _load_all() -> dict[str, NegotiationDomain | ScenarioError]:
    out: dict[str, NegotiationDomain | ScenarioError] = {}
    for folder, domains, profiles in _folders():
        key = folder.relative_to(_ROOT or ".").as_posix()
        try:
            out[key] = load_genius(domains[0], *profiles)
        except ScenarioError as exc:
            out[key] = exc
    return out


@pytest.fixture(scope="module")
def loaded() -> dict[str, NegotiationDomain | ScenarioError]:
    return _load_all()


def test_every_domain_is_read_or_refused_by_name(
    loaded: dict[str, NegotiationDomain | ScenarioError],
) -> None:
    assert len(loaded) >= 50, f"only {len(loaded)} domain folders found under {_ROOT}"
    read = {k: v for k, v in loaded.items() if isinstance(v, NegotiationDomain)}
    # The ANAC 2010-2013 competition domains are all discrete or integer: every one is read.
    anac = [k for k in loaded if k.startswith("anac/")]
    assert anac and all(k in read for k in anac), sorted(set(anac) - set(read))
    for key, value in loaded.items():
        if isinstance(value, ScenarioError):
            assert ".xml" in str(value), key


def test_utilities_follow_genius_rules(
    loaded: dict[str, NegotiationDomain | ScenarioError],
) -> None:
    for key, d in loaded.items():
        if not isinstance(d, NegotiationDomain):
            continue
        for party, utility, row in zip(d.parties, d.utilities, d.matrix, strict=True):
            where = f"{key}/{party}"
            tables = [np.array(t) for t in utility.values]
            assert all(t.min() >= 0.0 and t.max() <= 1.0 + 1e-12 for t in tables), where
            discrete = [
                t
                for t, issue in zip(tables, d.space.issues, strict=True)
                if all(isinstance(v, str) for v in issue.values)
            ]
            assert all(t.max() in (0.0, 1.0) for t in discrete), where
            assert row.max() <= sum(utility.weights) + 1e-9, where
            assert row.min() >= -1e-12, where


def test_an_integer_domain_as_genius_evaluates_it(
    loaded: dict[str, NegotiationDomain | ScenarioError],
) -> None:
    """templates/linear/IntegerDomain: price and otherprice from -5 to 5.

    Profile 1 weights .75 and .25; price: slope .08, offset .3; otherprice: slope .1,
    offset 0. GENIUS (EvaluatorInteger) gives .75·.3 + .25·0 = .225 at (-5, -5) and
    .75·min(1, .3 + .08·10) + .25·(.1·10) = 1 at (5, 5). NegMAS 0.16 reads the same
    file as .75·(.3 - .4) + .25·(-.5) = -.2 at (-5, -5), not measuring from the bound.
    """
    d = loaded.get("linear/IntegerDomain")
    if not isinstance(d, NegotiationDomain):
        pytest.skip("this distribution has no linear/IntegerDomain")
    first = d.parties.index("IntegerDomain-prof1")
    outcomes = [d.describe(k) for k in range(d.space.size)]
    at = {(o["price"], o["otherprice"]): k for k, o in enumerate(outcomes)}
    assert d.matrix[first, at[(-5.0, -5.0)]] == pytest.approx(0.225)
    assert d.matrix[first, at[(5.0, 5.0)]] == pytest.approx(1.0)


def test_weights_and_tables_agree_with_negmas(
    loaded: dict[str, NegotiationDomain | ScenarioError],
) -> None:
    """NegMAS keeps discrete evaluations unscaled; scaled by their best they must match."""
    inout = pytest.importorskip("negmas.inout", reason="NegMAS is not installed (accord[bench])")
    compared = 0
    for key, d in loaded.items():
        if not isinstance(d, NegotiationDomain) or not key.startswith("anac/y2013"):
            continue
        scenario = inout.Scenario.from_genius_folder(Path(_ROOT or ".") / key, ignore_discount=True)
        theirs = {u.name: u for u in scenario.ufuns}
        for party, utility in zip(d.parties, d.utilities, strict=True):
            ufun = theirs[party]
            assert list(utility.weights) == pytest.approx(list(ufun.weights)), key
            for issue, table, fun in zip(d.space.issues, utility.values, ufun.values, strict=True):
                if not all(isinstance(v, str) for v in issue.values):
                    continue
                raw = np.array([float(fun(v)) for v in issue.values])
                expected = raw / raw.max() if raw.max() > 0 else raw
                assert list(table) == pytest.approx(expected.tolist()), f"{key}/{party}"
            compared += 1
    assert compared >= 20
