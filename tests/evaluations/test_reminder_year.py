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


# --- the pages and the reminders agree on every day ---------------------------------------------------
#
# Members of every reporting frequency, reporting on time, late, early, on the due day, never, or
# with a returned report; one joins mid-year, one leaves; a second partnership is paused for the
# summer. Each day the dashboard's overdue figure, the partner home's report deadlines and the
# reminders the job sends that day must tell the same story (partners.deadlines): the reminder
# rules are set so that "overdue" fires on the first overdue day, "due" 7 days before.


@pytest.fixture
def members(coordinator, other_coordinator):
    from evaluations.models import ReminderKind, ReminderRule

    ReminderRule.objects.create(kind=ReminderKind.REPORT_DUE, days=7)
    ReminderRule.objects.create(kind=ReminderKind.REPORT_OVERDUE, days=1)
    d = datetime.date
    main = f.PartnershipFactory(title="Utama", start_date=d(2025, 1, 1))
    summer = f.PartnershipFactory(title="Musim panas", start_date=d(2025, 1, 1))
    for p in (main, summer):
        p.coordinators.add(coordinator)
    rep = f.UserFactory(email="wakil@example.org", preferred_language="en")

    def member(name, partnership, frequency, joined, left=None):
        org = f.OrganisationFactory(name=name)
        org.representatives.add(rep)
        return f.MembershipFactory(partnership=partnership, organisation=org, reporting_frequency=frequency,
                                   joined_on=joined, left_on=left)

    return {
        "rep": rep, "coordinator": coordinator, "summer": summer,
        "monthly": member("Bulanan", main, "monthly", d(2025, 12, 1)),
        "quarterly": member("Triwulan", main, "quarterly", d(2025, 10, 1)),
        "half": member("Semester", main, "half_yearly", d(2026, 1, 1)),
        "yearly": member("Tahunan", main, "yearly", d(2025, 1, 1)),
        "joins": member("Baru", main, "quarterly", d(2026, 5, 10)),
        "leaves": member("Pamit", main, "quarterly", d(2025, 1, 1), left=d(2026, 8, 15)),
        "paused": member("Jeda", summer, "quarterly", d(2025, 1, 1)),
    }


def _agreement_events(m):
    d = datetime.date

    def report(key, start, end, accept=False, give_back=False):
        def do():
            membership = m[key]
            draft = f.ContributionReportFactory(membership=membership, created_by=m["rep"], period_start=start,
                                                period_end=end)
            submitted = partner_services.report_submit(report=draft, user=m["rep"])
            if give_back:
                partner_services.report_return(report=submitted, user=m["coordinator"], reason="Kurang bukti.")
            elif accept:
                partner_services.report_accept(report=submitted, user=m["coordinator"])
        return do

    def resubmit(key, start):
        def do():
            returned = ContributionReport.objects.get(membership=m[key], period_start=start)
            partner_services.report_resubmit(report=returned, user=m["rep"])
        return do

    def status(value):
        return lambda: partner_services.partnership_set_status(partnership=m["summer"], user=m["coordinator"],
                                                               status=value, reason="Jeda musim panas.")

    return {
        d(2026, 2, 10): [report("monthly", d(2026, 1, 1), d(2026, 1, 31))],  # on time (due 14 Feb)
        d(2026, 3, 20): [report("monthly", d(2026, 2, 1), d(2026, 2, 28), accept=True)],  # late (due 14 Mar)
        d(2026, 4, 20): [report("quarterly", d(2026, 1, 1), d(2026, 3, 31))],  # late (due 14 Apr)
        d(2026, 5, 14): [report("monthly", d(2026, 4, 1), d(2026, 4, 30))],  # on its due day
        d(2026, 6, 1): [status("paused")],
        d(2026, 6, 15): [report("quarterly", d(2026, 4, 1), d(2026, 6, 30))],  # early, during the period
        d(2026, 7, 14): [report("half", d(2026, 1, 1), d(2026, 6, 30))],  # on its due day
        d(2026, 9, 1): [status("active")],
        d(2026, 10, 1): [report("monthly", d(2026, 9, 1), d(2026, 9, 30))],
        d(2026, 10, 10): [report("quarterly", d(2026, 7, 1), d(2026, 9, 30), give_back=True)],  # returned
        d(2026, 10, 20): [resubmit("quarterly", d(2026, 7, 1))],
        d(2026, 11, 30): [report("yearly", d(2026, 1, 1), d(2026, 12, 31))],  # early, for 2026
    }


def test_pages_and_reminders_agree_on_every_day_of_a_year(client, members, settings):
    from django.core.cache import caches
    from django.urls import reverse

    from evaluations.models import ReminderKind
    from partners.deadlines import Deadlines, Period

    settings.REMINDER_FLUSH_SECONDS = 60
    rules = Deadlines.load()
    events = _agreement_events(members)
    names = {m.pk: m.organisation.name for m in Membership.objects.select_related("organisation")}
    seen = {"overdue": 0, "due": 0, "days_with_overdue": 0}
    day, last_log = datetime.date(2026, 1, 1), 0
    while day <= datetime.date(2026, 12, 31):
        with time_machine.travel(datetime.datetime.combine(day, datetime.time(9, 0), tzinfo=JAKARTA), tick=False):
            for event in events.get(day, []):
                event()
            caches["fragments"].clear()
            client.force_login(members["coordinator"])
            dashboard = client.get(reverse("workspace:home")).context
            client.force_login(members["rep"])
            home = client.get(reverse("workspace:partner_home")).context
            send_due_reminders(today=day)
        sent = {ReminderKind.REPORT_DUE: set(), ReminderKind.REPORT_OVERDUE: set()}
        for log in ReminderLog.objects.filter(pk__gt=last_log, kind__in=list(sent)).order_by("pk"):
            sent[log.kind].add((names[log.object_id], rules.report_due(Period.from_key(log.period))))
        last_log = ReminderLog.objects.order_by("pk").values_list("pk", flat=True).last() or last_log
        overdue = {(d.organisation_name, d.due) for d in home["overdue"] if d.kind == "report"}
        upcoming = {(d.organisation_name, d.due) for d in home["upcoming"] if d.kind == "report"}
        week = datetime.timedelta(days=7)

        # the dashboard counts exactly the members the partner home lists as overdue
        assert sum(row.reports_overdue for row in dashboard["rows"]) == len(overdue), day
        # each report is overdue (home) from the day after its due date, and reminded that very day
        assert {due for _org, due in overdue} <= {day - datetime.timedelta(days=n) for n in range(1, 400)}, day
        assert sent[ReminderKind.REPORT_OVERDUE] == {(org, due) for org, due in overdue
                                                     if due == day - datetime.timedelta(days=1)}, day
        # a "due" reminder is about a report the home lists as upcoming, due within its 7 days
        assert sent[ReminderKind.REPORT_DUE] <= upcoming, day
        assert {(org, due) for org, due in upcoming if due == day + week} <= sent[ReminderKind.REPORT_DUE], day
        assert all(day <= due <= day + week for _org, due in sent[ReminderKind.REPORT_DUE]), day
        seen["overdue"] += len(sent[ReminderKind.REPORT_OVERDUE])
        seen["due"] += len(sent[ReminderKind.REPORT_DUE])
        seen["days_with_overdue"] += bool(overdue)
        day += datetime.timedelta(days=1)

    # the year was not empty: the story had overdue and due reports on many days
    assert seen["overdue"] >= 10 and seen["due"] >= 15 and seen["days_with_overdue"] >= 200, seen
