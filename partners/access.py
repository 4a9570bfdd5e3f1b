"""Who may see or change what in partnerships: every access rule of the partners app, written once.

The roles (DOMAIN.md):

- an **admin** is a superuser: sees and runs everything. Staff without superuser is not an admin
  here (staff only opens the Django admin, where Django's permissions decide);
- a **coordinator** of a partnership is a person in ``Partnership.coordinators``: runs that
  partnership (members, goals, indicators, the review of reports);
- a **representative** is a person in ``Organisation.representatives``: acts for the
  organisation in every partnership where it has a membership. A former member (``left_on``
  past) keeps reading what it took part in; acting (reporting, answering, voting, owning
  actions) needs a current membership (``memberships_represented_by(user, current_on=day)``).

Each rule is a queryset, or a ``Q`` built from one, so that pages, exports, reminders and every
later reader (API, calendar feeds, PDF report) filter with the same rule and never copy it.
Views fetch one object through the ``*_get`` functions, which answer 404 for what the person may
not see: a hidden object and a missing one look the same.

The rules for evaluations, actions and decisions build on these (``evaluations.access``); who
may invite a representative is ``accounts.selectors``.
"""
import datetime
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404

from .models import ContributionReport, Indicator, Membership, Organisation, Partnership, SharedGoal


def is_admin(user) -> bool:
    """Tell whether ``user`` is an admin (a superuser): everything is theirs to see and run."""
    return user.is_authenticated and user.is_superuser


def coordinated_partnership_ids(user) -> QuerySet:
    """The ids of the partnerships ``user`` coordinates, as a subquery (the coordinator rule)."""
    return Partnership.coordinators.through.objects.filter(user_id=user.pk).values("partnership_id")


def represented_organisation_ids(user) -> QuerySet:
    """The ids of the organisations ``user`` represents, as a subquery (the representative rule)."""
    return Organisation.representatives.through.objects.filter(user_id=user.pk).values("organisation_id")


def _in(path: str) -> str:
    return f"{path}__in" if path else "pk__in"


# Conditions that keep every row and no row. ``Q()`` would not do for "every row": it disappears when
# combined with ``|`` (``Q() | X`` is ``X``), and an admin's rows would be lost in an OR.
EVERY_ROW = Q(pk__isnull=False)
NO_ROW = Q(pk__in=[])


def coordinated_by(user, path: str = "") -> Q:
    """Keep the rows whose partnership, reached by ``path``, ``user`` coordinates (every row for an admin).

    ``path`` leads from the filtered model to its partnership: ``""`` for partnerships,
    ``"partnership"`` for memberships, ``"membership__partnership"`` for reports.
    """
    if is_admin(user):
        return EVERY_ROW
    if not user.is_authenticated:
        return NO_ROW
    return Q(**{_in(path): coordinated_partnership_ids(user)})


def represented_by(user, path: str) -> Q:
    """Keep the rows whose organisation, reached by ``path``, ``user`` represents (admins included: no bypass)."""
    if not user.is_authenticated:
        return NO_ROW
    return Q(**{_in(path): represented_organisation_ids(user)})


def member_partnership_ids(user) -> QuerySet:
    """The ids of the partnerships where an organisation ``user`` represents has a membership (past or current)."""
    return Membership.objects.filter(represented_by(user, "organisation")).values("partnership_id")


def visible_to(user, path: str = "") -> Q:
    """Keep the rows whose partnership, reached by ``path``, ``user`` may see: coordinated or a member's."""
    if is_admin(user):
        return EVERY_ROW
    if not user.is_authenticated:
        return NO_ROW
    return coordinated_by(user, path) | Q(**{_in(path): member_partnership_ids(user)})


# --- partnerships -------------------------------------------------------------------------------


def partnerships_visible_to(user) -> QuerySet[Partnership]:
    """Return the partnerships ``user`` coordinates or where an organisation they represent is a member."""
    return Partnership.objects.select_related("lead_organisation").filter(visible_to(user))


def partnerships_coordinated_by(user) -> QuerySet[Partnership]:
    """Return the partnerships ``user`` may run as coordinator (every one for an admin)."""
    return Partnership.objects.select_related("lead_organisation").filter(coordinated_by(user))


def coordinates(user, partnership_id) -> bool:
    """Tell whether ``user`` may act as coordinator of the partnership with this id."""
    return partnerships_coordinated_by(user).filter(pk=partnership_id).exists()


def is_coordinator(user) -> bool:
    """Tell whether ``user`` runs at least one partnership (an admin always does)."""
    if is_admin(user):
        return True
    return user.is_authenticated and coordinated_partnership_ids(user).exists()


