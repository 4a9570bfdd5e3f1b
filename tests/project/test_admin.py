"""The Django admin: every page opens, actions go through the services, lists do not grow queries."""
import datetime

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.sites import site
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core import checks
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import (
    ClockedSchedule,
    CrontabSchedule,
    IntervalSchedule,
    PeriodicTask,
    SolarSchedule,
)

from accounts import services as account_services
from accounts.models import Invitation, User
from evaluations.models import EvaluationCycle, ReminderLog, ReminderRule
from partners.models import Attachment, ContributionReport, Organisation
from tests import factories as f

OUR_APPS = {"accounts", "partners", "evaluations"}
Status = ContributionReport.Status
PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _english(english):
    """Admin messages are asserted in English (see the ``english`` fixture in conftest)."""


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def everything(admin, coordinator, partnership, membership_a, membership_b, partner_a, report_a):
    """One row of every model the admin shows (ours and the third-party ones it registers)."""
    goal = f.SharedGoalFactory(partnership=partnership)
    indicator = f.IndicatorFactory(goal=goal)
    f.IndicatorValueFactory(indicator=indicator, membership=membership_a, reported_by=partner_a)
    f.PledgeFactory(membership=membership_a)
    report_a.goals.add(goal)
    attachment = Attachment(report=report_a, original_name="kuitansi.pdf", content_type="application/pdf",
                            size=len(PDF), uploaded_by=partner_a)
    attachment.file.save("kuitansi.pdf", ContentFile(PDF), save=True)
    cycle = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN)
    f.EvaluationResponseFactory(cycle=cycle, membership=membership_a)
    finding = f.FindingFactory(cycle=cycle, created_by=coordinator)
    f.FollowUpActionFactory(partnership=partnership, finding=finding, owner_organisation=membership_a.organisation)
    decision = f.DecisionFactory(partnership=partnership, proposed_by=coordinator)
    f.VoteFactory(decision=decision, membership=membership_a, cast_by=partner_a)
    ReminderRule.objects.create(kind="report_due", days=7)
    ReminderLog.objects.create(recipient=partner_a, kind="report_due", period="2026-Q1", object_id=report_a.pk,
                               content_type=ContentType.objects.get_for_model(ContributionReport))
    # Third-party models the admin also lists.
    Group.objects.create(name="Koordinator")
    interval = IntervalSchedule.objects.create(every=1, period=IntervalSchedule.DAYS)
    CrontabSchedule.objects.create(minute="0", hour="6")
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    SolarSchedule.objects.create(event="sunrise", latitude=-6.2, longitude=106.8)
    PeriodicTask.objects.create(name="Pengingat harian", task="evaluations.tasks.send_reminders", interval=interval)
    seen = {"user_agent": "pytest", "ip_address": "127.0.0.1", "username": "x@example.org", "http_accept": "*/*",
            "path_info": "/accounts/login/", "attempt_time": timezone.now()}
    AccessAttempt.objects.create(get_data="", post_data="", failures_since_start=1, **seen)
    AccessFailureLog.objects.create(**seen)
    from accounts.sessions import SessionStore

    session = SessionStore()
    session["_auth_user_id"] = str(partner_a.pk)
    session.create()
    Invitation.objects.create(
        email="baru@example.org", organisation=membership_a.organisation, invited_by=admin,
        token_hash="0" * 64, expires_at=timezone.now() + datetime.timedelta(days=7),
    )


def _is_history(model):
    """simple_history's shadow tables are read through their model's History page."""
    return any(field.name == "history_id" for field in model._meta.fields)


REGISTERED = sorted(site._registry, key=lambda m: m._meta.label)


# --- every page opens ------------------------------------------------------------------


def test_admin_configuration_passes_django_checks():
    assert checks.run_checks(tags=[checks.Tags.admin]) == []


