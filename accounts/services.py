"""Writes for accounts: profiles, invitations, deactivation and sessions."""
import datetime
import logging
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from kemitraan.transitions import TransitionError

from .models import Invitation, Session
from .selectors import invitation_still_grantable, organisations_invitable_by, token_hash

logger = logging.getLogger(__name__)

User = get_user_model()


def invitation_expiry_days() -> int:
    """Return how many days an invitation link stays valid (``INVITATION_EXPIRY_DAYS``, default 7)."""
    return int(getattr(settings, "INVITATION_EXPIRY_DAYS", 7))


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def mail_send(*, to: str, template: str, context: dict, language: str) -> None:
    """Send a text + HTML mail rendered from ``emails/<template>{_subject.txt,.txt,.html}`` in ``language``."""
    with translation.override(language):
        context = {"site_url": site_url(), **context}
        subject = " ".join(render_to_string(f"emails/{template}_subject.txt", context).split())
        text = render_to_string(f"emails/{template}.txt", context)
        html = render_to_string(f"emails/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    message.send()


# --- profile -------------------------------------------------------------------------

@transaction.atomic
def user_profile_update(*, user, full_name: str, preferred_language: str):
    """Change the user's name and preferred language."""
    user.full_name = full_name
    user.preferred_language = preferred_language
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "preferred_language"])
    return user


# --- sessions and deactivation -------------------------------------------------------

def user_sessions_end(*, user) -> int:
    """Delete every stored session signed in as ``user`` and return how many were ended."""
    deleted, _ = Session.objects.filter(user=user).delete()
    return deleted


def sessions_clear_expired(*, now=None) -> int:
    """Delete the stored sessions past their expiry and return how many (signed-in or not, they are over)."""
    deleted, _ = Session.objects.filter(expire_date__lte=now or timezone.now()).delete()
    return deleted


@transaction.atomic
def user_deactivate(*, user):
    """Deactivate ``user`` so they can no longer sign in, and end their sessions now."""
    user.is_active = False
    user.save(update_fields=["is_active"])  # the post_save signal ends the sessions
    return user


# --- invitations ---------------------------------------------------------------------

NOT_GRANTABLE = gettext_lazy(
    "This invitation can no longer be accepted: the organisation's partnerships changed since it was sent. "
    "Ask the organisation's representatives or an administrator for a new one."
)


def _not_invitable(organisation) -> TransitionError:
    return TransitionError(
        _("You cannot invite representatives for %(organisation)s: it already has representatives of its own "
          "or it works in partnerships you do not coordinate. Ask its representatives or an administrator.")
        % {"organisation": organisation},
        code="organisation_not_allowed",
    )


def _new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def invitation_url(token: str) -> str:
    return site_url() + reverse("accounts:invitation_accept", kwargs={"token": token})


def _invitation_mail(invitation: Invitation, token: str) -> None:
    mail_send(
        to=invitation.email,
        template="accounts/invitation",
        context={
            "invitation": invitation,
            "organisation": invitation.organisation,
            "inviter": invitation.invited_by,
            "accept_url": invitation_url(token),
            "expires_at": invitation.expires_at,
        },
        language=invitation.language,
    )
    Invitation.objects.filter(pk=invitation.pk).update(sent_at=timezone.now())


@transaction.atomic
def invitation_create(*, invited_by, email: str, organisation, full_name: str = "", language: str = "id") -> Invitation:
    """Invite ``email`` to represent ``organisation`` and mail the link once the transaction commits.

    Refuses an organisation the inviter may not invite for (``selectors.organisations_invitable_by``)
    and a person who already represents the organisation. A newer invitation replaces any pending one for
    the same person and organisation.
    """
    email = (email or "").strip().lower()
    if not organisations_invitable_by(invited_by).filter(pk=organisation.pk).exists():
        raise _not_invitable(organisation)
    if organisation.representatives.filter(email__iexact=email).exists():
        raise TransitionError(
            _("%(email)s already represents %(organisation)s.") % {"email": email, "organisation": organisation},
            code="already_representative",
        )
    now = timezone.now()
    Invitation.objects.filter(
        email=email, organisation=organisation, accepted_at__isnull=True, revoked_at__isnull=True
    ).update(revoked_at=now)
    token, hashed = _new_token()
    invitation = Invitation(
        email=email,
        full_name=full_name,
        organisation=organisation,
        language=language,
        invited_by=invited_by,
        token_hash=hashed,
        expires_at=now + datetime.timedelta(days=invitation_expiry_days()),
    )
    invitation.full_clean()
    invitation.save()
    transaction.on_commit(lambda: _invitation_mail(invitation, token), robust=True)
    return invitation


def _locked_invitation(invitation: Invitation) -> Invitation:
    return Invitation.objects.select_for_update(of=("self",)).select_related("organisation", "invited_by").get(pk=invitation.pk)


@transaction.atomic
def invitation_resend(*, invitation: Invitation, user) -> Invitation:
    """Mail a fresh link for a pending or expired invitation; the old link stops working."""
    locked = _locked_invitation(invitation)
    if locked.accepted_at or locked.revoked_at:
        raise TransitionError(
            _("This invitation is %(status)s and cannot be sent again.") % {"status": locked.get_status_display().lower()},
            code="invalid_transition",
        )
    if not organisations_invitable_by(user).filter(pk=locked.organisation_id).exists():
        raise _not_invitable(locked.organisation)
    token, hashed = _new_token()
    locked.token_hash = hashed
    locked.expires_at = timezone.now() + datetime.timedelta(days=invitation_expiry_days())
    locked.save(update_fields=["token_hash", "expires_at"])
    transaction.on_commit(lambda: _invitation_mail(locked, token), robust=True)
    return locked


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, user) -> Invitation:
    """Make a pending invitation's link stop working."""
    locked = _locked_invitation(invitation)
    if locked.accepted_at or locked.revoked_at:
        raise TransitionError(
            _("This invitation is %(status)s and cannot be revoked.") % {"status": locked.get_status_display().lower()},
            code="invalid_transition",
        )
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    return locked


@transaction.atomic
def invitation_accept(*, invitation: Invitation, password: str | None = None, full_name: str = ""):
    """Accept ``invitation``: create the account (or take the existing one), link it, mark the link used.

    The row is locked, so two clicks on the same link create one account at most.
    Returns ``(user, created)``.
    """
    locked = _locked_invitation(invitation)
    if not locked.is_usable:
        raise TransitionError(_("This invitation link can no longer be used."), code="not_usable")
    if not invitation_still_grantable(locked):
        # The organisation joined a partnership the inviter does not coordinate since the link was
        # sent, or the inviter lost the right to invite: the link would open more than was granted.
        raise TransitionError(NOT_GRANTABLE, code="not_grantable")
    user = User.objects.filter(email__iexact=locked.email).first()
    created = False
    if user is None:
        if not password:
            raise ValidationError(_("Choose a password."), code="password_required")
        user = User(
            email=locked.email,
            full_name=(full_name or locked.full_name).strip(),
            preferred_language=locked.language,
        )
        user.set_password(password)
        user.full_clean()
        user.save()
        created = True
    elif not user.is_active:
        raise TransitionError(
            _("The account for this email address is deactivated. Ask your coordinator for help."),
            code="inactive_user",
        )
    locked.organisation.representatives.add(user)
    locked.accepted_at = timezone.now()
    locked.accepted_by = user
    locked.save(update_fields=["accepted_at", "accepted_by"])
    invitation.__dict__.update({k: v for k, v in locked.__dict__.items() if not k.startswith("_")})
    return user, created
