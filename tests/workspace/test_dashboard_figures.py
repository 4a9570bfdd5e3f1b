"""The dashboard figures (``workspace.selectors``) and their definitions: overdue members, health,
goal progress, the waiting reports."""
import datetime
from decimal import Decimal

import pytest

from evaluations.models import EvaluationCycle, EvaluationResponse, FollowUpAction
from evaluations.selectors import partnership_health_latest
from partners.deadlines import Deadlines, memberships_overdue
from partners.models import ContributionReport, Frequency, Partnership
from partners.selectors import goal_progress_by_partnership
from tests import factories as f
from workspace.selectors import partnerships_dashboard_for

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 5, 10)


# --- definitions ---------------------------------------------------------------------------


def _member(partnership, **kwargs):
    kwargs.setdefault("joined_on", datetime.date(2025, 12, 1))
    kwargs.setdefault("reporting_frequency", Frequency.QUARTERLY)
    return f.MembershipFactory(partnership=partnership, **kwargs)


def _report(membership, status, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 3, 31)):
    return f.ContributionReportFactory(
        membership=membership, status=status, period_start=start, period_end=end,
        return_reason="Perbaiki" if status == "returned" else "",
    )


def test_member_without_a_report_for_the_last_quarter_is_overdue():
    p = f.PartnershipFactory()
    missing = _member(p)
    drafted = _member(p)
    _report(drafted, "draft")
    returned = _member(p)
    _report(returned, "returned")
    submitted = _member(p)
    _report(submitted, "submitted")
    accepted = _member(p)
    _report(accepted, "accepted", start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31))
    assert set(memberships_overdue(TODAY, Deadlines.load())) == {missing, drafted, returned}


def test_members_not_expected_to_report_are_not_overdue():
    p = f.PartnershipFactory()
    _member(p, joined_on=datetime.date(2026, 2, 1))  # joined during the quarter
    _member(p, joined_on=datetime.date(2025, 1, 1), left_on=datetime.date(2026, 2, 1))  # left during it
    monthly = _member(p, reporting_frequency=Frequency.MONTHLY)  # March is due on 14 April; April not before 14 May
    _report(monthly, "submitted", start=datetime.date(2026, 3, 1), end=datetime.date(2026, 3, 31))
    paused = f.PartnershipFactory(status=Partnership.Status.PAUSED)
    _member(paused)
    assert list(memberships_overdue(TODAY, Deadlines.load())) == []


def test_health_is_the_official_index_of_the_latest_closed_cycle():
    p = f.PartnershipFactory()
    a, b, c = _member(p), _member(p), _member(p)
    old = f.EvaluationCycleFactory(partnership=p, status="closed", period_start=datetime.date(2025, 7, 1),
                                   period_end=datetime.date(2025, 12, 31), due_date=datetime.date(2026, 1, 15))
    latest = f.EvaluationCycleFactory(partnership=p, status="closed")
    f.EvaluationCycleFactory(partnership=p, status="open", period_start=datetime.date(2026, 4, 1),
                             period_end=datetime.date(2026, 6, 30), due_date=datetime.date(2026, 7, 15))
    all_scores = {field: 5 for field in (
        "score_shared_goals", "score_mutual_benefit", "score_long_term_commitment", "score_shared_leadership",
        "score_accountability", "score_continuous_evaluation")}
    f.EvaluationResponseFactory(cycle=old, membership=a, status="submitted", **{k: 1 for k in all_scores})
    f.EvaluationResponseFactory(cycle=latest, membership=a, status="submitted", **all_scores)
    f.EvaluationResponseFactory(cycle=latest, membership=b, status="submitted", **{k: 3 for k in all_scores})
    f.EvaluationResponseFactory(cycle=latest, membership=c, status="draft", **{k: 1 for k in all_scores})
    empty = f.PartnershipFactory()
    assert partnership_health_latest([p.pk, empty.pk]) == {p.pk: 75, empty.pk: None}


