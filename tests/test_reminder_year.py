"""A full year, day by day: the reminder job sends exactly the expected mails on the expected days.

The partnership: org A (two representatives, one reading Indonesian and one English) and
org B (one representative), both reporting quarterly; org A's commitment ends on
30 September. The coordinator reviews reports. Each simulated day, what people do
happens first (at 09:00 Jakarta time), then the job runs twice, as two beat ticks or
two workers would.
"""
import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from evaluations import services as evaluation_services
from evaluations.models import EvaluationCycle, FollowUpAction, ReminderLog
from evaluations.reminders import send_due_reminders
from partners import services as partner_services
from partners.models import ContributionReport, Membership
from tests import factories as f

JAKARTA = ZoneInfo("Asia/Jakarta")
A, A2, B, C = "mitra.a@example.org", "rekan.a@example.org", "mitra.b@example.org", "koordinator@example.org"

EXPECTED = [
    # Q1 reports are due on 14 April (period end + 14 days): reminded 7 days before...
    ("2026-04-07", A, "report_due", "2026-Q1"),
    ("2026-04-07", A2, "report_due", "2026-Q1"),
    ("2026-04-07", B, "report_due", "2026-Q1"),
    # ...the open Q1 cycle is due on 15 April: reminded 7 days before...
    ("2026-04-08", A, "evaluation_due", "2026-04-15"),
    ("2026-04-08", A2, "evaluation_due", "2026-04-15"),
    ("2026-04-08", B, "evaluation_due", "2026-04-15"),
    # ...A's report, submitted on 10 April, has waited 3 days on Monday 13 April (ISO week 16)...
    ("2026-04-13", C, "review_digest", "2026-W16"),
    # ...B neither reported nor answered: overdue 3 days after each due date.
    ("2026-04-17", B, "report_overdue", "2026-Q1"),
    ("2026-04-18", B, "evaluation_overdue", "2026-04-15"),
    # B's follow-up action is due on 30 June: 3 days before, and 1 day after.
    ("2026-06-27", B, "action_due", "2026-06-30"),
    ("2026-07-01", B, "action_overdue", "2026-06-30"),
    # A reported Q2 early; B did not.
    ("2026-07-07", B, "report_due", "2026-Q2"),
    # The Q2 cycle opens on 1 July, due 15 July.
    ("2026-07-08", A, "evaluation_due", "2026-07-15"),
    ("2026-07-08", A2, "evaluation_due", "2026-07-15"),
    ("2026-07-08", B, "evaluation_due", "2026-07-15"),
    ("2026-07-17", B, "report_overdue", "2026-Q2"),
    ("2026-07-18", B, "evaluation_overdue", "2026-07-15"),
    # B's late Q2 report (submitted Monday 20 July) waits for review over two ISO weeks.
    ("2026-07-23", C, "review_digest", "2026-W30"),
    ("2026-07-27", C, "review_digest", "2026-W31"),
    # A's commitment ends on 30 September: 30 days before.
    ("2026-08-31", A, "commitment_ending", "2026-09-30"),
    ("2026-08-31", A2, "commitment_ending", "2026-09-30"),
    # Q3: A reported on 1 October, B never.
    ("2026-10-07", B, "report_due", "2026-Q3"),
    ("2026-10-17", B, "report_overdue", "2026-Q3"),
    # Q4 is due on 14 January 2027: nothing more this year.
]


@pytest.fixture
def year(coordinator, partnership, org_a, org_b, membership_a, membership_b, partner_a, partner_b):
    colleague = f.UserFactory(email=A2, preferred_language="en")
    org_a.representatives.add(colleague)
    Membership.objects.filter(pk=membership_a.pk).update(commitment_end=datetime.date(2026, 9, 30))
    q1 = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN)
    q2 = f.EvaluationCycleFactory(
        partnership=partnership, period_start=datetime.date(2026, 4, 1), period_end=datetime.date(2026, 6, 30),
        due_date=datetime.date(2026, 7, 15),
    )
    action = f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_b, due_date=datetime.date(2026, 6, 30))
    return {
        "coordinator": coordinator, "a": membership_a, "b": membership_b, "partner_a": partner_a,
        "partner_b": partner_b, "q1": q1, "q2": q2, "action": action,
    }


