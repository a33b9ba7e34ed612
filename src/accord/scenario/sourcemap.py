"""Find the line of a value in a TOML file, so that error messages can point at it.

Python's ``tomllib`` reports a line only for syntax errors. For validation errors
we scan the text once and remember on which line each table header and each key
starts; a dotted path such as ``("actors", 2, "capability", "value")`` then
resolves to the line of its longest known prefix.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

__all__ = ["SourceMap"]

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*(\]\]?)\s*(#.*)?$")
_KEY = re.compile(
    r"^\s*((?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*')(?:\s*\.\s*(?:[A-Za-z0-9_-]+|\"[^\"]*\"|'[^']*'))*)\s*="
)


def _split_key(dotted: str) -> list[str]:
    parts = re.findall(r"\"([^\"]*)\"|'([^']*)'|([A-Za-z0-9_-]+)", dotted)
    return [a or b or c for a, b, c in parts]


def _bracket_balance(line: str) -> int:
    """Net count of opening brackets outside strings and comments."""
    depth = 0
    quote: str | None = None
    i = 0
    while i < len(line):
        ch = line[i]
        if quote:
            if ch == "\\" and quote == '"':
                i += 2
                continue
            if ch == quote:
                quote = None
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            break
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        i += 1
    return depth


class SourceMap:
    """Line numbers of the tables and keys of one TOML text."""

    def __init__(self, text: str) -> None:
        self._lines: dict[Path, int] = {}
        counts: dict[Path, int] = {}
        table: Path = ()
        depth = 0
        for number, line in enumerate(text.splitlines(), start=1):
            if depth > 0:  # inside a multi-line array or inline table
                depth += _bracket_balance(line)
                continue
            header = _HEADER.match(line)
            if header and not _KEY.match(line):
                keys = tuple(_split_key(header.group(2)))
                if header.group(1) == "[[":
                    parent = self._resolve_array_parent(keys, counts)
                    index = counts.get(parent, 0)
                    counts[parent] = index + 1
                    table = (*parent, index)
                else:
                    table = self._resolve_array_parent(keys, counts)
                self._lines.setdefault(table, number)
                continue
            key = _KEY.match(line)
            if key:
                path = (*table, *_split_key(key.group(1)))
                self._lines.setdefault(path, number)
                depth = _bracket_balance(line[key.end() :])

    @classmethod
    def from_lines(cls, lines: dict[Path, int]) -> SourceMap:
        """A map given directly, for sources that are not TOML (CSV tables)."""
        made = cls("")
        made._lines = dict(lines)
        return made

    def _resolve_array_parent(self, keys: Sequence[str], counts: dict[Path, int]) -> Path:
        """Map ``issues.anchors`` to ``("issues", 3, "anchors")`` inside the latest issue."""
        resolved: list[str | int] = []
        for key in keys:
            resolved.append(key)
            seen = counts.get(tuple(resolved))
            if seen is not None and key != keys[-1]:
                resolved.append(seen - 1)
        return tuple(resolved)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line where ``path`` (or its nearest enclosing table or key) is written."""
        probe = tuple(path)
        while probe:
            if probe in self._lines:
                return self._lines[probe]
            # A table written only through its sub-tables ([positions.dprk.kuril]).
            inside = [n for p, n in self._lines.items() if p[: len(probe)] == probe]
            if inside:
                return min(inside)
            probe = probe[:-1]
        return None
