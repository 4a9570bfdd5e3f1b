"""Reads for the partners pages: figures, progress and pledges, on querysets the access rules limit.

Who may see what is ``partners.access``; when something is due is ``partners.deadlines``.
"""
import datetime
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from . import access
from .models import (
    ContributionKind,
    ContributionReport,
    Indicator,
    IndicatorValue,
    Membership,
    Organisation,
    Partnership,
    Pledge,
    SharedGoal,
)


def organisation_name_normalised(name: str) -> str:
    """Return ``name`` with its spaces collapsed, as organisation names are compared."""
    return " ".join((name or "").split())


def organisation_by_exact_name(name: str) -> Organisation | None:
    """Return the organisation registered under exactly ``name`` (letter case and spacing aside), or None."""
    name = organisation_name_normalised(name)
    if not name:
        return None
    return Organisation.objects.filter(name__iexact=name).first()


def count_of(qs: QuerySet, outer: str = "partnership"):
    """Count ``qs`` rows per outer row as a correlated subquery (0 when there are none); ``qs`` filters
    on ``OuterRef``, ``outer`` is the field it groups by."""
    counted = qs.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _sum_of(qs: QuerySet, field: str, outer: str):
    """Sum ``field`` over ``qs`` per outer row as a correlated subquery (0 when there are none)."""
    summed = qs.order_by().values(outer).annotate(s=Sum(field)).values("s")
    return Coalesce(Subquery(summed, output_field=DecimalField(max_digits=20, decimal_places=2)),
                    Value(Decimal("0")), output_field=DecimalField(max_digits=20, decimal_places=2))


def _active_members(today: datetime.date) -> QuerySet[Membership]:
    return Membership.objects.filter(access.current_on(today))


def indicators_with_latest_value() -> QuerySet[Indicator]:
    """Return indicators annotated with ``latest_value`` and ``latest_period_end``.

    The latest value is the one reported for the most recent period (by period end,
    then the newest entry), whichever member reported it.
    """
    latest = IndicatorValue.objects.filter(indicator=OuterRef("pk")).order_by("-period_end", "-pk")
    return Indicator.objects.annotate(
        latest_value=Subquery(latest.values("value")[:1]),
        latest_period_end=Subquery(latest.values("period_end")[:1]),
    )


def _average(values):
    values = [v for v in values if v is not None]
    return sum(values) / len(values) if values else None


def goal_progress_by_partnership(partnership_ids) -> dict[int, Decimal | None]:
    """Return {partnership id: average progress (0-1) of its indicators, from their latest values}.

    One query whatever the number of partnerships; an indicator with no value yet
    (or whose target equals its baseline) is left out of the average.
    """
    shares: dict[int, list] = {pk: [] for pk in partnership_ids}
    for indicator in indicators_with_latest_value().filter(goal__partnership_id__in=list(shares)).annotate(
        partnership_id=F("goal__partnership_id")
    ):
        shares[indicator.partnership_id].append(indicator.progress(indicator.latest_value))
    return {pk: _average(values) for pk, values in shares.items()}


def partnerships_with_member_count(qs: QuerySet[Partnership], today: datetime.date | None = None):
    """Annotate ``members_count`` (active members) on a partnership queryset."""
    today = today or timezone.localdate()
    return qs.annotate(members_count=count_of(_active_members(today).filter(partnership=OuterRef("pk"))))


def memberships_with_totals(partnership: Partnership) -> QuerySet[Membership]:
    """Return the partnership's members with ``pledged`` and ``delivered`` value totals (rupiah).

    Delivered counts accepted reports only.
    """
    return (
        Membership.objects.filter(partnership=partnership)
        .select_related("organisation")
        .annotate(
            pledged=_sum_of(Pledge.objects.filter(membership=OuterRef("pk")), "value", "membership"),
            delivered=_sum_of(
                ContributionReport.objects.filter(
                    membership=OuterRef("pk"), status=ContributionReport.Status.ACCEPTED
                ),
                "value",
                "membership",
            ),
            reports_count=count_of(ContributionReport.objects.filter(membership=OuterRef("pk")), "membership"),
        )
        .order_by("organisation__name")
    )


def pledged_vs_delivered(partnership: Partnership) -> list[dict]:
    """Compare each member's pledges with its accepted reports, in total and per contribution kind.

    Return one dict per member: ``membership``, ``pledged``, ``delivered`` (rupiah),
    ``share`` (delivered / pledged, or None) and ``kinds``: a list of dicts with
    ``kind``, ``label``, pledged and delivered ``value`` and ``quantity``, and the
    ``unit`` when every row of that kind uses the same one. Three queries in all.
    """
    members = list(memberships_with_totals(partnership))
    by_key: dict[tuple, dict] = {}

    def row(membership_id, kind):
        return by_key.setdefault((membership_id, kind), {
            "kind": kind, "label": ContributionKind(kind).label,
            "pledged_value": Decimal("0"), "pledged_quantity": Decimal("0"),
            "delivered_value": Decimal("0"), "delivered_quantity": Decimal("0"), "units": set(),
        })

    pledges = (
        Pledge.objects.filter(membership__partnership=partnership).order_by().values("membership_id", "kind")
        .annotate(v=Sum("value"), q=Sum("quantity"), u_min=Min("unit"), u_max=Max("unit"))
    )
    for item in pledges:
        r = row(item["membership_id"], item["kind"])
        r["pledged_value"], r["pledged_quantity"] = item["v"] or 0, item["q"] or 0
        r["units"].update({item["u_min"], item["u_max"]})
    delivered = (
        ContributionReport.objects.filter(
            membership__partnership=partnership, status=ContributionReport.Status.ACCEPTED
        ).order_by().values("membership_id", "kind")
        .annotate(v=Sum("value"), q=Sum("quantity"), u_min=Min("unit"), u_max=Max("unit"))
    )
    for item in delivered:
        r = row(item["membership_id"], item["kind"])
        r["delivered_value"], r["delivered_quantity"] = item["v"] or 0, item["q"] or 0
        r["units"].update({item["u_min"], item["u_max"]})
    order = {kind: i for i, kind in enumerate(ContributionKind.values)}
    result = []
    for m in members:
        kinds = sorted((r for (mid, _k), r in by_key.items() if mid == m.pk), key=lambda r: order[r["kind"]])
        for r in kinds:
            units = r.pop("units") - {""}
            r["unit"] = units.pop() if len(units) == 1 else ""
        result.append({
            "membership": m, "pledged": m.pledged, "delivered": m.delivered,
            "share": (m.delivered / m.pledged) if m.pledged else None, "kinds": kinds,
        })
    return result


def goals_with_progress(partnership: Partnership) -> list[SharedGoal]:
    """Return the partnership's goals with their indicators; two queries in all.

    Each indicator carries ``latest_value``, ``latest_period_end`` and ``share``
    (progress 0-1 or None); each goal carries ``share``, the average of its indicators'.
    """
    goals = list(
        SharedGoal.objects.filter(partnership=partnership).prefetch_related(
            Prefetch("indicators", queryset=indicators_with_latest_value().order_by("id"))
        )
    )
    for goal in goals:
        for indicator in goal.indicators.all():
            indicator.share = indicator.progress(indicator.latest_value)
        goal.share = _average(i.share for i in goal.indicators.all())
    return goals
