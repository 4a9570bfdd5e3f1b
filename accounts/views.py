from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model, login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import (
    ConfirmForm,
    EmailAuthenticationForm,
    InvitationAcceptForm,
    InvitationForm,
    PasswordResetForm,
    ProfileForm,
)
from .middleware import EXPIRED_LOGOUT_KEY
from .selectors import (
    invitation_get_by_token,
    invitation_get_for_user,
    invitation_still_grantable,
    invitations_for_user,
    user_may_invite,
)
from .services import (
    NOT_GRANTABLE,
    invitation_accept,
    invitation_create,
    invitation_expiry_days,
    invitation_resend,
    invitation_revoke,
    site_url,
    user_profile_update,
)

INVITATIONS_PER_PAGE = 25


def _data(request):
    """Bind a form on POST, even to an empty body (``request.POST or None`` would not)."""
    return request.POST if request.method == "POST" else None


def _set_language_cookie(response, language):
    """Make the language switch start from ``language``, exactly as ``set_language`` would store it."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


def _sign_in(request, user):
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    translation.activate(user.preferred_language)


# --- sign-in, sign-out, passwords -----------------------------------------------------

class LoginView(auth_views.LoginView):
    """Sign in by email; afterwards the interface speaks the user's preferred language."""

    template_name = "accounts/login.html"
    authentication_form = EmailAuthenticationForm
    redirect_authenticated_user = True

    def get(self, request, *args, **kwargs):
        reason = request.session.pop(EXPIRED_LOGOUT_KEY, None)
        if reason == "idle":
            messages.info(request, _("You were signed out after a period of inactivity. Please sign in again."))
        elif reason:
            messages.info(request, _("Your session has ended. Please sign in again."))
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        self.request.session.pop(EXPIRED_LOGOUT_KEY, None)
        response = super().form_valid(form)
        user = form.get_user()
        translation.activate(user.preferred_language)
        return _set_language_cookie(response, user.preferred_language)


class LogoutView(auth_views.LogoutView):
    """Sign out (POST only): the session is deleted on the server."""


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("accounts:password_change_done")


class PasswordChangeDoneView(auth_views.PasswordChangeDoneView):
    template_name = "accounts/password_change_done.html"


