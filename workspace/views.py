"""Pages that combine partnerships and evaluations: home routing, the coordinator dashboard, the
partnership page and the partner home.

Each is a cached page (``kemitraan.fragments``): rendered again only after a change to one of the
person's partnerships, on a new day or in another language. Access is checked where the data is
read: ``partners.access`` for the partnerships, ``workspace.deadlines`` for a person's deadlines.
"""
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, When
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_safe

from kemitraan import fragments
from partners import access
from partners.models import Partnership
from partners.selectors import goals_with_progress, pledged_vs_delivered

from . import selectors
from .deadlines import DUE_SOON_DAYS, deadlines_for

PAGE_SIZE = 20
RECENT_REPORTS = 10

STATUS_RANK = Case(
    When(status=Partnership.Status.ACTIVE, then=0),
    When(status=Partnership.Status.PAUSED, then=1),
    When(status=Partnership.Status.DRAFT, then=2),
    default=3,
    output_field=IntegerField(),
)


@login_required
def home(request):
    """Send each person to their starting page: coordinators and admins see the dashboard."""
    user = request.user
    scope = access.partnership_scope(user)
    if scope.is_coordinator:
        return dashboard(request, scope)
    if access.represented_organisation_ids(user).exists():
        return redirect("workspace:partner_home")
    return render(request, "partners/dashboard_empty.html", {
        "may_create": access.may_create_partnership(user),
    })


def dashboard(request, scope):
    """Show the figures of every partnership the user runs, a page at a time, in a constant number of queries."""
    def build(request):  # at the page's normal address (fragments.render_page)
        today = timezone.localdate()
        partnerships = selectors.partnerships_dashboard_for(request.user, today).order_by(STATUS_RANK, "title", "pk")
        page = Paginator(partnerships, PAGE_SIZE).get_page(request.GET.get("page"))
        selectors.partnerships_attach_scores(page.object_list)
        return {
            "page": page,
            "rows": page.object_list,
            "waiting_total": access.reports_waiting_for(request.user).count(),
            "due_days": selectors.FOLLOW_UP_DUE_DAYS,
            "today": today,
            # Adding or removing a representative touches the person's partnerships: cached safely.
            "is_representative": access.represented_organisation_ids(request.user).exists(),
        }

    return fragments.render_page(request, "dashboard", "partners/dashboard.html", build, tokens=scope.tokens,
                                 params=[fragments.PageForm])


@login_required
def partnership_detail(request, pk):
    """One partnership's figures, members, goals and recent reports (a cached page).

    Access is checked once, where the partnership is read (404 unless the person coordinates it).
    A cached copy is keyed by the person and the tokens of every partnership they may see, so
    losing the partnership changes the key and reads it again.
    """
    scope = access.partnership_scope(request.user)

    def build(request):  # at the page's normal address (fragments.render_page)
        partnership = get_object_or_404(selectors.partnerships_dashboard_for(request.user), pk=pk)
        selectors.partnerships_attach_scores([partnership])
        return {
            "partnership": partnership,
            "members": pledged_vs_delivered(partnership),
            "goals": goals_with_progress(partnership),
            "recent_reports": (
                access.reports_reviewable_by(request.user)
                .filter(membership__partnership=partnership)
                .order_by("-submitted_at", "-pk")[:10]
            ),
            "coordinators": list(partnership.coordinators.order_by("full_name", "email")),
            "due_days": selectors.FOLLOW_UP_DUE_DAYS,
        }

    return fragments.render_page(request, "partnership_detail", "partners/partnership_detail.html", build,
                                 tokens=scope.tokens)


@login_required
@require_safe
def partner_home(request):
    """Show my organisations' partnerships, what is due or overdue, and my latest reports (a cached page)."""
    def build(request):  # at the page's normal address (fragments.render_page)
        today = timezone.localdate()
        memberships = list(
            access.memberships_represented_by(request.user).order_by("partnership__title", "organisation__name")
        )
        deadlines = deadlines_for(request.user, today, memberships=memberships)
        cards = {}
        for membership in memberships:
            cards.setdefault(membership.partnership_id, {"partnership": membership.partnership, "memberships": []})
            cards[membership.partnership_id]["memberships"].append(membership)
        return {
            "cards": list(cards.values()),
            "overdue": [d for d in deadlines if d.overdue],
            "upcoming": [d for d in deadlines if not d.overdue],
            "recent_reports": list(
                access.reports_editable_by(request.user).order_by("-updated_at", "-id")[:RECENT_REPORTS]
            ),
            "today": today,
            "due_soon_days": DUE_SOON_DAYS,
        }

    return fragments.render_page(request, "partner_home", "partners/partner_home.html", build,
                                 tokens=access.partnership_scope(request.user).tokens)
