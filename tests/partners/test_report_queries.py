"""Query counts: every partner list and detail page runs the same number of queries for 3 and 50 rows."""
import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from evaluations.models import EvaluationCycle, FollowUpAction
from partners import services
from partners.models import ContributionReport
from tests import factories as f

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _count(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries), [q["sql"] for q in ctx.captured_queries]


def _assert_same(few, many, expected):
    detail = "\n".join(many[1])
    assert few[0] == many[0], f"{few[0]} queries for few rows, {many[0]} for many:\n{detail}"
    assert many[0] == expected, f"expected {expected} queries, got {many[0]}:\n{detail}"


# --- report list --------------------------------------------------------------------------------


def _list_rows(membership_a, membership_b, n):
    for i in range(n):
        f.ContributionReportFactory(membership=membership_a, status=ContributionReport.Status.SUBMITTED,
                                    period_start=datetime.date(2026, 1, 1) + datetime.timedelta(days=i))
        f.ContributionReportFactory(membership=membership_b, status=ContributionReport.Status.ACCEPTED)


# Queries: the session, the user, the navigation's roles, the user's partnerships (key of the cached
# fragment), partnerships for the filter select, organisations for the filter select, "may create" check,
# paginator count, page rows (reports joined to member, organisation, partnership, reviewer).
LIST_QUERIES = 9


@pytest.mark.parametrize("who", ["partner_a", "coordinator"])
def test_report_list_query_count_does_not_grow_with_rows(client, request, who, membership_a, membership_b):
    client.force_login(request.getfixturevalue(who))
    url = reverse("partners:report_list") + "?sort=-value"
    _list_rows(membership_a, membership_b, 3)
    few = _count(client, url)
    _list_rows(membership_a, membership_b, 47)
    many = _count(client, url)
    _assert_same(few, many, LIST_QUERIES)


def test_report_list_second_page_query_count(client, coordinator, membership_a, membership_b):
    client.force_login(coordinator)
    _list_rows(membership_a, membership_b, 50)
    count, sql = _count(client, reverse("partners:report_list") + "?page=2&status=submitted")
    assert count == LIST_QUERIES, "\n".join(sql)


# --- report detail ------------------------------------------------------------------------------


def _detail_rows(report, partner, n):
    for i in range(n):
        services.attachment_add(report=report, user=partner,
                                uploaded_file=SimpleUploadedFile(f"bukti-{i}.pdf", PDF))
        services.report_update(report=report, user=partner, description=f"Revisi {report.pk}-{i}")
    report.goals.add(*[f.SharedGoalFactory(partnership=report.membership.partnership) for _ in range(n)])


# Queries: the session, the user, the navigation's roles, report (joined), may-edit check,
# coordinates-this-partnership check (for the review links), goals, attachments, history (joined to its users).
@pytest.mark.parametrize(("who", "expected"), [("partner_a", 9), ("coordinator", 9)])
def test_report_detail_query_count_does_not_grow_with_files_goals_or_history(
    client, request, who, expected, partner_a, report_a
):
    user = request.getfixturevalue(who)
    _detail_rows(report_a, partner_a, 3)
    services.report_submit(report=report_a, user=partner_a)
    client.force_login(user)
    few = _count(client, report_a.get_absolute_url())
    services.report_return(report=report_a, user=f.UserFactory(is_superuser=True), reason="Perbaiki")
    _detail_rows(report_a, partner_a, 47)
    services.report_resubmit(report=report_a, user=partner_a)
    many = _count(client, report_a.get_absolute_url())
    _assert_same(few, many, expected)


# --- attachment page, report form -------------------------------------------------------------------


def test_attachment_page_query_count_does_not_grow_with_files(client, partner_a, report_a):
    client.force_login(partner_a)
    url = reverse("partners:attachment_add", kwargs={"pk": report_a.pk})
    for i in range(3):
        services.attachment_add(report=report_a, user=partner_a, uploaded_file=SimpleUploadedFile(f"{i}.pdf", PDF))
    few = _count(client, url)
    for i in range(47):
        services.attachment_add(report=report_a, user=partner_a, uploaded_file=SimpleUploadedFile(f"{i}.pdf", PDF))
    many = _count(client, url)
    # the session, the user, the navigation's roles, report, attachments
    _assert_same(few, many, 5)


def test_report_form_query_count_does_not_grow_with_memberships_and_goals(client, partner_a, org_a):
    client.force_login(partner_a)
    url = reverse("partners:report_create")

    def add(n):
        for _ in range(n):
            membership = f.MembershipFactory(organisation=org_a)
            f.SharedGoalFactory(partnership=membership.partnership)

    add(3)
    few = _count(client, url)
    add(47)
    many = _count(client, url)
    # the session, the user, the navigation's roles, "has memberships", membership choices, goal choices
    _assert_same(few, many, 6)


def test_report_edit_form_query_count_does_not_grow_with_goals(client, partner_a, report_a):
    client.force_login(partner_a)
    url = reverse("partners:report_edit", kwargs={"pk": report_a.pk})
    for _ in range(3):
        report_a.goals.add(f.SharedGoalFactory(partnership=report_a.membership.partnership))
    few = _count(client, url)
    for _ in range(47):
        report_a.goals.add(f.SharedGoalFactory(partnership=report_a.membership.partnership))
    many = _count(client, url)
    # the session, the user, the navigation's roles, report, its goals (initial), membership choice, goal choices
    _assert_same(few, many, 7)


# --- partner home ---------------------------------------------------------------------------------


