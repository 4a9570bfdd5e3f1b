"""Reads for partnerships and reports, already limited to what the user may see.

This module is the one place that decides who sees what:
- an admin (superuser) sees everything;
- a coordinator sees the partnerships they coordinate and every non-draft report in them;
- a partner representative sees the partnerships its organisations are members of,
  and only its own organisations' reports (drafts included).
Views fetch objects through these functions and answer 404 when nothing comes back.
"""
import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from .deadlines import Deadlines, memberships_overdue

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


def _coordinated(user) -> Q:
    return Q(coordinators=user)


def partnerships_for_user(user) -> QuerySet[Partnership]:
    """Return the partnerships ``user`` coordinates or is a member of through an organisation."""
    qs = Partnership.objects.select_related("lead_organisation")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    member = Membership.objects.filter(partnership=OuterRef("pk"), organisation__representatives=user)
    coordinated = Partnership.coordinators.through.objects.filter(partnership=OuterRef("pk"), user=user)
    return qs.filter(Q(Exists(member)) | Q(Exists(coordinated)))


def partnerships_coordinated_by(user) -> QuerySet[Partnership]:
    """Return the partnerships ``user`` may run as coordinator (all of them for an admin)."""
    qs = Partnership.objects.select_related("lead_organisation")
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs
    coordinated = Partnership.coordinators.through.objects.filter(partnership=OuterRef("pk"), user=user)
    return qs.filter(Exists(coordinated))


@dataclass(frozen=True)
class PartnershipScope:
    """What a person may see, read in one query: the partnerships and their change tokens.

    ``tokens`` are the (id, cache_token) pairs of every partnership the person coordinates or
    represents a member of (every partnership for an admin); ``coordinated`` the ids of those the
    person may run as coordinator; ``admin`` whether the person is an admin (who runs every
    partnership, even before there is one). The tokens key the person's cached pages
    (``kemitraan.fragments``), and the ids answer the access checks of those pages without
    another query.
    """

    tokens: list[tuple[int, object]]
    coordinated: frozenset[int]
    admin: bool = False

    def sees(self, partnership_id) -> bool:
        return any(pk == partnership_id for pk, _token in self.tokens)

    def coordinates(self, partnership_id) -> bool:
        return partnership_id in self.coordinated

    @property
    def is_coordinator(self) -> bool:
        """As ``user_is_coordinator``: the person runs at least one partnership, or is an admin."""
        return self.admin or bool(self.coordinated)


def partnership_scope(user) -> PartnershipScope:
    """Return the ``PartnershipScope`` of ``user`` (empty for an anonymous visitor)."""
    if not user.is_authenticated:
        return PartnershipScope([], frozenset())
    if user.is_superuser:
        tokens = list(Partnership.objects.order_by("pk").values_list("pk", "cache_token"))
        return PartnershipScope(tokens, frozenset(pk for pk, _token in tokens), admin=True)
    rows = _scope_rows(user.pk)
    return PartnershipScope([(pk, token) for pk, token, _c in rows],
                            frozenset(pk for pk, _token, coordinates in rows if coordinates))


def _scope_rows(user_id) -> list[tuple[int, object, bool]]:
    """(id, cache_token, coordinates) of each partnership the person ``user_id`` coordinates or represents a member of."""
    coordinated = Partnership.coordinators.through.objects.filter(partnership=OuterRef("pk"), user_id=user_id)
    represented = Membership.objects.filter(partnership=OuterRef("pk"), organisation__representatives=user_id)
    return list(
        Partnership.objects.filter(Q(Exists(coordinated)) | Q(Exists(represented)))
        .annotate(coordinates=Exists(coordinated))
        .order_by("pk")
        .values_list("pk", "cache_token", "coordinates")
    )


def partnership_tokens_for_user(user) -> list[tuple[int, str]]:
    """Return (id, cache_token) of every partnership ``user`` coordinates or represents a member of (all for an admin)."""
    return partnership_scope(user).tokens


