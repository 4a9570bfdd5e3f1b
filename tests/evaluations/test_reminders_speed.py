"""The reminder job at scale: queries that grow with chunks and batches, never with reminders;
pending rows read a page at a time and locked by primary key; one mail connection for the run;
and every mail still exactly as written, hostile text included.
"""
import datetime
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations import reminders
from evaluations.models import EvaluationCycle, FollowUpAction, ReminderLog
from evaluations.reminders import send_due_reminders
from partners.models import ContributionReport, Membership, Partnership
from tests import factories as f

D = datetime.date.fromisoformat

HOSTILE_TITLE = 'Kemitraan "A" & <B>  dua   spasi\n baris %(x)s {{ y }} RMD-00000000-name- '
HOSTILE_ORG = "Yayasan Ibu & Anak <script>'x'</script> %s"
HOSTILE_NAME = "Zul & Budi <Sari>  RMD-12345678-url-"
DAYS = ["2026-04-07", "2026-04-08", "2026-04-13", "2026-04-17", "2026-04-18", "2026-06-27", "2026-07-01"]


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = "https://kemitraan.example/x?a=1&b=2"
    settings.REMINDER_FLUSH_SECONDS = 60


@pytest.fixture
def every_kind(coordinator, partnership, org_a, org_b, membership_a, membership_b, partner_a, partner_b):
    """Reminders of every kind over the days of DAYS, to readers of both languages, with hostile text."""
    Partnership.objects.filter(pk=partnership.pk).update(title=HOSTILE_TITLE)
    org_a.name = HOSTILE_ORG
    org_a.save()
    partner_a.full_name = HOSTILE_NAME
    partner_a.save()
    f.UserFactory(email="rekan.a@example.org", full_name="Rina  Wati", preferred_language="en").organisations.add(org_a)
    for user in (partner_b, coordinator):
        user.preferred_language = "en"
        user.save()
    f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN)
    f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN, due_date=D("2026-04-10"),
                             period_start=D("2025-10-01"), period_end=D("2025-12-31"))
    title = '  Perbaiki "atap" & <pagar>\n  %(due)s  '
    f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_b, due_date=D("2026-04-10"), title=title)
    f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_a, due_date=D("2026-06-30"), title=title)
    f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_b, due_date=D("2026-06-30"))
    Membership.objects.filter(pk=membership_a.pk).update(commitment_end=D("2026-05-01"))
    Membership.objects.filter(pk=membership_b.pk).update(commitment_end=D("2026-05-08"), reporting_frequency="monthly")
    for membership, when in ((membership_a, "2026-04-01 10:00"), (membership_a, "2026-04-02 11:00"),
                             (membership_b, "2026-04-01 23:30")):
        f.ContributionReportFactory(membership=membership, status=ContributionReport.Status.SUBMITTED,
                                    submitted_at=timezone.make_aware(datetime.datetime.fromisoformat(when)),
                                    period_start=D("2025-10-01"), period_end=D("2025-12-31"))


def _mails():
    out = []
    for message in mail.outbox:
        log = ReminderLog.objects.get(pk=message.extra_headers["X-Kemitraan-Reminder"])
        [(html, mimetype)] = message.alternatives
        out.append(((log.kind, log.object_id, log.period, message.to[0]), message.subject, message.body, html,
                    mimetype, message.extra_headers))
    return sorted(out)


def _run_all_days():
    for day in DAYS:
        send_due_reminders(today=D(day))
    return _mails()


def test_hostile_text_arrives_as_written(every_kind):
    mails = _run_all_days()
    assert {m[0][0] for m in mails} == {
        "report_due", "report_overdue", "evaluation_due", "evaluation_overdue", "action_due", "action_overdue",
        "commitment_ending", "review_digest",
    }
    to_ana = [m for m in mails if m[0][3] == "mitra.a@example.org" and m[0][0] == "report_due"]
    [(_key, subject, body, html, _mimetype, _headers)] = to_ana
    assert f"{HOSTILE_NAME}," in body and "Zul &amp; Budi &lt;Sari&gt;  RMD-12345678-url-" in html
    assert HOSTILE_ORG in body and "Yayasan Ibu &amp; Anak &lt;script&gt;&#x27;x&#x27;&lt;/script&gt; %s" in html
    assert HOSTILE_TITLE in body  # as it is stored
    assert "https://kemitraan.example/x?a=1&amp;b=2/laporan/new/?membership=" in html
    [(_key, subject, body, html, _mimetype, _headers)] = [
        m for m in mails if m[0][3] == "rekan.a@example.org" and m[0][:3] == ("evaluation_due", m[0][1], "2026-04-15")
    ]
    assert subject.startswith(f"Reminder: the evaluation of {' '.join(HOSTILE_TITLE.split())} is due")
    assert "RMD-00000000-name-" in body and "Rina  Wati" in body and HOSTILE_NAME not in body


def test_each_mail_shows_its_own_object_in_its_readers_language(partnership, org_b, partner_b):
    for n in range(40):
        f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_b, due_date=D("2026-06-30"),
                                title=f"Tindakan {n}")
    f.UserFactory(email="rekan.b@example.org", preferred_language="en").organisations.add(org_b)
    assert send_due_reminders(today=D("2026-06-27")).sent == 80
    for message in mail.outbox:
        title = message.subject.split("“")[1].split("”")[0]
        assert message.body.count(title) == 1 and message.alternatives[0][0].count(title) == 2  # <title>, body
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == 80
    assert {m.extra_headers["Content-Language"] for m in mail.outbox} == {"id", "en"}


