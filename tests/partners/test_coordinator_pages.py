"""Coordinator pages: partnerships, members and pledges, goals and indicators, the review queue,
and who may open each of them (the home, the dashboard and the partnership page are
tests/workspace/test_dashboard.py)."""
import datetime
import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from partners.models import (
    ContributionKind,
    ContributionReport,
    Indicator,
    Membership,
    Organisation,
    Partnership,
    Pledge,
    SharedGoal,
)
from tests import factories as f

pytestmark = pytest.mark.django_db


def _submitted(membership, **kwargs):
    kwargs.setdefault("submitted_at", timezone.now())
    return f.ContributionReportFactory(membership=membership, status=ContributionReport.Status.SUBMITTED, **kwargs)


def _messages(response):
    return [str(m) for m in response.context["messages"]] if response.context else []


@pytest.fixture
def goal(partnership):
    return f.SharedGoalFactory(partnership=partnership, title="Anak sehat dan terimunisasi")


@pytest.fixture
def indicator(goal):
    return f.IndicatorFactory(goal=goal, name="Anak terimunisasi", unit="anak", baseline=Decimal("0"),
                              target=Decimal("200"))


# --- partnerships --------------------------------------------------------------------------


def _partnership_data(**overrides):
    data = {
        "title": "Pelatihan Kerja Bersama",
        "problem_statement": "Banyak pemuda menganggur.",
        "description": "",
        "type": Partnership.Type.CAPACITY_BUILDING,
        "status": Partnership.Status.ACTIVE,
        "start_date": "2026-02-01",
        "planned_end_date": "2027-01-31",
        "lead_organisation": "",
        "evaluation_frequency": Partnership.EvaluationFrequency.HALF_YEARLY,
    }
    data.update(overrides)
    return data


def test_coordinator_creates_partnership_and_becomes_its_coordinator(client, coordinator, partnership, membership_a, org_a):
    client.force_login(coordinator)
    response = client.post(reverse("partners:partnership_create"), _partnership_data(lead_organisation=org_a.pk))
    created = Partnership.objects.get(title="Pelatihan Kerja Bersama")
    assert response.status_code == 302
    assert response["Location"] == created.get_absolute_url()
    assert list(created.coordinators.all()) == [coordinator]
    lead = Membership.objects.get(partnership=created)
    assert (lead.organisation, lead.role) == (org_a, Membership.Role.BACKBONE)


def test_admin_may_create_a_partnership(client, admin):
    client.force_login(admin)
    response = client.post(reverse("partners:partnership_create"), _partnership_data())
    assert response.status_code == 302
    assert Partnership.objects.get(title="Pelatihan Kerja Bersama").coordinators.filter(pk=admin.pk).exists()


def test_user_with_add_permission_may_create_a_first_partnership(client, outsider):
    from django.contrib.auth.models import Permission

    outsider.user_permissions.add(Permission.objects.get(codename="add_partnership"))
    client.force_login(outsider)
    assert client.get(reverse("workspace:home")).status_code == 200
    response = client.post(reverse("partners:partnership_create"), _partnership_data())
    assert response.status_code == 302


@pytest.mark.parametrize("who", ["outsider", "partner_a"])
def test_non_coordinator_cannot_create_a_partnership(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("partners:partnership_create")).status_code == 404
    assert client.post(reverse("partners:partnership_create"), _partnership_data()).status_code == 404
    assert not Partnership.objects.filter(title="Pelatihan Kerja Bersama").exists()


def test_partnership_end_before_start_is_shown_next_to_the_field_and_nothing_saved(client, coordinator, partnership):
    client.force_login(coordinator)
    response = client.post(
        reverse("partners:partnership_create"), _partnership_data(planned_end_date="2025-01-01")
    )
    assert response.status_code == 200
    assert "planned_end_date" in response.context["form"].errors
    assert 'id="error_1_id_planned_end_date"' in response.content.decode()
    assert not Partnership.objects.filter(title="Pelatihan Kerja Bersama").exists()


def test_partnership_edit_limits_lead_to_members(client, coordinator, partnership, membership_a, org_c):
    client.force_login(coordinator)
    url = reverse("partners:partnership_edit", args=[partnership.pk])
    form = client.get(url).context["form"]
    assert list(form.fields["lead_organisation"].queryset) == [membership_a.organisation]
    response = client.post(url, _partnership_data(title="Baru", lead_organisation=org_c.pk))
    assert response.status_code == 200
    assert "lead_organisation" in response.context["form"].errors
    response = client.post(url, _partnership_data(title="Baru", lead_organisation=membership_a.organisation.pk))
    assert response.status_code == 302
    partnership.refresh_from_db()
    assert (partnership.title, partnership.lead_organisation) == ("Baru", membership_a.organisation)


