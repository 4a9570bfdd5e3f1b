"""Jobs timed by `make bench`, each in a process of its own; prints one JSON row on its last line.

    python bench/jobs.py reminders          # the reminder job over ~100,000 due items
    python bench/jobs.py export coordinator # CSV export of every report the bench coordinator sees (~50,000)
    python bench/jobs.py export admin       # CSV export of every report an administrator sees (~500,000)

Seconds and queries come from a pass without tracemalloc; the peak (``peak_mb``) from a second
pass with tracemalloc on (Python allocations during the job), and ``maxrss_mb`` is the whole
process's resident high-water mark (the real reminder run, timed without tracemalloc, reports
that as its peak). The reminder job is run with ``dry_run=True`` AND for real
(claiming and "mailing" with the dummy backend) inside a transaction that is rolled back, so the
bench database is left as it was and the run can be repeated.
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
MAIL_SAMPLE = 3_000


class StopSample(Exception):
    pass


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

            # The real run: claim every due item (one ReminderLog row each), then mail them with
            # the dummy backend. Mailing is one rendering per distinct reminder, so it is timed
            # on the first MAIL_SAMPLE mails (on_item stops the run there) and reported as a rate.
            counter = Counter()
            marks = {}

            def on_item(line, status):
                marks.setdefault("first_mail", time.perf_counter())
                marks["mails"] = marks.get("mails", 0) + 1
                if marks["mails"] >= MAIL_SAMPLE:
                    raise StopSample

            rss_before = maxrss_mb()
            with connection.execute_wrapper(counter):
                started = time.perf_counter()
                try:
                    job.send_due_reminders(today=today, on_item=on_item)
                except StopSample:
                    pass
                ended = time.perf_counter()
            claimed = ReminderLog.objects.count() - logs_before
            first = marks.get("first_mail", ended)
            mails = marks.get("mails", 0)
            rows.append({"page": "job: reminders (claim + mail sample, rolled back)", "rows": claimed,
                         "seconds": round(ended - started, 2), "queries": counter.n,
                         "peak_mb": round(maxrss_mb(), 1), "maxrss_mb": round(maxrss_mb(), 1),
                         "maxrss_before_mb": round(rss_before, 1), "claim_seconds": round(first - started, 2), "mails_sampled": mails,
                         "mails_per_second": round(mails / (ended - first), 1) if ended > first else None,
                         "note": "peak_mb here is the process's maxrss; claim_seconds = until the first mail batch was sent",
                         "today": str(today)})
            print(json.dumps(rows[-1]), flush=True)
            raise Rollback
    except Rollback:
        pass
    rows[0]["meets_target"] = rows[0]["seconds"] <= 30 and rows[0]["peak_mb"] < 300
    if len(rows) > 1:
        rows[1]["meets_target"] = rows[1]["claim_seconds"] <= 30 and rows[1]["peak_mb"] < 300
    return rows


def queries_of(counter):
    return counter.n


def export(who: str) -> list[dict]:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse

    from partners.selectors import reports_for_user

    User = get_user_model()
    if who == "admin":
        user = User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()
    else:
        user = User.objects.get(email="bench.koordinator@kemitraan.local")
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(user)
    expected = reports_for_user(user).count()

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