class CountingBackend(LocmemBackend):
    """The test outbox, counting the connections opened; refuses mail to one address."""

    opened = 0

    def open(self):
        CountingBackend.opened += 1
        return True

    def send_messages(self, messages):
        if any(message.to == ["tolak@example.org"] for message in messages):
            raise smtplib.SMTPRecipientsRefused({"tolak@example.org": (550, b"no such user")})
        return super().send_messages(messages)


def test_one_mail_connection_for_the_run_and_a_fresh_one_after_an_error(partnership, settings):
    settings.EMAIL_BACKEND = "tests.evaluations.test_reminders_speed.CountingBackend"
    CountingBackend.opened = 0
    for email in ("satu@example.org", "tolak@example.org", "dua@example.org", "tiga@example.org"):
        membership = f.MembershipFactory(partnership=partnership)
        membership.organisation.representatives.add(f.UserFactory(email=email))
    result = send_due_reminders(today=D("2026-04-07"))
    assert (result.sent, result.retry) == (3, 1)
    assert CountingBackend.opened == 2  # the second mail was refused: the third one opened a fresh connection
    assert ReminderLog.objects.get(recipient__email="tolak@example.org").status == "pending"


def test_claimed_counts_the_rows_this_run_inserted(partner_a, partner_b):
    assert send_due_reminders(today=D("2026-04-07")).claimed == 2
    ReminderLog.objects.filter(recipient=partner_b).delete()
    again = send_due_reminders(today=D("2026-04-07"))
    assert (again.found, again.claimed, again.sent) == (2, 1, 1)
    assert send_due_reminders(today=D("2026-04-07"), dry_run=True).would_send == 0


def test_a_row_a_peer_sent_after_the_page_was_read_is_not_sent_again(partnership, monkeypatch):
    for _ in range(3):
        f.MembershipFactory(partnership=partnership).organisation.representatives.add(f.UserFactory())
    after = reminders.sending.PendingIds.after

    def peer_sends_the_first(self, last_id, count):
        ids = after(self, last_id, count)
        if ids and last_id == 0:
            ReminderLog.objects.filter(pk=ids[0]).update(status="sent", attempts=1)
        return ids

    monkeypatch.setattr(reminders.sending.PendingIds, "after", peer_sends_the_first)
    result = send_due_reminders(today=D("2026-04-07"))
    assert (result.claimed, result.sent) == (3, 2)
    assert len(mail.outbox) == 2
    assert list(ReminderLog.objects.values_list("status", "attempts")) == [("sent", 1)] * 3


def test_a_row_claimed_meanwhile_by_another_worker_is_sent_in_the_same_run(partnership, partner_a, monkeypatch):
    f.MembershipFactory(partnership=partnership).organisation.representatives.add(f.UserFactory())
    after = reminders.sending.PendingIds.after
    cycle = f.EvaluationCycleFactory(partnership=partnership, status=EvaluationCycle.Status.OPEN)

    def peer_claims_one_more(self, last_id, count):
        ids = after(self, last_id, count)
        if last_id == 0:  # another worker claims a reminder once this run has read its page
            ReminderLog.objects.create(recipient=partner_a, kind="evaluation_due", target=cycle, period="2026-04-15")
        return ids

    monkeypatch.setattr(reminders.sending.PendingIds, "after", peer_claims_one_more)
    result = send_due_reminders(today=D("2026-04-07"))
    assert (result.claimed, result.sent) == (2, 3)
    assert ReminderLog.objects.filter(status="pending").count() == 0


def test_pending_ids_are_read_a_page_at_a_time(partnership, settings, monkeypatch):
    settings.REMINDER_BATCH_SIZE = 2
    monkeypatch.setattr(reminders.sending, "PAGE_BATCHES", 2)  # pages of 4 ids
    for _ in range(9):
        f.MembershipFactory(partnership=partnership).organisation.representatives.add(f.UserFactory())
    with CaptureQueriesContext(connection) as ctx:
        assert send_due_reminders(today=D("2026-04-07")).sent == 9
    pages = [q["sql"] for q in ctx.captured_queries
             if q["sql"].startswith('SELECT "evaluations_reminderlog"."id" AS "pk" FROM') and "LIMIT" in q["sql"]]
    assert len(pages) == 4  # 4 + 4 + 1 ids, then one more read that finds no more
    assert len({m.to[0] for m in mail.outbox}) == 9 == len(mail.outbox)


def _queries_for_actions(partnership, org_b, count):
    for n in range(count):
        f.FollowUpActionFactory(partnership=partnership, owner_organisation=org_b, due_date=D("2026-06-30"),
                                title=f"Tindakan {n}")
    with CaptureQueriesContext(connection) as ctx:
        assert send_due_reminders(today=D("2026-06-27")).sent == count
    return len(ctx.captured_queries)


def test_queries_grow_with_chunks_and_batches_not_with_reminders(partnership, org_b, partner_b, settings,
                                                                   monkeypatch):
    # 3 chunks of what is due and 3 batches of mails, once with 3 reminders in each, once with 6
    settings.REMINDER_BATCH_SIZE = 3
    monkeypatch.setattr(reminders.due, "CHUNK", 3)
    few = _queries_for_actions(partnership, org_b, 9)
    ReminderLog.objects.all().delete()
    FollowUpAction.objects.all().delete()
    settings.REMINDER_BATCH_SIZE = 6
    monkeypatch.setattr(reminders.due, "CHUNK", 6)
    many = _queries_for_actions(partnership, org_b, 18)
    assert few == many
