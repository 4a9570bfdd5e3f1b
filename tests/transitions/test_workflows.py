"""Each model's workflow at its services (not through a page that happens to limit the choices):
every allowed move succeeds, every other is refused with its message and changes nothing.

The expected moves are written out here, independently of the models' ``WORKFLOW``, so a wrong
workflow fails these tests. Contribution reports and evaluation cycles have their full tables in
tests/test_report_transitions.py and tests/test_cycle_transitions.py.
"""
import datetime
import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from evaluations import services as evaluation_services
from evaluations.models import SCORE_FIELDS, Decision, EvaluationCycle, EvaluationResponse, FollowUpAction
from kemitraan.transitions import TransitionError
from partners import services as partner_services
from partners.models import ContributionReport, Partnership
from tests import factories as f

pytestmark = pytest.mark.usefixtures("english")

DAY = datetime.timedelta(days=1)


def today():
    return timezone.localdate()


def row(obj):
    return type(obj).objects.filter(pk=obj.pk).values().get()


# --- partnerships -------------------------------------------------------------------------

P = Partnership.Status
PARTNERSHIP_MOVES = {
    (P.DRAFT, P.ACTIVE),
    (P.ACTIVE, P.PAUSED), (P.ACTIVE, P.COMPLETED),
    (P.PAUSED, P.ACTIVE), (P.PAUSED, P.COMPLETED),
    (P.COMPLETED, P.ACTIVE),  # an admin only
}
ADMIN_ONLY = {(P.COMPLETED, P.ACTIVE)}


def partnership_in(status, coordinator):
    partnership = f.PartnershipFactory(status=status, status_reason="Alasan lama." if status != P.ACTIVE else "")
    partnership.coordinators.add(coordinator)
    return partnership


@pytest.mark.parametrize(("source", "to"), sorted(PARTNERSHIP_MOVES), ids=str)
def test_partnership_allowed_move_succeeds_with_its_reason(source, to, admin):
    partnership = partnership_in(source, admin)
    partner_services.partnership_set_status(partnership=partnership, user=admin, status=to, reason=" Alasan baru. ")
    partnership.refresh_from_db()
    assert (partnership.status, partnership.status_reason) == (to, "Alasan baru.")
    change = partnership.history.latest("history_id")
    assert (change.status, change.status_reason, change.history_user) == (to, "Alasan baru.", admin)


@pytest.mark.parametrize(("source", "to"), sorted(set(itertools.product(P, P)) - PARTNERSHIP_MOVES), ids=str)
def test_partnership_move_outside_the_workflow_is_refused_and_changes_nothing(source, to, admin):
    partnership = partnership_in(source, admin)
    before, history = row(partnership), partnership.history.count()
    with pytest.raises(TransitionError) as caught:
        partner_services.partnership_set_status(partnership=partnership, user=admin, status=to, reason="Alasan.")
    assert caught.value.messages == [f"A partnership that is {P(source).label} cannot become {P(to).label}."]
    assert row(partnership) == before and partnership.history.count() == history


@pytest.mark.parametrize(("source", "to"), sorted(PARTNERSHIP_MOVES - ADMIN_ONLY), ids=str)
def test_a_coordinator_makes_every_move_but_reopening(source, to, coordinator):
    partnership = partnership_in(source, coordinator)
    partner_services.partnership_set_status(partnership=partnership, user=coordinator, status=to, reason="Alasan.")
    assert Partnership.objects.get(pk=partnership.pk).status == to


def test_only_an_admin_reopens_a_completed_partnership(coordinator, admin):
    partnership = partnership_in(P.COMPLETED, coordinator)
    with pytest.raises(TransitionError) as caught:
        partner_services.partnership_set_status(partnership=partnership, user=coordinator, status=P.ACTIVE,
                                                reason="Salah tekan.")
    assert caught.value.messages == ["Only an admin can change the status from Completed to Active."]
    assert Partnership.objects.get(pk=partnership.pk).status == P.COMPLETED
    partner_services.partnership_set_status(partnership=partnership, user=admin, status=P.ACTIVE, reason="Salah tekan.")
    assert Partnership.objects.get(pk=partnership.pk).status == P.ACTIVE


@pytest.mark.parametrize(("source", "to"), [(P.ACTIVE, P.PAUSED), (P.ACTIVE, P.COMPLETED), (P.PAUSED, P.COMPLETED),
                                            (P.COMPLETED, P.ACTIVE)], ids=str)
@pytest.mark.parametrize("reason", ["", "   "])
def test_pausing_ending_and_reopening_need_a_reason(source, to, reason, admin):
    partnership = partnership_in(source, admin)
    before = row(partnership)
    with pytest.raises(ValidationError) as caught:
        partner_services.partnership_set_status(partnership=partnership, user=admin, status=to, reason=reason)
    assert list(caught.value.message_dict) == ["reason"]
    assert row(partnership) == before


