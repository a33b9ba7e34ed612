"""The procedural model: the compromise, kept within what the decision rule lets pass.

A change from the status quo (the reference point) needs enough votes: every
voter under unanimity, a qualified majority under QMV, and in addition every
veto player (the European Parliament under co-decision). With spatial
preferences on one dimension, voter ``i`` prefers an outcome ``x`` to the
status quo ``q`` when ``|x − x_i| ≤ |q − x_i|``; the set of outcomes that
enough voters prefer to ``q`` — its *win-set* — is an interval ``[L, U]``
around ``q`` (Tsebelis 2002, *Veto Players*; Steunenberg 1994 for the EU
procedures; Thomson et al. 2006, *The European Union Decides*, ch. 4–6 test
such models on the DEU data).

The forecast is the compromise model's weighted mean moved to the nearest point
of the win-set: bargaining decides where within what can pass, the rule decides
what can pass. Where the win-set is empty (voters on both sides of ``q``
under unanimity), the forecast is the status quo.

Choices:

* Only voters with a stated position count towards the quota, and the quota is
  a share of their votes (an abstainer neither helps nor blocks).
* A voter indifferent between ``x`` and ``q`` supports ``x``.
* Without a status quo or a known rule the model has nothing to add: it returns
  the weighted mean and says so.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from accord.forecasting.classic import Array, weighted_mean
from accord.forecasting.inputs import IssueArrays
from accord.forecasting.output import ModelOutput

__all__ = ["Procedural", "win_set"]

_SLACK = 1e-9


def _reach(reach: Array, votes: Array, quota: Array, direction: float) -> Array:
    """How far from the status quo a change can go in one direction and keep its quota.

    ``reach`` holds, per voter, the furthest point it still prefers to the status
    quo in that direction (the status quo itself for voters on the other side).
    The answer is the furthest point that voters with ``quota`` of the votes reach.
    """
    order = np.argsort(-direction * reach, axis=-2, kind="stable")
    sorted_reach = np.take_along_axis(reach, order, axis=-2)
    cum = np.cumsum(np.take_along_axis(votes, order, axis=-2), axis=-2)
    total = cum[..., -1:, :]
    needed = quota[..., None, :] * total * (1.0 - _SLACK)
    first = np.argmax(cum >= needed, axis=-2)[..., None, :]
    return np.take_along_axis(sorted_reach, first, axis=-2)[..., 0, :]


def win_set(arrays: IssueArrays) -> tuple[Array, Array]:
    """``(lower, upper)``: the outcomes that can pass against the status quo, per issue.

    NaN where the issue has no status quo, no known rule or no voter with a position.
    """
    x = arrays.position
    q = np.asarray(arrays.status_quo)[..., None, :]
    stated = ~np.isnan(x)
    votes = np.where(stated, np.broadcast_to(arrays.votes, x.shape), 0.0)
    xs = np.where(stated, x, q)
    up = np.where(xs > q, 2 * xs - q, q)  # the furthest point above q each voter prefers to q
    down = np.where(xs < q, 2 * xs - q, q)
    quota = np.broadcast_to(arrays.quota, x.shape[:-2] + x.shape[-1:])
    upper = _reach(up, votes, quota, 1.0)
    lower = _reach(down, votes, quota, -1.0)
    veto = np.broadcast_to(arrays.veto, x.shape) & stated
    upper = np.minimum(upper, np.min(np.where(veto, up, np.inf), axis=-2))
    lower = np.maximum(lower, np.max(np.where(veto, down, -np.inf), axis=-2))
    q0 = q[..., 0, :]
    unknown = np.isnan(q0) | np.isnan(quota) | ~(votes > 0).any(axis=-2)
    nan = np.full_like(q0, np.nan)
    return (
        np.where(unknown, nan, np.clip(lower, arrays.scale_min, arrays.scale_max)),
        np.where(unknown, nan, np.clip(upper, arrays.scale_min, arrays.scale_max)),
    )


@dataclass(frozen=True)
class Procedural:
    """The weighted mean moved into the status quo's win-set under the issue's decision rule."""

    name: ClassVar[str] = "procedural"
    label: ClassVar[str] = "Procedural"
    summary: ClassVar[str] = (
        "The weighted mean, kept within the outcomes that enough voters (and every veto "
        "player) prefer to the status quo under the issue's decision rule."
    )

    def predict_values(self, arrays: IssueArrays) -> Array:
        """Forecast every issue (and every draw)."""
        mean = weighted_mean(arrays.position, arrays.weight)
        lower, upper = win_set(arrays)
        return np.where(np.isnan(lower), mean, np.clip(mean, lower, upper))

    def predict(self, arrays: IssueArrays) -> ModelOutput:
        """Forecast every issue of one scenario, saying where the rule binds."""
        values = self.predict_values(arrays)
        mean = weighted_mean(arrays.position, arrays.weight)
        lower, upper = win_set(arrays)
        notes = []
        for k, v in enumerate(values):
            if np.isnan(v):
                notes.append("no actor with a position")
            elif np.isnan(arrays.status_quo[k]):
                notes.append("no status quo given: equals the weighted mean")
            elif np.isnan(arrays.quota[k]):
                notes.append("no decision rule given: equals the weighted mean")
            elif lower[k] == upper[k]:
                notes.append("nothing can pass against the status quo under the rule")
            elif v != mean[k]:
                notes.append(f"the rule lets at most {lower[k]:.4g}–{upper[k]:.4g} pass")
            else:
                notes.append("")
        return ModelOutput(values, tuple(notes))
