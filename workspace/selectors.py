"""Figures that combine partnerships and evaluations: the coordinator dashboard and the partnership page.

Each starts from a queryset the access rules already limited (``partners.access``) and adds the
figures of ``partners.selectors``, ``partners.deadlines`` and ``evaluations.selectors``.
"""
import datetime

from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone

from evaluations import access as evaluation_access
from evaluations.models import EvaluationCycle, EvaluationResponse, FollowUpAction
from evaluations.selectors import partnership_health_latest
from partners import access
from partners.deadlines import Deadlines, memberships_overdue
from partners.models import ContributionReport, Partnership
from partners.selectors import count_of, goal_progress_by_partnership, partnerships_with_member_count

FOLLOW_UP_DUE_DAYS = 14


def partnerships_dashboard_for(user, today: datetime.date | None = None,
                               deadlines: Deadlines | None = None) -> QuerySet[Partnership]:
    """Return the partnerships ``user`` coordinates with every dashboard figure annotated.

    Annotations: ``members_count`` (active members), ``reports_waiting``,
    ``reports_overdue`` (``partners.deadlines.memberships_overdue``), ``open_cycle_id`` /
    ``open_cycle_due`` / ``open_cycle_answered`` (submitted answers to the open
    evaluation cycle due first), ``actions_due`` (open or in-progress follow-up actions
    due within FOLLOW_UP_DUE_DAYS days or overdue) and ``actions_overdue``.
    Goal progress and health need Python and come from ``partnerships_attach_scores``.
    """
    today = today or timezone.localdate()
    deadlines = deadlines or Deadlines.load()
    open_cycle = EvaluationCycle.objects.filter(
        partnership=OuterRef("pk"), status=EvaluationCycle.Status.OPEN
    ).order_by("due_date", "id")
    open_actions = FollowUpAction.objects.filter(partnership=OuterRef("pk"), status__in=evaluation_access.OPEN_STATUSES)
    return (
        partnerships_with_member_count(access.partnerships_coordinated_by(user), today)
        .annotate(
            reports_waiting=count_of(
                ContributionReport.objects.filter(
                    membership__partnership=OuterRef("pk"), status=ContributionReport.Status.SUBMITTED
                ),
                "membership__partnership",
            ),
            reports_overdue=count_of(memberships_overdue(today, deadlines).filter(partnership=OuterRef("pk"))),
            open_cycle_id=Subquery(open_cycle.values("pk")[:1]),
            open_cycle_due=Subquery(open_cycle.values("due_date")[:1]),
            open_cycle_answered=count_of(
                EvaluationResponse.objects.filter(
                    cycle=OuterRef("open_cycle_id"), status=EvaluationResponse.Status.SUBMITTED
                ),
                "cycle",
            ),
            actions_due=count_of(
                open_actions.filter(due_date__lte=today + datetime.timedelta(days=FOLLOW_UP_DUE_DAYS))
            ),
            actions_overdue=count_of(open_actions.filter(due_date__lt=today)),
        )
    )


def partnerships_attach_scores(partnerships):
    """Set ``goal_progress`` (0-1) and ``health`` (0-100) on each partnership; two queries in all."""
    partnerships = list(partnerships)
    ids = [p.pk for p in partnerships]
    progress = goal_progress_by_partnership(ids)
    health = partnership_health_latest(ids)
    for p in partnerships:
        p.goal_progress = progress.get(p.pk)
        p.health = health.get(p.pk)
    return partnerships