def test_every_model_of_our_apps_is_registered():
    from django.apps import apps

    ours = {m for name in OUR_APPS for m in apps.get_app_config(name).get_models() if not _is_history(m)}
    missing = {m._meta.label for m in ours if m not in site._registry}
    assert missing == set()


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_changelist_opens_and_searches(model, admin_client, everything):
    response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200
    if site._registry[model].search_fields:
        assert admin_client.get(url(model, "changelist"), {"q": "a"}).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_add_page_opens_unless_adding_is_forbidden(model, admin_client, admin, rf):
    request = rf.get("/")
    request.user = admin
    expected = 200 if site._registry[model].has_add_permission(request) else 403
    assert admin_client.get(url(model, "add")).status_code == expected


@pytest.mark.parametrize("model", REGISTERED, ids=lambda m: m._meta.label)
def test_change_and_history_pages_open(model, admin_client, everything):
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        assert model._meta.app_label not in OUR_APPS, f"no {model._meta.label} row to open"
        pytest.skip(f"no {model._meta.label} row (created by its own package at run time)")
    assert admin_client.get(url(model, "change", obj.pk)).status_code == 200
    assert admin_client.get(url(model, "history", obj.pk)).status_code == 200


def test_change_pages_of_our_models_all_have_a_row(everything):
    from django.apps import apps

    for name in OUR_APPS:
        for model in apps.get_app_config(name).get_models():
            if model in site._registry:
                assert model._default_manager.exists(), model._meta.label


