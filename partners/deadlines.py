"""Reporting periods, due dates and overdue: the one place these rules are written.

Everything that shows or acts on a deadline reads it from here: the dashboard's overdue
count, the partner home's deadlines, the new report form's suggested period, the indicator
values' default period, the reminder job, the evaluation cycles' periods and due dates, and
whatever comes later (exports, API, calendar feeds). Nothing else computes a period or a
due date.

The rules
=========

Period
    A frequency (``partners.models.Frequency``) cuts the calendar into blocks of
    ``Frequency.months`` months aligned on 1 January: each month (monthly); Jan–Mar,
    Apr–Jun, Jul–Sep, Oct–Dec (quarterly); Jan–Jun and Jul–Dec (half-yearly); the calendar
    year (yearly). A period has a stable key (``2026-03``, ``2026-Q1``, ``2026-H1``,
    ``2026``: the reminder log's period) and a label in words ("Maret 2026", "Q1 2026",
    "H1 2026", "2026").

Who owes a report for a period
    A membership with that ``reporting_frequency``, in an *active* partnership that had
    started by the period's last day, that joined on or before the period's first day and
    had not left before its last day (leaving on the last day still counts). A member that
    joins mid-period owes its first report for the next whole period.

Reported
    A period is reported once a *submitted* or *accepted* report of the membership overlaps
    it; a draft or a returned report does not count.

Due and overdue
    A period's report is **due on the period's last day plus the grace**
    (``DeadlineSettings.report_grace_days``, set by an admin, 14 days unless changed), and
    **overdue from the day after its due date** while it is owed and not reported. On the
    due date itself it is still on time. The same "after the due date" holds for every
    other due date (evaluation cycles, follow-up actions): :func:`is_overdue`.

What the pages and the reminders show
    On a given day, the *last due period* of a frequency is the latest period whose due date
    has passed. A member is **overdue** when it owes the last due period's report and has
    not reported it: the dashboard counts it, the partner home lists it under "Overdue", and
    the ``report_overdue`` reminder is about it. (An older period that was missed is not
    chased any more once a newer one is due: its reminders went out in their time.) The
    report a member owes **next** is that overdue one, otherwise the first period due today
    or later that it owes and has not reported: the partner home lists it under "Upcoming"
    and the ``report_due`` reminder is about it.

Evaluation cycles
    A cycle's period is the period of the partnership's ``evaluation_frequency`` containing
    the day (the same periods as reports); its due date, unless a coordinator sets another,
    is the period's last day plus ``DeadlineSettings.evaluation_grace_days``; an open cycle
    still takes late answers for ``evaluation_late_days`` after its due date and then closes,
    so that the ``evaluation_overdue`` reminder reaches an open cycle.

The admin's settings are read once per request or job (:meth:`Deadlines.load`), never per row.
"""
from __future__ import annotations

import datetime
import operator
from collections.abc import Iterator
from dataclasses import dataclass
from functools import reduce

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import formats
from django.utils.translation import gettext

from .models import ContributionReport, DeadlineSettings, Frequency, Membership, Partnership

ONE_DAY = datetime.timedelta(days=1)

# The reports that count for a period; drafts and returned reports do not.
COUNTED_STATUSES = (ContributionReport.Status.SUBMITTED, ContributionReport.Status.ACCEPTED)


def first_of_month(day: datetime.date, shift: int = 0) -> datetime.date:
    """Return the first day of the month ``shift`` months away from ``day``'s month."""
    years, month = divmod(day.month - 1 + shift, 12)
    return datetime.date(day.year + years, month + 1, 1)


def is_overdue(due: datetime.date, today: datetime.date) -> bool:
    """Tell whether something due on ``due`` is overdue on ``today``: only after the due date."""
    return today > due


# --- periods -------------------------------------------------------------------------------


