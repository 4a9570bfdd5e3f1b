"""Admin for organisations, partnerships, memberships, goals, indicators and reports.

Lists join what their columns show (``list_select_related`` or an annotated queryset)
so a page costs the same number of queries for 3 rows as for 100. No status is an
editable field (nor can a history version be reverted, which would set one): status
changes go through the admin actions, which call the services exactly like the pages do,
so the workflow (``kemitraan.transitions``) and its guards hold here too.
"""
from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.db.models import Count
from django.template.response import TemplateResponse
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kemitraan.history_display import HistoryAdmin

from . import services
from .models import (
    Attachment,
    ContributionReport,
    DeadlineSettings,
    Indicator,
    IndicatorValue,
    Membership,
    Organisation,
    Partnership,
    Pledge,
    SharedGoal,
)
from .uploads import check_attachment

TIMESTAMPS = ("created_at", "updated_at")


class FixedParentMixin:
    """Show the parent a record belongs to (``fixed_parent``) read-only once the record exists.

    A record stays with its partnership: its values, answers and history are that partnership's,
    and the cached pages (kemitraan/fragments.py) of the partnership it leaves would not learn
    of a move (a save touches the record's partnership of now, not of before).
    """

    fixed_parent = ""

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, self.fixed_parent) if obj is not None and self.fixed_parent else fields


class MembershipChoicesMixin:
    """Label membership choices without one query per option (their __str__ joins two tables)."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Membership:
            kwargs.setdefault("queryset", Membership.objects.select_related("organisation", "partnership"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


def error_text(error: ValidationError) -> str:
    """Flatten a ValidationError (plain or per-field) into one readable sentence."""
    return " ".join(str(message) for message in error.messages)


class NoRevertMixin:
    """Keep the history read-only: reverting to an old version would set a status behind the services' back."""

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)