def test_goal_progress_averages_indicators_at_their_latest_values():
    p = f.PartnershipFactory()
    m = _member(p)
    goal = f.SharedGoalFactory(partnership=p)
    up = f.IndicatorFactory(goal=goal, baseline=Decimal("0"), target=Decimal("100"))
    down = f.IndicatorFactory(goal=goal, baseline=Decimal("80"), target=Decimal("40"), direction="decrease")
    f.IndicatorFactory(goal=goal)  # no value yet: left out
    f.IndicatorValueFactory(indicator=up, membership=m, value=Decimal("90"))  # older period
    f.IndicatorValueFactory(indicator=up, membership=m, value=Decimal("20"), period_start=datetime.date(2026, 4, 1),
                            period_end=datetime.date(2026, 6, 30))
    f.IndicatorValueFactory(indicator=down, membership=m, value=Decimal("60"))
    assert goal_progress_by_partnership([p.pk]) == {p.pk: Decimal("0.35")}


def test_dashboard_figures(coordinator):
    p = f.PartnershipFactory()
    p.coordinators.add(coordinator)
    a, b = _member(p), _member(p)
    _member(p, left_on=datetime.date(2026, 4, 30))  # left: not a member now, but still owes Q1
    _report(a, "submitted")
    _report(b, "draft")
    cycle = f.EvaluationCycleFactory(partnership=p, status="open", period_start=datetime.date(2026, 1, 1))
    f.EvaluationResponseFactory(cycle=cycle, membership=a, status="submitted")
    f.EvaluationResponseFactory(cycle=cycle, membership=b, status="draft",
                                score_shared_goals=None)
    owner = a.organisation
    f.FollowUpActionFactory(partnership=p, owner_organisation=owner, due_date=TODAY - datetime.timedelta(days=3))
    f.FollowUpActionFactory(partnership=p, owner_organisation=owner, due_date=TODAY + datetime.timedelta(days=14),
                            status=FollowUpAction.Status.IN_PROGRESS)
    f.FollowUpActionFactory(partnership=p, owner_organisation=owner, due_date=TODAY + datetime.timedelta(days=15))
    f.FollowUpActionFactory(partnership=p, owner_organisation=owner, due_date=TODAY, status="done")
    row = partnerships_dashboard_for(coordinator, TODAY).get(pk=p.pk)
    assert row.members_count == 2
    assert row.reports_waiting == 1
    assert row.reports_overdue == 2  # b has only a draft; the member who left in April owes Q1
    assert (row.open_cycle_id, row.open_cycle_answered) == (cycle.pk, 1)
    assert (row.actions_due, row.actions_overdue) == (2, 1)


def test_dashboard_for_a_partnership_without_anything(coordinator, partnership):
    row = partnerships_dashboard_for(coordinator, TODAY).get()
    assert (row.members_count, row.reports_waiting, row.reports_overdue, row.open_cycle_id, row.actions_due) == (
        0, 0, 0, None, 0)


def test_waiting_figure_counts_only_submitted_reports(coordinator, partnership, membership_a):
    _report(membership_a, "submitted")
    _report(membership_a, "returned")
    _report(membership_a, "accepted")
    row = partnerships_dashboard_for(coordinator, TODAY).get()
    assert row.reports_waiting == ContributionReport.objects.filter(status="submitted").count() == 1
    assert EvaluationCycle.objects.count() == EvaluationResponse.objects.count() == 0


def test_health_rounds_like_the_evaluations_app():
    p = f.PartnershipFactory()
    cycle = f.EvaluationCycleFactory(partnership=p, status="closed")
    # scores 4,4,4,3,4,3 -> mean 22/6 -> (22/6 - 1) / 4 * 100 = 66.67 -> 67
    f.EvaluationResponseFactory(cycle=cycle, membership=_member(p), status="submitted")
    assert partnership_health_latest([p.pk]) == {p.pk: 67}
