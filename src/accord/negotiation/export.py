"""A negotiation's transcript and result as JSON data."""

from __future__ import annotations

import json
import math
from typing import Any

from accord.negotiation.analysis import AgreementAnalysis
from accord.negotiation.domain import NegotiationDomain
from accord.negotiation.transcript import NegotiationResult

__all__ = ["result_to_json"]


def _clean(value: float) -> float | None:
    return None if math.isnan(value) else value


def result_to_json(
    domain: NegotiationDomain, result: NegotiationResult, analysis: AgreementAnalysis, seed: int
) -> str:
    """Everything needed to read a run again: settings, moves, result and analysis."""
    payload: dict[str, Any] = {
        "domain": domain.name,
        "protocol": result.protocol,
        "seed": seed,
        "parties": list(domain.parties),
        "issues": {i.name: list(i.values) for i in domain.space.issues},
        "agreement": None if result.agreement is None else domain.describe(result.agreement),
        "final_text": None if result.final_text is None else domain.describe(result.final_text),
        "rounds": result.steps,
        "utilities": dict(zip(domain.parties, result.utilities, strict=True)),
        "reservation": dict(zip(domain.parties, domain.reservation.tolist(), strict=True)),
        "shares": {p: _clean(s) for p, s in zip(domain.parties, analysis.shares, strict=True)},
        "analysis": {
            "frontier_size": analysis.frontier_size,
            "dominating": analysis.dominating,
            "distance_to_frontier": _clean(analysis.distance_to_frontier),
            "nash": None if analysis.nash is None else domain.describe(analysis.nash),
            "kalai_smorodinsky": None
            if analysis.kalai is None
            else domain.describe(analysis.kalai),
            "max_welfare": domain.describe(analysis.welfare),
            "distance_to_nash": _clean(analysis.distance_to_nash),
            "distance_to_kalai_smorodinsky": _clean(analysis.distance_to_kalai),
            "distance_to_max_welfare": _clean(analysis.distance_to_welfare),
        },
        "transcript": [
            {
                "round": e.step,
                "party": e.party,
                "action": e.action,
                "outcome": None if e.outcome is None else domain.describe(e.outcome),
                "detail": e.detail,
            }
            for e in result.transcript
        ],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
