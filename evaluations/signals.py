"""Invalidate cached page fragments when evaluation records change (see kemitraan/fragments.py)."""
from partners.signals import connect

from .models import Decision, EvaluationCycle, EvaluationResponse, Finding, FollowUpAction, Vote


def _cycle_partnership(cycle_id):
    return EvaluationCycle.objects.filter(pk=cycle_id).values_list("partnership_id", flat=True)


PARTNERSHIPS_OF = {
    EvaluationCycle: lambda obj: [obj.partnership_id],
    EvaluationResponse: lambda obj: _cycle_partnership(obj.cycle_id),
    Finding: lambda obj: _cycle_partnership(obj.cycle_id),
    FollowUpAction: lambda obj: [obj.partnership_id],
    Decision: lambda obj: [obj.partnership_id],
    Vote: lambda obj: Decision.objects.filter(pk=obj.decision_id).values_list("partnership_id", flat=True),
}


def connect_all() -> None:
    connect(PARTNERSHIPS_OF, "evaluations_fragments")
