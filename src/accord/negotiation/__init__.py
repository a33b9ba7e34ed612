"""The negotiation engine: outcome spaces, utilities, negotiators, protocols, analysis.

Kept apart as in NegMAS and GENIUS: an :class:`OutcomeSpace` and the parties'
:class:`LinearAdditiveUtility` functions make a :class:`NegotiationDomain`;
:class:`Negotiator` strategies decide moves from a read-only view; protocols
(:class:`AlternatingOffers`, :class:`ChairText`, :class:`Voting`) apply the
rules and return a :class:`NegotiationResult`; :func:`analyse` sets the result
against the Pareto frontier and the Nash, Kalai–Smorodinsky and welfare points.
"""

from accord.negotiation.analysis import (
    AgreementAnalysis,
    analyse,
    domain_frontier,
    kalai_smorodinsky_point,
    max_welfare_point,
    nash_point,
    pareto_frontier,
)
from accord.negotiation.domain import NegotiationDomain
from accord.negotiation.negotiators import (
    NEGOTIATORS,
    Boulware,
    Conceder,
    Critique,
    Hardliner,
    LinearConcession,
    Negotiator,
    NegotiatorName,
    RandomNegotiator,
    Scripted,
    TimeBased,
    TitForTat,
    TrustSensitive,
    make_negotiator,
)
from accord.negotiation.protocols import (
    PROTOCOLS,
    AlternatingOffers,
    ChairText,
    ProtocolName,
    Voting,
    get_protocol,
)
from accord.negotiation.scenario_domain import domain_from_scenario, utilities_of
from accord.negotiation.space import NegotiationIssue, OutcomeSpace
from accord.negotiation.state import NegotiationState, NegotiatorView, Offer
from accord.negotiation.transcript import Event, NegotiationResult
from accord.negotiation.utility import LinearAdditiveUtility

__all__ = [
    "NEGOTIATORS",
    "PROTOCOLS",
    "AgreementAnalysis",
    "AlternatingOffers",
    "Boulware",
    "ChairText",
    "Conceder",
    "Critique",
    "Event",
    "Hardliner",
    "LinearAdditiveUtility",
    "LinearConcession",
    "NegotiationDomain",
    "NegotiationIssue",
    "NegotiationResult",
    "NegotiationState",
    "Negotiator",
    "NegotiatorName",
    "NegotiatorView",
    "Offer",
    "OutcomeSpace",
    "ProtocolName",
    "RandomNegotiator",
    "Scripted",
    "TimeBased",
    "TitForTat",
    "TrustSensitive",
    "Voting",
    "analyse",
    "domain_from_scenario",
    "domain_frontier",
    "get_protocol",
    "kalai_smorodinsky_point",
    "make_negotiator",
    "max_welfare_point",
    "nash_point",
    "pareto_frontier",
    "utilities_of",
]
