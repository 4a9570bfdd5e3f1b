"""Partner representative pages: home, contribution reports, attachments, indicator values, exports.

Every object comes through an access-checking selector; whatever the user may not
see or change answers 404, for GET and POST alike.
- seeing a report or downloading its files: ``access.reports_visible_to``;
- changing a report, its files, submitting or deleting it: ``access.reports_editable_by``
  (the user's own organisations' reports only) and then the report's status;
- entering indicator values: ``access.memberships_represented_by``.

Object pages check access before the HTTP method, so a POST to a page the user may
not see answers 404 like a GET does (405 only for someone who may see it).
"""
import datetime
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import IntegrityError
from django.http import (
    FileResponse,
    Http404,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
)
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from evaluations.models import EvaluationCycle, EvaluationResponse
from evaluations.access import actions_to_act_on
from kemitraan import fragments
from kemitraan.forms import add_service_errors
from partners import access, exports, services
from partners.deadlines import Deadlines, Period, counted_reports, is_overdue, period_owed_next, reports_owed
from partners.filters_reports import (
    ORGANISATION_SEARCH_MAX_LENGTH,
    SORT_FIELDS,
    ReportFilter,
    ReportListOptions,
    filter_reports,
)
from partners.forms.reports import (
    AttachmentForm,
    IndicatorPeriodForm,
    IndicatorValueForm,
    ReportForm,
)
from partners.models import (
    Attachment,
    ContributionReport,
    Indicator,
    IndicatorValue,
    Partnership,
)
from kemitraan.templatetags.kemitraan import rupiah
from partners.views import search_text

PAGE_SIZE = 25
SAFE_METHODS = ["GET", "HEAD"]
DUE_SOON_DAYS = 14
RECENT_REPORTS = 10
HOME_ACTIONS_LIMIT = 50


def _url_or_none(name, **kwargs):
    """Reverse a URL another module provides, or None while it does not exist yet."""
    try:
        return reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        return None


def _editable_report(user, pk) -> ContributionReport:
    """Return one of the user's own organisations' reports, else 404 (whatever its status)."""
    return access.report_get_editable(user, pk)


def _refuse_if_locked(request, report, message):
    """Redirect to the report with a message when its status no longer allows changes."""
    if report.is_editable:
        return None
    messages.warning(request, message % {"status": report.get_status_display()})
    return redirect(report)


# --- home ------------------------------------------------------------------------------


@dataclass
class Deadline:
    kind: str
    title: str
    partnership: Partnership
    organisation_name: str
    due: datetime.date
    today: datetime.date
    url: str | None = None
    detail: str = ""

    @property
    def overdue(self):
        return is_overdue(self.due, self.today)

    @property
    def days(self):
        return (self.due - self.today).days

    @property
    def days_late(self):
        return (self.today - self.due).days


def _report_deadlines(memberships, today, rules: Deadlines):
    """The reports each member owes (``partners.deadlines.reports_owed``): the overdue one, and the
    next one once its period has begun or it is due within ``DUE_SOON_DAYS``."""
    reports = counted_reports([m.pk for m in memberships], today=today, deadlines=rules)
    deadlines = []
    for membership in memberships:
        for owed in reports_owed(membership, reports[membership.pk], today=today, deadlines=rules):
            period = owed.period
            if not owed.overdue and period.start > today and owed.due > today + datetime.timedelta(days=DUE_SOON_DAYS):
                continue
            deadlines.append(Deadline(
                kind="report",
                title=_("Contribution report %(start)s – %(end)s") % {
                    "start": formats.date_format(period.start, "SHORT_DATE_FORMAT"),
                    "end": formats.date_format(period.end, "SHORT_DATE_FORMAT"),
                },
                partnership=membership.partnership, organisation_name=membership.organisation.name,
                due=owed.due, today=today,
                url=reverse("partners:report_create") + f"?membership={membership.pk}",
            ))
    return deadlines