def test_partnership_list_filters_searches_and_sorts(client, coordinator):
    titles = {"Air Bersih": "active", "Bank Sampah": "paused", "Cek Kesehatan": "active"}
    for title, status in titles.items():
        f.PartnershipFactory(title=title, status=status).coordinators.add(coordinator)
    client.force_login(coordinator)
    url = reverse("partners:partnership_list")

    def titles_of(query):
        return [p.title for p in client.get(url, query).context["page"].object_list]

    assert titles_of({}) == ["Air Bersih", "Bank Sampah", "Cek Kesehatan"]
    assert titles_of({"status": "active"}) == ["Air Bersih", "Cek Kesehatan"]
    assert titles_of({"q": "sampah"}) == ["Bank Sampah"]
    assert titles_of({"ordering": "-title"}) == ["Cek Kesehatan", "Bank Sampah", "Air Bersih"]
    assert titles_of({"ordering": "status"})[0] == "Air Bersih"


def test_partnership_list_is_paginated_and_shows_only_coordinated(client, coordinator, other_partnership):
    for n in range(25):
        f.PartnershipFactory(title=f"K{n:02d}").coordinators.add(coordinator)
    client.force_login(coordinator)
    first = client.get(reverse("partners:partnership_list"))
    second = client.get(reverse("partners:partnership_list"), {"page": 2})
    assert len(first.context["page"].object_list) == 20
    assert len(second.context["page"].object_list) == 5
    assert other_partnership.title not in first.content.decode() + second.content.decode()


@pytest.mark.parametrize("who", ["partner_a", "partner_b", "partner_c", "other_coordinator", "outsider"])
def test_coordinator_list_pages_are_404_for_non_coordinators(client, request, partnership, who):
    client.force_login(request.getfixturevalue(who))
    if who == "other_coordinator":
        response = client.get(reverse("partners:partnership_list"))
        assert partnership.title not in response.content.decode()
        return
    assert client.get(reverse("partners:partnership_list")).status_code == 404
    assert client.get(reverse("partners:review_queue")).status_code == 404


# --- object access: every coordinator page of an object is 404 to everyone else ------------


def _object_urls(partnership, membership, goal, indicator, report):
    return [
        reverse("workspace:partnership_detail", args=[partnership.pk]),
        reverse("partners:partnership_edit", args=[partnership.pk]),
        reverse("partners:pledge_summary", args=[partnership.pk]),
        reverse("partners:membership_add", args=[partnership.pk]),
        reverse("partners:organisation_options", args=[partnership.pk]),
        reverse("partners:membership_edit", args=[membership.pk]),
        reverse("partners:membership_remove", args=[membership.pk]),
        reverse("partners:goal_create", args=[partnership.pk]),
        reverse("partners:goal_edit", args=[goal.pk]),
        reverse("partners:goal_delete", args=[goal.pk]),
        reverse("partners:indicator_create", args=[goal.pk]),
        reverse("partners:indicator_detail", args=[indicator.pk]),
        reverse("partners:indicator_edit", args=[indicator.pk]),
        reverse("partners:indicator_delete", args=[indicator.pk]),
        reverse("partners:report_accept", args=[report.pk]),
        reverse("partners:report_return", args=[report.pk]),
    ]


@pytest.mark.parametrize("who", ["other_coordinator", "partner_a", "partner_b", "partner_c", "outsider"])
def test_coordinator_object_pages_answer_404_to_others_for_get_and_post(
    client, request, who, partnership, membership_a, membership_b, indicator
):
    report = _submitted(membership_a)
    urls = _object_urls(partnership, membership_a, indicator.goal, indicator, report)
    client.force_login(request.getfixturevalue(who))
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"reason": "x", "title": "x"}).status_code == 404, url
    report.refresh_from_db()
    assert report.status == ContributionReport.Status.SUBMITTED
    assert Membership.objects.filter(pk=membership_a.pk).exists()
    assert SharedGoal.objects.filter(pk=indicator.goal_id).exists()
    assert Indicator.objects.filter(pk=indicator.pk).exists()