@pytest.mark.parametrize(("source", "to"), [(P.DRAFT, P.ACTIVE), (P.PAUSED, P.ACTIVE)], ids=str)
def test_activating_needs_no_reason_and_clears_the_one_left_behind(source, to, coordinator):
    partnership = partnership_in(source, coordinator)
    partner_services.partnership_set_status(partnership=partnership, user=coordinator, status=to)
    partnership.refresh_from_db()
    assert (partnership.status, partnership.status_reason) == (to, "")


def test_an_unknown_partnership_status_is_refused(coordinator, partnership):
    with pytest.raises(ValidationError) as caught:
        partner_services.partnership_set_status(partnership=partnership, user=coordinator, status="archived",
                                                reason="x")
    assert list(caught.value.message_dict) == ["status"]


def test_the_status_is_not_changed_by_a_partnership_update(partnership):
    for fields in ({"status": P.COMPLETED}, {"status_reason": "x"}):
        with pytest.raises(TypeError):
            partner_services.partnership_update(partnership=partnership, **fields)
    assert Partnership.objects.get(pk=partnership.pk).status == P.ACTIVE


@pytest.mark.parametrize("status", [P.PAUSED, P.COMPLETED])
def test_a_new_partnership_starts_as_a_draft_or_active(status, coordinator):
    fields = {"title": "Baru", "problem_statement": "Masalah.", "type": Partnership.Type.SERVICE,
              "start_date": datetime.date(2026, 1, 1)}
    with pytest.raises(ValidationError) as caught:
        partner_services.partnership_create(user=coordinator, status=status, **fields)
    assert list(caught.value.message_dict) == ["status"]
    assert not Partnership.objects.filter(title="Baru").exists()
    for start in (P.DRAFT, P.ACTIVE):
        assert partner_services.partnership_create(user=coordinator, status=start, **fields).status == start


# --- follow-up actions --------------------------------------------------------------------

A = FollowUpAction.Status


@pytest.mark.parametrize(("source", "to"), list(itertools.product(A, A)), ids=str)
def test_follow_up_action_moves_to_any_other_status_and_never_to_its_own(source, to, partnership, coordinator):
    completed = timezone.now() - DAY if source == A.DONE else None
    action = f.FollowUpActionFactory(partnership=partnership, status=source, completed_at=completed)
    if source == to:
        before = row(action)
        with pytest.raises(TransitionError) as caught:
            evaluation_services.action_set_status(action=action, user=coordinator, status=to)
        assert (caught.value.code, caught.value.messages) == (
            "unchanged", [f"Nothing to change: the status is already {A(source).label}."])
        assert row(action) == before
        return
    evaluation_services.action_set_status(action=action, user=coordinator, status=to)
    action.refresh_from_db()
    assert action.status == to
    assert (action.completed_at is not None) == (to == A.DONE)
    assert action.history.latest("history_id").history_user == coordinator


def test_an_unknown_action_status_is_refused(partnership, coordinator):
    action = f.FollowUpActionFactory(partnership=partnership)
    with pytest.raises(ValidationError) as caught:
        evaluation_services.action_set_status(action=action, user=coordinator, status="finished")
    assert list(caught.value.message_dict) == ["status"]


# --- decisions ----------------------------------------------------------------------------


def test_an_open_decision_closes_once(partnership, coordinator):
    decision = f.DecisionFactory(partnership=partnership)
    evaluation_services.decision_close(decision=decision, user=coordinator)
    decision.refresh_from_db()
    assert decision.status == Decision.Status.CLOSED and decision.outcome == Decision.Outcome.NO_VOTES
    assert decision.history.latest("history_id").history_user == coordinator
    before = row(decision)
    with pytest.raises(TransitionError) as caught:
        evaluation_services.decision_close(decision=decision, user=coordinator)
    assert caught.value.messages == ["This decision is already closed."]
    assert row(decision) == before


# --- evaluation answers -------------------------------------------------------------------

SCORES = dict.fromkeys(SCORE_FIELDS.values(), 4)


@pytest.fixture
def open_cycle(partnership, membership_a):
    return f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN,
                                    period_start=membership_a.joined_on, period_end=membership_a.joined_on + DAY,
                                    due_date=today() + 30 * DAY)