def _evaluation_deadlines(memberships, today):
    by_partnership = {}
    for membership in memberships:
        if membership.is_active:
            by_partnership.setdefault(membership.partnership_id, []).append(membership)
    if not by_partnership:
        return []
    cycles = list(
        EvaluationCycle.objects.filter(status=EvaluationCycle.Status.OPEN, partnership_id__in=by_partnership)
        .select_related("partnership")
        .order_by("due_date", "id")
    )
    answered = set(
        EvaluationResponse.objects.filter(
            cycle__in=[c.pk for c in cycles],
            membership__in=[m.pk for ms in by_partnership.values() for m in ms],
            status=EvaluationResponse.Status.SUBMITTED,
        ).values_list("cycle_id", "membership_id")
    )
    deadlines = []
    for cycle in cycles:
        for membership in by_partnership[cycle.partnership_id]:
            if (cycle.pk, membership.pk) in answered:
                continue
            deadlines.append(Deadline(
                kind="evaluation", title=_("Evaluation: %(cycle)s") % {"cycle": cycle.title or cycle.partnership.title},
                partnership=cycle.partnership, organisation_name=membership.organisation.name,
                due=cycle.due_date, today=today,
                url=_url_or_none("evaluations:cycle_respond", pk=cycle.pk, membership_pk=membership.pk)
                or _url_or_none("evaluations:cycle_detail", pk=cycle.pk),
            ))
    return deadlines


def _action_deadlines(user, today):
    actions = (
        actions_to_act_on(user, today)
        .filter(due_date__lte=today + datetime.timedelta(days=DUE_SOON_DAYS))
        .order_by("due_date", "id")[:HOME_ACTIONS_LIMIT]
    )
    return [
        Deadline(
            kind="action", title=action.title, partnership=action.partnership,
            organisation_name=action.owner_organisation.name, due=action.due_date, today=today,
            url=_url_or_none("evaluations:action_detail", pk=action.pk),
        )
        for action in actions
    ]


@login_required
@require_safe
def partner_home(request):
    """Show my organisations' partnerships, what is due or overdue, and my latest reports (a cached page)."""
    def build(request):  # at the page's normal address (fragments.render_page)
        today, rules = timezone.localdate(), Deadlines.load()
        memberships = list(access.memberships_represented_by(request.user).order_by("partnership__title", "organisation__name"))
        deadlines = sorted(
            _report_deadlines(memberships, today, rules)
            + _evaluation_deadlines(memberships, today)
            + _action_deadlines(request.user, today),
            key=lambda d: (d.due, d.kind),
        )
        cards = {}
        for membership in memberships:
            cards.setdefault(membership.partnership_id, {"partnership": membership.partnership, "memberships": []})
            cards[membership.partnership_id]["memberships"].append(membership)
        return {
            "cards": list(cards.values()),
            "overdue": [d for d in deadlines if d.overdue],
            "upcoming": [d for d in deadlines if not d.overdue],
            "recent_reports": list(access.reports_editable_by(request.user).order_by("-updated_at", "-id")[:RECENT_REPORTS]),
            "today": today,
            "due_soon_days": DUE_SOON_DAYS,
        }

    return fragments.render_page(request, "partner_home", "partners/partner_home.html", build,
                                 tokens=access.partnership_scope(request.user).tokens)


# --- report list and export --------------------------------------------------------------


def _sort_links(current):
    """Return {key: (query value for the next click, arrow)} for the sortable column headers."""
    links = {}
    for key in SORT_FIELDS:
        if current == key:
            links[key] = (f"-{key}", "▲")
        elif current == f"-{key}":
            links[key] = (key, "▼")
        else:
            links[key] = (key, "")
    return links


class _PlainSelect(forms.Select):
    """A ``<select>`` whose options are written in Python, not one template render each.

    Django renders every option through a template; for the 1,000 organisations a
    coordinator of 100 partnerships may filter on, that was most of the report list's
    time (about 0.5 s of a 0.6 s page). Same markup: name, id, classes, selected option.
    """

    def render(self, name, value, attrs=None, renderer=None):
        final_attrs = self.build_attrs(self.attrs, attrs)
        final_attrs["name"] = name
        values = value if isinstance(value, (list, tuple)) else [value]
        selected = {str(v) for v in values if v not in (None, "")} or {""}
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((str(v), " selected" if str(v) in selected else "", label) for v, label in self.choices),
        )
        return format_html("<select{}>{}</select>", flatatt(final_attrs), options)


# The organisation filter offers at most this many organisations at once; with more, a search field
# narrows them (typed: the options follow through htmx; without JavaScript: on Filter).
ORGANISATION_OPTIONS = 50
SEARCH_MAX_LENGTH = ORGANISATION_SEARCH_MAX_LENGTH


