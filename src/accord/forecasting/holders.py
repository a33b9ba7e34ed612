"""Issues with a holder: a party that holds what the issue is about can keep the status quo.

Russia administers the disputed islands; the DPRK runs its own programme. Whatever
the other parties want, such an issue moves only as far as its holder prefers to
the status quo: the holder is a veto player in Tsebelis's sense (*Veto Players*,
2002), and the outcomes it prefers to the status quo bound every forecast.

A holder's stated position is read as the furthest it will go: it lets the issue
move from the status quo ``q`` towards its position ``x_h`` and no further, the
interval between ``q`` and ``x_h``. (The symmetric spatial reading — every ``x``
with ``|x − x_h| ≤ |q − x_h|``, up to ``2·x_h − q`` — would have Russia, which
offers just under two islands, prefer handing over three to keeping all four: for
a holder giving up what it holds, what it offers is what it gives.) At a table
where the holder does not sit, the issue is not the table's to settle: it stays
at the status quo.

Every forecasting model's values pass through :func:`within_holders` (the
procedural model also counts the holder as a veto player in its win-set).
"""

from __future__ import annotations

import numpy as np

from accord.forecasting.classic import Array
from accord.forecasting.inputs import IssueArrays

__all__ = ["holder_bounds", "within_holders"]


def holder_bounds(arrays: IssueArrays) -> tuple[Array, Array]:
    """``(lower, upper)``: per issue (and draw), what the holders let pass; ±inf where free."""
    x = arrays.position
    q = np.asarray(arrays.status_quo)[..., None, :]
    held = arrays.held if arrays.held is not None else np.zeros(x.shape[-2:], dtype=bool)
    holds = np.broadcast_to(held, x.shape) & ~np.isnan(x) & ~np.isnan(q)
    offer = np.where(np.isnan(x), 0.0, x)
    lower = np.max(np.where(holds, np.minimum(q, offer), -np.inf), axis=-2)
    upper = np.min(np.where(holds, np.maximum(q, offer), np.inf), axis=-2)
    absent = arrays.holder_absent
    if absent is not None and absent.any():
        q0 = np.broadcast_to(np.asarray(arrays.status_quo), lower.shape)
        lower = np.where(absent, q0, lower)
        upper = np.where(absent, q0, upper)
    return lower, upper


def within_holders(values: Array, arrays: IssueArrays) -> Array:
    """Forecasts moved into what each issue's holder prefers to the status quo."""
    held = arrays.held is not None and bool(arrays.held.any())
    absent = arrays.holder_absent is not None and bool(arrays.holder_absent.any())
    if not held and not absent:
        return values
    lower, upper = holder_bounds(arrays)
    return np.where(np.isnan(values), values, np.clip(values, lower, upper))
