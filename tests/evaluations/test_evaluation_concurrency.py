"""Races on PostgreSQL: the daily jobs on two workers, and people acting at the same moment."""
import datetime
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from evaluations.models import SCORE_FIELDS, Decision, EvaluationCycle, EvaluationResponse, Vote
from evaluations.services import (
    cycle_close,
    cycles_advance,
    decision_close,
    decisions_close_due,
    response_submit,
    vote_cast,
)
from tests import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="row locks need PostgreSQL; SQLite serialises whole-database writes",
    ),
]

SCORES = dict.fromkeys(SCORE_FIELDS.values(), 4)


def race(*actions):
    """Run each action in its own thread (own connection), released together by a barrier."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", action())
        except ValidationError as error:  # TransitionError included
            outcomes[index] = ("refused", error)
        except Exception as error:  # noqa: BLE001 - a crash is a failure the test reports
            outcomes[index] = ("crashed", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.parametrize("attempt", range(2))
def test_two_workers_advancing_cycles_create_each_cycle_once(attempt):
    partnerships = [f.PartnershipFactory() for _ in range(5)]
    old = f.EvaluationCycleFactory(partnership=partnerships[0], status=EvaluationCycle.Status.OPEN)  # Q1, overdue
    today = datetime.date(2026, 5, 10)

    outcomes = race(lambda: cycles_advance(today=today), lambda: cycles_advance(today=today))

    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    created = outcomes[0][1].created + outcomes[1][1].created
    closed = outcomes[0][1].closed + outcomes[1][1].closed
    current = EvaluationCycle.objects.filter(period_start=datetime.date(2026, 4, 1))
    assert current.count() == 5
    assert sorted(created) == sorted(current.values_list("pk", flat=True))  # each reported once
    assert closed == [old.pk]


@pytest.mark.parametrize("attempt", range(2))
def test_two_representatives_submitting_at_once_leave_one_answer(attempt):
    cycle = f.EvaluationCycleFactory(status=EvaluationCycle.Status.OPEN)
    membership = f.MembershipFactory(partnership=cycle.partnership)
    user_1, user_2 = f.UserFactory(), f.UserFactory()

    outcomes = race(
        lambda: response_submit(cycle=cycle, membership=membership, user=user_1, **SCORES),
        lambda: response_submit(cycle=cycle, membership=membership, user=user_2, **SCORES),
    )

    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert EvaluationResponse.objects.get().status == "submitted"


@pytest.mark.parametrize("attempt", range(2))
def test_an_answer_racing_the_close_is_either_in_or_refused(attempt):
    cycle = f.EvaluationCycleFactory(status=EvaluationCycle.Status.OPEN)
    membership = f.MembershipFactory(partnership=cycle.partnership)

    outcomes = race(
        lambda: response_submit(cycle=cycle, membership=membership, user=None, **SCORES),
        lambda: cycle_close(cycle=EvaluationCycle.objects.get(pk=cycle.pk)),
    )

    assert outcomes[1][0] == "ok", outcomes
    cycle.refresh_from_db()
    answer = EvaluationResponse.objects.filter(cycle=cycle).first()
    if outcomes[0][0] == "ok":
        assert answer.status == "submitted" and answer.submitted_at <= cycle.closed_at
    else:
        assert outcomes[0][0] == "refused" and answer is None


@pytest.mark.parametrize("attempt", range(2))
def test_two_votes_of_one_organisation_at_once_leave_one_row(attempt):
    decision = f.DecisionFactory()
    membership = f.MembershipFactory(partnership=decision.partnership)

    outcomes = race(
        lambda: vote_cast(decision=decision, membership=membership, user=None, choice="agree"),
        lambda: vote_cast(decision=decision, membership=membership, user=None, choice="disagree"),
    )

    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    assert Vote.objects.filter(decision=decision).count() == 1


@pytest.mark.parametrize("attempt", range(2))
def test_a_vote_racing_the_close_is_counted_or_refused_never_lost(attempt):
    decision = f.DecisionFactory()
    membership = f.MembershipFactory(partnership=decision.partnership)

    outcomes = race(
        lambda: vote_cast(decision=decision, membership=membership, user=None, choice="agree"),
        lambda: decision_close(decision=Decision.objects.get(pk=decision.pk)),
    )

    decision.refresh_from_db()
    if outcomes[0][0] == "ok":
        assert decision.outcome == "approved"
    else:
        assert outcomes[0][0] == "refused", outcomes
        assert decision.outcome == "no_votes" and not Vote.objects.exists()


@pytest.mark.parametrize("attempt", range(2))
def test_two_workers_closing_due_decisions_close_each_once(attempt):
    past = timezone.now() - datetime.timedelta(minutes=5)
    decisions = [f.DecisionFactory(closes_at=past) for _ in range(6)]

    outcomes = race(decisions_close_due, decisions_close_due)

    assert [kind for kind, _ in outcomes] == ["ok", "ok"], outcomes
    closed = outcomes[0][1] + outcomes[1][1]
    assert sorted(closed) == sorted(d.pk for d in decisions)
    assert Decision.objects.filter(status="closed").count() == 6
    assert all(d.history.filter(status="closed").count() == 1 for d in Decision.objects.all())
