"""Query counts of every evaluation, action and decision page: the same for 3 rows and for 50.

Each test builds 3 rows, counts the queries of one GET, adds 47 rows, counts again, and
checks both counts against the number pinned here. On failure the captured SQL is printed.
"""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from evaluations.models import SCORE_FIELDS, EvaluationCycle, Vote
from evaluations.services import action_set_status
from tests import factories as f

FAR = datetime.date(2099, 1, 31)


def count(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200, response
    return len(context), [q["sql"] for q in context.captured_queries]


def assert_constant(client, url, grow, pinned):
    """Count queries for the current rows, call ``grow`` (47 more rows), count again."""
    few, few_sql = count(client, url)
    grow()
    many, many_sql = count(client, url)
    assert few == many == pinned, "\n".join(["-- 3 rows:", *few_sql, "-- 50 rows:", *many_sql])


def members(partnership, n):
    return [f.MembershipFactory(partnership=partnership) for _ in range(n)]


def submitted(cycle, memberships):
    for m in memberships:
        f.EvaluationResponseFactory(cycle=cycle, membership=m, status="submitted",
                                    **dict(zip(SCORE_FIELDS.values(), [4, 3, 5, 2, 4, 3])))


@pytest.fixture
def open_cycle(partnership):
    return f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN,
                                    period_start=datetime.date(2026, 10, 1), period_end=datetime.date(2026, 12, 31),
                                    due_date=datetime.date(2027, 1, 14))


def _cycles(partnership, n, start_year=2000):
    for i in range(n):
        year = start_year + i // 4
        quarter = i % 4
        start = datetime.date(year, quarter * 3 + 1, 1)
        end = (datetime.date(year + (quarter == 3), (quarter * 3 + 3) % 12 + 1, 1) - datetime.timedelta(days=1))
        cycle = f.EvaluationCycleFactory(partnership=partnership, period_start=start, period_end=end,
                                         due_date=end + datetime.timedelta(days=14), status=EvaluationCycle.Status.CLOSED)
        submitted(cycle, members(partnership, 3) if i == 0 else [])
        yield cycle


# --- cycles ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["coordinator", "partner_a"])
def test_cycle_list_queries(request, client, partnership, partner_a, who):
    list(_cycles(partnership, 3))
    client.force_login(request.getfixturevalue(who))
    # the session, the user, the navigation's roles, count, page of cycles (with answer counts), the user's own answers
    assert_constant(client, reverse("evaluations:cycle_list"), lambda: list(_cycles(partnership, 47, 2010)), 6)


@pytest.mark.parametrize(("who", "pinned"), [("coordinator", 8), ("partner_a", 8)])
def test_partnership_cycles_queries(request, client, partnership, partner_a, who, pinned):
    list(_cycles(partnership, 3))
    client.force_login(request.getfixturevalue(who))
    # the session, the user, the navigation's roles, partnership, coordinator?, cycles, their submitted scores,
    # the user's own answers
    url = reverse("evaluations:partnership_cycles", kwargs={"partnership_pk": partnership.pk})
    assert_constant(client, url, lambda: list(_cycles(partnership, 47, 2010)), pinned)


def test_cycle_detail_queries_for_coordinator(client, coordinator, partnership, open_cycle):
    submitted(open_cycle, members(partnership, 3))
    f.FindingFactory(cycle=open_cycle)
    client.force_login(coordinator)

    def grow():
        submitted(open_cycle, members(partnership, 47))
        members(partnership, 5)  # not answered yet
        for _ in range(10):
            finding = f.FindingFactory(cycle=open_cycle)
            f.FollowUpActionFactory(partnership=partnership, finding=finding, due_date=FAR)

    # the session, the user, the navigation's roles, the user's partnerships (key of the cached page), the
    # cycle with answer counts (the access check), coordinator?, own answers, own memberships, scores,
    # submitted answers, members asked, findings, their actions
    assert_constant(client, reverse("evaluations:cycle_detail", args=[open_cycle.pk]), grow, 13)


def test_cycle_detail_queries_for_partner(client, partner_a, partnership, open_cycle):
    submitted(open_cycle, members(partnership, 3))
    EvaluationCycle.objects.filter(pk=open_cycle.pk).update(status=EvaluationCycle.Status.CLOSED)
    f.FindingFactory(cycle=open_cycle)
    client.force_login(partner_a)

    def grow():
        submitted(open_cycle, members(partnership, 47))
        for _ in range(10):
            f.FindingFactory(cycle=open_cycle)

    # the session, the user, the navigation's roles, the user's partnerships (key of the cached page), the
    # cycle with answer counts (the access check), coordinator?, own answers, own memberships, scores,
    # findings, their actions
    assert_constant(client, reverse("evaluations:cycle_detail", args=[open_cycle.pk]), grow, 11)


def test_response_form_queries(client, partner_a, membership_a, partnership, open_cycle):
    submitted(open_cycle, members(partnership, 3))
    client.force_login(partner_a)
    url = reverse("evaluations:cycle_respond", kwargs={"pk": open_cycle.pk, "membership_pk": membership_a.pk})
    # the session, the user, the navigation's roles, cycle, membership, the member's answer
    assert_constant(client, url, lambda: submitted(open_cycle, members(partnership, 47)), 6)


