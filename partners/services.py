"""Writes for partnerships and contribution reports.

Every status change locks the report row (``select_for_update``), checks the current
status, and saves once, so two reviewers acting at the same moment leave one
consistent state and one history entry per real change.
"""
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kemitraan import rows
from kemitraan.history import history_model_of, history_row, history_values

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
from .selectors import membership_of_user, membership_of_user_condition
from .signals import new_cache_token, touch, touch_sql


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


def report_create(*, membership, user, goals=(), **fields) -> ContributionReport:
    """Create a draft contribution report for ``membership``.

    Partners submit reports more than anything else is written, so the rows are written without
    ``save()`` and its signals, and what the signals would do is done here: the history row (as
    simple-history writes it) and one new cache token for the partnership, with the goal links. On
    PostgreSQL all of it is one statement (``NEW_REPORT_STATEMENT``: a data-modifying WITH, atomic
    by itself, no BEGIN and COMMIT round trips); elsewhere one ready-made statement each in a
    transaction (``kemitraan.rows.insert``). ``tests/test_rows.py`` checks that the rows are those
    ``save()`` and ``goals.add()`` write.
    """
    report = ContributionReport(membership=membership, created_by=user, status=ContributionReport.Status.DRAFT, **fields)
    report.full_clean()
    goal_ids = sorted({goal.pk for goal in goals})
    if connection.vendor == "postgresql":
        _write_new_report_in_one_statement(report, user, goal_ids)
        return report
    _write_new_report(report, user, goal_ids)
    return report


def _write_new_report(report, user, goal_ids) -> None:
    """The new report's rows one statement each, in a transaction (databases other than PostgreSQL)."""
    membership = report.membership
    with transaction.atomic():
        rows.insert(report)
        rows.insert(history_row(report, "+", user))
        if goal_ids:
            field = ContributionReport._meta.get_field("goals")
            links = field.remote_field.through
            links.objects.bulk_create([links(**{field.m2m_column_name(): report.pk, field.m2m_reverse_name(): goal_id})
                                       for goal_id in goal_ids])
        touch([membership.partnership_id])


def report_create_for_representative(*, membership_id: int, user, goals=(), **fields) -> ContributionReport:
    """Create a draft report for the member ``membership_id`` if ``user`` represents its organisation.

    What the report form's submit calls: the member is checked by the write itself (on PostgreSQL
    part of the one statement, ``NEW_MEMBER_REPORT_STATEMENT``: no round trip of its own), and a
    member that is not the user's raises a ValidationError on ``membership`` with nothing written.
    Otherwise the same rows as ``report_create``.
    """
    report = ContributionReport(
        membership_id=membership_id, created_by=user, status=ContributionReport.Status.DRAFT, **fields
    )
    report.full_clean(exclude=["membership"])  # the write checks the member; the foreign key holds it
    goal_ids = sorted({goal.pk for goal in goals})
    if connection.vendor == "postgresql":
        if not _write_new_report_in_one_statement(report, user, goal_ids, member_check=True):
            raise _not_your_member()
        return report
    membership = membership_of_user(user, membership_id)
    if membership is None:
        raise _not_your_member()
    report.membership = membership
    _write_new_report(report, user, goal_ids)
    return report


NOT_YOUR_MEMBER = gettext_lazy("Choose a member of your own organisation.")


def _not_your_member() -> ValidationError:
    return ValidationError({"membership": ValidationError(NOT_YOUR_MEMBER, code="invalid_choice")})


def _new_report_sql(with_goals: bool = True, member_check: bool = False) -> str:
    """One statement that writes a new report, its history row, its goal links and its partnership's new token.

    Parameters: the report's ``insert_fields`` values; the history row's date, change reason, type and
    user; the goal ids (an array; not with ``with_goals=False``, for a report with none: the empty
    insert still cost PostgreSQL a tenth of the statement); the new token and the partnership id.
    It returns the report's id.

    With ``member_check``, the statement first finds the member (parameters before all others: the
    membership id and the user id, ``selectors.membership_of_user_condition``) and writes only if
    the user represents its organisation, touching that member's partnership (no partnership id
    parameter); it then returns no row when the member is not the user's.
    """
    quote = connection.ops.quote_name
    meta = ContributionReport._meta
    history_model = history_model_of(ContributionReport)
    history, tracked = history_model._meta, history_model.tracked_fields
    goals = meta.get_field("goals")
    links = goals.remote_field.through._meta

    def cast(field):
        return f"CAST(%s AS {field.cast_db_type(connection)})"

    history_columns = [quote(history.get_field(field.name).column) for field in tracked] + [
        quote(history.get_field(name).column) for name in HISTORY_VALUES
    ]
    history_select = [f"report.{quote(field.column)}" for field in tracked] + [
        cast(history.get_field(name)) for name in HISTORY_VALUES
    ]
    links_cte = (
        f"links AS (INSERT INTO {quote(links.db_table)} ({quote(goals.m2m_column_name())}, "
        f"{quote(goals.m2m_reverse_name())}) SELECT report.{quote(meta.pk.column)}, goal "
        f"FROM report, unnest(CAST(%s AS bigint[])) AS goal), "
    ) if with_goals else ""
    if member_check:
        fields = rows.insert_fields(ContributionReport)
        member = (f"member AS (SELECT {quote(Membership._meta.get_field('partnership').column)} AS partnership "
                  f"FROM {quote(Membership._meta.db_table)} WHERE {membership_of_user_condition()}), ")
        insert = (f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)}) "
                  f"SELECT {', '.join(cast(f) for f in fields)} FROM member")
        touched = touch_sql(1, ids="SELECT partnership FROM member")
    else:
        member, insert, touched = "", rows.insert_sql(ContributionReport, connection), touch_sql(1)
    return (
        f"WITH {member}report AS ({insert} RETURNING *), "
        f"history AS (INSERT INTO {quote(history.db_table)} ({', '.join(history_columns)}) "
        f"SELECT {', '.join(history_select)} FROM report), "
        f"{links_cte}"
        f"touched AS ({touched}) "
        f"SELECT {quote(meta.pk.column)} FROM report"
    )


