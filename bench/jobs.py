"""Jobs timed by `make bench`, each in a process of its own; prints one JSON row on its last line.

    python bench/jobs.py reminders          # the reminder job over ~100,000 due items
    python bench/jobs.py export coordinator # CSV export of every report the bench coordinator sees (~50,000)
    python bench/jobs.py export admin       # CSV export of every report an administrator sees (~500,000)

Seconds and queries come from a pass without tracemalloc; the peak (``peak_mb``) from a second
pass with tracemalloc on (Python allocations during the job), and ``maxrss_mb`` is the whole
process's resident high-water mark. The reminder job is run with ``dry_run=True`` AND for real,
whole (finding, claiming, rendering and "mailing" every due item with the dummy backend, which
discards each mail), inside a transaction that is rolled back, so the bench database is left as
it was and the run can be repeated. The real run is timed once, without tracemalloc; its peak is
the process's resident high-water mark during the run (reset just before it where Linux allows).
"""
from __future__ import annotations

import datetime
import json
import os
import resource
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kemitraan.settings.production")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

TARGET_DUE = 100_000


class Counter:
    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def measured(fn):
    """Run ``fn`` twice: timed with a query counter, then under tracemalloc for its peak."""
    counter = Counter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = fn()
        seconds = time.perf_counter() - started
    tracemalloc.start()
    fn()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return result, seconds, counter.n, peak / 2**20


def maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Rollback(Exception):
    pass


def reminders() -> list[dict]:
    from django.conf import settings

    from evaluations import reminders as job
    from evaluations.models import FollowUpAction, ReminderLog
    from partners.models import Membership, Partnership

    settings.EMAIL_BACKEND = "django.core.mail.backends.dummy.EmailBackend"
    today = datetime.date.today()
    rows = []
    try:
        with transaction.atomic():
            logs_before = ReminderLog.objects.count()
            natural = sum(len(chunk) for chunk in job.due_reminders(today=today))
            # Top up with follow-up actions due tomorrow (action_due fires from due - N days),
            # owned by members of active partnerships, until ~100,000 items are due today.
            missing = max(TARGET_DUE - natural, 0)
            members = list(Membership.objects.filter(partnership__status=Partnership.Status.ACTIVE,
                                                     left_on__isnull=True)
                           .values_list("partnership_id", "organisation_id"))
            due = today + datetime.timedelta(days=1)
            batch = []
            for i in range(missing):
                partnership_id, organisation_id = members[i % len(members)]
                batch.append(FollowUpAction(partnership_id=partnership_id, owner_organisation_id=organisation_id,
                                            title=f"bench action {i}", due_date=due))
                if len(batch) == 5000:
                    FollowUpAction.objects.bulk_create(batch)
                    batch = []
            FollowUpAction.objects.bulk_create(batch)

            run, seconds, queries, peak = measured(lambda: job.send_due_reminders(today=today, dry_run=True))
            rows.append({"page": "job: reminders (dry run)", "rows": run.found, "would_send": run.would_send,
                         "seconds": round(seconds, 2), "queries": queries, "peak_mb": round(peak, 1),
                         "maxrss_mb": round(maxrss_mb(), 1), "natural_due": natural, "today": str(today)})

            print(json.dumps(rows[-1]), flush=True)

            # The real run, whole: find and claim every due item (one ReminderLog row each), then
            # render and "mail" every one of them with the dummy backend, which discards them.
            counter = LockTimer()
            rss_before = maxrss_mb()
            reset = reset_peak_rss()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                run = job.send_due_reminders(today=today)
                ended = time.perf_counter()
            peak = peak_rss_mb() if reset else maxrss_mb()
            claimed = ReminderLog.objects.count() - logs_before
            first = counter.first_lock or ended
            rows.append({"page": "job: reminders (claim + mail all, rolled back)", "rows": claimed,
                         "sent": run.sent, "retry": run.retry, "failed": run.failed,
                         "seconds": round(ended - started, 2), "queries": counter.n, "peak_mb": round(peak, 1),
                         "maxrss_mb": round(maxrss_mb(), 1), "maxrss_before_mb": round(rss_before, 1),
                         "claim_seconds": round(first - started, 2), "mail_seconds": round(ended - first, 2),
                         "mails_per_second": round(run.sent / (ended - first), 1) if ended > first else None,
                         "note": "peak_mb is the process's resident high-water mark during the run (maxrss, "
                                 + ("reset before it" if reset else "since the process began")
                                 + "); claim_seconds = until the first batch of pending rows was locked",
                         "today": str(today)})
            print(json.dumps(rows[-1]), flush=True)
            raise Rollback
    except Rollback:
        pass
    rows[0]["meets_target"] = rows[0]["seconds"] <= 30 and rows[0]["peak_mb"] < 300
    if len(rows) > 1:
        whole = rows[1]
        # within 30 s and 300 MB, and every claimed reminder dealt with (sent, or failed for good)
        whole["meets_target"] = (whole["seconds"] <= 30 and whole["peak_mb"] < 300
                                 and whole["sent"] + whole["failed"] + whole["retry"] >= whole["rows"])
    return rows


class LockTimer(Counter):
    """Counts queries and notes when the first batch of pending rows is locked (the end of the claim)."""

    def __init__(self):
        super().__init__()
        self.first_lock = None

    def __call__(self, execute, sql, params, many, context):
        if self.first_lock is None and "FOR UPDATE" in sql:
            self.first_lock = time.perf_counter()
        return super().__call__(execute, sql, params, many, context)


def reset_peak_rss() -> bool:
    """Reset the process's resident high-water mark (Linux: /proc/self/clear_refs), so the next peak is the job's."""
    try:
        with open("/proc/self/clear_refs", "w") as handle:
            handle.write("5")
        return True
    except OSError:
        return False


def peak_rss_mb() -> float:
    """The resident high-water mark since the last reset (VmHWM)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return maxrss_mb()


def export(who: str) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from partners.access import reports_visible_to

    User = get_user_model()
    if who == "admin":
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    else:
        user = User.objects.get(email="bench.koordinator@kemitraan.local")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    expected = reports_visible_to(user).count()

    def consume():
        response = client.get(reverse("partners:report_export") + "?format=csv")
        assert response.status_code == 200, response.status_code
        size = 0
        for part in response.streaming_content:
            size += len(part)
        return size

    size, seconds, queries, peak = measured(consume)
    return [{"page": f"job: CSV export ({who}, all reports)", "rows": expected, "bytes": size,
             "seconds": round(seconds, 2), "queries": queries, "peak_mb": round(peak, 1),
             "maxrss_mb": round(maxrss_mb(), 1)}]


if __name__ == "__main__":
    name = sys.argv[1]
    rows = reminders() if name == "reminders" else export(sys.argv[2])
    print(json.dumps(rows))
