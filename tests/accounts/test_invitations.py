"""Invitations: a coordinator invites a partner representative; the link is single-use and expires."""
import datetime
import re

import pytest
import time_machine
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation, User
from accounts.selectors import organisations_invitable_by, token_hash
from accounts.services import invitation_accept, invitation_create, invitation_revoke
from partners.services import TransitionError
from tests import factories as f

NEW_PASSWORD = "Lembayung-senja-2026"


def _token_from(message):
    match = re.search(r"/accounts/invite/([^/\s]+)/", message.body)
    assert match, message.body
    return match.group(1)


def _invite(django_capture_on_commit_callbacks, *, invited_by, organisation, email="baru@example.org", **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(invited_by=invited_by, email=email, organisation=organisation, **kwargs)
    return invitation, _token_from(mail.outbox[-1])


# --- who may invite, for which organisation ---------------------------------------------------

def test_coordinator_may_invite_for_member_organisations_only(coordinator, membership_a, membership_b, membership_c):
    assert list(organisations_invitable_by(coordinator)) == [membership_a.organisation, membership_b.organisation]


def test_admin_may_invite_for_any_organisation(admin, org_a, org_c):
    assert set(organisations_invitable_by(admin)) >= {org_a, org_c}


def test_outsider_may_not_invite_and_a_partner_only_for_its_own_organisation(partner_a, org_a, membership_b, outsider):
    assert list(organisations_invitable_by(partner_a)) == [org_a]
    assert not organisations_invitable_by(outsider).exists()


def test_organisation_that_left_the_partnership_is_not_offered(coordinator, membership_a):
    membership_a.left_on = timezone.localdate() - datetime.timedelta(days=1)
    membership_a.joined_on = membership_a.left_on - datetime.timedelta(days=30)
    membership_a.save()
    assert not organisations_invitable_by(coordinator).exists()


@pytest.mark.parametrize("name", ["accounts:invitation_create", "accounts:invitation_list"])
def test_outsider_gets_404_on_invitation_pages(client, outsider, name):
    client.force_login(outsider)
    assert client.get(reverse(name)).status_code == 404
    assert client.post(reverse(name), {}).status_code in (404, 405)


def test_invitation_form_offers_only_coordinated_members(client, coordinator, membership_a, membership_c):
    client.force_login(coordinator)
    response = client.get(reverse("accounts:invitation_create"))
    assert response.status_code == 200
    choices = list(response.context["form"].fields["organisation"].queryset)
    assert choices == [membership_a.organisation]
    assert membership_c.organisation.name not in response.content.decode()


def test_invitation_form_preselects_organisation_from_query(client, coordinator, membership_a):
    client.force_login(coordinator)
    response = client.get(reverse("accounts:invitation_create") + f"?organisation={membership_a.organisation.pk}")
    assert str(response.context["form"]["organisation"].value()) == str(membership_a.organisation.pk)


def test_inviting_for_organisation_outside_is_a_form_error(client, coordinator, membership_a, membership_c):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:invitation_create"), {
        "email": "x@example.org", "organisation": membership_c.organisation.pk, "language": "id",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert not Invitation.objects.exists()
    assert mail.outbox == []


@pytest.mark.parametrize("organisation", ["abc", "-1", "99999999999999999999", ""])
def test_invitation_form_rejects_garbage_organisation(client, coordinator, membership_a, organisation):
    client.force_login(coordinator)
    response = client.post(reverse("accounts:invitation_create"), {
        "email": "x@example.org", "organisation": organisation, "language": "id",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert not Invitation.objects.exists()


def test_service_refuses_organisation_outside_coordinated_partnerships(coordinator, membership_c):
    with pytest.raises(TransitionError):
        invitation_create(invited_by=coordinator, email="x@example.org", organisation=membership_c.organisation)
    assert not Invitation.objects.exists()


def test_inviting_an_existing_representative_is_a_form_error(client, admin, partner_a, org_a):
    client.force_login(admin)
    response = client.post(reverse("accounts:invitation_create"), {
        "email": "MITRA.A@example.org", "organisation": org_a.pk, "language": "id",
    })
    assert response.status_code == 200
    assert response.context["form"].errors["email"]
    assert not Invitation.objects.exists()


# --- creating and mailing --------------------------------------------------------------------

def test_coordinator_invites_and_mail_goes_after_commit(client, coordinator, membership_a, django_capture_on_commit_callbacks):
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("accounts:invitation_create"), {
            "email": "Baru@Example.org", "full_name": "Rina", "organisation": membership_a.organisation.pk,
            "language": "en",
        })
        assert mail.outbox == []  # nothing leaves before the transaction commits
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:invitation_list")
    assert len(callbacks) == 1
    callbacks[0]()
    invitation = Invitation.objects.get()
    assert invitation.email == "baru@example.org"
    assert invitation.invited_by == coordinator
    assert invitation.language == "en"
    assert invitation.sent_at is None or invitation.sent_at  # set by the mail step
    message = mail.outbox[0]
    assert message.to == ["baru@example.org"]
    assert message.subject == f"Invitation to represent {membership_a.organisation.name} in Kemitraan"
    token = _token_from(message)
    assert invitation.token_hash == token_hash(token)
    assert token not in invitation.token_hash
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html" and token in html
    invitation.refresh_from_db()
    assert invitation.sent_at is not None


def test_invitation_mail_default_language_is_indonesian(coordinator, membership_a, django_capture_on_commit_callbacks):
    invitation, _ = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                            organisation=membership_a.organisation)
    assert invitation.language == "id"
    assert '<html lang="id">' in mail.outbox[0].alternatives[0][0]


def test_invitation_expires_after_configured_days(coordinator, membership_a, settings, django_capture_on_commit_callbacks):
    settings.INVITATION_EXPIRY_DAYS = 3
    invitation, _ = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                            organisation=membership_a.organisation)
    assert abs((invitation.expires_at - timezone.now()) - datetime.timedelta(days=3)) < datetime.timedelta(minutes=1)


