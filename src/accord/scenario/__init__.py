"""Scenario files: what a forum is about, loaded and validated.

A scenario is one TOML file (format: ``docs/scenario-format.md``) or a
BDM/KTAB-style CSV table. :func:`load_scenario` returns an immutable
:class:`Scenario` or raises :class:`accord.errors.ScenarioError` listing every
problem in the file.
"""

from accord.scenario.loader import load_scenario, parse_scenario, scenario_from_dict
from accord.scenario.model import (
    Actor,
    ActorKind,
    Anchor,
    Format,
    Issue,
    Linkage,
    Metadata,
    Outcome,
    Quantity,
    Relation,
    Scale,
    StanceEntry,
    StandingForum,
    WorkingGroup,
)
from accord.scenario.scenario import Scenario, Stance
from accord.scenario.tables import parse_table

__all__ = [
    "Actor",
    "ActorKind",
    "Anchor",
    "Format",
    "Issue",
    "Linkage",
    "Metadata",
    "Outcome",
    "Quantity",
    "Relation",
    "Scale",
    "Scenario",
    "Stance",
    "StanceEntry",
    "StandingForum",
    "WorkingGroup",
    "load_scenario",
    "parse_scenario",
    "parse_table",
    "scenario_from_dict",
]