@pytest.mark.parametrize("who", ["coordinator", "admin"])
def test_coordinator_and_admin_open_every_object_page(client, request, who, partnership, membership_a, indicator):
    report = _submitted(membership_a)
    client.force_login(request.getfixturevalue(who))
    for url in _object_urls(partnership, membership_a, indicator.goal, indicator, report):
        assert client.get(url).status_code == 200, url


def test_anonymous_is_sent_to_sign_in_from_coordinator_pages(client, partnership):
    for url in [reverse("partners:partnership_list"), reverse("partners:review_queue"),
                reverse("workspace:partnership_detail", args=[partnership.pk])]:
        response = client.get(url)
        assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


# --- members ----------------------------------------------------------------------------------


def _member_data(**overrides):
    data = {
        "source": "existing", "organisation": "", "new_name": "", "new_sector": "", "new_contact_name": "",
        "new_email": "", "new_phone": "", "new_city": "",
        "role": Membership.Role.MEMBER, "joined_on": "2026-02-01", "commitment_statement": "Tiga tahun.",
        "commitment_start": "2026-02-01", "commitment_end": "2028-12-31",
        "expected_benefits": "Data kesehatan anak.", "reporting_frequency": "quarterly",
        "pledges-TOTAL_FORMS": "1", "pledges-INITIAL_FORMS": "0", "pledges-MIN_NUM_FORMS": "0",
        "pledges-MAX_NUM_FORMS": "100",
        "pledges-0-kind": "", "pledges-0-description": "", "pledges-0-quantity": "0", "pledges-0-unit": "",
        "pledges-0-value": "0",
    }
    data.update(overrides)
    return data


def test_add_existing_organisation_as_member_with_a_pledge(client, coordinator, partnership, org_c):
    client.force_login(coordinator)
    response = client.post(reverse("partners:membership_add", args=[partnership.pk]), _member_data(
        organisation_name=org_c.name, **{"pledges-0-kind": "funds", "pledges-0-quantity": "1",
                                  "pledges-0-value": "15000000", "pledges-0-unit": "paket"},
    ))
    assert response.status_code == 302
    membership = Membership.objects.get(partnership=partnership, organisation=org_c)
    assert membership.expected_benefits == "Data kesehatan anak."
    assert [(p.kind, p.value) for p in membership.pledges.all()] == [("funds", Decimal("15000000.00"))]


def test_add_new_organisation_inline(client, coordinator, partnership):
    client.force_login(coordinator)
    response = client.post(reverse("partners:membership_add", args=[partnership.pk]), _member_data(
        source="new", new_name="Yayasan Anak Bangsa", new_sector="nonprofit", new_email="info@yab.example",
    ))
    assert response.status_code == 302
    org = Organisation.objects.get(name="Yayasan Anak Bangsa")
    assert Membership.objects.filter(partnership=partnership, organisation=org).exists()


def test_new_organisation_with_an_existing_name_is_refused_next_to_the_field(client, coordinator, partnership, org_c):
    client.force_login(coordinator)
    response = client.post(reverse("partners:membership_add", args=[partnership.pk]), _member_data(
        source="new", new_name=org_c.name.upper(), new_sector="business",
    ))
    assert response.status_code == 200
    assert "new_name" in response.context["org_form"].errors
    assert Organisation.objects.count() == 1


def test_existing_members_are_not_offered_again(client, coordinator, partnership, membership_a, org_c):
    second = f.PartnershipFactory(title="Kemitraan Kedua")
    second.coordinators.add(coordinator)
    f.MembershipFactory(partnership=second, organisation=org_c)
    client.force_login(coordinator)
    response = client.get(reverse("partners:membership_add", args=[partnership.pk]))
    offered = [value for value, _label in response.context["org_form"].fields["organisation"].choices if value]
    assert offered == [org_c.pk]
    response = client.post(reverse("partners:membership_add", args=[partnership.pk]),
                           _member_data(organisation=membership_a.organisation.pk))
    assert response.status_code == 200
    assert "organisation" in response.context["org_form"].errors


def test_organisation_search_returns_matching_options(client, coordinator, partnership, org_a, org_c):
    second = f.PartnershipFactory(title="Kemitraan Kedua")
    second.coordinators.add(coordinator)
    for organisation in (org_a, org_c, f.OrganisationFactory(name="Yayasan Udara Segar")):
        f.MembershipFactory(partnership=second, organisation=organisation)
    client.force_login(coordinator)
    response = client.get(reverse("partners:organisation_options", args=[partnership.pk]), {"q": "udara"})
    html = response.content.decode()
    assert "PT Udara Bersih" in html and "Yayasan Udara Segar" in html
    assert org_a.name not in html


