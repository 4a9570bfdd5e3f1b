"""Contribution report pages for partner representatives: create, edit, submit, resubmit, delete, access."""
import datetime
from decimal import Decimal

import pytest
import time_machine
from django.urls import NoReverseMatch, reverse

from partners import services
from partners.models import Attachment, ContributionReport, Membership, Partnership
from tests import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def _report_data(membership, **overrides):
    data = {
        "membership": membership.pk,
        "period_start": "2026-04-01",
        "period_end": "2026-06-30",
        "kind": "funds",
        "quantity": "1",
        "unit": "paket",
        "value": "2500000",
        "description": "Dana transport kader posyandu.",
    }
    data.update(overrides)
    return data


def _submitted(report, user):
    return services.report_submit(report=report, user=user)


def _returned(report, partner, coordinator, reason="Lampirkan kuitansi."):
    _submitted(report, partner)
    return services.report_return(report=report, user=coordinator, reason=reason)


# --- create -------------------------------------------------------------------------------


def test_partner_creates_draft_for_own_membership_with_goals(client, partner_a, membership_a, partnership):
    goal = f.SharedGoalFactory(partnership=partnership)
    client.force_login(partner_a)
    response = client.post(reverse("partners:report_create"), _report_data(membership_a, goals=[goal.pk]))
    report = ContributionReport.objects.get()
    assert response.status_code == 302
    assert response["Location"] == report.get_absolute_url()
    assert report.status == ContributionReport.Status.DRAFT
    assert report.membership == membership_a
    assert report.created_by == partner_a
    assert report.value == Decimal(2500000)
    assert list(report.goals.all()) == [goal]


def test_create_form_offers_only_my_memberships(client, partner_a, membership_a, membership_b, membership_c):
    client.force_login(partner_a)
    response = client.get(reverse("partners:report_create"))
    choices = [pk for pk, _label in response.context["form"].fields["membership"].choices if pk]
    assert [int(str(pk)) for pk in choices] == [membership_a.pk]


def test_partner_cannot_create_report_for_another_organisations_membership(client, partner_a, membership_b):
    client.force_login(partner_a)
    response = client.post(reverse("partners:report_create"), _report_data(membership_b))
    assert response.status_code == 200
    assert "membership" in response.context["form"].errors
    assert not ContributionReport.objects.exists()


@pytest.mark.parametrize("member", ["other organisation's", "unknown"])
def test_a_member_not_the_partners_own_is_refused_on_its_field_and_writes_nothing(
    client, partner_a, membership_a, membership_b, member
):
    goal = f.SharedGoalFactory(partnership=membership_b.partnership)
    tokens = dict(Partnership.objects.values_list("pk", "cache_token"))
    membership_id = membership_b.pk if member == "other organisation's" else membership_b.pk + 1000
    client.force_login(partner_a)
    data = {**_report_data(membership_a, goals=[goal.pk]), "membership": membership_id}
    response = client.post(reverse("partners:report_create"), data, HTTP_ACCEPT_LANGUAGE="id")
    assert response.status_code == 200
    assert response.context["form"].errors["membership"] == ["Pilih anggota dari organisasi Anda sendiri."]
    assert not ContributionReport.objects.exists() and not ContributionReport.history.exists()
    assert not ContributionReport.goals.through.objects.exists()
    assert dict(Partnership.objects.values_list("pk", "cache_token")) == tokens


def test_a_new_report_has_its_history_row_and_renews_only_its_partnership_s_pages(
    client, partner_a, membership_a, partnership, other_partnership
):
    goals = [f.SharedGoalFactory(partnership=partnership) for _ in range(2)]
    tokens = dict(Partnership.objects.values_list("pk", "cache_token"))
    client.force_login(partner_a)
    response = client.post(reverse("partners:report_create"), _report_data(membership_a, goals=[g.pk for g in goals]))
    assert response.status_code == 302
    report = ContributionReport.objects.get()
    assert set(report.goals.all()) == set(goals)
    history = report.history.get()
    assert (history.history_type, history.history_user, history.status) == ("+", partner_a, "draft")
    assert (history.description, history.value) == (report.description, report.value)
    after = dict(Partnership.objects.values_list("pk", "cache_token"))
    assert after[partnership.pk] != tokens[partnership.pk]
    assert after[other_partnership.pk] == tokens[other_partnership.pk]


