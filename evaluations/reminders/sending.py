"""Claiming and sending: each reminder claimed once as a log row, then mailed and marked, exactly once.

How, and why this way
---------------------
1. Claim before sending. Every due reminder is first inserted as a ``ReminderLog`` row in
   status "pending" with ``bulk_create(ignore_conflicts=True)`` (``INSERT … ON CONFLICT DO
   NOTHING``) on the unique constraint (recipient, kind, object, period). The database, not
   the code, decides that a key exists once, whichever worker or run inserts it first. The
   keys already logged are read first (most reminders found on a day were claimed on an
   earlier day of their window), so the insert carries only new keys and their number is
   what the run reports as claimed.
2. Lock the pending rows to send. A batch of pending rows is selected with
   ``select_for_update(skip_locked=True)`` inside a transaction; a row another worker holds
   is skipped, so two workers running at the same moment share the rows and never send
   the same one. The lock is the lease: it lives exactly as long as the holder's database
   connection, so a worker killed with SIGKILL (or a lost server) releases its rows at
   once, without a claimed_at timeout to tune, and the next run finds them still pending
   and sends them: nothing is lost. Rows are read in primary-key order with a moving
   "id > last" cursor, so a row that failed in this run is not retried in a loop, and a
   row a peer marked "sent" meanwhile shows as sent once locked and is skipped. The ids
   come from pages of pending ids read without a lock (``PendingIds``, 50 batches a
   page), and each batch locks its ids by primary key: "the next 500 pending rows after
   id X" asked directly is answered from the status index by sorting every pending row, a
   cost that grows with the backlog on every batch.
3. Mark sent in the same transaction, which commits right after the mails of the batch
   were handed to the mail server. A batch ends at ``REMINDER_BATCH_SIZE`` rows or as soon
   as ``REMINDER_FLUSH_SECONDS`` (1 s) have passed since it began, whichever comes first.
   The one window left: a process killed after the SMTP server accepted a mail and before
   the commit leaves that row pending, and it is sent again once. That window is bounded
   to one flush interval; committing after every single mail would cost a transaction per
   mail. Each mail is handed over on its own (``send_messages([message])``) on one mail
   connection opened for the run, so a mail error is that mail's alone: the ones before
   it count as sent, the ones after it are tried on a fresh connection.
4. Mail errors (SMTP refusals, connection errors) leave the row pending with attempts + 1
   and last_error; the Celery task retries with exponential backoff and the next daily run
   tries again, until ``REMINDER_MAX_ATTEMPTS``, when the row becomes "failed". A row that
   can never be sent (object deleted, recipient inactive) is marked failed at once.

On SQLite (development, the test suite) ``select_for_update`` is a no-op and the database
serialises writers; several workers at once need PostgreSQL.
"""
from __future__ import annotations

import datetime
import logging
import smtplib
import time
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from partners.deadlines import Deadlines
from partners.models import Membership, Partnership

from ..models import EvaluationCycle, FollowUpAction, ReminderLog
from .due import CHUNK, Due, active_rules, chunks, due_reminders, setting
from .mail import MailBatch, ReminderLine, Undeliverable, build_message, describe

logger = logging.getLogger(__name__)

PAGE_BATCHES = 50  # pending ids read per query while sending: this many batches


@dataclass
class ReminderRun:
    """What one run of the job did."""

    today: datetime.date
    dry_run: bool
    found: int = 0  # reminders due today, new or already logged
    claimed: int = 0  # new log rows inserted by this run
    would_send: int = 0  # dry run: reminders a real run would send now
    sent: int = 0
    retry: int = 0  # mail errors: rows left pending with attempts + 1, retried later
    failed: int = 0  # given up: too many attempts, object gone, recipient inactive, expired

    def as_dict(self) -> dict:
        return {
            "today": self.today.isoformat(), "dry_run": self.dry_run, "found": self.found, "claimed": self.claimed,
            "would_send": self.would_send, "sent": self.sent, "retry": self.retry, "failed": self.failed,
        }


def _content_types() -> dict:
    return ContentType.objects.get_for_models(Membership, EvaluationCycle, FollowUpAction, Partnership)


def _due_of(log: ReminderLog, models_by_ct: dict) -> Due:
    return Due(log.recipient_id, log.kind, models_by_ct[log.content_type_id], log.object_id, log.period)


# --- claiming ---------------------------------------------------------------------------------


