"""Import the tabular layouts that users of BDM-style and KTAB-style models keep.

Three layouts are read, separated by commas, semicolons or tabs (decimal commas
too, with semicolons or tabs):

* **KTAB SMP.** The first line gives ``name, description, n_actors, n_dims``;
  the second is a header whose names KTAB ignores (``Actor, Description,
  Influence, <dim> Position, <dim> Salience, ...`` or ``Actor, Description,
  Power, Pstn1, Sal1, ...``); one row per actor follows: name, description,
  capability, then a position and a salience per dimension. Positions and
  saliences are on 0–100, as in KTAB's SMP; saliences are divided by 100, and an
  actor's saliences may add up to at most 100.
* **Plain.** A header naming an actor, capability, position and salience column,
  in any order (``actor, capability, position, salience``; the public BDM
  replications' ``Stakeholder, Resources, Position, Salience``; ``name``,
  ``party``, ``power``, ``influence``, ``importance`` too), optionally a
  ``description``, and one row per actor, for a single issue. Saliences are read
  on 0–1, or on 0–100 (and divided by 100) when any exceeds 1.

Both are turned into the same document a TOML scenario file parses to, and pass
the same validation. Nothing is guessed silently: a repeated actor, a header
without rows, or saliences that mix the 0–1 and 0–100 scales are errors naming
the lines. A table has no status quo and no anchor points; the issue's scale is
0–100 for KTAB and runs from the lowest to the highest stated position for the
plain layout.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from accord.errors import Problem, ScenarioError
from accord.scenario.scenario import Scenario
from accord.scenario.sourcemap import SourceMap
from accord.scenario.text import Layout, split_rows

__all__ = ["parse_table"]

PLAIN_HEADER = ("actor", "capability", "position", "salience")
SYNONYMS = {
    "actor": ("actor", "actors", "stakeholder", "stakeholders", "name", "party", "player"),
    "capability": ("capability", "capabilities", "resources", "power", "influence", "clout"),
    "position": ("position",),
    "salience": ("salience", "importance"),
    "description": ("description",),
}
Rows = list[tuple[int, list[str]]]


def _slug(text: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-") or "x"
    return base if base[0].isalnum() else f"x{base}"


def _problem(source: str, line: int | None, message: str, location: str = "") -> Problem:
    return Problem(source, line, location, message)


def unique_ids(
    names: Sequence[tuple[int | None, str]], source: str, what: str
) -> tuple[list[str], list[Problem]]:
    """A slug per name; a name that repeats another (ignoring case and punctuation) is a problem."""
    seen: dict[str, tuple[int | None, str]] = {}
    ids, problems = [], []
    for line, name in names:
        ident = _slug(name)
        if ident in seen:
            first_line, first = seen[ident]
            where = f" on line {first_line}" if first_line is not None else ""
            problems.append(
                _problem(
                    source,
                    line,
                    f"{what} {name!r} repeats {first!r}{where} (names are compared "
                    f"ignoring case and punctuation); give each {what} one entry",
                )
            )
        else:
            seen[ident] = (line, name)
        ids.append(ident)
    return ids, problems


def parse_table(text: str, source: str = "<table>") -> Scenario:
    """Read a KTAB-style or plain actor table into a validated scenario.

    Raises:
        ScenarioError: The layout is not recognised, or values are invalid.
    """
    from accord.scenario.loader import scenario_from_dict

    table = split_rows(text)
    rows, layout = table.rows, table.layout
    if not rows:
        raise ScenarioError(source, [_problem(source, None, "the table is empty")])
    columns = _plain_columns(rows[0][1])
    if columns is not None:
        raw, lines = _plain(rows, columns, layout, source)
    elif _is_ktab(rows, layout):
        raw, lines = _ktab(rows, layout, source)
    else:
        line, header = rows[0]
        raise ScenarioError(
            source,
            [
                _problem(
                    source,
                    line,
                    "unrecognised table layout; expected either a header naming the columns "
                    "'actor, capability, position, salience' (in any order), or a KTAB first "
                    "line 'name, description, n_actors, n_dims' followed by the header "
                    "'Actor, Description, Influence, <dim> Position, <dim> Salience, ...'; "
                    f"found {len(header)} {layout.name}-separated cells: "
                    + ", ".join(repr(c) for c in header[:6])
                    + (", ..." if len(header) > 6 else ""),
                )
            ],
        )
    return scenario_from_dict(raw, source=source, sourcemap=SourceMap.from_lines(lines))


def _plain_columns(header: list[str]) -> dict[str, int] | None:
    """Which column holds what, if the header names the four plain-layout columns."""
    found: dict[str, int] = {}
    for k, cell in enumerate(header):
        name = cell.strip().lower()
        for key, words in SYNONYMS.items():
            if name in words and key not in found:
                found[key] = k
    return found if set(PLAIN_HEADER) <= set(found) else None


def _is_ktab(rows: Rows, layout: Layout) -> bool:
    first = rows[0][1]
    if len(first) < 4 or len(rows) < 2:
        return False
    declared = [layout.number(c) for c in first[2:4]]
    return all(isinstance(d, float) for d in declared)


def _plain(
    rows: Rows, columns: dict[str, int], layout: Layout, source: str
) -> tuple[dict[str, Any], dict[Any, int]]:
    problems: list[Problem] = []
    header_line, header = rows[0]
    unknown = [c for k, c in enumerate(header) if k not in columns.values()]
    if unknown:
        problems.append(
            _problem(
                source,
                header_line,
                f"unknown column{'s' if len(unknown) > 1 else ''} "
                + ", ".join(repr(c) for c in unknown)
                + "; the plain layout has actor, capability, position, salience and "
                "optionally description (remove the others, or write a TOML scenario)",
            )
        )
    body = rows[1:]
    if not body:
        problems.append(_problem(source, header_line, "the table has a header but no actor rows"))
    width = max(columns.values()) + 1
    short = [(line, cells) for line, cells in body if len(cells) < width]
    for line, cells in short:
        problems.append(
            _problem(
                source,
                line,
                f"expected {width} cells ({', '.join(header[:width])}), got {len(cells)}",
            )
        )
    body = [(line, cells) for line, cells in body if len(cells) >= width]
    ids, repeated = unique_ids([(line, c[columns["actor"]]) for line, c in body], source, "actor")
    problems += repeated
    saliences = [(line, layout.number(c[columns["salience"]])) for line, c in body]
    numbers = [(line, v) for line, v in saliences if isinstance(v, float)]
    per_cent = any(v > 1.0 for _, v in numbers)
    fractional = [(line, v) for line, v in numbers if 0.0 < v < 1.0]
    if per_cent and fractional:
        problems.append(
            _problem(
                source,
                fractional[0][0],
                "saliences mix the 0–1 and 0–100 scales: "
                + ", ".join(f"{v:g} (line {line})" for line, v in fractional[:5])
                + (" and more" if len(fractional) > 5 else "")
                + f" below 1, while others reach {max(v for _, v in numbers):g}; "
                "write every salience on one scale",
            )
        )
    if problems:
        raise ScenarioError(source, problems)
    actors: list[dict[str, Any]] = []
    positions: dict[str, Any] = {}
    lines: dict[Any, int] = {}
    stated: list[float] = []
    for (line, cells), ident in zip(body, ids, strict=True):
        lines[("actors", len(actors))] = line
        lines[("positions", ident)] = line
        actor: dict[str, Any] = {
            "id": ident,
            "name": cells[columns["actor"]],
            "capability": layout.number(cells[columns["capability"]]),
        }
        if "description" in columns and columns["description"] < len(cells):
            actor["description"] = cells[columns["description"]]
        actors.append(actor)
        position = layout.number(cells[columns["position"]])
        salience = layout.number(cells[columns["salience"]])
        if isinstance(position, float):
            stated.append(position)
        if per_cent and isinstance(salience, float):
            salience /= 100.0
        positions[ident] = {"issue": {"position": position, "salience": salience}}
    lo, hi = (min(stated), max(stated)) if stated else (0.0, 100.0)
    if lo == hi:
        lo, hi = lo - 1.0, hi + 1.0
    stem = source.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "table"
    raw = {
        "scenario": {
            "name": stem,
            "description": "Imported from an actor/capability/position/salience table"
            + (" (saliences read on 0–100)." if per_cent else "."),
        },
        "actors": actors,
        "issues": [{"id": "issue", "name": stem, "scale": {"min": lo, "max": hi}}],
        "positions": positions,
    }
    return raw, lines


def ktab_stances(
    issue_ids: list[str], positions: list[float | str], saliences: list[float | str]
) -> tuple[dict[str, Any], str]:
    """One KTAB actor's stances (saliences divided by 100), and what is wrong, if anything.

    KTAB allows an actor at most 100 of salience over all dimensions.
    """
    entry: dict[str, Any] = {}
    total = 0.0
    for issue_id, position, salience in zip(issue_ids, positions, saliences, strict=True):
        if isinstance(salience, float):
            total += salience
            salience /= 100.0
        entry[issue_id] = {"position": position, "salience": salience}
    if total > 100.0 + 1e-9:
        return entry, f"saliences add up to {total:g}; KTAB allows at most 100 per actor"
    return entry, ""


def _dimension_names(header: list[str], n_dims: int) -> list[str]:
    """KTAB names a dimension after its position column; ' Position' is dropped if present."""
    names = []
    for d in range(n_dims):
        k = 3 + 2 * d
        cell = header[k] if k < len(header) else ""
        name = re.sub(r"\s*position$", "", cell.strip(), flags=re.I)
        names.append(name or f"Dimension {d + 1}")
    return names


def _ktab(rows: Rows, layout: Layout, source: str) -> tuple[dict[str, Any], dict[Any, int]]:
    first_line, first = rows[0]
    header_line, header = rows[1]
    problems: list[Problem] = []
    n_actors, n_dims = (int(float(layout.number(c))) for c in first[2:4])
    body = rows[2:]
    if n_actors != len(body):
        problems.append(
            _problem(
                source,
                first_line,
                f"the first line declares {n_actors} actors but the table has {len(body)} rows",
                "n_actors",
            )
        )
    if n_dims < 1:
        problems.append(_problem(source, first_line, "n_dims must be at least 1", "n_dims"))
    elif len(header) < 3 + 2 * n_dims:
        problems.append(
            _problem(
                source,
                header_line,
                f"the first line declares {n_dims} dimensions, which needs "
                f"{3 + 2 * n_dims} columns (actor, description, capability, then a position "
                f"and a salience per dimension); the header has {len(header)}",
                "n_dims",
            )
        )
    if problems:
        raise ScenarioError(source, problems)
    dims = _dimension_names(header, n_dims)
    issue_ids, repeated_dims = unique_ids([(header_line, d) for d in dims], source, "dimension")
    ids, repeated = unique_ids([(line, cells[0]) for line, cells in body], source, "actor")
    problems += repeated_dims + repeated
    actors: list[dict[str, Any]] = []
    positions: dict[str, Any] = {}
    lines: dict[Any, int] = {}
    for (line, cells), ident in zip(body, ids, strict=True):
        cells = cells + [""] * (3 + 2 * n_dims - len(cells))
        lines[("actors", len(actors))] = line
        lines[("positions", ident)] = line
        actors.append(
            {
                "id": ident,
                "name": cells[0],
                "description": cells[1],
                "capability": layout.number(cells[2]),
            }
        )
        entry, problem = ktab_stances(
            issue_ids,
            [layout.number(cells[3 + 2 * j]) for j in range(n_dims)],
            [layout.number(cells[4 + 2 * j]) for j in range(n_dims)],
        )
        if problem:
            problems.append(_problem(source, line, problem, f"positions.{ident}"))
        positions[ident] = entry
    if problems:
        raise ScenarioError(source, problems)
    raw = {
        "scenario": {"name": first[0] or "table", "description": first[1]},
        "actors": actors,
        "issues": [{"id": i, "name": d} for i, d in zip(issue_ids, dims, strict=True)],
        "positions": positions,
    }
    return raw, lines