def organisation_options(user, search="", selected=None):
    """Return (choices, more) for the organisation filter: up to ``ORGANISATION_OPTIONS`` of the
    organisations ``user`` may filter on whose name contains ``search``, the ``selected`` one first
    (kept while another search runs), and whether more matched than are offered."""
    offered = access.organisations_with_reports_visible_to(user)
    if search:
        offered = offered.filter(name__icontains=search)
    if selected is not None:
        offered = offered.exclude(pk=selected.pk)
    rows = list(offered.values_list("pk", "name")[:ORGANISATION_OPTIONS + 1])
    more = len(rows) > ORGANISATION_OPTIONS
    choices = [("", "---------")]
    if selected is not None:
        choices.append((selected.pk, selected.name))
    return choices + rows[:ORGANISATION_OPTIONS], more


def _plain_selects(report_filter, user, params):
    """Give both selects the plain widget; the organisations offered are a page of them (see above)."""
    form = report_filter.form
    form.is_valid()  # run by filter_reports already; cleaned_data keeps a valid organisation beside a bad date
    selected = form.cleaned_data.get("organisation")
    search = search_text(params, "organisation_q", SEARCH_MAX_LENGTH)
    choices, more = organisation_options(user, search, selected)
    for name in ("partnership", "organisation"):
        field = form.fields[name]
        widget = _PlainSelect(attrs={**field.widget.attrs, "class": "form-select"})  # as crispy gives it
        widget.choices = choices if name == "organisation" else field.choices
        widget.is_required = field.widget.is_required
        field.widget = widget
    return {"search": search, "more": more, "searchable": more or bool(search), "limit": ORGANISATION_OPTIONS}


