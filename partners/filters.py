"""django-filter FilterSets for list pages (search, filter, sort).

Each FilterSet filters a queryset that a selector has already limited to what the
user may see; filters never widen access.
"""
import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import ContributionKind, ContributionReport, Partnership
from . import access


class PartnershipFilter(django_filters.FilterSet):
    """Partnership list: search text, status, type, and sorting by title, start date or status."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    status = django_filters.ChoiceFilter(choices=Partnership.Status.choices, label=_("Status"))
    type = django_filters.ChoiceFilter(choices=Partnership.Type.choices, label=_("Type"))
    ordering = django_filters.OrderingFilter(
        fields=(("title", "title"), ("start_date", "start_date"), ("status", "status")),
        field_labels={"title": _("Title"), "start_date": _("Start date"), "status": _("Status")},
        label=_("Sort by"),
    )

    class Meta:
        model = Partnership
        fields = ["q", "status", "type"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(title__icontains=value) | Q(problem_statement__icontains=value)
            | Q(lead_organisation__name__icontains=value)
        )

    @property
    def qs(self):
        qs = super().qs
        # A stable order under pagination: ties on status or date fall back to title, then id.
        ordering = list(qs.query.order_by) or ["title"]
        return qs.order_by(*ordering, "title", "pk")


def _coordinated_partnerships(request):
    if request is None:
        return Partnership.objects.none()
    return access.partnerships_coordinated_by(request.user).order_by("title")


class ReviewQueueFilter(django_filters.FilterSet):
    """Review queue: by partnership (only those the user runs) and kind; oldest submission first by default."""

    partnership = django_filters.ModelChoiceFilter(
        field_name="membership__partnership", queryset=_coordinated_partnerships, label=_("Partnership"),
    )
    kind = django_filters.ChoiceFilter(choices=ContributionKind.choices, label=_("Kind"))
    ordering = django_filters.OrderingFilter(
        fields=(
            ("submitted_at", "submitted"),
            ("period_start", "period"),
            ("membership__organisation__name", "organisation"),
            ("value", "value"),
        ),
        field_labels={
            "submitted_at": _("Submitted"),
            "period_start": _("Period"),
            "membership__organisation__name": _("Organisation"),
            "value": _("Value"),
        },
        label=_("Sort by"),
    )

    class Meta:
        model = ContributionReport
        fields = ["partnership", "kind"]

    @property
    def qs(self):
        qs = super().qs
        ordering = list(qs.query.order_by) or ["submitted_at"]
        return qs.order_by(*ordering, "submitted_at", "pk")

