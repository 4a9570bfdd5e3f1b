"""Real Celery workers (and beat) on Redis, sharing the PostgreSQL test database.

Run with, for example:
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/kem_remind \
    CELERY_BROKER_URL=redis://127.0.0.1:6379/5 .venv/bin/pytest tests/integration -m integration

The worker subprocesses use kemitraan.settings.test with DATABASE_URL pointing at the
test database (test_<name>) and a file mail backend writing into a temporary folder, the
outbox that the tests count. Every wait is bounded; every subprocess is killed in teardown.
"""
import datetime
import email
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from evaluations.models import EvaluationCycle, ReminderLog
from evaluations.reminders import send_due_reminders
from tests import factories as f

BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY = str(Path(sys.executable).with_name("celery"))
SEPARATOR = "\n" + "-" * 79 + "\n"  # written by Django's file backend after every message

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        not BROKER_URL.startswith("redis://"),
        reason="needs a real Celery broker: set CELERY_BROKER_URL=redis://127.0.0.1:6379/<db>",
    ),
    pytest.mark.django_db(transaction=True),
]


def _database_url():
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres")
    if db["PASSWORD"]:
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def wait_for(predicate, *, timeout, what, logs=()):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    details = "\n".join(f"--- {log} ---\n{Path(log).read_text()[-4000:]}" for log in logs if Path(log).exists())
    pytest.fail(f"timed out after {timeout} s waiting for {what}\n{details}")


class Outbox:
    """The messages the workers wrote with django.core.mail.backends.filebased."""

    def __init__(self, path: Path):
        self.path = path

    def messages(self):
        found = []
        for file in sorted(self.path.glob("*.log")):
            for chunk in file.read_text(errors="replace").split(SEPARATOR):
                if chunk.strip():
                    found.append(email.message_from_string(chunk))
        return found

    def reminder_ids(self):
        return [int(m["X-Kemitraan-Reminder"]) for m in self.messages() if m["X-Kemitraan-Reminder"]]

    def __len__(self):
        return len(self.messages())


