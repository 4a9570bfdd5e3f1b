"""The reminder job, kind by kind: when each fires, when it does not, and what the mail holds."""
import datetime
import re
import smtplib
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django.utils.translation import gettext
from django_celery_beat.models import PeriodicTask

from evaluations.models import (
    EvaluationCycle,
    EvaluationResponse,
    FollowUpAction,
    ReminderKind,
    ReminderLog,
    ReminderRule,
)
from evaluations.reminders import absolute_url, send_due_reminders
from partners.models import ContributionReport, Frequency, Membership
from tests import factories as f

D = datetime.date.fromisoformat


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, messages):
        raise smtplib.SMTPServerDisconnected("connection unexpectedly closed")


def run(day, **kwargs):
    return send_due_reminders(today=D(day), **kwargs)


def logged(status=None, kind=""):
    rows = ReminderLog.objects.order_by("pk").filter(kind__startswith=kind)
    if status:
        rows = rows.filter(status=status)
    return [(row.recipient.email, row.kind, row.period) for row in rows]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://kemitraan.example"
    settings.REMINDER_FLUSH_SECONDS = 60


# --- contribution reports ----------------------------------------------------------


def test_report_due_is_sent_seven_days_before_the_due_date(partner_a):
    # Q1 ends 31 March; the report is due 14 days later, on 14 April; reminder 7 days before.
    assert run("2026-04-06").sent == 0
    assert run("2026-04-07").sent == 1
    assert logged() == [("mitra.a@example.org", "report_due", "2026-Q1")]
    assert mail.outbox[0].to == ["mitra.a@example.org"]


def test_report_due_is_caught_up_after_missed_days_but_not_after_the_due_date(partner_a):
    assert run("2026-04-12").sent == 1  # the job did not run from 7 to 11 April
    ReminderLog.objects.all().delete()
    assert run("2026-04-15").sent == 0  # due date passed: only "overdue" from now on


def test_report_due_goes_to_every_representative_of_the_member(partner_a, org_a):
    colleague = f.UserFactory(email="rekan.a@example.org")
    org_a.representatives.add(colleague)
    f.UserFactory(email="nonaktif.a@example.org", is_active=False).organisations.add(org_a)
    run("2026-04-07")
    assert sorted(m.to[0] for m in mail.outbox) == ["mitra.a@example.org", "rekan.a@example.org"]


@pytest.mark.parametrize("status", ["submitted", "accepted"])
def test_report_due_is_not_sent_when_the_report_is_in(partner_a, membership_a, status):
    f.ContributionReportFactory(membership=membership_a, status=status, submitted_at=timezone.now())
    assert run("2026-04-07").found == 0
    assert mail.outbox == []


@pytest.mark.parametrize("status", ["draft", "returned"])
def test_report_due_is_still_sent_for_a_draft_or_returned_report(partner_a, membership_a, status):
    f.ContributionReportFactory(membership=membership_a, status=status, return_reason="Kurang bukti")
    assert run("2026-04-07").sent == 1


@pytest.mark.parametrize(("joined_on", "left_on"), [
    ("2026-01-01", "2026-03-30"),  # left before the period's last day
    ("2026-01-02", None),  # joined during the period (partners.deadlines: who owes a report)
    ("2026-04-02", None),  # joined after it
])
def test_report_due_is_only_for_members_of_the_whole_period(partner_a, membership_a, joined_on, left_on):
    Membership.objects.filter(pk=membership_a.pk).update(
        joined_on=D(joined_on), left_on=D(left_on) if left_on else None
    )
    assert run("2026-04-07").sent == 0


def test_report_due_for_a_member_that_leaves_on_the_period_end(partner_a, membership_a):
    Membership.objects.filter(pk=membership_a.pk).update(left_on=D("2026-03-31"))
    assert run("2026-04-07").sent == 1


def test_report_due_follows_the_membership_reporting_frequency(partner_a, membership_a):
    Membership.objects.filter(pk=membership_a.pk).update(reporting_frequency=Frequency.MONTHLY)
    # January ends on the 31st, due 14 February, reminder on 7 February.
    assert run("2026-02-07").sent == 1
    assert logged() == [("mitra.a@example.org", "report_due", "2026-01")]


