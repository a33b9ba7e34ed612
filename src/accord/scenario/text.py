"""Files as analysts save them: encodings, byte-order marks, delimiters, decimal commas.

Excel writes a UTF-8 byte-order mark, saves CSV with semicolons and decimal
commas where the comma is the decimal sign, and tab-separated text as ``.txt``.
These helpers read what a file holds, not what its name says, and name what
they found when they cannot read it.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

from accord.errors import Problem, ScenarioError

__all__ = ["Layout", "TableText", "read_text", "sniff", "split_rows"]

BOM = "\ufeff"
DELIMITERS = {",": "comma", ";": "semicolon", "\t": "tab"}
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")


def read_text(path: Path) -> str:
    """The file's text: UTF-8, a byte-order mark dropped, line endings made plain newlines.

    Raises:
        ScenarioError: The file is missing, a folder, unreadable or not UTF-8.
    """
    source = str(path)

    def problem(message: str) -> ScenarioError:
        return ScenarioError(source, [Problem(source, None, "", message)])

    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise problem("no such file") from None
    except IsADirectoryError:
        raise problem("is a directory, not a file") from None
    except OSError as exc:
        raise problem(f"cannot be read: {exc.strerror}") from None
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise problem(
            "is UTF-16 text (Excel's 'Unicode text'); save it as UTF-8 "
            "(in Excel: Save As → 'CSV UTF-8')"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ScenarioError(
            source,
            [
                Problem(
                    source,
                    line,
                    "",
                    f"is not UTF-8 text (byte 0x{raw[exc.start]:02x}); save it as UTF-8 "
                    "(in Excel: Save As → 'CSV UTF-8'; elsewhere: choose the UTF-8 encoding)",
                )
            ],
        ) from None
    return text.removeprefix(BOM).replace("\r\n", "\n").replace("\r", "\n")


@dataclass(frozen=True, slots=True)
class Layout:
    """How a table's cells are separated, and whether its decimal sign is a comma."""

    delimiter: str
    decimal_comma: bool

    @property
    def name(self) -> str:
        """The delimiter in words."""
        return DELIMITERS[self.delimiter]

    def number(self, cell: str) -> float | str:
        """A number where the cell holds one (``0,08`` too, with a decimal comma); else the text."""
        text = cell.strip()
        if self.decimal_comma and _DECIMAL_COMMA.match(text):
            text = text.replace(",", ".")
        try:
            return float(text)
        except ValueError:
            return text


def sniff(text: str) -> Layout:
    """The delimiter that splits the first lines most consistently; commas win ties.

    A comma is the decimal sign when the delimiter is a semicolon or a tab and some
    cell looks like ``12,5``.
    """
    lines = [line for line in text.split("\n") if line.strip()][:5]
    best, best_score = ",", -1
    for delimiter in DELIMITERS:
        counts = [len(next(csv.reader([line], delimiter=delimiter))) - 1 for line in lines]
        if not counts or min(counts) == 0:
            continue
        score = min(counts) * 10 - (max(counts) - min(counts))
        if score > best_score:
            best, best_score = delimiter, score
    decimal_comma = best != "," and any(
        _DECIMAL_COMMA.match(cell.strip())
        for line in lines
        for cell in next(csv.reader([line], delimiter=best))
    )
    return Layout(best, decimal_comma)


@dataclass(frozen=True, slots=True)
class TableText:
    """A table's rows (with their line numbers, trailing blank cells dropped) and layout."""

    rows: list[tuple[int, list[str]]]
    layout: Layout


def split_rows(text: str) -> TableText:
    """The non-empty rows of a delimited table, each with its 1-based line number."""
    text = text.removeprefix(BOM)
    layout = sniff(text)
    reader = csv.reader(io.StringIO(text), delimiter=layout.delimiter)
    rows: list[tuple[int, list[str]]] = []
    for row in reader:
        cells = [c.strip() for c in row]
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            rows.append((reader.line_num, cells))
    return TableText(rows, layout)