def _home_rows(org, n):
    for i in range(n):
        membership = f.MembershipFactory(organisation=org)
        f.ContributionReportFactory(membership=membership, status=ContributionReport.Status.SUBMITTED)
        f.EvaluationCycleFactory(partnership=membership.partnership, status=EvaluationCycle.Status.OPEN,
                                 due_date=datetime.date(2026, 5, 1) + datetime.timedelta(days=i % 20))
        f.FollowUpActionFactory(partnership=membership.partnership, owner_organisation=org,
                                due_date=datetime.date(2026, 4, 1), status=FollowUpAction.Status.OPEN)


def test_partner_home_query_count_does_not_grow_with_partnerships(client, partner_a, org_a):
    client.force_login(partner_a)
    url = reverse("workspace:partner_home")
    _home_rows(org_a, 3)
    few = _count(client, url)
    _home_rows(org_a, 47)
    many = _count(client, url)
    assert len(many[1]) and "evaluation" in " ".join(many[1]).lower()
    # the session, the user, the navigation's roles, the user's partnerships (key of the cached fragment), the deadline
    # settings, memberships, their counted reports of the periods they may owe, open cycles,
    # submitted answers, follow-up actions, recent reports
    _assert_same(few, many, 11)


# --- indicator values -------------------------------------------------------------------------------


def test_indicator_value_page_query_count_does_not_grow_with_indicators(client, partner_a, membership_a):
    client.force_login(partner_a)
    url = reverse("partners:indicatorvalue_entry", kwargs={"pk": membership_a.pk}) + (
        "?period_start=2026-04-01&period_end=2026-06-30"
    )
    goal = f.SharedGoalFactory(partnership=membership_a.partnership)

    def add(n):
        for _ in range(n):
            indicator = f.IndicatorFactory(goal=goal)
            f.IndicatorValueFactory(indicator=indicator, membership=membership_a,
                                    period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 6, 30))

    add(3)
    few = _count(client, url)
    add(47)
    many = _count(client, url)
    # the session, the user, the navigation's roles, membership, indicators (with goal), existing values, reported
    # periods
    _assert_same(few, many, 7)


# --- confirmation pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "expected"), [("report_delete", 5), ("report_submit", 4)])
def test_confirmation_pages_query_count_does_not_grow_with_files(client, partner_a, report_a, name, expected):
    client.force_login(partner_a)
    url = reverse(f"partners:{name}", kwargs={"pk": report_a.pk})
    for i in range(3):
        services.attachment_add(report=report_a, user=partner_a, uploaded_file=SimpleUploadedFile(f"{i}.pdf", PDF))
    few = _count(client, url)
    for i in range(47):
        services.attachment_add(report=report_a, user=partner_a, uploaded_file=SimpleUploadedFile(f"{i}.pdf", PDF))
    many = _count(client, url)
    # the session, the user, the navigation's roles, report (joined); the delete page also counts the files
    # it will remove
    _assert_same(few, many, expected)


def test_attachment_delete_confirmation_query_count(client, partner_a, report_a):
    client.force_login(partner_a)
    attachments = [
        services.attachment_add(report=report_a, user=partner_a, uploaded_file=SimpleUploadedFile(f"{i}.pdf", PDF))
        for i in range(50)
    ]
    url = reverse("partners:attachment_delete", kwargs={"pk": attachments[0].pk})
    count, sql = _count(client, url)
    # the session, the user, the navigation's roles, attachment joined to its report, member, organisation and
    # partnership
    assert count == 4, "\n".join(sql)


# --- the report form's POST -------------------------------------------------------------------------


def _post_queries(client, data):
    with CaptureQueriesContext(connection) as ctx:
        response = client.post(reverse("partners:report_create"), data)
    assert response.status_code == 302, response.content[:2000]
    return [q["sql"] for q in ctx.captured_queries]


@pytest.mark.django_db(transaction=True)  # no test transaction around it: the queries are production's
@pytest.mark.parametrize("with_goals", [False, True], ids=["no goals", "goals"])
def test_report_create_post_query_count(client, partner_a, membership_a, with_goals):
    client.force_login(partner_a)
    goals = [f.SharedGoalFactory(partnership=membership_a.partnership) for _ in range(2)]
    data = {"membership": membership_a.pk, "period_start": "2026-01-01", "period_end": "2026-01-31",
            "kind": "funds", "quantity": "1", "unit": "paket", "value": "125000", "description": "Bantuan"}
    if with_goals:
        data["goals"] = [goal.pk for goal in goals]
    queries = _post_queries(client, data)
    report = ContributionReport.objects.get(description="Bantuan")
    assert report.membership == membership_a and report.created_by == partner_a
    assert set(report.goals.all()) == (set(goals) if with_goals else set())
    # The session, the user.
    # The form: the member (its choice among the user's memberships), with goals: the goals (their choice
    # among the goals of those partnerships); then the model's full_clean() of the form's fields: the
    # member exists, and one query for each check constraint on them (quantity, value, period).
    # The service's full_clean() of the new report, before its transaction: the member and the author
    # exist (its check constraints are the form's and the database's).
    # The write, in one transaction (BEGIN, COMMIT): the report, its history row, its partnership's new cache
    # token; with goals: the links already there (none), the links, and the partnership's token again
    # (m2m_changed).
    expected = 2 + (1 + with_goals + 1 + 3) + 2 + (2 + 3) + (3 if with_goals else 0)
    assert len(queries) == expected, "\n".join(queries)
    written = "\n".join(queries)
    assert written.count('INSERT INTO "partners_contributionreport" ') == 1, written
    assert written.count('INSERT INTO "partners_historicalcontributionreport"') == 1, written
