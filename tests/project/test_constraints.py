"""The database itself refuses rows that break the hard rules.

Every bad row here is written past ``full_clean`` (``bulk_create``, ``QuerySet.update`` or
``QuerySet.create``), so only a database constraint can stop it. Each test also writes
the nearest good row, to show the refusal is about the rule and not something else.
Runs on SQLite and on PostgreSQL.
"""
import datetime
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.db.models import ProtectedError

from evaluations.models import (
    SCORE_FIELDS,
    EvaluationCycle,
    EvaluationResponse,
    ReminderLog,
    Vote,
)
from partners.models import (
    ContributionReport,
    Membership,
    Organisation,
    Partnership,
    Pledge,
)
from tests import factories as f

JAN_1 = datetime.date(2026, 1, 1)
DEC_31_BEFORE = datetime.date(2025, 12, 31)


def assert_refused(write):
    """Run ``write`` in a savepoint and require the database to refuse it."""
    with pytest.raises(IntegrityError), transaction.atomic():
        write()


# --- one row per ... -----------------------------------------------------------------


def test_database_refuses_second_membership_of_an_organisation_in_a_partnership(membership_a, org_b):
    assert_refused(lambda: Membership.objects.bulk_create(
        [Membership(partnership=membership_a.partnership, organisation=membership_a.organisation, joined_on=JAN_1)]
    ))
    Membership.objects.bulk_create([Membership(partnership=membership_a.partnership, organisation=org_b, joined_on=JAN_1)])
    assert Membership.objects.filter(partnership=membership_a.partnership).count() == 2


def test_database_refuses_second_evaluation_response_of_a_member_in_a_cycle(partnership, membership_a, membership_b):
    cycle = f.EvaluationCycleFactory(partnership=partnership)
    f.EvaluationResponseFactory(cycle=cycle, membership=membership_a)
    assert_refused(lambda: EvaluationResponse.objects.bulk_create(
        [EvaluationResponse(cycle=cycle, membership=membership_a)]
    ))
    EvaluationResponse.objects.bulk_create([EvaluationResponse(cycle=cycle, membership=membership_b)])
    assert cycle.responses.count() == 2


def test_database_refuses_second_vote_of_a_member_on_a_decision(partnership, membership_a, membership_b):
    decision = f.DecisionFactory(partnership=partnership)
    f.VoteFactory(decision=decision, membership=membership_a)
    assert_refused(lambda: Vote.objects.bulk_create(
        [Vote(decision=decision, membership=membership_a, choice=Vote.Choice.DISAGREE)]
    ))
    Vote.objects.bulk_create([Vote(decision=decision, membership=membership_b, choice=Vote.Choice.DISAGREE)])
    assert decision.votes.count() == 2


def test_database_refuses_second_reminder_log_row_for_same_recipient_kind_object_period(coordinator, report_a):
    content_type = ContentType.objects.get_for_model(ContributionReport)
    key = {"recipient": coordinator, "kind": "report_due", "content_type": content_type, "object_id": report_a.pk}
    ReminderLog.objects.create(period="2026-Q1", **key)
    assert_refused(lambda: ReminderLog.objects.create(period="2026-Q1", **key))
    assert_refused(lambda: ReminderLog.objects.bulk_create([ReminderLog(period="2026-Q1", **key)]))
    # Another period, kind or recipient is another reminder.
    ReminderLog.objects.create(period="2026-Q2", **key)
    ReminderLog.objects.create(period="2026-Q1", **{**key, "kind": "report_overdue"})
    ReminderLog.objects.create(period="2026-Q1", **{**key, "recipient": f.UserFactory()})
    assert ReminderLog.objects.count() == 4


# --- scores ----------------------------------------------------------------------------


@pytest.mark.parametrize("bad", [0, 6])
@pytest.mark.parametrize("field", list(SCORE_FIELDS.values()))
def test_database_refuses_score_outside_1_to_5(field, bad, partnership, membership_a):
    response = f.EvaluationResponseFactory(cycle=f.EvaluationCycleFactory(partnership=partnership), membership=membership_a)
    rows = EvaluationResponse.objects.filter(pk=response.pk)
    assert_refused(lambda: rows.update(**{field: bad}))
    for good in (1, 5):
        rows.update(**{field: good})
        assert rows.values_list(field, flat=True).get() == good


@pytest.mark.parametrize("bad", [0, 6])
def test_database_refuses_new_response_with_score_outside_1_to_5(bad, partnership, membership_a):
    cycle = f.EvaluationCycleFactory(partnership=partnership)
    assert_refused(lambda: EvaluationResponse.objects.create(cycle=cycle, membership=membership_a, score_shared_goals=bad))


# --- an end never before its start -----------------------------------------------------


def test_database_refuses_partnership_ending_before_it_starts(partnership):
    rows = Partnership.objects.filter(pk=partnership.pk)
    assert_refused(lambda: rows.update(start_date=JAN_1, planned_end_date=DEC_31_BEFORE))
    assert_refused(lambda: Partnership.objects.bulk_create([Partnership(
        title="Mundur", problem_statement="-", type="service", start_date=JAN_1, planned_end_date=DEC_31_BEFORE,
    )]))
    rows.update(start_date=JAN_1, planned_end_date=JAN_1)


