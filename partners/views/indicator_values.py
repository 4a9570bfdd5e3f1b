"""Indicator values: a member's representative enters one value per indicator for a period.

The member comes through ``access.memberships_represented_by``: another organisation's answers 404.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners import access, services
from partners.deadlines import Period
from partners.forms.reports import IndicatorPeriodForm, IndicatorValueForm
from partners.models import Indicator, IndicatorValue


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