@pytest.mark.parametrize("view", ["report_create", "report_edit"])
def test_an_error_only_the_model_finds_shows_next_to_its_field(client, partner_a, membership_a, report_a,
                                                               monkeypatch, view):
    from django.core.exceptions import ValidationError

    def refuse(self):
        raise ValidationError({"unit": "Satuan ini tidak dikenal."})

    monkeypatch.setattr(ContributionReport, "clean", refuse)
    client.force_login(partner_a)
    url = reverse(f"partners:{view}", **({"kwargs": {"pk": report_a.pk}} if view == "report_edit" else {}))
    before = list(ContributionReport.objects.values_list("pk", "unit"))
    response = client.post(url, _report_data(membership_a, unit="ember"))
    assert response.status_code == 200
    assert response.context["form"].errors["unit"] == ["Satuan ini tidak dikenal."]
    assert "Satuan ini tidak dikenal." in response.content.decode()
    assert list(ContributionReport.objects.values_list("pk", "unit")) == before


@pytest.mark.django_db(transaction=True)
def test_a_write_the_database_refuses_shows_one_message_and_writes_nothing(client, partner_a, membership_a,
                                                                            org_a, monkeypatch):
    """The member is deleted after the report was checked, as it is written: the database refuses the report
    (its member is gone) when the transaction commits, and the person is told to try again."""
    f.MembershipFactory(organisation=org_a)  # another member of the organisation, so the form is shown again
    save = ContributionReport.save

    def save_as_the_member_is_deleted(report, *args, **kwargs):
        if report.pk is None:
            Membership.objects.filter(pk=report.membership_id).delete()
        save(report, *args, **kwargs)

    monkeypatch.setattr(ContributionReport, "save", save_as_the_member_is_deleted)
    client.force_login(partner_a)
    response = client.post(reverse("partners:report_create"), _report_data(membership_a))
    assert response.status_code == 200
    message = "Data ini tidak dapat disimpan karena data yang dirujuknya berubah pada saat yang sama."
    assert len(response.context["form"].non_field_errors()) == 1 and message in response.content.decode()
    assert not ContributionReport.objects.exists() and not ContributionReport.history.exists()


def test_goals_of_another_partnership_are_refused(client, partner_a, membership_a, other_partnership):
    foreign_goal = f.SharedGoalFactory(partnership=other_partnership)
    client.force_login(partner_a)
    response = client.post(reverse("partners:report_create"), _report_data(membership_a, goals=[foreign_goal.pk]))
    assert response.status_code == 200
    assert "goals" in response.context["form"].errors
    assert not ContributionReport.objects.exists()


def test_goals_are_limited_to_partnerships_of_the_chosen_membership(
    client, partner_a, membership_a, partnership, other_partnership, org_a
):
    own_goal = f.SharedGoalFactory(partnership=partnership)
    second = f.PartnershipFactory(title="Pelatihan Kerja")
    second_membership = f.MembershipFactory(partnership=second, organisation=org_a)
    second_goal = f.SharedGoalFactory(partnership=second)
    client.force_login(partner_a)
    # A goal of my other partnership is offered, but not for this membership.
    response = client.post(reverse("partners:report_create"), _report_data(membership_a, goals=[second_goal.pk]))
    assert "goals" in response.context["form"].errors
    response = client.post(reverse("partners:report_create"), _report_data(second_membership, goals=[second_goal.pk]))
    assert response.status_code == 302
    page = client.get(reverse("partners:report_create")).content.decode()
    assert f'data-partnership="{partnership.pk}"' in page and f'data-partnership="{second.pk}"' in page
    assert own_goal.title in page