def _unlogged(chunk: list[Due], content_types: dict) -> list[Due]:
    """Return the reminders of ``chunk`` that have no log row yet: one query per kind and model."""
    by_kind = defaultdict(list)
    for item in chunk:
        by_kind[(item.kind, item.model)].append(item)
    logged = set()
    for (kind, model), items in by_kind.items():
        rows = ReminderLog.objects.filter(
            kind=kind, content_type=content_types[model],
            object_id__in={item.object_id for item in items}, period__in={item.period for item in items},
        ).values_list("recipient_id", "object_id", "period")
        logged.update((kind, model, *row) for row in rows)
    return [item for item in chunk if (item.kind, item.model, item.recipient_id, item.object_id, item.period) not in logged]


def _claim(chunk: list[Due], content_types: dict) -> int:
    """Insert a pending log row for every reminder of ``chunk`` not logged yet; return how many were new.

    A key another worker inserts at the same moment is settled by the unique constraint
    (``ignore_conflicts``): one row, one mail, though both runs may count it as claimed.
    """
    new = _unlogged(chunk, content_types)
    ReminderLog.objects.bulk_create(
        [
            ReminderLog(recipient_id=item.recipient_id, kind=item.kind, content_type=content_types[item.model],
                        object_id=item.object_id, period=item.period, status=ReminderLog.Status.PENDING)
            for item in new
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    return len(new)


def _expire_stale() -> int:
    """Give up on pending rows older than the catch-up window: their moment has passed."""
    limit = timezone.now() - datetime.timedelta(days=max(setting("REMINDER_CATCH_UP_DAYS", 14), 1))
    return ReminderLog.objects.filter(status=ReminderLog.Status.PENDING, created_at__lt=limit).update(
        status=ReminderLog.Status.FAILED, last_error="expired: not delivered within the catch-up window"
    )


# --- sending ----------------------------------------------------------------------------------


class PendingIds:
    """The ids of pending rows in primary-key order, read a page at a time and not locked."""

    def __init__(self, size: int):
        self.size = size
        self.page: list[int] = []
        self.complete = False  # the page holds every pending id after its first one

    def after(self, last_id: int, count: int) -> list[int]:
        """Return up to ``count`` pending ids greater than ``last_id``; none when there are no more."""
        start = bisect_right(self.page, last_id)
        left = len(self.page) - start
        if left == 0 or (left < count and not self.complete):
            # The end of the page: read on. A short last page is read again once it is used
            # up, for rows claimed meanwhile (by another worker) with higher ids.
            self.page = list(
                ReminderLog.objects.filter(status=ReminderLog.Status.PENDING, pk__gt=last_id)
                .order_by("pk")
                .values_list("pk", flat=True)[: self.size]
            )
            self.complete = len(self.page) < self.size
            start = 0
        return self.page[start:start + count]


class _Mailer:
    """One mail connection for the run, opened on the first mail and afresh after an error."""

    def __init__(self):
        self.connection = mail.get_connection()
        self.connected = False

    def send(self, message) -> None:
        if not self.connected:  # send_messages() on a closed backend would open and close one per mail
            self.connection.open()
            self.connected = True
        if self.connection.send_messages([message]) != 1:
            raise smtplib.SMTPException("the mail backend did not accept the message")

    def reset(self) -> None:
        self.connection.close()
        self.connected = False


def _deliver(run: ReminderRun, *, rules, deadlines: Deadlines, on_item) -> None:
    batch_size = max(setting("REMINDER_BATCH_SIZE", 500), 1)
    flush_seconds = setting("REMINDER_FLUSH_SECONDS", 1.0)
    delay = setting("REMINDER_SEND_DELAY", 0.0)
    max_attempts = max(setting("REMINDER_MAX_ATTEMPTS", 5), 1)
    models_by_ct = {ct.pk: model for model, ct in _content_types().items()}
    pending = PendingIds(batch_size * PAGE_BATCHES)
    mailer = _Mailer()
    last_id, limit = 0, batch_size
    try:
        while ids := pending.after(last_id, limit):
            done_lines = []
            with transaction.atomic():
                # Lock the rows by primary key alone and keep those still pending: the lock returns
                # each row as it is now, so one a peer marked "sent" since the page was read shows as sent.
                logs = [
                    log for log in ReminderLog.objects.select_for_update(skip_locked=True).filter(pk__in=ids)
                    .order_by("pk")
                    if log.status == ReminderLog.Status.PENDING
                ]
                if not logs:  # all sent or held by another worker since the page was read
                    last_id = ids[-1]
                    continue
                items = {log.pk: _due_of(log, models_by_ct) for log in logs}
                batch = MailBatch(list(items.values()), today=run.today, rules=rules, deadlines=deadlines)
                started = time.monotonic()
                sent, errors, dead = [], [], []
                for done, log in enumerate(logs, start=1):  # noqa: B007 - done is read after the loop
                    last_id = log.pk
                    try:
                        message = build_message(items[log.pk], batch, log_id=log.pk, connection=mailer.connection)
                        if delay:
                            time.sleep(delay)
                        mailer.send(message)
                    except Undeliverable as exc:
                        dead.append((log, str(exc)))
                    except (smtplib.SMTPException, OSError) as exc:
                        logger.warning("reminder %s to user %s not sent: %r", log.pk, log.recipient_id, exc)
                        errors.append((log, f"{type(exc).__name__}: {exc}"[:1000]))
                        mailer.reset()  # start afresh for the next mail
                    else:
                        sent.append(log.pk)
                        if on_item:
                            done_lines.append((describe(items[log.pk], batch), "sent"))
                    if time.monotonic() - started >= flush_seconds:
                        break
                # A slow mail server ends batches early: lock only about what one interval
                # sends, so the other workers find the rest unlocked.
                if done == len(logs):
                    limit = batch_size
                    last_id = max(last_id, ids[-1])  # the ids after the last row were sent or held by a peer
                else:
                    limit = min(batch_size, done * 2)
                _record(sent, errors, dead, max_attempts, run)
            for line, status in done_lines:
                on_item(line, status)
    finally:
        mailer.reset()


def _record(sent, errors, dead, max_attempts, run: ReminderRun) -> None:
    if sent:
        ReminderLog.objects.filter(pk__in=sent).update(
            status=ReminderLog.Status.SENT, sent_at=timezone.now(), attempts=F("attempts") + 1, last_error=""
        )
        run.sent += len(sent)
    changed = []
    for log, error in errors:
        log.attempts += 1
        if log.attempts >= max_attempts:
            log.status = ReminderLog.Status.FAILED
            run.failed += 1
        else:
            run.retry += 1
        log.last_error = error
        changed.append(log)
    for log, error in dead:
        run.failed += 1
        log.status, log.last_error = ReminderLog.Status.FAILED, error
        changed.append(log)
    if changed:
        ReminderLog.objects.bulk_update(changed, ["status", "attempts", "last_error"])


# --- the job -------------------------------------------------------------------------------------


def send_due_reminders(
    *,
    today: datetime.date,
    dry_run: bool = False,
    on_item: Callable[[ReminderLine, str], None] | None = None,
) -> ReminderRun:
    """Claim every reminder due on ``today`` once, then mail every pending one and log it.

    With ``dry_run`` nothing is written and nothing is mailed: ``on_item`` is called
    for every reminder a real run would send now (new ones and pending ones left by
    an earlier run). Safe to run any number of times, by any number of workers.
    """
    run = ReminderRun(today=today, dry_run=dry_run)
    rules, deadlines = active_rules(), Deadlines.load()
    content_types = _content_types()
    for chunk in due_reminders(today=today, rules=rules, deadlines=deadlines):
        run.found += len(chunk)
        if dry_run:
            new = _unlogged(chunk, content_types)
            run.would_send += len(new)
            if on_item and new:
                batch = MailBatch(new, today=today, rules=rules, deadlines=deadlines)
                for item in new:
                    on_item(describe(item, batch), "would send")
        else:
            run.claimed += _claim(chunk, content_types)
    if dry_run:
        _list_pending(run, rules=rules, deadlines=deadlines, on_item=on_item, content_types=content_types)
        return run
    run.failed += _expire_stale()
    _deliver(run, rules=rules, deadlines=deadlines, on_item=on_item)
    logger.info("reminders for %s: %s", today, run.as_dict())
    return run


def _list_pending(run: ReminderRun, *, rules, deadlines: Deadlines, on_item, content_types) -> None:
    models_by_ct = {ct.pk: model for model, ct in content_types.items()}
    pending = ReminderLog.objects.filter(status=ReminderLog.Status.PENDING).order_by("pk")
    for logs in chunks(pending.iterator(chunk_size=CHUNK), CHUNK):
        items = [_due_of(log, models_by_ct) for log in logs]
        run.would_send += len(items)
        if on_item:
            batch = MailBatch(items, today=run.today, rules=rules, deadlines=deadlines)
            for item in items:
                on_item(describe(item, batch), "would send (pending)")