def partnership_tokens_of(user_id) -> list[tuple[int, str]]:
    """Return (id, cache_token) of the partnerships the person ``user_id`` coordinates or represents a member of."""
    return [(pk, token) for pk, token, _coordinates in _scope_rows(user_id)]


def user_coordinates(user, partnership: Partnership) -> bool:
    """Tell whether ``user`` may act as coordinator of ``partnership``."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or partnership.coordinators.filter(pk=user.pk).exists()


def represented_organisation_ids(user) -> QuerySet:
    """The ids of the organisations ``user`` represents, as a subquery of the link table alone.

    PostgreSQL plans it in half the time of a join through the organisation table.
    """
    return Organisation.representatives.through.objects.filter(user=user).values("organisation_id")


def coordinated_partnership_ids(user) -> QuerySet:
    """The ids of the partnerships ``user`` coordinates, as a subquery of the link table alone."""
    return Partnership.coordinators.through.objects.filter(user=user).values("partnership_id")


def memberships_for_user(user) -> QuerySet[Membership]:
    """Return the memberships ``user`` represents (their organisations' places in partnerships)."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.select_related("partnership", "organisation").filter(
        organisation__in=represented_organisation_ids(user)
    )


def organisations_for_user(user) -> QuerySet[Organisation]:
    """Return the organisations ``user`` represents."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return user.organisations.all()


def reports_for_user(user, *, for_count: bool = False, drafts: bool = True) -> QuerySet[ContributionReport]:
    """Return the contribution reports ``user`` may see, with member, organisation and partnership joined.

    ``for_count`` gives the same rows in the form PostgreSQL counts fastest (see below).
    ``drafts=False`` leaves every draft out, for a caller that keeps only another status anyway:
    the rule that shows drafts to their own organisation alone is then not needed, and its
    ``NOT (draft AND NOT own)`` made PostgreSQL hash every report of the status when counting
    (the report list filtered on "accepted": 84 → 16 ms for a coordinator of 100 partnerships).
    """
    qs = ContributionReport.objects.select_related(
        "membership__organisation", "membership__partnership", "reviewed_by"
    )
    if not user.is_authenticated:
        return qs.none()
    if user.is_superuser:
        return qs if drafts else qs.exclude(status=ContributionReport.Status.DRAFT)
    # One semi-join on the memberships the user may see (own or coordinated), so PostgreSQL
    # reads the reports through the membership indexes (an OR of two EXISTS on the report rows
    # made it scan all of them). For a page of rows, the OR inside the membership filter lets
    # it walk the period index and keep the user's rows (23 ms at 50,000 of 500,000 reports);
    # for a count, that plan hashes every report of the status (77-148 ms), while the same set
    # as a UNION counts through nested index-only scans (20 ms) -- and sorts pages slowly, so
    # each use gets its own form. Drafts stay visible to their own organisation only.
    own_organisations = represented_organisation_ids(user)
    coordinated = coordinated_partnership_ids(user)
    own = Membership.objects.filter(organisation_id__in=own_organisations).order_by().values("pk")
    if for_count:
        visible = own.union(Membership.objects.filter(partnership_id__in=coordinated).order_by().values("pk"))
    else:
        visible = Membership.objects.filter(
            Q(organisation_id__in=own_organisations) | Q(partnership_id__in=coordinated)
        ).values("pk")
    if not drafts:
        return qs.filter(membership_id__in=visible).exclude(status=ContributionReport.Status.DRAFT)
    return qs.filter(membership_id__in=visible).exclude(
        Q(status=ContributionReport.Status.DRAFT) & ~Q(membership_id__in=own)
    )


def reports_editable_by(user) -> QuerySet[ContributionReport]:
    """Return the reports ``user`` may change: its own organisations' reports only."""
    if not user.is_authenticated:
        return ContributionReport.objects.none()
    return ContributionReport.objects.select_related("membership__organisation", "membership__partnership").filter(
        membership__organisation__representatives=user
    )


