"""Two coordinators reviewing the same report at the same moment, on two database connections."""
import threading

import pytest
from django.conf import settings
from django.db import connections

from partners.models import ContributionReport
from partners.services import TransitionError, report_accept, report_return
from tests import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        not settings.DATABASES["default"]["ENGINE"].endswith("postgresql"),
        reason="row locks need PostgreSQL; SQLite serialises whole-database writes",
    ),
]


def _race(actions):
    """Run each action in its own thread (own connection), released together by a barrier."""
    barrier = threading.Barrier(len(actions))
    outcomes = [None] * len(actions)

    def run(index, action):
        try:
            barrier.wait(timeout=10)
            outcomes[index] = ("ok", action())
        except TransitionError as error:
            outcomes[index] = ("refused", error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, a)) for i, a in enumerate(actions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("attempt", range(5))
def test_accept_and_return_at_once_leave_one_state_and_one_history_entry(attempt):
    coordinator_1 = f.UserFactory()
    coordinator_2 = f.UserFactory()
    report = f.ContributionReportFactory(status=ContributionReport.Status.SUBMITTED)
    history_before = report.history.count()

    outcomes = _race([
        lambda: report_accept(report=ContributionReport.objects.get(pk=report.pk), user=coordinator_1),
        lambda: report_return(report=ContributionReport.objects.get(pk=report.pk), user=coordinator_2,
                              reason="Lampirkan kuitansi."),
    ])

    kinds = sorted(kind for kind, _ in outcomes)
    assert kinds == ["ok", "refused"], outcomes
    report.refresh_from_db()
    accept_won = outcomes[0][0] == "ok"
    if accept_won:
        assert report.status == ContributionReport.Status.ACCEPTED and report.reviewed_by == coordinator_1
        assert report.return_reason == ""
    else:
        assert report.status == ContributionReport.Status.RETURNED and report.reviewed_by == coordinator_2
    assert report.history.count() == history_before + 1


@pytest.mark.django_db(transaction=True)
def test_two_accepts_at_once_record_one_change():
    report = f.ContributionReportFactory(status=ContributionReport.Status.SUBMITTED)
    history_before = report.history.count()
    users = [f.UserFactory(), f.UserFactory()]
    outcomes = _race([
        lambda u=u: report_accept(report=ContributionReport.objects.get(pk=report.pk), user=u) for u in users
    ])
    assert sorted(kind for kind, _ in outcomes) == ["ok", "refused"]
    assert report.history.count() == history_before + 1
