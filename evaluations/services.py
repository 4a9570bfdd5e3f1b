"""Writes for evaluation cycles, responses, follow-up actions and decisions."""
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.services import TransitionError

from .models import EvaluationCycle


def _locked_cycle(cycle):
    return EvaluationCycle.objects.select_for_update().get(pk=cycle.pk)


@transaction.atomic
def cycle_open(*, cycle: EvaluationCycle) -> EvaluationCycle:
    """Open a scheduled cycle so members can answer it."""
    locked = _locked_cycle(cycle)
    if locked.status != EvaluationCycle.Status.SCHEDULED:
        raise TransitionError(
            _("Only a scheduled cycle can be opened; this cycle is %(status)s.") % {"status": locked.get_status_display()},
            code="invalid_transition",
        )
    locked.status = EvaluationCycle.Status.OPEN
    locked.opened_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["status", "opened_at", "updated_at"])
    cycle.status, cycle.opened_at, cycle.updated_at = locked.status, locked.opened_at, locked.updated_at
    return cycle


@transaction.atomic
def cycle_close(*, cycle: EvaluationCycle) -> EvaluationCycle:
    """Close an open cycle; answers are no longer accepted."""
    locked = _locked_cycle(cycle)
    if locked.status != EvaluationCycle.Status.OPEN:
        raise TransitionError(
            _("Only an open cycle can be closed; this cycle is %(status)s.") % {"status": locked.get_status_display()},
            code="invalid_transition",
        )
    locked.status = EvaluationCycle.Status.CLOSED
    locked.closed_at = timezone.now()
    locked.full_clean()
    locked.save(update_fields=["status", "closed_at", "updated_at"])
    cycle.status, cycle.closed_at, cycle.updated_at = locked.status, locked.closed_at, locked.updated_at
    return cycle