@dataclass(frozen=True, order=True)
class Period:
    """A calendar-aligned period of a frequency (see the module docstring)."""

    start: datetime.date
    end: datetime.date
    frequency: str

    @classmethod
    def containing(cls, frequency: str, day: datetime.date) -> Period:
        """Return the period of ``frequency`` that contains ``day``."""
        length = Frequency.months(frequency)
        start = datetime.date(day.year, (day.month - 1) // length * length + 1, 1)
        return cls(start, first_of_month(start, length) - ONE_DAY, frequency)

    @classmethod
    def matching(cls, start: datetime.date, end: datetime.date) -> Period | None:
        """Return the period that runs exactly from ``start`` to ``end``, or None when no frequency has one."""
        for frequency in Frequency.values:
            period = cls.containing(frequency, start)
            if (period.start, period.end) == (start, end):
                return period
        return None

    @classmethod
    def from_key(cls, key: str) -> Period:
        """Return the period of a key made by :attr:`key` (``2026-03``, ``2026-Q1``, ``2026-H1``, ``2026``)."""
        year = int(key[:4])
        if len(key) == 4:
            frequency, month = Frequency.YEARLY, 1
        elif key[5] == "Q":
            frequency, month = Frequency.QUARTERLY, (int(key[6:]) - 1) * 3 + 1
        elif key[5] == "H":
            frequency, month = Frequency.HALF_YEARLY, (int(key[6:]) - 1) * 6 + 1
        else:
            frequency, month = Frequency.MONTHLY, int(key[5:7])
        return cls.containing(frequency, datetime.date(year, month, 1))

    @property
    def key(self) -> str:
        """The period's stable key: ``2026-03`` (monthly), ``2026-Q1``, ``2026-H1``, ``2026`` (yearly)."""
        if self.frequency == Frequency.MONTHLY:
            return f"{self.start:%Y-%m}"
        if self.frequency == Frequency.QUARTERLY:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.frequency == Frequency.HALF_YEARLY:
            return f"{self.start.year}-H{(self.start.month - 1) // 6 + 1}"
        return f"{self.start.year}"

    @property
    def label(self) -> str:
        """The period in words, in the active language: "Maret 2026", "Q1 2026", "H1 2026", "2026"."""
        if self.frequency == Frequency.MONTHLY:
            return formats.date_format(self.start, "F Y")
        if self.frequency == Frequency.QUARTERLY:
            return gettext("Q%(quarter)s %(year)s") % {"quarter": (self.start.month + 2) // 3, "year": self.start.year}
        if self.frequency == Frequency.HALF_YEARLY:
            return gettext("H%(half)s %(year)s") % {"half": 1 if self.start.month == 1 else 2, "year": self.start.year}
        return str(self.start.year)

    def next(self) -> Period:
        return Period.containing(self.frequency, self.end + ONE_DAY)

    def previous(self) -> Period:
        return Period.containing(self.frequency, self.start - ONE_DAY)


def period_label(start: datetime.date, end: datetime.date) -> str:
    """Name the dates ``start``–``end``: the label of the period they make, else the two dates."""
    period = Period.matching(start, end)
    if period is not None:
        return period.label
    return f"{formats.date_format(start, 'SHORT_DATE_FORMAT')} – {formats.date_format(end, 'SHORT_DATE_FORMAT')}"


def periods_ending_between(frequency: str, first: datetime.date, last: datetime.date) -> Iterator[Period]:
    """Yield the periods of ``frequency`` whose last day falls in [``first``, ``last``], in order."""
    period = Period.containing(frequency, first)
    while period.end <= last:
        if period.end >= first:
            yield period
        period = period.next()


# --- due dates, with the admin's settings --------------------------------------------------


@dataclass(frozen=True)
class Deadlines:
    """The due-date rules with the admin's settings (``DeadlineSettings``), read once per request or job."""

    report_grace_days: int
    evaluation_grace_days: int
    evaluation_late_days: int

    @classmethod
    def load(cls) -> Deadlines:
        """Read the admin's settings (one query); the model's defaults when nobody saved any."""
        row = DeadlineSettings.objects.order_by("pk").first() or DeadlineSettings()
        return cls(row.report_grace_days, row.evaluation_grace_days, row.evaluation_late_days)

    @property
    def report_grace(self) -> datetime.timedelta:
        return datetime.timedelta(days=self.report_grace_days)

    def report_due(self, period: Period) -> datetime.date:
        """Return the due date of ``period``'s report: its last day plus the grace."""
        return period.end + self.report_grace

    def last_due_period(self, frequency: str, today: datetime.date) -> Period:
        """Return the latest period of ``frequency`` whose report's due date has passed on ``today``."""
        return Period.containing(frequency, today - self.report_grace).previous()

    def periods_due_between(self, frequency: str, first: datetime.date, last: datetime.date) -> Iterator[Period]:
        """Yield the periods of ``frequency`` whose report is due on a day in [``first``, ``last``]."""
        return periods_ending_between(frequency, first - self.report_grace, last - self.report_grace)

    def cycle_period(self, frequency: str, day: datetime.date) -> Period:
        """Return the evaluation period of ``frequency`` (a ``Partnership.EvaluationFrequency``) containing ``day``."""
        return Period.containing(frequency, day)

    def cycle_due_date(self, period_end: datetime.date) -> datetime.date:
        """Return the default due date of an evaluation cycle whose period ends on ``period_end``."""
        return period_end + datetime.timedelta(days=self.evaluation_grace_days)

    def cycles_closing_before(self, today: datetime.date) -> datetime.date:
        """Open cycles due before this day have had their late days and close on ``today``."""
        return today - datetime.timedelta(days=self.evaluation_late_days)


# --- who owes what -------------------------------------------------------------------------
# Each rule twice, side by side: as a query for the counts and the reminder job (any number of
# members), and in Python for one person's few members, whose page must not pay for building a
# query per period and frequency. tests/partners/test_deadlines.py checks that the two agree.


def owes(period: Period) -> Q:
    """Memberships that owe ``period``'s report (whether they reported it or not): "Who owes" above."""
    return (
        Q(reporting_frequency=period.frequency, joined_on__lte=period.start)
        & (Q(left_on__isnull=True) | Q(left_on__gte=period.end))
        & Q(partnership__status=Partnership.Status.ACTIVE, partnership__start_date__lte=period.end)
    )


def member_owes(membership: Membership, period: Period) -> bool:
    """:func:`owes` for one membership (its partnership loaded)."""
    partnership = membership.partnership
    return (
        membership.reporting_frequency == period.frequency
        and membership.joined_on <= period.start
        and (membership.left_on is None or membership.left_on >= period.end)
        and partnership.status == Partnership.Status.ACTIVE
        and partnership.start_date <= period.end
    )


def reported(period: Period) -> Exists:
    """Memberships that reported ``period``: a counted report overlaps it ("Reported" above)."""
    return Exists(ContributionReport.objects.filter(
        membership=OuterRef("pk"), status__in=COUNTED_STATUSES,
        period_start__lte=period.end, period_end__gte=period.start,
    ))


def member_reported(reports: list[tuple[datetime.date, datetime.date]], period: Period) -> bool:
    """:func:`reported` for one membership, from the (start, end) of its counted reports (:func:`counted_reports`)."""
    return any(start <= period.end and end >= period.start for start, end in reports)


def owing(period: Period) -> Q:
    """Memberships that owe ``period``'s report and have not reported it."""
    return owes(period) & ~Q(reported(period))


def memberships_overdue(today: datetime.date, deadlines: Deadlines) -> QuerySet[Membership]:
    """Return the memberships overdue on ``today``: they owe the last due period of their frequency and did not report it."""
    return Membership.objects.filter(
        reduce(operator.or_, (owing(deadlines.last_due_period(frequency, today)) for frequency in Frequency.values))
    )


# --- what a member owes on a day (the partner home, the new report form) ---------------------

# The periods whose report a member may owe on a day: the last due period and the three after it
# (one in its grace days, the current one, and the next, for a member that reported early).
CANDIDATES = 4


def _candidates(frequency: str, today: datetime.date, deadlines: Deadlines) -> list[Period]:
    periods = [deadlines.last_due_period(frequency, today)]
    while len(periods) < CANDIDATES:
        periods.append(periods[-1].next())
    return periods


def counted_reports(membership_ids, *, today: datetime.date,
                    deadlines: Deadlines) -> dict[int, list[tuple[datetime.date, datetime.date]]]:
    """Return {membership id: [(start, end) of each counted report that may cover a candidate period]}; one query."""
    since = min(_candidates(frequency, today, deadlines)[0].start for frequency in Frequency.values)
    reports: dict[int, list] = {pk: [] for pk in membership_ids}
    rows = ContributionReport.objects.filter(
        membership_id__in=list(reports), status__in=COUNTED_STATUSES, period_end__gte=since
    ).values_list("membership_id", "period_start", "period_end")
    for membership_id, start, end in rows:
        reports[membership_id].append((start, end))
    return reports


@dataclass(frozen=True)
class ReportOwed:
    """A report a member owes: its period and due date, and whether it is overdue on the day."""

    period: Period
    due: datetime.date
    overdue: bool


def reports_owed(membership: Membership, reports: list, *, today: datetime.date,
                 deadlines: Deadlines) -> list[ReportOwed]:
    """Return what ``membership`` owes on ``today``, given its counted ``reports`` (:func:`counted_reports`).

    At most two, the overdue one first: the last due period's report, when owed and not
    reported (overdue), and the first report due today or later that is owed and not reported.
    """
    periods = _candidates(membership.reporting_frequency, today, deadlines)
    owed = [
        (index, period) for index, period in enumerate(periods)
        if member_owes(membership, period) and not member_reported(reports, period)
    ]
    result = [ReportOwed(period, deadlines.report_due(period), overdue=True) for index, period in owed if index == 0]
    upcoming = [period for index, period in owed if index > 0][:1]
    return result + [ReportOwed(period, deadlines.report_due(period), overdue=False) for period in upcoming]


def period_owed_next(membership: Membership, reports: list, *, today: datetime.date, deadlines: Deadlines) -> Period:
    """Return the period of the report ``membership`` owes next (see :func:`reports_owed`).

    With nothing owed (everything reported, or the member owes no more), the period containing ``today``.
    """
    owed = reports_owed(membership, reports, today=today, deadlines=deadlines)
    return owed[0].period if owed else Period.containing(membership.reporting_frequency, today)
