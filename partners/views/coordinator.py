"""Coordinator pages: partnerships, members, goals and indicators, review queue.

The dashboard and the partnership page, which show evaluation figures too, are ``workspace.views``.

Every view fetches its object through an access-checking selector in
``partners.selectors`` (404 for anyone who does not coordinate the partnership, for
GET and POST alike), validates with a form, calls a service and redirects.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from kemitraan import fragments
from kemitraan.forms import add_service_errors
from partners import access, selectors, services
from partners.filters import PartnershipFilter, ReviewQueueFilter
from partners.forms.coordinator import (
    IndicatorForm,
    MembershipForm,
    OrganisationChoiceForm,
    PartnershipForm,
    PartnershipStatusForm,
    PledgeFormSet,
    ReportReturnForm,
    SharedGoalForm,
)
from partners.models import IndicatorValue, Membership
from partners.views import search_text

PAGE_SIZE = 20


def _page(request, items, per_page=None):
    return Paginator(items, per_page or PAGE_SIZE).get_page(request.GET.get("page"))


def _next_url(request, default):
    """Return the ``next`` address of the request when it is on this site, else ``default``."""
    candidate = request.POST.get("next") or request.GET.get("next")
    # Only a path on this site: redirect() would take a bare word for a URL pattern name.
    if candidate and candidate.startswith("/") and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def _sort_links(request, columns):
    """Return {key: {"next": ordering value for the link, "state": "asc"/"desc"/""}} for sortable column headers."""
    current = request.GET.get("ordering", "")
    links = {}
    for key in columns:
        state = "asc" if current == key else "desc" if current == f"-{key}" else ""
        links[key] = {"next": f"-{key}" if state == "asc" else key, "state": state}
    return links


def _require_coordinator(user):
    if not access.is_coordinator(user):
        raise Http404


def _coordinator_scope(user) -> access.PartnershipScope:
    """Return the person's ``PartnershipScope``; 404 unless they coordinate a partnership (admins always do)."""
    scope = access.partnership_scope(user)
    if not scope.is_coordinator:
        raise Http404
    return scope


def _fields(form):
    return dict(form.cleaned_data)


# --- partnerships ---


@login_required
def partnership_list(request):
    _require_coordinator(request.user)
    queryset = selectors.partnerships_with_member_count(access.partnerships_coordinated_by(request.user))
    filterset = PartnershipFilter(request.GET or None, queryset=queryset, request=request)
    page = _page(request, filterset.qs)
    return render(request, "partners/partnership_list.html", {
        "filter": filterset, "page": page, "may_create": True,  # every coordinator may start a partnership
        "sort": _sort_links(request, ["title", "start_date", "status"]),
    })


