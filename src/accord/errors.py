"""The exceptions accord raises, all in one place.

Every error a user can cause derives from :class:`AccordError`. The command line
catches ``AccordError``, prints its message and exits with status 2, so a user
never sees a traceback for a mistake in their own input.

```
AccordError
├── ScenarioError        a scenario file (TOML or CSV) cannot be loaded; lists every Problem
└── ForecastError        a forecast was asked for something the scenario cannot answer
```

:class:`NegotiationError` is not an ``AccordError``: it signals a bug in a negotiator
(an offer outside the outcome space), which no input can cause, so it keeps its
traceback.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["AccordError", "ForecastError", "NegotiationError", "Problem", "ScenarioError"]


class AccordError(Exception):
    """Base class of every error caused by input that accord was given."""


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a scenario file.

    Attributes:
        file: The file the problem is in.
        line: 1-based line number, where it can be found (``None`` otherwise).
        location: Dotted path to the value, e.g. ``positions.dprk.kuril.salience``.
        message: What is wrong and what is allowed.
    """

    file: str
    line: int | None
    location: str
    message: str

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        if self.location:
            return f"{where}: {self.location}: {self.message}"
        return f"{where}: {self.message}"


class ScenarioError(AccordError):
    """A scenario file could not be loaded.

    Carries every problem found in the file, not only the first, so that a user
    can fix them all in one pass.
    """

    def __init__(self, path: str | Path, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.path = str(path)
        self.problems: tuple[Problem, ...] = tuple(
            sorted(problems, key=lambda p: (p.line or 0, p.location, p.message))
        )
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{self.path}: {count} {noun} found; nothing was loaded."]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ForecastError(AccordError):
    """A forecast cannot be computed from the given scenario or options."""


class NegotiationError(Exception):
    """A negotiator broke the protocol's rules (a bug in the strategy, not in the input)."""
