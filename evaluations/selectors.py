"""Reads for evaluations, follow-up actions and decisions, limited to what the user may see.

The rules follow ``partners.selectors``:
- an admin (superuser) sees and runs everything;
- a coordinator sees, and acts on, the partnerships they coordinate;
- a partner representative sees the partnerships its organisations are members of.

Inside a visible partnership:
- evaluation answers: a partner sees only its own organisations' answers (drafts
  included); a coordinator sees submitted answers with per-member scores, never drafts;
  a partner sees the aggregated results of a cycle only once it is closed and at least
  ``PARTNER_MIN_ANSWERS`` members answered, so no member's scores can be worked out;
- follow-up actions and findings: every member sees the partnership's actions; only the
  owner organisation's representatives (and the coordinator) change an action's status;
- decisions: every member sees them; while voting is open a partner sees who has voted
  but only its own organisations' choices; once closed, the whole record is public to
  the partnership.
Views fetch objects through these functions and answer 404 when nothing comes back.
"""
from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partners.models import Membership, Organisation, Partnership
from partners.selectors import partnerships_coordinated_by, partnerships_for_user

from . import results
from .models import (
    SCORE_FIELDS,
    Decision,
    EvaluationCycle,
    EvaluationResponse,
    Finding,
    FollowUpAction,
    Vote,
)

PARTNER_MIN_ANSWERS = 3


# --- memberships -------------------------------------------------------------------


def cycle_members(cycle: EvaluationCycle) -> QuerySet[Membership]:
    """Return the memberships asked to answer ``cycle``.

    A member is asked when it is a member on the last day of the period: it joined on or
    before the period end and has not left before it. (A member that joined after the
    period has nothing to judge; one that left during it is no longer reminded.) The same
    rule counts the members asked in ``_with_counts`` (response rate) and guards
    ``services.response_*`` through ``services.membership_is_asked``.
    """
    return (
        Membership.objects.select_related("organisation")
        .filter(partnership_id=cycle.partnership_id, joined_on__lte=cycle.period_end)
        .filter(Q(left_on__isnull=True) | Q(left_on__gte=cycle.period_end))
        .order_by("organisation__name")
    )


def _members_on(today) -> QuerySet[Membership]:
    """The memberships current on ``today``: joined on or before it, not left before it (the leaving day counts)."""
    return Membership.objects.filter(joined_on__lte=today).filter(Q(left_on__isnull=True) | Q(left_on__gte=today))


def current_members(partnership: Partnership, *, today) -> QuerySet[Membership]:
    """Return the memberships of ``partnership`` that have joined and not left on ``today``."""
    return _members_on(today).select_related("organisation").filter(partnership=partnership).order_by(
        "organisation__name"
    )


def memberships_represented(user, partnership_id) -> QuerySet[Membership]:
    """Return the memberships in a partnership whose organisation ``user`` represents."""
    if not user.is_authenticated:
        return Membership.objects.none()
    return (
        Membership.objects.select_related("organisation")
        .filter(partnership_id=partnership_id, organisation__representatives=user)
        .order_by("organisation__name")
    )


def can_coordinate(user, partnership_id) -> bool:
    """Tell whether ``user`` may act as coordinator of the partnership with this id."""
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return Partnership.coordinators.through.objects.filter(partnership_id=partnership_id, user=user).exists()


# --- cycles --------------------------------------------------------------------------


