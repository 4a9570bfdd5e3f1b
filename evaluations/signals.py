"""Keep cached pages true when evaluation records change: the rule of partners/signals.py."""
from partners.signals import Shown, register

from .models import Decision, EvaluationCycle, EvaluationResponse, Finding, FollowUpAction, Vote


def connect_all() -> None:
    register({
        EvaluationCycle: Shown(("partnership",)),
        EvaluationResponse: Shown(("cycle__partnership",), names=("submitted_by",)),
        Finding: Shown(("cycle__partnership",), names=("created_by",)),
        FollowUpAction: Shown(("partnership",), names=("finding",)),
        Decision: Shown(("partnership",), names=("proposed_by",)),
        Vote: Shown(("decision__partnership",), names=("cast_by",)),
    }, "evaluations_fragments")
