"""Issue 19 F1: a coordinator of one partnership cannot take over an organisation of another.

The attack: koordinator2 (coordinates Udara Bersih only) adds RSUD (a member of Anak Sehat
only) to Udara Bersih, invites themselves as RSUD's representative, accepts, and reads Anak
Sehat through RSUD. Here ``other_coordinator`` plays koordinator2 and ``org_a`` plays RSUD.

What holds (accounts/selectors.py): being given a role in one partnership never opens another
partnership's data. A coordinator may invite the first representatives of an organisation that
works only in partnerships they coordinate; anything else goes through the organisation's own
representatives or an admin, and the rule is checked again when the link is used. The member
form lists only the organisations of the coordinator's own partnerships; any other is reached
by its exact name.
"""
import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import Invitation
from accounts.selectors import organisations_invitable_by, token_hash
from accounts.services import invitation_accept, invitation_create
from partners.models import Membership, Organisation, Partnership
from partners.services import TransitionError
from tests import factories as f
from tests.partners.test_coordinator_pages import _member_data

PASSWORD = "Lembayung-senja-2026"


def _add_member(client, partnership, **fields):
    return client.post(reverse("partners:membership_add", args=[partnership.pk]), _member_data(**fields))


def _pending_invitation(*, invited_by, organisation, email, token="takeover-token"):
    """An invitation row as if it had been sent (used to show the check when the link is used)."""
    return Invitation.objects.create(
        email=email, organisation=organisation, invited_by=invited_by, token_hash=token_hash(token),
        expires_at=timezone.now() + datetime.timedelta(days=7),
    )


# --- the attack, step by step through the pages -------------------------------------------------


def test_the_takeover_through_the_pages_opens_nothing(
    client, other_coordinator, other_partnership, partnership, membership_a, partner_a, org_a,
    django_capture_on_commit_callbacks,
):
    client.force_login(other_coordinator)
    # 1. RSUD is not offered in the member form's list, and its id is refused.
    response = client.get(reverse("partners:membership_add", args=[other_partnership.pk]))
    assert org_a.name not in response.content.decode()
    response = _add_member(client, other_partnership, organisation=org_a.pk)
    assert response.status_code == 200
    assert "organisation" in response.context["org_form"].errors
    # 2. Typing its exact name adds it (the coordinator learnt it from the organisation).
    response = _add_member(client, other_partnership, organisation_name=f"  {org_a.name.upper()} ")
    assert response.status_code == 302
    assert Membership.objects.filter(partnership=other_partnership, organisation=org_a).exists()
    # 3. Inviting oneself for it is refused: it works in a partnership they do not coordinate.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:invitation_create"), {
            "email": other_coordinator.email, "organisation": org_a.pk, "language": "id",
        })
    assert response.status_code == 200
    assert response.context["form"].errors["organisation"]
    assert not Invitation.objects.exists()
    assert mail.outbox == []
    # 4. Nothing of the other partnership opens.
    cycle = f.EvaluationCycleFactory(partnership=partnership, status="open", due_date=datetime.date(2099, 1, 1))
    draft = f.ContributionReportFactory(membership=membership_a)
    for url in [
        reverse("workspace:partnership_detail", args=[partnership.pk]),
        reverse("evaluations:partnership_cycles", kwargs={"partnership_pk": partnership.pk}),
        reverse("evaluations:cycle_detail", args=[cycle.pk]),
        reverse("partners:report_detail", args=[draft.pk]),
    ]:
        assert client.get(url).status_code == 404, url


def test_an_invitation_link_is_refused_once_the_organisation_works_elsewhere(
    client, other_coordinator, other_partnership, partnership, org_c, membership_c,
):
    """Checked again when the link is used: granted while org C worked only in their partnership,
    the link stops working once org C also joined a partnership the inviter does not coordinate."""
    invitation = _pending_invitation(invited_by=other_coordinator, organisation=org_c, email=other_coordinator.email)
    f.MembershipFactory(partnership=partnership, organisation=org_c)
    response = client.get(reverse("accounts:invitation_accept", args=["takeover-token"]))
    assert response.status_code == 410
    assert "tidak dapat diterima lagi" in response.content.decode()
    with pytest.raises(TransitionError):
        invitation_accept(invitation=invitation, password=PASSWORD)
    assert not org_c.representatives.filter(pk=other_coordinator.pk).exists()


def test_accepting_a_stale_link_signed_in_grants_nothing(
    client, other_coordinator, other_partnership, partnership, org_c, membership_c,
):
    _pending_invitation(invited_by=other_coordinator, organisation=org_c, email=other_coordinator.email)
    f.MembershipFactory(partnership=partnership, organisation=org_c)
    client.force_login(other_coordinator)
    response = client.post(reverse("accounts:invitation_accept", args=["takeover-token"]), {"confirm": "1"})
    assert response.status_code == 410
    assert not org_c.representatives.exists()


# --- who may invite for which organisation (the rule at the selector and the service) -------------


def test_coordinator_may_invite_first_representatives_of_an_organisation_only_in_their_partnerships(
    other_coordinator, membership_c, org_c,
):
    assert list(organisations_invitable_by(other_coordinator)) == [org_c]


def test_coordinator_may_not_invite_for_an_organisation_that_has_representatives(
    other_coordinator, membership_c, partner_c, org_c,
):
    assert not organisations_invitable_by(other_coordinator).exists()
    with pytest.raises(TransitionError) as error:
        invitation_create(invited_by=other_coordinator, email="x@example.org", organisation=org_c)
    assert error.value.code == "organisation_not_allowed"


