"""Make every cached page fragment stale (after restoring a backup, a bulk load or SQL by hand)."""
from django.core.management.base import BaseCommand

from partners.signals import touch_all


class Command(BaseCommand):
    help = (
        "Give every partnership a new cache token, so no page fragment cached before is served again. "
        "Run it after anything that changes data without Django's signals: restoring a backup, bulk "
        "loads, loaddata, SQL by hand."
    )

    def handle(self, *args, **options):
        touch_all()
        self.stdout.write("Cached page fragments invalidated.")