def test_invalid_member_form_saves_nothing(client, coordinator, partnership, org_c):
    client.force_login(coordinator)
    response = client.post(reverse("partners:membership_add", args=[partnership.pk]), _member_data(
        organisation=org_c.pk, commitment_end="2025-01-01",
        **{"pledges-0-kind": "funds", "pledges-0-value": "-5", "pledges-0-quantity": "1"},
    ))
    assert response.status_code == 200
    assert "commitment_end" in response.context["form"].errors
    assert "value" in response.context["formset"].forms[0].errors
    assert not Membership.objects.filter(organisation=org_c).exists()
    assert not Pledge.objects.exists()


def test_edit_member_changes_role_and_pledges(client, coordinator, partnership, membership_a):
    pledge = f.PledgeFactory(membership=membership_a, value=Decimal("1000"))
    client.force_login(coordinator)
    data = _member_data(
        role="funder", reporting_frequency="monthly", left_on="",
        **{"pledges-TOTAL_FORMS": "2", "pledges-INITIAL_FORMS": "1",
           "pledges-0-id": pledge.pk, "pledges-0-membership": membership_a.pk, "pledges-0-kind": "funds",
           "pledges-0-quantity": "0", "pledges-0-value": "1000", "pledges-0-DELETE": "on",
           "pledges-1-kind": "volunteer_hours", "pledges-1-quantity": "120", "pledges-1-unit": "jam",
           "pledges-1-value": "0", "pledges-1-description": "", "pledges-1-membership": membership_a.pk},
    )
    response = client.post(reverse("partners:membership_edit", args=[membership_a.pk]), data)
    assert response.status_code == 302, response.context and response.context["formset"].errors
    membership_a.refresh_from_db()
    assert (membership_a.role, membership_a.reporting_frequency) == ("funder", "monthly")
    assert [(p.kind, p.quantity) for p in membership_a.pledges.all()] == [("volunteer_hours", Decimal("120.00"))]


def test_remove_member_without_history_after_confirmation(client, coordinator, partnership, membership_b):
    client.force_login(coordinator)
    url = reverse("partners:membership_remove", args=[membership_b.pk])
    page = client.get(url)
    assert page.status_code == 200 and "data-confirm" in page.content.decode()
    assert Membership.objects.filter(pk=membership_b.pk).exists()
    response = client.post(url)
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=membership_b.pk).exists()


@pytest.mark.usefixtures("english")  # the message is asserted in English
def test_remove_member_with_reports_is_refused_with_a_message(client, coordinator, partnership, membership_a):
    _submitted(membership_a)
    client.force_login(coordinator)
    url = reverse("partners:membership_remove", args=[membership_a.pk])
    assert "data-confirm" not in client.get(url).content.decode()
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert Membership.objects.filter(pk=membership_a.pk).exists()
    assert any("cannot be removed" in m for m in _messages(response))


# --- goals and indicators ----------------------------------------------------------------------


def test_create_edit_and_delete_a_goal(client, coordinator, partnership):
    client.force_login(coordinator)
    response = client.post(reverse("partners:goal_create", args=[partnership.pk]),
                           {"title": "Udara bersih", "description": "", "order": "1"})
    assert response.status_code == 302
    goal = SharedGoal.objects.get(partnership=partnership)
    client.post(reverse("partners:goal_edit", args=[goal.pk]), {"title": "Udara lebih bersih", "order": "2"})
    goal.refresh_from_db()
    assert goal.title == "Udara lebih bersih"
    confirm = client.get(reverse("partners:goal_delete", args=[goal.pk]))
    assert "data-confirm" in confirm.content.decode()
    assert SharedGoal.objects.filter(pk=goal.pk).exists()
    client.post(reverse("partners:goal_delete", args=[goal.pk]))
    assert not SharedGoal.objects.filter(pk=goal.pk).exists()


def test_goal_without_title_shows_error_and_saves_nothing(client, coordinator, partnership):
    client.force_login(coordinator)
    response = client.post(reverse("partners:goal_create", args=[partnership.pk]), {"title": "", "order": "1"})
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    assert not SharedGoal.objects.exists()


def test_create_indicator_and_refuse_a_target_equal_to_baseline(client, coordinator, goal):
    client.force_login(coordinator)
    url = reverse("partners:indicator_create", args=[goal.pk])
    data = {"name": "PM2.5", "unit": "µg/m³", "baseline": "60", "target": "60", "target_date": "",
            "direction": "decrease"}
    response = client.post(url, data)
    assert "target" in response.context["form"].errors
    assert not Indicator.objects.exists()
    response = client.post(url, {**data, "target": "25"})
    indicator = Indicator.objects.get()
    assert response["Location"] == reverse("partners:indicator_detail", args=[indicator.pk])