@login_required
def partnership_create(request):
    if not access.may_create_partnership(request.user):
        raise Http404
    form = PartnershipForm(request.POST if request.method == "POST" else None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            partnership = services.partnership_create(user=request.user, **_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The partnership was created. Add its members and shared goals next."))
            return redirect(partnership)
    return render(request, "partners/partnership_form.html", {"form": form})


@login_required
def partnership_edit(request, pk):
    partnership = access.partnership_get_for_coordinator(request.user, pk)
    form = PartnershipForm(request.POST if request.method == "POST" else None, instance=partnership, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_update(partnership=partnership, **_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The partnership was saved."))
            return redirect(partnership)
    return render(request, "partners/partnership_form.html", {"form": form, "partnership": partnership})


@login_required
def partnership_status(request, pk):
    """Move a partnership along its workflow (GET shows the allowed next statuses, POST changes it)."""
    partnership = access.partnership_get_for_coordinator(request.user, pk)
    form = PartnershipStatusForm(request.POST if request.method == "POST" else None,
                                 partnership=partnership, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.partnership_set_status(partnership=partnership, user=request.user,
                                            status=form.cleaned_data["status"], reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The partnership is now %(status)s.")
                             % {"status": partnership.get_status_display()})
            return redirect(partnership)
    return render(request, "partners/partnership_status.html", {"form": form, "partnership": partnership})


@login_required
def pledge_summary(request, pk):
    partnership = access.partnership_get_for_coordinator(request.user, pk)
    members = selectors.pledged_vs_delivered(partnership)
    return render(request, "partners/pledge_summary.html", {
        "partnership": partnership,
        "members": members,
        "total_pledged": sum((m["pledged"] for m in members), 0),
        "total_delivered": sum((m["delivered"] for m in members), 0),
    })


# --- members ---


@login_required
def membership_add(request, pk):
    partnership = access.partnership_get_for_coordinator(request.user, pk)
    data = request.POST if request.method == "POST" else None
    search = search_text(request.GET)
    org_form = OrganisationChoiceForm(data, partnership=partnership, user=request.user, search=search)
    form = MembershipForm(data, adding=True, initial={"joined_on": timezone.localdate()})
    formset = PledgeFormSet(data, instance=Membership(partnership=partnership), prefix="pledges")
    if data is not None and all([org_form.is_valid(), form.is_valid(), formset.is_valid()]):
        try:
            membership = services.membership_create(
                partnership=partnership, pledges=formset.save(commit=False),
                **org_form.service_kwargs(), **_fields(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("%(organisation)s is now a member.") % {"organisation": membership.organisation})
            return redirect(partnership)
    return render(request, "partners/membership_form.html", {
        "partnership": partnership, "org_form": org_form, "form": form, "formset": formset, "search": search,
    })


@login_required
def organisation_options(request, pk):
    """Return the <option>s of organisations that may join, filtered by ``q`` (htmx search on the add-member form)."""
    partnership = access.partnership_get_for_coordinator(request.user, pk)
    org_form = OrganisationChoiceForm(partnership=partnership, user=request.user, search=search_text(request.GET))
    return render(request, "partners/organisation_options.html", {"org_form": org_form})


@login_required
def membership_edit(request, pk):
    membership = access.membership_get_for_coordinator(request.user, pk)
    partnership = membership.partnership
    data = request.POST if request.method == "POST" else None
    form = MembershipForm(data, instance=membership)
    formset = PledgeFormSet(data, instance=membership, prefix="pledges")
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            services.membership_update(
                membership=membership, pledges=formset.save(commit=False),
                deleted_pledges=formset.deleted_objects, **_fields(form),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The member was saved."))
            return redirect(partnership)
    return render(request, "partners/membership_form.html", {
        "partnership": partnership, "membership": membership, "form": form, "formset": formset,
    })


@login_required
def membership_remove(request, pk):
    membership = access.membership_get_for_coordinator(request.user, pk)
    partnership = membership.partnership
    if request.method == "POST":
        try:
            services.membership_remove(membership=membership)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("%(organisation)s was removed from the partnership.")
                             % {"organisation": membership.organisation})
        return redirect(partnership)
    return render(request, "partners/membership_confirm_remove.html", {
        "membership": membership, "partnership": partnership,
        "blockers": services.membership_removal_blockers(membership),
    })


# --- shared goals and indicators ---


@login_required
def goal_create(request, pk):
    partnership = access.partnership_get_for_coordinator(request.user, pk)
    form = SharedGoalForm(request.POST if request.method == "POST" else None, initial={"order": partnership.goals.count() + 1})
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_create(partnership=partnership, **_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The shared goal was added. Give it an indicator to measure progress."))
            return redirect(f"{partnership.get_absolute_url()}#goals")
    return render(request, "partners/goal_form.html", {"form": form, "partnership": partnership})


@login_required
def goal_edit(request, pk):
    goal = access.goal_get_for_coordinator(request.user, pk)
    form = SharedGoalForm(request.POST if request.method == "POST" else None, instance=goal)
    if request.method == "POST" and form.is_valid():
        try:
            services.goal_update(goal=goal, **_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The shared goal was saved."))
            return redirect(f"{goal.partnership.get_absolute_url()}#goals")
    return render(request, "partners/goal_form.html", {"form": form, "partnership": goal.partnership, "goal": goal})


@login_required
def goal_delete(request, pk):
    goal = access.goal_get_for_coordinator(request.user, pk)
    partnership = goal.partnership
    if request.method == "POST":
        services.goal_delete(goal=goal)
        messages.success(request, _("The shared goal was deleted."))
        return redirect(f"{partnership.get_absolute_url()}#goals")
    return render(request, "partners/goal_confirm_delete.html", {
        "goal": goal, "partnership": partnership,
        "indicator_count": goal.indicators.count(),
        "value_count": IndicatorValue.objects.filter(indicator__goal=goal).count(),
    })


@login_required
def indicator_create(request, pk):
    goal = access.goal_get_for_coordinator(request.user, pk)
    form = IndicatorForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_create(goal=goal, **_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The indicator was added."))
            return redirect("partners:indicator_detail", pk=indicator.pk)
    return render(request, "partners/indicator_form.html", {"form": form, "goal": goal, "partnership": goal.partnership})


@login_required
def indicator_edit(request, pk):
    indicator = access.indicator_get_for_coordinator(request.user, pk)
    form = IndicatorForm(request.POST if request.method == "POST" else None, instance=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            services.indicator_update(indicator=indicator, **_fields(form))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The indicator was saved."))
            return redirect("partners:indicator_detail", pk=indicator.pk)
    return render(request, "partners/indicator_form.html", {
        "form": form, "goal": indicator.goal, "partnership": indicator.goal.partnership, "indicator": indicator,
    })


@login_required
def indicator_delete(request, pk):
    indicator = access.indicator_get_for_coordinator(request.user, pk)
    partnership = indicator.goal.partnership
    if request.method == "POST":
        services.indicator_delete(indicator=indicator)
        messages.success(request, _("The indicator was deleted."))
        return redirect(f"{partnership.get_absolute_url()}#goals")
    return render(request, "partners/indicator_confirm_delete.html", {
        "indicator": indicator, "partnership": partnership, "value_count": indicator.values.count(),
    })


def _indicator_chart(indicator, values):
    """Build the chart data: one line per reporting member over the periods, plus baseline and target."""
    periods = sorted({(v.period_start, v.period_end) for v in values})
    index = {period: i for i, period in enumerate(periods)}
    series: dict[str, list] = {}
    for v in values:
        line = series.setdefault(v.membership.organisation.name, [None] * len(periods))
        line[index[(v.period_start, v.period_end)]] = float(v.value)
    return {
        "labels": [date_format(end, "SHORT_DATE_FORMAT") for _start, end in periods],
        "series": [{"label": name, "data": data} for name, data in sorted(series.items())],
        "baseline": float(indicator.baseline),
        "target": float(indicator.target),
        "unit": indicator.unit,
        "text": {"baseline": _("Baseline"), "target": _("Target"), "period": _("Period end")},
    }


@login_required
def indicator_detail(request, pk):
    indicator = get_object_or_404(
        selectors.indicators_with_latest_value().filter(
            pk__in=access.indicators_coordinated_by(request.user).values("pk")
        ).select_related("goal__partnership"),
        pk=pk,
    )
    values = list(
        indicator.values.select_related("membership__organisation", "reported_by")
        .order_by("period_start", "membership__organisation__name", "pk")
    )
    indicator.share = indicator.progress(indicator.latest_value)
    return render(request, "partners/indicator_detail.html", {
        "indicator": indicator,
        "goal": indicator.goal,
        "partnership": indicator.goal.partnership,
        "chart": _indicator_chart(indicator, values),
        "page": _page(request, values[::-1]),
    })


# --- review queue ---


@login_required
def review_queue(request):
    """Submitted reports waiting for the user's review (a cached page, see ``dashboard``)."""
    scope = _coordinator_scope(request.user)

    def build(request):  # at the page's normal address (fragments.render_page)
        filterset = ReviewQueueFilter(
            request.GET or None, queryset=access.reports_waiting_for(request.user), request=request
        )
        return {
            "filter": filterset, "page": _page(request, filterset.qs),
            "sort": _sort_links(request, ["submitted", "period", "organisation", "value"]),
        }

    return fragments.render_page(request, "review_queue", "partners/review_queue.html", build, tokens=scope.tokens,
                                 params=[ReviewQueueFilter, fragments.PageForm])


@login_required
def report_accept(request, pk):
    report = access.report_get_for_coordinator(request.user, pk)
    if request.method != "POST":
        return render(request, "partners/review_accept.html", {
            "report": report, "next": _next_url(request, ""),
        })
    try:
        services.report_accept(report=report, user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The report of %(organisation)s was accepted.")
                         % {"organisation": report.membership.organisation})
    return redirect(_next_url(request, reverse("partners:review_queue")))


@login_required
def report_return(request, pk):
    report = access.report_get_for_coordinator(request.user, pk)
    form = ReportReturnForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_return(report=report, user=request.user, reason=form.cleaned_data["reason"])
        except services.TransitionError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect(_next_url(request, reverse("partners:review_queue")))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The report was returned to %(organisation)s with your reason.")
                             % {"organisation": report.membership.organisation})
            return redirect(_next_url(request, reverse("partners:review_queue")))
    return render(request, "partners/review_return.html", {
        "report": report, "form": form, "next": _next_url(request, ""),
    })