def _with_counts(qs: QuerySet[EvaluationCycle]) -> QuerySet[EvaluationCycle]:
    # Asked members, plus any member that submitted anyway (e.g. left after answering),
    # so the response rate never counts an answer without counting its member.
    answered = EvaluationResponse.objects.filter(
        membership=OuterRef("pk"), cycle=OuterRef(OuterRef("pk")), status=EvaluationResponse.Status.SUBMITTED
    )
    asked = (
        Membership.objects.filter(partnership=OuterRef("partnership"))
        .filter(
            (Q(joined_on__lte=OuterRef("period_end"))
             & (Q(left_on__isnull=True) | Q(left_on__gte=OuterRef("period_end"))))
            | Q(Exists(answered))
        )
        .order_by()
        .values("partnership")
        .annotate(n=Count("pk"))
        .values("n")
    )
    submitted = (
        EvaluationResponse.objects.filter(cycle=OuterRef("pk"), status=EvaluationResponse.Status.SUBMITTED)
        .order_by()
        .values("cycle")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return qs.annotate(
        asked_count=Coalesce(Subquery(asked, output_field=IntegerField()), 0),
        submitted_count=Coalesce(Subquery(submitted, output_field=IntegerField()), 0),
    )


def cycles_for_user(user) -> QuerySet[EvaluationCycle]:
    """Return the cycles of the partnerships ``user`` may see, with answer counts annotated."""
    qs = EvaluationCycle.objects.select_related("partnership").filter(
        partnership__in=partnerships_for_user(user).values("pk")
    )
    return _with_counts(qs).order_by("-period_start", "partnership__title", "pk")


def cycles_coordinated_by(user) -> QuerySet[EvaluationCycle]:
    """Return the cycles ``user`` may run as coordinator."""
    qs = EvaluationCycle.objects.select_related("partnership").filter(
        partnership__in=partnerships_coordinated_by(user).values("pk")
    )
    return _with_counts(qs).order_by("-period_start", "pk")


def cycle_get(user, pk) -> EvaluationCycle:
    """Return the cycle if ``user`` may see it, else raise 404."""
    return get_object_or_404(cycles_for_user(user), pk=pk)


def cycle_get_for_coordinator(user, pk) -> EvaluationCycle:
    """Return the cycle if ``user`` coordinates its partnership, else raise 404."""
    return get_object_or_404(cycles_coordinated_by(user), pk=pk)


# --- responses and results ------------------------------------------------------------


def response_for_member(cycle: EvaluationCycle, membership: Membership) -> EvaluationResponse | None:
    """Return ``membership``'s answer to ``cycle`` (draft or submitted), or None."""
    return (
        EvaluationResponse.objects.filter(cycle=cycle, membership=membership)
        .select_related("submitted_by")
        .order_by("pk")
        .first()
    )


def responses_represented(user, cycle: EvaluationCycle) -> dict[int, EvaluationResponse]:
    """Return {membership id: answer} for the organisations ``user`` represents in ``cycle``."""
    if not user.is_authenticated:
        return {}
    qs = EvaluationResponse.objects.filter(cycle=cycle, membership__organisation__representatives=user)
    return {r.membership_id: r for r in qs}


def submitted_responses(cycle: EvaluationCycle) -> QuerySet[EvaluationResponse]:
    """Return the submitted answers of ``cycle`` with their organisations (for coordinators only)."""
    return (
        EvaluationResponse.objects.filter(cycle=cycle, status=EvaluationResponse.Status.SUBMITTED)
        .select_related("membership__organisation", "submitted_by")
        .order_by("membership__organisation__name")
    )


def cycle_results(cycles) -> dict[int, results.CycleResult]:
    """Compute the results of ``cycles`` (annotated by ``cycles_for_user``) in one query.

    The cycles must carry ``asked_count`` (from ``_with_counts``); the submitted scores of
    all of them come back in a single query, whatever their number.
    """
    cycles = list(cycles)
    rows = (
        EvaluationResponse.objects.filter(
            cycle__in=[c.pk for c in cycles], status=EvaluationResponse.Status.SUBMITTED
        )
        .order_by("cycle_id", "membership__organisation__name")
        .values("cycle_id", "membership_id", "membership__organisation__name", *SCORE_FIELDS.values())
    )
    members: dict[int, list[results.MemberScores]] = {c.pk: [] for c in cycles}
    for row in rows:
        members[row["cycle_id"]].append(
            results.MemberScores(
                membership_id=row["membership_id"],
                organisation=row["membership__organisation__name"],
                scores={p.value: row[f] for p, f in SCORE_FIELDS.items() if row[f] is not None},
            )
        )
    return {
        c.pk: results.cycle_result(cycle_id=c.pk, members=members[c.pk], asked=getattr(c, "asked_count", 0))
        for c in cycles
    }


def partner_may_see_results(cycle: EvaluationCycle, result: results.CycleResult) -> bool:
    """Tell whether a partner may see a cycle's aggregates (closed, enough answers to stay anonymous)."""
    return cycle.is_closed and result.submitted >= PARTNER_MIN_ANSWERS


# --- findings and follow-up actions --------------------------------------------------


def findings_for_cycle(cycle: EvaluationCycle) -> QuerySet[Finding]:
    """Return the findings of ``cycle`` with their actions and owners."""
    return (
        Finding.objects.filter(cycle=cycle)
        .select_related("created_by")
        .prefetch_related(
            Prefetch("actions", queryset=FollowUpAction.objects.select_related("owner_organisation"))
        )
        .order_by("id")
    )


def findings_for_partnership(partnership: Partnership) -> QuerySet[Finding]:
    """Return the findings of every cycle of ``partnership``, newest cycle first."""
    return Finding.objects.filter(cycle__partnership=partnership).select_related("cycle").order_by(
        "-cycle__period_start", "id"
    )


def _actions_base() -> QuerySet[FollowUpAction]:
    return FollowUpAction.objects.select_related("partnership", "owner_organisation", "finding__cycle")


def actions_for_user(user) -> QuerySet[FollowUpAction]:
    """Return the follow-up actions of the partnerships ``user`` may see."""
    return _actions_base().filter(partnership__in=partnerships_for_user(user).values("pk"))


def actions_owned_by(user, *, today=None, include_finished=False) -> QuerySet[FollowUpAction]:
    """Return the follow-up actions ``user`` must act on: the one rule of the home page, "my actions" and the reminders.

    An action is someone's to act on while it is *open* or *in progress* and its owner
    organisation is one they represent **and a current member of the action's partnership**
    on ``today`` (joined on or before it and not left before it: a member to the end of its
    leaving day, as ``Membership.is_active``). A removed member (membership deleted) or one
    that has left sees no more of the partnership's actions on its pages and gets no more
    of their mails; ownership alone does not count.

    ``user=None`` gives every action someone must act on, whoever represents its owner (the
    reminder job mails the owner's representatives). ``include_finished`` keeps the done and
    cancelled actions of the same current owners too (the "my actions" page filters on status).
    """
    if user is not None and not user.is_authenticated:
        return FollowUpAction.objects.none()
    today = today or timezone.localdate()
    current_owner = _members_on(today).filter(
        partnership=OuterRef("partnership"), organisation=OuterRef("owner_organisation")
    )
    qs = _actions_base().filter(Exists(current_owner))
    if user is not None:
        qs = qs.filter(Exists(Organisation.representatives.through.objects.filter(
            organisation=OuterRef("owner_organisation"), user=user
        )))
    if not include_finished:
        qs = qs.filter(status__in=[FollowUpAction.Status.OPEN, FollowUpAction.Status.IN_PROGRESS])
    return qs


def action_get(user, pk) -> FollowUpAction:
    """Return the action if ``user`` may see it, else raise 404."""
    return get_object_or_404(actions_for_user(user), pk=pk)


def user_owns_action(user, action: FollowUpAction) -> bool:
    """Tell whether ``user`` represents the action's owner organisation."""
    if not user.is_authenticated:
        return False
    return Organisation.representatives.through.objects.filter(
        organisation_id=action.owner_organisation_id, user=user
    ).exists()


# --- decisions ---------------------------------------------------------------------------


def _decisions_base() -> QuerySet[Decision]:
    choice = Vote.Choice
    return Decision.objects.select_related("partnership", "proposed_by", "proposed_by_organisation").annotate(
        votes_cast=Count("votes"),
        votes_agree=Count("votes", filter=Q(votes__choice=choice.AGREE)),
        votes_disagree=Count("votes", filter=Q(votes__choice=choice.DISAGREE)),
        votes_abstain=Count("votes", filter=Q(votes__choice=choice.ABSTAIN)),
    )


def decisions_for_user(user) -> QuerySet[Decision]:
    """Return the decisions of the partnerships ``user`` may see, with vote counts annotated."""
    return _decisions_base().filter(partnership__in=partnerships_for_user(user).values("pk"))


def decision_get(user, pk) -> Decision:
    """Return the decision if ``user`` may see it, else raise 404."""
    return get_object_or_404(decisions_for_user(user), pk=pk)


def votes_for_decision(decision: Decision) -> QuerySet[Vote]:
    """Return every vote of ``decision`` with organisation and person (filter the choices in the view)."""
    return (
        Vote.objects.filter(decision=decision)
        .select_related("membership__organisation", "cast_by")
        .order_by("membership__organisation__name")
    )
