"""Writes for evaluation cycles, responses, follow-up actions and decisions.

Every status change goes through ``kemitraan.transitions`` (each model's ``WORKFLOW``), which
locks the row, checks the move and saves it, atomically; the services add their own guards.
"""
import datetime
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from kemitraan.transitions import TransitionError, require_status, transition
from partners.deadlines import Deadlines
from partners.models import Membership, Organisation, Partnership

from .models import (
    SCORE_FIELDS,
    Decision,
    EvaluationCycle,
    EvaluationResponse,
    Finding,
    FollowUpAction,
    Vote,
)
from . import access
from .results import decision_outcome


def _cycle_rows():
    """Read a cycle with its partnership (named in refusals and pages; only the cycle's row is locked)."""
    return EvaluationCycle.objects.select_related("partnership")


def cycle_open(*, cycle: EvaluationCycle, today: datetime.date | None = None) -> EvaluationCycle:
    """Open a scheduled cycle so members can answer it; not once its due date has passed (by ``today``)."""
    today = today or timezone.localdate()

    def not_past_due(locked):
        if locked.is_past_due(today):
            raise TransitionError(
                _("This cycle was due on %(date)s; a cycle whose due date has passed cannot be opened. "
                  "Change its due date first.") % {"date": date_format(locked.due_date)},
                code="past_due",
            )

    return transition(
        cycle,
        to=EvaluationCycle.Status.OPEN,
        message=_("Only a scheduled cycle can be opened; this cycle is %(status)s."),
        on_locked=not_past_due,
        queryset=_cycle_rows(),
        opened_at=timezone.now,
    )


def cycle_close(*, cycle: EvaluationCycle) -> EvaluationCycle:
    """Close an open cycle; answers are no longer accepted."""
    return transition(
        cycle,
        to=EvaluationCycle.Status.CLOSED,
        message=_("Only an open cycle can be closed; this cycle is %(status)s."),
        queryset=_cycle_rows(),
        closed_at=timezone.now,
    )


# --- periods and the daily advance of cycles ---------------------------------------------

def cycle_suggest_period(*, partnership: Partnership, today: datetime.date) -> dict:
    """Suggest the next period to create by hand: the current one, or the one after it if taken.

    Periods and the default due date follow ``partners.deadlines``.
    """
    deadlines = Deadlines.load()
    period = deadlines.cycle_period(partnership.evaluation_frequency, today)
    if _overlapping_cycles(partnership, period.start, period.end).exists():
        period = period.next()
    return {"period_start": period.start, "period_end": period.end, "due_date": deadlines.cycle_due_date(period.end)}


def _overlapping_cycles(partnership, start, end, *, exclude_pk=None):
    qs = EvaluationCycle.objects.filter(partnership=partnership, period_start__lte=end, period_end__gte=start)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs


@dataclass
class AdvanceReport:
    """What one run of ``cycles_advance`` changed (cycle ids), for logs and the task's return value."""

    created: list[int] = field(default_factory=list)
    opened: list[int] = field(default_factory=list)
    closed: list[int] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"created": self.created, "opened": self.opened, "closed": self.closed}


