"""A partnership's status on its own page (coordinator or admin), never on the edit form, and in the admin
only through the action: the workflow of ``partners.services.partnership_set_status`` everywhere."""
import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.messages import get_messages
from django.urls import reverse

from partners.models import Partnership
from tests import factories as f

pytestmark = pytest.mark.usefixtures("english")

P = Partnership.Status


def status_url(partnership):
    return reverse("partners:partnership_status", args=[partnership.pk])


def row(partnership):
    return Partnership.objects.filter(pk=partnership.pk).values().get()


def choices(response):
    return [value for value, _label in response.context["form"].fields["status"].choices]


def test_the_partnership_page_links_to_its_status_page(client, coordinator, partnership):
    client.force_login(coordinator)
    assert status_url(partnership) in client.get(partnership.get_absolute_url()).content.decode()


def test_the_page_offers_the_next_statuses_of_the_workflow(client, coordinator, partnership):
    client.force_login(coordinator)
    response = client.get(status_url(partnership))
    assert response.status_code == 200
    assert choices(response) == [P.PAUSED, P.COMPLETED]
    html = response.content.decode()
    assert 'value="paused"' in html and 'value="completed"' in html and 'value="draft"' not in html


def test_pausing_without_a_reason_is_refused_on_the_reason_field(client, coordinator, partnership):
    client.force_login(coordinator)
    before = row(partnership)
    response = client.post(status_url(partnership), {"status": P.PAUSED, "reason": "  "})
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["reason"]
    assert row(partnership) == before


def test_pausing_with_a_reason_keeps_it_with_the_change(client, coordinator, partnership):
    client.force_login(coordinator)
    response = client.post(status_url(partnership), {"status": P.PAUSED, "reason": "Dana tahap dua belum cair."})
    assert response.status_code == 302 and response["Location"] == partnership.get_absolute_url()
    partnership.refresh_from_db()
    assert (partnership.status, partnership.status_reason) == (P.PAUSED, "Dana tahap dua belum cair.")
    change = partnership.history.latest("history_id")
    assert (change.status, change.status_reason, change.history_user) == (P.PAUSED, partnership.status_reason,
                                                                            coordinator)
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["The partnership is now Paused."]


def test_ending_needs_a_reason_and_then_is_final_for_the_coordinator(client, coordinator, partnership):
    client.force_login(coordinator)
    assert client.post(status_url(partnership), {"status": P.COMPLETED, "reason": ""}).status_code == 200
    assert row(partnership)["status"] == P.ACTIVE
    client.post(status_url(partnership), {"status": P.COMPLETED, "reason": "Program selesai."})
    assert row(partnership)["status"] == P.COMPLETED
    response = client.get(status_url(partnership))
    assert choices(response) == []
    assert "only an admin can reopen it" in response.content.decode()
    before = row(partnership)
    response = client.post(status_url(partnership), {"status": P.ACTIVE, "reason": "Lanjut."})
    assert response.status_code == 200 and "status" in response.context["form"].errors
    assert row(partnership) == before


def test_an_admin_reopens_a_completed_partnership_with_a_reason(client, admin, partnership):
    Partnership.objects.filter(pk=partnership.pk).update(status=P.COMPLETED, status_reason="Selesai.")
    client.force_login(admin)
    assert choices(client.get(status_url(partnership))) == [P.ACTIVE]
    client.post(status_url(partnership), {"status": P.ACTIVE, "reason": "Diakhiri karena salah tekan."})
    assert (row(partnership)["status"], row(partnership)["status_reason"]) == (P.ACTIVE, "Diakhiri karena salah tekan.")


@pytest.mark.parametrize("status", [P.DRAFT, "archived", ""])
def test_a_status_the_workflow_does_not_offer_is_refused(client, coordinator, partnership, status):
    client.force_login(coordinator)
    before = row(partnership)
    response = client.post(status_url(partnership), {"status": status, "reason": "Alasan."})
    assert response.status_code == 200 and "status" in response.context["form"].errors
    assert row(partnership) == before


