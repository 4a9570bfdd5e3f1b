"""Reads for accounts and invitations, already limited to what the user may see.

Who may make whom a partner representative (issue: a coordinator took over another
partnership's organisation). A representative of an organisation sees and acts for it in
*every* partnership it belongs to, so the right to invite one is the right to open all of
them. The rule, written once here (``organisations_invitable_by``) and checked again when the
link is used (``organisations_grantable_by``):

- an admin may invite for any organisation;
- a representative may invite colleagues for an organisation they represent: the organisation
  manages its own people;
- a coordinator may invite for an organisation only while every partnership it has ever been
  a member of is one they coordinate, it is a current member of one of them, and it has no
  representative yet. So a coordinator can bring in the first people of an organisation they
  brought into their own partnerships, and nothing more: an organisation that also works in
  another partnership, or that already has its own representatives, is asked through those
  representatives or an admin. Being given a role in one partnership never opens another.

When the link is used, the inviter must still be allowed to grant the organisation
(``organisations_grantable_by``: the same rule without "no representative yet", so two
colleagues invited together can both accept): an organisation that joined another partnership
in between, or an inviter who no longer coordinates, makes the link unusable.
"""
import hashlib
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partners import access
from partners.models import Membership, Organisation

from .models import Invitation


def token_hash(token: str) -> str:
    """Return the stored form of an invitation token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Roles:
    """What a person is, as far as the pages offer them anything: admin, coordinator, representative."""

    admin: bool = False
    coordinator: bool = False
    representative: bool = False

    @property
    def coordinates(self) -> bool:
        """Runs partnerships: coordinates one, or is an admin (who may do whatever a coordinator does)."""
        return self.admin or self.coordinator

    @property
    def may_invite(self) -> bool:
        """May invite anybody at all: an admin, a coordinator or a representative (whom: see above)."""
        return self.admin or self.coordinator or self.representative

    @property
    def key(self) -> str:
        """A short text that differs for every combination (part of a cache key)."""
        return "".join("1" if flag else "0" for flag in (self.admin, self.coordinator, self.representative))


def user_roles(user) -> Roles:
    """Return the ``Roles`` of ``user``: none for a visitor or a deactivated account, in at most one query."""
    if not user.is_authenticated or not user.is_active:
        return Roles()
    if access.is_admin(user):
        return Roles(admin=True)
    # The coordinator and representative rules of partners.access, both asked in one statement.
    coordinator, representative = (
        get_user_model().objects.filter(pk=user.pk).values_list(
            Exists(access.coordinated_partnership_ids(user)),
            Exists(access.represented_organisation_ids(user)),
        ).get()
    )
    return Roles(coordinator=coordinator, representative=representative)


def user_may_invite(user) -> bool:
    """Tell whether ``user`` may invite anybody at all: an admin, a coordinator or a representative."""
    return user_roles(user).may_invite


def _coordinator_may_grant(user) -> Q:
    """Organisations whose every partnership ``user`` coordinates, and that are a current member of one."""
    coordinated = access.coordinated_partnership_ids(user)
    current_member_here = Membership.objects.filter(
        access.current_on(timezone.localdate()), organisation=OuterRef("pk"), partnership__in=coordinated,
    )
    member_elsewhere = Membership.objects.filter(organisation=OuterRef("pk")).exclude(partnership__in=coordinated)
    return Q(Exists(current_member_here)) & ~Q(Exists(member_elsewhere))


def organisations_grantable_by(user) -> QuerySet[Organisation]:
    """Return the organisations whose representatives ``user`` may still bring in (checked when a link is used)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    return Organisation.objects.filter(access.represented_by(user, "") | _coordinator_may_grant(user)).order_by("name")


def organisations_invitable_by(user) -> QuerySet[Organisation]:
    """Return the organisations ``user`` may invite representatives for now, by name (see the module's rule)."""
    if not user_may_invite(user):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    has_representatives = Organisation.representatives.through.objects.filter(organisation=OuterRef("pk"))
    return Organisation.objects.filter(
        access.represented_by(user, "") | (_coordinator_may_grant(user) & ~Q(Exists(has_representatives)))
    ).order_by("name")


def invitation_still_grantable(invitation: Invitation) -> bool:
    """Tell whether the inviter may still grant the invitation's organisation (checked when the link is used)."""
    return organisations_grantable_by(invitation.invited_by).filter(pk=invitation.organisation_id).exists()


def invitations_for_user(user) -> QuerySet[Invitation]:
    """Return the invitations ``user`` sent (every invitation for an admin), newest first."""
    qs = Invitation.objects.select_related("organisation", "invited_by", "accepted_by")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    return qs.filter(invited_by=user)


def invitation_get_for_user(user, pk) -> Invitation:
    """Return the invitation if ``user`` may manage it, else raise 404."""
    return get_object_or_404(invitations_for_user(user), pk=pk)


def invitation_get_by_token(token: str) -> Invitation | None:
    """Return the invitation whose emailed token is ``token``, or None when unknown."""
    if not token or len(token) > 200:
        return None
    return (
        Invitation.objects.select_related("organisation", "invited_by")
        .filter(token_hash=token_hash(token))
        .first()
    )