def _report(membership, user, quarter):
    start = datetime.date(2026, 3 * quarter - 2, 1)
    end = (start.replace(month=3 * quarter) + datetime.timedelta(days=31)).replace(day=1) - datetime.timedelta(days=1)
    report = f.ContributionReportFactory(membership=membership, created_by=user, period_start=start, period_end=end)
    return partner_services.report_submit(report=report, user=user)


def _review(quarter_start, membership, coordinator, accept=True):
    report = ContributionReport.objects.get(membership=membership, period_start=quarter_start)
    if accept:
        partner_services.report_accept(report=report, user=coordinator)
    else:
        partner_services.report_return(report=report, user=coordinator, reason="Lampirkan kuitansi.")


def _answer(cycle, membership, user):
    f.EvaluationResponseFactory(cycle=cycle, membership=membership, status="submitted", submitted_at=timezone.now(),
                                submitted_by=user)


def _events(y):
    """What people do, by day (before the job runs that day)."""
    d = datetime.date
    return {
        d(2026, 4, 10): [lambda: _report(y["a"], y["partner_a"], 1), lambda: _answer(y["q1"], y["a"], y["partner_a"])],
        d(2026, 4, 20): [lambda: _review(d(2026, 1, 1), y["a"], y["coordinator"])],
        d(2026, 5, 15): [lambda: evaluation_services.cycle_close(cycle=y["q1"])],
        d(2026, 7, 1): [lambda: evaluation_services.cycle_open(cycle=y["q2"])],
        d(2026, 7, 2): [lambda: _report(y["a"], y["partner_a"], 2)],
        d(2026, 7, 3): [
            lambda: _review(d(2026, 4, 1), y["a"], y["coordinator"]),
            lambda: FollowUpAction.objects.filter(pk=y["action"].pk).update(status="done"),
        ],
        d(2026, 7, 9): [lambda: _answer(y["q2"], y["a"], y["partner_a"])],
        d(2026, 7, 20): [lambda: _report(y["b"], y["partner_b"], 2)],
        d(2026, 7, 30): [lambda: _review(d(2026, 4, 1), y["b"], y["coordinator"], accept=False)],
        d(2026, 8, 1): [lambda: evaluation_services.cycle_close(cycle=y["q2"])],
        d(2026, 10, 1): [lambda: _report(y["a"], y["partner_a"], 3)],
        d(2026, 10, 2): [lambda: _review(d(2026, 7, 1), y["a"], y["coordinator"])],
    }


def test_a_year_day_by_day_sends_exactly_the_expected_reminders(year, settings):
    settings.REMINDER_FLUSH_SECONDS = 60
    events = _events(year)
    got = []
    day = datetime.date(2026, 1, 1)
    while day <= datetime.date(2026, 12, 31):
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=JAKARTA), tick=False):
            for event in events.get(day, []):
                event()
            before = len(mail.outbox)
            first = send_due_reminders(today=timezone.localdate())
            second = send_due_reminders(today=timezone.localdate())
            assert second.sent == 0 and second.retry == 0, day
            assert first.sent == len(mail.outbox) - before, day
            for message in mail.outbox[before:]:
                log = ReminderLog.objects.get(pk=message.extra_headers["X-Kemitraan-Reminder"])
                assert message.to == [log.recipient.email]
                assert timezone.localdate(log.sent_at) == day
                got.append((day.isoformat(), log.recipient.email, log.kind, log.period))
        day += datetime.timedelta(days=1)

    assert sorted(got) == sorted(EXPECTED)
    assert len(got) == len(EXPECTED)  # no reminder twice
    assert ReminderLog.objects.exclude(status="sent").count() == 0
    assert ReminderLog.objects.count() == len(EXPECTED)


def test_the_year_in_each_recipients_language(year, settings):
    settings.REMINDER_FLUSH_SECONDS = 60
    with time_machine.travel(datetime.datetime(2026, 4, 7, 9, 0, tzinfo=JAKARTA), tick=False):
        send_due_reminders(today=timezone.localdate())
    by_recipient = {m.to[0]: m for m in mail.outbox}
    assert "14 April 2026" in by_recipient[A].body
    assert by_recipient[A].extra_headers["Content-Language"] == "id"
    assert by_recipient[A2].extra_headers["Content-Language"] == "en"
