"""Read decisions with known outcomes from the layouts analysts keep.

* **DEU** (Decision-making in the European Union, Thomson et al.; DEU III,
  Arregui & Perarnaud 2021), tab- or comma-separated as shipped: a header row;
  a second row holding each actor's capability (GDP in the public preparation)
  under its position column; then one row per issue with ``prnr`` (proposal),
  ``isnr`` (issue), ``p<actor>`` positions and ``s<actor>`` saliences on 0–100,
  ``rp`` (reference point), ``out`` (outcome), ``counvte`` (QMV or
  unanimity), ``proc`` (COD or CNS) and ``intro`` (date of the proposal,
  ``dd-mm-yy``). Blank or 999 means "not recorded".
* **Actor tables** (KTAB or the plain ``actor, capability, position, salience``
  layout, :mod:`accord.scenario.tables`) with extra columns ``<dim> Outcome`` and,
  optionally, ``<dim> Status quo`` (``Outcome`` and ``Status quo`` alone for a
  single issue). The value is written in any row; every row that fills it must agree.
* **Scenario files** (TOML) whose issues carry an ``outcome`` (value, date, source).

For DEU, the Council decides: its members vote with their Council votes (the
Nice Treaty's weights, or the EU-15's before May 2004), a qualified majority
needs 62 of 87 votes (EU-15) or 255 of 345 (Nice); the Commission takes part
without a vote; under co-decision the Parliament must also consent.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import replace
from pathlib import Path

import numpy as np

from accord.backtest.cases import CaseBlock, Cases
from accord.errors import Problem, ScenarioError
from accord.forecasting.inputs import IssueArrays
from accord.forecasting.uncertainty import Uncertainty
from accord.scenario import Scenario, parse_scenario, parse_table
from accord.scenario.loader import layout_of
from accord.scenario.text import Layout, read_text, sniff

__all__ = ["read_cases", "read_deu", "read_file"]

MISSING = 999.0
"""DEU's code for a value not recorded."""

EU15_VOTES = {
    "de": 10, "fr": 10, "it": 10, "uk": 10, "es": 8, "be": 5, "el": 5, "nl": 5, "pt": 5,
    "at": 4, "se": 4, "dk": 3, "ie": 3, "fi": 3, "lu": 2,
}  # fmt: skip
"""Council votes before 1 May 2004 (Treaty of Amsterdam); a qualified majority was 62 of 87."""

NICE_VOTES = {
    "de": 29, "fr": 29, "it": 29, "uk": 29, "es": 27, "pl": 27, "ro": 14, "nl": 13,
    "be": 12, "cz": 12, "el": 12, "hu": 12, "pt": 12, "at": 10, "bu": 10, "se": 10,
    "dk": 7, "ie": 7, "lt": 7, "sk": 7, "fi": 7, "cr": 7, "cy": 4, "ee": 4, "lv": 4,
    "lu": 4, "si": 4, "mt": 3,
}  # fmt: skip
"""Council votes under the Treaty of Nice (from 1 November 2004); a qualified majority 255 of 345.

Used for every DEU proposal from May 2004 on: the double majority of the Lisbon Treaty
(from November 2014) is not modelled, so its few proposals are read under Nice weights.
"""

ENLARGEMENT = dt.date(2004, 5, 1)
EU15_QUOTA = 62 / 87
NICE_QUOTA = 255 / 345


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a)
    a.setflags(write=False)
    return a


def _problem(source: str, line: int | None, message: str) -> ScenarioError:
    return ScenarioError(source, [Problem(source, line, "", message)])


def _number(cell: str, layout: Layout) -> float:
    """A DEU cell as a number; blank, text or 999 (not recorded) as NaN."""
    value = layout.number(cell)
    if isinstance(value, str) or value == MISSING:
        return float("nan")
    return value


def _intro(cell: str) -> dt.date | None:
    m = re.fullmatch(r"(\d{1,2})-(\d{1,2})-(\d{2}|\d{4})", cell.strip())
    if not m:
        return None
    day, month, year = (int(g) for g in m.groups())
    if year < 100:
        year += 1900 if year > 50 else 2000
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def is_deu(text: str) -> bool:
    """Whether a table's header has DEU's proposal column (``prnr``)."""
    first = text.split("\n", 1)[0].lstrip("\ufeff")
    return "prnr" in {c.strip().lower() for c in first.split(sniff(first).delimiter)}