def test_a_move_made_meanwhile_is_refused_with_the_current_status(client, coordinator, partnership):
    client.force_login(coordinator)
    form_page = client.get(status_url(partnership))
    assert P.PAUSED in choices(form_page)
    Partnership.objects.filter(pk=partnership.pk).update(status=P.DRAFT)  # someone else, in between
    response = client.post(status_url(partnership), {"status": P.PAUSED, "reason": "Jeda."})
    assert response.status_code == 200
    assert row(partnership)["status"] == P.DRAFT


@pytest.mark.parametrize("who", ["other_coordinator", "partner_a", "partner_c", "outsider"])
def test_nobody_but_its_coordinator_or_an_admin_reaches_the_page(request, client, partnership, who):
    client.force_login(request.getfixturevalue(who))
    before = row(partnership)
    assert client.get(status_url(partnership)).status_code == 404
    assert client.post(status_url(partnership), {"status": P.COMPLETED, "reason": "Diambil alih."}).status_code == 404
    assert row(partnership) == before


def test_the_edit_form_no_longer_changes_the_status(client, coordinator, partnership):
    client.force_login(coordinator)
    edit = reverse("partners:partnership_edit", args=[partnership.pk])
    assert "status" not in client.get(edit).context["form"].fields
    data = {"title": "Judul Baru", "problem_statement": "Masalah.", "description": "", "type": partnership.type,
            "status": P.DRAFT, "start_date": "2026-01-01", "planned_end_date": "", "lead_organisation": "",
            "evaluation_frequency": partnership.evaluation_frequency}
    assert client.post(edit, data).status_code == 302
    assert (row(partnership)["title"], row(partnership)["status"]) == ("Judul Baru", P.ACTIVE)


def test_a_new_partnership_starts_as_a_draft_or_active(client, coordinator, partnership):
    client.force_login(coordinator)
    form = client.get(reverse("partners:partnership_create")).context["form"]
    assert [value for value, _label in form.fields["status"].choices] == [P.DRAFT, P.ACTIVE]


# --- the admin --------------------------------------------------------------------------------


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)  # the client of the ``english`` fixture
    return client


def admin_url(view, *args):
    return reverse(f"admin:partners_partnership_{view}", args=args)


def admin_messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_the_admin_shows_the_status_read_only_and_adds_a_draft_or_active_one(admin_client, partnership):
    form = admin_client.get(admin_url("change", partnership.pk)).context["adminform"].form
    assert "status" not in form.fields and "status_reason" not in form.fields
    add_form = admin_client.get(admin_url("add")).context["adminform"].form
    assert [value for value, _label in add_form.fields["status"].choices] == [P.DRAFT, P.ACTIVE]


def test_the_admin_action_asks_for_the_status_and_reason_and_follows_the_workflow(admin_client, admin, partnership):
    draft = f.PartnershipFactory(status=P.DRAFT)
    action = {"action": "change_status", ACTION_CHECKBOX_NAME: [partnership.pk, draft.pk]}
    asked = admin_client.post(admin_url("changelist"), action)
    assert asked.templates[0].name == "admin/change_status.html"
    response = admin_client.post(admin_url("changelist"), {**action, "apply": "yes", "status": P.PAUSED, "reason": ""},
                                 follow=True)
    assert row(partnership)["status"] == P.ACTIVE
    response = admin_client.post(admin_url("changelist"),
                                 {**action, "apply": "yes", "status": P.PAUSED, "reason": "Audit dana."}, follow=True)
    assert (row(partnership)["status"], row(partnership)["status_reason"]) == (P.PAUSED, "Audit dana.")
    assert row(draft)["status"] == P.DRAFT
    assert admin_messages(response) == [f"{draft}: A partnership that is Draft cannot become Paused.",
                                        "1 status changed."]
    assert partnership.history.latest("history_id").history_user == admin


def test_the_admin_cannot_revert_a_partnership_to_an_old_version(admin_client, partnership, coordinator):
    from partners.services import partnership_set_status

    partnership_set_status(partnership=partnership, user=coordinator, status=P.COMPLETED, reason="Selesai.")
    version = partnership.history.earliest("history_id")
    path = reverse("admin:partners_partnership_simple_history", args=[partnership.pk, version.history_id])
    assert admin_client.get(path).status_code == 200
    assert admin_client.post(path, {}).status_code == 403
    assert row(partnership)["status"] == P.COMPLETED
