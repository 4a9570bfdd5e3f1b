"""The report list, its organisation filter and its export (CSV, XLSX): the reports a person may see.

Rows come from ``access.reports_visible_to``, filtered by ``partners.filters_reports``; the export
writes the very rows the list shows (``partners.exports``).
"""
from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms.utils import flatatt
from django.http import HttpResponseBadRequest
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_filters.conf import settings as filter_settings

from kemitraan import fragments
from partners import access, exports
from partners.filters_reports import (
    ORGANISATION_SEARCH_MAX_LENGTH,
    SORT_FIELDS,
    ReportFilter,
    ReportListOptions,
    filter_reports,
)
from partners.models import ContributionReport
from partners.views import search_text

PAGE_SIZE = 25


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
    choices = [("", filter_settings.EMPTY_CHOICE_LABEL)]  # "All", as every filter's empty choice
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
