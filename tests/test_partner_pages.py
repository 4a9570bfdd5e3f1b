"""Partner home (partnerships, deadlines, recent reports) and indicator values for a period."""
import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from evaluations.models import EvaluationCycle, EvaluationResponse, FollowUpAction
from partners.models import ContributionReport, IndicatorValue
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


# --- indicator values -----------------------------------------------------------------------------


@pytest.fixture
def indicators(partnership, other_partnership):
    goal = f.SharedGoalFactory(partnership=partnership, title="Anak sehat")
    return [
        f.IndicatorFactory(goal=goal, name="Anak diimunisasi", unit="anak"),
        f.IndicatorFactory(goal=goal, name="Posyandu aktif", unit="posyandu"),
    ]


def _values_url(membership, **params):
    url = reverse("partners:indicatorvalue_entry", kwargs={"pk": membership.pk})
    if params:
        url += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return url


def _values_post(indicators, values, notes=None, start="2026-04-01", end="2026-06-30"):
    data = {"period_start": start, "period_end": end}
    for indicator, value in zip(indicators, values, strict=True):
        data[f"i{indicator.pk}-value"] = value
        data[f"i{indicator.pk}-note"] = (notes or {}).get(indicator.pk, "")
    return data


def test_indicator_page_shows_one_form_per_indicator_of_the_partnership(client, partner_a, membership_a, indicators,
                                                                        other_partnership):
    foreign = f.IndicatorFactory(goal=f.SharedGoalFactory(partnership=other_partnership), name="Kualitas udara")
    client.force_login(partner_a)
    response = client.get(_values_url(membership_a))
    assert [row[0] for row in response.context["rows"]] == indicators
    assert foreign.name not in response.content.decode()


def test_partner_enters_values_for_a_period(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    response = client.post(_values_url(membership_a), _values_post(indicators, ["120", ""]))
    assert response.status_code == 302
    assert "period_start=2026-04-01" in response["Location"]
    [value] = IndicatorValue.objects.all()
    assert value.indicator == indicators[0]
    assert value.membership == membership_a
    assert value.value == Decimal(120)
    assert (value.period_start, value.period_end) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))
    assert value.reported_by == partner_a


def test_entering_the_same_period_again_updates_instead_of_duplicating(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    client.post(_values_url(membership_a), _values_post(indicators, ["120", "4"]))
    page = client.get(_values_url(membership_a, period_start="2026-04-01", period_end="2026-06-30"))
    assert page.context["rows"][0][1].initial["value"] == Decimal(120)
    client.post(_values_url(membership_a), _values_post(indicators, ["135", "5"], notes={indicators[0].pk: "naik"}))
    assert IndicatorValue.objects.count() == 2
    first = IndicatorValue.objects.get(indicator=indicators[0])
    assert first.value == Decimal(135) and first.note == "naik"


def test_another_period_is_a_new_value(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    client.post(_values_url(membership_a), _values_post(indicators, ["120", ""]))
    client.post(_values_url(membership_a), _values_post(indicators, ["150", ""], start="2026-07-01", end="2026-09-30"))
    assert sorted(IndicatorValue.objects.values_list("value", flat=True)) == [Decimal(120), Decimal(150)]


def test_one_invalid_value_saves_nothing(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    response = client.post(_values_url(membership_a), _values_post(indicators, ["120", "banyak"]))
    assert response.status_code == 200
    assert response.context["rows"][1][1].errors
    assert not IndicatorValue.objects.exists()


def test_period_ending_before_it_starts_saves_nothing(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    response = client.post(_values_url(membership_a), _values_post(indicators, ["1", "2"], end="2026-03-01"))
    assert response.status_code == 200
    assert response.context["period_form"].errors
    assert not IndicatorValue.objects.exists()


def test_note_without_value_is_refused(client, partner_a, membership_a, indicators):
    client.force_login(partner_a)
    client.post(_values_url(membership_a), _values_post(indicators, ["", ""], notes={indicators[0].pk: "catatan"}))
    assert not IndicatorValue.objects.exists()


def test_partner_cannot_enter_values_as_another_organisation(client, partner_a, membership_b, indicators):
    client.force_login(partner_a)
    assert client.get(_values_url(membership_b)).status_code == 404
    assert client.post(_values_url(membership_b), _values_post(indicators, ["1", "2"])).status_code == 404
    assert not IndicatorValue.objects.exists()


def test_coordinator_cannot_enter_values_as_a_member(client, coordinator, membership_a, indicators):
    client.force_login(coordinator)
    assert client.post(_values_url(membership_a), _values_post(indicators, ["1", "2"])).status_code == 404
