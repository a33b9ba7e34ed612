"""The forum as an institution: sessions, working groups, the text, implementation, formats."""

from accord.forum.formats import ComparisonSettings, compare_formats, compare_one, summarise
from accord.forum.implementation import STRATEGIES, ImplementationRun, implement
from accord.forum.procedure import (
    ForumRound,
    ForumRun,
    ForumSettings,
    GroupReport,
    default_forum,
    run_forum,
)

__all__ = [
    "STRATEGIES",
    "ComparisonSettings",
    "ForumRound",
    "ForumRun",
    "ForumSettings",
    "GroupReport",
    "ImplementationRun",
    "compare_formats",
    "compare_one",
    "default_forum",
    "implement",
    "run_forum",
    "summarise",
]
