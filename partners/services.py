"""Writes for partnerships and contribution reports.

Every status change goes through ``kemitraan.transitions`` (the moves each model allows are
its ``WORKFLOW``): the row is locked (``select_for_update``), its current status checked and
saved once, so two reviewers acting at the same moment leave one consistent state and one
history entry per real change; a service that only moves a record is atomic through the helper.
``TransitionError`` lives there too and is importable from here.
"""
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from kemitraan.transitions import TransitionError, require_status, transition

from .models import (
    Attachment,
    ContributionReport,
    DeadlineSettings,
    Indicator,
    IndicatorValue,
    Membership,
    Organisation,
    Partnership,
    SharedGoal,
)

def _report_rows():
    """Read a report with its member, so the receivers that touch its partnership's cache token need no query."""
    return ContributionReport.objects.select_related("membership")


def _lock_editable(report: ContributionReport, message: str) -> ContributionReport:
    """Lock ``report`` and refuse unless a partner may still change it (a draft or a returned report)."""
    return require_status(report, ContributionReport.EDITABLE_STATUSES, message=message, code="not_editable",
                          queryset=_report_rows())


def _set_history_user(report: ContributionReport, user) -> None:
    """Record who made the change in the history even when no request is around (shell, task)."""
    if getattr(user, "pk", None) is not None:
        report._history_user = user


def report_create(*, membership: Membership, user, goals=(), **fields) -> ContributionReport:
    """Create a draft contribution report for ``membership``, written by ``user``, with the goals it supports.

    ``full_clean(validate_constraints=False)``: the report's check constraints (amounts not negative,
    the period in order) are judged by the report form, which shows their messages next to the
    fields, and by the database, the last word (an IntegrityError, rolled back with the
    transaction). Django judges each one with a query of its own; partners submit reports more
    than anything else is written, and the form has just run those queries.
    """
    report = ContributionReport(membership=membership, created_by=user, status=ContributionReport.Status.DRAFT,
                                **fields)
    report.full_clean(validate_constraints=False)
    _set_history_user(report, user)
    with transaction.atomic():
        report.save()
        if goals:
            report.goals.add(*goals)
    return report


@transaction.atomic
def report_update(*, report: ContributionReport, user, goals=None, **fields) -> ContributionReport:
    """Change a draft or returned report; a report under review or accepted is read-only."""
    _lock_editable(report, _("Only a draft or a returned report can be changed."))
    for name, value in fields.items():
        setattr(report, name, value)
    report.full_clean()
    _set_history_user(report, user)
    report.save()
    if goals is not None:
        report.goals.set(goals)
    return report


def report_submit(*, report: ContributionReport, user) -> ContributionReport:
    """Send a draft to the coordinators for review."""
    return transition(
        report,
        source=(ContributionReport.Status.DRAFT,),
        to=ContributionReport.Status.SUBMITTED,
        user=user,
        message=_("Only a draft can be submitted; this report is %(status)s."),
        queryset=_report_rows(),
        submitted_at=timezone.now,
    )


def report_resubmit(*, report: ContributionReport, user) -> ContributionReport:
    """Send a returned report, once fixed, back for review."""
    return transition(
        report,
        source=(ContributionReport.Status.RETURNED,),
        to=ContributionReport.Status.SUBMITTED,
        user=user,
        message=_("Only a returned report can be resubmitted; this report is %(status)s."),
        queryset=_report_rows(),
        submitted_at=timezone.now,
    )


def report_accept(*, report: ContributionReport, user) -> ContributionReport:
    """Accept a submitted report as a delivered contribution."""
    return transition(
        report,
        to=ContributionReport.Status.ACCEPTED,
        user=user,
        message=_("Only a submitted report can be accepted; this report is %(status)s."),
        queryset=_report_rows(),
        reviewed_by=user,
        reviewed_at=timezone.now,
        return_reason="",
    )


def report_return(*, report: ContributionReport, user, reason: str) -> ContributionReport:
    """Return a submitted report to its member with the reviewer's reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give a reason so the partner knows what to fix.")}, code="required")
    return transition(
        report,
        to=ContributionReport.Status.RETURNED,
        user=user,
        message=_("Only a submitted report can be returned; this report is %(status)s."),
        queryset=_report_rows(),
        reviewed_by=user,
        reviewed_at=timezone.now,
        return_reason=reason,
    )


# --- partner pages: report deletion, attachments, indicator values ---------------------


@transaction.atomic
def report_delete(*, report: ContributionReport, user) -> None:
    """Delete a draft report; its attachments' files are removed once the deletion is committed."""
    locked = require_status(report, (ContributionReport.Status.DRAFT,),
                            message=_("Only a draft can be deleted; this report is %(status)s."),
                            queryset=_report_rows())
    files = [(a.file.storage, a.file.name) for a in locked.attachments.all()]
    _set_history_user(locked, user)
    locked.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


