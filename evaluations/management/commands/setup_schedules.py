"""Create the periodic tasks, the default reminder rules and the deadline settings row (idempotent).

``manage.py setup_schedules``; an admin edits the rules and the deadlines afterwards.
"""
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django_celery_beat.models import CrontabSchedule, PeriodicTask

from evaluations.models import ReminderRule
from evaluations.reminders import DEFAULT_RULE_DAYS
from partners.models import DeadlineSettings

# name → (task, crontab fields, description); times are in settings.TIME_ZONE (Asia/Jakarta).
SCHEDULES = {
    "Send due reminders": (
        "evaluations.send_reminders",
        {"minute": "0", "hour": "7"},
        "Daily at 07:00: mail the reminders due today, each (recipient, kind, object, period) once.",
    ),
    "Advance evaluation cycles": (
        "evaluations.advance_cycles",
        {"minute": "15", "hour": "0"},
        "Daily at 00:15: open the cycles whose period starts and close those past their due date.",
    ),
    "Clear expired sessions": (
        "accounts.clear_expired_sessions",
        {"minute": "30", "hour": "3"},
        "Daily at 03:30: delete the stored sessions past their expiry.",
    ),
    "Close due decisions": (
        "evaluations.close_due_decisions",
        {"minute": "0", "hour": "*"},
        "Hourly: close the decisions whose closing time has passed and compute the outcome.",
    ),
}


class Command(BaseCommand):
    help = "Create or update the periodic tasks (by name), add the missing reminder rules and deadline settings."

    @transaction.atomic
    def handle(self, *args, **options):
        for name, (task, when, description) in SCHEDULES.items():
            crontab, _ = CrontabSchedule.objects.get_or_create(
                timezone=settings.TIME_ZONE, day_of_week="*", day_of_month="*", month_of_year="*", **when
            )
            _, created = PeriodicTask.objects.update_or_create(
                name=name,
                defaults={
                    "task": task, "crontab": crontab, "interval": None, "solar": None, "clocked": None,
                    "one_off": False, "description": description,
                },
            )
            self.stdout.write(f"{'created' if created else 'updated'} periodic task: {name} ({task})")
        for kind, days in DEFAULT_RULE_DAYS.items():
            # Rules are edited in admin: add the missing ones, never overwrite an edited one.
            rule, created = ReminderRule.objects.get_or_create(kind=kind, defaults={"days": days})
            self.stdout.write(f"{'created' if created else 'kept'} reminder rule: {rule.kind} = {rule.days} days")
        # The one row of deadline settings (the migration made it; a restored or flushed database may not have it).
        deadlines, created = DeadlineSettings.objects.get_or_create(id=1)
        self.stdout.write(f"{'created' if created else 'kept'} deadline settings: "
                          f"report grace {deadlines.report_grace_days} days")