def reports_to_review_for(user) -> QuerySet[ContributionReport]:
    """Return the submitted reports waiting for ``user``'s review, oldest first."""
    qs = ContributionReport.objects.select_related("membership__organisation", "membership__partnership").filter(
        status=ContributionReport.Status.SUBMITTED
    )
    if not user.is_superuser:
        coordinated = Partnership.coordinators.through.objects.filter(
            partnership=OuterRef("membership__partnership"), user=user
        )
        qs = qs.filter(Exists(coordinated))
    return qs.order_by("submitted_at", "id")


def partnership_get(user, pk) -> Partnership:
    """Return the partnership if ``user`` may see it, else raise 404."""
    return get_object_or_404(partnerships_for_user(user), pk=pk)


def partnership_get_for_coordinator(user, pk) -> Partnership:
    """Return the partnership if ``user`` coordinates it, else raise 404."""
    return get_object_or_404(partnerships_coordinated_by(user), pk=pk)


def report_get(user, pk) -> ContributionReport:
    """Return the report if ``user`` may see it, else raise 404."""
    return get_object_or_404(reports_for_user(user), pk=pk)



# --- coordinator pages: object access, dashboard, progress, pledged vs delivered ---
# (used by partners/views/coordinator.py; other modules may reuse them)


def _coordinated_scope(user, path: str) -> Q:
    """Return a filter keeping rows whose partnership (reached through ``path``) ``user`` coordinates."""
    if user.is_superuser:
        return Q()
    return Q(Exists(Partnership.coordinators.through.objects.filter(partnership=OuterRef(path), user=user)))


def user_is_coordinator(user) -> bool:
    """Tell whether ``user`` runs at least one partnership (admins always do)."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or Partnership.coordinators.through.objects.filter(user=user).exists()


def user_may_create_partnership(user) -> bool:
    """Tell whether ``user`` may start a partnership: an admin, a coordinator, or whoever holds the permission."""
    if not user.is_authenticated:
        return False
    return user_is_coordinator(user) or user.has_perm("partners.add_partnership")


def memberships_coordinated_by(user) -> QuerySet[Membership]:
    """Return the memberships of the partnerships ``user`` coordinates."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return Membership.objects.select_related("partnership", "organisation").filter(
        _coordinated_scope(user, "partnership")
    )


def membership_get_for_coordinator(user, pk) -> Membership:
    """Return the membership if ``user`` coordinates its partnership, else raise 404."""
    return get_object_or_404(memberships_coordinated_by(user), pk=pk)


def goals_coordinated_by(user) -> QuerySet[SharedGoal]:
    """Return the shared goals of the partnerships ``user`` coordinates."""
    if not user.is_authenticated:
        return SharedGoal.objects.none()
    return SharedGoal.objects.select_related("partnership").filter(_coordinated_scope(user, "partnership"))


def goal_get_for_coordinator(user, pk) -> SharedGoal:
    """Return the shared goal if ``user`` coordinates its partnership, else raise 404."""
    return get_object_or_404(goals_coordinated_by(user), pk=pk)


def indicators_coordinated_by(user) -> QuerySet[Indicator]:
    """Return the indicators of the partnerships ``user`` coordinates, with goal and partnership joined."""
    if not user.is_authenticated:
        return Indicator.objects.none()
    return Indicator.objects.select_related("goal__partnership").filter(_coordinated_scope(user, "goal__partnership"))


def indicator_get_for_coordinator(user, pk) -> Indicator:
    """Return the indicator if ``user`` coordinates its partnership, else raise 404."""
    return get_object_or_404(indicators_coordinated_by(user), pk=pk)


