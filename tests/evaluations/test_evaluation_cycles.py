"""Evaluation cycles: periods, the daily advance, and the coordinator's hand-made cycles."""
import datetime

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from evaluations.models import EvaluationCycle
from evaluations.services import (
    cycle_close,
    cycle_create,
    cycle_open,
    cycles_advance,
)
from partners.models import Partnership
from partners.services import TransitionError
from tests import factories as f

D = datetime.date
Q = Partnership.EvaluationFrequency

pytestmark = pytest.mark.usefixtures("english")  # assertions read the English source strings


def test_advance_creates_and_opens_current_cycle_for_each_active_partnership(db):
    quarterly = f.PartnershipFactory(evaluation_frequency=Q.QUARTERLY)
    yearly = f.PartnershipFactory(evaluation_frequency=Q.YEARLY)

    report = cycles_advance(today=D(2026, 5, 10))

    q = EvaluationCycle.objects.get(partnership=quarterly)
    y = EvaluationCycle.objects.get(partnership=yearly)
    assert (q.period_start, q.period_end, q.due_date, q.status) == (
        D(2026, 4, 1), D(2026, 6, 30), D(2026, 7, 14), EvaluationCycle.Status.OPEN)
    assert (y.period_start, y.period_end, y.due_date) == (D(2026, 1, 1), D(2026, 12, 31), D(2027, 1, 14))
    assert q.opened_at is not None
    assert sorted(report.created) == sorted([q.pk, y.pk])


def test_advance_is_idempotent_on_the_same_day(db):
    f.PartnershipFactory()
    first = cycles_advance(today=D(2026, 5, 10))
    second = cycles_advance(today=D(2026, 5, 10))
    assert len(first.created) == 1
    assert second.as_dict() == {"created": [], "opened": [], "closed": []}
    assert EvaluationCycle.objects.count() == 1


@pytest.mark.parametrize("status", [Partnership.Status.DRAFT, Partnership.Status.PAUSED, Partnership.Status.COMPLETED])
def test_advance_ignores_partnerships_that_are_not_active(db, status):
    f.PartnershipFactory(status=status)
    cycles_advance(today=D(2026, 5, 10))
    assert not EvaluationCycle.objects.exists()


def test_advance_waits_for_the_partnership_to_start(db):
    f.PartnershipFactory(start_date=D(2026, 6, 1))
    cycles_advance(today=D(2026, 5, 31))
    assert not EvaluationCycle.objects.exists()
    cycles_advance(today=D(2026, 6, 1))
    assert EvaluationCycle.objects.get().period_start == D(2026, 4, 1)


def test_advance_closes_open_cycles_a_week_after_their_due_date(db):
    cycle = f.EvaluationCycleFactory(status=EvaluationCycle.Status.OPEN, due_date=D(2026, 4, 14))
    cycles_advance(today=D(2026, 4, 21))
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.OPEN  # late answers are taken for a week after the due date
    report = cycles_advance(today=D(2026, 4, 22))
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.CLOSED
    assert cycle.closed_at is not None
    assert cycle.pk in report.closed
    assert cycle.pk not in cycles_advance(today=D(2026, 4, 22)).closed


def test_advance_opens_a_scheduled_cycle_when_its_period_starts(db):
    partnership = f.PartnershipFactory()
    cycle = f.EvaluationCycleFactory(
        partnership=partnership, period_start=D(2026, 7, 1), period_end=D(2026, 9, 30), due_date=D(2026, 10, 14)
    )
    cycles_advance(today=D(2026, 6, 30))
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.SCHEDULED
    report = cycles_advance(today=D(2026, 7, 1))
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.OPEN
    assert report.opened == [cycle.pk]
    assert report.created == []  # the hand-made cycle covers the period


