"""Celery configuration and the thin tasks, called directly (no broker needed)."""
import datetime

import pytest
import time_machine
from django.core import mail
from django.utils import timezone

from evaluations import services, tasks
from evaluations.models import EvaluationCycle, ReminderLog
from kemitraan.celery import app
from tests import factories as f


def test_celery_app_uses_json_time_limits_and_late_acks():
    conf = app.conf
    assert conf.task_serializer == "json" and conf.result_serializer == "json"
    assert list(conf.accept_content) == ["json"]
    assert conf.task_acks_late is True
    assert conf.task_reject_on_worker_lost is True
    assert conf.worker_prefetch_multiplier == 1
    assert 0 < conf.task_soft_time_limit < conf.task_time_limit
    assert conf.beat_scheduler == "django_celery_beat.schedulers:DatabaseScheduler"
    assert conf.timezone == "Asia/Jakarta"


def test_tasks_are_registered_under_stable_names():
    app.loader.import_default_modules()
    assert {"evaluations.send_reminders", "evaluations.advance_cycles", "evaluations.close_due_decisions",
            "accounts.clear_expired_sessions"} <= set(app.tasks)


def test_send_reminders_task_retries_mail_errors_with_exponential_backoff():
    task = tasks.send_reminders
    assert tasks.ReminderDeliveryError in task.autoretry_for
    assert task.retry_backoff == 60 and task.retry_backoff_max == 3600 and task.retry_jitter
    assert task.max_retries == 5
    assert task.acks_late is True


def test_send_reminders_task_sends_the_reminders_of_the_day(partner_a):
    result = tasks.send_reminders.apply(kwargs={"today": "2026-04-07"})
    assert result.successful(), result.traceback
    assert result.result["sent"] == 1
    assert len(mail.outbox) == 1
    assert tasks.send_reminders.apply(kwargs={"today": "2026-04-07"}).result["sent"] == 0


def test_send_reminders_task_defaults_to_the_local_date(partner_a, monkeypatch):
    seen = {}

    def fake(*, today, **kwargs):
        seen["today"] = today
        return tasks.reminders.ReminderRun(today=today, dry_run=False)

    monkeypatch.setattr(tasks.reminders, "send_due_reminders", fake)
    # 23:30 UTC on 6 April is already 7 April in Jakarta (UTC+7).
    with time_machine.travel(datetime.datetime(2026, 4, 6, 23, 30, tzinfo=datetime.UTC), tick=False):
        tasks.send_reminders.apply()
    assert seen["today"] == datetime.date(2026, 4, 7)


def test_send_reminders_task_raises_for_retry_when_mail_fails(partner_a, settings):
    settings.EMAIL_BACKEND = "tests.evaluations.test_reminders.FailingBackend"
    with pytest.raises(tasks.ReminderDeliveryError):
        tasks.send_reminders(today="2026-04-07")  # called directly: Celery re-raises instead of retrying
    row = ReminderLog.objects.get()
    assert (row.status, row.attempts) == ("pending", 1)


def test_send_reminders_task_gives_up_after_the_maximum_attempts(partner_a, settings):
    settings.EMAIL_BACKEND = "tests.evaluations.test_reminders.FailingBackend"
    settings.REMINDER_MAX_ATTEMPTS = 3
    tasks.send_reminders.apply(kwargs={"today": "2026-04-07"})  # eager: retries run at once
    row = ReminderLog.objects.get()
    assert (row.status, row.attempts) == ("failed", 3)


def test_send_reminders_task_rejects_a_bad_date(db):
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        tasks.send_reminders(today="15/04/2026")


def test_advance_cycles_calls_the_service_with_the_date(monkeypatch):
    calls = []

    def fake(**kwargs):
        calls.append(kwargs)
        return services.AdvanceReport(created=[1])

    monkeypatch.setattr(services, "cycles_advance", fake)
    result = tasks.advance_cycles.apply(kwargs={"today": "2026-04-01"})
    assert calls == [{"today": datetime.date(2026, 4, 1)}]
    assert result.result == {"created": [1], "opened": [], "closed": []}


def test_advance_cycles_task_opens_the_current_cycle(partnership):
    result = tasks.advance_cycles.apply(kwargs={"today": "2026-04-01"})
    assert result.successful(), result.traceback
    cycle = EvaluationCycle.objects.get(partnership=partnership)
    assert (cycle.status, cycle.period_start) == ("open", datetime.date(2026, 4, 1))
    assert tasks.advance_cycles.apply(kwargs={"today": "2026-04-01"}).result["created"] == []


def test_close_due_decisions_calls_the_service_with_the_moment(monkeypatch):
    calls = []
    monkeypatch.setattr(services, "decisions_close_due", lambda **kw: calls.append(kw) or [7])
    result = tasks.close_due_decisions.apply(kwargs={"now": "2026-04-01T10:00:00+07:00"})
    [call] = calls
    assert call["now"].isoformat() == "2026-04-01T10:00:00+07:00"
    assert result.result == {"closed": [7]}


def test_close_due_decisions_task_closes_a_decision_past_its_time(partnership):
    decision = f.DecisionFactory(partnership=partnership, closes_at=timezone.now() - datetime.timedelta(hours=1))
    result = tasks.close_due_decisions.apply()
    assert result.successful(), result.traceback
    assert result.result == {"closed": [decision.pk]}
    decision.refresh_from_db()
    assert decision.status == "closed"