class StatusChangeForm(forms.Form):
    """The new status (any of the model's; the service refuses what the workflow does not allow) and a reason."""

    status = forms.ChoiceField(label=_("New status"))
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("Needed to pause, end or reopen a partnership; kept with the change in its history."),
    )

    def __init__(self, *args, choices, with_reason, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = choices
        if not with_reason:
            del self.fields["reason"]


def change_status_action(modeladmin, request, queryset, *, service, with_reason=False):
    """Ask for the new status (and the reason) first, then call ``service(obj, user=..., status=..., reason=...)``
    on each selected record; each refusal is named in a message and changes nothing for that record."""
    form = StatusChangeForm(request.POST if "apply" in request.POST else None,
                            choices=modeladmin.model.WORKFLOW.statuses.choices, with_reason=with_reason)
    if form.is_bound and form.is_valid():
        done = 0
        for obj in queryset:
            try:
                service(obj, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                modeladmin.message_user(
                    request, gettext("%(object)s: %(error)s") % {"object": obj, "error": error_text(error)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            modeladmin.message_user(
                request,
                ngettext("%(count)d status changed.", "%(count)d statuses changed.", done) % {"count": done},
                messages.SUCCESS,
            )
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": gettext("Change the status"),
        "opts": modeladmin.model._meta,
        "form": form,
        "objects": queryset,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        "action": request.POST.get("action", ""),
    }
    request.current_app = modeladmin.admin_site.name
    return TemplateResponse(request, "admin/change_status.html", context)


# --- organisations -----------------------------------------------------------------


class MembershipOfOrganisationInline(MembershipChoicesMixin, admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    fields = ("partnership", "role", "joined_on", "left_on", "commitment_end", "reporting_frequency")
    autocomplete_fields = ("partnership",)
    extra = 0
    show_change_link = True
    verbose_name_plural = _("memberships in partnerships")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("partnership", "organisation")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "sector", "city", "contact_name", "email", "phone", "membership_count")
    list_filter = ("sector", "city")
    search_fields = ("name", "city", "email", "contact_name")
    autocomplete_fields = ("representatives",)
    readonly_fields = TIMESTAMPS
    inlines = (MembershipOfOrganisationInline,)
    fieldsets = (
        (None, {"fields": ("name", "sector", "description")}),
        (_("Contact"), {"fields": ("contact_name", "email", "phone", "address", "city", "website")}),
        (_("People"), {"fields": ("representatives",)}),
        (_("Record"), {"fields": TIMESTAMPS, "classes": ("collapse",)}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.URLField):
            kwargs["assume_scheme"] = "https"
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_membership_count=Count("memberships", distinct=True))

    @admin.display(description=_("memberships"), ordering="_membership_count")
    def membership_count(self, obj):
        return obj._membership_count


# --- partnerships and memberships --------------------------------------------------


class MembershipInline(MembershipChoicesMixin, admin.TabularInline):
    model = Membership
    fk_name = "partnership"
    fields = ("organisation", "role", "joined_on", "left_on", "commitment_start", "commitment_end",
              "reporting_frequency")
    autocomplete_fields = ("organisation",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "partnership")


class SharedGoalInline(admin.TabularInline):
    model = SharedGoal
    fields = ("title", "order")
    extra = 0
    show_change_link = True


@admin.register(Partnership)
class PartnershipAdmin(NoRevertMixin, HistoryAdmin):
    """Partnerships; the status is chosen when one is added (draft or active), then changed by the action."""

    list_display = ("title", "type", "status", "lead_organisation", "start_date", "planned_end_date",
                    "evaluation_frequency", "member_count")
    list_filter = ("status", "type", "evaluation_frequency")
    list_select_related = ("lead_organisation",)
    search_fields = ("title", "problem_statement", "lead_organisation__name")
    date_hierarchy = "start_date"
    autocomplete_fields = ("lead_organisation", "coordinators")
    readonly_fields = ("status_reason", *TIMESTAMPS)
    inlines = (MembershipInline, SharedGoalInline)
    actions = ("change_status",)
    fieldsets = (
        (None, {"fields": ("title", "type", "status", "status_reason", "problem_statement", "description")}),
        (_("Period"), {"fields": ("start_date", "planned_end_date", "evaluation_frequency")}),
        (_("Leadership"), {"fields": ("lead_organisation", "coordinators")}),
        (_("Record"), {"fields": TIMESTAMPS, "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_member_count=Count("memberships", distinct=True))

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj):
        return obj._member_count

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        return (*fields, "status") if obj is not None else fields

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "status":  # only on the add page: the statuses a partnership starts in
            kwargs["choices"] = [(value, label) for value, label in db_field.choices
                                 if value in Partnership.WORKFLOW.initial]
        return super().formfield_for_choice_field(db_field, request, **kwargs)

    @admin.action(description=_("Change the status of selected partnerships (asks for the new status)"),
                  permissions=["change"])
    def change_status(self, request, queryset):
        def set_status(partnership, *, user, status, reason):
            return services.partnership_set_status(partnership=partnership, user=user, status=status, reason=reason)

        return change_status_action(self, request, queryset, service=set_status, with_reason=True)


class PledgeInline(admin.TabularInline):
    model = Pledge
    fields = ("kind", "description", "quantity", "unit", "value")
    extra = 0


@admin.register(Membership)
class MembershipAdmin(FixedParentMixin, HistoryAdmin):
    fixed_parent = "partnership"
    list_display = ("organisation", "partnership", "role", "joined_on", "left_on", "commitment_end",
                    "reporting_frequency")
    list_filter = ("role", "reporting_frequency", "partnership__status", "organisation__sector")
    list_select_related = ("organisation", "partnership")
    search_fields = ("organisation__name", "partnership__title")
    date_hierarchy = "joined_on"
    autocomplete_fields = ("partnership", "organisation")
    readonly_fields = TIMESTAMPS
    inlines = (PledgeInline,)
    fieldsets = (
        (None, {"fields": ("partnership", "organisation", "role", "joined_on", "left_on")}),
        (_("Commitment"), {"fields": ("commitment_statement", "commitment_start", "commitment_end",
                                      "expected_benefits", "reporting_frequency")}),
        (_("Record"), {"fields": TIMESTAMPS, "classes": ("collapse",)}),
    )


@admin.register(Pledge)
class PledgeAdmin(FixedParentMixin, MembershipChoicesMixin, admin.ModelAdmin):
    fixed_parent = "membership"
    list_display = ("membership", "kind", "description", "quantity", "unit", "value")
    list_filter = ("kind",)
    list_select_related = ("membership__organisation", "membership__partnership")
    search_fields = ("description", "membership__organisation__name", "membership__partnership__title")
    autocomplete_fields = ("membership",)


# --- goals and indicators ----------------------------------------------------------


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ("name", "unit", "baseline", "target", "target_date", "direction")
    extra = 0
    show_change_link = True


@admin.register(SharedGoal)
class SharedGoalAdmin(FixedParentMixin, admin.ModelAdmin):
    fixed_parent = "partnership"
    list_display = ("title", "partnership", "order", "indicator_count")
    list_filter = ("partnership__type", "partnership__status")
    list_select_related = ("partnership",)
    search_fields = ("title", "description", "partnership__title")
    autocomplete_fields = ("partnership",)
    readonly_fields = TIMESTAMPS
    inlines = (IndicatorInline,)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_indicator_count=Count("indicators", distinct=True))

    @admin.display(description=_("indicators"), ordering="_indicator_count")
    def indicator_count(self, obj):
        return obj._indicator_count


@admin.register(Indicator)
class IndicatorAdmin(FixedParentMixin, admin.ModelAdmin):
    fixed_parent = "goal"
    list_display = ("name", "goal", "partnership", "unit", "baseline", "target", "target_date", "direction")
    list_filter = ("direction", "goal__partnership__type")
    list_select_related = ("goal__partnership",)
    search_fields = ("name", "unit", "goal__title", "goal__partnership__title")
    autocomplete_fields = ("goal",)
    readonly_fields = TIMESTAMPS

    @admin.display(description=_("partnership"), ordering="goal__partnership__title")
    def partnership(self, obj):
        return obj.goal.partnership


@admin.register(IndicatorValue)
class IndicatorValueAdmin(FixedParentMixin, MembershipChoicesMixin, HistoryAdmin):
    fixed_parent = "membership"
    list_display = ("indicator", "organisation", "period_start", "period_end", "value", "reported_by")
    list_filter = ("indicator__goal__partnership__type",)
    list_select_related = ("indicator", "membership__organisation", "reported_by")
    search_fields = ("indicator__name", "membership__organisation__name", "membership__partnership__title")
    date_hierarchy = "period_start"
    autocomplete_fields = ("indicator", "membership", "reported_by")
    readonly_fields = TIMESTAMPS

    @admin.display(description=_("organisation"), ordering="membership__organisation__name")
    def organisation(self, obj):
        return obj.membership.organisation


# --- contribution reports ----------------------------------------------------------


class AttachmentForm(forms.ModelForm):
    """A new file for a report: checked like the partner's upload page, stored by ``services.attachment_add``."""

    class Meta:
        model = Attachment
        fields = ("file",)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload is not None and hasattr(upload, "content_type"):  # a new upload, not the stored file
            check_attachment(upload)
        return upload


class AttachmentInline(admin.TabularInline):
    """Files of a report: added and removed through the services, so only while the report is editable."""

    model = Attachment
    form = AttachmentForm
    fields = ("file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("original_name", "content_type", "size", "uploaded_by", "uploaded_at")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("uploaded_by")

    def has_add_permission(self, request, obj=None):
        return (obj is None or obj.is_editable) and super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return False  # a stored file is evidence; replace it by removing and adding

    def has_delete_permission(self, request, obj=None):
        return obj is not None and obj.is_editable and super().has_delete_permission(request, obj)


@admin.register(ContributionReport)
class ContributionReportAdmin(FixedParentMixin, MembershipChoicesMixin, NoRevertMixin, HistoryAdmin):
    fixed_parent = "membership"
    list_display = ("__str__", "partnership", "kind", "period_start", "period_end", "quantity", "unit",
                    "value", "status", "submitted_at", "reviewed_by")
    list_filter = ("status", "kind", "membership__partnership__type", "membership__organisation__sector")
    list_select_related = ("membership__organisation", "membership__partnership", "reviewed_by")
    search_fields = ("description", "membership__organisation__name", "membership__partnership__title")
    date_hierarchy = "period_start"
    autocomplete_fields = ("membership", "goals", "created_by")
    readonly_fields = ("status", "submitted_at", "reviewed_by", "reviewed_at", "return_reason", *TIMESTAMPS)
    inlines = (AttachmentInline,)
    actions = ("submit_reports", "accept_reports", "return_reports")
    fieldsets = (
        (None, {"fields": ("membership", "period_start", "period_end")}),
        (_("Contribution"), {"fields": ("kind", "quantity", "unit", "value", "description", "goals")}),
        (_("Review"), {"fields": ("status", "submitted_at", "reviewed_by", "reviewed_at", "return_reason")}),
        (_("Record"), {"fields": ("created_by", *TIMESTAMPS), "classes": ("collapse",)}),
    )

    @admin.display(description=_("partnership"), ordering="membership__partnership__title")
    def partnership(self, obj):
        return obj.membership.partnership

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        if formset.model is not Attachment:
            return super().save_formset(request, form, formset, change)
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for inline_form in formset.initial_forms:
            if inline_form in formset.deleted_forms:
                services.attachment_delete(attachment=inline_form.instance, user=request.user)
                formset.deleted_objects.append(inline_form.instance)
        for inline_form in formset.extra_forms:
            upload = inline_form.cleaned_data.get("file") if inline_form.has_changed() else None
            if upload and inline_form not in formset.deleted_forms:
                formset.new_objects.append(
                    services.attachment_add(report=form.instance, user=request.user, uploaded_file=upload)
                )

    def _apply(self, request, queryset, service, done_message, **kwargs):
        """Call ``service`` on each report; report each refusal and change nothing for that report."""
        done = 0
        for report in queryset.select_related("membership__organisation"):
            try:
                service(report=report, user=request.user, **kwargs)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(report)s: %(error)s") % {"report": report, "error": error_text(error)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Submit selected reports (drafts and returned reports)"),
                  permissions=["change"])
    def submit_reports(self, request, queryset):
        def submit_or_resubmit(*, report, user):
            if report.status == ContributionReport.Status.RETURNED:
                return services.report_resubmit(report=report, user=user)
            return services.report_submit(report=report, user=user)

        self._apply(request, queryset, submit_or_resubmit,
                    lambda n: ngettext("%(count)d report submitted.", "%(count)d reports submitted.", n))

    @admin.action(description=_("Accept selected reports"), permissions=["change"])
    def accept_reports(self, request, queryset):
        self._apply(request, queryset, services.report_accept,
                    lambda n: ngettext("%(count)d report accepted.", "%(count)d reports accepted.", n))

    @admin.action(description=_("Return selected reports (asks for a reason)"), permissions=["change"])
    def return_reports(self, request, queryset):
        form = ReturnReasonForm(request.POST if "apply" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._apply(request, queryset, services.report_return,
                        lambda n: ngettext("%(count)d report returned.", "%(count)d reports returned.", n),
                        reason=form.cleaned_data["reason"])
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Return reports to their members"),
            "opts": self.model._meta,
            "form": form,
            "reports": queryset.select_related("membership__organisation", "membership__partnership"),
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "action": "return_reports",
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/partners/contributionreport/return_reports.html", context)


class ReturnReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for return"),
        widget=forms.Textarea(attrs={"rows": 4, "cols": 60}),
        help_text=_("The partner sees this reason; say what to fix."),
    )


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    """Every stored file, to find and open; files are added and removed on their report's page."""

    list_display = ("original_name", "report", "content_type", "size", "uploaded_by", "uploaded_at")
    list_filter = ("content_type",)
    list_select_related = ("report__membership__organisation", "uploaded_by")
    search_fields = ("original_name", "report__description", "report__membership__organisation__name")
    date_hierarchy = "uploaded_at"
    fields = ("report", "file", "original_name", "content_type", "size", "uploaded_by", "uploaded_at")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(DeadlineSettings)
class DeadlineSettingsAdmin(admin.ModelAdmin):
    """The one row of deadline settings (made by the migration and ``setup_schedules``): edited, never added nor deleted."""

    list_display = ("__str__", "report_grace_days", "evaluation_grace_days", "evaluation_late_days")

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        services.deadline_settings_save(settings=obj)