def test_partner_cannot_open_the_admin(client, partner_a):
    client.force_login(partner_a)
    response = client.get(url(ContributionReport, "changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_autocomplete_finds_membership_by_organisation_name(admin_client, membership_a, membership_b):
    response = admin_client.get(reverse("admin:autocomplete"), {
        "app_label": "partners", "model_name": "contributionreport", "field_name": "membership",
        "term": membership_a.organisation.name[:6],
    })
    assert response.status_code == 200
    ids = [int(r["id"]) for r in response.json()["results"]]
    assert ids == [membership_a.pk]


# --- users -----------------------------------------------------------------------------


def test_admin_creates_user_by_email_in_lower_case(admin_client):
    response = admin_client.post(url(User, "add"), {
        "email": "Mitra.Baru@Example.ORG", "full_name": "Mitra Baru", "preferred_language": "en",
        "usable_password": "true", "password1": "kata-sandi-panjang-42", "password2": "kata-sandi-panjang-42",
    })
    assert response.status_code == 302, response.context["adminform"].form.errors
    user = User.objects.get(email="mitra.baru@example.org")
    assert user.full_name == "Mitra Baru" and user.preferred_language == "en"
    assert user.check_password("kata-sandi-panjang-42")


def test_admin_refuses_email_differing_only_in_case(admin_client, partner_a):
    response = admin_client.post(url(User, "add"), {
        "email": partner_a.email.upper(), "usable_password": "true", "preferred_language": "id",
        "password1": "kata-sandi-panjang-42", "password2": "kata-sandi-panjang-42",
    })
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors


def test_user_page_shows_and_edits_represented_organisations(admin_client, partner_a, org_a, org_b):
    response = admin_client.get(url(User, "change", partner_a.pk))
    assert response.status_code == 200
    assert org_a.name in response.content.decode()

    through = Organisation.representatives.through
    existing = through.objects.get(user=partner_a, organisation=org_a)
    prefix = "Organisation_representatives-"
    coord_prefix = "Partnership_coordinators-"
    data = {
        "email": partner_a.email, "full_name": partner_a.full_name, "preferred_language": "id",
        "is_active": "on", "date_joined_0": "2026-01-01", "date_joined_1": "08:00:00",
        f"{prefix}TOTAL_FORMS": "2", f"{prefix}INITIAL_FORMS": "1",
        f"{prefix}0-id": existing.pk, f"{prefix}0-user": partner_a.pk, f"{prefix}0-organisation": org_a.pk,
        f"{prefix}1-user": partner_a.pk, f"{prefix}1-organisation": org_b.pk,
        f"{coord_prefix}TOTAL_FORMS": "0", f"{coord_prefix}INITIAL_FORMS": "0",
    }
    response = admin_client.post(url(User, "change", partner_a.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert set(partner_a.organisations.all()) == {org_a, org_b}


# --- invitations go through the services ------------------------------------------------


def test_admin_invites_through_the_service_and_the_mail_goes_out(admin_client, admin, org_a, mailoutbox,
                                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url(Invitation, "add"), {
            "email": " Calon.Mitra@Example.org ", "full_name": "Calon Mitra", "organisation": org_a.pk,
            "language": "id",
        })
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.organisation, invitation.invited_by) == (
        "calon.mitra@example.org", org_a, admin)
    assert len(invitation.token_hash) == 64
    assert [m.to for m in mailoutbox] == [["calon.mitra@example.org"]]


def test_admin_invitation_of_existing_representative_is_refused_on_the_form(admin_client, partner_a, org_a):
    response = admin_client.post(url(Invitation, "add"), {
        "email": partner_a.email, "organisation": org_a.pk, "language": "id",
    })
    assert response.status_code == 200
    assert "email" in response.context["adminform"].form.errors
    assert not Invitation.objects.exists()


def test_revoke_invitation_action_uses_the_service(admin_client, admin, org_a):
    invitation = account_services.invitation_create(invited_by=admin, email="x@example.org", organisation=org_a)
    response = admin_client.post(url(Invitation, "changelist"), {
        "action": "revoke_invitations", ACTION_CHECKBOX_NAME: [invitation.pk]}, follow=True)
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "1 invitation revoked." in messages_of(response)
    response = admin_client.post(url(Invitation, "changelist"), {
        "action": "revoke_invitations", ACTION_CHECKBOX_NAME: [invitation.pk]}, follow=True)
    assert messages_of(response) == [f"{invitation}: This invitation is revoked and cannot be revoked."]


# --- report actions go through the services --------------------------------------------


def _report(membership, status, **extra):
    fields = {"status": status, **extra}
    if status != Status.DRAFT:
        fields.setdefault("submitted_at", timezone.now())
    if status == Status.RETURNED:
        fields.setdefault("return_reason", "Kurang bukti.")
    return f.ContributionReportFactory(membership=membership, **fields)


def _act(client, action, reports, **extra):
    data = {"action": action, ACTION_CHECKBOX_NAME: [r.pk for r in reports], **extra}
    return client.post(url(ContributionReport, "changelist"), data, follow=True)


def test_accept_action_accepts_through_the_service(admin_client, admin, membership_a):
    report = _report(membership_a, Status.SUBMITTED)
    response = _act(admin_client, "accept_reports", [report])
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    assert report.reviewed_by == admin and report.reviewed_at is not None
    assert report.history.latest("history_id").history_user == admin
    assert "1 report accepted." in messages_of(response)


def test_accept_action_leaves_illegal_report_unchanged_with_an_error(admin_client, membership_a, membership_b):
    draft = _report(membership_a, Status.DRAFT)
    submitted = _report(membership_b, Status.SUBMITTED)
    before = ContributionReport.objects.filter(pk=draft.pk).values().get()
    history_before = draft.history.count()
    response = _act(admin_client, "accept_reports", [draft, submitted])
    assert ContributionReport.objects.filter(pk=draft.pk).values().get() == before
    assert draft.history.count() == history_before
    submitted.refresh_from_db()
    assert submitted.status == Status.ACCEPTED
    shown = messages_of(response)
    assert f"{draft}: Only a submitted report can be accepted; this report is Draft." in shown
    assert "1 report accepted." in shown


def test_return_action_asks_for_a_reason_first(admin_client, membership_a):
    report = _report(membership_a, Status.SUBMITTED)
    response = _act(admin_client, "return_reports", [report])
    assert response.status_code == 200
    assert response.templates[0].name == "admin/partners/contributionreport/return_reports.html"
    html = response.content.decode()
    assert str(report) in html and 'name="reason"' in html
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


@pytest.mark.parametrize("reason", ["", "   "])
def test_return_action_without_reason_changes_nothing(reason, admin_client, membership_a):
    report = _report(membership_a, Status.SUBMITTED)
    response = _act(admin_client, "return_reports", [report], apply="yes", reason=reason)
    assert response.status_code == 200
    assert "reason" in response.context["form"].errors
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED and report.return_reason == ""


def test_return_action_returns_with_the_reason(admin_client, admin, membership_a, membership_b):
    first, second = _report(membership_a, Status.SUBMITTED), _report(membership_b, Status.SUBMITTED)
    response = _act(admin_client, "return_reports", [first, second], apply="yes", reason=" Lampirkan kuitansi. ")
    for report in (first, second):
        report.refresh_from_db()
        assert report.status == Status.RETURNED
        assert report.return_reason == "Lampirkan kuitansi."
        assert report.reviewed_by == admin
    assert "2 reports returned." in messages_of(response)


def test_return_action_leaves_accepted_report_unchanged_with_an_error(admin_client, membership_a):
    accepted = _report(membership_a, Status.ACCEPTED, reviewed_at=timezone.now())
    before = ContributionReport.objects.filter(pk=accepted.pk).values().get()
    response = _act(admin_client, "return_reports", [accepted], apply="yes", reason="Salah nilai.")
    assert ContributionReport.objects.filter(pk=accepted.pk).values().get() == before
    assert messages_of(response) == [
        f"{accepted}: Only a submitted report can be returned; this report is Accepted."
    ]


def test_submit_action_submits_drafts_and_resubmits_returned(admin_client, membership_a, membership_b):
    draft, returned = _report(membership_a, Status.DRAFT), _report(membership_b, Status.RETURNED)
    accepted = _report(membership_a, Status.ACCEPTED)
    response = _act(admin_client, "submit_reports", [draft, returned, accepted])
    for report in (draft, returned):
        report.refresh_from_db()
        assert report.status == Status.SUBMITTED
    accepted.refresh_from_db()
    assert accepted.status == Status.ACCEPTED
    shown = messages_of(response)
    assert "2 reports submitted." in shown
    assert f"{accepted}: Only a draft can be submitted; this report is Accepted." in shown


def test_report_status_cannot_be_changed_in_the_form(admin_client, report_a):
    response = admin_client.get(url(ContributionReport, "change", report_a.pk))
    form = response.context["adminform"].form
    for name in ("status", "submitted_at", "reviewed_by", "reviewed_at", "return_reason"):
        assert name not in form.fields


def test_report_history_cannot_be_reverted(admin_client, report_a):
    version = report_a.history.latest("history_id")
    path = reverse("admin:partners_contributionreport_simple_history", args=[report_a.pk, version.history_id])
    assert admin_client.get(path).status_code == 200
    assert admin_client.post(path, {}).status_code == 403


def test_attachment_added_on_report_page_goes_through_upload_checks(admin_client, admin, report_a):
    data = _report_form_data(report_a)
    data.update({"attachments-TOTAL_FORMS": "1", "attachments-0-file": SimpleUploadedFile(
        "kuitansi.pdf", PDF, content_type="application/octet-stream")})
    response = admin_client.post(url(ContributionReport, "change", report_a.pk), data)
    assert response.status_code == 302, response.context["errors"]
    attachment = report_a.attachments.get()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (
        "kuitansi.pdf", "application/pdf", len(PDF))
    assert attachment.uploaded_by == admin


def test_attachment_with_disguised_content_is_refused(admin_client, report_a):
    data = _report_form_data(report_a)
    data.update({"attachments-TOTAL_FORMS": "1", "attachments-0-file": SimpleUploadedFile(
        "kuitansi.pdf", b"MZ\x90\x00 not a pdf at all")})
    response = admin_client.post(url(ContributionReport, "change", report_a.pk), data)
    assert response.status_code == 200
    assert not report_a.attachments.exists()


def test_attachments_cannot_be_added_to_a_submitted_report(admin_client, membership_a):
    report = _report(membership_a, Status.SUBMITTED)
    response = admin_client.get(url(ContributionReport, "change", report.pk))
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.max_num == 0 or not response.context["inline_admin_formsets"][0].has_add_permission


def _report_form_data(report):
    return {
        "membership": report.membership_id, "period_start": report.period_start, "period_end": report.period_end,
        "kind": report.kind, "quantity": report.quantity, "unit": report.unit, "value": report.value,
        "description": report.description, "created_by": report.created_by_id or "",
        "attachments-TOTAL_FORMS": "0", "attachments-INITIAL_FORMS": "0",
    }


# --- cycle actions go through the services ---------------------------------------------


def _cycle_act(client, action, cycles):
    data = {"action": action, ACTION_CHECKBOX_NAME: [c.pk for c in cycles]}
    return client.post(url(EvaluationCycle, "changelist"), data, follow=True)


def test_open_and_close_cycle_actions_use_the_services(admin_client, partnership):
    cycle = f.EvaluationCycleFactory(partnership=partnership, due_date=timezone.localdate() + datetime.timedelta(days=30))
    response = _cycle_act(admin_client, "open_cycles", [cycle])
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.OPEN and cycle.opened_at is not None
    assert "1 cycle opened." in messages_of(response)
    response = _cycle_act(admin_client, "close_cycles", [cycle])
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.CLOSED and cycle.closed_at is not None


def test_open_action_on_closed_cycle_changes_nothing_and_says_why(admin_client, partnership):
    cycle = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.CLOSED)
    before = EvaluationCycle.objects.filter(pk=cycle.pk).values().get()
    response = _cycle_act(admin_client, "open_cycles", [cycle])
    assert EvaluationCycle.objects.filter(pk=cycle.pk).values().get() == before
    assert messages_of(response) == [f"{cycle}: Only a scheduled cycle can be opened; this cycle is Closed."]


def test_close_decision_action_counts_the_outcome_through_the_service(admin_client, partnership, membership_a,
                                                                      membership_b):
    from evaluations.models import Decision

    decision = f.DecisionFactory(partnership=partnership)
    f.VoteFactory(decision=decision, membership=membership_a, choice="agree")
    f.VoteFactory(decision=decision, membership=membership_b, choice="agree")
    data = {"action": "close_decisions", ACTION_CHECKBOX_NAME: [decision.pk]}
    response = admin_client.post(url(Decision, "changelist"), data, follow=True)
    decision.refresh_from_db()
    assert (decision.status, decision.outcome) == (Decision.Status.CLOSED, Decision.Outcome.APPROVED)
    assert decision.closed_at is not None
    assert "1 decision closed." in messages_of(response)
    response = admin_client.post(url(Decision, "changelist"), data, follow=True)
    assert messages_of(response) == [f"{decision}: This decision is already closed."]


def test_follow_up_action_status_changes_only_through_the_admin_action(admin_client, admin, partnership, org_a):
    from evaluations.models import FollowUpAction

    action = f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_a)
    data = {"partnership": partnership.pk, "title": "Judul baru", "description": "", "owner_organisation": org_a.pk,
            "due_date": "2026-06-30", "status": "done", "finding": ""}
    response = admin_client.post(url(FollowUpAction, "change", action.pk), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    action.refresh_from_db()
    assert (action.title, action.status, action.completed_at) == ("Judul baru", "open", None)  # status not a field

    change = {"action": "change_status", ACTION_CHECKBOX_NAME: [action.pk]}
    asked = admin_client.post(url(FollowUpAction, "changelist"), change)
    assert asked.templates[0].name == "admin/change_status.html"
    response = admin_client.post(url(FollowUpAction, "changelist"), {**change, "apply": "yes", "status": "done"},
                                 follow=True)
    action.refresh_from_db()
    assert action.status == "done" and action.completed_at is not None
    assert action.history.latest("history_id").history_user == admin
    assert "1 status changed." in messages_of(response)
    response = admin_client.post(url(FollowUpAction, "changelist"), {**change, "apply": "yes", "status": "done"},
                                 follow=True)
    assert messages_of(response) == [f"{action}: Nothing to change: the status is already Done."]


# --- the reminder log is read-only -----------------------------------------------------


def test_reminder_log_cannot_be_added_changed_or_deleted(admin_client, partner_a, report_a):
    log = ReminderLog.objects.create(recipient=partner_a, kind="report_due", period="2026-Q1", object_id=report_a.pk,
                                     content_type=ContentType.objects.get_for_model(ContributionReport))
    assert admin_client.get(url(ReminderLog, "add")).status_code == 403
    assert admin_client.post(url(ReminderLog, "change", log.pk), {"period": "x"}).status_code == 403
    assert admin_client.post(url(ReminderLog, "delete", log.pk), {"post": "yes"}).status_code == 403
    log.refresh_from_db()
    assert log.period == "2026-Q1"


# --- lists cost the same for few and many rows -----------------------------------------


def _report_rows(n, coordinator):
    for i in range(n):
        membership = f.MembershipFactory(organisation=f.OrganisationFactory(sector="business"))
        _report(membership, Status.ACCEPTED, reviewed_by=coordinator, reviewed_at=timezone.now(),
                period_start=datetime.date(2026, 1 + i % 12, 1), period_end=datetime.date(2026, 1 + i % 12, 28))


def _changelist_queries(client, model):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return len(ctx.captured_queries), "\n".join(q["sql"] for q in ctx.captured_queries)


def test_report_changelist_query_count_does_not_grow_with_rows(admin_client, coordinator):
    _report_rows(3, coordinator)
    few, _ = _changelist_queries(admin_client, ContributionReport)
    _report_rows(47, coordinator)
    assert ContributionReport.objects.count() == 50
    many, many_sql = _changelist_queries(admin_client, ContributionReport)
    assert few == many, many_sql
    # the session, the user, 2 counts (filtered and total), the page of rows joined to member,
    # organisation, partnership and reviewer, then the date hierarchy's range and its
    # months; nothing per row.
    assert many == 7, many_sql


def test_every_changelist_query_count_does_not_grow_with_rows(admin_client, coordinator, everything):
    """Each of our lists costs the same with one row as with several."""
    from django.apps import apps

    few = {}
    for name in OUR_APPS:
        for model in apps.get_app_config(name).get_models():
            if model in site._registry:
                few[model] = _changelist_queries(admin_client, model)[0]
    partnership = f.PartnershipFactory()
    for _ in range(4):
        org = f.OrganisationFactory()
        membership = f.MembershipFactory(partnership=partnership, organisation=org)
        org.representatives.add(f.UserFactory())
        _report(membership, Status.SUBMITTED)
        cycle = f.EvaluationCycleFactory(partnership=f.PartnershipFactory())
        f.EvaluationResponseFactory(cycle=cycle, membership=f.MembershipFactory(partnership=cycle.partnership))
        decision = f.DecisionFactory(partnership=partnership)
        f.VoteFactory(decision=decision, membership=membership)
        f.FollowUpActionFactory(partnership=partnership, owner_organisation=org,
                                finding=f.FindingFactory(cycle=cycle))
        f.PledgeFactory(membership=membership)
        f.IndicatorValueFactory(membership=membership, indicator=f.IndicatorFactory(
            goal=f.SharedGoalFactory(partnership=partnership)))
    for model, count in few.items():
        assert _changelist_queries(admin_client, model)[0] == count, model._meta.label
