"""Reads for partnerships and reports, already limited to what the user may see.

This module is the one place that decides who sees what:
- an admin (superuser) sees everything;
- a coordinator sees the partnerships they coordinate and every non-draft report in them;
- a partner representative sees the partnerships its organisations are members of,
  and only its own organisations' reports (drafts included).
Views fetch objects through these functions and answer 404 when nothing comes back.
"""
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import ContributionReport, Membership, Organisation, Partnership


def _coordinated(user) -> Q:
    return Q(coordinators=user)


def partnerships_for_user(user) -> QuerySet[Partnership]:
    """Return the partnerships ``user`` coordinates or is a member of through an organisation."""
    qs = Partnership.objects.select_related("lead_organisation")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    member = Membership.objects.filter(partnership=OuterRef("pk"), organisation__representatives=user)
    coordinated = Partnership.coordinators.through.objects.filter(partnership=OuterRef("pk"), user=user)
    return qs.filter(Q(Exists(member)) | Q(Exists(coordinated)))


def partnerships_coordinated_by(user) -> QuerySet[Partnership]:
    """Return the partnerships ``user`` may run as coordinator (all of them for an admin)."""
    qs = Partnership.objects.select_related("lead_organisation")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    coordinated = Partnership.coordinators.through.objects.filter(partnership=OuterRef("pk"), user=user)
    return qs.filter(Exists(coordinated))


def user_coordinates(user, partnership: Partnership) -> bool:
    """Tell whether ``user`` may act as coordinator of ``partnership``."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or partnership.coordinators.filter(pk=user.pk).exists()


def memberships_for_user(user) -> QuerySet[Membership]:
    """Return the memberships ``user`` represents (their organisations' places in partnerships)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.select_related("partnership", "organisation").filter(
        organisation__representatives=user
    )


def organisations_for_user(user) -> QuerySet[Organisation]:
    """Return the organisations ``user`` represents."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return user.organisations.all()


def reports_for_user(user) -> QuerySet[ContributionReport]:
    """Return the contribution reports ``user`` may see, with member, organisation and partnership joined."""
    qs = ContributionReport.objects.select_related(
        "membership__organisation", "membership__partnership", "reviewed_by"
    )
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    own = Organisation.representatives.through.objects.filter(
        organisation=OuterRef("membership__organisation"), user=user
    )
    coordinated = Partnership.coordinators.through.objects.filter(
        partnership=OuterRef("membership__partnership"), user=user
    )
    return qs.filter(Q(Exists(own)) | (Q(Exists(coordinated)) & ~Q(status=ContributionReport.Status.DRAFT)))


def reports_editable_by(user) -> QuerySet[ContributionReport]:
    """Return the reports ``user`` may change: its own organisations' reports only."""
    if not user.is_authenticated:
        return ContributionReport.objects.none()
    return ContributionReport.objects.select_related("membership__organisation", "membership__partnership").filter(
        membership__organisation__representatives=user
    )


def reports_to_review_for(user) -> QuerySet[ContributionReport]:
    """Return the submitted reports waiting for ``user``'s review, oldest first."""
    qs = ContributionReport.objects.select_related("membership__organisation", "membership__partnership").filter(
        status=ContributionReport.Status.SUBMITTED
    )
    if not user.is_superuser:
        coordinated = Partnership.coordinators.through.objects.filter(
            partnership=OuterRef("membership__partnership"), user=user
        )
        qs = qs.filter(Exists(coordinated))
    return qs.order_by("submitted_at", "id")


def partnership_get(user, pk) -> Partnership:
    """Return the partnership if ``user`` may see it, else raise 404."""
    return get_object_or_404(partnerships_for_user(user), pk=pk)


def partnership_get_for_coordinator(user, pk) -> Partnership:
    """Return the partnership if ``user`` coordinates it, else raise 404."""
    return get_object_or_404(partnerships_coordinated_by(user), pk=pk)


def report_get(user, pk) -> ContributionReport:
    """Return the report if ``user`` may see it, else raise 404."""
    return get_object_or_404(reports_for_user(user), pk=pk)


# --- partner pages: reporting deadlines ------------------------------------------------
# (used by partners/views/reports.py)
import datetime  # noqa: E402,F811

from django.db.models import Max  # noqa: E402,F811

from .models import Frequency  # noqa: E402,F811


def reporting_period_containing(frequency: str, day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Return (start, end) of the calendar-aligned reporting period of ``frequency`` that contains ``day``."""
    months = Frequency.months(frequency)
    start = datetime.date(day.year, (day.month - 1) // months * months + 1, 1)
    month_index = start.year * 12 + start.month - 1 + months
    end = datetime.date(month_index // 12, month_index % 12 + 1, 1) - datetime.timedelta(days=1)
    return start, end


def memberships_with_last_report_for(user) -> QuerySet[Membership]:
    """Return ``user``'s memberships annotated with ``last_reported_end``.

    It is the end of the latest period covered by a submitted or accepted report (the
    same reports that count in ``memberships_overdue``); drafts and returned reports
    do not count.
    """
    counted = (ContributionReport.Status.SUBMITTED, ContributionReport.Status.ACCEPTED)
    return memberships_for_user(user).annotate(
        last_reported_end=Max("reports__period_end", filter=Q(reports__status__in=counted))
    )


def next_report_period(membership: Membership, last_reported_end: datetime.date | None):
    """Return (start, end) of the report ``membership`` owes next: the period after the last one reported.

    With nothing reported yet it is the first whole period after joining. The report is
    due when its period ends (no grace period, as in ``memberships_overdue``).
    """
    if last_reported_end is not None:
        return reporting_period_containing(membership.reporting_frequency, last_reported_end + datetime.timedelta(days=1))
    start, end = reporting_period_containing(membership.reporting_frequency, membership.joined_on)
    if start < membership.joined_on:
        start, end = reporting_period_containing(membership.reporting_frequency, end + datetime.timedelta(days=1))
    return start, end