def cycles_advance(*, today: datetime.date | None = None) -> AdvanceReport:
    """Move every partnership's evaluation cycles along the calendar; run daily, safe to run twice.

    The rules, in the order applied:

    1. **Close** every open cycle whose due date passed more than the late days ago
       (``due_date + evaluation_late_days < today``, 7 unless the admin changed it: see
       ``partners.deadlines``): answers are welcome up to the due date and still accepted,
       late, for those days after it, while overdue reminders go out.
    2. **Create and open** the cycle of the current period for every *active* partnership
       that started on or before ``today`` and has no cycle overlapping that period. The
       period is the calendar quarter, half-year or year containing ``today``, following
       ``Partnership.evaluation_frequency``; the due date is the period's last day plus the
       evaluation grace days (``partners.deadlines``; 14 unless the admin changed them), so
       members answer during the period and up to two weeks after it. No past periods are
       back-filled.
    3. **Open** the scheduled cycles (created by hand for a future period) of active
       partnerships whose period has started and whose due date has not passed.

    Running twice, or on two workers at once, changes nothing more: creation relies on the
    unique constraint (partnership, period_start) — the losing insert fails inside a
    savepoint and the existing row is used — and every status change goes through
    ``cycle_open`` / ``cycle_close`` (``kemitraan.transitions``): the row is locked and its
    status read again, so the run that comes second is refused (``TransitionError``) and
    skips the cycle, and each cycle is reported as created/opened/closed by exactly one run.
    """
    today = today or timezone.localdate()
    now = timezone.now()
    report = AdvanceReport()

    deadlines = Deadlines.load()
    close_before = deadlines.cycles_closing_before(today)
    due_passed = EvaluationCycle.objects.filter(status=EvaluationCycle.Status.OPEN, due_date__lt=close_before)
    for cycle in list(due_passed.order_by("pk")):
        try:
            cycle_close(cycle=cycle)
        except TransitionError:
            continue  # closed a moment ago (by hand, or by another run)
        report.closed.append(cycle.pk)

    active = Partnership.objects.filter(status=Partnership.Status.ACTIVE, start_date__lte=today).order_by("pk")
    for partnership in active:
        period = deadlines.cycle_period(partnership.evaluation_frequency, today)
        if _overlapping_cycles(partnership, period.start, period.end).exists():
            continue
        cycle = EvaluationCycle(
            partnership=partnership,
            period_start=period.start,
            period_end=period.end,
            due_date=deadlines.cycle_due_date(period.end),
            status=EvaluationCycle.Status.OPEN,
            opened_at=now,
        )
        # Field checks here; the unique and check constraints are the database's job, so a
        # concurrent run that inserted the same period first makes this insert fail quietly.
        cycle.full_clean(validate_unique=False, validate_constraints=False)
        try:
            with transaction.atomic():
                cycle.save()
        except IntegrityError:
            continue
        report.created.append(cycle.pk)

    startable = EvaluationCycle.objects.filter(
        status=EvaluationCycle.Status.SCHEDULED,
        period_start__lte=today,
        due_date__gte=today,  # not past due (EvaluationCycle.is_past_due), which cycle_open checks again
        partnership__status=Partnership.Status.ACTIVE,
    )
    for cycle in list(startable.order_by("pk")):
        try:
            cycle_open(cycle=cycle, today=today)
        except TransitionError:
            continue  # opened a moment ago (by hand, or by another run)
        report.opened.append(cycle.pk)
    return report


@transaction.atomic
def cycle_create(
    *,
    partnership: Partnership,
    user,
    period_start: datetime.date,
    period_end: datetime.date,
    due_date: datetime.date,
    title: str = "",
    open_now: bool = False,
) -> EvaluationCycle:
    """Create a cycle for a chosen period by hand; open it at once when ``open_now``.

    A period may not overlap another cycle of the same partnership, so the daily advance
    and the coordinator never ask members twice about the same months.
    """
    cycle = EvaluationCycle(
        partnership=partnership,
        title=title,
        period_start=period_start,
        period_end=period_end,
        due_date=due_date,
        status=EvaluationCycle.Status.SCHEDULED,
    )
    errors = {}
    if period_end < period_start:
        errors["period_end"] = _("The period cannot end before it starts.")
    elif due_date < period_start:
        errors["due_date"] = _("The due date cannot be before the period starts.")
    elif open_now and cycle.is_past_due(timezone.localdate()):
        errors["due_date"] = _("A cycle opened now needs a due date today or later.")
    if errors:
        raise ValidationError(errors)
    # Lock the partnership so two coordinators creating overlapping periods are serialised.
    Partnership.objects.select_for_update().filter(pk=partnership.pk).first()
    if _overlapping_cycles(partnership, period_start, period_end).exists():
        raise ValidationError(
            {"period_start": _("This period overlaps another evaluation cycle of this partnership.")},
            code="overlap",
        )
    cycle.full_clean()
    cycle.save()
    if open_now:
        cycle_open(cycle=cycle)
    return cycle


# --- evaluation answers ------------------------------------------------------------------

RESPONSE_TEXT_FIELDS = ("benefit_received", "what_works", "what_to_change")
RESPONSE_FIELDS = (*SCORE_FIELDS.values(), *RESPONSE_TEXT_FIELDS)


def _answer(*, cycle, membership) -> EvaluationResponse:
    """Lock the cycle (it must be open) and return the member's answer, begun as a draft the first time."""
    require_status(
        cycle, (EvaluationCycle.Status.OPEN,),
        message=_("This evaluation cycle is %(status)s; answers are accepted only while it is open."),
        code="cycle_not_open",
        queryset=_cycle_rows(),
    )
    if not access.is_asked(membership, cycle):
        raise ValidationError(_("This organisation is not asked to answer this evaluation."), code="not_member")
    # The cycle row lock serialises answers to this cycle, so get_or_create cannot race here.
    response, _created = EvaluationResponse.objects.get_or_create(cycle=cycle, membership=membership)
    return response


