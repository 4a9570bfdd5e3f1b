"""Reads for the evaluation pages: answer counts, results, findings and vote counts.

Each starts from a queryset the access rules already limited (``evaluations.access``), so this
module adds figures and joins, never a rule of who may see what.
"""
from fractions import Fraction

from django.db.models import (
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404

from partners.models import Membership, Partnership

from . import access

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

# --- cycles --------------------------------------------------------------------------


def _with_counts(qs: QuerySet[EvaluationCycle]) -> QuerySet[EvaluationCycle]:
    # Asked members, plus any member that submitted anyway (e.g. left after answering),
    # so the response rate never counts an answer without counting its member.
    answered = EvaluationResponse.objects.filter(
        membership=OuterRef("pk"), cycle=OuterRef(OuterRef("pk")), status=EvaluationResponse.Status.SUBMITTED
    )
    asked = (
        Membership.objects.filter(partnership=OuterRef("partnership"))
        .filter(access.asked_to_answer(OuterRef("period_end")) | Q(Exists(answered)))
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
    """Return the cycles ``user`` may see (``access.cycles_visible_to``), with answer counts annotated."""
    return _with_counts(access.cycles_visible_to(user)).order_by("-period_start", "partnership__title", "pk")


def cycles_coordinated_by(user) -> QuerySet[EvaluationCycle]:
    """Return the cycles ``user`` may run (``access.cycles_coordinated_by``), with answer counts annotated."""
    return _with_counts(access.cycles_coordinated_by(user)).order_by("-period_start", "pk")


def cycle_get(user, pk) -> EvaluationCycle:
    """Return the cycle with its answer counts if ``user`` may see it, else raise 404."""
    return get_object_or_404(cycles_for_user(user), pk=pk)


def cycle_get_for_coordinator(user, pk) -> EvaluationCycle:
    """Return the cycle with its answer counts if ``user`` coordinates its partnership, else raise 404."""
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


def partnership_health_latest(partnership_ids) -> dict[int, int | None]:
    """Return {partnership id: health index 0-100 of its latest closed evaluation cycle}.

    The index is the official one (``results.health_index``): the mean of the six principle
    averages over the cycle's submitted answers, mapped from 1..5 onto 0..100. None when the
    partnership has no closed cycle with a submitted answer. One query in all, whatever the
    number of partnerships.
    """
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
        health[row["cycle__partnership_id"]] = results.health_index(averages)
    return health


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


# --- decisions ---------------------------------------------------------------------------


def _with_vote_counts(qs: QuerySet[Decision]) -> QuerySet[Decision]:
    choice = Vote.Choice
    return qs.annotate(
        votes_cast=Count("votes"),
        votes_agree=Count("votes", filter=Q(votes__choice=choice.AGREE)),
        votes_disagree=Count("votes", filter=Q(votes__choice=choice.DISAGREE)),
        votes_abstain=Count("votes", filter=Q(votes__choice=choice.ABSTAIN)),
    )


def decisions_for_user(user) -> QuerySet[Decision]:
    """Return the decisions ``user`` may see (``access.decisions_visible_to``), with vote counts annotated."""
    return _with_vote_counts(access.decisions_visible_to(user))


def decision_get(user, pk) -> Decision:
    """Return the decision with its vote counts if ``user`` may see it, else raise 404."""
    return get_object_or_404(decisions_for_user(user), pk=pk)


def votes_for_decision(decision: Decision) -> QuerySet[Vote]:
    """Return every vote of ``decision`` with organisation and person (filter the choices in the view)."""
    return (
        Vote.objects.filter(decision=decision)
        .select_related("membership__organisation", "cast_by")
        .order_by("membership__organisation__name")
    )
