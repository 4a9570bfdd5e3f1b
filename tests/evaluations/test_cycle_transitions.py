"""Evaluation cycle status changes: scheduled → open → closed, and every other move refused."""
import datetime
import itertools

import pytest
import time_machine
from django.utils import timezone, translation

from evaluations import services
from evaluations.models import EvaluationCycle
from partners.services import TransitionError
from tests import factories as f

Status = EvaluationCycle.Status

SERVICES = {"open": services.cycle_open, "close": services.cycle_close}
LEGAL = {(Status.SCHEDULED, "open"): Status.OPEN, (Status.OPEN, "close"): Status.CLOSED}
ILLEGAL = [pair for pair in itertools.product(Status, SERVICES) if pair not in LEGAL]
EXPECTED_MESSAGE = {
    "open": "Only a scheduled cycle can be opened; this cycle is %s.",
    "close": "Only an open cycle can be closed; this cycle is %s.",
}

EARLIER = datetime.datetime(2026, 4, 1, 2, 0, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 4, 20, 8, 15, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def cycle_in(status, partnership):
    fields = {"status": status, "due_date": timezone.localdate() + datetime.timedelta(days=30)}  # not past due
    if status in (Status.OPEN, Status.CLOSED):
        fields["opened_at"] = EARLIER
    if status == Status.CLOSED:
        fields["closed_at"] = EARLIER
    return f.EvaluationCycleFactory(partnership=partnership, **fields)


def row(cycle):
    return EvaluationCycle.objects.filter(pk=cycle.pk).values().get()


def test_illegal_pairs_cover_every_status_and_service():
    assert len(ILLEGAL) == len(Status) * len(SERVICES) - len(LEGAL) == 4


def test_open_moves_scheduled_cycle_to_open_and_stamps_opening(partnership):
    cycle = cycle_in(Status.SCHEDULED, partnership)
    with time_machine.travel(NOW, tick=False):
        services.cycle_open(cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == Status.OPEN
    assert cycle.opened_at == NOW
    assert cycle.closed_at is None


def test_close_moves_open_cycle_to_closed_and_keeps_opening_time(partnership):
    cycle = cycle_in(Status.OPEN, partnership)
    with time_machine.travel(NOW, tick=False):
        services.cycle_close(cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == Status.CLOSED
    assert cycle.closed_at == NOW
    assert cycle.opened_at == EARLIER


@pytest.mark.parametrize(("from_status", "service"), list(LEGAL), ids=str)
def test_legal_transition_leaves_callers_instance_equal_to_database(from_status, service, partnership):
    cycle = cycle_in(from_status, partnership)
    returned = SERVICES[service](cycle=cycle)
    assert returned is cycle
    db = row(cycle)
    for name in ("status", "opened_at", "closed_at", "updated_at"):
        assert getattr(cycle, name) == db[name], name
    assert cycle.status == LEGAL[(from_status, service)]


def test_open_then_close_in_sequence(partnership):
    cycle = cycle_in(Status.SCHEDULED, partnership)
    services.cycle_open(cycle=cycle)
    services.cycle_close(cycle=cycle)
    cycle.refresh_from_db()
    assert cycle.status == Status.CLOSED
    assert cycle.opened_at <= cycle.closed_at


@pytest.mark.parametrize(("from_status", "service"), ILLEGAL, ids=str)
def test_illegal_transition_raises_clear_error_and_changes_nothing(from_status, service, partnership):
    cycle = cycle_in(from_status, partnership)
    before = row(cycle)
    with pytest.raises(TransitionError) as caught:
        SERVICES[service](cycle=cycle)
    assert caught.value.code == "invalid_transition"
    assert caught.value.messages == [EXPECTED_MESSAGE[service] % Status(from_status).label]
    assert row(cycle) == before
    assert cycle.status == from_status


def test_guard_reads_the_database_not_the_callers_stale_copy(partnership):
    cycle = cycle_in(Status.SCHEDULED, partnership)
    stale = EvaluationCycle.objects.get(pk=cycle.pk)
    services.cycle_open(cycle=cycle)
    services.cycle_close(cycle=cycle)
    before = row(cycle)
    with pytest.raises(TransitionError):
        services.cycle_open(cycle=stale)  # still says "scheduled" in memory
    assert row(cycle) == before