def test_indicator_detail_has_chart_data_and_values_without_inline_script(client, coordinator, indicator,
                                                                          membership_a, membership_b):
    f.IndicatorValueFactory(indicator=indicator, membership=membership_a, value=Decimal("40"))
    f.IndicatorValueFactory(indicator=indicator, membership=membership_b, value=Decimal("60"),
                            period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 6, 30))
    client.force_login(coordinator)
    html = client.get(reverse("partners:indicator_detail", args=[indicator.pk])).content.decode()
    data = json.loads(re.search(r'<script id="indicator-chart-data" type="application/json">(.*?)</script>',
                                html, re.S).group(1))
    assert data["baseline"] == 0 and data["target"] == 200
    assert len(data["labels"]) == 2
    by_org = {s["label"]: s["data"] for s in data["series"]}
    assert by_org == {membership_a.organisation.name: [40, None], membership_b.organisation.name: [None, 60]}
    assert "vendor/chartjs/chart.umd.min.js" in html and "js/charts.js" in html
    assert "60,00" in html  # the values table, in the Indonesian number format


def test_indicator_delete_needs_confirmation(client, coordinator, indicator):
    client.force_login(coordinator)
    url = reverse("partners:indicator_delete", args=[indicator.pk])
    assert "data-confirm" in client.get(url).content.decode()
    assert Indicator.objects.filter(pk=indicator.pk).exists()
    client.post(url)
    assert not Indicator.objects.filter(pk=indicator.pk).exists()


# --- review queue ---------------------------------------------------------------------------


def test_review_queue_lists_submitted_reports_oldest_first(client, coordinator, membership_a, membership_b,
                                                           membership_c):
    now = timezone.now()
    newer = _submitted(membership_a, submitted_at=now)
    older = _submitted(membership_b, submitted_at=now - datetime.timedelta(days=3))
    _submitted(membership_c)
    f.ContributionReportFactory(membership=membership_a, status="accepted")
    client.force_login(coordinator)
    response = client.get(reverse("partners:review_queue"))
    assert list(response.context["page"].object_list) == [older, newer]


def test_review_queue_filters_by_partnership_and_kind(client, admin, membership_a, membership_c):
    funds = _submitted(membership_a, kind=ContributionKind.FUNDS)
    hours = _submitted(membership_a, kind=ContributionKind.VOLUNTEER_HOURS)
    other = _submitted(membership_c)
    client.force_login(admin)
    url = reverse("partners:review_queue")
    assert list(client.get(url, {"kind": "volunteer_hours"}).context["page"].object_list) == [hours]
    by_partnership = client.get(url, {"partnership": membership_c.partnership_id}).context["page"].object_list
    assert list(by_partnership) == [other]
    assert funds in client.get(url).context["page"].object_list


def test_coordinator_accepts_a_submitted_report(client, coordinator, membership_a):
    report = _submitted(membership_a)
    client.force_login(coordinator)
    response = client.post(reverse("partners:report_accept", args=[report.pk]))
    assert response["Location"] == reverse("partners:review_queue")
    report.refresh_from_db()
    assert (report.status, report.reviewed_by) == (ContributionReport.Status.ACCEPTED, coordinator)


@pytest.mark.usefixtures("english")  # the message is asserted in English
def test_accepting_twice_gives_a_message_not_an_error(client, coordinator, membership_a):
    report = _submitted(membership_a)
    client.force_login(coordinator)
    client.post(reverse("partners:report_accept", args=[report.pk]))
    response = client.post(reverse("partners:report_accept", args=[report.pk]), follow=True)
    assert response.status_code == 200
    assert any("Only a submitted report" in m for m in _messages(response))


def test_return_without_reason_shows_error_and_changes_nothing(client, coordinator, membership_a):
    report = _submitted(membership_a)
    client.force_login(coordinator)
    response = client.post(reverse("partners:report_return", args=[report.pk]), {"reason": "   "})
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    assert 'id="error_1_id_reason"' in response.content.decode()
    report.refresh_from_db()
    assert report.status == ContributionReport.Status.SUBMITTED