def test_advance_does_not_create_a_cycle_over_an_overlapping_hand_made_one(db):
    partnership = f.PartnershipFactory(evaluation_frequency=Q.QUARTERLY)
    f.EvaluationCycleFactory(partnership=partnership, period_start=D(2026, 3, 1), period_end=D(2026, 5, 31),
                             due_date=D(2026, 6, 14), status=EvaluationCycle.Status.OPEN)
    cycles_advance(today=D(2026, 4, 2))
    assert EvaluationCycle.objects.filter(partnership=partnership).count() == 1


def test_a_year_of_daily_runs_gives_four_quarterly_cycles_on_the_right_days(db):
    partnership = f.PartnershipFactory(evaluation_frequency=Q.QUARTERLY, start_date=D(2026, 1, 1))
    events = []
    day = D(2026, 1, 1)
    while day <= D(2027, 1, 31):
        report = cycles_advance(today=day)
        events += [(day, "created")] * len(report.created) + [(day, "closed")] * len(report.closed)
        day += datetime.timedelta(days=1)
    assert events == [
        (D(2026, 1, 1), "created"),
        (D(2026, 4, 1), "created"),
        (D(2026, 4, 22), "closed"),
        (D(2026, 7, 1), "created"),
        (D(2026, 7, 22), "closed"),
        (D(2026, 10, 1), "created"),
        (D(2026, 10, 22), "closed"),
        (D(2027, 1, 1), "created"),
        (D(2027, 1, 22), "closed"),
    ]
    assert EvaluationCycle.objects.filter(partnership=partnership).count() == 5


def test_advance_uses_the_local_date_when_not_given(db):
    f.PartnershipFactory(evaluation_frequency=Q.HALF_YEARLY)
    with time_machine.travel(datetime.datetime(2026, 6, 30, 18, 0, tzinfo=datetime.UTC)):  # 1 July in Jakarta
        cycles_advance()
    assert EvaluationCycle.objects.get().period_start == D(2026, 7, 1)


# --- by hand --------------------------------------------------------------------------


def test_cycle_create_refuses_a_period_overlapping_another_cycle(partnership):
    f.EvaluationCycleFactory(partnership=partnership)  # Q1 2026
    with pytest.raises(ValidationError) as error:
        cycle_create(partnership=partnership, user=None, period_start=D(2026, 3, 1), period_end=D(2026, 4, 30),
                     due_date=D(2026, 5, 14))
    assert "period_start" in error.value.error_dict


def test_cycle_create_refuses_due_date_before_period_and_opens_on_request(partnership):
    with pytest.raises(ValidationError):
        cycle_create(partnership=partnership, user=None, period_start=D(2026, 4, 1), period_end=D(2026, 6, 30),
                     due_date=D(2026, 3, 1))
    with time_machine.travel(datetime.datetime(2026, 5, 1, 3, 0, tzinfo=datetime.UTC)):
        cycle = cycle_create(partnership=partnership, user=None, period_start=D(2026, 4, 1),
                             period_end=D(2026, 6, 30), due_date=D(2026, 7, 14), open_now=True)
    assert cycle.status == EvaluationCycle.Status.OPEN


def test_open_and_close_refuse_the_wrong_status(partnership):
    cycle = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.CLOSED)
    with pytest.raises(TransitionError):
        cycle_open(cycle=cycle)
    with pytest.raises(TransitionError):
        cycle_close(cycle=cycle)


def test_coordinator_creates_a_cycle_for_a_chosen_period_through_the_page(client, coordinator, partnership):
    client.force_login(coordinator)
    url = reverse("evaluations:cycle_create", kwargs={"partnership_pk": partnership.pk})
    page = client.get(url)
    assert page.status_code == 200
    assert "period_start" in page.context["form"].initial
    response = client.post(url, {"title": "", "period_start": "2027-01-01", "period_end": "2027-03-31",
                                 "due_date": "2027-04-14"})
    cycle = EvaluationCycle.objects.get(partnership=partnership)
    assert response.status_code == 302 and response.url == cycle.get_absolute_url()
    assert (cycle.period_start, cycle.status) == (D(2027, 1, 1), EvaluationCycle.Status.SCHEDULED)
    assert cycle.period_label == "Q1 2027"