def may_create_partnership(user) -> bool:
    """Tell whether ``user`` may start a partnership: an admin, a coordinator, or whoever holds the permission."""
    return is_coordinator(user) or (user.is_authenticated and user.has_perm("partners.add_partnership"))


def partnership_get(user, pk) -> Partnership:
    """Return the partnership if ``user`` may see it, else raise 404."""
    return get_object_or_404(partnerships_visible_to(user), pk=pk)


def partnership_get_for_coordinator(user, pk) -> Partnership:
    """Return the partnership if ``user`` coordinates it, else raise 404."""
    return get_object_or_404(partnerships_coordinated_by(user), pk=pk)


@dataclass(frozen=True)
class PartnershipScope:
    """What a person may see, read in one query: the partnerships and their change tokens.

    ``tokens`` are the (id, cache_token) pairs of every partnership the person may see; they key
    the person's cached pages (``kemitraan.fragments``). ``coordinated`` holds the ids of those
    the person runs; ``admin`` tells whether the person is an admin.
    """

    tokens: list[tuple[int, str]]
    coordinated: frozenset[int]
    admin: bool = False

    @property
    def is_coordinator(self) -> bool:
        """As ``is_coordinator``: the person runs at least one partnership, or is an admin."""
        return self.admin or bool(self.coordinated)


def partnership_scope(user) -> PartnershipScope:
    """Return the ``PartnershipScope`` of ``user`` (empty for an anonymous visitor)."""
    if not user.is_authenticated:
        return PartnershipScope([], frozenset())
    rows = (
        partnerships_visible_to(user).select_related(None).order_by("pk")
        .annotate(runs=Exists(Partnership.objects.filter(coordinated_by(user), pk=OuterRef("pk"))))
        .values_list("pk", "cache_token", "runs")
    )
    rows = list(rows)
    return PartnershipScope(
        [(pk, str(token)) for pk, token, _runs in rows],
        frozenset(pk for pk, _token, runs in rows if runs),
        admin=is_admin(user),
    )


# --- organisations and memberships ------------------------------------------------------------


def organisations_known_to(user) -> QuerySet[Organisation]:
    """Return the organisations ``user`` may pick from a list: those that are or were members of a
    partnership they coordinate (every organisation for an admin).

    A coordinator of one partnership does not browse every organisation's name and contact
    details. An organisation outside their partnerships is found only by its exact registered
    name (``partners.selectors.organisation_by_exact_name``): a coordinator who learnt the name
    from the organisation itself can add it as a member, nobody can list them all. Adding it gives
    the coordinator no right over its people: who may invite its representatives is
    ``accounts.selectors.organisations_invitable_by``.
    """
    if is_admin(user):
        return Organisation.objects.order_by("name")
    if not user.is_authenticated:
        return Organisation.objects.none()
    known = Membership.objects.filter(coordinated_by(user, "partnership"), organisation=OuterRef("pk"))
    return Organisation.objects.filter(Exists(known)).order_by("name")


def organisations_with_reports_visible_to(user) -> QuerySet[Organisation]:
    """Return the organisations whose reports ``user`` may see (the report filter's choices), by name:
    those they represent and the members of the partnerships they coordinate (all for an admin).

    Two IN subqueries: an OR across joins made PostgreSQL hash every organisation and membership.
    """
    if is_admin(user):
        return Organisation.objects.order_by("name")
    if not user.is_authenticated:
        return Organisation.objects.none()
    coordinated_members = Membership.objects.filter(coordinated_by(user, "partnership")).values("organisation_id")
    return Organisation.objects.filter(Q(pk__in=represented_organisation_ids(user)) | Q(pk__in=coordinated_members)).order_by("name")


def current_on(day, path: str = "") -> Q:
    """Keep the memberships (reached by ``path``) current on ``day``: joined on or before it and not left
    before it. A member is still a member on its leaving day (``Membership.is_current_on``).

    ``day`` may be a date or an expression (``OuterRef("period_end")``).
    """
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}joined_on__lte": day}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": day})
    )


def current_members(partnership_id, day: datetime.date) -> QuerySet[Membership]:
    """Return the memberships of the partnership current on ``day``, by organisation name."""
    return (
        Membership.objects.select_related("organisation")
        .filter(current_on(day), partnership_id=partnership_id)
        .order_by("organisation__name")
    )