class CountedPaginator(Paginator):
    """A paginator that counts the rows through another queryset of the same rows (one planned for counting)."""

    def __init__(self, object_list, per_page, *, count_queryset, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.count_queryset = count_queryset

    @cached_property
    def count(self):
        return self.count_queryset.count()


@login_required
@require_safe
def report_list(request):
    """List the reports the user may see, filtered, sorted and paginated (a cached page per query string)."""
    def build(request):  # at the page's normal address (fragments.render_page)
        report_filter, rows = filter_reports(access.reports_visible_to(request.user), request.GET, request)
        organisation_search = _plain_selects(report_filter, request.user, request.GET)
        status = report_filter.form.cleaned_data.get("status")
        drafts = not status or status == ContributionReport.Status.DRAFT  # another status leaves drafts out anyway
        counted = report_filter.filter_queryset(access.reports_visible_to(request.user, drafts=drafts))
        page = CountedPaginator(rows, PAGE_SIZE, count_queryset=counted).get_page(request.GET.get("page"))
        return {
            "filter": report_filter,
            "organisation_search": organisation_search,
            "page_obj": page,
            "reports": page.object_list,
            "sort_links": _sort_links(request.GET.get("sort", "").strip()),
            "can_create": access.memberships_represented_by(request.user).exists(),
        }

    return fragments.render_page(request, "report_list", "partners/report_list.html", build,
                                 tokens=access.partnership_scope(request.user).tokens,
                                 params=[ReportFilter, ReportListOptions])


@login_required
@require_safe
def report_organisation_options(request):
    """The organisation filter's <option>s for a typed search (htmx, on the report list)."""
    chosen = forms.ModelChoiceField(queryset=access.organisations_with_reports_visible_to(request.user), required=False)
    try:
        selected = chosen.clean(request.GET.get("organisation"))
    except ValidationError:
        selected = None
    search = search_text(request.GET, "organisation_q", SEARCH_MAX_LENGTH)
    choices, _more = organisation_options(request.user, search, selected)
    return render(request, "partners/report_organisation_options.html", {"choices": choices, "selected": selected})


@login_required
@require_safe
def report_export(request):
    """Export the same filtered rows as the list, as CSV (``?format=csv``) or XLSX (``?format=xlsx``)."""
    fmt = request.GET.get("format", "csv")
    if fmt not in ("csv", "xlsx"):
        return HttpResponseBadRequest(_("Choose the export format csv or xlsx."))
    _filter, rows = filter_reports(access.reports_visible_to(request.user), request.GET, request)
    filename = f"laporan-kontribusi-{timezone.localdate():%Y%m%d}"
    if fmt == "xlsx":
        return exports.xlsx_response(rows, filename)
    return exports.csv_response(rows, filename)


# --- report detail and history -------------------------------------------------------------

HISTORY_HIDDEN_FIELDS = {"id", "created_at", "updated_at", "membership", "created_by", "reviewed_by",
                         "submitted_at", "reviewed_at"}


def _history_value(field, value):
    if value in (None, ""):
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.name == "value":
        return rupiah(value)
    if isinstance(value, str):
        return Truncator(value).chars(120)
    return formats.localize(value)


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
            "accept": _url_or_none("partners:report_accept", pk=report.pk),
            "return": _url_or_none("partners:report_return", pk=report.pk),
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


# --- report create, edit, submit, resubmit, delete -------------------------------------------


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
    report = _editable_report(request.user, pk)
    refused = _refuse_if_locked(request, report, _("This report is %(status)s and can no longer be changed."))
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
    report = _editable_report(request.user, pk)
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
    report = _editable_report(request.user, pk)
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


# --- attachments --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def attachment_add(request, pk):
    """Attach a file to a draft or returned report of the user's own organisation (``pk``: the report)."""
    report = _editable_report(request.user, pk)
    refused = _refuse_if_locked(request, report, _("This report is %(status)s; files can no longer be added."))
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
    refused = _refuse_if_locked(request, report, _("This report is %(status)s; its files can no longer be removed."))
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


# --- indicator values ---------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def indicatorvalue_entry(request, pk):
    """Enter one value per indicator of the partnership for a period, as member ``pk`` (a membership)."""
    membership = get_object_or_404(access.memberships_represented_by(request.user), pk=pk)
    indicators = list(
        Indicator.objects.filter(goal__partnership_id=membership.partnership_id)
        .select_related("goal")
        .order_by("goal__order", "goal_id", "id")
    )
    current = Period.containing(membership.reporting_frequency, timezone.localdate())
    default_start, default_end = current.start, current.end
    source = request.POST if request.method == "POST" else (request.GET if "period_start" in request.GET else None)
    period_form = IndicatorPeriodForm(source, initial={"period_start": default_start, "period_end": default_end})
    if period_form.is_bound and period_form.is_valid():
        period_start, period_end = period_form.cleaned_data["period_start"], period_form.cleaned_data["period_end"]
    else:
        period_start, period_end = default_start, default_end
    existing = {
        value.indicator_id: value
        for value in IndicatorValue.objects.filter(
            membership=membership, period_start=period_start, indicator__in=[i.pk for i in indicators]
        )
    }
    data = request.POST if request.method == "POST" else None
    forms = [
        IndicatorValueForm(
            data, prefix=f"i{indicator.pk}", indicator=indicator,
            initial={"value": getattr(existing.get(indicator.pk), "value", None),
                     "note": getattr(existing.get(indicator.pk), "note", "")},
        )
        for indicator in indicators
    ]
    if request.method == "POST" and period_form.is_valid() and all(f.is_valid() for f in forms):
        entries = [
            (f.indicator, f.cleaned_data["value"], f.cleaned_data["note"])
            for f in forms if f.cleaned_data["value"] is not None
        ]
        try:
            services.indicator_values_save(
                membership=membership, period_start=period_start, period_end=period_end,
                entries=entries, user=request.user,
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("%(count)d indicator values were saved.") % {"count": len(entries)})
            return redirect(
                reverse("partners:indicatorvalue_entry", kwargs={"pk": membership.pk})
                + f"?period_start={period_start:%Y-%m-%d}&period_end={period_end:%Y-%m-%d}"
            )
    periods = (
        IndicatorValue.objects.filter(membership=membership)
        .values_list("period_start", "period_end")
        .distinct()
        .order_by("-period_start", "-period_end")[:12]
    )
    return render(request, "partners/indicatorvalue_form.html", {
        "membership": membership,
        "period_form": period_form,
        "rows": [(f.indicator, f, existing.get(f.indicator.pk)) for f in forms],
        "period_start": period_start,
        "period_end": period_end,
        "reported_periods": list(periods),
    })
