"""KTAB's XML scenarios (``smpExample.xml``, ``dummyData_3Dim.xml``), read as KTAB reads them.

The elements KTAB's own reader uses: ``Scenario`` with ``name``, ``desc``,
``Dimensions/dName`` (one per dimension) and ``Actors/Actor``, each with
``name``, ``description``, ``capability``, ``Position/dCoord`` and
``Salience/dSal`` (one per dimension, in order). Positions and saliences are on
0–100, as in KTAB, and saliences are divided by 100. KTAB's model settings
(``ModelParameters``, ``prngSeed``) and its ``IdealAdjustment`` matrix have no
counterpart in accord and are not read; the reader says nothing of them.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from accord.errors import Problem, ScenarioError
from accord.scenario.scenario import Scenario
from accord.scenario.sourcemap import SourceMap
from accord.scenario.tables import ktab_stances, unique_ids

__all__ = ["looks_like_xml", "parse_ktab_xml"]


def looks_like_xml(text: str) -> bool:
    """Whether the text starts like an XML document."""
    return text.lstrip().startswith("<")


def _number(element: ET.Element | None) -> float | str:
    text = "" if element is None or element.text is None else element.text.strip()
    try:
        return float(text)
    except ValueError:
        return text


def parse_ktab_xml(text: str, source: str = "<xml>") -> Scenario:
    """Read a KTAB SMP scenario in XML into a validated scenario.

    Raises:
        ScenarioError: The XML is malformed, or elements KTAB requires are missing.
    """
    from accord.scenario.loader import scenario_from_dict

    def fail(message: str, line: int | None = None) -> ScenarioError:
        return ScenarioError(source, [Problem(source, line, "", message)])

    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise fail(f"not valid XML: {exc.msg}", exc.position[0]) from None
    if root.tag != "Scenario":
        raise fail(f"expected a KTAB <Scenario> document, found <{root.tag}>")
    dims = [(d.text or "").strip() for d in root.findall("Dimensions/dName")]
    actors_el = root.findall("Actors/Actor")
    if not dims:
        raise fail("a KTAB scenario needs <Dimensions> with at least one <dName>")
    if not actors_el:
        raise fail("a KTAB scenario needs <Actors> with at least one <Actor>")
    issue_ids, problems = unique_ids(
        [(None, d or f"dimension {k + 1}") for k, d in enumerate(dims)], source, "dimension"
    )
    names = [
        (None, (actor.findtext("name") or "").strip() or f"actor {k + 1}")
        for k, actor in enumerate(actors_el)
    ]
    ids, repeated = unique_ids(names, source, "actor")
    problems += repeated
    actors: list[dict[str, Any]] = []
    positions: dict[str, Any] = {}
    for k, (actor, (_, name), ident) in enumerate(zip(actors_el, names, ids, strict=True)):
        coords = actor.findall("Position/dCoord")
        sals = actor.findall("Salience/dSal")
        if len(coords) != len(dims) or len(sals) != len(dims):
            problems.append(
                Problem(
                    source,
                    None,
                    f"Actors/Actor[{k + 1}]",
                    f"actor {name!r} has {len(coords)} <dCoord> and {len(sals)} <dSal>; "
                    f"the scenario has {len(dims)} dimensions",
                )
            )
            continue
        actors.append(
            {
                "id": ident,
                "name": name,
                "description": (actor.findtext("description") or "").strip(),
                "capability": _number(actor.find("capability")),
            }
        )
        entry, problem = ktab_stances(
            issue_ids, [_number(c) for c in coords], [_number(v) for v in sals]
        )
        if problem:
            problems.append(Problem(source, None, f"positions.{ident}", problem))
        positions[ident] = entry
    if problems:
        raise ScenarioError(source, problems)
    raw = {
        "scenario": {
            "name": (root.findtext("name") or "").strip() or "KTAB scenario",
            "description": (root.findtext("desc") or "").strip(),
        },
        "actors": actors,
        "issues": [{"id": i, "name": d or i} for i, d in zip(issue_ids, dims, strict=True)],
        "positions": positions,
    }
    return scenario_from_dict(raw, source=source, sourcemap=SourceMap.from_lines({}))