def reports_reviewable_by(user) -> QuerySet[ContributionReport]:
    """Return the non-draft reports of the partnerships ``user`` coordinates (what a reviewer may act on)."""
    if not user.is_authenticated:
        return ContributionReport.objects.none()
    return (
        ContributionReport.objects.select_related("membership__organisation", "membership__partnership")
        .exclude(status=ContributionReport.Status.DRAFT)
        .filter(_coordinated_scope(user, "membership__partnership"))
    )


def report_get_for_coordinator(user, pk) -> ContributionReport:
    """Return the report if ``user`` may review it (coordinator of its partnership, not a draft), else 404."""
    return get_object_or_404(reports_reviewable_by(user), pk=pk)


def organisations_known_to(user) -> QuerySet[Organisation]:
    """Return the organisations ``user`` may pick from a list: those that are or were members of a
    partnership they coordinate (every organisation for an admin).

    A coordinator of one partnership does not browse every organisation's name and contact
    details. An organisation outside their partnerships is found only by its exact registered
    name (``organisation_by_exact_name``): a coordinator who learnt the name from the
    organisation itself can add it as a member, nobody can list them all. Adding it gives the
    coordinator no right over its people: who may invite its representatives is
    ``accounts.selectors.organisations_invitable_by``.
    """
    if not user.is_authenticated:
        return Organisation.objects.none()
    if user.is_superuser:
        return Organisation.objects.order_by("name")
    known = Membership.objects.filter(organisation=OuterRef("pk"), partnership__in=coordinated_partnership_ids(user))
    return Organisation.objects.filter(Exists(known)).order_by("name")


def organisation_name_normalised(name: str) -> str:
    """Return ``name`` with its spaces collapsed, as organisation names are compared."""
    return " ".join((name or "").split())


def organisation_by_exact_name(name: str) -> Organisation | None:
    """Return the organisation registered under exactly ``name`` (letter case and spacing aside), or None."""
    name = organisation_name_normalised(name)
    if not name:
        return None
    return Organisation.objects.filter(name__iexact=name).first()


def _count_of(qs: QuerySet, outer: str = "partnership"):
    """Count ``qs`` rows per outer row as a correlated subquery (0 when there are none)."""
    counted = qs.order_by().values(outer).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def _sum_of(qs: QuerySet, field: str, outer: str):
    """Sum ``field`` over ``qs`` per outer row as a correlated subquery (0 when there are none)."""
    summed = qs.order_by().values(outer).annotate(s=Sum(field)).values("s")
    return Coalesce(Subquery(summed, output_field=DecimalField(max_digits=20, decimal_places=2)),
                    Value(Decimal("0")), output_field=DecimalField(max_digits=20, decimal_places=2))


def _active_members(today: datetime.date) -> QuerySet[Membership]:
    return Membership.objects.filter(Q(left_on__isnull=True) | Q(left_on__gte=today))


FOLLOW_UP_DUE_DAYS = 14


