"""Import the tabular layouts that users of BDM-style and KTAB-style models keep.

Two layouts are read:

* **KTAB SMP.** The first line gives ``name, description, n_actors, n_dims``;
  the second is the header ``Actor, Description, Influence, <dim> Position,
  <dim> Salience, ...``; one row per actor follows. Positions and saliences
  are on 0–100, as in KTAB's SMP; saliences are divided by 100, and an actor's
  saliences may add up to at most 100.
* **Plain.** A header ``actor, capability, position, salience`` and one row per
  actor, for a single issue. Saliences are read on 0–1, or on 0–100 (and
  divided by 100) when any exceeds 1.

Both are turned into the same document a TOML scenario file parses to, and pass
the same validation. A table has no status quo and no anchor points; the
issue's scale is 0–100 for KTAB and runs from the lowest to the highest stated
position for the plain layout.
"""

from __future__ import annotations

import csv
import io
import re
from typing import Any

from accord.errors import Problem, ScenarioError
from accord.scenario.scenario import Scenario
from accord.scenario.sourcemap import SourceMap

__all__ = ["parse_table"]

PLAIN_HEADER = ("actor", "capability", "position", "salience")


def _slug(text: str, taken: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.strip().lower()).strip("-") or "x"
    if not base[0].isalnum():
        base = f"x{base}"
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    taken.add(slug)
    return slug


def _cell(text: str) -> float | str:
    """A number where the cell holds one; the text otherwise (validation reports it)."""
    try:
        return float(text)
    except ValueError:
        return text.strip()