def test_submitted_response_page_queries(client, partner_a, membership_a, partnership, open_cycle):
    submitted(open_cycle, [membership_a, *members(partnership, 2)])
    open_cycle.responses.filter(membership=membership_a).update(submitted_by=partner_a)
    client.force_login(partner_a)
    url = reverse("evaluations:cycle_respond", kwargs={"pk": open_cycle.pk, "membership_pk": membership_a.pk})
    # the session, the user, the navigation's roles, cycle, membership, the member's answer (with who submitted it)
    assert_constant(client, url, lambda: submitted(open_cycle, members(partnership, 47)), 6)


# --- actions ----------------------------------------------------------------------------


def _actions(partnership, org, n):
    cycle = EvaluationCycle.objects.filter(partnership=partnership).first() or f.EvaluationCycleFactory(
        partnership=partnership)
    for i in range(n):
        finding = f.FindingFactory(cycle=cycle) if i % 2 else None
        f.FollowUpActionFactory(partnership=partnership, owner_organisation=org, due_date=FAR, finding=finding)


def test_my_actions_queries(client, partner_a, partnership, org_a):
    _actions(partnership, org_a, 3)
    client.force_login(partner_a)
    # the session, the user, the navigation's roles, count, page of actions (partnership, owner, finding, cycle joined),
    # my organisations
    assert_constant(client, reverse("evaluations:my_actions"), lambda: _actions(partnership, org_a, 47), 6)


@pytest.mark.parametrize(("who", "pinned"), [("coordinator", 8), ("partner_b", 8)])
def test_partnership_actions_queries(request, client, partnership, org_a, membership_a, partner_b, who, pinned):
    _actions(partnership, org_a, 3)
    client.force_login(request.getfixturevalue(who))
    url = reverse("evaluations:partnership_actions", kwargs={"partnership_pk": partnership.pk})
    # the session, the user, the navigation's roles, partnership, coordinator?, count, page of actions,
    # my organisations
    assert_constant(client, url, lambda: _actions(partnership, org_a, 47), pinned)


def test_action_detail_queries(client, partner_a, partnership, org_a):
    _actions(partnership, org_a, 1)
    action = partnership.follow_up_actions.get()
    for status in ["in_progress", "open"]:
        action_set_status(action=action, user=partner_a, status=status)
    client.force_login(partner_a)

    def grow():
        for i in range(47):
            action_set_status(action=action, user=partner_a, status=["in_progress", "open"][i % 2])

    # the session, the user, the navigation's roles, action, coordinator?, owner?, history (with users)
    assert_constant(client, reverse("evaluations:action_detail", args=[action.pk]), grow, 7)


# --- decisions ----------------------------------------------------------------------------


def _decisions(partnership, n, voters):
    for _ in range(n):
        decision = f.DecisionFactory(partnership=partnership)
        for membership in voters:
            f.VoteFactory(decision=decision, membership=membership)


def test_decision_list_queries(client, partner_a, partnership, membership_a, membership_b):
    _decisions(partnership, 3, [membership_a, membership_b])
    client.force_login(partner_a)
    # the session, the user, the navigation's roles, count, page of decisions with vote counts
    assert_constant(client, reverse("evaluations:decision_list"),
                    lambda: _decisions(partnership, 47, [membership_a]), 5)


def test_partnership_decisions_queries(client, partner_a, partnership, membership_a):
    _decisions(partnership, 3, [membership_a])
    client.force_login(partner_a)
    url = reverse("evaluations:partnership_decisions", kwargs={"partnership_pk": partnership.pk})
    # the session, the user, the navigation's roles, partnership, count, page of decisions, coordinator?, may propose?
    assert_constant(client, url, lambda: _decisions(partnership, 47, [membership_a]), 8)


@pytest.mark.parametrize(("who", "pinned"), [("coordinator", 8), ("partner_a", 8)])
def test_decision_detail_queries(request, client, partnership, membership_a, partner_a, who, pinned):
    decision = f.DecisionFactory(partnership=partnership, closes_at=timezone.now() + datetime.timedelta(days=3))
    for m in members(partnership, 3):
        Vote.objects.create(decision=decision, membership=m, choice="agree")
    client.force_login(request.getfixturevalue(who))

    def grow():
        for m in members(partnership, 47):
            Vote.objects.create(decision=decision, membership=m, choice="disagree")
        members(partnership, 5)  # not voted yet

    # the session, the user, the navigation's roles, decision (with counts), coordinator?, votes (organisation,
    # person),
    # my memberships, current members (for "not voted yet")
    assert_constant(client, reverse("evaluations:decision_detail", args=[decision.pk]), grow, pinned)


def test_vote_form_queries(client, partner_a, membership_a, partnership):
    decision = f.DecisionFactory(partnership=partnership, closes_at=timezone.now() + datetime.timedelta(days=3))
    for m in members(partnership, 3):
        Vote.objects.create(decision=decision, membership=m, choice="agree")
    client.force_login(partner_a)
    url = reverse("evaluations:decision_vote", kwargs={"pk": decision.pk, "membership_pk": membership_a.pk})

    def grow():
        for m in members(partnership, 47):
            Vote.objects.create(decision=decision, membership=m, choice="agree")

    # the session, the user, the navigation's roles, decision, membership, the member's vote
    assert_constant(client, url, grow, 6)
