"""Filters and sorting for contribution report lists and their exports.

The filter only narrows a queryset that already holds what the user may see
(``access.reports_visible_to``); its choices are limited the same way, so a
value the user may not see is simply invalid and ignored, never an error page.
"""
import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from kemitraan.fragments import PageForm

from .models import ContributionKind, ContributionReport, Organisation, Partnership
from . import access

# Sort keys a person may ask for -> the columns they order by. Anything else is ignored.
SORT_FIELDS = {
    "period": ("period_start", "period_end"),
    "value": ("value",),
    "status": ("status",),
    "organisation": ("membership__organisation__name",),
}
DEFAULT_ORDER = ("-period_start", "-id")
ORGANISATION_SEARCH_MAX_LENGTH = 100


def _partnerships(request):
    if request is None:
        return Partnership.objects.none()
    return access.partnerships_visible_to(request.user).order_by("title")


def _organisations(request):
    user = getattr(request, "user", None)
    return access.organisations_with_reports_visible_to(user) if user is not None else Organisation.objects.none()


def ordering_for(sort: str | None) -> tuple[str, ...]:
    """Return the ORDER BY columns for a whitelisted ``sort`` key ("period" or "-period"), else the default."""
    sort = (sort or "").strip()
    descending = sort.startswith("-")
    fields = SORT_FIELDS.get(sort.lstrip("-"))
    if not fields:
        return DEFAULT_ORDER
    prefix = "-" if descending else ""
    return (*(f"{prefix}{name}" for name in fields), f"{prefix}id")


class ReportFilter(django_filters.FilterSet):
    partnership = django_filters.ModelChoiceFilter(
        field_name="membership__partnership", queryset=_partnerships, label=_("Partnership"),
    )
    organisation = django_filters.ModelChoiceFilter(
        field_name="membership__organisation", queryset=_organisations, label=_("Organisation"),
    )
    status = django_filters.ChoiceFilter(choices=ContributionReport.Status.choices, label=_("Status"))
    kind = django_filters.ChoiceFilter(choices=ContributionKind.choices, label=_("Kind"))
    period_from = django_filters.DateFilter(
        field_name="period_end", lookup_expr="gte", label=_("Period from"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    period_to = django_filters.DateFilter(
        field_name="period_start", lookup_expr="lte", label=_("Period to"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    q = django_filters.CharFilter(method="search", label=_("Search"))

    class Meta:
        model = ContributionReport
        fields = ["partnership", "organisation", "status", "kind", "period_from", "period_to", "q"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(description__icontains=value)
            | Q(unit__icontains=value)
            | Q(membership__organisation__name__icontains=value)
            | Q(membership__partnership__title__icontains=value)
        )


class ReportListOptions(PageForm):
    """The report list's parameters besides its filter: sort order, organisation search and page.

    With the filter's form they are every parameter the list reads: the key of its cached page
    (``kemitraan.fragments.page_query``).
    """

    sort = forms.ChoiceField(
        choices=[(value, value) for key in SORT_FIELDS for value in (key, f"-{key}")], required=False,
    )
    organisation_q = forms.CharField(max_length=ORGANISATION_SEARCH_MAX_LENGTH, required=False)


def filter_reports(queryset, params, request):
    """Return the filter set and the filtered rows, sorted by the whitelisted ``sort`` parameter."""
    report_filter = ReportFilter(params, queryset=queryset, request=request)
    rows = report_filter.qs.order_by(*ordering_for(params.get("sort")))
    return report_filter, rows
