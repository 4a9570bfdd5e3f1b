"""A contribution report's own pages: detail and history, create, edit, submit, resubmit, delete.

Every report comes through ``partners.access``: ``report_get`` to see it, ``report_get_editable``
(the user's own organisations' reports only) to change it, and then its status decides. Whatever
the user may not see or change answers 404, for GET and POST alike: object pages check access
before the HTTP method (405 only for someone who may see the report).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from kemitraan.forms import add_service_errors
from kemitraan.history_display import history_value
from kemitraan.templatetags.kemitraan import rupiah
from partners import access, services
from partners.deadlines import Deadlines, counted_reports, period_owed_next
from partners.forms.reports import AttachmentForm, ReportForm
from partners.models import ContributionReport
from partners.views import SAFE_METHODS, refuse_if_locked

HISTORY_HIDDEN_FIELDS = {"id", "created_at", "updated_at", "membership", "created_by", "reviewed_by",
                         "submitted_at", "reviewed_at"}


def _history_value(field, value):
    """A report's recorded value as the admin's history shows it too; its value in rupiah."""
    if field.name == "value" and value not in (None, ""):
        return rupiah(value)
    return history_value(field, value)


def report_history(report: ContributionReport) -> list[dict]:
    """Return the report's changes, newest first: when, who, and which fields went from what to what."""
    records = list(report.history.select_related("history_user").order_by("history_date", "history_id"))
    order = {field.name: index for index, field in enumerate(ContributionReport._meta.get_fields())}
    entries, previous = [], None
    for record in records:
        changes = []
        if previous is not None:
            delta = record.diff_against(previous, excluded_fields=HISTORY_HIDDEN_FIELDS)
            for change in sorted(delta.changes, key=lambda change: order[change.field]):  # in the form's order
                field = ContributionReport._meta.get_field(change.field)
                changes.append({
                    "field": field.verbose_name,
                    "old": _history_value(field, change.old),
                    "new": _history_value(field, change.new),
                })
        if previous is None or changes:
            entries.append({
                "date": record.history_date,
                "user": record.history_user,
                "action": _("Created") if previous is None else _("Changed"),
                "changes": changes,
            })
        previous = record
    entries.reverse()
    return entries


@login_required
def report_detail(request, pk):
    """Show a report with its status, the reviewer's reason, its files and its history."""
    report = access.report_get(request.user, pk)
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    can_edit = access.reports_editable_by(request.user).filter(pk=report.pk).exists()
    coordinates = access.coordinates(request.user, report.membership.partnership_id)
    review_urls = {}
    if coordinates and report.status == ContributionReport.Status.SUBMITTED:
        review_urls = {
            "accept": reverse("partners:report_accept", kwargs={"pk": report.pk}),
            "return": reverse("partners:report_return", kwargs={"pk": report.pk}),
        }
    return render(request, "partners/report_detail.html", {
        "report": report,
        "goals": list(report.goals.all()),
        "attachments": list(report.attachments.all()),
        "history": report_history(report),
        "can_edit": can_edit and report.is_editable,
        "can_delete": can_edit and report.status == ContributionReport.Status.DRAFT,
        "can_submit": can_edit and report.status == ContributionReport.Status.DRAFT,
        "can_resubmit": can_edit and report.status == ContributionReport.Status.RETURNED,
        "attachment_form": AttachmentForm() if can_edit and report.is_editable else None,
        "review_urls": review_urls,
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_create(request):
    """Write a new draft report for one of the user's own memberships."""
    if request.method == "POST":
        form = ReportForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                report = services.report_create(
                    membership=form.cleaned_data["membership"], user=request.user, goals=form.cleaned_data["goals"],
                    **form.report_fields(),
                )
            except (ValidationError, IntegrityError) as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("The draft report was saved. Attach supporting files, then submit it."))
                return redirect(report)
    memberships = access.memberships_represented_by(request.user)
    if not memberships.exists():
        raise Http404(_("You do not represent any organisation in a partnership."))
    if request.method != "POST":
        form = ReportForm(user=request.user, initial=_next_period_of(memberships, request.GET.get("membership", "")))
    return render(request, "partners/report_form.html", {"form": form, "report": None})


def _next_period_of(memberships, chosen: str) -> dict:
    """The form's initial values for ``?membership=<id>``: that member and the period it owes next."""
    if not (chosen.isdecimal() and chosen.isascii()):
        return {}
    membership = memberships.filter(pk=int(chosen)).first()
    if membership is None:
        return {}
    today, rules = timezone.localdate(), Deadlines.load()
    reports = counted_reports([membership.pk], today=today, deadlines=rules)[membership.pk]
    period = period_owed_next(membership, reports, today=today, deadlines=rules)
    return {"membership": membership.pk, "period_start": period.start, "period_end": period.end}


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_edit(request, pk):
    """Change a draft or returned report of the user's own organisation."""
    report = access.report_get_editable(request.user, pk)
    refused = refuse_if_locked(request, report, _("This report is %(status)s and can no longer be changed."))
    if refused:
        return refused
    form = ReportForm(request.POST if request.method == "POST" else None, instance=report, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_update(
                report=report, user=request.user, goals=form.cleaned_data["goals"], **form.report_fields()
            )
        except (ValidationError, IntegrityError) as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The report was saved."))
            return redirect(report)
    return render(request, "partners/report_form.html", {"form": form, "report": report})


def _send_for_review(request, pk, *, status, service, success, refused_message):
    report = access.report_get_editable(request.user, pk)
    if report.status != status:
        messages.warning(request, refused_message % {"status": report.get_status_display()})
        return redirect(report)
    if request.method == "POST":
        try:
            service(report=report, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, success)
        return redirect(report)
    return render(request, "partners/report_confirm_submit.html", {
        "report": report, "resubmit": status == ContributionReport.Status.RETURNED,
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_submit(request, pk):
    """Send a draft of the user's own organisation for review (GET asks for confirmation)."""
    return _send_for_review(
        request, pk, status=ContributionReport.Status.DRAFT, service=services.report_submit,
        success=_("The report was submitted for review."),
        refused_message=_("Only a draft can be submitted; this report is %(status)s."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_resubmit(request, pk):
    """Send a fixed, returned report back for review (GET asks for confirmation)."""
    return _send_for_review(
        request, pk, status=ContributionReport.Status.RETURNED, service=services.report_resubmit,
        success=_("The report was sent back for review."),
        refused_message=_("Only a returned report can be resubmitted; this report is %(status)s."),
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def report_delete(request, pk):
    """Delete a draft of the user's own organisation after confirmation."""
    report = access.report_get_editable(request.user, pk)
    if report.status != ContributionReport.Status.DRAFT:
        messages.warning(request, _("Only a draft can be deleted; this report is %(status)s.")
                         % {"status": report.get_status_display()})
        return redirect(report)
    if request.method == "POST":
        try:
            services.report_delete(report=report, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(report)
        messages.success(request, _("The draft report was deleted."))
        return redirect("partners:report_list")
    return render(request, "partners/report_confirm_delete.html", {
        "report": report, "attachments_count": report.attachments.count(),
    })
