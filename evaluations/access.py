"""Who may see or do what with evaluations, follow-up actions and decisions: every rule written once.

Built on the partnership rules of ``partners.access`` (admin, coordinator, representative):

- **cycles**: everyone who may see the partnership sees its cycles; its coordinator runs them.
- **answers**: a representative sees and edits its own organisations' answers (drafts
  included), for the memberships asked to answer (``cycle_members``); a coordinator sees the
  submitted answers with each member's scores, never drafts.
- **results**: a coordinator always sees a cycle's aggregates; a partner only once the cycle is
  closed and at least ``PARTNER_MIN_ANSWERS`` members answered, so that no member's scores can
  be worked out (``results_visible``).
- **follow-up actions**: every member sees the partnership's actions. The actions a person must
  act on (``actions_to_act_on``: the partner home, "my actions", the reminder mails) are those
  still open or in progress, owned by an organisation the person represents that is a *current*
  member of the action's partnership; the same people, and the coordinator, change an action's
  status (``may_change_action_status``).
- **decisions**: every member sees them; the organisations a person votes for are the current
  memberships they represent (``memberships_voting_for``); while voting is open a partner sees who
  voted but only its own organisations' choices (``votes_shown_in_full``).
Views fetch one object through the ``*_get`` functions, which answer 404 for what the person may
not see.
"""
import datetime

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.utils import timezone

from partners import access as partners_access
from partners.models import Membership

from .models import Decision, EvaluationCycle, EvaluationResponse, FollowUpAction

PARTNER_MIN_ANSWERS = 3


# --- cycles ------------------------------------------------------------------------------------


def cycles_visible_to(user) -> QuerySet[EvaluationCycle]:
    """Return the evaluation cycles of the partnerships ``user`` may see."""
    return EvaluationCycle.objects.select_related("partnership").filter(partners_access.visible_to(user, "partnership"))


def cycles_coordinated_by(user) -> QuerySet[EvaluationCycle]:
    """Return the evaluation cycles ``user`` may run as coordinator."""
    return EvaluationCycle.objects.select_related("partnership").filter(
        partners_access.coordinated_by(user, "partnership")
    )


def cycle_get(user, pk) -> EvaluationCycle:
    """Return the cycle if ``user`` may see it, else raise 404."""
    return get_object_or_404(cycles_visible_to(user), pk=pk)


def cycle_get_for_coordinator(user, pk) -> EvaluationCycle:
    """Return the cycle if ``user`` coordinates its partnership, else raise 404."""
    return get_object_or_404(cycles_coordinated_by(user), pk=pk)


def asked_to_answer(path: str = "") -> Q:
    """Keep the memberships (reached by ``path``) asked to answer the cycle at ``OuterRef`` paths.

    A member is asked when it is a member on the last day of the period: joined on or before the
    period end and not left before it. (One that joined after the period has nothing to judge;
    one that left during it is no longer asked.)
    """
    prefix = f"{path}__" if path else ""
    return Q(**{f"{prefix}joined_on__lte": OuterRef("period_end")}) & (
        Q(**{f"{prefix}left_on__isnull": True}) | Q(**{f"{prefix}left_on__gte": OuterRef("period_end")})
    )


def cycle_members(cycle: EvaluationCycle) -> QuerySet[Membership]:
    """Return the memberships asked to answer ``cycle`` (see ``asked_to_answer``)."""
    return (
        Membership.objects.select_related("organisation")
        .filter(partnership_id=cycle.partnership_id, joined_on__lte=cycle.period_end)
        .filter(partners_access.current_on(cycle.period_end))
        .order_by("organisation__name")
    )


def is_asked(membership: Membership, cycle: EvaluationCycle) -> bool:
    """Tell whether ``membership`` is asked to answer ``cycle`` (the rule of ``cycle_members``, on loaded rows)."""
    return (
        membership.partnership_id == cycle.partnership_id
        and membership.joined_on <= cycle.period_end
        and membership.is_current_on(cycle.period_end)
    )