class PasswordResetView(auth_views.PasswordResetView):
    """Mail a reset link (in the person's own language); the answer never tells whether the address exists."""

    template_name = "accounts/password_reset.html"
    form_class = PasswordResetForm
    subject_template_name = "emails/accounts/password_reset_subject.txt"
    email_template_name = "emails/accounts/password_reset.txt"
    html_email_template_name = "emails/accounts/password_reset.html"
    success_url = reverse_lazy("accounts:password_reset_done")

    def form_valid(self, form):
        # Links point at SITE_URL, not at whatever Host header the request carried.
        self.extra_email_context = {"site_url": site_url()}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "accounts/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Set a new password from the mailed link; this also lifts a sign-in lockout on the account.

    Proving control of the mailbox is how someone locked out by another person's
    failed attempts gets back in before the cool-off ends.
    """

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("accounts:password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        axes_reset(username=form.user.email)
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "accounts/password_reset_complete.html"


# --- profile ----------------------------------------------------------------------------

@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    user = request.user
    form = ProfileForm(_data(request), instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            user_profile_update(
                user=user,
                full_name=form.cleaned_data["full_name"],
                preferred_language=form.cleaned_data["preferred_language"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            translation.activate(user.preferred_language)
            messages.success(request, _("Your profile has been saved."))
            return _set_language_cookie(redirect("accounts:profile"), user.preferred_language)
    organisations = user.organisations.order_by("name")
    return render(request, "accounts/profile.html", {"form": form, "organisations": organisations})


# --- invitations ----------------------------------------------------------------------------

def _require_inviter(request):
    if not user_may_invite(request.user):
        raise Http404(_("Only coordinators and partner representatives can invite."))


@login_required
@require_http_methods(["GET", "POST"])
def invitation_create_view(request):
    _require_inviter(request)
    initial = {}
    if request.method == "GET" and request.GET.get("organisation", "").isdigit():
        initial["organisation"] = request.GET["organisation"]
    form = InvitationForm(_data(request), user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            invitation = invitation_create(invited_by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request,
                _("An invitation has been sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect("accounts:invitation_list")
    return render(
        request,
        "accounts/invitation_create.html",
        {"form": form, "expiry_days": invitation_expiry_days()},
    )


@login_required
@require_http_methods(["GET"])
def invitation_list(request):
    _require_inviter(request)
    invitations = invitations_for_user(request.user)
    page = Paginator(invitations, INVITATIONS_PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "accounts/invitation_list.html", {"page_obj": page, "invitations": page.object_list})


def _invitation_action(request, pk, *, service, title, question, button, done):
    _require_inviter(request)
    invitation = invitation_get_for_user(request.user, pk)
    if request.method == "POST":
        try:
            service(invitation=invitation, user=request.user)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, done % {"email": invitation.email})
        return redirect("accounts:invitation_list")
    return render(
        request,
        "accounts/invitation_confirm.html",
        {"invitation": invitation, "title": title, "question": question, "button": button, "form": ConfirmForm()},
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_resend_view(request, pk):
    return _invitation_action(
        request, pk, service=invitation_resend,
        title=_("Send the invitation again"),
        question=_("Send a new link? The old link will stop working."),
        button=_("Send again"),
        done=_("A new invitation link has been sent to %(email)s."),
    )


@login_required
@require_http_methods(["GET", "POST"])
def invitation_revoke_view(request, pk):
    return _invitation_action(
        request, pk, service=invitation_revoke,
        title=_("Revoke the invitation"),
        question=_("Revoke this invitation? Its link will stop working."),
        button=_("Revoke"),
        done=_("The invitation for %(email)s has been revoked."),
    )


def _invitation_unusable(request, invitation):
    """Explain why a link cannot be used: unknown (404), or used, revoked or expired (410)."""
    if invitation is None:
        status, reason = 404, _("This invitation link is not valid. Check that you copied the whole link from the email.")
    elif invitation.status == invitation.Status.ACCEPTED:
        status, reason = 410, _("This invitation has already been used. Sign in with your email address and password.")
    elif invitation.status == invitation.Status.REVOKED:
        status, reason = 410, _("This invitation has been withdrawn. Ask your coordinator for a new one.")
    elif invitation.status == invitation.Status.EXPIRED:
        status, reason = 410, _("This invitation has expired. Ask your coordinator to send it again.")
    else:
        status, reason = 410, NOT_GRANTABLE
    return render(request, "accounts/invitation_invalid.html", {"reason": reason}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept_view(request, token):
    """Open to anyone holding the mailed link: set a password, or link an existing account."""
    invitation = invitation_get_by_token(token)
    if invitation is None or not invitation.is_usable or not invitation_still_grantable(invitation):
        return _invitation_unusable(request, invitation)
    existing = get_user_model().objects.filter(email__iexact=invitation.email).first()
    if existing is not None:
        form = ConfirmForm(_data(request))
    else:
        form = InvitationAcceptForm(_data(request), invitation=invitation)
    if request.method == "POST" and form.is_valid():
        try:
            user, created = invitation_accept(
                invitation=invitation,
                password=form.cleaned_data.get("password1"),
                full_name=form.cleaned_data.get("full_name", ""),
            )
        except ValidationError as error:
            invitation.refresh_from_db()
            if not invitation.is_usable or not invitation_still_grantable(invitation):
                return _invitation_unusable(request, invitation)
            form.add_error(None, error)
        else:
            if created:
                _sign_in(request, user)
                messages.success(
                    request,
                    _("Welcome! You now represent %(organisation)s.") % {"organisation": invitation.organisation},
                )
                return _set_language_cookie(redirect(settings.LOGIN_REDIRECT_URL), user.preferred_language)
            messages.success(
                request,
                _("%(organisation)s has been added to your account.") % {"organisation": invitation.organisation},
            )
            if request.user.is_authenticated and request.user.pk == user.pk:
                return redirect(settings.LOGIN_REDIRECT_URL)
            return redirect("accounts:login")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "form": form, "existing_account": existing is not None},
    )
