"""Load a scenario from a TOML file (or a CSV table), reporting every problem at once."""

from __future__ import annotations

import re
import tomllib
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from accord.errors import Problem, ScenarioError
from accord.scenario.checks import check_document
from accord.scenario.model import Document
from accord.scenario.scenario import Scenario
from accord.scenario.sourcemap import SourceMap

__all__ = ["hindsight_problems", "layout_of", "load_scenario", "parse_scenario"]

Loc = tuple[str | int, ...]
_SIMPLE_ID = re.compile(r"[a-z0-9][a-z0-9_-]*")


def load_scenario(path: str | Path) -> Scenario:
    """Load and validate a scenario file, recognising its layout by its content.

    accord's TOML format (``docs/scenario-format.md``), a BDM/KTAB-style table
    (comma, semicolon or tab separated; :func:`accord.scenario.tables.parse_table`)
    or a KTAB XML scenario (:func:`accord.scenario.ktab_xml.parse_ktab_xml`),
    whatever the file is called: Excel saves tables as ``.txt`` too. A UTF-8
    byte-order mark is dropped.

    Args:
        path: The file to read.

    Returns:
        The validated scenario.

    Raises:
        ScenarioError: The file cannot be read or has problems; the error lists
            all of them, each with the line and dotted path where it occurs.
    """
    from accord.scenario.text import read_text

    path = Path(path)
    text = read_text(path)
    kind = layout_of(text, path.suffix.lower())
    if kind == "xml":
        from accord.scenario.ktab_xml import parse_ktab_xml

        return parse_ktab_xml(text, source=str(path))
    if kind == "table":
        from accord.scenario.tables import parse_table

        return parse_table(text, source=str(path))
    return parse_scenario(text, source=str(path))


_TOML_LINE = re.compile(r"^\s*(\[\[?[A-Za-z0-9_.\- ]+\]\]?|[A-Za-z0-9_\-\"']+\s*=)")


def layout_of(text: str, suffix: str = "") -> str:
    """``"toml"``, ``"table"`` or ``"xml"``: what the text holds, the suffix breaking ties.

    The first line that is neither blank nor a ``#`` comment decides: ``<`` starts
    XML; a TOML table header or ``key = value`` starts TOML; anything else is a table.
    """
    for line in text.split("\n"):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.startswith("<"):
            return "xml"
        if _TOML_LINE.match(line) and not (suffix in {".csv", ".tsv"} and "," in line):
            return "toml"
        return "table" if suffix != ".toml" else "toml"
    return "toml" if suffix == ".toml" else "table"


def parse_scenario(text: str, source: str = "<string>") -> Scenario:
    """Validate a scenario given as TOML text.

    Args:
        text: The TOML document.
        source: Name used for the file in error messages.

    Raises:
        ScenarioError: With every problem found.
    """
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ScenarioError(source, [_syntax_problem(exc, source)]) from None
    return scenario_from_dict(raw, source=source, sourcemap=SourceMap(text))


def scenario_from_dict(
    raw: Mapping[str, Any], *, source: str = "<dict>", sourcemap: SourceMap | None = None
) -> Scenario:
    """Validate a scenario given as plain data (the parsed form of the TOML file)."""
    problems: list[Problem] = []
    lines = sourcemap or SourceMap("")

    def add(loc: Loc, message: str) -> None:
        problems.append(Problem(source, lines.line(loc), _dotted(loc, raw), message))

    doc: Document | None = None
    try:
        doc = Document.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        item_failed = {tuple(e["loc"][:-2]) for e in errors if len(e["loc"]) > 1}
        for err in errors:
            # A list whose items all failed is also "too short": say only the first.
            if err["type"] == "too_short" and tuple(err["loc"]) in item_failed:
                continue
            loc, message = _describe(err, raw)
            add(loc, message)
    for loc, message in check_document(raw):
        add(loc, message)
    if problems or doc is None:
        # Keep one problem per place and message: field validation and the
        # cross-checks can both notice the same thing.
        unique = list(dict.fromkeys(problems))
        raise ScenarioError(source, unique)
    return Scenario.from_document(doc, source=source)


def hindsight_problems(path: str | Path, strict: bool = False) -> list[Problem]:
    """Sources in a scenario file that postdate its date (see scenario.hindsight).

    Only accord's TOML layout carries sources and dates; other layouts have none.
    Call it on a file that loads (``load_scenario``).
    """
    from accord.scenario.hindsight import hindsight
    from accord.scenario.text import read_text

    text = read_text(Path(path))
    if layout_of(text, Path(path).suffix.lower()) != "toml":
        return []
    raw = tomllib.loads(text)
    lines = SourceMap(text)
    return [
        Problem(str(path), lines.line(loc), _dotted(loc, raw), message)
        for loc, message in hindsight(raw, strict=strict)
    ]


