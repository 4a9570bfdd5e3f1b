"""Send the reminders due today without Celery: ``manage.py send_reminders [--dry-run] [--today YYYY-MM-DD]``."""
import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from evaluations.reminders import send_due_reminders


def _date(value):
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"--today must be a date like 2026-04-15, not {value!r}") from exc


class Command(BaseCommand):
    help = (
        "Find the reminders due on a day, mail each one once and log it; --dry-run only lists "
        "what would be sent and writes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List the reminders; send and write nothing.")
        parser.add_argument("--today", type=str, help="The day to run for (YYYY-MM-DD); default: today.")

    def handle(self, *args, dry_run=False, today=None, **options):
        day = _date(today) if today else timezone.localdate()

        def show(line, status):
            self.stdout.write(f"{status}\t{line.recipient}\t{line.kind}\t{line.object}\t{line.period}")

        run = send_due_reminders(today=day, dry_run=dry_run, on_item=show)
        if dry_run:
            self.stdout.write(f"Dry run for {day}: {run.would_send} reminder(s) would be sent.")
            return
        self.stdout.write(
            f"Reminders for {day}: {run.sent} sent, {run.retry} to retry, {run.failed} failed."
        )
        if run.retry:
            raise CommandError(f"{run.retry} reminder(s) could not be mailed; they stay pending for the next run.")
