"""Two people moving the same record at the same moment, on two database connections (PostgreSQL):
the helper locks the row, so the second sees the first one's status and one consistent state is left."""
import threading

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connections
from django.utils import timezone

from evaluations.models import EvaluationCycle, FollowUpAction
from evaluations.services import action_set_status, cycle_close
from partners.models import Partnership
from partners.services import partnership_set_status
from tests import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="row locks need PostgreSQL; SQLite serialises whole-database writes",
    ),
]

P = Partnership.Status


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


def fresh(model, pk):
    return lambda: model.objects.get(pk=pk)


@pytest.mark.parametrize("attempt", range(3))
def test_two_coordinators_ending_a_partnership_at_once_end_it_once(attempt):
    partnership = f.PartnershipFactory(status=P.ACTIVE)
    users = [f.UserFactory(), f.UserFactory()]
    history = partnership.history.count()
    outcomes = race(*[
        lambda u=u: partnership_set_status(partnership=Partnership.objects.get(pk=partnership.pk), user=u,
                                           status=P.COMPLETED, reason=f"Selesai menurut {u.email}.")
        for u in users
    ])
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    winner = users[[kind for kind, _ in outcomes].index("ok")]
    partnership.refresh_from_db()
    assert (partnership.status, partnership.status_reason) == (P.COMPLETED, f"Selesai menurut {winner.email}.")
    assert partnership.history.count() == history + 1
    assert partnership.history.latest("history_id").history_user == winner


@pytest.mark.parametrize("attempt", range(3))
def test_pausing_and_ending_at_once_leave_the_partnership_ended_with_one_row_per_change(attempt):
    partnership = f.PartnershipFactory(status=P.ACTIVE)
    user = f.UserFactory()
    history = partnership.history.count()
    outcomes = race(
        lambda: partnership_set_status(partnership=Partnership.objects.get(pk=partnership.pk), user=user,
                                       status=P.PAUSED, reason="Jeda."),
        lambda: partnership_set_status(partnership=Partnership.objects.get(pk=partnership.pk), user=user,
                                       status=P.COMPLETED, reason="Selesai."),
    )
    pause, end = (kind for kind, _ in outcomes)
    assert end == "ok", outcomes  # from active or from paused, ending is allowed
    assert pause in ("ok", "refused"), outcomes  # refused when it came second: completed -> paused is not a move
    partnership.refresh_from_db()
    assert (partnership.status, partnership.status_reason) == (P.COMPLETED, "Selesai.")
    assert partnership.history.count() == history + (2 if pause == "ok" else 1)


@pytest.mark.parametrize("attempt", range(3))
def test_two_closes_of_a_cycle_at_once_close_it_once(attempt):
    cycle = f.EvaluationCycleFactory(status=EvaluationCycle.Status.OPEN, opened_at=timezone.now())
    outcomes = race(lambda: cycle_close(cycle=fresh(EvaluationCycle, cycle.pk)()),
                    lambda: cycle_close(cycle=fresh(EvaluationCycle, cycle.pk)()))
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    refused = next(error for kind, error in outcomes if kind == "refused")
    assert refused.code == "invalid_transition"


@pytest.mark.parametrize("attempt", range(3))
def test_two_people_marking_an_action_done_at_once_record_one_change(attempt):
    action = f.FollowUpActionFactory()
    users = [f.UserFactory(), f.UserFactory()]
    history = action.history.count()
    outcomes = race(*[
        lambda u=u: action_set_status(action=FollowUpAction.objects.get(pk=action.pk), user=u, status="done")
        for u in users
    ])
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"], outcomes
    assert next(error for kind, error in outcomes if kind == "refused").code == "unchanged"
    assert action.history.count() == history + 1