def memberships_represented_by(user, *, current_on_day: datetime.date | None = None) -> QuerySet[Membership]:
    """Return the memberships of the organisations ``user`` represents; with ``current_on_day``, only
    those still current that day (the ones the person may act for)."""
    qs = Membership.objects.select_related("partnership", "organisation").filter(represented_by(user, "organisation"))
    if current_on_day is not None:
        qs = qs.filter(current_on(current_on_day))
    return qs


def memberships_coordinated_by(user) -> QuerySet[Membership]:
    """Return the memberships of the partnerships ``user`` coordinates."""
    return Membership.objects.select_related("partnership", "organisation").filter(coordinated_by(user, "partnership"))


def membership_get_for_coordinator(user, pk) -> Membership:
    """Return the membership if ``user`` coordinates its partnership, else raise 404."""
    return get_object_or_404(memberships_coordinated_by(user), pk=pk)


# --- goals and indicators -------------------------------------------------------------------


def goals_coordinated_by(user) -> QuerySet[SharedGoal]:
    """Return the shared goals of the partnerships ``user`` coordinates."""
    return SharedGoal.objects.select_related("partnership").filter(coordinated_by(user, "partnership"))


def goal_get_for_coordinator(user, pk) -> SharedGoal:
    """Return the shared goal if ``user`` coordinates its partnership, else raise 404."""
    return get_object_or_404(goals_coordinated_by(user), pk=pk)


def indicators_coordinated_by(user) -> QuerySet[Indicator]:
    """Return the indicators of the partnerships ``user`` coordinates, with goal and partnership joined."""
    return Indicator.objects.select_related("goal__partnership").filter(coordinated_by(user, "goal__partnership"))


def indicator_get_for_coordinator(user, pk) -> Indicator:
    """Return the indicator if ``user`` coordinates its partnership, else raise 404."""
    return get_object_or_404(indicators_coordinated_by(user), pk=pk)


# --- contribution reports ---------------------------------------------------------------------


def _reports():
    return ContributionReport.objects.select_related(
        "membership__organisation", "membership__partnership", "reviewed_by"
    )


def reports_visible_to(user, *, drafts: bool = True) -> QuerySet[ContributionReport]:
    """Return the contribution reports ``user`` may see.

    An admin sees every report; a representative every report of its organisations, drafts
    included; a coordinator every report of the partnerships they run except drafts (a draft
    belongs to its organisation until it is submitted). ``drafts=False`` leaves every draft out,
    for a caller that keeps only other statuses anyway (PostgreSQL then counts a status through
    the indexes instead of hashing every report of it).
    """
    qs = _reports()
    if not drafts:
        qs = qs.exclude(status=ContributionReport.Status.DRAFT)
    if is_admin(user):
        return qs
    if not user.is_authenticated:
        return qs.none()
    own = represented_by(user, "membership__organisation")
    # One semi-join on the memberships the person may see, so PostgreSQL reads the reports
    # through the membership indexes (an OR of two conditions on the report rows scanned them all).
    visible_members = Membership.objects.filter(
        represented_by(user, "organisation") | coordinated_by(user, "partnership")
    ).values("pk")
    qs = qs.filter(membership_id__in=visible_members)
    if drafts:
        qs = qs.exclude(Q(status=ContributionReport.Status.DRAFT) & ~own)
    return qs


def reports_editable_by(user) -> QuerySet[ContributionReport]:
    """Return the reports ``user`` may change, submit or delete (by status): its own organisations' only."""
    return _reports().filter(represented_by(user, "membership__organisation"))


def reports_reviewable_by(user) -> QuerySet[ContributionReport]:
    """Return the non-draft reports of the partnerships ``user`` coordinates (what a reviewer may act on)."""
    return _reports().exclude(status=ContributionReport.Status.DRAFT).filter(
        coordinated_by(user, "membership__partnership")
    )


def reports_waiting_for(user) -> QuerySet[ContributionReport]:
    """Return the submitted reports waiting for ``user``'s review, oldest first."""
    return reports_reviewable_by(user).filter(status=ContributionReport.Status.SUBMITTED).order_by("submitted_at", "id")


def report_get(user, pk) -> ContributionReport:
    """Return the report if ``user`` may see it, else raise 404."""
    return get_object_or_404(reports_visible_to(user), pk=pk)


def report_get_editable(user, pk) -> ContributionReport:
    """Return one of ``user``'s own organisations' reports (whatever its status), else raise 404."""
    return get_object_or_404(reports_editable_by(user), pk=pk)


def report_get_for_coordinator(user, pk) -> ContributionReport:
    """Return the report if ``user`` may review it (coordinator of its partnership, not a draft), else raise 404."""
    return get_object_or_404(reports_reviewable_by(user), pk=pk)
