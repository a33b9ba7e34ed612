"""Hindsight: sources a scenario cites that were not public on the scenario's own date.

A scenario describes a forum as of a date. A position resting on a statement made
later is hindsight: a forecast from it is partly known in advance, and a back-test
of it means little. Every ``source`` may carry the ``date`` it was public
(``2002-10-26``, ``"2002-10"`` or ``2002``); this module reads them all and says
which postdate the scenario.

Three kinds of source are told apart by how their text starts:

* ``judgement: …`` — the analyst's own estimate, with its reasoning. It needs no
  date; a dated one is held to the scenario's date like any other.
* ``design: …`` — a template for how the forum is organised, borrowed from later
  practice (the Six-Party Talks' working groups of 2007). It is not a fact about the
  parties, so it may postdate the scenario, and says so.
* anything else — a citation of what a party said or did, held to the date.

What was learnt later belongs in an issue's ``outcome`` (with its own date), which
no forecast, negotiation or forum run reads; outcomes are not checked here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["Cited", "cited_sources", "earliest_day", "hindsight"]

Loc = tuple[str | int, ...]
Cited = tuple[Loc, str, str | None]
"""Where a source is cited, its text, and its date as written (or None)."""

JUDGEMENT = "judgement"
DESIGN = "design:"
ABSENCE = "no "
"""A source that records the absence of a stance ("No public position found …")."""


def earliest_day(date: str) -> dt.date:
    """The first day a partial date can mean: ``2002`` is 1 Jan 2002, ``2002-10`` 1 Oct."""
    parts = [int(p) for p in date.split("-")]
    return dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)


def _date_text(value: Any) -> str | None:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int | str) and not isinstance(value, bool):
        return str(value)
    return None


def cited_sources(raw: Any, loc: Loc = ()) -> Iterator[Cited]:
    """Every ``source`` in a parsed scenario file, outcomes left out."""
    if isinstance(raw, Mapping):
        source = raw.get("source")
        if isinstance(source, str) and source.strip():
            yield loc, source.strip(), _date_text(raw.get("date"))
        for key, value in raw.items():
            if key != "outcome":
                yield from cited_sources(value, (*loc, key))
    elif isinstance(raw, list):
        for i, item in enumerate(raw):
            yield from cited_sources(item, (*loc, i))


def hindsight(raw: Mapping[str, Any], strict: bool = False) -> list[tuple[Loc, str]]:
    """What in a parsed scenario file rests on sources after its date.

    ``strict`` adds every cited source without a date (judgements, design
    templates and recorded absences excepted): each must say when it was public.
    A scenario without a date is not checked.
    """
    meta = raw.get("scenario")
    when = meta.get("date") if isinstance(meta, Mapping) else None
    if not isinstance(when, dt.date):
        return []
    found: list[tuple[Loc, str]] = []
    for loc, text, date in cited_sources(raw):
        lower = text.lower()
        if lower.startswith(DESIGN):
            continue
        if date is None:
            exempt = lower.startswith(JUDGEMENT) or lower.startswith(ABSENCE)
            if strict and not exempt:
                found.append(
                    (
                        (*loc, "source"),
                        "this source has no date; add when it was public "
                        '(date = 2002-10-26, "2002-10" or 2002), or mark the number '
                        "'judgement:' with the reasoning",
                    )
                )
            continue
        try:
            first = earliest_day(date)
        except ValueError:
            continue  # the field check names a malformed date
        if first > when:
            found.append(
                (
                    (*loc, "date"),
                    f"the source is dated {date}, after the scenario's date {when.isoformat()}: "
                    "a forecast from it is partly hindsight. Cite a source public by "
                    "then, mark the number 'judgement:' with reasoning an analyst could "
                    "have made then, or move what was learnt later to the issue's outcome",
                )
            )
    return found
