"""Load the demo partnerships and accounts, and optionally a large synthetic data set."""
import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from partners.signals import touch_all
from workspace.demo.data import DEMO_PASSWORD, format_accounts
from workspace.demo.loader import build_demo
from workspace.demo.synthetic import DEFAULT_BATCH_SIZE, build_synthetic


class Command(BaseCommand):
    help = (
        "Load the seed's three demo partnerships and a demo account for every role (safe to run "
        "again: nothing is duplicated). With --scale N, also add synthetic partnerships in bulk "
        "until N of them exist."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale", type=int, default=0, metavar="N",
            help="Also make sure N synthetic partnerships exist, with 10 organisations, 500 reports, "
                 "1,000 indicator values and 50 evaluation answers each.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=DEFAULT_BATCH_SIZE,
            help=f"Rows per bulk insert for --scale (default {DEFAULT_BATCH_SIZE}).",
        )
        parser.add_argument(
            "--force", action="store_true",
            help="Run even though DEBUG is off (for a staging database; never on production data).",
        )

    def handle(self, *args, scale, batch_size, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo adds demo accounts with a published password, so it refuses to run when "
                "DEBUG is off. Use --force if this really is a demo or test database."
            )
        if scale < 0 or batch_size < 1:
            raise CommandError("--scale must be 0 or more and --batch-size at least 1.")

        started = time.monotonic()
        self.stdout.write("Demo data")
        result = build_demo()
        for title in result.partnerships_created:
            self.stdout.write(f"  {title}: created")
        for title in result.partnerships_present:
            self.stdout.write(f"  {title}: already present, left as it is")
        self.stdout.write(
            f"  {result.accounts_created} accounts and {result.organisations_created} organisations created "
            f"({time.monotonic() - started:.1f} s)"
        )

        if scale:
            self.stdout.write("")
            build_synthetic(scale, batch_size=batch_size, log=self._log)
            touch_all()  # bulk inserts send no signals: no page cached before may be served
            if connection.vendor == "postgresql":
                # Fresh statistics, or the planner judges the new tables as nearly empty.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")

        self.stdout.write("")
        self.stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD})")
        self.stdout.write(format_accounts())
        self.stdout.write(self.style.SUCCESS(f"Done in {time.monotonic() - started:.1f} s."))

    def _log(self, line):
        self.stdout.write(line)
        self.stdout.flush()