def test_cycle_form_shows_the_overlap_error(client, coordinator, partnership):
    f.EvaluationCycleFactory(partnership=partnership)
    client.force_login(coordinator)
    response = client.post(
        reverse("evaluations:cycle_create", kwargs={"partnership_pk": partnership.pk}),
        {"period_start": "2026-02-01", "period_end": "2026-04-30", "due_date": "2026-05-14"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["period_start"]


def _due_later(**fields):
    """A scheduled cycle whose due date has not passed, so it may still be opened."""
    return f.EvaluationCycleFactory(due_date=timezone.localdate() + datetime.timedelta(days=30), **fields)


def test_coordinator_opens_and_closes_a_cycle_by_hand(client, coordinator, partnership):
    cycle = _due_later(partnership=partnership)
    client.force_login(coordinator)
    assert client.get(reverse("evaluations:cycle_open", args=[cycle.pk])).status_code == 200
    client.post(reverse("evaluations:cycle_open", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.OPEN
    client.post(reverse("evaluations:cycle_close", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.CLOSED
    # A second close is refused with a message, not an error page.
    response = client.post(reverse("evaluations:cycle_close", args=[cycle.pk]), follow=True)
    assert response.status_code == 200
    assert [m.level_tag for m in response.context["messages"]][-1] == "error"


@pytest.mark.parametrize("who", ["partner_a", "other_coordinator", "outsider"])
@pytest.mark.parametrize("name", ["cycle_open", "cycle_close"])
def test_only_the_coordinator_opens_or_closes_a_cycle(request, client, partnership, who, name):
    cycle = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN)
    client.force_login(request.getfixturevalue(who))
    url = reverse(f"evaluations:{name}", args=[cycle.pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.OPEN


@pytest.mark.parametrize("who", ["partner_a", "other_coordinator", "outsider"])
def test_only_the_coordinator_creates_a_cycle(request, client, partnership, who):
    client.force_login(request.getfixturevalue(who))
    url = reverse("evaluations:cycle_create", kwargs={"partnership_pk": partnership.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"period_start": "2027-01-01", "period_end": "2027-03-31",
                             "due_date": "2027-04-14"}).status_code == 404
    assert not EvaluationCycle.objects.exists()


def test_admin_may_run_any_partnership(client, admin, partnership):
    cycle = _due_later(partnership=partnership)
    client.force_login(admin)
    client.post(reverse("evaluations:cycle_open", args=[cycle.pk]))
    cycle.refresh_from_db()
    assert cycle.status == EvaluationCycle.Status.OPEN


@pytest.mark.parametrize("who", ["partner_c", "other_coordinator", "outsider"])
def test_cycle_pages_of_another_partnership_answer_404(request, client, partnership, who):
    cycle = f.EvaluationCycleFactory(partnership=partnership)
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("evaluations:cycle_detail", args=[cycle.pk])).status_code == 404
    assert client.get(reverse("evaluations:partnership_cycles", kwargs={"partnership_pk": partnership.pk})).status_code == 404
    assert client.get(reverse("evaluations:cycle_list")).context["rows"] == []


def test_cycle_list_shows_visible_cycles_only(client, partner_a, partnership, other_partnership):
    mine = f.EvaluationCycleFactory(partnership=partnership)
    f.EvaluationCycleFactory(partnership=other_partnership)
    client.force_login(partner_a)
    rows = client.get(reverse("evaluations:cycle_list")).context["rows"]
    assert [cycle for cycle, _ in rows] == [mine]


def test_anonymous_visitor_is_sent_to_login(client, partnership):
    response = client.get(reverse("evaluations:partnership_cycles", kwargs={"partnership_pk": partnership.pk}))
    assert response.status_code == 302 and "/accounts/login/" in response.url
