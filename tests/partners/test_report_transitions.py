"""Contribution report status changes: every legal move, and every illegal one refused with nothing changed.

Legal: draft → submitted (report_submit), submitted → accepted (report_accept),
submitted → returned with a reason (report_return), returned → submitted (report_resubmit).
"""
import datetime
import itertools
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone, translation

from partners import services
from partners.models import ContributionReport
from partners.services import TransitionError
from tests import factories as f

Status = ContributionReport.Status

SERVICES = {
    "submit": lambda report, user: services.report_submit(report=report, user=user),
    "resubmit": lambda report, user: services.report_resubmit(report=report, user=user),
    "accept": lambda report, user: services.report_accept(report=report, user=user),
    "return": lambda report, user: services.report_return(report=report, user=user, reason="Kuitansi belum dilampirkan."),
}
LEGAL = {
    (Status.DRAFT, "submit"): Status.SUBMITTED,
    (Status.RETURNED, "resubmit"): Status.SUBMITTED,
    (Status.SUBMITTED, "accept"): Status.ACCEPTED,
    (Status.SUBMITTED, "return"): Status.RETURNED,
}
ILLEGAL = [pair for pair in itertools.product(Status, SERVICES) if pair not in LEGAL]
# What each service says it needs, shown to the person who tried.
EXPECTED_MESSAGE = {
    "submit": "Only a draft can be submitted; this report is %s.",
    "resubmit": "Only a returned report can be resubmitted; this report is %s.",
    "accept": "Only a submitted report can be accepted; this report is %s.",
    "return": "Only a submitted report can be returned; this report is %s.",
}