class Processes:
    """Celery workers and beat started as subprocesses, each in its own process group."""

    def __init__(self, tmp_path: Path, env: dict):
        self.tmp_path, self.env, self.procs = tmp_path, env, {}

    def _start(self, name, args, extra_env):
        log = self.tmp_path / f"{name}.log"
        handle = log.open("wb")
        proc = subprocess.Popen(
            [CELERY, "-A", "kemitraan", *args], cwd=settings.BASE_DIR, env={**self.env, **extra_env},
            stdout=handle, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.procs[name] = (proc, log, handle)
        return proc

    def worker(self, name, **extra_env):
        proc = self._start(
            name,
            ["worker", "-n", f"{name}@%h", "--pool=prefork", "--concurrency=1", "--loglevel=INFO",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            {key: str(value) for key, value in extra_env.items()},
        )
        log = self.log(name)
        wait_for(lambda: " ready." in log.read_text(errors="replace") or proc.poll() is not None,
                 timeout=60, what=f"worker {name} to be ready", logs=[log])
        assert proc.poll() is None, log.read_text()
        return proc

    def beat(self, name="beat"):
        return self._start(
            name,
            ["beat", "-S", "django_celery_beat.schedulers:DatabaseScheduler", "--max-interval", "1",
             "--loglevel=INFO", "--pidfile", str(self.tmp_path / "beat.pid"),
             "-s", str(self.tmp_path / "beat-schedule")],
            {},
        )

    def log(self, name) -> Path:
        return self.procs[name][1]

    def logs(self):
        return [log for _proc, log, _handle in self.procs.values()]

    def pool_children(self, name):
        pid = self.procs[name][0].pid
        children = Path(f"/proc/{pid}/task/{pid}/children")
        if children.exists():
            return [int(p) for p in children.read_text().split()]
        out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True, check=False)
        return [int(p) for p in out.stdout.split()]

    def kill(self, name, sig=signal.SIGKILL):
        proc = self.procs[name][0]
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, sig)
            except ProcessLookupError:
                pass
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=15)

    def stop_all(self):
        for name, (proc, _log, handle) in self.procs.items():
            if proc.poll() is None:
                try:
                    self.kill(name, signal.SIGTERM)
                except Exception:  # noqa: BLE001 - teardown must go on
                    self.kill(name, signal.SIGKILL)
            else:  # the pool children of a killed worker may linger in its group
                try:
                    os.killpg(proc.pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            handle.close()


@pytest.fixture
def broker():
    import redis

    client = redis.Redis.from_url(BROKER_URL)
    client.flushdb()  # our own db number: drop messages left by an earlier run
    yield client
    client.flushdb()


@pytest.fixture
def outbox(tmp_path):
    path = tmp_path / "outbox"
    path.mkdir()
    return Outbox(path)


@pytest.fixture
def processes(transactional_db, broker, outbox, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL shared with the worker subprocesses: set DATABASE_URL=postgres://…")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "kemitraan.settings.test",
        "DATABASE_URL": _database_url(),
        "CELERY_BROKER_URL": BROKER_URL,
        "TEST_EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(outbox.path),
        "AXES_ENABLED": "false",
    }
    procs = Processes(tmp_path, env)
    try:
        yield procs
    finally:
        procs.stop_all()
        connection.close()


def _members_due(count):
    """``count`` members with one representative each, owing an answer to a cycle due in 3 days.

    They joined today, so no contribution report is owed yet: the only reminders due today
    are the ``count`` evaluation_due ones, whatever today's date.
    """
    today = timezone.localdate()
    partnership = f.PartnershipFactory(start_date=today - datetime.timedelta(days=60))
    f.EvaluationCycleFactory(
        partnership=partnership, status=EvaluationCycle.Status.OPEN,
        period_start=today - datetime.timedelta(days=30), period_end=today + datetime.timedelta(days=1),
        due_date=today + datetime.timedelta(days=3),
    )
    for _ in range(count):
        membership = f.MembershipFactory(partnership=partnership, joined_on=today)
        membership.organisation.representatives.add(f.UserFactory())
    assert send_due_reminders(today=today, dry_run=True).would_send == count
    return today


def _log_counts():
    return {
        status: ReminderLog.objects.filter(status=status).count()
        for status in (ReminderLog.Status.PENDING, ReminderLog.Status.SENT, ReminderLog.Status.FAILED)
    }


def _mailed_and_logged(outbox, at_least):
    mailed = len(outbox)
    return mailed >= at_least and ReminderLog.objects.filter(status="sent").count() == mailed


def _assert_each_sent_once(outbox, count):
    ids = outbox.reminder_ids()
    assert len(ids) == count, f"{len(ids)} mails for {count} reminders"
    assert len(set(ids)) == count, "a reminder was mailed twice"
    assert set(ids) == set(ReminderLog.objects.filter(status="sent").values_list("pk", flat=True))
    assert _log_counts() == {"pending": 0, "sent": count, "failed": 0}


def test_beat_schedules_the_reminder_task_and_the_worker_mails_each_reminder_once(processes, outbox):
    from django_celery_beat.models import IntervalSchedule, PeriodicTask

    _members_due(5)
    every_second, _ = IntervalSchedule.objects.get_or_create(every=1, period=IntervalSchedule.SECONDS)
    PeriodicTask.objects.create(name="reminders every second", task="evaluations.send_reminders",
                                interval=every_second)
    processes.worker("w1")
    processes.beat()
    wait_for(lambda: len(outbox) >= 5, timeout=60, what="5 reminder mails", logs=processes.logs())
    # Let beat fire the task a few more times: nothing more may be mailed.
    worker_log = processes.log("w1")
    wait_for(lambda: worker_log.read_text().count("evaluations.send_reminders") >= 8, timeout=30,
             what="several more runs of the task", logs=processes.logs())
    processes.kill("beat", signal.SIGTERM)
    time.sleep(1)
    assert "Sending due task reminders every second (evaluations.send_reminders)" in processes.log("beat").read_text()
    _assert_each_sent_once(outbox, 5)


def test_two_workers_running_the_job_at_the_same_moment_send_each_reminder_once(processes, outbox):
    from evaluations.tasks import send_reminders

    today = _members_due(60)
    slow = {"REMINDER_SEND_DELAY": 0.03, "REMINDER_BATCH_SIZE": 5}
    processes.worker("w1", **slow)
    processes.worker("w2", **slow)
    for _ in range(2):
        send_reminders.apply_async(kwargs={"today": today.isoformat()})
    logs = [processes.log("w1"), processes.log("w2")]
    wait_for(lambda: all("succeeded" in log.read_text() for log in logs), timeout=90,
             what="both workers to finish the job", logs=processes.logs())
    _assert_each_sent_once(outbox, 60)
    sent_by = [sum(int(n) for n in re.findall(r"reminders for .*'sent': (\d+)", log.read_text())) for log in logs]
    assert sum(sent_by) == 60
    assert all(sent_by), f"both workers should have shared the work: {sent_by}"


def test_worker_killed_mid_run_then_restarted_leaves_nothing_unsent_and_nothing_doubled(processes, outbox):
    from evaluations.tasks import send_reminders

    today = _members_due(8)
    # Each mail takes 1 s (a slow SMTP server); each transaction then holds one mail.
    processes.worker("w1", REMINDER_SEND_DELAY=1.0, REMINDER_FLUSH_SECONDS=0.5)
    send_reminders.apply_async(kwargs={"today": today.isoformat()})
    # Kill right after the 3rd mail is committed as sent: inside the next mail's 1 s.
    wait_for(lambda: _mailed_and_logged(outbox, 3), timeout=60, what="3 mails before the kill",
             logs=processes.logs())
    processes.kill("w1", signal.SIGKILL)
    mailed = len(outbox)
    assert 3 <= mailed < 8
    # Whatever was mailed is logged as sent; the rest is still pending, not lost.
    wait_for(lambda: _log_counts()["sent"] == mailed, timeout=10, what="the killed worker's locks to go")
    assert _log_counts() == {"pending": 8 - mailed, "sent": mailed, "failed": 0}

    processes.worker("w2")
    send_reminders.apply_async(kwargs={"today": today.isoformat()})  # beat's next run
    wait_for(lambda: _log_counts()["pending"] == 0, timeout=60, what="the pending reminders", logs=processes.logs())
    _assert_each_sent_once(outbox, 8)


def test_pool_process_killed_mid_task_is_redelivered_by_acks_late_and_finishes(processes, outbox):
    from evaluations.tasks import send_reminders

    today = _members_due(6)
    processes.worker("w1", REMINDER_SEND_DELAY=1.0, REMINDER_FLUSH_SECONDS=0.5)
    send_reminders.apply_async(kwargs={"today": today.isoformat()})
    wait_for(lambda: _mailed_and_logged(outbox, 2), timeout=60, what="2 mails before the kill",
             logs=processes.logs())
    [child] = processes.pool_children("w1")
    os.kill(child, signal.SIGKILL)
    # No new task is sent: the broker hands the unacknowledged message back (reject on worker lost).
    wait_for(lambda: _log_counts()["pending"] == 0 and _log_counts()["sent"] == 6, timeout=90,
             what="the redelivered task to finish", logs=processes.logs())
    log = processes.log("w1").read_text()
    assert "WorkerLostError" in log or "signal 9" in log
    _assert_each_sent_once(outbox, 6)
