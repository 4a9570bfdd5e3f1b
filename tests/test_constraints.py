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


# --- the same rules judged in Python (kemitraan/constraints.py) --------------------------------

from hypothesis import HealthCheck, given, settings as hypothesis_settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from evaluations.models import Decision, ReminderRule  # noqa: E402
from kemitraan.constraints import PythonCheckedModel, compile_condition, evaluate  # noqa: E402
from partners.models import IndicatorValue  # noqa: E402

DATES = st.one_of(st.none(), st.dates(min_value=datetime.date(2025, 12, 30), max_value=datetime.date(2026, 1, 2)))
AMOUNTS = st.one_of(st.none(), st.decimals(min_value=-2, max_value=2, places=2))
SCORES = st.one_of(st.none(), st.integers(min_value=0, max_value=6))
SAMPLES = {
    ContributionReport: st.fixed_dictionaries({
        "quantity": AMOUNTS, "value": AMOUNTS, "period_start": DATES, "period_end": DATES,
        "status": st.sampled_from([s for s, _label in ContributionReport.Status.choices]),
        "return_reason": st.sampled_from(["", "kurang bukti"]),
    }),
    Pledge: st.fixed_dictionaries({"quantity": AMOUNTS, "value": AMOUNTS}),
    Partnership: st.fixed_dictionaries({"start_date": DATES, "planned_end_date": DATES}),
    Membership: st.fixed_dictionaries({"joined_on": DATES, "left_on": DATES, "commitment_start": DATES,
                                       "commitment_end": DATES}),
    EvaluationCycle: st.fixed_dictionaries({"period_start": DATES, "period_end": DATES, "due_date": DATES}),
    EvaluationResponse: st.fixed_dictionaries({
        **{field: SCORES for field in SCORE_FIELDS.values()},
        "status": st.sampled_from([s for s, _label in EvaluationResponse.Status.choices]),
    }),
    Decision: st.fixed_dictionaries({
        "status": st.sampled_from([s for s, _label in Decision.Status.choices]),
        "outcome": st.sampled_from([s for s, _label in Decision.Outcome.choices]),
    }),
    IndicatorValue: st.fixed_dictionaries({"period_start": DATES, "period_end": DATES}),
    ReminderRule: st.fixed_dictionaries({"days": st.one_of(st.none(), st.integers(min_value=-2, max_value=2))}),
}


def test_every_model_with_check_constraints_is_judged_in_python():
    from django.apps import apps

    for model in apps.get_models():
        checks = [c for c in model._meta.constraints if c.__class__.__name__ == "CheckConstraint"]
        if checks and not model.__name__.startswith("Historical"):
            assert issubclass(model, PythonCheckedModel), model
            assert model in SAMPLES, f"add {model.__name__} to SAMPLES"


@pytest.mark.django_db
@pytest.mark.parametrize("model", list(SAMPLES), ids=lambda m: m.__name__)
@hypothesis_settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_python_and_the_database_judge_every_check_constraint_alike(model, data):
    """For random values (NULLs, boundaries, both sides), each condition's Python verdict is the database's."""
    from django.db.models import Q

    values = data.draw(SAMPLES[model])
    instance = model(**values)
    against = instance._get_field_expression_map(meta=model._meta)
    for constraint in model._meta.constraints:
        if constraint.__class__.__name__ != "CheckConstraint":
            continue
        verdict = evaluate(Q(constraint.condition), instance)
        in_python = verdict is not False
        assert in_python == Q(constraint.condition).check(against), (constraint.name, values)
        # full_clean() uses the condition compiled once (check_in_python): the same verdict.
        assert compile_condition(model, Q(constraint.condition))(instance) is verdict, (constraint.name, values)


# --- foreign keys checked without a query when their row is at hand (kemitraan/constraints.py) -------


def _draft(**relations):
    return ContributionReport(period_start=JAN_1, period_end=JAN_1, kind="funds", description="Bantuan",
                              **relations)


@pytest.mark.django_db
def test_full_clean_reads_no_row_it_already_holds(django_assert_num_queries):
    membership, user = f.MembershipFactory(), f.UserFactory()
    membership, user = Membership.objects.get(pk=membership.pk), type(user).objects.get(pk=user.pk)
    report = _draft(membership=membership, created_by=user)
    with django_assert_num_queries(0):
        report.full_clean()


@pytest.mark.django_db
def test_full_clean_checks_foreign_keys_given_as_ids(django_assert_num_queries):
    from django.core.exceptions import ValidationError

    membership, user = f.MembershipFactory(), f.UserFactory()
    with django_assert_num_queries(2):  # the member and the author exist
        _draft(membership_id=membership.pk, created_by_id=user.pk).full_clean()
    with pytest.raises(ValidationError) as refused:
        _draft(membership_id=membership.pk + 1000, created_by_id=user.pk).full_clean()
    assert list(refused.value.message_dict) == ["membership"]


@pytest.mark.django_db
def test_full_clean_checks_a_related_object_not_read_from_the_database(django_assert_num_queries):
    from django.core.exceptions import ValidationError

    existing = f.MembershipFactory()
    made_up = Membership(pk=existing.pk + 1000, partnership=existing.partnership, organisation=existing.organisation)
    report = _draft(membership=made_up)
    report.membership_id = made_up.pk
    with pytest.raises(ValidationError) as refused:
        report.full_clean()
    assert list(refused.value.message_dict) == ["membership"]
    # An id changed after the object was loaded drops the loaded object (Django's descriptor), so it is checked.
    report = _draft(membership=Membership.objects.get(pk=existing.pk))
    report.membership_id = existing.pk + 1000
    with pytest.raises(ValidationError):
        report.full_clean()


@pytest.mark.django_db
def test_full_clean_still_refuses_a_missing_required_relation():
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as refused:
        _draft(membership=None).full_clean()
    assert "membership" in refused.value.message_dict


# --- validate_unique: nothing to check for a model whose only unique column is its generated id ------

from unittest import mock  # noqa: E402

from django.core.exceptions import ValidationError  # noqa: E402
from django.db import models as db_models  # noqa: E402

from kemitraan.constraints import _only_generated_id_is_unique  # noqa: E402


def test_models_with_unique_columns_are_told_apart():
    assert _only_generated_id_is_unique(ContributionReport)
    assert not _only_generated_id_is_unique(Membership)  # one membership per organisation and partnership
    assert not _only_generated_id_is_unique(Organisation)


@pytest.mark.django_db
def test_a_new_report_skips_djangos_unique_check(membership_a):
    report = ContributionReport(membership=membership_a, period_start=datetime.date(2026, 1, 1),
                                period_end=datetime.date(2026, 1, 31), kind="funds", description="x")
    with mock.patch.object(db_models.Model, "validate_unique") as django_check:
        report.full_clean()
    django_check.assert_not_called()


@pytest.mark.django_db
def test_a_new_report_given_a_taken_id_is_still_refused(report_a):
    copy = ContributionReport(pk=report_a.pk, membership=report_a.membership, period_start=report_a.period_start,
                              period_end=report_a.period_end, kind=report_a.kind, description="x")
    with pytest.raises(ValidationError) as refused:
        copy.full_clean()
    assert "id" in refused.value.message_dict


@pytest.mark.django_db
def test_a_model_with_unique_columns_is_still_checked(membership_a):
    second = Membership(organisation=membership_a.organisation, partnership=membership_a.partnership,
                        joined_on=membership_a.joined_on)
    with pytest.raises(ValidationError):
        second.full_clean()
