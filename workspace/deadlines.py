"""A person's deadlines across reports, evaluations and follow-up actions: what they must do, and by when.

One function, ``deadlines_for``, read by the partner home (and later by a calendar feed), built on
the rules that decide each kind, never a copy of them:

- **reports**: what each member owes (``partners.deadlines.reports_owed``: the overdue one, and the
  next), for every organisation the person represents; the next one is listed once its period has
  begun or it is due within ``DUE_SOON_DAYS``;
- **evaluations**: the open cycles not yet answered by a member the person acts for today
  (``partners.access.memberships_represented_by`` current on the day);
- **follow-up actions**: the actions the person must act on (``evaluations.access.actions_to_act_on``)
  due within ``DUE_SOON_DAYS`` or overdue.

Overdue means one thing everywhere: ``partners.deadlines.is_overdue``.
"""
import datetime
from dataclasses import dataclass

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _

from evaluations import access as evaluation_access
from evaluations.models import EvaluationCycle, EvaluationResponse
from partners import access
from partners.deadlines import Deadlines, counted_reports, is_overdue, reports_owed
from partners.models import Membership, Partnership

DUE_SOON_DAYS = 14
ACTIONS_LIMIT = 50


@dataclass
class Deadline:
    """One thing a person must do by ``due``, seen on ``today``: a report, an evaluation or an action."""

    kind: str  # "report", "evaluation" or "action"
    title: str
    partnership: Partnership
    organisation_name: str
    due: datetime.date
    today: datetime.date
    url: str

    @property
    def overdue(self) -> bool:
        return is_overdue(self.due, self.today)

    @property
    def days(self) -> int:
        return (self.due - self.today).days

    @property
    def days_late(self) -> int:
        return (self.today - self.due).days


def deadlines_for(user, today: datetime.date, *, rules: Deadlines | None = None,
                  memberships: list[Membership] | None = None) -> list[Deadline]:
    """Return what ``user`` must do, by due date: reports owed, evaluations to answer, actions to act on.

    ``memberships`` are those of the organisations ``user`` represents
    (``partners.access.memberships_represented_by``), when the caller has read them already.
    """
    rules = rules or Deadlines.load()
    if memberships is None:
        memberships = list(access.memberships_represented_by(user))
    deadlines = (
        _reports(memberships, today, rules)
        + _evaluations([m for m in memberships if m.is_current_on(today)], today)
        + _actions(user, today)
    )
    return sorted(deadlines, key=lambda d: (d.due, d.kind))


def _reports(memberships, today, rules: Deadlines) -> list[Deadline]:
    reports = counted_reports([m.pk for m in memberships], today=today, deadlines=rules)
    deadlines = []
    for membership in memberships:
        for owed in reports_owed(membership, reports[membership.pk], today=today, deadlines=rules):
            period = owed.period
            if not owed.overdue and period.start > today and owed.due > today + datetime.timedelta(days=DUE_SOON_DAYS):
                continue
            deadlines.append(Deadline(
                kind="report",
                title=_("Contribution report %(start)s – %(end)s") % {
                    "start": formats.date_format(period.start, "SHORT_DATE_FORMAT"),
                    "end": formats.date_format(period.end, "SHORT_DATE_FORMAT"),
                },
                partnership=membership.partnership, organisation_name=membership.organisation.name,
                due=owed.due, today=today,
                url=reverse("partners:report_create") + f"?membership={membership.pk}",
            ))
    return deadlines


def _evaluations(acting, today) -> list[Deadline]:
    """The open cycles of the partnerships of ``acting`` (memberships current today) each has not answered."""
    by_partnership = {}
    for membership in acting:
        by_partnership.setdefault(membership.partnership_id, []).append(membership)
    if not by_partnership:
        return []
    cycles = list(
        EvaluationCycle.objects.filter(status=EvaluationCycle.Status.OPEN, partnership_id__in=by_partnership)
        .select_related("partnership")
        .order_by("due_date", "id")
    )
    answered = set(
        EvaluationResponse.objects.filter(
            cycle__in=[c.pk for c in cycles],
            membership__in=[m.pk for m in acting],
            status=EvaluationResponse.Status.SUBMITTED,
        ).values_list("cycle_id", "membership_id")
    )
    return [
        Deadline(
            kind="evaluation", title=_("Evaluation: %(cycle)s") % {"cycle": cycle.title or cycle.partnership.title},
            partnership=cycle.partnership, organisation_name=membership.organisation.name,
            due=cycle.due_date, today=today,
            url=reverse("evaluations:cycle_respond", kwargs={"pk": cycle.pk, "membership_pk": membership.pk}),
        )
        for cycle in cycles
        for membership in by_partnership[cycle.partnership_id]
        if (cycle.pk, membership.pk) not in answered
    ]


def _actions(user, today) -> list[Deadline]:
    actions = (
        evaluation_access.actions_to_act_on(user, today)
        .filter(due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
        .order_by("due_date", "id")[:ACTIONS_LIMIT]
    )
    return [
        Deadline(
            kind="action", title=action.title, partnership=action.partnership,
            organisation_name=action.owner_organisation.name, due=action.due_date, today=today,
            url=reverse("evaluations:action_detail", kwargs={"pk": action.pk}),
        )
        for action in actions
    ]
