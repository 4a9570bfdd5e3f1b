"""Writes for partnerships and contribution reports.

Every status change locks the report row (``select_for_update``), checks the current
status, and saves once, so two reviewers acting at the same moment leave one
consistent state and one history entry per real change.
"""
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ContributionReport


class TransitionError(ValidationError):
    """Raised when a status change is not allowed from the object's current status."""


def _locked_report(report: ContributionReport) -> ContributionReport:
    return ContributionReport.objects.select_for_update().get(pk=report.pk)


def _set_history_user(report: ContributionReport, user) -> None:
    """Record who made the change in the history even when no request is around (shell, task)."""
    if getattr(user, "pk", None) is not None:
        report._history_user = user


def _refresh(target: ContributionReport, source: ContributionReport) -> ContributionReport:
    """Copy the saved state of ``source`` onto the caller's instance.

    Copying ``__dict__`` bypasses the foreign-key descriptors, so a related object the
    caller had already loaded (``report.reviewed_by`` read as None before a review)
    would stay cached and contradict the new ``*_id``; drop such stale entries.
    """
    target.__dict__.update({k: v for k, v in source.__dict__.items() if not k.startswith("_")})
    for field in target._meta.concrete_fields:
        if field.is_relation and field.is_cached(target):
            cached = field.get_cached_value(target)
            if getattr(cached, "pk", None) != getattr(target, field.attname):
                field.delete_cached_value(target)
    for name, value in source._state.fields_cache.items():
        target._state.fields_cache.setdefault(name, value)
    return target


@transaction.atomic
def report_create(*, membership, user, goals=(), **fields) -> ContributionReport:
    """Create a draft contribution report for ``membership``."""
    report = ContributionReport(membership=membership, created_by=user, status=ContributionReport.Status.DRAFT, **fields)
    report.full_clean()
    _set_history_user(report, user)
    report.save()
    report.__dict__.pop("_history_user", None)
    if goals:
        report.goals.set(goals)
    return report


@transaction.atomic
def report_update(*, report: ContributionReport, user, goals=None, **fields) -> ContributionReport:
    """Change a draft or returned report; a report under review or accepted is read-only."""
    locked = _locked_report(report)
    if not locked.is_editable:
        raise TransitionError(_("Only a draft or a returned report can be changed."), code="not_editable")
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    _set_history_user(locked, user)
    locked.save()
    if goals is not None:
        locked.goals.set(goals)
    return _refresh(report, locked)


def _transition(report, *, user, allowed_from, to, message, **changes):
    locked = _locked_report(report)
    if locked.status not in allowed_from:
        raise TransitionError(message % {"status": locked.get_status_display()}, code="invalid_transition")
    locked.status = to
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.full_clean()
    _set_history_user(locked, user)
    locked.save()
    return _refresh(report, locked)


@transaction.atomic
def report_submit(*, report: ContributionReport, user) -> ContributionReport:
    """Send a draft to the coordinators for review."""
    return _transition(
        report,
        user=user,
        allowed_from={ContributionReport.Status.DRAFT},
        to=ContributionReport.Status.SUBMITTED,
        message=_("Only a draft can be submitted; this report is %(status)s."),
        submitted_at=timezone.now(),
    )


@transaction.atomic
def report_resubmit(*, report: ContributionReport, user) -> ContributionReport:
    """Send a returned report, once fixed, back for review."""
    return _transition(
        report,
        user=user,
        allowed_from={ContributionReport.Status.RETURNED},
        to=ContributionReport.Status.SUBMITTED,
        message=_("Only a returned report can be resubmitted; this report is %(status)s."),
        submitted_at=timezone.now(),
    )


@transaction.atomic
def report_accept(*, report: ContributionReport, user) -> ContributionReport:
    """Accept a submitted report as a delivered contribution."""
    return _transition(
        report,
        user=user,
        allowed_from={ContributionReport.Status.SUBMITTED},
        to=ContributionReport.Status.ACCEPTED,
        message=_("Only a submitted report can be accepted; this report is %(status)s."),
        reviewed_by=user,
        reviewed_at=timezone.now(),
        return_reason="",
    )


@transaction.atomic
def report_return(*, report: ContributionReport, user, reason: str) -> ContributionReport:
    """Return a submitted report to its member with the reviewer's reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason so the partner knows what to fix.")}, code="required")
    return _transition(
        report,
        user=user,
        allowed_from={ContributionReport.Status.SUBMITTED},
        to=ContributionReport.Status.RETURNED,
        message=_("Only a submitted report can be returned; this report is %(status)s."),
        reviewed_by=user,
        reviewed_at=timezone.now(),
        return_reason=reason,
    )