@transaction.atomic
def attachment_add(*, report: ContributionReport, user, uploaded_file) -> Attachment:
    """Store a file for a draft or returned report under a server-made name, after checking its content."""
    from .uploads import check_attachment

    locked = _lock_editable(
        report, _("Files can be added only to a draft or a returned report; this report is %(status)s.")
    )
    checked = check_attachment(uploaded_file)
    attachment = Attachment(
        report=locked,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        uploaded_by=user,
    )
    uploaded_file.seek(0)
    attachment.file.save(checked.name, uploaded_file, save=False)
    try:
        attachment.full_clean()
        attachment.save()
    except Exception:
        attachment.file.delete(save=False)
        raise
    return attachment


@transaction.atomic
def attachment_delete(*, attachment: Attachment, user) -> None:
    """Remove a file from a draft or returned report; the stored file goes once the deletion is committed."""
    _lock_editable(
        attachment.report, _("Files can be removed only from a draft or a returned report; this report is %(status)s.")
    )
    storage, name = attachment.file.storage, attachment.file.name
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def indicator_value_save(*, indicator, membership, period_start, period_end, value, note="", user) -> IndicatorValue:
    """Record ``membership``'s value of ``indicator`` for a period, updating the one already reported for it."""
    if indicator.goal.partnership_id != membership.partnership_id:
        raise ValidationError(_("This indicator belongs to another partnership."), code="wrong_partnership")
    existing = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, membership=membership, period_start=period_start)
        .first()
    )
    item = existing or IndicatorValue(indicator=indicator, membership=membership, period_start=period_start)
    item.period_end = period_end
    item.value = value
    item.note = note or ""
    item.reported_by = user
    item.full_clean()
    if getattr(user, "pk", None) is not None:
        item._history_user = user
    if existing is not None:
        item.save()
        return item
    try:
        with transaction.atomic():
            item.save()
    except IntegrityError:
        # Someone saved the same indicator and period a moment ago: update theirs instead.
        item = IndicatorValue.objects.select_for_update().get(
            indicator=indicator, membership=membership, period_start=period_start
        )
        item.period_end, item.value, item.note, item.reported_by = period_end, value, note or "", user
        item.full_clean()
        item.save()
    return item


@transaction.atomic
def indicator_values_save(*, membership, period_start, period_end, entries, user) -> list[IndicatorValue]:
    """Save several indicator values of one member for one period, all or none.

    ``entries`` is an iterable of ``(indicator, value, note)``.
    """
    return [
        indicator_value_save(
            indicator=indicator, membership=membership, period_start=period_start,
            period_end=period_end, value=value, note=note, user=user,
        )
        for indicator, value, note in entries
    ]


# --- coordinator pages: partnerships, members, pledges, goals, indicators ---
# (used by partners/views/coordinator.py)


def _validated_save(obj):
    obj.full_clean()
    obj.save()
    return obj


@transaction.atomic
def partnership_create(*, user, **fields) -> Partnership:
    """Create a partnership run by ``user``; a chosen lead organisation joins it as backbone member.

    It starts as a draft, or at once active (``Partnership.WORKFLOW.initial``); later status
    changes go through ``partnership_set_status``.
    """
    partnership = Partnership(**fields)
    if partnership.status not in Partnership.WORKFLOW.initial:
        raise ValidationError(
            {"status": _("A new partnership starts as a draft or active.")}, code="invalid_initial_status"
        )
    partnership = _validated_save(partnership)
    partnership.coordinators.add(user)
    if partnership.lead_organisation_id:
        _validated_save(Membership(
            partnership=partnership, organisation=partnership.lead_organisation,
            role=Membership.Role.BACKBONE, joined_on=partnership.start_date,
        ))
    return partnership


STATUS_FIELDS = {"status", "status_reason"}


@transaction.atomic
def partnership_update(*, partnership: Partnership, **fields) -> Partnership:
    """Change a partnership's own fields; the lead organisation must already be a member.

    Not its status: that follows the workflow, through ``partnership_set_status``.
    """
    if STATUS_FIELDS & set(fields):
        raise TypeError("A partnership's status changes through partnership_set_status, not partnership_update.")
    for name, value in fields.items():
        setattr(partnership, name, value)
    lead = partnership.lead_organisation_id
    if lead and not partnership.memberships.filter(organisation_id=lead).exists():
        raise ValidationError(
            {"lead_organisation": _("The lead organisation must be a member of the partnership.")}, code="not_member"
        )
    return _validated_save(partnership)


def partnership_set_status(*, partnership: Partnership, user, status: str, reason: str = "") -> Partnership:
    """Move a partnership along its workflow (``Partnership.WORKFLOW``), with the reason for the change.

    Pausing, ending and reopening need a reason (``Partnership.needs_status_reason``); it is
    kept in ``status_reason``, so the history row of the change shows it. A change without a
    reason (activating a draft, resuming) clears the reason of the status left behind.
    """
    if status not in Partnership.Status.values:
        raise ValidationError({"status": _("Unknown status.")}, code="invalid")
    reason = (reason or "").strip()

    def reason_given(locked):
        if locked.needs_status_reason(status) and not reason:
            raise ValidationError(
                {"reason": _("Give a reason: it is kept with the change for everyone who reads the partnership's history.")},
                code="required",
            )

    return transition(
        partnership,
        to=status,
        user=user,
        message=_("A partnership that is %(status)s cannot become %(to)s."),
        on_locked=reason_given,
        status_reason=reason,
    )


