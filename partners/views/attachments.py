"""Files attached to contribution reports: add, download, delete.

Downloading needs the right to see the report (``access.reports_visible_to``); adding and removing
need the right to change it (``access.reports_editable_by``) while its status allows changes.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners import access, services
from partners.forms.reports import AttachmentForm
from partners.models import Attachment
from partners.views import SAFE_METHODS, refuse_if_locked


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attachment_add(request, pk):
    """Attach a file to a draft or returned report of the user's own organisation (``pk``: the report)."""
    report = access.report_get_editable(request.user, pk)
    refused = refuse_if_locked(request, report, _("This report is %(status)s; files can no longer be added."))
    if refused:
        return refused
    form = AttachmentForm(request.POST if request.method == "POST" else None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.attachment_add(
                report=report, user=request.user, uploaded_file=form.cleaned_data["file"]
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(request, _("The file %(name)s was attached.") % {"name": attachment.original_name})
            return redirect(report.get_absolute_url() + "#attachments")
    return render(request, "partners/attachment_form.html", {
        "report": report, "form": form, "attachments": list(report.attachments.all()),
    })


@login_required
def attachment_download(request, pk):
    """Send a report's file to someone who may see the report, always as a download."""
    attachment = get_object_or_404(
        Attachment.objects.filter(report_id__in=access.reports_visible_to(request.user).values("pk")), pk=pk
    )
    if request.method not in SAFE_METHODS:
        return HttpResponseNotAllowed(SAFE_METHODS)
    try:
        handle = attachment.file.storage.open(attachment.file.name, "rb")
    except (FileNotFoundError, OSError, ValueError):
        raise Http404(_("The file is missing.")) from None
    response = FileResponse(
        handle, as_attachment=True, filename=attachment.original_name, content_type=attachment.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attachment_delete(request, pk):
    """Remove a file from a draft or returned report of the user's own organisation, after confirmation."""
    attachment = get_object_or_404(
        Attachment.objects.select_related("report__membership__organisation", "report__membership__partnership")
        .filter(report_id__in=access.reports_editable_by(request.user).values("pk")),
        pk=pk,
    )
    report = attachment.report
    refused = refuse_if_locked(request, report, _("This report is %(status)s; its files can no longer be removed."))
    if refused:
        return refused
    if request.method == "POST":
        try:
            services.attachment_delete(attachment=attachment, user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("The file %(name)s was removed.") % {"name": attachment.original_name})
        return redirect(report.get_absolute_url() + "#attachments")
    return render(request, "partners/attachment_confirm_delete.html", {"attachment": attachment, "report": report})