def read_deu(text: str, source: str) -> CaseBlock:
    """A DEU-layout table as one block of issues (see the module's description).

    Raises:
        ScenarioError: Required columns are missing, or no issue can be scored.
    """
    text = text.lstrip("\ufeff")
    layout = sniff(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=layout.delimiter))
    header = [c.strip().lower() for c in rows[0]]
    col = {name: k for k, name in enumerate(header)}
    missing = [c for c in ("prnr", "isnr", "out") if c not in col]
    if missing:
        raise _problem(source, 1, f"a DEU table needs the columns {', '.join(missing)}")
    actors = [n[1:] for n in header if n.startswith("p") and f"s{n[1:]}" in col]
    if len(actors) < 2:
        raise _problem(
            source, 1, "a DEU table needs position and salience columns: p<actor> and s<actor>"
        )

    def cell(row: list[str], name: str) -> str:
        k = col.get(name)
        return row[k] if k is not None and k < len(row) else ""

    body = [(n + 1, r) for n, r in enumerate(rows[1:], start=1) if any(c.strip() for c in r)]
    capability = np.ones(len(actors))
    if body and not cell(body[0][1], "prnr").strip():
        line, row = body.pop(0)
        values = np.array([_number(cell(row, f"p{a}"), layout) for a in actors])
        bad = [a for a, v in zip(actors, values, strict=True) if not v > 0]
        if bad:
            raise _problem(
                source,
                line,
                "the capability row (the row under the header, with prnr blank) needs a "
                f"number above 0 for every actor; missing or not above 0 for {', '.join(bad)}",
            )
        capability = values
    n = len(body)
    position = np.full((len(actors), n), np.nan)
    salience = np.zeros((len(actors), n))
    outcome = np.full(n, np.nan)
    status_quo = np.full(n, np.nan)
    quota = np.full(n, np.nan)
    votes = np.zeros((len(actors), n))
    veto = np.zeros((len(actors), n), dtype=bool)
    cases, groups = [], []
    for j, (_line, row) in enumerate(body):
        prnr, isnr = cell(row, "prnr").strip(), cell(row, "isnr").strip()
        cases.append(isnr if isnr.startswith(prnr) and prnr else f"{prnr}/{isnr}")
        groups.append(prnr)
        for i, a in enumerate(actors):
            x, s = _number(cell(row, f"p{a}"), layout), _number(cell(row, f"s{a}"), layout)
            if not (np.isnan(x) or np.isnan(s)):
                position[i, j], salience[i, j] = x, s / 100.0
        out = _number(cell(row, "out"), layout)
        outcome[j] = out if 0 <= out <= 100 else np.nan
        rp = _number(cell(row, "rp"), layout)
        status_quo[j] = rp if 0 <= rp <= 100 else np.nan
        date = _intro(cell(row, "intro"))
        before = date is not None and date < ENLARGEMENT
        table = EU15_VOTES if before else NICE_VOTES
        rule = cell(row, "counvte").strip().lower()
        if rule.startswith("unan"):
            quota[j] = 1.0
        elif rule == "qmv":
            quota[j] = EU15_QUOTA if before else NICE_QUOTA
        votes[:, j] = [table.get(a, 0) for a in actors]
        if cell(row, "proc").strip().upper() == "COD" and "ep" in actors:
            veto[actors.index("ep"), j] = True
    stated = ~np.isnan(position)
    outcome = np.where(stated.sum(axis=0) >= 2, outcome, np.nan)
    if not (~np.isnan(outcome)).any():
        raise _problem(
            source,
            None,
            "no issue can be scored: each needs an outcome ('out', 0–100) and at least two "
            "actors with both a position and a salience",
        )
    arrays = IssueArrays(
        actors=tuple(actors),
        issues=tuple(cases),
        position=_frozen(position),
        salience=_frozen(salience),
        capability=_frozen(capability),
        scale_min=_frozen(np.zeros(n)),
        scale_max=_frozen(np.full(n, 100.0)),
        status_quo=_frozen(status_quo),
        linkage=_frozen(np.zeros((n, n))),
        quota=_frozen(quota),
        votes=_frozen(votes),
        veto=_frozen(veto),
    )
    return CaseBlock(source, arrays, _frozen(outcome), tuple(cases), tuple(groups))


_OUTCOME = re.compile(r"^(?P<dim>.*?)\s*outcome$", re.I)
_STATUS_QUO = re.compile(r"^(?P<dim>.*?)\s*(status[ _]quo|reference point)$", re.I)