def _syntax_problem(exc: tomllib.TOMLDecodeError, source: str) -> Problem:
    line = getattr(exc, "lineno", None)
    message = getattr(exc, "msg", None) or str(exc)
    # Python < 3.14 puts "(at line N, column M)" into the message only.
    if line is None and "(at line " in str(exc):
        tail = str(exc).rsplit("(at line ", 1)[1]
        line = int(tail.split(",")[0].rstrip(")"))
        message = str(exc).rsplit(" (at line ", 1)[0]
    return Problem(source, line, "", f"not valid TOML: {message}")


def _dotted(loc: Loc, raw: Mapping[str, Any]) -> str:
    """Render a location like ``actors[usa].capability`` or ``positions.dprk.kuril.salience``."""
    out = ""
    node: Any = raw
    for part in loc:
        if isinstance(part, int):
            ident = None
            if isinstance(node, list) and 0 <= part < len(node):
                node = node[part]
                ident = node.get("id") if isinstance(node, Mapping) else None
            else:
                node = None
            simple = isinstance(ident, str) and _SIMPLE_ID.fullmatch(ident)
            out += f"[{ident}]" if simple else f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
            node = node.get(part) if isinstance(node, Mapping) else None
    return out


def _lookup(raw: Any, loc: Loc) -> tuple[bool, Any]:
    node = raw
    for part in loc:
        if isinstance(part, int) and isinstance(node, list) and 0 <= part < len(node):
            node = node[part]
        elif isinstance(part, str) and isinstance(node, Mapping) and part in node:
            node = node[part]
        else:
            return False, None
    return True, node


def _model_at(loc: Loc) -> type[BaseModel] | None:
    """The model class that validates the table at ``loc`` (for 'allowed keys' hints)."""
    model: Any = Document
    for part in loc:
        if not (isinstance(model, type) and issubclass(model, BaseModel)):
            return None
        if isinstance(part, int):
            continue
        info = model.model_fields.get(part)
        if info is None:
            if model is Document:
                return None
            continue
        model = _inner_model(info.annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _inner_model(annotation: Any) -> Any:
    """Strip ``Annotated``, ``Optional``, ``tuple[...]`` and ``dict[...]`` to a model."""
    for _ in range(6):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        if typing.get_origin(annotation) is typing.Annotated:
            annotation = typing.get_args(annotation)[0]
            continue
        args = [a for a in typing.get_args(annotation) if a is not type(None) and a is not Ellipsis]
        if not args:
            return annotation
        annotation = args[-1]
    return annotation


def _describe(err: ErrorDetails, raw: Mapping[str, Any]) -> tuple[Loc, str]:
    """Turn one pydantic error into a location and a message a user can act on."""
    loc: Loc = tuple(err["loc"])
    kind = err["type"]
    # A bare number stands for { value = n }: report it at the key, not at '.value'.
    if loc and loc[-1] == "value":
        found, parent = _lookup(raw, loc[:-1])
        if found and not isinstance(parent, Mapping):
            loc = loc[:-1]
    present, value = _lookup(raw, loc)
    got = f"; got {value!r}" if present and not isinstance(value, Mapping | list) else ""
    if kind == "missing":
        key = loc[-1] if loc else "?"
        return loc, f"required key {key!r} is missing"
    if kind == "extra_forbidden":
        model = _model_at(loc[:-1])
        allowed = f"; allowed keys: {', '.join(model.model_fields)}" if model else ""
        return loc, f"unknown key {loc[-1]!r}{allowed}"
    if kind == "string_pattern_mismatch":
        return loc, (
            f"{value!r} is not a valid id; ids use lower-case letters, digits, '-' and '_', "
            "and start with a letter or digit"
        )
    message = err["msg"]
    if kind in {"model_type", "dict_type"} and "Quantity" in message:
        return loc, ('must be a number, or a table such as { value = 0.5, source = "..." }' + got)
    if message.startswith("Value error, "):
        return loc, message.removeprefix("Value error, ")
    if kind in {"too_short", "too_long"} and isinstance(value, Sequence):
        return loc, f"{message[0].lower()}{message[1:]}"
    return loc, f"{message[0].lower()}{message[1:]}{got}"
