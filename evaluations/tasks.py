"""Celery tasks: thin wrappers that parse their JSON arguments and call one plain function.

Each is safe to run twice and by several workers at once; the schedules that run them
are created by ``python manage.py setup_schedules`` (django-celery-beat, editable in admin).
"""
import datetime
import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from . import reminders, services

logger = logging.getLogger(__name__)


class ReminderDeliveryError(Exception):
    """Some reminders could not be mailed; their rows stay pending and the task is retried."""


def _day(value) -> datetime.date:
    if not value:
        return timezone.localdate()
    day = parse_date(value) if isinstance(value, str) else value
    if day is None:
        raise ValueError(f"not a date (YYYY-MM-DD): {value!r}")
    return day


def _moment(value) -> datetime.datetime:
    if not value:
        return timezone.now()
    moment = parse_datetime(value) if isinstance(value, str) else value
    if moment is None:
        raise ValueError(f"not a date and time (ISO 8601): {value!r}")
    return moment


@shared_task(
    name="evaluations.send_reminders",
    bind=True,
    acks_late=True,
    autoretry_for=(ReminderDeliveryError, SoftTimeLimitExceeded),
    retry_backoff=60,
    retry_backoff_max=3600,
    retry_jitter=True,
    max_retries=5,
)
def send_reminders(self, today=None):
    """Send the reminders due on ``today`` (YYYY-MM-DD, default: the local date).

    A mail error leaves its row pending (attempts + 1) and raises, so Celery retries the
    whole, idempotent run after 60 s, 120 s, 240 s… (with jitter). A soft time limit
    ends the run between batches' commits and is retried the same way.
    """
    run = reminders.send_due_reminders(today=_day(today))
    if run.retry:
        raise ReminderDeliveryError(f"{run.retry} reminder(s) could not be mailed; they stay pending")
    return run.as_dict()


@shared_task(name="evaluations.advance_cycles", acks_late=True)
def advance_cycles(today=None):
    """Open the evaluation cycles whose period starts and close those past their due date."""
    report = services.cycles_advance(today=_day(today))
    return report.as_dict()


@shared_task(name="evaluations.close_due_decisions", acks_late=True)
def close_due_decisions(now=None):
    """Close the decisions whose closing time has passed and compute their outcome."""
    return {"closed": services.decisions_close_due(now=_moment(now))}