def test_report_overdue_is_sent_three_days_after_the_due_date(partner_a):
    assert run("2026-04-16").sent == 0
    assert run("2026-04-17").sent == 1
    assert logged() == [("mitra.a@example.org", "report_overdue", "2026-Q1")]
    assert "2026-Q1" not in mail.outbox[0].subject  # the subject speaks words, not keys


def test_report_overdue_is_not_sent_once_the_report_is_accepted(partner_a, membership_a):
    f.ContributionReportFactory(membership=membership_a, status="accepted")
    assert run("2026-04-17").sent == 0


def test_report_overdue_catches_up_within_the_window_only(partner_a, settings):
    settings.REMINDER_CATCH_UP_DAYS = 14
    assert run("2026-04-30").sent == 1  # 13 days late: still sent
    ReminderLog.objects.all().delete()
    assert run("2026-05-01").sent == 0  # 14 days late: too old to mail about


def test_no_report_reminders_for_a_paused_partnership(partner_a, partnership):
    partnership.status = "paused"
    partnership.save()
    assert run("2026-04-07").found == 0


# --- evaluations -------------------------------------------------------------------


@pytest.fixture
def cycle(partnership):
    return f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN)


def test_evaluation_due_goes_to_members_that_have_not_answered(cycle, partner_a, partner_b, membership_b):
    f.EvaluationResponseFactory(cycle=cycle, membership=membership_b, status="submitted")
    run("2026-04-07")  # due 15 April: 8 days before
    assert logged(kind="evaluation") == []
    run("2026-04-08")
    assert logged(kind="evaluation") == [("mitra.a@example.org", "evaluation_due", "2026-04-15")]


def test_evaluation_due_still_reminds_a_member_with_a_draft_answer(cycle, partner_a, membership_a):
    f.EvaluationResponseFactory(cycle=cycle, membership=membership_a, status=EvaluationResponse.Status.DRAFT)
    run("2026-04-08")
    assert logged(kind="evaluation") == [("mitra.a@example.org", "evaluation_due", "2026-04-15")]


def test_evaluation_due_skips_members_not_asked(cycle, partner_a, membership_a, partner_b, membership_b):
    Membership.objects.filter(pk=membership_a.pk).update(left_on=D("2026-03-30"))  # left during the period
    Membership.objects.filter(pk=membership_b.pk).update(joined_on=D("2026-04-01"))  # joined after it
    run("2026-04-08")
    assert logged(kind="evaluation") == []


def test_evaluation_overdue_is_sent_while_the_cycle_is_open(cycle, partner_a):
    run("2026-04-17")
    assert logged(kind="evaluation") == []
    run("2026-04-18")
    assert logged(kind="evaluation") == [("mitra.a@example.org", "evaluation_overdue", "2026-04-15")]


@pytest.mark.parametrize("status", ["scheduled", "closed"])
def test_evaluation_reminders_need_an_open_cycle(cycle, partner_a, status):
    EvaluationCycle.objects.filter(pk=cycle.pk).update(status=status)
    run("2026-04-08")
    run("2026-04-18")
    assert logged(kind="evaluation") == []


def test_moving_the_due_date_earns_a_fresh_reminder(cycle, partner_a):
    run("2026-04-08")
    EvaluationCycle.objects.filter(pk=cycle.pk).update(due_date=D("2026-04-30"))
    run("2026-04-23")
    assert logged(kind="evaluation") == [
        ("mitra.a@example.org", "evaluation_due", "2026-04-15"),
        ("mitra.a@example.org", "evaluation_due", "2026-04-30"),
    ]


# --- follow-up actions -------------------------------------------------------------


@pytest.fixture
def action(partnership, org_b, partner_b):
    return f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_b, due_date=D("2026-06-30"))


def test_action_due_goes_to_the_owner_three_days_before(action, partner_a):
    assert run("2026-06-26").sent == 0
    run("2026-06-27")
    assert logged() == [("mitra.b@example.org", "action_due", "2026-06-30")]