def _rows(text: str) -> list[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text.replace("\r\n", "\n").replace("\r", "\n")))
    out: list[tuple[int, list[str]]] = []
    for row in reader:
        cells = [c.strip() for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            out.append((reader.line_num, cells))
    return out


def parse_table(text: str, source: str = "<table>") -> Scenario:
    """Read a KTAB-style or plain actor table into a validated scenario.

    Raises:
        ScenarioError: The layout is not recognised, or values are invalid.
    """
    from accord.scenario.loader import scenario_from_dict

    rows = _rows(text)
    if not rows:
        raise ScenarioError(source, [Problem(source, None, "", "the table is empty")])
    header = tuple(c.lower() for c in rows[0][1])
    if header[:4] == PLAIN_HEADER:
        raw, lines = _plain(rows, source)
    elif len(rows) > 1 and rows[1][1] and rows[1][1][0].lower() == "actor":
        raw, lines = _ktab(rows, source)
    else:
        raise ScenarioError(
            source,
            [
                Problem(
                    source,
                    rows[0][0],
                    "",
                    "unrecognised table layout; expected either the header "
                    "'actor, capability, position, salience', or a KTAB first line "
                    "'name, description, n_actors, n_dims' followed by the header "
                    "'Actor, Description, Influence, <dim> Position, <dim> Salience, ...'",
                )
            ],
        )
    return scenario_from_dict(raw, source=source, sourcemap=SourceMap.from_lines(lines))


def _plain(rows: list[tuple[int, list[str]]], source: str) -> tuple[dict[str, Any], dict[Any, int]]:
    taken: set[str] = set()
    actors: list[dict[str, Any]] = []
    positions: dict[str, Any] = {}
    lines: dict[Any, int] = {}
    problems: list[Problem] = []
    for line, cells in rows[1:]:
        if len(cells) < 4:
            problems.append(
                Problem(
                    source,
                    line,
                    "",
                    f"expected 4 cells (actor, capability, position, salience), got {len(cells)}",
                )
            )
            continue
        ident = _slug(cells[0], taken)
        lines[("actors", len(actors))] = line
        lines[("positions", ident)] = line
        actors.append({"id": ident, "name": cells[0], "capability": _cell(cells[1])})
        positions[ident] = {"issue": {"position": _cell(cells[2]), "salience": _cell(cells[3])}}
    if problems:
        raise ScenarioError(source, problems)
    numbers = [
        p["issue"]["position"]
        for p in positions.values()
        if isinstance(p["issue"]["position"], float)
    ]
    saliences = [
        p["issue"]["salience"]
        for p in positions.values()
        if isinstance(p["issue"]["salience"], float)
    ]
    per_cent = bool(saliences) and max(saliences) > 1.0
    if per_cent:
        for p in positions.values():
            if isinstance(p["issue"]["salience"], float):
                p["issue"]["salience"] /= 100.0
    lo, hi = (min(numbers), max(numbers)) if numbers else (0.0, 100.0)
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


def _ktab(rows: list[tuple[int, list[str]]], source: str) -> tuple[dict[str, Any], dict[Any, int]]:
    first_line, first = rows[0]
    header_line, header = rows[1]
    problems: list[Problem] = []
    name = first[0] if first else "table"
    description = first[1] if len(first) > 1 else ""
    dims: list[str] = []
    for k in range(3, len(header), 2):
        pos_col = header[k]
        sal_col = header[k + 1] if k + 1 < len(header) else ""
        if not pos_col.lower().endswith("position") or not sal_col.lower().endswith("salience"):
            problems.append(
                Problem(
                    source,
                    header_line,
                    f"column {k + 1}",
                    f"expected a '<dim> Position' column followed by a '<dim> Salience' column, "
                    f"got {pos_col!r} and {sal_col!r}",
                )
            )
            break
        dims.append(pos_col[: -len("position")].strip() or f"dim{len(dims) + 1}")
    declared = [_cell(c) for c in first[2:4]]
    body = rows[2:]
    if len(declared) == 2 and all(isinstance(d, float) for d in declared):
        n_actors, n_dims = int(declared[0]), int(declared[1])
        if n_actors != len(body):
            problems.append(
                Problem(
                    source,
                    first_line,
                    "n_actors",
                    f"the first line declares {n_actors} actors but the table has {len(body)} rows",
                )
            )
        if not problems and n_dims != len(dims):
            problems.append(
                Problem(
                    source,
                    first_line,
                    "n_dims",
                    f"the first line declares {n_dims} dimensions but the header has {len(dims)}",
                )
            )
    else:
        problems.append(
            Problem(
                source,
                first_line,
                "",
                "the first line must be 'name, description, n_actors, n_dims' "
                "with two whole numbers at the end",
            )
        )
    if problems:
        raise ScenarioError(source, problems)
    issue_taken: set[str] = set()
    issue_ids = [_slug(d, issue_taken) for d in dims]
    taken: set[str] = set()
    actors: list[dict[str, Any]] = []
    positions: dict[str, Any] = {}
    lines: dict[Any, int] = {}
    for line, cells in body:
        cells = cells + [""] * (3 + 2 * len(dims) - len(cells))
        ident = _slug(cells[0], taken)
        lines[("actors", len(actors))] = line
        lines[("positions", ident)] = line
        actors.append(
            {"id": ident, "name": cells[0], "description": cells[1], "capability": _cell(cells[2])}
        )
        entry: dict[str, Any] = {}
        total = 0.0
        for j, issue_id in enumerate(issue_ids):
            sal = _cell(cells[4 + 2 * j])
            if isinstance(sal, float):
                total += sal
                sal /= 100.0
            entry[issue_id] = {"position": _cell(cells[3 + 2 * j]), "salience": sal}
        if total > 100.0 + 1e-9:
            problems.append(
                Problem(
                    source,
                    line,
                    f"positions.{ident}",
                    f"saliences add up to {total:g}; KTAB allows at most 100 per actor",
                )
            )
        positions[ident] = entry
    if problems:
        raise ScenarioError(source, problems)
    raw = {
        "scenario": {"name": name, "description": description},
        "actors": actors,
        "issues": [{"id": i, "name": d} for i, d in zip(issue_ids, dims, strict=True)],
        "positions": positions,
    }
    return raw, lines
