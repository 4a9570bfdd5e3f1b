"""Admin for people: email sign-in, language, and the organisations they represent."""
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from partners.models import Organisation, Partnership
from partners.signals import partnerships_showing, touch

from .models import Invitation, Session, User
from .selectors import organisations_invitable_by
from .services import invitation_create, invitation_resend, invitation_revoke

admin.site.site_header = _("Kemitraan administration")
admin.site.site_title = _("Kemitraan admin")
admin.site.index_title = _("Partnership records")


def _clean_email(form):
    """Store addresses in lower case and refuse one that differs from another only in case."""
    email = User.objects.normalize_email(form.cleaned_data["email"]).lower()
    others = User.objects.filter(email__iexact=email)
    if form.instance.pk:
        others = others.exclude(pk=form.instance.pk)
    if others.exists():
        raise forms.ValidationError(_("A user with this email address already exists."), code="unique")
    return email


class UserCreateForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name", "preferred_language")

    def clean_email(self):
        return _clean_email(self)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self):
        return _clean_email(self)


class RepresentedOrganisationInline(admin.TabularInline):
    """The organisations this person represents (``Organisation.representatives``)."""

    model = Organisation.representatives.through
    fk_name = "user"
    autocomplete_fields = ("organisation",)
    extra = 0
    verbose_name = _("represented organisation")
    verbose_name_plural = _("organisations this person represents")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation")


class CoordinatedPartnershipInline(admin.TabularInline):
    """The partnerships this person coordinates (``Partnership.coordinators``)."""

    model = Partnership.coordinators.through
    fk_name = "user"
    autocomplete_fields = ("partnership",)
    extra = 0
    verbose_name = _("coordinated partnership")
    verbose_name_plural = _("partnerships this person coordinates")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partnership")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreateForm
    list_display = ("email", "full_name", "preferred_language", "is_active", "is_staff", "is_superuser",
                    "last_login")
    list_filter = ("is_active", "is_staff", "is_superuser", "preferred_language", "groups")
    search_fields = ("email", "full_name")
    ordering = ("email",)
    date_hierarchy = "date_joined"
    readonly_fields = ("last_login", "date_joined")
    filter_horizontal = ("groups", "user_permissions")
    inlines = (RepresentedOrganisationInline, CoordinatedPartnershipInline)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal info"), {"fields": ("full_name", "preferred_language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions"),
             "classes": ("collapse",)},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "preferred_language", "usable_password", "password1", "password2"),
            },
        ),
    )

    def get_inlines(self, request, obj):
        # Organisations and partnerships are linked once the account exists.
        return self.inlines if obj is not None else ()

    def save_related(self, request, form, formsets, change):
        """Save the inlines, then touch the partnerships the person showed on before and shows on now:
        the inlines write link rows, which send no signal (partners/signals.py, ``links_changed``)."""
        before = partnerships_showing(form.instance)
        super().save_related(request, form, formsets, change)
        touch(before | partnerships_showing(form.instance))


# --- invitations -------------------------------------------------------------------


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Invitation.Status.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        open_ = {"accepted_at__isnull": True, "revoked_at__isnull": True}
        return {
            Invitation.Status.ACCEPTED: lambda: queryset.filter(accepted_at__isnull=False),
            Invitation.Status.REVOKED: lambda: queryset.filter(accepted_at__isnull=True, revoked_at__isnull=False),
            Invitation.Status.EXPIRED: lambda: queryset.filter(expires_at__lte=now, **open_),
            Invitation.Status.PENDING: lambda: queryset.filter(expires_at__gt=now, **open_),
        }.get(self.value(), lambda: queryset)()


class InvitationCreateForm(forms.ModelForm):
    """Check what ``invitation_create`` would refuse, so the admin sees it on the form."""

    class Meta:
        model = Invitation
        fields = ("email", "full_name", "organisation", "language")

    def clean(self):
        cleaned = super().clean()
        email, organisation = (cleaned.get("email") or "").strip().lower(), cleaned.get("organisation")
        if email and organisation is not None:
            if not organisations_invitable_by(self.request.user).filter(pk=organisation.pk).exists():
                self.add_error("organisation", _("You cannot invite representatives of this organisation."))
            elif organisation.representatives.filter(email__iexact=email).exists():
                self.add_error("email", _("This person already represents this organisation."))
        return cleaned


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    """Invitations are created, resent and revoked through ``accounts.services``; a stored one is read-only."""

    list_display = ("email", "full_name", "organisation", "status_label", "invited_by", "created_at", "sent_at",
                    "expires_at", "accepted_at")
    list_filter = (InvitationStatusFilter, "language")
    list_select_related = ("organisation", "invited_by")
    search_fields = ("email", "full_name", "organisation__name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("organisation",)
    actions = ("resend_invitations", "revoke_invitations")
    readonly_fields = ("email", "full_name", "organisation", "language", "status_label", "invited_by", "created_at",
                       "sent_at", "expires_at", "accepted_at", "accepted_by", "revoked_at")

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def get_fields(self, request, obj=None):
        return InvitationCreateForm.Meta.fields if obj is None else self.readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = InvitationCreateForm
        form = super().get_form(request, obj, change, **kwargs)
        form.request = request
        return form

    def has_change_permission(self, request, obj=None):
        return False  # view only; the actions below change invitations

    @admin.display(description=_("status"))
    def status_label(self, obj):
        return obj.get_status_display()

    def save_model(self, request, obj, form, change):
        created = invitation_create(
            invited_by=request.user,
            email=form.cleaned_data["email"],
            organisation=form.cleaned_data["organisation"],
            full_name=form.cleaned_data["full_name"],
            language=form.cleaned_data["language"],
        )
        obj.__dict__.update({k: v for k, v in created.__dict__.items() if not k.startswith("_")})
        obj._state.adding = False

    def _apply(self, request, queryset, service, done_message):
        done = 0
        for invitation in queryset.select_related("organisation"):
            try:
                service(invitation=invitation, user=request.user)
            except ValidationError as error:
                text = " ".join(str(m) for m in error.messages)
                self.message_user(request, f"{invitation}: {text}", messages.ERROR)
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Send selected invitations again (new link)"), permissions=["view"])
    def resend_invitations(self, request, queryset):
        self._apply(request, queryset, invitation_resend,
                    lambda n: ngettext("%(count)d invitation sent again.", "%(count)d invitations sent again.", n))

    @admin.action(description=_("Revoke selected invitations"), permissions=["view"])
    def revoke_invitations(self, request, queryset):
        self._apply(request, queryset, invitation_revoke,
                    lambda n: ngettext("%(count)d invitation revoked.", "%(count)d invitations revoked.", n))


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    """Who is signed in, until when; deleting a session signs that browser out. Its data stays unread."""

    list_display = ("user", "expire_date")
    list_select_related = ("user",)
    search_fields = ("user__email", "user__full_name")
    date_hierarchy = "expire_date"
    fields = readonly_fields = ("user", "expire_date")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