def test_action_overdue_is_sent_the_day_after(action):
    run("2026-07-01")
    assert logged() == [("mitra.b@example.org", "action_overdue", "2026-06-30")]


@pytest.mark.parametrize("status", ["done", "cancelled"])
def test_no_action_reminder_once_done_or_cancelled(action, status):
    FollowUpAction.objects.filter(pk=action.pk).update(status=status)
    assert run("2026-06-27").found == 0
    assert run("2026-07-01").found == 0


def test_action_in_progress_is_still_reminded(action):
    FollowUpAction.objects.filter(pk=action.pk).update(status="in_progress")
    assert run("2026-06-27").sent == 1


# --- commitments ---------------------------------------------------------------------


def test_commitment_ending_is_sent_thirty_days_before_the_end(partner_a, membership_a):
    Membership.objects.filter(pk=membership_a.pk).update(commitment_end=D("2026-09-30"))
    assert run("2026-08-30").sent == 0
    run("2026-08-31")
    assert logged() == [("mitra.a@example.org", "commitment_ending", "2026-09-30")]
    assert "30 September 2026" in mail.outbox[0].body


def test_commitment_ending_not_sent_for_a_member_that_left(partner_a, membership_a):
    Membership.objects.filter(pk=membership_a.pk).update(commitment_end=D("2026-09-30"), left_on=D("2026-08-01"))
    assert run("2026-08-31").found == 0


# --- review digest -------------------------------------------------------------------


def _submitted(membership, when):
    return f.ContributionReportFactory(
        membership=membership, status=ContributionReport.Status.SUBMITTED,
        submitted_at=timezone.make_aware(datetime.datetime.fromisoformat(when)),
    )


def test_review_digest_goes_to_coordinators_after_three_days_waiting(coordinator, membership_a, partner_a):
    coordinator.preferred_language = "en"
    coordinator.save()
    report = _submitted(membership_a, "2026-04-10 16:00")
    assert run("2026-04-12").sent == 0
    run("2026-04-13")
    assert logged() == [("koordinator@example.org", "review_digest", "2026-W16")]
    digest = mail.outbox[0]
    assert report.membership.organisation.name in digest.body
    assert "1 contribution report" in digest.subject


def test_review_digest_at_most_once_a_week_and_not_once_reviewed(coordinator, membership_a, partner_a):
    report = _submitted(membership_a, "2026-04-10 16:00")
    for day in range(13, 20):  # Monday 13 to Sunday 19 April: ISO week 16
        run(f"2026-04-{day}")
    assert len(mail.outbox) == 1
    run("2026-04-20")  # week 17, still waiting
    assert len(mail.outbox) == 2
    ContributionReport.objects.filter(pk=report.pk).update(status="accepted")
    run("2026-04-27")
    assert len(mail.outbox) == 2


# --- the mail itself -------------------------------------------------------------------


@pytest.mark.parametrize(("language", "month"), [("id", "Mei"), ("en", "May")])
def test_mail_is_in_the_recipients_language(partner_a, membership_a, language, month):
    partner_a.preferred_language = language
    partner_a.save()
    Membership.objects.filter(pk=membership_a.pk).update(commitment_end=D("2026-05-31"))
    run("2026-05-01")
    message = mail.outbox[0]
    html = message.alternatives[0][0]
    assert message.extra_headers["Content-Language"] == language
    assert f'<html lang="{language}">' in html
    assert f"31 {month} 2026" in message.body and f"31 {month} 2026" in html
    assert f"31 {month} 2026" in message.subject


def test_mail_has_a_text_and_an_html_part_with_an_absolute_link(partner_a, membership_a):
    run("2026-04-07")
    message = mail.outbox[0]
    assert message.content_subtype == "plain"
    [(html, mimetype)] = message.alternatives
    assert mimetype == "text/html"
    assert "<p>" in html and "<p>" not in message.body
    link = f"https://kemitraan.example/laporan/new/?membership={membership_a.pk}"
    assert link in message.body
    assert f'href="{link}"' in html
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"