def test_default_expiry_is_seven_days(coordinator, membership_a, django_capture_on_commit_callbacks):
    invitation, _ = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                            organisation=membership_a.organisation)
    assert abs((invitation.expires_at - timezone.now()) - datetime.timedelta(days=7)) < datetime.timedelta(minutes=1)


def test_new_invitation_replaces_pending_one(coordinator, membership_a, django_capture_on_commit_callbacks):
    first, _ = _invite(django_capture_on_commit_callbacks, invited_by=coordinator, organisation=membership_a.organisation)
    second, _ = _invite(django_capture_on_commit_callbacks, invited_by=coordinator, organisation=membership_a.organisation)
    first.refresh_from_db()
    assert first.status == Invitation.Status.REVOKED
    assert second.status == Invitation.Status.PENDING


# --- accepting ---------------------------------------------------------------------------------------

def test_invited_person_sets_password_and_is_signed_in(client, coordinator, membership_a, django_capture_on_commit_callbacks):
    org = membership_a.organisation
    invitation, token = _invite(django_capture_on_commit_callbacks, invited_by=coordinator, organisation=org,
                                full_name="Rina", language="en")
    url = reverse("accounts:invitation_accept", kwargs={"token": token})
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["form"]["full_name"].value() == "Rina"
    response = client.post(url, {"full_name": "Rina Wati", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")
    user = User.objects.get(email="baru@example.org")
    assert user.full_name == "Rina Wati"
    assert user.preferred_language == "en"
    assert user.check_password(NEW_PASSWORD)
    assert list(user.organisations.all()) == [org]
    assert client.session[SESSION_KEY] == str(user.pk)
    assert response.cookies["django_language"].value == "en"
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert invitation.accepted_by == user


def test_invitation_link_works_only_once(client, coordinator, membership_a, django_capture_on_commit_callbacks):
    _, token = _invite(django_capture_on_commit_callbacks, invited_by=coordinator, organisation=membership_a.organisation)
    url = reverse("accounts:invitation_accept", kwargs={"token": token})
    client.post(url, {"full_name": "Rina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    client.post(reverse("accounts:logout"))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    for method in (client.get, client.post):
        response = method(url, {"full_name": "Lain", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
                          if method == client.post else None)
        assert response.status_code == 410
        assert "already been used" in response.content.decode()
    assert User.objects.filter(email="baru@example.org").count() == 1


def test_expired_invitation_answers_410(client, coordinator, membership_a, django_capture_on_commit_callbacks):
    _, token = _invite(django_capture_on_commit_callbacks, invited_by=coordinator, organisation=membership_a.organisation)
    url = reverse("accounts:invitation_accept", kwargs={"token": token})
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with time_machine.travel(timezone.now() + datetime.timedelta(days=8)):
        response = client.get(url)
        assert response.status_code == 410
        assert "expired" in response.content.decode()
        response = client.post(url, {"full_name": "R", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
        assert response.status_code == 410
    assert not User.objects.filter(email="baru@example.org").exists()


def test_revoked_invitation_answers_410(client, coordinator, membership_a, django_capture_on_commit_callbacks):
    invitation, token = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                                organisation=membership_a.organisation)
    invitation_revoke(invitation=invitation, user=coordinator)
    response = client.get(reverse("accounts:invitation_accept", kwargs={"token": token}))
    assert response.status_code == 410


@pytest.mark.parametrize("token", ["unknown-token", "x" * 500, "%00", "'; DROP TABLE accounts_user; --"])
def test_unknown_token_answers_404_with_message(client, db, token):
    response = client.get(reverse("accounts:invitation_accept", kwargs={"token": token}))
    assert response.status_code == 404
    assert "accounts/invitation_invalid.html" in [t.name for t in response.templates]


def test_accept_validates_password_and_saves_nothing(client, coordinator, membership_a, django_capture_on_commit_callbacks):
    invitation, token = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                                organisation=membership_a.organisation)
    url = reverse("accounts:invitation_accept", kwargs={"token": token})
    for data, field in (
        ({"full_name": "Rina", "password1": "password123", "password2": "password123"}, "password2"),
        ({"full_name": "Rina", "password1": "12345678901", "password2": "12345678901"}, "password2"),
        ({"full_name": "Rina", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}, "password2"),
        ({"full_name": "", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, "full_name"),
        ({"full_name": "Rina", "password1": "baru@example.org", "password2": "baru@example.org"}, "password2"),
    ):
        response = client.post(url, data)
        assert response.status_code == 200
        assert response.context["form"].errors[field], data
    assert not User.objects.filter(email="baru@example.org").exists()
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_existing_user_is_linked_without_new_password(client, coordinator, partner_c, membership_a,
                                                       django_capture_on_commit_callbacks):
    _, token = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                       organisation=membership_a.organisation, email="Mitra.C@example.org")
    url = reverse("accounts:invitation_accept", kwargs={"token": token})
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["existing_account"] is True
    response = client.post(url, {})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:login")
    assert SESSION_KEY not in client.session  # the link is not a way to sign in as someone else
    assert membership_a.organisation in partner_c.organisations.all()
    assert partner_c.check_password(f.PASSWORD)


def test_service_accepts_each_invitation_once(coordinator, membership_a, django_capture_on_commit_callbacks):
    invitation, _ = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                            organisation=membership_a.organisation)
    stale = Invitation.objects.get(pk=invitation.pk)
    invitation_accept(invitation=invitation, password=NEW_PASSWORD, full_name="Rina")
    with pytest.raises(TransitionError):
        invitation_accept(invitation=stale, password=NEW_PASSWORD, full_name="Lain")
    assert User.objects.filter(email="baru@example.org").count() == 1


def test_deactivated_existing_user_is_refused(client, coordinator, partner_c, membership_a,
                                              django_capture_on_commit_callbacks):
    _, token = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                       organisation=membership_a.organisation, email=partner_c.email)
    partner_c.is_active = False
    partner_c.save()
    response = client.post(reverse("accounts:invitation_accept", kwargs={"token": token}), {})
    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert membership_a.organisation not in partner_c.organisations.all()


# --- list, resend, revoke ----------------------------------------------------------------------------

def _make_invitations(coordinator, organisation, count):
    now = timezone.now()
    Invitation.objects.bulk_create([
        Invitation(email=f"p{i}@example.org", organisation=organisation, invited_by=coordinator,
                   token_hash=token_hash(f"t{i}-{organisation.pk}"), expires_at=now + datetime.timedelta(days=7),
                   accepted_at=now if i % 3 == 0 else None, accepted_by=coordinator if i % 3 == 0 else None,
                   sent_at=now)
        for i in range(count)
    ])


def test_coordinator_sees_only_own_invitations(client, coordinator, other_coordinator, membership_a, membership_c):
    _make_invitations(coordinator, membership_a.organisation, 2)
    Invitation.objects.create(email="other@example.org", organisation=membership_c.organisation,
                              invited_by=other_coordinator, token_hash=token_hash("other"),
                              expires_at=timezone.now() + datetime.timedelta(days=7))
    client.force_login(coordinator)
    response = client.get(reverse("accounts:invitation_list"))
    assert response.status_code == 200
    body = response.content.decode()
    assert "p0@example.org" in body and "p1@example.org" in body
    assert "other@example.org" not in body


def test_invitation_list_query_count_is_constant(client, coordinator, membership_a):
    client.force_login(coordinator)
    counts = []
    for total in (3, 50):
        Invitation.objects.all().delete()
        _make_invitations(coordinator, membership_a.organisation, total)
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(reverse("accounts:invitation_list"))
        assert response.status_code == 200
        counts.append(len(ctx.captured_queries))
    # the session, the user, the navigation's roles, may-invite check, count for the paginator, the page with its joins
    assert counts[0] == counts[1] == 6, [q["sql"] for q in ctx.captured_queries]


def test_resend_mails_new_link_and_old_link_stops(client, coordinator, membership_a, django_capture_on_commit_callbacks):
    invitation, old_token = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                                    organisation=membership_a.organisation)
    client.force_login(coordinator)
    url = reverse("accounts:invitation_resend", kwargs={"pk": invitation.pk})
    assert client.get(url).status_code == 200  # confirmation page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    new_token = _token_from(mail.outbox[-1])
    assert new_token != old_token
    client.logout()
    assert client.get(reverse("accounts:invitation_accept", kwargs={"token": old_token})).status_code == 404
    assert client.get(reverse("accounts:invitation_accept", kwargs={"token": new_token})).status_code == 200


def test_revoke_needs_confirmation_and_stops_link(client, coordinator, membership_a, django_capture_on_commit_callbacks):
    invitation, _token = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                                organisation=membership_a.organisation)
    client.force_login(coordinator)
    url = reverse("accounts:invitation_revoke", kwargs={"pk": invitation.pk})
    response = client.get(url)
    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING
    response = client.post(url)
    assert response.status_code == 302
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.REVOKED
    # Revoking twice is a clear message, not a 500.
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(url, follow=True)
    assert response.status_code == 200
    assert any("cannot be revoked" in str(m) for m in response.context["messages"])


@pytest.mark.parametrize("name", ["accounts:invitation_resend", "accounts:invitation_revoke"])
def test_other_coordinator_and_partner_get_404_on_someone_elses_invitation(
    client, coordinator, other_coordinator, partner_a, membership_b, django_capture_on_commit_callbacks, name
):
    invitation, _ = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                            organisation=membership_b.organisation)
    url = reverse(name, kwargs={"pk": invitation.pk})
    for user in (other_coordinator, partner_a):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.post(url).status_code == 404
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.PENDING


def test_resend_refused_once_inviter_no_longer_coordinates(client, coordinator, partnership, membership_a,
                                                             django_capture_on_commit_callbacks):
    invitation, _ = _invite(django_capture_on_commit_callbacks, invited_by=coordinator,
                            organisation=membership_a.organisation)
    other = f.PartnershipFactory()
    other.coordinators.add(coordinator)  # still a coordinator, but not of org A's partnership
    partnership.coordinators.remove(coordinator)
    with pytest.raises(TransitionError):
        from accounts.services import invitation_resend

        invitation_resend(invitation=invitation, user=coordinator)