EARLIER = datetime.datetime(2026, 4, 2, 9, 0, tzinfo=datetime.UTC)
NOW = datetime.datetime(2026, 4, 10, 3, 30, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def report_in(status, membership, *, reviewer=None):
    """Build a report already in ``status`` with the fields that status carries."""
    fields = {"status": status}
    if status != Status.DRAFT:
        fields["submitted_at"] = EARLIER
    if status in (Status.ACCEPTED, Status.RETURNED):
        fields.update(reviewed_by=reviewer, reviewed_at=EARLIER)
    if status == Status.RETURNED:
        fields["return_reason"] = "Nilai tidak sesuai bukti."
    return f.ContributionReportFactory(membership=membership, **fields)


def row(report):
    return ContributionReport.objects.filter(pk=report.pk).values().get()


def test_illegal_pairs_cover_every_status_and_service():
    assert len(ILLEGAL) == len(Status) * len(SERVICES) - len(LEGAL) == 12


# --- legal transitions -------------------------------------------------------------


def test_submit_moves_draft_to_submitted_and_stamps_submission(membership_a, partner_a):
    report = report_in(Status.DRAFT, membership_a)
    with time_machine.travel(NOW, tick=False):
        services.report_submit(report=report, user=partner_a)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert report.submitted_at == NOW
    assert report.reviewed_by is None and report.reviewed_at is None and report.return_reason == ""


def test_accept_records_reviewer_and_review_time(membership_a, coordinator):
    report = report_in(Status.SUBMITTED, membership_a)
    with time_machine.travel(NOW, tick=False):
        services.report_accept(report=report, user=coordinator)
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    assert report.reviewed_by == coordinator
    assert report.reviewed_at == NOW
    assert report.submitted_at == EARLIER
    assert report.return_reason == ""


def test_return_records_reviewer_time_and_trimmed_reason(membership_a, coordinator):
    report = report_in(Status.SUBMITTED, membership_a)
    with time_machine.travel(NOW, tick=False):
        services.report_return(report=report, user=coordinator, reason="  Lampirkan kuitansi.  ")
    report.refresh_from_db()
    assert report.status == Status.RETURNED
    assert report.reviewed_by == coordinator
    assert report.reviewed_at == NOW
    assert report.return_reason == "Lampirkan kuitansi."
    assert report.submitted_at == EARLIER


def test_resubmit_sends_returned_report_back_with_new_submission_time(membership_a, partner_a, coordinator):
    report = report_in(Status.RETURNED, membership_a, reviewer=coordinator)
    with time_machine.travel(NOW, tick=False):
        services.report_resubmit(report=report, user=partner_a)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED
    assert report.submitted_at == NOW


def test_full_round_trip_draft_submit_return_resubmit_accept(membership_a, partner_a, coordinator):
    report = services.report_create(
        membership=membership_a, user=partner_a, period_start=datetime.date(2026, 1, 1),
        period_end=datetime.date(2026, 3, 31), kind="funds", value=1_000_000, description="Dana posyandu",
    )
    services.report_submit(report=report, user=partner_a)
    services.report_return(report=report, user=coordinator, reason="Tambahkan bukti transfer.")
    services.report_resubmit(report=report, user=partner_a)
    services.report_accept(report=report, user=coordinator)
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED
    statuses = list(report.history.order_by("history_id").values_list("status", flat=True))
    assert statuses == ["draft", "submitted", "returned", "submitted", "accepted"]


@pytest.mark.parametrize(("values", "refused_by"), [
    ({"description": ""}, ValidationError),  # full_clean(): a field's own rule
    ({"quantity": Decimal("-1")}, IntegrityError),  # a check constraint: the database, the last word
])
def test_report_create_refuses_bad_values_and_writes_nothing(membership_a, partner_a, partnership, values,
                                                             refused_by):
    partnership.refresh_from_db()
    token = partnership.cache_token
    fields = {"period_start": datetime.date(2026, 1, 1), "period_end": datetime.date(2026, 1, 31), "kind": "funds",
              "description": "Bantuan", **values}
    with pytest.raises(refused_by):
        services.report_create(membership=membership_a, user=partner_a, **fields)
    assert not ContributionReport.objects.exists() and not ContributionReport.history.exists()
    partnership.refresh_from_db()
    assert partnership.cache_token == token


@pytest.mark.parametrize(("from_status", "service"), list(LEGAL), ids=lambda v: str(v))
def test_each_legal_transition_adds_exactly_one_history_row_with_the_actor(
    from_status, service, membership_a, coordinator
):
    report = report_in(from_status, membership_a, reviewer=coordinator)
    before = report.history.count()
    SERVICES[service](report, coordinator)
    assert report.history.count() == before + 1
    latest = report.history.latest("history_id")
    assert latest.status == LEGAL[(from_status, service)]
    assert latest.history_type == "~"
    # No request is around here, yet the history still says who did it.
    assert latest.history_user == coordinator


@pytest.mark.parametrize(("from_status", "service"), list(LEGAL), ids=lambda v: str(v))
def test_legal_transition_updates_the_callers_instance(from_status, service, membership_a, coordinator):
    report = report_in(from_status, membership_a, reviewer=coordinator)
    returned = SERVICES[service](report, coordinator)
    assert returned is report
    db = row(report)
    for name in ("status", "submitted_at", "reviewed_by_id", "reviewed_at", "return_reason", "updated_at"):
        assert getattr(report, name) == db[name], name


def test_reviewer_read_before_review_is_not_stale_after_it(membership_a, coordinator):
    report = ContributionReport.objects.get(pk=report_in(Status.SUBMITTED, membership_a).pk)
    assert report.reviewed_by is None  # loads (and caches) the empty reviewer
    services.report_accept(report=report, user=coordinator)
    assert report.reviewed_by == coordinator


def test_guard_reads_the_database_not_the_callers_stale_copy(membership_a, coordinator, other_coordinator):
    report = report_in(Status.SUBMITTED, membership_a)
    stale = ContributionReport.objects.get(pk=report.pk)
    services.report_accept(report=report, user=coordinator)
    with pytest.raises(TransitionError):
        services.report_return(report=stale, user=other_coordinator, reason="Terlambat.")
    report.refresh_from_db()
    assert report.status == Status.ACCEPTED and report.reviewed_by == coordinator


# --- illegal transitions -----------------------------------------------------------


@pytest.mark.parametrize(("from_status", "service"), ILLEGAL, ids=lambda v: str(v))
def test_illegal_transition_raises_clear_error_and_changes_nothing(from_status, service, membership_a, coordinator):
    report = report_in(from_status, membership_a, reviewer=coordinator)
    before, history_before = row(report), report.history.count()
    with pytest.raises(TransitionError) as caught:
        SERVICES[service](report, coordinator)
    assert caught.value.code == "invalid_transition"
    assert caught.value.messages == [EXPECTED_MESSAGE[service] % Status(from_status).label]
    assert row(report) == before
    assert report.history.count() == history_before
    report.refresh_from_db()
    assert report.status == from_status


@pytest.mark.parametrize("reason", ["", "   ", "\n\t ", None])
@pytest.mark.parametrize("from_status", list(Status))
def test_return_without_reason_is_refused_and_changes_nothing(from_status, reason, membership_a, coordinator):
    report = report_in(from_status, membership_a, reviewer=coordinator)
    before, history_before = row(report), report.history.count()
    with pytest.raises(ValidationError) as caught:
        services.report_return(report=report, user=coordinator, reason=reason)
    assert "reason" in caught.value.message_dict
    assert row(report) == before
    assert report.history.count() == history_before


def test_submitted_report_cannot_be_edited_through_update(membership_a, partner_a):
    report = report_in(Status.SUBMITTED, membership_a)
    before = row(report)
    with pytest.raises(TransitionError):
        services.report_update(report=report, user=partner_a, description="Diubah diam-diam")
    assert row(report) == before


def test_transition_time_is_timezone_aware(membership_a, partner_a):
    report = report_in(Status.DRAFT, membership_a)
    services.report_submit(report=report, user=partner_a)
    report.refresh_from_db()
    assert timezone.is_aware(report.submitted_at)