def test_each_kind_links_to_the_page_where_the_recipient_acts(
    coordinator, partnership, partner_a, membership_a, partner_b, org_b
):
    cycle = f.EvaluationCycleFactory(partnership=partnership, status="open")
    action = f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_b, due_date=D("2026-04-10"))
    Membership.objects.filter(pk=membership_a.pk).update(commitment_end=D("2026-05-01"))
    _submitted(membership_a, "2026-04-01 10:00")
    run("2026-04-08")
    links = {
        ReminderLog.objects.get(pk=m.extra_headers["X-Kemitraan-Reminder"]).kind: m.body for m in mail.outbox
    }
    site = "https://kemitraan.example"
    assert f"{site}/evaluasi/{cycle.pk}/" in links["evaluation_due"]
    assert f"{site}/tindak-lanjut/{action.pk}/" in links["action_due"]
    assert f"{site}/mitra/" in links["commitment_ending"]
    assert f"{site}/kemitraan/reviews/?partnership={partnership.pk}" in links["review_digest"]


def test_text_part_is_not_html_escaped(partner_a, org_a):
    org_a.name = "Yayasan Ibu & Anak"
    org_a.save()
    run("2026-04-07")
    assert "Yayasan Ibu & Anak" in mail.outbox[0].body
    assert "Yayasan Ibu &amp; Anak" in mail.outbox[0].alternatives[0][0]


def test_recipients_of_the_same_reminder_each_get_their_own_name_and_language(partner_a, org_a):
    partner_a.full_name = "Zul & Budi <Sari>"
    partner_a.save()
    f.UserFactory(email="rekan.a@example.org", full_name="Rina Wati", preferred_language="en").organisations.add(org_a)
    run("2026-04-07")
    mails = {m.to[0]: m for m in mail.outbox}
    ana, rina = mails["mitra.a@example.org"], mails["rekan.a@example.org"]
    with translation.override("id"):
        hello_ana = gettext("Hello %(name)s,")  # "Halo …" once the Indonesian catalogue has it
    assert hello_ana % {"name": "Zul & Budi <Sari>"} in ana.body
    assert hello_ana % {"name": "Zul &amp; Budi &lt;Sari&gt;"} in ana.alternatives[0][0]
    assert "Hello Rina Wati," in rina.body and "Hello Rina Wati," in rina.alternatives[0][0]
    assert "Zul" not in rina.body and "Rina" not in ana.body
    assert "14 April 2026" in ana.body and "RECIPIENT-NAME" not in ana.body + rina.alternatives[0][0]
    assert (ana.extra_headers["Content-Language"], rina.extra_headers["Content-Language"]) == ("id", "en")


def test_absolute_url_falls_back_to_the_site_root():
    assert absolute_url("evaluations:no_such_page") == "https://kemitraan.example/"
    assert absolute_url("health") == "https://kemitraan.example/health/"


# --- exactly once ------------------------------------------------------------------------


def test_running_twice_sends_nothing_more(partner_a, partner_b, cycle):
    first = run("2026-04-08")
    second = run("2026-04-08")
    assert (first.sent, second.found, second.sent) == (4, 4, 0)
    assert len(mail.outbox) == 4
    assert sorted(logged(status="sent")) == [
        ("mitra.a@example.org", "evaluation_due", "2026-04-15"),
        ("mitra.a@example.org", "report_due", "2026-Q1"),
        ("mitra.b@example.org", "evaluation_due", "2026-04-15"),
        ("mitra.b@example.org", "report_due", "2026-Q1"),
    ]


def test_a_pending_row_left_by_a_killed_run_is_sent_by_the_next_run(partner_a, membership_a):
    ReminderLog.objects.create(
        recipient=partner_a, kind=ReminderKind.REPORT_DUE,
        content_type=ContentType.objects.get_for_model(Membership), object_id=membership_a.pk, period="2026-Q1",
    )
    assert run("2026-04-09").sent == 1
    assert logged(status="sent") == [("mitra.a@example.org", "report_due", "2026-Q1")]
    assert len(mail.outbox) == 1


