"""A scenario with some of its numbers replaced (for Monte Carlo draws)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from accord.scenario.scenario import Scenario, Stance

__all__ = ["with_values"]


def with_values(
    scenario: Scenario, position: np.ndarray, salience: np.ndarray, capability: np.ndarray
) -> Scenario:
    """The same scenario with new positions, saliences (actors × issues) and capabilities.

    Entries without a stance are left as they are; sources stay attached.
    """
    actors = tuple(
        a.model_copy(update={"capability": a.capability.model_copy(update={"value": float(c)})})
        for a, c in zip(scenario.actors, capability, strict=True)
    )
    stances = []
    for a, row in enumerate(scenario.stances):
        new_row = []
        for i, stance in enumerate(row):
            entry = stance.entry
            if entry.position is not None and entry.salience is not None:
                entry = entry.model_copy(
                    update={
                        "position": entry.position.model_copy(
                            update={"value": float(position[a, i])}
                        ),
                        "salience": entry.salience.model_copy(
                            update={"value": float(salience[a, i])}
                        ),
                    }
                )
            new_row.append(Stance(stance.actor, stance.issue, entry))
        stances.append(tuple(new_row))
    return replace(scenario, actors=actors, stances=tuple(stances))
