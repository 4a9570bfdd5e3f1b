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


def asked_to_answer(day) -> Q:
    """Keep the memberships asked to answer a cycle whose period ends on ``day`` (a date or ``OuterRef``).

    A member is asked when it is a member on the last day of the period (``partners.access.current_on``):
    one that joined after the period has nothing to judge; one that left during it is no longer asked.
    """
    return partners_access.current_on(day)


def cycle_members(cycle: EvaluationCycle) -> QuerySet[Membership]:
    """Return the memberships asked to answer ``cycle`` (see ``asked_to_answer``)."""
    return partners_access.current_members(cycle.partnership_id, cycle.period_end)


def is_asked(membership: Membership, cycle: EvaluationCycle) -> bool:
    """Tell whether ``membership`` is asked to answer ``cycle`` (the rule of ``asked_to_answer``, on a loaded row)."""
    return membership.partnership_id == cycle.partnership_id and membership.is_current_on(cycle.period_end)


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
    return {response.membership_id: response for response in qs.order_by()}


def results_visible(cycle: EvaluationCycle, submitted: int, *, coordinates: bool) -> bool:
    """Tell whether a person sees ``cycle``'s aggregated results, given its number of submitted answers and
    whether the person coordinates its partnership (``partners.access.coordinates``, asked once per page)."""
    return coordinates or (cycle.is_closed and submitted >= PARTNER_MIN_ANSWERS)


# --- follow-up actions ---------------------------------------------------------------------------


def actions_visible_to(user) -> QuerySet[FollowUpAction]:
    """Return the follow-up actions of the partnerships ``user`` may see."""
    return FollowUpAction.objects.select_related("partnership", "owner_organisation", "finding__cycle").filter(
        partners_access.visible_to(user, "partnership")
    )


def action_get(user, pk) -> FollowUpAction:
    """Return the action if ``user`` may see it, else raise 404."""
    return get_object_or_404(actions_visible_to(user), pk=pk)


def owner_is_a_current_member(today: datetime.date) -> Q:
    """Keep the actions whose owner organisation is a current member of the action's partnership on ``today``."""
    current_member = Membership.objects.filter(
        partners_access.current_on(today), partnership=OuterRef("partnership"), organisation=OuterRef("owner_organisation"),
    )
    return Q(Exists(current_member))


OPEN_STATUSES = (FollowUpAction.Status.OPEN, FollowUpAction.Status.IN_PROGRESS)


def actions_awaiting_their_owners(today: datetime.date | None = None) -> QuerySet[FollowUpAction]:
    """Return every open or in-progress action whose owner is a current member: the actions someone must
    act on, whoever represents the owner (the reminder job mails the owner's representatives)."""
    today = today or timezone.localdate()
    return FollowUpAction.objects.select_related("partnership", "owner_organisation", "finding__cycle").filter(
        owner_is_a_current_member(today), status__in=OPEN_STATUSES
    )


def actions_owned_by(user, today: datetime.date | None = None) -> QuerySet[FollowUpAction]:
    """Return the actions, in any status, owned by an organisation ``user`` represents that is a current
    member of the action's partnership ("my actions")."""
    today = today or timezone.localdate()
    return actions_visible_to(user).filter(
        partners_access.represented_by(user, "owner_organisation"), owner_is_a_current_member(today)
    )


def actions_to_act_on(user, today: datetime.date | None = None) -> QuerySet[FollowUpAction]:
    """Return the open or in-progress actions ``user`` must act on (the partner home, the reminders)."""
    return actions_owned_by(user, today).filter(status__in=OPEN_STATUSES)


def may_change_action_status(user, action: FollowUpAction, today: datetime.date | None = None) -> bool:
    """Tell whether ``user`` may move ``action`` to another status: its coordinator, or a representative
    of its owner while the owner is a current member (one query)."""
    today = today or timezone.localdate()
    acting = partners_access.represented_by(user, "owner_organisation") & owner_is_a_current_member(today)
    return FollowUpAction.objects.filter(
        partners_access.coordinated_by(user, "partnership") | acting, pk=action.pk
    ).exists()


# --- decisions -------------------------------------------------------------------------------------


def decisions_visible_to(user) -> QuerySet[Decision]:
    """Return the decisions of the partnerships ``user`` may see."""
    return Decision.objects.select_related("partnership", "proposed_by", "proposed_by_organisation").filter(
        partners_access.visible_to(user, "partnership")
    )


def decision_get(user, pk) -> Decision:
    """Return the decision if ``user`` may see it, else raise 404."""
    return get_object_or_404(decisions_visible_to(user), pk=pk)


def memberships_acting_in(user, partnership_id, today: datetime.date | None = None) -> QuerySet[Membership]:
    """Return the current memberships in the partnership whose organisation ``user`` represents: those the
    person may vote, propose or answer for."""
    today = today or timezone.localdate()
    return partners_access.memberships_represented_by(user, current_on_day=today).filter(
        partnership_id=partnership_id
    ).order_by("organisation__name")


def may_propose_decision(user, partnership_id) -> bool:
    """Tell whether ``user`` may put a proposal to the vote: the coordinator, or a current member's representative."""
    return partners_access.coordinates(user, partnership_id) or memberships_acting_in(user, partnership_id).exists()


def memberships_voting_for(user, decision: Decision, today: datetime.date | None = None) -> QuerySet[Membership]:
    """Return the memberships ``user`` may vote for on ``decision``."""
    return memberships_acting_in(user, decision.partnership_id, today)


def votes_shown_in_full(decision: Decision, *, coordinates: bool) -> bool:
    """Tell whether a person sees every member's choice: the coordinator always, everyone once voting closed."""
    return coordinates or not decision.is_open
