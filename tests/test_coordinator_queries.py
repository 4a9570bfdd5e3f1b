"""Coordinator reads: the dashboard figures, their definitions, and query counts that stay
the same for 3 and for 50 rows on every coordinator list and detail page."""
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import EvaluationCycle, EvaluationResponse, FollowUpAction
from evaluations.selectors import partnership_health_latest
from partners.selectors import goal_progress_by_partnership
from partners.deadlines import Deadlines, memberships_overdue
from partners.models import ContributionReport, Frequency, Partnership
from partners.views import coordinator as coordinator_views
from tests import factories as f
from workspace import views as workspace_views
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


# --- query counts ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _one_page_for_everything(monkeypatch):
    """Show every row on one page, so the counts prove there is no query per row."""
    monkeypatch.setattr(coordinator_views, "PAGE_SIZE", 100)
    monkeypatch.setattr(workspace_views, "PAGE_SIZE", 100)


def _queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries], response


def _assert_same_count(client, build, url_for, expected):
    """Build 3 rows, count; build up to 50, count again; both counts equal ``expected``.

    On failure the captured SQL is printed, so the extra query is easy to find.
    """
    state = build(3)
    small, small_sql, _response = _queries(client, url_for(state))
    state = build(50, state)
    large, large_sql, response = _queries(client, url_for(state))
    assert small == large == expected, "\n".join(
        [f"3 rows: {small} queries, 50 rows: {large}, expected {expected}", *small_sql, "--- 50 rows ---", *large_sql]
    )
    return response


def _full_partnership(coordinator, n):
    p = f.PartnershipFactory(title=f"Kemitraan {n:03d}", lead_organisation=f.OrganisationFactory())
    p.coordinators.add(coordinator)
    a, b = _member(p), _member(p)
    _report(a, "submitted")
    f.PledgeFactory(membership=a)
    cycle = f.EvaluationCycleFactory(partnership=p, status="open", period_start=datetime.date(2026, 4, 1),
                                     period_end=datetime.date(2026, 6, 30), due_date=datetime.date(2026, 7, 15))
    f.EvaluationResponseFactory(cycle=cycle, membership=a, status="submitted")
    closed = f.EvaluationCycleFactory(partnership=p, status="closed")
    f.EvaluationResponseFactory(cycle=closed, membership=b, status="submitted")
    f.FollowUpActionFactory(partnership=p, owner_organisation=a.organisation, due_date=timezone.localdate())
    indicator = f.IndicatorFactory(goal=f.SharedGoalFactory(partnership=p))
    f.IndicatorValueFactory(indicator=indicator, membership=a)
    return p


def test_dashboard_query_count_is_constant(client, coordinator):
    def build(n, made=None):
        made = made or []
        made += [_full_partnership(coordinator, i) for i in range(len(made), n)]
        return made

    client.force_login(coordinator)
    # the session, the user, the partnerships the user sees (the key of the cached page, and the
    # coordinator check on home), the deadline settings, partnerships (count + page with every figure
    # annotated), indicators with latest values, health, reports to review (count), "is the user a
    # representative?". Each build changes the partnerships, so both requests render the figures afresh.
    response = _assert_same_count(client, build, lambda made: reverse("workspace:home"), 10)
    assert len(response.context["rows"]) == 50
    assert all(row.health is not None and row.goal_progress is not None for row in response.context["rows"])


def test_partnership_list_query_count_is_constant(client, coordinator):
    def build(n, made=None):
        made = made or []
        made += [_full_partnership(coordinator, i) for i in range(len(made), n)]
        return made

    client.force_login(coordinator)
    # the session, the user, coordinator check, count, page.
    response = _assert_same_count(client, build, lambda made: reverse("partners:partnership_list"), 5)
    assert len(response.context["page"].object_list) == 50


def test_partnership_detail_query_count_is_constant(client, coordinator, partnership):
    def build(n, made=None):
        made = made or []
        for _ in range(len(made), n):
            m = _member(partnership)
            f.PledgeFactory(membership=m)
            _report(m, "accepted")
            goal = f.SharedGoalFactory(partnership=partnership)
            f.IndicatorValueFactory(indicator=f.IndicatorFactory(goal=goal), membership=m)
            made.append(m)
        return made

    client.force_login(coordinator)
    # the session, the user, the user's partnerships (key of the cached page, and the access check),
    # the deadline settings, partnership with figures, indicators (progress), health, members with
    # totals, pledges by kind, delivered by kind, goals, their indicators, recent reports, coordinators.
    response = _assert_same_count(
        client, build, lambda made: reverse("workspace:partnership_detail", args=[partnership.pk]), 14
    )
    assert len(response.context["members"]) == 50


