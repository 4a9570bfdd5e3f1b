"""`make load`: 50 concurrent users for 60 s against gunicorn (production settings, PostgreSQL).

Each user has a session of its own and a keep-alive connection. Ten users are coordinators
(synthetic "koordinator.sintetis" accounts) who view their dashboard, the report list and the
review queue; forty are partner representatives (synthetic "mitra.sintetis" accounts) who view
their home page and report list and submit new draft reports (POST ``partners:report_create``)
about half of the time. Every submission carries a marker in its description,
``load-<run id>-<user>-<n>``.

Afterwards the script checks that there was no 5xx answer and no broken connection, and that the
reports stored with this run's marker are exactly the submissions answered with success (a 302
to the new report's page): same count, same ids. Exit status 1 when a check fails. The figures
go to stdout and bench/load-results.json.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kem_bench), LOAD_USERS (50),
LOAD_SECONDS (60), LOAD_PORT (8766), BENCH_WORKERS (4).
"""
from __future__ import annotations

import collections
import http.client
import json
import random
import re
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench  # noqa: E402  (same folder: environment, gunicorn start/stop)

COORDINATORS = 10


def accounts(n_users: int, run_id: str) -> list[dict]:
    """Sign in every load user once, in-process; return what each thread needs."""
    from django.contrib.auth import get_user_model
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from partners.models import ContributionKind
    from partners.access import memberships_represented_by

    User = get_user_model()
    n_coordinators = min(COORDINATORS, n_users // 5)
    coordinators = list(User.objects.filter(email__startswith="koordinator.sintetis.", is_active=True)
                        .order_by("email")[:n_coordinators])
    partners = list(User.objects.filter(email__startswith="mitra.sintetis.", is_active=True)
                    .order_by("email")[:n_users - len(coordinators)])
    users = []
    for index, user in enumerate(coordinators + partners):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        csrf = _get_new_csrf_string()
        entry = {"index": index, "email": user.email, "csrf": csrf,
                 "cookie": f"sessionid={client.cookies['sessionid'].value}; csrftoken={csrf}"}
        if user in partners:
            membership = memberships_represented_by(user).order_by("pk").first()
            entry["role"] = "partner"
            entry["post"] = {
                "membership": membership.pk, "period_start": "2026-02-01", "period_end": "2026-02-28",
                "kind": ContributionKind.IN_KIND, "quantity": "3", "unit": "paket", "value": "450000",
            }
        else:
            entry["role"] = "coordinator"
        users.append(entry)
    return users


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.statuses = collections.Counter()
        self.by_page = collections.Counter()
        self.latencies = []
        self.errors = collections.Counter()
        self.submitted = 0
        self.created_ids = []
        self.failed_submissions = collections.Counter()


PAGES = {
    "coordinator": ["/", "/laporan/?status=submitted&sort=-period", "/kemitraan/reviews/"],
    "partner": ["/mitra/", "/laporan/", "/"],
}


def user_loop(user, port, deadline, run_id, stats: Stats) -> None:
    rng = random.Random(user["index"])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Host": "127.0.0.1", "Cookie": user["cookie"]}
    n = 0
    while time.monotonic() < deadline:
        post = user["role"] == "partner" and rng.random() < 0.5
        if post:
            n += 1
            data = dict(user["post"], description=f"load-{run_id}-{user['index']}-{n} laporan uji beban")
            body = urllib.parse.urlencode(data)
            req_headers = dict(headers, **{"Content-Type": "application/x-www-form-urlencoded",
                                           "X-CSRFToken": user["csrf"]})
            method, path, page = "POST", "/laporan/new/", "POST /laporan/new/"
        else:
            method, path, body, req_headers = "GET", rng.choice(PAGES[user["role"]]), None, headers
            page = "GET " + path
        started = time.monotonic()
        try:
            conn.request(method, path, body=body, headers=req_headers)
            response = conn.getresponse()
            response.read()
            status, location = response.status, response.getheader("Location", "")
        except (OSError, http.client.HTTPException) as error:
            with stats.lock:
                stats.errors[error.__class__.__name__] += 1
                if post:
                    stats.submitted += 1
                    stats.failed_submissions["connection error"] += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
            continue
        elapsed = time.monotonic() - started
        with stats.lock:
            stats.statuses[status] += 1
            stats.by_page[(page, status)] += 1
            stats.latencies.append(elapsed)
            if post:
                stats.submitted += 1
                match = re.fullmatch(r"/laporan/(\d+)/", location)
                if status == 302 and match:
                    stats.created_ids.append(int(match.group(1)))
                else:
                    stats.failed_submissions[status] += 1
    conn.close()


def percentile(values, q):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> int:
    env = bench.environment()
    bench.refuse_sqlite(env["DATABASE_URL"])
    n_users = int(env.get("LOAD_USERS", "50"))
    seconds = int(env.get("LOAD_SECONDS", "60"))
    port = int(env.get("LOAD_PORT", "8766"))
    workers = int(env.get("BENCH_WORKERS", "4"))
    run_id = time.strftime("%Y%m%d%H%M%S")
    bench.django_setup(env)
    from django.db import connection

    from partners.models import ContributionReport

    users = accounts(n_users, run_id)
    connection.close()
    print(f"load run {run_id}: {len(users)} users ({sum(u['role'] == 'coordinator' for u in users)} coordinators), "
          f"{seconds} s, gunicorn --workers {workers} on 127.0.0.1:{port}", flush=True)

    stats = Stats()
    proc = bench.start_gunicorn(env, port, workers)
    try:
        deadline = time.monotonic() + seconds
        threads = [threading.Thread(target=user_loop, args=(u, port, deadline, run_id, stats)) for u in users]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    finally:
        bench.stop(proc)

    stored = set(ContributionReport.objects.filter(description__startswith=f"load-{run_id}-")
                 .values_list("pk", flat=True))
    answered = set(stats.created_ids)
    requests = sum(stats.statuses.values())
    errors_5xx = sum(c for s, c in stats.statuses.items() if s >= 500)
    result = {
        "run_id": run_id, "users": len(users), "seconds": round(wall, 1), "requests": requests,
        "rps": round(requests / wall, 1),
        "p50_ms": round(percentile(stats.latencies, 0.50) * 1000, 1),
        "p95_ms": round(percentile(stats.latencies, 0.95) * 1000, 1),
        "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
        "5xx": errors_5xx, "connection_errors": dict(stats.errors),
        "submissions": stats.submitted, "submissions_succeeded": len(answered),
        "submissions_failed": {str(k): v for k, v in stats.failed_submissions.items()},
        "stored_reports": len(stored), "stored_equals_succeeded": stored == answered,
        "by_page": {f"{page} -> {status}": count for (page, status), count in sorted(stats.by_page.items())},
    }
    ok = errors_5xx == 0 and not stats.errors and stored == answered
    result["ok"] = ok
    (bench.BENCH / "load-results.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({k: v for k, v in result.items() if k != "by_page"}, indent=2))
    print("LOAD TEST " + ("PASSED" if ok else "FAILED") + f": {requests} requests, {errors_5xx} answers 5xx, "
          f"{len(answered)} submissions answered with success, {len(stored)} reports stored")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