@pytest.mark.parametrize("left", [None, "past"])
def test_coordinator_may_not_invite_for_an_organisation_also_in_another_partnership(
    other_coordinator, other_partnership, partnership, membership_c, org_c, left,
):
    elsewhere = f.MembershipFactory(partnership=partnership, organisation=org_c,
                                    joined_on=datetime.date(2025, 1, 1))
    if left:  # a past membership counts too: its representatives would still see that partnership
        elsewhere.left_on = datetime.date(2025, 6, 30)
        elsewhere.save()
    assert not organisations_invitable_by(other_coordinator).exists()
    with pytest.raises(TransitionError):
        invitation_create(invited_by=other_coordinator, email="x@example.org", organisation=org_c)
    assert not Invitation.objects.exists()


def test_coordinator_of_every_partnership_of_an_organisation_may_invite_for_it(
    other_coordinator, other_partnership, partnership, membership_c, org_c,
):
    partnership.coordinators.add(other_coordinator)
    f.MembershipFactory(partnership=partnership, organisation=org_c)
    assert list(organisations_invitable_by(other_coordinator)) == [org_c]


def test_representative_may_invite_colleagues_for_their_own_organisation_only(
    partner_a, org_a, org_b, membership_b, django_capture_on_commit_callbacks,
):
    assert list(organisations_invitable_by(partner_a)) == [org_a]
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(invited_by=partner_a, email="rekan@example.org", organisation=org_a)
    assert invitation.organisation == org_a
    with pytest.raises(TransitionError):
        invitation_create(invited_by=partner_a, email="rekan@example.org", organisation=org_b)


def test_representative_reaches_the_invitation_form_from_their_home(client, partner_a, org_a):
    client.force_login(partner_a)
    home = client.get(reverse("workspace:partner_home")).content.decode()
    link = reverse("accounts:invitation_create") + f"?organisation={org_a.pk}"
    assert link in home
    response = client.get(link)
    assert response.status_code == 200
    assert list(response.context["form"].fields["organisation"].queryset) == [org_a]


def test_two_colleagues_invited_together_can_both_accept(
    other_coordinator, membership_c, org_c, django_capture_on_commit_callbacks,
):
    first = invitation_create(invited_by=other_coordinator, email="satu@example.org", organisation=org_c)
    second = invitation_create(invited_by=other_coordinator, email="dua@example.org", organisation=org_c)
    invitation_accept(invitation=first, password=PASSWORD, full_name="Satu")
    invitation_accept(invitation=second, password=PASSWORD, full_name="Dua")
    assert set(org_c.representatives.values_list("email", flat=True)) == {"satu@example.org", "dua@example.org"}


def test_link_of_an_inviter_who_no_longer_coordinates_is_refused(other_coordinator, other_partnership, membership_c, org_c):
    invitation = invitation_create(invited_by=other_coordinator, email="baru@example.org", organisation=org_c)
    other_partnership.coordinators.remove(other_coordinator)
    with pytest.raises(TransitionError):
        invitation_accept(invitation=invitation, password=PASSWORD)
    assert not org_c.representatives.exists()


# --- what the member form and the lead-organisation choice show ----------------------------------


def test_member_form_lists_only_the_organisations_of_the_coordinators_partnerships(
    client, coordinator, partnership, other_partnership, membership_a, membership_c, org_c,
):
    second = f.PartnershipFactory(title="Kemitraan Kedua")
    second.coordinators.add(coordinator)
    own_elsewhere = f.OrganisationFactory(name="Yayasan Milik Sendiri", sector="nonprofit")
    f.MembershipFactory(partnership=second, organisation=own_elsewhere)
    client.force_login(coordinator)
    response = client.get(reverse("partners:membership_add", args=[partnership.pk]))
    offered = [value for value, _label in response.context["org_form"].fields["organisation"].choices if value]
    assert offered == [own_elsewhere.pk]
    assert org_c.name not in response.content.decode()
    # the live search does not list it either, however it is spelt
    options = client.get(reverse("partners:organisation_options", args=[partnership.pk]), {"q": org_c.name[:4]})
    assert org_c.name not in options.content.decode()


def test_exact_name_that_matches_nothing_is_a_clear_error(client, coordinator, partnership, org_c):
    client.force_login(coordinator)
    response = _add_member(client, partnership, organisation_name=org_c.name[:-2])
    assert response.status_code == 200
    assert "organisation_name" in response.context["org_form"].errors
    assert not Membership.objects.exists()


def test_exact_name_of_a_member_already_is_refused(client, coordinator, partnership, membership_a, org_a):
    client.force_login(coordinator)
    response = _add_member(client, partnership, organisation_name=org_a.name)
    assert response.status_code == 200
    assert "organisation_name" in response.context["org_form"].errors
    assert Membership.objects.count() == 1


def test_new_partnership_lead_is_chosen_among_the_coordinators_organisations(
    client, coordinator, partnership, membership_a, org_a, org_c,
):
    client.force_login(coordinator)
    data = {"title": "Baru", "problem_statement": "Masalah", "type": "service", "status": "draft",
            "start_date": "2026-01-01", "evaluation_frequency": "quarterly"}
    response = client.post(reverse("partners:partnership_create"), {**data, "lead_organisation": org_c.pk})
    assert response.status_code == 200
    assert "lead_organisation" in response.context["form"].errors
    assert not Partnership.objects.filter(title="Baru").exists()
    response = client.post(reverse("partners:partnership_create"), {**data, "lead_organisation": org_a.pk})
    assert response.status_code == 302
    assert Partnership.objects.get(title="Baru").lead_organisation == org_a


def test_admin_lists_every_organisation(client, admin, partnership, org_c):
    client.force_login(admin)
    response = client.get(reverse("partners:membership_add", args=[partnership.pk]))
    offered = [value for value, _label in response.context["org_form"].fields["organisation"].choices if value]
    assert offered == [org_c.pk]
    assert Organisation.objects.count() == 1
