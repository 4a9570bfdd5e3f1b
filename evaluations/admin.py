"""Admin for evaluation cycles, answers, findings, follow-up actions, decisions and reminders.

No status is an editable field: cycles open and close, answers are submitted or reopened,
actions change status and decisions close (with their outcome counted) only through the
admin actions, which call ``evaluations.services``, so the workflow and the guards of the
pages apply here too. The reminder log is read-only: it is the record that each reminder
went out once.
"""
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from kemitraan.history_display import HistoryAdmin
from partners.admin import (
    TIMESTAMPS,
    FixedParentMixin,
    MembershipChoicesMixin,
    NoRevertMixin,
    change_status_action,
    error_text,
)

from . import services
from .models import (
    SCORE_FIELDS,
    Decision,
    EvaluationCycle,
    EvaluationResponse,
    Finding,
    FollowUpAction,
    ReminderLog,
    ReminderRule,
    Vote,
)

SCORES = tuple(SCORE_FIELDS.values())


# --- cycles and answers ------------------------------------------------------------


class EvaluationResponseInline(MembershipChoicesMixin, admin.TabularInline):
    model = EvaluationResponse
    fields = ("membership", "status", *SCORES, "submitted_at")
    readonly_fields = ("status", "submitted_at")
    autocomplete_fields = ("membership",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("membership__organisation", "membership__partnership")


class FindingInline(admin.TabularInline):
    model = Finding
    fields = ("principle", "title", "description")
    extra = 0
    show_change_link = True


@admin.register(EvaluationCycle)
class EvaluationCycleAdmin(FixedParentMixin, admin.ModelAdmin):
    fixed_parent = "partnership"
    list_display = ("__str__", "partnership", "period_start", "period_end", "due_date", "status",
                    "response_count", "opened_at", "closed_at")
    list_filter = ("status", "partnership__type", "partnership__status")
    list_select_related = ("partnership",)
    search_fields = ("title", "partnership__title")
    date_hierarchy = "period_start"
    autocomplete_fields = ("partnership",)
    readonly_fields = ("status", "opened_at", "closed_at", *TIMESTAMPS)
    inlines = (EvaluationResponseInline, FindingInline)
    actions = ("open_cycles", "close_cycles")
    fieldsets = (
        (None, {"fields": ("partnership", "title", "period_start", "period_end", "due_date")}),
        (_("Status"), {"fields": ("status", "opened_at", "closed_at")}),
        (_("Record"), {"fields": TIMESTAMPS, "classes": ("collapse",)}),
    )

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_response_count=Count("responses", distinct=True))

    @admin.display(description=_("answers"), ordering="_response_count")
    def response_count(self, obj):
        return obj._response_count

    def save_formset(self, request, form, formset, change):
        if formset.model is EvaluationResponse:
            for response in formset.save(commit=False):
                response._history_user = request.user
                response.save()
            for response in formset.deleted_objects:
                response.delete()
            return
        for instance in formset.save(commit=False):
            if isinstance(instance, Finding) and instance.created_by_id is None:
                instance.created_by = request.user
            instance.save()
        for instance in formset.deleted_objects:
            instance.delete()

    def _apply(self, request, queryset, service, done_message):
        done = 0
        for cycle in queryset.select_related("partnership"):
            try:
                service(cycle=cycle)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(cycle)s: %(error)s") % {"cycle": cycle, "error": error_text(error)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Open selected cycles"), permissions=["change"])
    def open_cycles(self, request, queryset):
        self._apply(request, queryset, services.cycle_open,
                    lambda n: ngettext("%(count)d cycle opened.", "%(count)d cycles opened.", n))

    @admin.action(description=_("Close selected cycles"), permissions=["change"])
    def close_cycles(self, request, queryset):
        self._apply(request, queryset, services.cycle_close,
                    lambda n: ngettext("%(count)d cycle closed.", "%(count)d cycles closed.", n))


