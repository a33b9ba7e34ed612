"""Rules that look across a whole scenario document.

Field-level rules (types, ranges) are in :mod:`accord.scenario.model`. The checks
here run on the raw parsed document, tolerating values of the wrong type (those
are reported by field validation), so that one pass finds every problem.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["check_document"]

Path = tuple[str | int, ...]
Finding = tuple[Path, str]


def _number(raw: Any) -> float | None:
    """The numeric value of a bare number or a ``{ value = ... }`` table."""
    if isinstance(raw, Mapping):
        raw = raw.get("value")
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        return None
    return float(raw)


def _items(raw: Mapping[str, Any], key: str) -> list[tuple[int, Mapping[str, Any]]]:
    seq = raw.get(key)
    if not isinstance(seq, list):
        return []
    return [(i, item) for i, item in enumerate(seq) if isinstance(item, Mapping)]


def _ids(raw: Mapping[str, Any], key: str, what: str) -> tuple[dict[str, int], list[Finding]]:
    """Collect the ids of a list of tables and report duplicates."""
    seen: dict[str, int] = {}
    found: list[Finding] = []
    for i, item in _items(raw, key):
        ident = item.get("id")
        if not isinstance(ident, str):
            continue
        if ident in seen:
            found.append(
                (
                    (key, i, "id"),
                    f"duplicate {what} id {ident!r} (first used by {key}[{seen[ident]}]); "
                    "every id must be unique",
                )
            )
        else:
            seen[ident] = i
    return seen, found


def _known(ids: Mapping[str, int], what: str) -> str:
    names = ", ".join(sorted(ids)) or "none"
    return f"the {what}s defined in this file are: {names}"


def _scale(issue: Mapping[str, Any]) -> tuple[float, float]:
    scale = issue.get("scale")
    if not isinstance(scale, Mapping):
        return 0.0, 100.0
    lo, hi = _number(scale.get("min", 0.0)), _number(scale.get("max", 100.0))
    return (0.0 if lo is None else lo), (100.0 if hi is None else hi)


def _on_scale(
    raw: Any, lo: float, hi: float, path: Path, what: str, issue_id: str
) -> Iterator[Finding]:
    value = _number(raw)
    if value is not None and not lo <= value <= hi:
        yield (
            path,
            f"{what} {value:g} is off the scale of issue {issue_id!r}, which runs {lo:g}–{hi:g}",
        )
    if isinstance(raw, Mapping):
        for end in ("low", "high"):
            bound = _number(raw.get(end))
            if bound is not None and not lo <= bound <= hi:
                yield (
                    (*path, end),
                    f"{end} {bound:g} is off the scale of issue {issue_id!r}, "
                    f"which runs {lo:g}–{hi:g}",
                )


def _check_holders(raw: Mapping[str, Any], actors: Mapping[str, int]) -> Iterator[Finding]:
    """An issue's holders are actors with a stated position on it; the issue has a status quo."""
    positions = raw.get("positions")
    for i, issue in _items(raw, "issues"):
        named = issue.get("holder")
        holders = [named] if isinstance(named, str) else named
        if not isinstance(holders, list) or not holders:
            continue
        ident = str(issue.get("id", f"#{i}"))
        for holder in holders:
            if not isinstance(holder, str):
                continue
            if holder not in actors:
                yield (
                    ("issues", i, "holder"),
                    f"holder {holder!r} of issue {ident!r} is not an actor; the actors are: "
                    f"{', '.join(sorted(actors))}",
                )
                continue
            mine = positions.get(holder, {}) if isinstance(positions, Mapping) else {}
            stance = mine.get(ident) if isinstance(mine, Mapping) else None
            if not isinstance(stance, Mapping) or "position" not in stance:
                yield (
                    ("issues", i, "holder"),
                    f"holder {holder!r} of issue {ident!r} has no position on it; give "
                    f"[positions.{holder}.{ident}] a position, or drop the holder",
                )
        if "status_quo" not in issue:
            yield (
                ("issues", i, "holder"),
                f"issue {ident!r} has a holder but no status quo: a holder keeps the "
                "status quo, so give one",
            )