def _split_columns(text: str, source: str) -> tuple[str, dict[str, dict[str, float]]]:
    """The table without its outcome and status-quo columns, and those columns' values by dim."""
    layout = sniff(text)
    rows = list(csv.reader(io.StringIO(text), delimiter=layout.delimiter))
    at = next((k for k, r in enumerate(rows[:2]) if r and r[0].strip().lower() == "actor"), None)
    if at is None:
        return text, {}
    header = rows[at]
    extra: dict[int, tuple[str, str]] = {}
    for k, name in enumerate(header):
        for kind, pattern in (("outcome", _OUTCOME), ("status_quo", _STATUS_QUO)):
            m = pattern.match(name.strip())
            if m:
                extra[k] = (kind, m.group("dim").strip().lower())
    found: dict[str, dict[str, float]] = {"outcome": {}, "status_quo": {}}
    for line, row in enumerate(rows[at + 1 :], start=at + 2):
        for k, (kind, dim) in extra.items():
            if k < len(row) and row[k].strip():
                value = _number(row[k], layout)
                known = found[kind].get(dim)
                if np.isnan(value) or (known is not None and known != value):
                    raise _problem(
                        source,
                        line,
                        f"column {header[k]!r}: {row[k]!r} "
                        + (
                            "is not a number"
                            if np.isnan(value)
                            else f"differs from the {known:g} given above; write it once"
                        ),
                    )
                found[kind][dim] = value
    kept = [[c for k, c in enumerate(r) if k not in extra] for r in rows]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=layout.delimiter, lineterminator="\n").writerows(kept)
    return buffer.getvalue(), found


def _issue_value(values: dict[str, float], issue_id: str, issue_name: str, single: bool) -> float:
    for key in (issue_id, issue_name.lower()):
        if key in values:
            return values[key]
    if single and "" in values:
        return values[""]
    if single and len(values) == 1:
        return next(iter(values.values()))
    return float("nan")


def _table_block(text: str, source: str) -> CaseBlock:
    body, extra = _split_columns(text, source)
    scenario = parse_table(body, source=source)
    arrays = IssueArrays.from_scenario(scenario)
    single = len(scenario.issues) == 1
    outcome = np.array(
        [_issue_value(extra.get("outcome", {}), i.id, i.name, single) for i in scenario.issues]
    )
    sq = np.array(
        [_issue_value(extra.get("status_quo", {}), i.id, i.name, single) for i in scenario.issues]
    )
    if not (~np.isnan(outcome)).any():
        raise _problem(
            source,
            None,
            "no outcome to score against: add a column '<dim> Outcome' (or 'Outcome' for a "
            "single issue) holding what was decided",
        )
    arrays = replace(arrays, status_quo=_frozen(np.where(np.isnan(sq), arrays.status_quo, sq)))
    return _scenario_block(scenario, arrays, outcome, source)


def _scenario_block(
    scenario: Scenario, arrays: IssueArrays, outcome: np.ndarray, source: str
) -> CaseBlock:
    stem = Path(source).stem
    uncertainty = Uncertainty.from_scenario(scenario)
    return CaseBlock(
        source,
        arrays,
        _frozen(outcome),
        tuple(f"{stem}/{i}" for i in scenario.issue_ids),
        tuple(stem for _ in scenario.issue_ids),
        uncertainty if uncertainty.any else None,
    )


def read_file(path: Path) -> CaseBlock:
    """One data file, its layout recognised by its content.

    Raises:
        ScenarioError: The file cannot be read, or holds nothing to score.
    """
    source = str(path)
    text = read_text(path)
    if not text.strip():
        raise _problem(source, None, "the file is empty")
    if is_deu(text):
        return read_deu(text, source)
    kind = layout_of(text, path.suffix.lower())
    if kind == "xml":
        raise _problem(
            source,
            None,
            "a KTAB XML scenario records no outcomes; write the data as a KTAB table with an "
            "'<dim> Outcome' column, or as a scenario file with outcomes",
        )
    if kind == "table":
        return _table_block(text, source)
    scenario = parse_scenario(text, source=source)
    outcome = np.array([np.nan if i.outcome is None else i.outcome.value for i in scenario.issues])
    if not (~np.isnan(outcome)).any():
        raise _problem(
            source,
            None,
            "no issue has an outcome to score against: add "
            "'outcome = { value = ..., date = ..., source = \"...\" }' to the issues decided",
        )
    return _scenario_block(scenario, IssueArrays.from_scenario(scenario), outcome, source)


DATA_SUFFIXES = (".tsv", ".csv", ".txt", ".toml")
"""What a folder given to ``read_cases`` is searched for."""


def read_cases(paths: list[Path]) -> Cases:
    """Every file given; a folder stands for the data files in it (sorted by name).

    Raises:
        ScenarioError: A path does not exist, or a file cannot be read.
    """
    files: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix.lower() in DATA_SUFFIXES)
            if not inside:
                raise _problem(
                    str(path), None, f"the folder holds no data files ({', '.join(DATA_SUFFIXES)})"
                )
            files += inside
        elif path.exists():
            files.append(path)
        else:
            raise _problem(str(path), None, "no such file or folder")
    return Cases.of([read_file(f) for f in files])