def _answer_changes(fields) -> dict:
    unknown = set(fields) - set(RESPONSE_FIELDS)
    if unknown:
        raise TypeError(f"unknown answer fields: {sorted(unknown)}")
    return {
        name: "" if name in RESPONSE_TEXT_FIELDS and value is None else value
        for name, value in fields.items()
    }


@transaction.atomic
def response_save_draft(*, cycle: EvaluationCycle, membership: Membership, user, **fields) -> EvaluationResponse:
    """Save a member's answer as a draft; scores may be missing. Refused once submitted or closed."""
    response = _answer(cycle=cycle, membership=membership)
    require_status(response, (EvaluationResponse.Status.DRAFT,), message=_("This answer was submitted and can no longer be changed."),
                   code="already_submitted")
    for name, value in _answer_changes(fields).items():
        setattr(response, name, value)
    response.full_clean()
    if getattr(user, "pk", None) is not None:
        response._history_user = user
    response.save()
    return response


@transaction.atomic
def response_submit(*, cycle: EvaluationCycle, membership: Membership, user, **fields) -> EvaluationResponse:
    """Submit a member's answer with all six scores; from then on it is read-only."""
    response = _answer(cycle=cycle, membership=membership)
    changes = _answer_changes(fields)

    def all_scores_given(locked):
        missing = {
            field_name: _("Give a score from 1 to 5.")
            for field_name in SCORE_FIELDS.values()
            if changes.get(field_name, getattr(locked, field_name)) in (None, "")
        }
        if missing:
            raise ValidationError(missing, code="required")

    return transition(
        response,
        to=EvaluationResponse.Status.SUBMITTED,
        user=user,
        message=_("This answer was submitted and can no longer be changed."),
        on_locked=all_scores_given,
        submitted_at=timezone.now,
        submitted_by=user,
        **changes,
    )


def response_reopen(*, response: EvaluationResponse, user) -> EvaluationResponse:
    """Send a submitted answer back to its member as a draft (an admin's correction; see ``WORKFLOW``)."""
    return transition(
        response,
        to=EvaluationResponse.Status.DRAFT,
        user=user,
        message=_("Only a submitted answer can be reopened; this answer is %(status)s."),
        submitted_at=None,
        submitted_by=None,
    )


# --- findings and follow-up actions -------------------------------------------------------


@transaction.atomic
def finding_create(*, cycle: EvaluationCycle, user, title: str, description: str = "", principle: str = "") -> Finding:
    """Record something the coordinator learnt from ``cycle``."""
    finding = Finding(cycle=cycle, title=title, description=description, principle=principle, created_by=user)
    finding.full_clean()
    finding.save()
    return finding