def test_mail_error_leaves_the_row_pending_and_the_next_run_sends_it(partner_a, settings):
    settings.EMAIL_BACKEND = "tests.evaluations.test_reminders.FailingBackend"
    result = run("2026-04-07")
    assert (result.sent, result.retry) == (0, 1)
    row = ReminderLog.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)
    assert "SMTPServerDisconnected" in row.last_error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert run("2026-04-08").sent == 1
    row.refresh_from_db()
    assert (row.status, row.attempts, row.last_error) == ("sent", 2, "")
    assert len(mail.outbox) == 1


def test_row_fails_for_good_after_the_maximum_attempts(partner_a, settings):
    settings.EMAIL_BACKEND = "tests.evaluations.test_reminders.FailingBackend"
    settings.REMINDER_MAX_ATTEMPTS = 2
    assert run("2026-04-07").retry == 1
    assert run("2026-04-07").failed == 1
    assert run("2026-04-07").found == 1
    row = ReminderLog.objects.get()
    assert (row.status, row.attempts) == ("failed", 2)


def test_reminder_about_a_deleted_object_is_marked_failed(partner_a, action):
    ReminderLog.objects.create(
        recipient=partner_a, kind=ReminderKind.ACTION_DUE,
        content_type=ContentType.objects.get_for_model(FollowUpAction), object_id=action.pk + 1000, period="x",
    )
    result = run("2026-01-02")
    assert (result.sent, result.failed) == (0, 1)
    assert "no longer exists" in ReminderLog.objects.get().last_error


def test_pending_rows_older_than_the_catch_up_window_expire(partner_a, membership_a):
    row = ReminderLog.objects.create(
        recipient=partner_a, kind=ReminderKind.REPORT_DUE,
        content_type=ContentType.objects.get_for_model(Membership), object_id=membership_a.pk, period="2026-Q1",
    )
    ReminderLog.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(days=15))
    assert run("2026-01-02").sent == 0
    row.refresh_from_db()
    assert row.status == "failed" and row.last_error.startswith("expired")


def test_dry_run_writes_and_sends_nothing(partner_a, partner_b):
    lines = []
    result = run("2026-04-07", dry_run=True, on_item=lambda line, status: lines.append((line, status)))
    assert result.would_send == 2
    assert ReminderLog.objects.count() == 0 and mail.outbox == []
    assert {(line.recipient, line.kind, line.period, status) for line, status in lines} == {
        ("mitra.a@example.org", "report_due", "2026-Q1", "would send"),
        ("mitra.b@example.org", "report_due", "2026-Q1", "would send"),
    }
    run("2026-04-07")
    assert run("2026-04-07", dry_run=True).would_send == 0


# --- rules ------------------------------------------------------------------------------------


def test_rule_days_are_read_from_the_database(partner_a):
    ReminderRule.objects.create(kind=ReminderKind.REPORT_DUE, days=10)
    assert run("2026-04-04").sent == 1


def test_an_inactive_rule_switches_the_kind_off(partner_a):
    ReminderRule.objects.create(kind=ReminderKind.REPORT_DUE, days=7, is_active=False)
    assert run("2026-04-07").found == 0


# --- batching ---------------------------------------------------------------------------------


def _due_members(partnership, count):
    for _ in range(count):
        membership = f.MembershipFactory(partnership=partnership)
        membership.organisation.representatives.add(f.UserFactory())


def _queries(day):
    with CaptureQueriesContext(connection) as ctx:
        result = run(day)
    return len(ctx.captured_queries), result.sent


def test_queries_grow_with_batches_not_with_reminders(partnership, settings):
    settings.REMINDER_BATCH_SIZE = 500
    _due_members(partnership, 3)
    few, sent_few = _queries("2026-04-07")
    ReminderLog.objects.all().delete()
    _due_members(partnership, 40)
    many, sent_many = _queries("2026-04-07")
    assert (sent_few, sent_many) == (3, 43)
    assert few == many
    assert few <= 40, few