def test_a_draft_answer_is_submitted_once(open_cycle, membership_a, partner_a):
    response = evaluation_services.response_submit(cycle=open_cycle, membership=membership_a, user=partner_a,
                                                   **SCORES)
    response.refresh_from_db()
    assert (response.status, response.submitted_by) == (EvaluationResponse.Status.SUBMITTED, partner_a)
    assert response.history.latest("history_id").history_user == partner_a
    before = row(response)
    with pytest.raises(TransitionError) as caught:
        evaluation_services.response_submit(cycle=open_cycle, membership=membership_a, user=partner_a, **SCORES)
    assert caught.value.messages == ["This answer was submitted and can no longer be changed."]
    assert row(response) == before


def test_a_submit_missing_a_score_is_refused_on_that_score(open_cycle, membership_a, partner_a):
    scores = {**SCORES, "score_accountability": None}
    with pytest.raises(ValidationError) as caught:
        evaluation_services.response_submit(cycle=open_cycle, membership=membership_a, user=partner_a, **scores)
    assert list(caught.value.message_dict) == ["score_accountability"]
    assert not EvaluationResponse.objects.filter(status=EvaluationResponse.Status.SUBMITTED).exists()


def test_a_submit_counts_the_scores_of_the_saved_draft(open_cycle, membership_a, partner_a):
    evaluation_services.response_save_draft(cycle=open_cycle, membership=membership_a, user=partner_a, **SCORES)
    response = evaluation_services.response_submit(cycle=open_cycle, membership=membership_a, user=partner_a)
    assert response.status == EvaluationResponse.Status.SUBMITTED


def test_only_an_admin_reopens_a_submitted_answer(open_cycle, membership_a, partner_a, coordinator, admin):
    response = evaluation_services.response_submit(cycle=open_cycle, membership=membership_a, user=partner_a,
                                                   **SCORES)
    for user in (partner_a, coordinator):
        with pytest.raises(TransitionError) as caught:
            evaluation_services.response_reopen(response=response, user=user)
        assert caught.value.messages == ["Only an admin can change the status from Submitted to Draft."]
    evaluation_services.response_reopen(response=response, user=admin)
    response.refresh_from_db()
    assert (response.status, response.submitted_at, response.submitted_by) == (
        EvaluationResponse.Status.DRAFT, None, None)
    with pytest.raises(TransitionError) as caught:
        evaluation_services.response_reopen(response=response, user=admin)
    assert caught.value.messages == ["Only a submitted answer can be reopened; this answer is Draft."]


# --- evaluation cycles: a cycle past its due date is not opened ----------------------------------


def scheduled(partnership, due_date):
    return f.EvaluationCycleFactory(partnership=partnership, period_start=due_date - 100 * DAY,
                                    period_end=due_date - 10 * DAY, due_date=due_date)


@pytest.mark.parametrize("days", [0, 1])
def test_a_cycle_due_today_or_later_opens(partnership, days):
    cycle = scheduled(partnership, today() + days * DAY)
    evaluation_services.cycle_open(cycle=cycle)
    assert EvaluationCycle.objects.get(pk=cycle.pk).status == EvaluationCycle.Status.OPEN


def test_a_cycle_due_yesterday_is_not_opened(partnership):
    cycle = scheduled(partnership, today() - DAY)
    before = row(cycle)
    with pytest.raises(TransitionError) as caught:
        evaluation_services.cycle_open(cycle=cycle)
    assert caught.value.code == "past_due"
    assert row(cycle) == before


def test_the_daily_advance_does_not_open_a_past_due_cycle_and_opens_one_due_today(partnership):
    late = scheduled(partnership, datetime.date(2026, 5, 9))
    on_time = scheduled(f.PartnershipFactory(), datetime.date(2026, 5, 10))
    report = evaluation_services.cycles_advance(today=datetime.date(2026, 5, 10))
    assert report.opened == [on_time.pk]
    assert EvaluationCycle.objects.get(pk=late.pk).status == EvaluationCycle.Status.SCHEDULED


# --- contribution reports: only a draft is deleted -----------------------------------------------

R = ContributionReport.Status


@pytest.mark.parametrize("status", [R.SUBMITTED, R.ACCEPTED, R.RETURNED])
def test_only_a_draft_report_is_deleted(status, membership_a, partner_a):
    report = f.ContributionReportFactory(membership=membership_a, status=status, submitted_at=timezone.now(),
                                         return_reason="Kurang." if status == R.RETURNED else "")
    with pytest.raises(TransitionError) as caught:
        partner_services.report_delete(report=report, user=partner_a)
    assert caught.value.messages == [f"Only a draft can be deleted; this report is {R(status).label}."]
    assert ContributionReport.objects.filter(pk=report.pk).exists()
    draft = f.ContributionReportFactory(membership=membership_a)
    partner_services.report_delete(report=draft, user=partner_a)
    assert not ContributionReport.objects.filter(pk=draft.pk).exists()
