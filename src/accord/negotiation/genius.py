"""Read GENIUS / ANAC negotiation domains and utility profiles (XML).

The format that GENIUS and NegMAS ship their benchmark domains in: a domain
file lists the issues under ``<utility_space><objective>`` (discrete issues
with ``<item value=...>``, integer issues with ``lowerbound``/``upperbound``),
and each profile file gives, per issue, an evaluation per item (divided by the
issue's largest evaluation, as GENIUS does) or a linear evaluator for integer
issues (``offset + slope · (value − lowerbound)``, kept within [0, 1], as GENIUS
does), one ``<weight>`` per issue, and a ``<reservation value=...>``. Real-valued
issues are refused: accord's outcome spaces are discrete.

Problems are reported as :class:`~accord.errors.ScenarioError` naming the file
and the element.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from accord.errors import Problem, ScenarioError
from accord.negotiation.domain import NegotiationDomain
from accord.negotiation.space import NegotiationIssue, OutcomeSpace
from accord.negotiation.utility import LinearAdditiveUtility

__all__ = ["load_genius"]


def _fail(path: Path, where: str, message: str) -> ScenarioError:
    return ScenarioError(path, [Problem(str(path), None, where, message)])


def _root(path: Path) -> ET.Element:
    try:
        tree = ET.parse(path)
    except FileNotFoundError:
        raise _fail(path, "", "no such file") from None
    except ET.ParseError as exc:
        line = exc.position[0] if exc.position else None
        raise ScenarioError(
            path, [Problem(str(path), line, "", f"not well-formed XML: {exc}")]
        ) from None
    root = tree.getroot()
    space = root if root.tag == "utility_space" else root.find("utility_space")
    if space is None:
        raise _fail(
            path, root.tag, "no <utility_space> element; is this a GENIUS domain or profile?"
        )
    return space


def _issues(space: ET.Element) -> list[ET.Element]:
    found = space.findall("./objective/issue") or space.findall(".//issue")
    return found


def _number(path: Path, element: ET.Element, attr: str) -> float:
    raw = element.get(attr)
    try:
        return float(raw)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        label = " ".join(
            f"{key}={element.get(key)!r}" for key in ("name", "value", "index") if element.get(key)
        )
        where = f"<{element.tag} {label}>" if label else f"<{element.tag}>"
        raise _fail(path, where, f"attribute {attr!r} must be a number, got {raw!r}") from None


def _read_domain(path: Path) -> OutcomeSpace:
    issues = []
    for element in _issues(_root(path)):
        name = element.get("name") or f"issue{element.get('index')}"
        kind = (element.get("etype") or element.get("type") or "discrete").lower()
        if kind == "discrete":
            items = element.findall("item")
            if not items:
                raise _fail(
                    path, f"<issue name={name!r}>", "a discrete issue needs <item> elements"
                )
            issues.append(NegotiationIssue(name, tuple(i.get("value", "") for i in items)))
        elif kind == "integer":
            low = int(_number(path, element, "lowerbound"))
            high = int(_number(path, element, "upperbound"))
            if high < low:
                raise _fail(
                    path, f"<issue name={name!r}>", f"upperbound {high} is below lowerbound {low}"
                )
            issues.append(NegotiationIssue(name, tuple(float(v) for v in range(low, high + 1))))
        else:
            raise _fail(
                path,
                f"<issue name={name!r}>",
                f"issue type {kind!r} is not supported; use discrete or integer issues",
            )
    if not issues:
        raise _fail(path, "utility_space", "the domain has no issues")
    return OutcomeSpace(tuple(issues))


def _read_profile(path: Path, space: OutcomeSpace) -> LinearAdditiveUtility:
    root = _root(path)
    elements = _issues(root)
    by_name = {e.get("name"): e for e in elements}
    weights_by_index = {w.get("index"): _number(path, w, "value") for w in root.iter("weight")}
    weights, tables = [], []
    for issue in space.issues:
        element = by_name.get(issue.name)
        if element is None:
            raise _fail(
                path,
                f"<issue name={issue.name!r}>",
                "the profile does not evaluate this issue of the domain",
            )
        index = element.get("index")
        if index not in weights_by_index:
            raise _fail(path, f"<weight index={index!r}>", f"no weight for issue {issue.name!r}")
        weights.append(weights_by_index[index])
        if all(isinstance(v, str) for v in issue.values):
            evaluation = {
                i.get("value"): _number(path, i, "evaluation") for i in element.findall("item")
            }
            missing = [v for v in issue.values if v not in evaluation]
            if missing:
                raise _fail(
                    path, f"<issue name={issue.name!r}>", f"no evaluation for items {missing}"
                )
            raw = np.array([evaluation[v] for v in issue.values])  # type: ignore[index]
            top = raw.max()
            tables.append(tuple((raw / top if top > 0 else raw).tolist()))
        else:
            evaluator = element.find("evaluator")
            if evaluator is None or evaluator.get("ftype", "linear") != "linear":
                raise _fail(
                    path,
                    f"<issue name={issue.name!r}>",
                    "integer issues need a linear <evaluator slope=... offset=...>",
                )
            slope, offset = _number(path, evaluator, "slope"), _number(path, evaluator, "offset")
            # GENIUS measures from the issue's lower bound and keeps the result in [0, 1]
            # (EvaluatorInteger.getEvaluation); its reader of NegMAS 0.16 does neither.
            values = np.array(issue.values, dtype=np.float64)
            low = values.min() if values.size else 0.0
            linear = np.clip(offset + slope * (values - low), 0.0, 1.0)
            tables.append(tuple(linear.tolist()))
    reservation_el = root.find("reservation")
    reservation = _number(path, reservation_el, "value") if reservation_el is not None else 0.0
    return LinearAdditiveUtility(tuple(weights), tuple(tables), reservation)


def load_genius(domain_file: str | Path, *profile_files: str | Path) -> NegotiationDomain:
    """A negotiation domain from a GENIUS domain file and one profile per party.

    Party names are the profile files' stems.
    """
    domain_path = Path(domain_file)
    space = _read_domain(domain_path)
    paths = [Path(p) for p in profile_files]
    if len(paths) < 2:
        raise _fail(domain_path, "", "give at least two utility profiles, one per party")
    utilities = tuple(_read_profile(p, space) for p in paths)
    return NegotiationDomain(
        name=domain_path.stem,
        space=space,
        parties=tuple(p.stem for p in paths),
        utilities=utilities,
    )