# The history row's own columns in the statement, in this order (attnames of the history model).
HISTORY_VALUES = ("history_date", "history_change_reason", "history_type", "history_user_id")
NEW_REPORT_STATEMENT = rows.Statement(_new_report_sql, name="kemitraan_new_report")
NEW_REPORT_WITHOUT_GOALS_STATEMENT = rows.Statement(
    lambda: _new_report_sql(with_goals=False), name="kemitraan_new_report_without_goals"
)
NEW_MEMBER_REPORT_STATEMENT = rows.Statement(
    lambda: _new_report_sql(member_check=True), name="kemitraan_new_member_report"
)
NEW_MEMBER_REPORT_WITHOUT_GOALS_STATEMENT = rows.Statement(
    lambda: _new_report_sql(with_goals=False, member_check=True), name="kemitraan_new_member_report_without_goals"
)


def _write_new_report_in_one_statement(report, user, goal_ids, member_check: bool = False) -> bool:
    """Write the new report (``_new_report_sql``); False, with nothing written, if ``member_check`` finds no member of the user's."""
    history = history_values(report, "+", user)
    db = connections[DEFAULT_DB_ALIAS]  # the connection itself: the proxy looks it up on every use
    params = [
        *rows.insert_params(report, db),
        *(history[name] for name in HISTORY_VALUES),
        *([goal_ids] if goal_ids else []), new_cache_token(),
    ]
    if member_check:
        params[:0] = [report.membership_id, user.pk]
        statement = NEW_MEMBER_REPORT_STATEMENT if goal_ids else NEW_MEMBER_REPORT_WITHOUT_GOALS_STATEMENT
    else:
        params.append(report.membership.partnership_id)
        statement = NEW_REPORT_STATEMENT if goal_ids else NEW_REPORT_WITHOUT_GOALS_STATEMENT
    with db.cursor() as cursor:
        statement.execute(cursor, params)
        row = cursor.fetchone()
    if row is None:
        return False
    report.pk = row[0]
    rows.mark_saved(report, db.alias)
    return True


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


# --- partner pages: report deletion, attachments, indicator values ---------------------


@transaction.atomic
def report_delete(*, report: ContributionReport, user) -> None:
    """Delete a draft report; its attachments' files are removed once the deletion is committed."""
    locked = _locked_report(report)
    if locked.status != ContributionReport.Status.DRAFT:
        raise TransitionError(
            _("Only a draft can be deleted; this report is %(status)s.") % {"status": locked.get_status_display()},
            code="invalid_transition",
        )
    files = [(a.file.storage, a.file.name) for a in locked.attachments.all()]
    _set_history_user(locked, user)
    locked.delete()
    transaction.on_commit(lambda: [storage.delete(name) for storage, name in files])


@transaction.atomic
def attachment_add(*, report: ContributionReport, user, uploaded_file) -> Attachment:
    """Store a file for a draft or returned report under a server-made name, after checking its content."""
    from .uploads import check_attachment

    locked = _locked_report(report)
    if not locked.is_editable:
        raise TransitionError(
            _("Files can be added only to a draft or a returned report; this report is %(status)s.")
            % {"status": locked.get_status_display()},
            code="not_editable",
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
    locked = _locked_report(attachment.report)
    if not locked.is_editable:
        raise TransitionError(
            _("Files can be removed only from a draft or a returned report; this report is %(status)s.")
            % {"status": locked.get_status_display()},
            code="not_editable",
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
    """Create a partnership run by ``user``; a chosen lead organisation joins it as backbone member."""
    partnership = _validated_save(Partnership(**fields))
    partnership.coordinators.add(user)
    if partnership.lead_organisation_id:
        _validated_save(Membership(
            partnership=partnership, organisation=partnership.lead_organisation,
            role=Membership.Role.BACKBONE, joined_on=partnership.start_date,
        ))
    return partnership


@transaction.atomic
def partnership_update(*, partnership: Partnership, **fields) -> Partnership:
    """Change a partnership's own fields; the lead organisation must already be a member."""
    for name, value in fields.items():
        setattr(partnership, name, value)
    lead = partnership.lead_organisation_id
    if lead and not partnership.memberships.filter(organisation_id=lead).exists():
        raise ValidationError(
            {"lead_organisation": _("The lead organisation must be a member of the partnership.")}, code="not_member"
        )
    return _validated_save(partnership)


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