def partnerships_dashboard_for(user, today: datetime.date | None = None,
                               deadlines: Deadlines | None = None) -> QuerySet[Partnership]:
    """Return the partnerships ``user`` coordinates with every dashboard figure annotated.

    Annotations: ``members_count`` (active members), ``reports_waiting``,
    ``reports_overdue`` (``partners.deadlines.memberships_overdue``), ``open_cycle_id`` /
    ``open_cycle_due`` / ``open_cycle_answered`` (submitted answers to the open
    evaluation cycle due first), ``actions_due`` (open or in-progress follow-up actions
    due within FOLLOW_UP_DUE_DAYS days or overdue) and ``actions_overdue``.
    Goal progress and health need Python and come from ``partnerships_attach_scores``.
    """
    from evaluations.models import EvaluationCycle, EvaluationResponse, FollowUpAction

    today = today or timezone.localdate()
    deadlines = deadlines or Deadlines.load()
    open_cycle = EvaluationCycle.objects.filter(
        partnership=OuterRef("pk"), status=EvaluationCycle.Status.OPEN
    ).order_by("due_date", "id")
    open_actions = FollowUpAction.objects.filter(
        partnership=OuterRef("pk"),
        status__in=(FollowUpAction.Status.OPEN, FollowUpAction.Status.IN_PROGRESS),
    )
    return (
        partnerships_coordinated_by(user)
        .annotate(
            members_count=_count_of(_active_members(today).filter(partnership=OuterRef("pk"))),
            reports_waiting=_count_of(
                ContributionReport.objects.filter(
                    membership__partnership=OuterRef("pk"), status=ContributionReport.Status.SUBMITTED
                ),
                "membership__partnership",
            ),
            reports_overdue=_count_of(memberships_overdue(today, deadlines).filter(partnership=OuterRef("pk"))),
            open_cycle_id=Subquery(open_cycle.values("pk")[:1]),
            open_cycle_due=Subquery(open_cycle.values("due_date")[:1]),
            open_cycle_answered=_count_of(
                EvaluationResponse.objects.filter(
                    cycle=OuterRef("open_cycle_id"), status=EvaluationResponse.Status.SUBMITTED
                ),
                "cycle",
            ),
            actions_due=_count_of(
                open_actions.filter(due_date__lte=today + datetime.timedelta(days=FOLLOW_UP_DUE_DAYS))
            ),
            actions_overdue=_count_of(open_actions.filter(due_date__lt=today)),
        )
    )


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


def partnership_health_latest(partnership_ids) -> dict[int, int | None]:
    """Return {partnership id: health index 0-100 of its latest closed evaluation cycle}.

    The index is the evaluations app's official one (``evaluations.results.health_index``):
    the mean of the six principle averages over the cycle's submitted answers, mapped
    from 1..5 onto 0..100. None when the partnership has no closed cycle with a
    submitted answer. One query in all, whatever the number of partnerships.
    """
    from fractions import Fraction

    from evaluations.models import SCORE_FIELDS, EvaluationCycle, EvaluationResponse
    from evaluations.results import health_index

    ids = list(partnership_ids)
    latest_closed = EvaluationCycle.objects.filter(
        partnership=OuterRef("cycle__partnership"), status=EvaluationCycle.Status.CLOSED
    ).order_by("-period_end", "-pk")
    aggregates = {}
    for field in SCORE_FIELDS.values():
        aggregates[f"{field}__sum"] = Sum(field)
        aggregates[f"{field}__count"] = Count(field)
    rows = (
        EvaluationResponse.objects.filter(
            status=EvaluationResponse.Status.SUBMITTED,
            cycle__partnership_id__in=ids,
            cycle=Subquery(latest_closed.values("pk")[:1]),
        )
        .order_by()
        .values("cycle__partnership_id")
        .annotate(**aggregates)
    )
    health: dict[int, int | None] = dict.fromkeys(ids)
    for row in rows:
        averages = [
            Fraction(row[f"{f}__sum"], row[f"{f}__count"]) if row[f"{f}__count"] else None
            for f in SCORE_FIELDS.values()
        ]
        health[row["cycle__partnership_id"]] = health_index(averages)
    return health


def partnerships_attach_scores(partnerships):
    """Set ``goal_progress`` (0-1) and ``health`` (0-100) on each partnership; two queries in all."""
    partnerships = list(partnerships)
    ids = [p.pk for p in partnerships]
    progress = goal_progress_by_partnership(ids)
    health = partnership_health_latest(ids)
    for p in partnerships:
        p.goal_progress = progress.get(p.pk)
        p.health = health.get(p.pk)
    return partnerships


def partnerships_with_member_count(qs: QuerySet[Partnership], today: datetime.date | None = None):
    """Annotate ``members_count`` (active members) on a partnership queryset."""
    today = today or timezone.localdate()
    return qs.annotate(members_count=_count_of(_active_members(today).filter(partnership=OuterRef("pk"))))


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
            reports_count=_count_of(ContributionReport.objects.filter(membership=OuterRef("pk")), "membership"),
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