def test_return_with_reason_sends_report_back_and_follows_next(client, coordinator, membership_a):
    report = _submitted(membership_a)
    client.force_login(coordinator)
    back = reverse("partners:report_detail", args=[report.pk])
    response = client.post(reverse("partners:report_return", args=[report.pk]),
                           {"reason": "Lampirkan kuitansi.", "next": back})
    assert response["Location"] == back
    report.refresh_from_db()
    assert (report.status, report.return_reason) == (ContributionReport.Status.RETURNED, "Lampirkan kuitansi.")


def test_review_ignores_a_next_address_on_another_site(client, coordinator, membership_a):
    report = _submitted(membership_a)
    client.force_login(coordinator)
    response = client.post(reverse("partners:report_accept", args=[report.pk]), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("partners:review_queue")


@pytest.mark.usefixtures("english")  # the message is asserted in English
def test_returning_an_accepted_report_gives_a_message(client, coordinator, membership_a):
    report = f.ContributionReportFactory(membership=membership_a, status="accepted")
    client.force_login(coordinator)
    response = client.post(reverse("partners:report_return", args=[report.pk]), {"reason": "Salah"}, follow=True)
    assert response.status_code == 200
    assert any("Only a submitted report" in m for m in _messages(response))
    report.refresh_from_db()
    assert report.status == ContributionReport.Status.ACCEPTED


def test_coordinator_cannot_review_a_draft(client, coordinator, report_a):
    client.force_login(coordinator)
    assert client.post(reverse("partners:report_accept", args=[report_a.pk])).status_code == 404


def test_pledge_summary_compares_per_kind(client, coordinator, partnership, membership_a):
    f.PledgeFactory(membership=membership_a, kind="funds", value=Decimal("1000000"))
    f.PledgeFactory(membership=membership_a, kind="volunteer_hours", quantity=Decimal("100"), unit="jam",
                    value=Decimal("0"))
    f.ContributionReportFactory(membership=membership_a, status="accepted", kind="volunteer_hours",
                                quantity=Decimal("30"), unit="jam", value=Decimal("0"))
    f.ContributionReportFactory(membership=membership_a, status="submitted", kind="funds", value=Decimal("999"))
    client.force_login(coordinator)
    response = client.get(reverse("partners:pledge_summary", args=[partnership.pk]))
    kinds = {k["kind"]: k for k in response.context["members"][0]["kinds"]}
    assert kinds["funds"]["delivered_value"] == 0
    assert (kinds["volunteer_hours"]["pledged_quantity"], kinds["volunteer_hours"]["delivered_quantity"]) == (
        Decimal("100"), Decimal("30"))
    assert kinds["volunteer_hours"]["unit"] == "jam"
    assert "Rp 1.000.000" in response.content.decode()


# --- content security: no inline script or style on any coordinator page -------------------


def test_coordinator_pages_have_no_inline_script_or_style(client, coordinator, partnership, membership_a, indicator):
    f.IndicatorValueFactory(indicator=indicator, membership=membership_a)
    report = _submitted(membership_a)
    client.force_login(coordinator)
    urls = [reverse("workspace:home"), reverse("partners:partnership_list"), reverse("partners:partnership_create"),
            reverse("partners:review_queue"),
            *_object_urls(partnership, membership_a, indicator.goal, indicator, report)]
    for url in urls:
        html = client.get(url).content.decode()
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        for tag in re.findall(r"<script[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (url, tag)


# --- language, formats and odd input ---------------------------------------------------------


@pytest.mark.parametrize(("language", "amount", "date"), [("id", "Rp 1.500.000", "1 Mei 2026"),
                                                           ("en", "Rp 1,500,000", "1 May 2026")])
def test_amounts_and_dates_follow_the_users_language(client, coordinator, partnership, membership_a,
                                                     language, amount, date):
    coordinator.preferred_language = language
    coordinator.save()
    f.PledgeFactory(membership=membership_a, value=Decimal("1500000"))
    partnership.start_date = datetime.date(2026, 5, 1)
    partnership.save()
    client.force_login(coordinator)
    html = client.get(partnership.get_absolute_url()).content.decode()
    assert amount in html
    assert date in html


def test_odd_query_parameters_never_break_a_list(client, coordinator, other_partnership, membership_a, membership_c):
    _submitted(membership_c)
    client.force_login(coordinator)
    junk = {"page": "abc", "ordering": "password", "partnership": other_partnership.pk, "kind": "gold",
            "status": "deleted", "type": "?"}
    assert client.get(reverse("partners:partnership_list"), junk).status_code == 200
    response = client.get(reverse("partners:review_queue"), junk)
    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []
