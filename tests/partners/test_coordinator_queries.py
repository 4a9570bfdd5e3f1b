"""Coordinator reads: query counts that stay the same for 3 and for 50 rows on every coordinator
list and detail page (the dashboard and the partnership page included; their figures are
tests/workspace/test_dashboard_figures.py)."""
import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from partners.models import Frequency
from partners.views import coordinator as coordinator_views
from tests import factories as f
from workspace import views as workspace_views

pytestmark = pytest.mark.django_db

def _member(partnership, **kwargs):
    kwargs.setdefault("joined_on", datetime.date(2025, 12, 1))
    kwargs.setdefault("reporting_frequency", Frequency.QUARTERLY)
    return f.MembershipFactory(partnership=partnership, **kwargs)


def _report(membership, status, start=datetime.date(2026, 1, 1), end=datetime.date(2026, 3, 31)):
    return f.ContributionReportFactory(
        membership=membership, status=status, period_start=start, period_end=end,
        return_reason="Perbaiki" if status == "returned" else "",
    )


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
    # the session, the user, the navigation's roles, the partnerships the user sees (the key of the cached page, and the
    # coordinator check on home), the deadline settings, partnerships (count + page with every figure
    # annotated), indicators with latest values, health, reports to review (count), "is the user a
    # representative?". Each build changes the partnerships, so both requests render the figures afresh.
    response = _assert_same_count(client, build, lambda made: reverse("workspace:home"), 11)
    assert len(response.context["rows"]) == 50
    assert all(row.health is not None and row.goal_progress is not None for row in response.context["rows"])


def test_partnership_list_query_count_is_constant(client, coordinator):
    def build(n, made=None):
        made = made or []
        made += [_full_partnership(coordinator, i) for i in range(len(made), n)]
        return made

    client.force_login(coordinator)
    # the session, the user, the navigation's roles, coordinator check, count, page.
    response = _assert_same_count(client, build, lambda made: reverse("partners:partnership_list"), 6)
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
    # the session, the user, the navigation's roles, the user's partnerships (key of the cached page, and the access
    # check), the deadline settings, partnership with figures, indicators (progress), health, members with
    # totals, pledges by kind, delivered by kind, goals, their indicators, recent reports, coordinators.
    response = _assert_same_count(
        client, build, lambda made: reverse("workspace:partnership_detail", args=[partnership.pk]), 15
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
    # the session, the user, the navigation's roles, partnership, members with totals, pledges by kind, delivered by
    # kind.
    _assert_same_count(client, build, lambda made: reverse("partners:pledge_summary", args=[partnership.pk]), 7)


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
    # the session, the user, the navigation's roles, indicator with goal, partnership and latest value, values with
    # members.
    response = _assert_same_count(
        client, build, lambda made: reverse("partners:indicator_detail", args=[indicator.pk]), 5
    )
    assert len(response.context["chart"]["labels"]) == 50


def test_review_queue_query_count_is_constant(client, coordinator, partnership):
    def build(n, made=None):
        made = made or []
        made += [_report(_member(partnership), "submitted") for _ in range(len(made), n)]
        return made

    client.force_login(coordinator)
    # the session, the user, the navigation's roles, the user's partnerships (key of the cached page, and the
    # coordinator check), count, page, partnerships for the filter.
    response = _assert_same_count(client, build, lambda made: reverse("partners:review_queue"), 7)
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
    # the session, the user, the navigation's roles, partnership, organisations offered.
    response = _assert_same_count(
        client, build, lambda made: reverse("partners:membership_add", args=[partnership.pk]), 5
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
    # the session, the user, the navigation's roles, membership with partnership and organisation, its pledges.
    _assert_same_count(client, build, lambda made: reverse("partners:membership_edit", args=[membership_a.pk]), 5)


def test_review_pages_query_count(client, coordinator, membership_a):
    report = _report(membership_a, "submitted")
    client.force_login(coordinator)
    for name in ("partners:report_accept", "partners:report_return"):
        count, sql, _response = _queries(client, reverse(name, args=[report.pk]))
        # the session, the user, the navigation's roles, report with member, organisation, partnership
        assert count == 4, "\n".join(sql)