@transaction.atomic
def organisation_create(*, name: str, sector: str, **fields) -> Organisation:
    """Create an organisation (a new partner added by a coordinator)."""
    return _validated_save(Organisation(name=name, sector=sector, **fields))


def _pledges_apply(membership, pledges, deleted_pledges):
    for pledge in deleted_pledges:
        if pledge.pk and pledge.membership_id == membership.pk:
            pledge.delete()
    for pledge in pledges:
        if pledge.pk and pledge.membership_id != membership.pk:
            raise ValidationError(_("This pledge belongs to another member."), code="wrong_member")
        pledge.membership = membership
        _validated_save(pledge)


@transaction.atomic
def membership_create(
    *, partnership: Partnership, organisation: Organisation | None = None, new_organisation: dict | None = None,
    pledges=(), **fields,
) -> Membership:
    """Add an existing organisation, or a new one made from ``new_organisation``, as a member with its pledges."""
    if (organisation is None) == (new_organisation is None):
        raise ValueError("Give either an organisation or the fields of a new one.")
    if new_organisation is not None:
        organisation = organisation_create(**new_organisation)
    membership = _validated_save(Membership(partnership=partnership, organisation=organisation, **fields))
    _pledges_apply(membership, pledges, ())
    return membership


@transaction.atomic
def membership_update(*, membership: Membership, pledges=(), deleted_pledges=(), **fields) -> Membership:
    """Change a member's role, commitment, benefits, reporting frequency or leaving date, and its pledges."""
    for name, value in fields.items():
        setattr(membership, name, value)
    _validated_save(membership)
    _pledges_apply(membership, pledges, deleted_pledges)
    return membership


def membership_removal_blockers(membership: Membership) -> list[str]:
    """Name what keeps ``membership`` from being removed (its reports and other kept records)."""
    blockers = []
    if membership.reports.exists():
        blockers.append(_("it has contribution reports"))
    if membership.indicator_values.exists():
        blockers.append(_("it has reported indicator values"))
    if membership.evaluation_responses.exists():
        blockers.append(_("it has answered evaluations"))
    if membership.votes.exists():
        blockers.append(_("it has voted on decisions"))
    return blockers


@transaction.atomic
def membership_remove(*, membership: Membership) -> None:
    """Delete a member that has no history; one with reports must be given a leaving date instead."""
    blockers = membership_removal_blockers(membership)
    if blockers:
        raise TransitionError(
            _("%(organisation)s cannot be removed because %(reasons)s. Set a leaving date instead.")
            % {"organisation": membership.organisation, "reasons": ", ".join(str(b) for b in blockers)},
            code="protected",
        )
    try:
        membership.delete()
    except ProtectedError as exc:  # a record added between the check and the delete
        raise TransitionError(
            _("%(organisation)s cannot be removed because other records refer to it. Set a leaving date instead.")
            % {"organisation": membership.organisation},
            code="protected",
        ) from exc


@transaction.atomic
def goal_create(*, partnership: Partnership, **fields) -> SharedGoal:
    """Add a shared goal to a partnership."""
    return _validated_save(SharedGoal(partnership=partnership, **fields))


@transaction.atomic
def goal_update(*, goal: SharedGoal, **fields) -> SharedGoal:
    """Change a shared goal's title, description or order."""
    for name, value in fields.items():
        setattr(goal, name, value)
    return _validated_save(goal)


@transaction.atomic
def goal_delete(*, goal: SharedGoal) -> None:
    """Delete a shared goal with its indicators and their values (reports keep existing, unlinked)."""
    goal.delete()


@transaction.atomic
def indicator_create(*, goal: SharedGoal, **fields) -> Indicator:
    """Add a measurable indicator to a shared goal."""
    return _validated_save(Indicator(goal=goal, **fields))


@transaction.atomic
def indicator_update(*, indicator: Indicator, **fields) -> Indicator:
    """Change an indicator's definition (unit, baseline, target, target date, direction)."""
    for name, value in fields.items():
        setattr(indicator, name, value)
    return _validated_save(indicator)


@transaction.atomic
def indicator_delete(*, indicator: Indicator) -> None:
    """Delete an indicator and the values reported for it."""
    indicator.delete()


@transaction.atomic
def deadline_settings_save(*, settings: DeadlineSettings) -> DeadlineSettings:
    """Save the admin's deadline settings (``partners.deadlines``).

    Due dates and overdue counts are on every partnership's cached pages (dashboard, partner
    home), so every partnership gets a new cache token and those pages are built afresh.
    """
    settings.full_clean()
    settings.save()
    Partnership.objects.all().touch()
    return settings