def test_invalid_report_form_saves_nothing_and_shows_errors_next_to_fields(client, partner_a, membership_a):
    client.force_login(partner_a)
    response = client.post(
        reverse("partners:report_create"),
        _report_data(membership_a, period_end="2026-03-01", value="-5", description=""),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "description" in errors and "value" in errors
    assert not ContributionReport.objects.exists()


def test_period_ending_before_start_is_refused(client, partner_a, membership_a):
    client.force_login(partner_a)
    response = client.post(reverse("partners:report_create"), _report_data(membership_a, period_end="2026-03-01"))
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not ContributionReport.objects.exists()


def test_errors_are_shown_in_english_for_an_english_user(client, partner_a, membership_a):
    partner_a.preferred_language = "en"
    partner_a.save()
    client.force_login(partner_a)
    response = client.post(
        reverse("partners:report_create"), _report_data(membership_a, description=""), HTTP_ACCEPT_LANGUAGE="en"
    )
    assert "This field is required." in response.content.decode()


def test_create_prefills_the_period_the_member_owes_next(client, partner_a, membership_a):
    # 10 May 2026: Q1's report is overdue (due 14 April); once it is in, Q2 is owed next (partners.deadlines).
    client.force_login(partner_a)
    url = reverse("partners:report_create") + f"?membership={membership_a.pk}"
    with time_machine.travel(datetime.datetime(2026, 5, 10, 9, 0, tzinfo=datetime.UTC), tick=False):
        initial = client.get(url).context["form"].initial
        assert initial["membership"] == membership_a.pk
        assert (initial["period_start"], initial["period_end"]) == (datetime.date(2026, 1, 1), datetime.date(2026, 3, 31))
        f.ContributionReportFactory(membership=membership_a, status="submitted")
        initial = client.get(url).context["form"].initial
        assert (initial["period_start"], initial["period_end"]) == (datetime.date(2026, 4, 1), datetime.date(2026, 6, 30))


def test_create_page_is_404_for_someone_without_an_organisation(client, outsider, coordinator, partnership):
    for user in (outsider, coordinator):
        client.force_login(user)
        assert client.get(reverse("partners:report_create")).status_code == 404
        assert client.post(reverse("partners:report_create"), {}).status_code == 404


# --- edit -----------------------------------------------------------------------------------


def test_partner_edits_own_draft(client, partner_a, report_a):
    client.force_login(partner_a)
    response = client.post(
        reverse("partners:report_edit", kwargs={"pk": report_a.pk}),
        _report_data(report_a.membership, value="7750000", description="Diperbarui"),
    )
    assert response.status_code == 302
    report_a.refresh_from_db()
    assert report_a.value == Decimal(7750000)
    assert report_a.description == "Diperbarui"


def test_unticking_every_goal_clears_them(client, partner_a, report_a):
    report_a.goals.add(f.SharedGoalFactory(partnership=report_a.membership.partnership))
    data = _report_data(report_a.membership, description="Tanpa sasaran")
    client.force_login(partner_a)
    response = client.post(reverse("partners:report_edit", kwargs={"pk": report_a.pk}), data)
    assert response.status_code == 302
    assert not report_a.goals.exists()


def test_edit_keeps_the_membership_of_the_report(client, partner_a, report_a, org_a):
    second = f.MembershipFactory(partnership=f.PartnershipFactory(), organisation=org_a)
    client.force_login(partner_a)
    client.post(reverse("partners:report_edit", kwargs={"pk": report_a.pk}), _report_data(second))
    report_a.refresh_from_db()
    assert report_a.membership_id != second.pk


def test_submitted_report_cannot_be_edited(client, partner_a, report_a):
    _submitted(report_a, partner_a)
    client.force_login(partner_a)
    url = reverse("partners:report_edit", kwargs={"pk": report_a.pk})
    assert client.get(url)["Location"] == report_a.get_absolute_url()
    response = client.post(url, _report_data(report_a.membership, value="1"))
    assert response.status_code == 302
    report_a.refresh_from_db()
    assert report_a.value == Decimal(5000000)


# --- submit, return reason, resubmit -----------------------------------------------------------


def test_submit_needs_post_and_moves_draft_to_submitted(client, partner_a, report_a):
    client.force_login(partner_a)
    url = reverse("partners:report_submit", kwargs={"pk": report_a.pk})
    page = client.get(url)
    assert page.status_code == 200
    report_a.refresh_from_db()
    assert report_a.status == ContributionReport.Status.DRAFT
    response = client.post(url)
    assert response.status_code == 302
    report_a.refresh_from_db()
    assert report_a.status == ContributionReport.Status.SUBMITTED
    assert report_a.submitted_at is not None


def test_partner_sees_reason_fixes_and_resubmits_returned_report(client, partner_a, coordinator, report_a):
    _returned(report_a, partner_a, coordinator, reason="Nilai tidak sesuai kuitansi.")
    client.force_login(partner_a)
    detail = client.get(report_a.get_absolute_url()).content.decode()
    assert "Nilai tidak sesuai kuitansi." in detail
    assert reverse("partners:report_resubmit", kwargs={"pk": report_a.pk}) in detail
    client.post(
        reverse("partners:report_edit", kwargs={"pk": report_a.pk}),
        _report_data(report_a.membership, value="4500000", period_start="2026-01-01", period_end="2026-03-31"),
    )
    response = client.post(reverse("partners:report_resubmit", kwargs={"pk": report_a.pk}))
    assert response.status_code == 302
    report_a.refresh_from_db()
    assert report_a.status == ContributionReport.Status.SUBMITTED
    assert report_a.value == Decimal(4500000)


def test_resubmit_refuses_a_draft(client, partner_a, report_a):
    client.force_login(partner_a)
    response = client.post(reverse("partners:report_resubmit", kwargs={"pk": report_a.pk}))
    assert response.status_code == 302
    report_a.refresh_from_db()
    assert report_a.status == ContributionReport.Status.DRAFT


def test_submit_twice_does_not_fail(client, partner_a, report_a):
    client.force_login(partner_a)
    url = reverse("partners:report_submit", kwargs={"pk": report_a.pk})
    client.post(url)
    response = client.post(url)
    assert response.status_code == 302


# --- delete ---------------------------------------------------------------------------------


def test_delete_draft_asks_first_then_deletes(client, partner_a, report_a):
    client.force_login(partner_a)
    url = reverse("partners:report_delete", kwargs={"pk": report_a.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert 'data-confirm="' in page.content.decode()
    assert ContributionReport.objects.filter(pk=report_a.pk).exists()
    response = client.post(url)
    assert response["Location"] == reverse("partners:report_list")
    assert not ContributionReport.objects.filter(pk=report_a.pk).exists()


def test_submitted_report_cannot_be_deleted(client, partner_a, report_a):
    _submitted(report_a, partner_a)
    client.force_login(partner_a)
    client.post(reverse("partners:report_delete", kwargs={"pk": report_a.pk}))
    assert ContributionReport.objects.filter(pk=report_a.pk).exists()


def test_deleting_a_draft_removes_its_stored_files(client, partner_a, report_a, django_capture_on_commit_callbacks):
    from django.core.files.uploadedfile import SimpleUploadedFile

    attachment = services.attachment_add(
        report=report_a, user=partner_a,
        uploaded_file=SimpleUploadedFile("kuitansi.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
    )
    storage, name = attachment.file.storage, attachment.file.name
    assert storage.exists(name)
    client.force_login(partner_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("partners:report_delete", kwargs={"pk": report_a.pk}))
    assert not Attachment.objects.exists()
    assert not storage.exists(name)


# --- detail: history and review links -------------------------------------------------------------


def test_detail_shows_history_of_status_changes_with_who(client, partner_a, coordinator, report_a):
    _returned(report_a, partner_a, coordinator, reason="Kurang bukti.")
    client.force_login(partner_a)
    response = client.get(report_a.get_absolute_url())
    history = response.context["history"]
    assert [e["action"] for e in history][-1] in ("Dibuat", "Created")
    changes = [c for e in history for c in e["changes"] if str(c["field"]) in ("status",)]
    assert [(c["old"], c["new"]) for c in changes] == [("Diajukan", "Dikembalikan"), ("Draf", "Diajukan")] or [
        (c["old"], c["new"]) for c in changes
    ] == [("Submitted", "Returned"), ("Draft", "Submitted")]
    assert history[0]["user"] == coordinator


def test_detail_history_lists_each_changed_field_in_the_form_s_order_with_readable_values(
    client, partner_a, report_a
):
    services.report_update(report=report_a, user=partner_a, kind="in_kind", value=Decimal("1250000"),
                           description="Paket sembako")
    partner_a.preferred_language = "en"
    partner_a.save()
    client.force_login(partner_a)
    latest = client.get(report_a.get_absolute_url()).context["history"][0]
    assert str(latest["action"]) == "Changed" and latest["user"] == partner_a
    assert [(str(c["field"]), c["old"], c["new"]) for c in latest["changes"]] == [
        ("kind", "Funds (rupiah)", "In-kind goods"),
        ("value (Rp)", "Rp 5,000,000", "Rp 1,250,000"),
        ("description", report_a.history.earliest("history_id").description, "Paket sembako"),
    ]


def test_coordinator_sees_review_links_on_submitted_report(client, partner_a, coordinator, report_a):
    try:
        reverse("partners:report_accept", kwargs={"pk": 1})
    except NoReverseMatch:
        pytest.skip("the coordinator's review pages are not wired yet")
    _submitted(report_a, partner_a)
    client.force_login(coordinator)
    page = client.get(report_a.get_absolute_url()).content.decode()
    accept = reverse("partners:report_accept", kwargs={"pk": report_a.pk})
    give_back = reverse("partners:report_return", kwargs={"pk": report_a.pk})
    assert accept in page and give_back in page
    client.force_login(partner_a)
    page = client.get(report_a.get_absolute_url()).content.decode()
    assert accept not in page and give_back not in page


def test_coordinator_of_another_partnership_cannot_open_report(client, partner_a, other_coordinator, report_a):
    _submitted(report_a, partner_a)
    client.force_login(other_coordinator)
    assert client.get(report_a.get_absolute_url()).status_code == 404


def test_admin_sees_any_non_draft_and_draft_report(client, admin, report_a):
    client.force_login(admin)
    assert client.get(report_a.get_absolute_url()).status_code == 200


# --- access matrix for report and attachment pages ----------------------------------------------------


@pytest.fixture
def attachment_a(report_a, partner_a):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return services.attachment_add(
        report=report_a, user=partner_a,
        uploaded_file=SimpleUploadedFile("kuitansi.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n"),
    )


def _object_urls(report, attachment, membership):
    return [
        reverse("partners:report_detail", kwargs={"pk": report.pk}),
        reverse("partners:report_edit", kwargs={"pk": report.pk}),
        reverse("partners:report_submit", kwargs={"pk": report.pk}),
        reverse("partners:report_resubmit", kwargs={"pk": report.pk}),
        reverse("partners:report_delete", kwargs={"pk": report.pk}),
        reverse("partners:attachment_add", kwargs={"pk": report.pk}),
        reverse("partners:attachment_download", kwargs={"pk": attachment.pk}),
        reverse("partners:attachment_delete", kwargs={"pk": attachment.pk}),
        reverse("partners:indicatorvalue_entry", kwargs={"pk": membership.pk}),
    ]


@pytest.mark.parametrize("who", ["partner_b", "partner_c", "coordinator", "other_coordinator", "outsider"])
def test_other_users_get_404_on_partner_a_draft_pages_for_get_and_post(
    client, request, who, report_a, attachment_a, membership_a
):
    user = request.getfixturevalue(who)
    client.force_login(user)
    for url in _object_urls(report_a, attachment_a, membership_a):
        assert client.get(url).status_code == 404, url
        assert client.post(url, _report_data(membership_a)).status_code == 404, url
    report_a.refresh_from_db()
    assert report_a.status == ContributionReport.Status.DRAFT
    assert Attachment.objects.filter(pk=attachment_a.pk).exists()


def test_not_found_pages_do_not_leak_the_report(client, partner_b, report_a, attachment_a):
    client.force_login(partner_b)
    body = client.get(report_a.get_absolute_url()).content.decode()
    assert report_a.description not in body
    assert "kuitansi.pdf" not in body


@pytest.mark.parametrize("who", ["partner_b", "partner_c", "other_coordinator", "outsider"])
def test_others_get_404_on_partner_a_submitted_report(client, request, who, partner_a, report_a, attachment_a):
    _submitted(report_a, partner_a)
    client.force_login(request.getfixturevalue(who))
    assert client.get(report_a.get_absolute_url()).status_code == 404
    assert client.get(reverse("partners:attachment_download", kwargs={"pk": attachment_a.pk})).status_code == 404


def test_coordinator_reads_but_cannot_change_submitted_report(client, partner_a, coordinator, report_a, attachment_a):
    _submitted(report_a, partner_a)
    client.force_login(coordinator)
    assert client.get(report_a.get_absolute_url()).status_code == 200
    assert client.get(reverse("partners:attachment_download", kwargs={"pk": attachment_a.pk})).status_code == 200
    for name in ("report_edit", "report_submit", "report_resubmit", "report_delete", "attachment_add"):
        url = reverse(f"partners:{name}", kwargs={"pk": report_a.pk})
        assert client.get(url).status_code == 404, name
        assert client.post(url).status_code == 404, name
    assert client.post(reverse("partners:attachment_delete", kwargs={"pk": attachment_a.pk})).status_code == 404


def test_partner_b_of_same_partnership_cannot_change_partner_a_returned_report(
    client, partner_a, partner_b, coordinator, report_a
):
    _returned(report_a, partner_a, coordinator)
    client.force_login(partner_b)
    url = reverse("partners:report_edit", kwargs={"pk": report_a.pk})
    assert client.post(url, _report_data(report_a.membership, value="1")).status_code == 404
    assert client.post(reverse("partners:report_resubmit", kwargs={"pk": report_a.pk})).status_code == 404
    report_a.refresh_from_db()
    assert report_a.status == ContributionReport.Status.RETURNED


def test_anonymous_is_sent_to_login_on_every_partner_page(client, report_a, attachment_a, membership_a):
    urls = _object_urls(report_a, attachment_a, membership_a) + [
        reverse("workspace:partner_home"),
        reverse("partners:report_list"),
        reverse("partners:report_export"),
        reverse("partners:report_create"),
    ]
    login = reverse("accounts:login")
    for url in urls:
        for method in (client.get, client.post):
            response = method(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(login), url


def test_unknown_ids_answer_404(client, partner_a):
    client.force_login(partner_a)
    for name in ("report_detail", "report_edit", "attachment_download", "attachment_delete", "indicatorvalue_entry"):
        assert client.get(reverse(f"partners:{name}", kwargs={"pk": 999999})).status_code == 404
