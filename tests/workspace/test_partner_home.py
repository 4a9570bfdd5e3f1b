"""Partner home (partnerships, deadlines, recent reports)."""
import datetime

import pytest
import time_machine
from django.urls import reverse

from evaluations.models import EvaluationCycle, EvaluationResponse, FollowUpAction
from partners.models import ContributionReport
from tests import factories as f

pytestmark = pytest.mark.django_db

TODAY = datetime.datetime(2026, 5, 10, 9, 0, tzinfo=datetime.UTC)
S = ContributionReport.Status


@pytest.fixture
def frozen():
    with time_machine.travel(TODAY, tick=False):
        yield


def _home(client, user):
    client.force_login(user)
    response = client.get(reverse("workspace:partner_home"))
    assert response.status_code == 200
    return response


# --- home ---------------------------------------------------------------------------------------


def test_home_shows_only_my_organisations_partnerships(client, partner_a, partnership, other_partnership, membership_c):
    response = _home(client, partner_a)
    titles = [card["partnership"].title for card in response.context["cards"]]
    assert titles == [partnership.title]
    assert other_partnership.title not in response.content.decode()


def test_home_lists_the_overdue_report_and_the_next_one_due(client, partner_a, membership_a, frozen):
    # 10 May: Q1's report was due on 14 April (31 March + 14 days' grace), Q2's is due on 14 July.
    response = _home(client, partner_a)
    [report_due] = [d for d in response.context["overdue"] if d.kind == "report"]
    assert report_due.due == datetime.date(2026, 4, 14)
    assert report_due.url.endswith(f"?membership={membership_a.pk}")

    f.ContributionReportFactory(membership=membership_a, status=S.SUBMITTED, period_end=datetime.date(2026, 3, 31))
    response = _home(client, partner_a)
    assert not [d for d in response.context["overdue"] if d.kind == "report"]
    [next_due] = [d for d in response.context["upcoming"] if d.kind == "report"]
    assert next_due.due == datetime.date(2026, 7, 14)


def test_draft_or_returned_report_does_not_clear_the_deadline(client, partner_a, membership_a, frozen):
    f.ContributionReportFactory(membership=membership_a, status=S.DRAFT)
    f.ContributionReportFactory(membership=membership_a, status=S.RETURNED, return_reason="Kurang bukti")
    response = _home(client, partner_a)
    assert [d.due for d in response.context["overdue"] if d.kind == "report"] == [datetime.date(2026, 4, 14)]


def test_home_lists_open_evaluation_cycles_not_yet_answered(client, partner_a, membership_a, partnership, frozen):
    cycle = f.EvaluationCycleFactory(
        partnership=partnership, status=EvaluationCycle.Status.OPEN, due_date=datetime.date(2026, 5, 20),
        title="Evaluasi Triwulan I",
    )
    response = _home(client, partner_a)
    assert [d.title for d in response.context["upcoming"] if d.kind == "evaluation"] == ["Evaluation: Evaluasi Triwulan I"] or [
        d.title for d in response.context["upcoming"] if d.kind == "evaluation"
    ] == ["Evaluasi: Evaluasi Triwulan I"]
    [due] = [d for d in response.context["upcoming"] if d.kind == "evaluation"]
    assert due.url == reverse("evaluations:cycle_respond", kwargs={"pk": cycle.pk, "membership_pk": membership_a.pk})
    f.EvaluationResponseFactory(cycle=cycle, membership=membership_a, status=EvaluationResponse.Status.SUBMITTED)
    response = _home(client, partner_a)
    assert not [d for d in response.context["upcoming"] + response.context["overdue"] if d.kind == "evaluation"]


def test_closed_cycles_and_other_partnerships_cycles_are_not_listed(
    client, partner_a, membership_a, partnership, other_partnership, frozen
):
    f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.CLOSED)
    f.EvaluationCycleFactory(partnership=other_partnership, status=EvaluationCycle.Status.OPEN)
    response = _home(client, partner_a)
    assert not [d for d in response.context["upcoming"] + response.context["overdue"] if d.kind == "evaluation"]


def test_home_lists_my_organisations_follow_up_actions_due_soon_or_overdue(
    client, partner_a, org_a, org_b, partnership, membership_b, frozen
):
    def action(title, owner, due, status=FollowUpAction.Status.OPEN):
        f.FollowUpActionFactory(partnership=partnership, owner_organisation=owner, due_date=due, title=title,
                                status=status)

    action("late", org_a, datetime.date(2026, 5, 1))
    action("soon", org_a, datetime.date(2026, 5, 20), FollowUpAction.Status.IN_PROGRESS)
    action("later", org_a, datetime.date(2026, 9, 1))
    action("done", org_a, datetime.date(2026, 5, 2), FollowUpAction.Status.DONE)
    action("theirs", org_b, datetime.date(2026, 5, 2))
    response = _home(client, partner_a)
    assert [d.title for d in response.context["overdue"] if d.kind == "action"] == ["late"]
    late = FollowUpAction.objects.get(title="late")
    assert response.context["overdue"][-1].url == reverse("evaluations:action_detail", kwargs={"pk": late.pk})
    assert [d.title for d in response.context["upcoming"] if d.kind == "action"] == ["soon"]


def test_home_recent_reports_are_my_organisations_only(client, partner_a, membership_a, membership_b):
    mine = f.ContributionReportFactory(membership=membership_a, description="punya A")
    f.ContributionReportFactory(membership=membership_b, status=S.SUBMITTED, description="punya B")
    response = _home(client, partner_a)
    assert response.context["recent_reports"] == [mine]
    assert "Draf" in response.content.decode() or "Draft" in response.content.decode()


def test_home_for_someone_without_organisation_is_empty_not_an_error(client, outsider):
    response = _home(client, outsider)
    assert response.context["cards"] == [] and response.context["recent_reports"] == []


def test_home_is_in_english_for_an_english_user(client, partner_a):
    partner_a.preferred_language = "en"
    partner_a.save()
    response = _home(client, partner_a)
    assert "My partnerships" in response.content.decode()