def _check_issues(raw: Mapping[str, Any]) -> Iterator[Finding]:
    for i, issue in _items(raw, "issues"):
        lo, hi = _scale(issue)
        if lo >= hi:
            continue  # reported by field validation
        ident = str(issue.get("id", f"#{i}"))
        if "status_quo" in issue:
            yield from _on_scale(
                issue["status_quo"], lo, hi, ("issues", i, "status_quo"), "status quo", ident
            )
        if isinstance(issue.get("outcome"), Mapping):
            yield from _on_scale(
                issue["outcome"], lo, hi, ("issues", i, "outcome", "value"), "outcome", ident
            )
        anchors = issue.get("anchors")
        if isinstance(anchors, list):
            seen: dict[float, int] = {}
            for j, anchor in enumerate(anchors):
                if not isinstance(anchor, Mapping):
                    continue
                at = _number(anchor.get("at"))
                if at is None:
                    continue
                path: Path = ("issues", i, "anchors", j, "at")
                if not lo <= at <= hi:
                    yield (
                        path,
                        f"anchor {at:g} is off the scale of issue {ident!r}, "
                        f"which runs {lo:g}–{hi:g}",
                    )
                if at in seen:
                    yield (
                        path,
                        f"two anchors at {at:g} (anchors[{seen[at]}] and anchors[{j}]); "
                        "give each point one label",
                    )
                seen.setdefault(at, j)


def _check_positions(
    raw: Mapping[str, Any], actors: Mapping[str, int], issues: Mapping[str, int]
) -> Iterator[Finding]:
    positions = raw.get("positions")
    if not isinstance(positions, Mapping):
        return  # missing or of the wrong type: reported by field validation
    issue_tables = dict(_items(raw, "issues"))
    for actor_id, table in positions.items():
        if actor_id not in actors:
            yield ("positions", actor_id), f"unknown actor {actor_id!r}; {_known(actors, 'actor')}"
            continue
        if not isinstance(table, Mapping):
            continue
        for issue_id, entry in table.items():
            if issue_id not in issues:
                yield (
                    ("positions", actor_id, issue_id),
                    f"unknown issue {issue_id!r}; {_known(issues, 'issue')}",
                )
                continue
            if not isinstance(entry, Mapping) or "position" not in entry:
                continue
            lo, hi = _scale(issue_tables.get(issues[issue_id], {}))
            if lo < hi:
                yield from _on_scale(
                    entry["position"],
                    lo,
                    hi,
                    ("positions", actor_id, issue_id, "position"),
                    "position",
                    issue_id,
                )
    for actor_id in actors:
        table = positions.get(actor_id)
        given = table if isinstance(table, Mapping) else {}
        for issue_id in issues:
            if issue_id not in given:
                yield (
                    ("positions", actor_id) if actor_id in positions else ("positions",),
                    f"actor {actor_id!r} has no entry for issue {issue_id!r}; add "
                    f"[positions.{actor_id}.{issue_id}] with 'position' and 'salience', or "
                    "with 'no_position = true' and a source if it has stated none",
                )
    for issue_id, index in issues.items():
        stated = [
            a
            for a in actors
            if isinstance(positions.get(a), Mapping)
            and isinstance(positions[a].get(issue_id), Mapping)
            and not positions[a][issue_id].get("no_position", False)
        ]
        if not stated:
            yield (
                ("issues", index),
                f"no actor has a position on issue {issue_id!r}; forecasts need at least one",
            )


def _check_pairs(
    raw: Mapping[str, Any], key: str, field: str, known: Mapping[str, int], what: str
) -> Iterator[Finding]:
    seen: dict[frozenset[str], int] = {}
    for i, item in _items(raw, key):
        pair = item.get(field)
        if not isinstance(pair, list) or len(pair) != 2:
            continue
        for j, ident in enumerate(pair):
            if isinstance(ident, str) and ident not in known:
                yield (key, i, field, j), f"unknown {what} {ident!r}; {_known(known, what)}"
        if pair[0] == pair[1]:
            yield (key, i, field), f"a {what} cannot be paired with itself ({pair[0]!r})"
            continue
        if all(isinstance(x, str) for x in pair):
            unordered = frozenset(pair)
            if unordered in seen:
                yield (
                    (key, i, field),
                    f"{pair[0]!r} and {pair[1]!r} are already paired in {key}[{seen[unordered]}]; "
                    "merge the two entries",
                )
            seen.setdefault(unordered, i)


def _check_formats(raw: Mapping[str, Any], actors: Mapping[str, int]) -> Iterator[Finding]:
    for i, fmt in _items(raw, "formats"):
        members = fmt.get("actors")
        if not isinstance(members, list):
            continue
        if len(members) < 2:
            yield (
                ("formats", i, "actors"),
                f"a format needs at least two actors at its table, got {len(members)}",
            )
        seen: set[str] = set()
        for j, ident in enumerate(members):
            if not isinstance(ident, str):
                continue
            if ident not in actors:
                yield (
                    ("formats", i, "actors", j),
                    f"unknown actor {ident!r}; {_known(actors, 'actor')}",
                )
            if ident in seen:
                yield ("formats", i, "actors", j), f"actor {ident!r} is listed twice"
            seen.add(ident)