def test_small_batches_send_everything_once(partnership, settings):
    settings.REMINDER_BATCH_SIZE = 4
    _due_members(partnership, 10)
    assert run("2026-04-07").sent == 10
    assert len({m.to[0] for m in mail.outbox}) == 10 == len(mail.outbox)


def test_batch_ends_after_the_flush_interval(partnership, settings):
    settings.REMINDER_FLUSH_SECONDS = 0  # commit after every mail
    _due_members(partnership, 3)
    with CaptureQueriesContext(connection) as ctx:
        assert run("2026-04-07").sent == 3
    marks = [q["sql"] for q in ctx.captured_queries if q["sql"].startswith("UPDATE") and "sent" in q["sql"]]
    assert len(marks) == 3
    # after an early end, the next batch locks only about what one interval sends
    selects = [q["sql"] for q in ctx.captured_queries
               if q["sql"].startswith("SELECT") and 'FROM "evaluations_reminderlog"' in q["sql"]]
    by_id = '"evaluations_reminderlog"."id" IN ('
    locks = [sql for sql in selects if by_id in sql]
    assert [len(re.findall(r"\b\d+\b", sql.split(by_id, 1)[1].split("ORDER BY")[0])) for sql in locks] == [3, 2, 1]
    # the pending ids are read a page of 50 batches at a time (and once more at the end)
    pages = [sql for sql in selects if sql not in locks and "LIMIT" in sql]
    assert [sql.rsplit("LIMIT", 1)[1].split()[0] for sql in pages] == ["25000", "25000"]


# --- command -------------------------------------------------------------------------------


def test_send_reminders_command_prints_each_reminder_and_a_total(partner_a, partner_b):
    out = StringIO()
    call_command("send_reminders", "--today", "2026-04-07", "--dry-run", stdout=out)
    assert "would send\tmitra.a@example.org\treport_due\tmembership #" in out.getvalue()
    assert "2 reminder(s) would be sent" in out.getvalue()
    assert ReminderLog.objects.count() == 0
    out = StringIO()
    call_command("send_reminders", "--today", "2026-04-07", stdout=out)
    assert out.getvalue().count("sent\t") == 2
    assert "2 sent, 0 to retry, 0 failed" in out.getvalue()
    out = StringIO()
    call_command("send_reminders", "--today", "2026-04-07", stdout=out)
    assert "0 sent" in out.getvalue()
    assert len(mail.outbox) == 2


def test_send_reminders_command_fails_loudly_on_mail_errors(partner_a, settings):
    settings.EMAIL_BACKEND = "tests.evaluations.test_reminders.FailingBackend"
    with pytest.raises(CommandError, match="stay pending"):
        call_command("send_reminders", "--today", "2026-04-07", stdout=StringIO())


def test_send_reminders_command_rejects_a_bad_date(db):
    with pytest.raises(CommandError, match="2026-04-15"):
        call_command("send_reminders", "--today", "15/04/2026")


def test_setup_schedules_is_idempotent_and_keeps_edited_rules(db):
    call_command("setup_schedules", stdout=StringIO())
    ReminderRule.objects.filter(kind="report_due").update(days=5)
    call_command("setup_schedules", stdout=StringIO())
    assert ReminderRule.objects.count() == 8
    assert ReminderRule.objects.get(kind="report_due").days == 5
    assert dict(ReminderRule.objects.values_list("kind", "days")) == {
        "report_due": 5, "report_overdue": 3, "evaluation_due": 7, "evaluation_overdue": 3,
        "action_due": 3, "action_overdue": 1, "commitment_ending": 30, "review_digest": 3,
    }
    tasks = {t.name: t for t in PeriodicTask.objects.select_related("crontab")}
    assert {t.task for t in tasks.values()} == {
        "evaluations.send_reminders", "evaluations.advance_cycles", "evaluations.close_due_decisions",
        "accounts.clear_expired_sessions",
    }
    daily = tasks["Send due reminders"].crontab
    assert (daily.minute, daily.hour, str(daily.timezone)) == ("0", "7", "Asia/Jakarta")
    assert tasks["Close due decisions"].crontab.hour == "*"