@admin.register(EvaluationResponse)
class EvaluationResponseAdmin(FixedParentMixin, MembershipChoicesMixin, NoRevertMixin, HistoryAdmin):
    fixed_parent = "cycle"
    list_display = ("organisation", "cycle", "partnership", "status", *SCORES, "submitted_at")
    list_filter = ("status", "cycle__status", "cycle__partnership__type")
    list_select_related = ("membership__organisation", "cycle__partnership")
    search_fields = ("membership__organisation__name", "cycle__title", "cycle__partnership__title")
    date_hierarchy = "submitted_at"
    autocomplete_fields = ("cycle", "membership")
    readonly_fields = ("status", "submitted_by", "submitted_at", *TIMESTAMPS)
    actions = ("submit_answers", "reopen_answers")
    fieldsets = (
        (None, {"fields": ("cycle", "membership", "status", "submitted_by", "submitted_at")}),
        (_("Scores (1-5)"), {"fields": SCORES}),
        (_("Comments"), {"fields": ("benefit_received", "what_works", "what_to_change")}),
        (_("Record"), {"fields": TIMESTAMPS, "classes": ("collapse",)}),
    )

    @admin.display(description=_("organisation"), ordering="membership__organisation__name")
    def organisation(self, obj):
        return obj.membership.organisation

    @admin.display(description=_("partnership"), ordering="cycle__partnership__title")
    def partnership(self, obj):
        return obj.cycle.partnership

    def _apply(self, request, queryset, service, done_message):
        done = 0
        for response in queryset.select_related("cycle__partnership", "membership__organisation"):
            try:
                service(response)
            except ValidationError as error:
                self.message_user(
                    request, gettext("%(answer)s: %(error)s") % {"answer": response, "error": error_text(error)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(request, done_message(done) % {"count": done}, messages.SUCCESS)

    @admin.action(description=_("Submit selected answers (open cycles, every score given)"), permissions=["change"])
    def submit_answers(self, request, queryset):
        self._apply(request, queryset,
                    lambda r: services.response_submit(cycle=r.cycle, membership=r.membership, user=request.user),
                    lambda n: ngettext("%(count)d answer submitted.", "%(count)d answers submitted.", n))

    @admin.action(description=_("Reopen selected answers as drafts"), permissions=["change"])
    def reopen_answers(self, request, queryset):
        self._apply(request, queryset, lambda r: services.response_reopen(response=r, user=request.user),
                    lambda n: ngettext("%(count)d answer reopened.", "%(count)d answers reopened.", n))


# --- findings and follow-up actions ------------------------------------------------


class FollowUpActionInline(admin.TabularInline):
    model = FollowUpAction
    fields = ("title", "owner_organisation", "due_date", "status", "completed_at")
    readonly_fields = ("status", "completed_at")
    autocomplete_fields = ("owner_organisation",)
    extra = 0
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner_organisation")


@admin.register(Finding)
class FindingAdmin(FixedParentMixin, admin.ModelAdmin):
    fixed_parent = "cycle"
    list_display = ("title", "cycle", "partnership", "principle", "created_by", "created_at")
    list_filter = ("principle", "cycle__partnership__type")
    list_select_related = ("cycle__partnership", "created_by")
    search_fields = ("title", "description", "cycle__title", "cycle__partnership__title")
    date_hierarchy = "created_at"
    autocomplete_fields = ("cycle", "created_by")
    readonly_fields = TIMESTAMPS
    inlines = (FollowUpActionInline,)

    @admin.display(description=_("partnership"), ordering="cycle__partnership__title")
    def partnership(self, obj):
        return obj.cycle.partnership

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        # An action raised from a finding belongs to the finding's partnership.
        for action in formset.save(commit=False):
            action.partnership_id = form.instance.cycle.partnership_id
            action._history_user = request.user
            action.save()
        for action in formset.deleted_objects:
            action.delete()


@admin.register(FollowUpAction)
class FollowUpActionAdmin(FixedParentMixin, NoRevertMixin, HistoryAdmin):
    fixed_parent = "partnership"
    list_display = ("title", "partnership", "owner_organisation", "due_date", "status", "completed_at")
    list_filter = ("status", "partnership__type")
    list_select_related = ("partnership", "owner_organisation")
    search_fields = ("title", "description", "owner_organisation__name", "partnership__title")
    date_hierarchy = "due_date"
    autocomplete_fields = ("partnership", "finding", "owner_organisation")
    readonly_fields = ("status", "completed_at", *TIMESTAMPS)
    actions = ("change_status",)

    @admin.action(description=_("Change the status of selected actions (asks for the new status)"),
                  permissions=["change"])
    def change_status(self, request, queryset):
        def set_status(action, *, user, status):
            return services.action_set_status(action=action, user=user, status=status)

        return change_status_action(self, request, queryset, service=set_status)


# --- decisions and votes -----------------------------------------------------------


class VoteInline(MembershipChoicesMixin, admin.TabularInline):
    model = Vote
    fields = ("membership", "choice", "comment", "cast_by", "cast_at")
    autocomplete_fields = ("membership", "cast_by")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related(
            "membership__organisation", "membership__partnership", "cast_by"
        )


@admin.register(Decision)
class DecisionAdmin(FixedParentMixin, NoRevertMixin, HistoryAdmin):
    fixed_parent = "partnership"
    list_display = ("title", "partnership", "proposed_by_organisation", "closes_at", "status", "outcome",
                    "vote_count")
    list_filter = ("status", "outcome", "partnership__type")
    list_select_related = ("partnership", "proposed_by_organisation")
    search_fields = ("title", "description", "partnership__title")
    date_hierarchy = "closes_at"
    autocomplete_fields = ("partnership", "proposed_by", "proposed_by_organisation")
    readonly_fields = ("status", "outcome", "closed_at", *TIMESTAMPS)
    inlines = (VoteInline,)
    actions = ("close_decisions",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_vote_count=Count("votes", distinct=True))

    @admin.display(description=_("votes"), ordering="_vote_count")
    def vote_count(self, obj):
        return obj._vote_count

    @admin.action(description=_("Close the vote on selected decisions and count the outcome"),
                  permissions=["change"])
    def close_decisions(self, request, queryset):
        done = 0
        for decision in queryset:
            try:
                services.decision_close(decision=decision, user=request.user)
            except ValidationError as error:
                self.message_user(
                    request,
                    gettext("%(decision)s: %(error)s") % {"decision": decision, "error": error_text(error)},
                    messages.ERROR,
                )
            else:
                done += 1
        if done:
            self.message_user(
                request,
                ngettext("%(count)d decision closed.", "%(count)d decisions closed.", done) % {"count": done},
                messages.SUCCESS,
            )

    def save_formset(self, request, form, formset, change):
        for vote in formset.save(commit=False):
            vote._history_user = request.user
            vote.save()
        for vote in formset.deleted_objects:
            vote.delete()


@admin.register(Vote)
class VoteAdmin(FixedParentMixin, MembershipChoicesMixin, HistoryAdmin):
    fixed_parent = "decision"
    list_display = ("decision", "organisation", "choice", "cast_by", "cast_at")
    list_filter = ("choice", "decision__status")
    list_select_related = ("decision", "membership__organisation", "cast_by")
    search_fields = ("decision__title", "membership__organisation__name", "comment")
    date_hierarchy = "cast_at"
    autocomplete_fields = ("decision", "membership", "cast_by")
    readonly_fields = TIMESTAMPS

    @admin.display(description=_("organisation"), ordering="membership__organisation__name")
    def organisation(self, obj):
        return obj.membership.organisation


# --- reminders ---------------------------------------------------------------------


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = ("kind", "days", "is_active")
    list_editable = ("days", "is_active")
    list_filter = ("is_active",)


@admin.register(ReminderLog)
class ReminderLogAdmin(admin.ModelAdmin):
    """The record of every reminder claimed; nobody edits it, or a reminder could go out twice."""

    list_display = ("created_at", "recipient", "kind", "content_type", "object_id", "period", "status",
                    "attempts", "sent_at")
    list_filter = ("status", "kind", "content_type")
    list_select_related = ("recipient", "content_type")
    search_fields = ("recipient__email", "recipient__full_name", "period")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