def _check_forums(
    raw: Mapping[str, Any], actors: Mapping[str, int], issues: Mapping[str, int]
) -> Iterator[Finding]:
    formats = {f["id"]: f for _, f in _items(raw, "formats") if isinstance(f.get("id"), str)}
    for i, forum in _items(raw, "forums"):
        fmt = forum.get("format")
        seated: set[str] = set()
        if isinstance(fmt, str):
            if fmt not in formats:
                yield (
                    ("forums", i, "format"),
                    f"unknown format {fmt!r}; " + _known(dict.fromkeys(formats, 0), "format"),
                )
            else:
                members = formats[fmt].get("actors")
                seated = (
                    {a for a in members if isinstance(a, str)}
                    if isinstance(members, list)
                    else set()
                )
        chair = forum.get("chair", "neutral")
        if isinstance(chair, str) and chair != "neutral" and seated and chair not in seated:
            yield (
                ("forums", i, "chair"),
                f"chair {chair!r} does not sit at format {fmt!r}; "
                "use one of its actors or 'neutral'",
            )
        agenda = forum.get("agenda", [])
        agenda_ids = (
            {a for a in agenda if isinstance(a, str)} if isinstance(agenda, list) else set()
        )
        for j, issue in enumerate(agenda if isinstance(agenda, list) else []):
            if isinstance(issue, str) and issue not in issues:
                yield (
                    ("forums", i, "agenda", j),
                    f"unknown issue {issue!r}; {_known(issues, 'issue')}",
                )
        on_agenda = agenda_ids or set(issues)
        taken: dict[str, str] = {}
        for g, group in enumerate(
            forum.get("working_groups", []) if isinstance(forum.get("working_groups"), list) else []
        ):
            if not isinstance(group, Mapping):
                continue
            gid = str(group.get("id", g))
            for j, issue in enumerate(
                group.get("issues", []) if isinstance(group.get("issues"), list) else []
            ):
                if not isinstance(issue, str):
                    continue
                path: Path = ("forums", i, "working_groups", g, "issues", j)
                if issue not in on_agenda:
                    yield path, f"issue {issue!r} is not on the forum's agenda"
                elif issue in taken:
                    yield (
                        path,
                        f"issue {issue!r} is already in working group {taken[issue]!r}; "
                        "give each issue to one group",
                    )
                taken.setdefault(issue, gid)
            members = group.get("actors", [])
            members = members if isinstance(members, list) else []
            if len(members) < 2:
                yield (
                    ("forums", i, "working_groups", g, "actors"),
                    "a working group needs at least two actors",
                )
            for j, actor in enumerate(members):
                if isinstance(actor, str) and seated and actor not in seated:
                    yield (
                        ("forums", i, "working_groups", g, "actors", j),
                        f"actor {actor!r} does not sit at format {fmt!r}",
                    )
            wg_chair = group.get("chair", "neutral")
            if isinstance(wg_chair, str) and wg_chair != "neutral" and wg_chair not in members:
                yield (
                    ("forums", i, "working_groups", g, "chair"),
                    f"chair {wg_chair!r} is not a member of the group; use a member or 'neutral'",
                )


def check_document(raw: Mapping[str, Any]) -> list[Finding]:
    """Every cross-reference problem in a parsed scenario document.

    Args:
        raw: The document as parsed from TOML (plain dicts and lists).

    Returns:
        ``(path, message)`` pairs; empty when the document is consistent.
    """
    actors, found = _ids(raw, "actors", "actor")
    issues, dup_issues = _ids(raw, "issues", "issue")
    _formats, dup_formats = _ids(raw, "formats", "format")
    found += dup_issues + dup_formats
    found += _check_issues(raw)
    found += _check_holders(raw, actors)
    found += _check_positions(raw, actors, issues)
    found += _check_pairs(raw, "relations", "actors", actors, "actor")
    found += _check_pairs(raw, "linkages", "issues", issues, "issue")
    found += _check_formats(raw, actors)
    _forums, dup_forums = _ids(raw, "forums", "forum")
    found += dup_forums
    found += _check_forums(raw, actors, issues)
    return found
