"""Invalidate cached page fragments when evaluation records change (see kemitraan/fragments.py)."""
from partners.signals import connect, via

from .models import Decision, EvaluationCycle, EvaluationResponse, Finding, FollowUpAction, Vote


def _cycle_partnership(obj):
    return via(obj, "cycle", EvaluationCycle)


PARTNERSHIPS_OF = {
    EvaluationCycle: lambda obj: [obj.partnership_id],
    EvaluationResponse: _cycle_partnership,
    Finding: _cycle_partnership,
    FollowUpAction: lambda obj: [obj.partnership_id],
    Decision: lambda obj: [obj.partnership_id],
    Vote: lambda obj: via(obj, "decision", Decision),
}


def connect_all() -> None:
    connect(PARTNERSHIPS_OF, "evaluations_fragments")