def test_pledge_summary_query_count_is_constant(client, coordinator, partnership):
    def build(n, made=None):
        made = made or []
        for _ in range(len(made), n):
            m = _member(partnership)
            f.PledgeFactory(membership=m, kind="funds")
            f.PledgeFactory(membership=m, kind="volunteer_hours", quantity=Decimal("10"), unit="jam")
            _report(m, "accepted")
            made.append(m)
        return made

    client.force_login(coordinator)
    # the session, the user, partnership, members with totals, pledges by kind, delivered by kind.
    _assert_same_count(client, build, lambda made: reverse("partners:pledge_summary", args=[partnership.pk]), 6)


def test_indicator_detail_query_count_is_constant(client, coordinator, partnership):
    indicator = f.IndicatorFactory(goal=f.SharedGoalFactory(partnership=partnership))

    def build(n, made=None):
        made = made or []
        for i in range(len(made), n):
            start = datetime.date(2020 + i // 12, i % 12 + 1, 1)
            made.append(f.IndicatorValueFactory(
                indicator=indicator, membership=_member(partnership), period_start=start, period_end=start,
                reported_by=coordinator,
            ))
        return made

    client.force_login(coordinator)
    # the session, the user, indicator with goal, partnership and latest value, values with members.
    response = _assert_same_count(
        client, build, lambda made: reverse("partners:indicator_detail", args=[indicator.pk]), 4
    )
    assert len(response.context["chart"]["labels"]) == 50


def test_review_queue_query_count_is_constant(client, coordinator, partnership):
    def build(n, made=None):
        made = made or []
        made += [_report(_member(partnership), "submitted") for _ in range(len(made), n)]
        return made

    client.force_login(coordinator)
    # the session, the user, the user's partnerships (key of the cached page, and the coordinator
    # check), count, page, partnerships for the filter.
    response = _assert_same_count(client, build, lambda made: reverse("partners:review_queue"), 6)
    assert len(response.context["page"].object_list) == 50


def _known_organisations(coordinator, names):
    """Organisations of another partnership ``coordinator`` runs: the ones the member form lists."""
    second = f.PartnershipFactory(title="Kemitraan Kedua")
    second.coordinators.add(coordinator)
    return [f.MembershipFactory(partnership=second, organisation=f.OrganisationFactory(**name)).organisation
            for name in names]


def test_add_member_query_count_is_constant(client, coordinator, partnership):
    def build(n, made=None):
        made = made or []
        made += _known_organisations(coordinator, [{} for _ in range(len(made), n)])
        return made

    client.force_login(coordinator)
    # the session, the user, partnership, organisations offered.
    response = _assert_same_count(
        client, build, lambda made: reverse("partners:membership_add", args=[partnership.pk]), 4
    )
    assert len(response.context["org_form"].fields["organisation"].choices) == 51


def test_organisation_search_query_count_is_constant(client, coordinator, partnership):
    def build(n, made=None):
        made = made or []
        made += _known_organisations(coordinator, [{"name": f"Yayasan {i:03d}"} for i in range(len(made), n)])
        return made

    client.force_login(coordinator)
    url = reverse("partners:organisation_options", args=[partnership.pk]) + "?q=yayasan"
    _assert_same_count(client, build, lambda made: url, 4)


def test_edit_member_query_count_is_constant(client, coordinator, partnership, membership_a):
    def build(n, made=None):
        made = made or []
        made += [f.PledgeFactory(membership=membership_a) for _ in range(len(made), n)]
        return made

    client.force_login(coordinator)
    # the session, the user, membership with partnership and organisation, its pledges.
    _assert_same_count(client, build, lambda made: reverse("partners:membership_edit", args=[membership_a.pk]), 4)


def test_review_pages_query_count(client, coordinator, membership_a):
    report = _report(membership_a, "submitted")
    client.force_login(coordinator)
    for name in ("partners:report_accept", "partners:report_return"):
        count, sql, _response = _queries(client, reverse(name, args=[report.pk]))
        assert count == 3, "\n".join(sql)  # the session, the user, report with member, organisation, partnership


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