def test_database_refuses_membership_left_before_joined(membership_a):
    rows = Membership.objects.filter(pk=membership_a.pk)
    assert_refused(lambda: rows.update(joined_on=JAN_1, left_on=DEC_31_BEFORE))
    rows.update(joined_on=JAN_1, left_on=JAN_1)


def test_database_refuses_commitment_ending_before_it_starts(membership_a):
    rows = Membership.objects.filter(pk=membership_a.pk)
    assert_refused(lambda: rows.update(commitment_start=JAN_1, commitment_end=DEC_31_BEFORE))
    rows.update(commitment_start=JAN_1, commitment_end=JAN_1)


def test_database_refuses_report_period_ending_before_it_starts(report_a):
    rows = ContributionReport.objects.filter(pk=report_a.pk)
    assert_refused(lambda: rows.update(period_start=JAN_1, period_end=DEC_31_BEFORE))
    assert_refused(lambda: ContributionReport.objects.create(
        membership=report_a.membership, period_start=JAN_1, period_end=DEC_31_BEFORE, kind="funds", description="-",
    ))
    rows.update(period_start=JAN_1, period_end=JAN_1)


def test_database_refuses_cycle_period_ending_before_it_starts(partnership):
    cycle = f.EvaluationCycleFactory(partnership=partnership)
    rows = EvaluationCycle.objects.filter(pk=cycle.pk)
    assert_refused(lambda: rows.update(period_start=JAN_1, period_end=DEC_31_BEFORE, due_date=JAN_1))
    rows.update(period_start=JAN_1, period_end=JAN_1, due_date=JAN_1)


# --- amounts and quantities never negative ---------------------------------------------


@pytest.mark.parametrize("field", ["value", "quantity"])
def test_database_refuses_negative_report_amount(field, report_a):
    rows = ContributionReport.objects.filter(pk=report_a.pk)
    assert_refused(lambda: rows.update(**{field: Decimal("-0.01")}))
    rows.update(**{field: Decimal(0)})


@pytest.mark.parametrize("field", ["value", "quantity"])
def test_database_refuses_negative_pledge_amount(field, membership_a):
    assert_refused(lambda: Pledge.objects.bulk_create(
        [Pledge(membership=membership_a, kind="funds", **{field: Decimal(-1)})]
    ))
    pledge = f.PledgeFactory(membership=membership_a)
    rows = Pledge.objects.filter(pk=pledge.pk)
    assert_refused(lambda: rows.update(**{field: Decimal(-1)}))
    rows.update(**{field: Decimal(0)})


# --- a returned report carries its reason ----------------------------------------------


def test_database_refuses_returned_report_without_reason(report_a):
    rows = ContributionReport.objects.filter(pk=report_a.pk)
    assert_refused(lambda: rows.update(status="returned", return_reason=""))
    rows.update(status="returned", return_reason="Lampirkan kuitansi.")


# --- deleting what reports depend on ---------------------------------------------------


def _counts():
    return (
        Organisation.objects.count(),
        Partnership.objects.count(),
        Membership.objects.count(),
        ContributionReport.objects.count(),
    )


def test_deleting_an_organisation_with_reports_is_refused_and_deletes_nothing(report_a, org_a):
    before = _counts()
    with pytest.raises(ProtectedError), transaction.atomic():
        org_a.delete()
    assert _counts() == before
    with pytest.raises(ProtectedError), transaction.atomic():
        Organisation.objects.filter(pk=org_a.pk).delete()
    assert _counts() == before


def test_deleting_a_partnership_with_reports_is_refused_and_deletes_nothing(report_a, partnership, membership_b):
    before = _counts()
    with pytest.raises(ProtectedError), transaction.atomic():
        partnership.delete()
    assert _counts() == before
    assert ContributionReport.objects.filter(pk=report_a.pk).exists()


def test_organisation_without_reports_can_be_deleted(membership_b, org_b):
    org_b.delete()
    assert not Membership.objects.filter(pk=membership_b.pk).exists()


# --- full_clean() finds the same rules first, with their messages ---------------------------------


def _draft(**relations):
    return ContributionReport(period_start=JAN_1, period_end=JAN_1, kind="funds", description="Bantuan",
                              **relations)


@pytest.mark.django_db
@pytest.mark.parametrize(("values", "field", "message"), [
    ({"quantity": Decimal("-1")}, "__all__", "The quantity cannot be negative."),
    ({"value": Decimal("-0.01")}, "__all__", "The value cannot be negative."),
    ({"period_end": JAN_1 - datetime.timedelta(days=1)}, "__all__", "The period cannot end before it starts."),
    ({"status": "returned"}, "__all__", "A returned report needs a reason."),
])
def test_full_clean_refuses_what_a_check_constraint_refuses_with_its_message(membership_a, values, field, message):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    report = _draft(membership=membership_a)
    for name, value in values.items():
        setattr(report, name, value)
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert refused.value.message_dict == {field: [message]}


@pytest.mark.django_db
def test_full_clean_refuses_a_missing_or_unknown_member():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        _draft(membership=None).full_clean()
    assert list(refused.value.message_dict) == ["membership"]
    with pytest.raises(ValidationError) as refused:
        _draft(membership_id=f.MembershipFactory().pk + 1000).full_clean()
    assert list(refused.value.message_dict) == ["membership"]
