"""Reads for accounts and invitations, already limited to what the user may see.

Who may invite: a coordinator (someone who coordinates at least one partnership) or an
admin. A coordinator invites representatives only for organisations that are current
members of a partnership they coordinate; an admin for any organisation.
"""
import hashlib

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partners.models import Membership, Organisation, Partnership

from .models import Invitation


def token_hash(token: str) -> str:
    """Return the stored form of an invitation token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def user_may_invite(user) -> bool:
    """Tell whether ``user`` may invite partner representatives at all."""
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    return Partnership.coordinators.through.objects.filter(user=user).exists()


def organisations_invitable_by(user) -> QuerySet[Organisation]:
    """Return the organisations ``user`` may invite representatives for, by name."""
    if not user_may_invite(user):
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    today = timezone.localdate()
    coordinated = Partnership.coordinators.through.objects.filter(
        partnership=OuterRef("partnership"), user=user
    )
    current_member = Membership.objects.filter(organisation=OuterRef("pk")).filter(
        Q(left_on__isnull=True) | Q(left_on__gte=today)
    ).filter(Exists(coordinated))
    return Organisation.objects.filter(Exists(current_member)).order_by("name")


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