def _check_action(*, partnership, owner_organisation, finding, today):
    errors = {}
    is_member = (
        Membership.objects.filter(partnership=partnership, organisation=owner_organisation, joined_on__lte=today)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=today))
        .exists()
    )
    if not is_member:
        errors["owner_organisation"] = _("The owner must be a current member organisation of this partnership.")
    if finding is not None and finding.cycle.partnership_id != partnership.pk:
        errors["finding"] = _("This finding belongs to another partnership.")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def action_create(
    *,
    partnership: Partnership,
    user,
    title: str,
    owner_organisation: Organisation,
    due_date: datetime.date,
    description: str = "",
    finding: Finding | None = None,
    today: datetime.date | None = None,
) -> FollowUpAction:
    """Create a follow-up action owned by a member organisation, due today or later."""
    today = today or timezone.localdate()
    _check_action(partnership=partnership, owner_organisation=owner_organisation, finding=finding, today=today)
    if due_date < today:
        raise ValidationError({"due_date": _("The due date cannot be in the past.")})
    action = FollowUpAction(
        partnership=partnership,
        finding=finding,
        title=title,
        description=description,
        owner_organisation=owner_organisation,
        due_date=due_date,
        status=FollowUpAction.Status.OPEN,
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_update(*, action: FollowUpAction, user, today: datetime.date | None = None, **fields) -> FollowUpAction:
    """Change an action's title, description, owner, due date or finding (coordinator)."""
    allowed = {"title", "description", "owner_organisation", "due_date", "finding"}
    if set(fields) - allowed:
        raise TypeError(f"unknown action fields: {sorted(set(fields) - allowed)}")
    locked = FollowUpAction.objects.select_for_update().select_related("partnership").get(pk=action.pk)
    for name, value in fields.items():
        setattr(locked, name, value)
    if "owner_organisation" in fields or "finding" in fields:
        _check_action(
            partnership=locked.partnership,
            owner_organisation=locked.owner_organisation,
            finding=locked.finding,
            today=today or timezone.localdate(),
        )
    locked.full_clean()
    locked.save()
    return locked


def action_set_status(*, action: FollowUpAction, user, status: str) -> FollowUpAction:
    """Move an action to another status; marks when it was done (cleared if it is reopened)."""
    if status not in FollowUpAction.Status.values:
        raise ValidationError({"status": _("Unknown status.")}, code="invalid")
    return transition(
        action,
        to=status,
        user=user,
        completed_at=timezone.now if status == FollowUpAction.Status.DONE else None,
    )


# --- decisions and votes ---------------------------------------------------------------------


@transaction.atomic
def decision_propose(
    *,
    partnership: Partnership,
    user,
    title: str,
    description: str,
    closes_at: datetime.datetime,
    organisation: Organisation | None = None,
    now: datetime.datetime | None = None,
) -> Decision:
    """Put a proposal to the vote of every member organisation until ``closes_at`` (in the future)."""
    now = now or timezone.now()
    errors = {}
    if closes_at <= now:
        errors["closes_at"] = _("The closing time must be in the future.")
    if organisation is not None and not Membership.objects.filter(
        partnership=partnership, organisation=organisation
    ).exists():
        errors["organisation"] = _("The proposing organisation must be a member of this partnership.")
    if errors:
        raise ValidationError(errors)
    decision = Decision(
        partnership=partnership,
        title=title,
        description=description,
        closes_at=closes_at,
        proposed_by=user,
        proposed_by_organisation=organisation,
        status=Decision.Status.OPEN,
        outcome=Decision.Outcome.PENDING,
    )
    decision.full_clean()
    decision.save()
    return decision


@transaction.atomic
def vote_cast(
    *,
    decision: Decision,
    membership: Membership,
    user,
    choice: str,
    comment: str = "",
    now: datetime.datetime | None = None,
) -> Vote:
    """Record a member organisation's vote; a second vote while open replaces the first.

    One row per (decision, member) — the unique constraint — so changing one's mind
    updates that row; the vote's history keeps every earlier choice, person and time.
    The decision row is locked so a vote and the closing of the decision never interleave.
    """
    now = now or timezone.now()
    locked = require_status(decision, (Decision.Status.OPEN,),
                            message=_("Voting on this decision has closed."), code="decision_closed")
    if locked.closes_at <= now:
        raise TransitionError(_("Voting on this decision has closed."), code="decision_closed")
    if membership.partnership_id != locked.partnership_id or not membership.is_current_on(timezone.localdate(now)):
        raise ValidationError(_("Only a current member organisation of this partnership can vote."), code="not_member")
    if choice not in Vote.Choice.values:
        raise ValidationError({"choice": _("Choose agree, disagree or abstain.")}, code="invalid")
    vote = Vote.objects.filter(decision=locked, membership=membership).first() or Vote(
        decision=locked, membership=membership
    )
    vote.choice = choice
    vote.comment = comment or ""
    vote.cast_by = user
    vote.cast_at = now
    vote.full_clean()
    vote.save()
    return vote


def decision_close(*, decision: Decision, user=None, now: datetime.datetime | None = None) -> Decision:
    """Close the vote and compute the outcome (agree vs. disagree; abstentions don't count).

    The votes are counted under the decision's row lock (the one ``vote_cast`` takes), so no
    vote slips in between the count and the closing.
    """
    def count_votes(locked):
        counts = Vote.objects.filter(decision=locked).aggregate(
            agree=Count("pk", filter=Q(choice=Vote.Choice.AGREE)),
            disagree=Count("pk", filter=Q(choice=Vote.Choice.DISAGREE)),
        )
        locked.outcome = decision_outcome(agree=counts["agree"], disagree=counts["disagree"])

    return transition(
        decision,
        to=Decision.Status.CLOSED,
        user=user,
        message=_("This decision is already closed."),
        on_locked=count_votes,
        closed_at=now or timezone.now,
    )


def decisions_close_due(*, now: datetime.datetime | None = None) -> list[int]:
    """Close every open decision whose closing time has come; return the ids this run closed.

    Each decision is closed in its own transaction under a row lock, so two runs at once
    close each decision once (the loser gets TransitionError and skips it).
    """
    now = now or timezone.now()
    closed = []
    due = Decision.objects.filter(status=Decision.Status.OPEN, closes_at__lte=now).order_by("closes_at", "pk")
    for decision in list(due):
        try:
            decision_close(decision=decision, now=now)
        except TransitionError:
            continue
        closed.append(decision.pk)
    return closed