def memberships_answering_for(user, cycle: EvaluationCycle) -> QuerySet[Membership]:
    """Return the memberships in ``cycle``'s partnership whose organisation ``user`` represents."""
    return (
        partners_access.memberships_represented_by(user)
        .filter(partnership_id=cycle.partnership_id)
        .order_by("organisation__name")
    )


def responses_of(user, cycle: EvaluationCycle) -> dict[int, EvaluationResponse]:
    """Return {membership id: answer} of the organisations ``user`` represents in ``cycle`` (drafts included)."""
    qs = EvaluationResponse.objects.filter(partners_access.represented_by(user, "membership__organisation"), cycle=cycle)
    return {response.membership_id: response for response in qs}


def results_visible(user, cycle: EvaluationCycle, submitted: int) -> bool:
    """Tell whether ``user`` may see ``cycle``'s aggregated results, given its number of submitted answers."""
    if partners_access.coordinates(user, cycle.partnership_id):
        return True
    return cycle.is_closed and submitted >= PARTNER_MIN_ANSWERS


# --- follow-up actions ---------------------------------------------------------------------------


def actions_visible_to(user) -> QuerySet[FollowUpAction]:
    """Return the follow-up actions of the partnerships ``user`` may see."""
    return FollowUpAction.objects.select_related("partnership", "owner_organisation", "finding__cycle").filter(
        partners_access.visible_to(user, "partnership")
    )


def action_get(user, pk) -> FollowUpAction:
    """Return the action if ``user`` may see it, else raise 404."""
    return get_object_or_404(actions_visible_to(user), pk=pk)


def acting_owner(user, today: datetime.date) -> Q:
    """Keep the actions whose owner organisation ``user`` represents and that is a current member of the
    action's partnership on ``today``."""
    current_member = Membership.objects.filter(
        partners_access.current_on(today), partnership=OuterRef("partnership"), organisation=OuterRef("owner_organisation"),
    )
    return partners_access.represented_by(user, "owner_organisation") & Q(Exists(current_member))


def actions_owned_by(user, today: datetime.date | None = None) -> QuerySet[FollowUpAction]:
    """Return the actions, in any status, whose acting owner ``user`` is ("my actions")."""
    return actions_visible_to(user).filter(acting_owner(user, today or timezone.localdate()))


def actions_to_act_on(user, today: datetime.date | None = None) -> QuerySet[FollowUpAction]:
    """Return the open or in-progress actions ``user`` must act on (see the module docstring)."""
    return actions_owned_by(user, today).filter(status__in=(FollowUpAction.Status.OPEN, FollowUpAction.Status.IN_PROGRESS))


def may_change_action_status(user, action: FollowUpAction, today: datetime.date | None = None) -> bool:
    """Tell whether ``user`` may move ``action`` to another status: its coordinator, or its acting owner."""
    if partners_access.coordinates(user, action.partnership_id):
        return True
    today = today or timezone.localdate()
    return FollowUpAction.objects.filter(acting_owner(user, today), pk=action.pk).exists()


# --- decisions -------------------------------------------------------------------------------------


def decisions_visible_to(user) -> QuerySet[Decision]:
    """Return the decisions of the partnerships ``user`` may see."""
    return Decision.objects.select_related("partnership", "proposed_by", "proposed_by_organisation").filter(
        partners_access.visible_to(user, "partnership")
    )


def decision_get(user, pk) -> Decision:
    """Return the decision if ``user`` may see it, else raise 404."""
    return get_object_or_404(decisions_visible_to(user), pk=pk)


def memberships_voting_for(user, decision: Decision, today: datetime.date | None = None) -> QuerySet[Membership]:
    """Return the current memberships in ``decision``'s partnership whose organisation ``user`` represents."""
    today = today or timezone.localdate()
    return partners_access.memberships_represented_by(user, current_on_day=today).filter(
        partnership_id=decision.partnership_id
    ).order_by("organisation__name")


def votes_shown_in_full(user, decision: Decision) -> bool:
    """Tell whether ``user`` sees every member's choice: the coordinator always, everyone once voting closed."""
    return not decision.is_open or partners_access.coordinates(user, decision.partnership_id)
