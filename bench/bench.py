"""`make bench`: every main page and job at scale on PostgreSQL, against Django's own ceiling.

Steps (all in one run):
1. refuse anything but PostgreSQL; migrate; ``seed_demo --force`` + ``seed_demo --scale 1000 --force``
   (idempotent: "already present" when the data is there); ``collectstatic`` (served by whitenoise,
   as on a server);
2. make the bench accounts (a coordinator of 100 synthetic partnerships; a synthetic partner
   representative) and their sessions, idempotently;
3. in-process, with Django's test client: queries per page (for the bench coordinator with 100
   partnerships and for a synthetic coordinator with 10, to show they do not grow with data),
   and EXPLAIN of every page query, flagging sequential scans on the large tables;
4. gunicorn with the production settings on 127.0.0.1, wrk at concurrency 4 for each page, in
   slices that alternate with slices of /health/live/ (the ceiling: a view with no database
   access); a slice's ratio is its requests/s over the mean of the two ceiling slices beside it,
   and a page's ratio is the median of its slices' ratios;
5. the drafts the POST added are deleted again (with their history rows), then the reminder job
   over ~100,000 due items and the CSV export at 50,000 and 500,000 rows, each in a subprocess
   of its own (bench/jobs.py) for its time, queries and peak memory;
6. a table on stdout and bench/results.json.

Environment: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/kem_bench), BENCH_PORT
(8765), BENCH_SECONDS (10), BENCH_CONNECTIONS (4), BENCH_WORKERS (4), BENCH_SKIP_JOBS=1,
BENCH_SLICES (5: each page in that many slices between ceiling slices), BENCH_WARMUP (2 s, unrecorded, per page), BENCH_SKIP_SEED=1, BENCH_SKIP_ANALYZE=1, BENCH_SKIP_UNCACHED=1, CACHE_URL (redis://127.0.0.1:6379/8),
BENCH_RESULTS (another file than bench/results.json).
"""
from __future__ import annotations

import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable

DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/kem_bench"
LARGE_TABLES = (
    "partners_contributionreport", "partners_indicatorvalue", "evaluations_evaluationresponse",
    "partners_organisation", "partners_membership",
)
BENCH_COORDINATOR = "bench.koordinator@kemitraan.local"
SMALL_COORDINATOR = "koordinator.sintetis.00001@kemitraan.local"
BENCH_PARTNER = "mitra.sintetis.000001@kemitraan.local"
BENCH_PARTNERSHIPS = 100


def environment() -> dict:
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DB)
    env["DJANGO_SETTINGS_MODULE"] = "kemitraan.settings.production"
    env.setdefault("DJANGO_SECRET_KEY", "bench-" + "k3m1traan-not-a-real-secret-" * 3)
    env.setdefault("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost")
    env["DJANGO_SECURE_SSL_REDIRECT"] = "false"
    env.setdefault("CELERY_BROKER_URL", "redis://127.0.0.1:6379/9")
    # Cached page fragments (kemitraan/fragments.py) on Redis, as in production.
    env.setdefault("CACHE_URL", "redis://127.0.0.1:6379/8")
    env.setdefault("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend")
    env.setdefault("PYTHONPATH", str(ROOT))
    return env


def refuse_sqlite(url: str) -> None:
    if not url.startswith(("postgres://", "postgresql://", "pgsql://")):
        sys.exit(
            f"make bench runs on PostgreSQL only (DATABASE_URL={url!r}). SQLite would measure "
            "the wrong database; set DATABASE_URL=postgres://user@host:5432/dbname."
        )


def log(msg: str) -> None:
    print(msg, flush=True)


def database_create(url: str) -> None:
    """Create the bench database when the server does not have it yet (a new machine)."""
    import psycopg2
    from psycopg2 import sql

    parts = urllib.parse.urlsplit(url)
    name = urllib.parse.unquote(parts.path.lstrip("/"))
    params = {"host": parts.hostname or "127.0.0.1", "port": parts.port or 5432,
              "user": urllib.parse.unquote(parts.username or "postgres"), "dbname": "postgres"}
    if parts.password:
        params["password"] = urllib.parse.unquote(parts.password)
    connection = psycopg2.connect(**params)
    try:
        connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
                log(f"seed: database {name} created")
    finally:
        connection.close()


def manage(env, *args: str) -> None:
    """Run a manage.py command of the project with the bench's environment, its output discarded."""
    subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)


def seed(env) -> None:
    if env.get("BENCH_SKIP_SEED") == "1":
        log("seed: skipped (BENCH_SKIP_SEED=1)")
        return
    database_create(env["DATABASE_URL"])
    manage(env, "migrate", "--noinput")
    for extra in ([], ["--scale", "1000"]):
        out = subprocess.run([PY, "manage.py", "seed_demo", "--force", *extra], cwd=ROOT, env=env,
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            if "already present" in line or "now present" in line or "created" in line and "accounts" in line:
                log("seed: " + line.strip())
    # Pages cached by an earlier run may show data this database no longer has (a re-seed sends no signals).
    manage(env, "fragments_clear")


def analyze(env) -> None:
    """VACUUM ANALYZE after the bulk load: without statistics PostgreSQL misjudges every plan
    (and JIT-compiles cheap queries), and without a visibility map no index-only scan pays off.
    Autovacuum does this eventually; it is off on some servers (this one), so the bench does it."""
    started = time.monotonic()
    subprocess.run([PY, "manage.py", "shell", "-c",
                    "from django.db import connection\n"
                    "connection.ensure_connection(); connection.connection.autocommit = True\n"
                    "connection.cursor().execute('VACUUM ANALYZE')"],
                   cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    log(f"seed: VACUUM ANALYZE in {time.monotonic() - started:.1f} s")


# --- in-process part (Django set up with the production settings) --------------------------------

def django_setup(env) -> None:
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django
    django.setup()


def bench_fixtures(run_id: str) -> dict:
    """Bench accounts, the objects each page shows, and a signed-in session for each account."""
    from django.contrib.auth import get_user_model
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from evaluations.models import EvaluationCycle
    from partners.models import ContributionKind, Partnership
    from partners.access import memberships_represented_by

    User = get_user_model()
    coordinator, _ = User.objects.get_or_create(email=BENCH_COORDINATOR, defaults={"full_name": "Koordinator Bench"})
    ids = list(Partnership.objects.filter(title__startswith="Kemitraan Sintetis ")
               .order_by("title").values_list("pk", flat=True)[:BENCH_PARTNERSHIPS])
    through = Partnership.coordinators.through
    through.objects.bulk_create([through(partnership_id=pk, user_id=coordinator.pk) for pk in ids],
                                ignore_conflicts=True)
    small = User.objects.get(email=SMALL_COORDINATOR)
    partner = User.objects.get(email=BENCH_PARTNER)
    membership = memberships_represented_by(partner).order_by("pk").first()
    cycle = (EvaluationCycle.objects.filter(partnership_id__in=ids, status=EvaluationCycle.Status.CLOSED,
                                            responses__isnull=False)
             .order_by("partnership__title", "-period_end").first())
    small_cycle = (EvaluationCycle.objects.filter(partnership__coordinators=small,
                                                  status=EvaluationCycle.Status.CLOSED, responses__isnull=False)
                   .order_by("partnership__title", "-period_end").first())

    def session(user):
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(user)
        csrf = _get_new_csrf_string()
        client.cookies["csrftoken"] = csrf
        return client, client.cookies["sessionid"].value, csrf

    clients = {}
    for key, user in (("coordinator", coordinator), ("small", small), ("partner", partner)):
        client, sid, csrf = session(user)
        clients[key] = {"client": client, "cookie": f"sessionid={sid}; csrftoken={csrf}", "csrf": csrf}

    post = {
        "membership": membership.pk, "period_start": "2026-01-01", "period_end": "2026-01-31",
        "kind": ContributionKind.FUNDS, "quantity": "1", "unit": "paket", "value": "125000",
        "description": f"bench-{run_id}- laporan uji beban",
    }
    return {"ids": ids, "partnership": ids[0], "small_partnership": small.coordinated_partnerships.order_by("title")
            .values_list("pk", flat=True).first(), "cycle": cycle.pk, "small_cycle": small_cycle.pk,
            "clients": clients, "post": post}


def pages(fx) -> list[dict]:
    from django.urls import reverse

    return [
        {"page": "ceiling: /health/live/", "path": reverse("health_live"), "who": None},
        {"page": "coordinator dashboard", "path": reverse("workspace:home"), "who": "coordinator"},
        {"page": "partnership detail", "who": "coordinator",
         "path": reverse("workspace:partnership_detail", args=[fx["partnership"]]),
         "small_path": reverse("workspace:partnership_detail", args=[fx["small_partnership"]])},
        {"page": "report list (filtered, sorted)", "who": "coordinator",
         "path": reverse("partners:report_list") + "?status=accepted&sort=-period"},
        {"page": "review queue", "path": reverse("partners:review_queue"), "who": "coordinator"},
        {"page": "partner home", "path": reverse("workspace:partner_home"), "who": "partner"},
        {"page": "evaluation results", "who": "coordinator",
         "path": reverse("evaluations:cycle_detail", args=[fx["cycle"]]),
         "small_path": reverse("evaluations:cycle_detail", args=[fx["small_cycle"]])},
        {"page": "report submit (POST)", "path": reverse("partners:report_create"), "who": "partner",
         "method": "POST", "expect": 302},
    ]


def measure_queries(fx, page_list) -> None:
    """Queries per request, in-process, and EXPLAIN of each query (Seq Scans on large tables flagged).

    ``queries`` counts a request that renders the page afresh (the fragment cache emptied first);
    ``queries_cached`` the same request again, served from the cached fragment.
    """
    from django.core.cache import caches
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    for page in page_list:
        who = page["who"]
        # The ceiling is measured by wrk without a session: counted here without one as well.
        client = fx["clients"][who]["client"] if who else Client(HTTP_HOST="127.0.0.1")
        headers = {"HTTP_X_CSRFTOKEN": fx["clients"][who]["csrf"]} if who else {}
        is_post = page.get("method") == "POST"

        def hit(path, c=client, post=is_post, headers=headers):
            if post:
                return c.post(path, fx["post"], **headers)
            return c.get(path)

        hit(page["path"])  # warm caches (content types, translations)
        caches["fragments"].clear()
        with CaptureQueriesContext(connection) as ctx:
            response = hit(page["path"])
        expected = page.get("expect", 200)
        if response.status_code != expected:
            raise SystemExit(f"{page['page']}: status {response.status_code}, expected {expected}")
        # captured_queries reads the connection's query log when asked, and the next request outside
        # a capture empties that log: taken now, or the EXPLAIN below would read the 10-partnership
        # coordinator's queries (as it did before 2026-11-28: the plans were of the wrong person).
        fresh = list(ctx.captured_queries)
        page["queries"] = len(fresh)
        with CaptureQueriesContext(connection) as cached_ctx:
            hit(page["path"])
        page["queries_cached"] = len(cached_ctx.captured_queries)
        if who in ("coordinator",):
            small = fx["clients"]["small"]["client"]
            path = page.get("small_path", page["path"])
            small.get(path)
            caches["fragments"].clear()
            with CaptureQueriesContext(connection) as small_ctx:
                small.get(path)
            page["queries_10_partnerships"] = len(small_ctx.captured_queries)
        page["seq_scans"] = explain(fresh, page["page"])


PLANS = BENCH / "plans.txt"


def explain(captured, page_name="") -> list[str]:
    """EXPLAIN every SELECT (and prepared SELECT) of a page (appended to bench/plans.txt); return the Seq Scans on large tables."""
    from django.db import connection

    found = []
    out = PLANS.open("a")
    out.write(f"\n######## {page_name}\n")
    with connection.cursor() as cursor:
        for query in captured:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            try:
                cursor.execute("EXPLAIN " + sql)
            except Exception as error:  # noqa: BLE001 - a query the plain EXPLAIN cannot take
                found.append(f"(EXPLAIN failed: {error.__class__.__name__})")
                continue
            plan = "\n".join(row[0] for row in cursor.fetchall())
            out.write(f"\n-- {sql[:300]}\n{plan}\n")
            for table in LARGE_TABLES:
                if re.search(rf"Seq Scan on {table}\b", plan):
                    found.append(f"{table} in: {sql[:160]}...")
    out.close()
    return found


# --- wrk against gunicorn -----------------------------------------------------------------------

def start_gunicorn(env, port: int, workers: int):
    cmd = [str(Path(PY).parent / "gunicorn"), "kemitraan.wsgi:application", "--bind", f"127.0.0.1:{port}",
           "--workers", str(workers), "--access-logfile", "-" if env.get("BENCH_ACCESS_LOG") else "/dev/null",
           "--error-logfile", str(BENCH / ".gunicorn.log"), "--timeout", "60"]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/live/", timeout=2) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.5)
    stop(proc)
    raise SystemExit("gunicorn did not answer /health/live/ within 60 s; see bench/.gunicorn.log")


def stop(proc) -> None:
    if proc and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def wrk_binary() -> str:
    found = shutil.which("wrk")
    if found:
        return found
    log("wrk not found: installing it with apt-get")
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True)
    return shutil.which("wrk") or sys.exit("wrk could not be installed")


def run_wrk(wrk, port, page, fx, seconds, connections, warmup: bool = True) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "out.json"
        env = dict(os.environ, BENCH_OUT=str(out), BENCH_METHOD=page.get("method", "GET"),
                   BENCH_EXPECT=str(page.get("expect", 200)))
        if page["who"]:
            env["BENCH_COOKIE"] = fx["clients"][page["who"]]["cookie"]
            env["BENCH_CSRF"] = fx["clients"][page["who"]]["csrf"]
        if page.get("method") == "POST":
            body = Path(tmp) / "body"
            body.write_text(urllib.parse.urlencode(fx["post"]))
            env["BENCH_BODY_FILE"] = str(body)
        # A short unrecorded run first: every gunicorn worker opens its database connection,
        # compiles its templates and fills the caches, so the recorded run is the steady state.
        warmup_seconds = os.environ.get("BENCH_WARMUP", "2")
        if warmup and warmup_seconds != "0":
            subprocess.run([wrk, "-t", "2", "-c", str(connections), "-d", f"{warmup_seconds}s",
                            "-s", str(BENCH / "page.lua"), f"http://127.0.0.1:{port}{page['path']}"],
                           env=dict(env, BENCH_OUT=str(Path(tmp) / "warmup.json")), check=True,
                           stdout=subprocess.DEVNULL)
        subprocess.run([wrk, "-t", "2", "-c", str(connections), "-d", f"{seconds}s", "--latency",
                        "-s", str(BENCH / "page.lua"), f"http://127.0.0.1:{port}{page['path']}"],
                       env=env, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())


def mean_of_runs(runs) -> dict:
    """The ceiling's row from its several runs: requests summed over the time, latencies averaged."""
    total = {key: sum(run[key] for run in runs) for key in ("requests", "seconds", "unexpected_status",
                                                            "errors_ge400", "socket_errors")}
    total["rps"] = total["requests"] / total["seconds"]
    for key in ("p50_ms", "p95_ms", "p99_ms"):
        total[key] = sum(run[key] for run in runs) / len(runs)
    return total


def remove_bench_drafts() -> int:
    """Delete the drafts the report submit POST added (this run's and any earlier run's), and their
    history rows, so that every run measures the same data (the CSV export's row count included).
    Deleted through the ORM: the signals give their partnerships new cache tokens."""
    from django.db import connection, transaction

    from partners.models import ContributionReport

    drafts = ContributionReport.objects.filter(description__startswith="bench-",
                                               description__endswith="- laporan uji beban",
                                               status=ContributionReport.Status.DRAFT)
    with transaction.atomic():
        ids = list(drafts.values_list("pk", flat=True))
        drafts.delete()
        ContributionReport.history.filter(id__in=ids).delete()
    connection.close()
    return len(ids)


# --- jobs (subprocesses) -------------------------------------------------------------------------

def run_job(env, *args) -> dict:
    out = subprocess.run([PY, str(BENCH / "jobs.py"), *args], cwd=ROOT, env=env, check=True,
                         capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    env = environment()
    refuse_sqlite(env["DATABASE_URL"])
    port = int(env.get("BENCH_PORT", "8765"))
    seconds = int(env.get("BENCH_SECONDS", "10"))
    connections = int(env.get("BENCH_CONNECTIONS", "4"))
    workers = int(env.get("BENCH_WORKERS", "4"))
    run_id = time.strftime("%Y%m%d%H%M%S")
    started = time.monotonic()
    log(f"make bench on {env['DATABASE_URL'].rsplit('@', 1)[-1]}: {os.cpu_count()} cores, "
        f"wrk -c {connections} for {seconds} s per page, gunicorn --workers {workers}")

    seed(env)
    manage(env, "collectstatic", "--noinput")  # served by whitenoise, as on a server
    django_setup(env)
    fx = bench_fixtures(run_id)
    if env.get("BENCH_SKIP_ANALYZE") != "1":
        analyze(env)  # after the bench accounts, so the statistics know the coordinator of 100
    page_list = pages(fx)
    PLANS.write_text(f"EXPLAIN of every query of every page, make bench run {run_id}\n")
    measure_queries(fx, page_list)
    from django.db import connection
    connection.close()

    wrk = wrk_binary()
    # Pass 1: as deployed, cached fragments on Redis. Pass 2 (BENCH_SKIP_UNCACHED=1 skips it): the
    # fragment cache off, so every request computes and renders its page: what a first visit
    # after a change costs.
    passes = [(page_list, env)]
    if env.get("BENCH_SKIP_UNCACHED") != "1":
        uncached = [dict(page, page=page["page"] + " (no cache)", queries_cached=None) for page in page_list[1:]
                    if page.get("method") != "POST"]  # the POST renders nothing cached
        passes.append((uncached, dict(env, CACHE_URL="dummycache://")))
    # Each page is measured in slices (BENCH_SLICES, 5) that alternate with slices of the ceiling:
    # C P C P ... P C. A slice's ratio is its page's requests/s over the mean of the two ceiling
    # slices beside it, and the page's ratio is the median of its slices' ratios: the machine's
    # speed drifts by the minute (±15-30 % here), and a pair of slices a few seconds apart shares
    # the drift that a pair of 10-second runs did not.
    slices = max(1, int(env.get("BENCH_SLICES", "5")))
    slice_seconds = max(1, round(seconds / slices))
    ceiling_page, ceiling_runs = page_list[0], []
    measured = []
    for pages_of_pass, pass_env in passes:
        proc = start_gunicorn(pass_env, port, workers)
        try:
            before = run_wrk(wrk, port, ceiling_page, fx, slice_seconds, connections)
            ceiling_runs.append(before)
            for page in pages_of_pass:
                if page is ceiling_page:
                    continue
                runs, beside, ratios = [], [], []
                for number in range(slices):
                    run = run_wrk(wrk, port, page, fx, slice_seconds, connections, warmup=number == 0)
                    after = run_wrk(wrk, port, ceiling_page, fx, slice_seconds, connections, warmup=False)
                    ceiling_runs.append(after)
                    runs.append(run)
                    beside.append((before["rps"] + after["rps"]) / 2)
                    ratios.append(run["rps"] / beside[-1])
                    before = after
                page.update(mean_of_runs(runs))
                page["ceiling_rps"] = sum(beside) / len(beside)
                page["slice_ratios"] = [round(r, 3) for r in ratios]
                page["ratio"] = statistics.median(ratios)
                log(f"  {page['page']}: {page['rps']:.1f} rps, p95 {page['p95_ms']:.1f} ms, ratio "
                    f"{page['ratio']:.3f} (median of {', '.join(f'{r:.3f}' for r in ratios)}; ceiling "
                    f"beside it {min(beside):.0f}-{max(beside):.0f} rps)")
                measured.append(page)
        finally:
            stop(proc)
    ceiling_page.update(mean_of_runs(ceiling_runs))
    ceiling_page["ceiling_rps"] = ceiling_page["rps"]
    ceiling_page["ceiling_runs_rps"] = [round(run["rps"], 1) for run in ceiling_runs]
    log(f"  ceiling: {len(ceiling_runs)} runs, {min(ceiling_page['ceiling_runs_rps']):.1f}–"
        f"{max(ceiling_page['ceiling_runs_rps']):.1f} rps")
    measured.insert(0, ceiling_page)

    removed = remove_bench_drafts()
    log(f"  removed the {removed:,} draft reports the POST runs added (with their history)")

    rows = []
    for page in measured:
        row = {k: page.get(k) for k in ("page", "path", "rps", "p50_ms", "p95_ms", "p99_ms", "queries",
                                          "queries_cached", "queries_10_partnerships", "requests",
                                          "unexpected_status", "errors_ge400", "socket_errors", "seq_scans",
                                          "ceiling_runs_rps", "slice_ratios")}
        row["ceiling_rps"] = round(page["ceiling_rps"], 1)
        row["ratio"] = round(page.get("ratio", page["rps"] / page["ceiling_rps"]), 3)
        row["rps"] = round(page["rps"], 1)
        row["p50_ms"] = round(page["p50_ms"], 1)
        row["p95_ms"] = round(page["p95_ms"], 1)
        row["meets_target"] = (page is page_list[0]) or (row["ratio"] >= 0.25 and row["p95_ms"] <= 100)
        rows.append(row)

    if env.get("BENCH_SKIP_JOBS") != "1":
        for args in (["reminders"], ["export", "coordinator"], ["export", "admin"]):
            log(f"  job {' '.join(args)} ...")
            rows.extend(run_job(env, *args))

    print_table(rows)
    result = Path(env.get("BENCH_RESULTS") or BENCH / "results.json")
    result.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n")
    log(f"\nwrote {result} in {time.monotonic() - started:.0f} s")


def print_table(rows) -> None:
    log("")
    log(f"{'page':44} {'rps':>8} {'p50_ms':>8} {'p95_ms':>8} {'queries':>8} {'cached':>6} {'q@10p':>6} "
        f"{'ratio':>6}  ok")
    for row in rows:
        if "rps" in row:
            q10 = row.get("queries_10_partnerships")
            cached = row.get("queries_cached")
            log(f"{row['page']:44} {row['rps']:8.1f} {row['p50_ms']:8.1f} {row['p95_ms']:8.1f} "
                f"{row['queries']:8d} {cached if cached is not None else '':>6} "
                f"{q10 if q10 is not None else '':>6} {row['ratio']:6.2f}  "
                f"{'yes' if row['meets_target'] else 'NO'}"
                + (f"  ({row['unexpected_status']} unexpected status)" if row["unexpected_status"] else ""))
    jobs = [r for r in rows if "seconds" in r]
    if jobs:
        log("")
        log(f"{'job':52} {'rows':>9} {'seconds':>8} {'queries':>8} {'peak_mb':>8}  ok")
        for row in jobs:
            log(f"{row['page']:52} {row['rows']:9d} {row['seconds']:8.1f} {row['queries']:8d} "
                f"{row['peak_mb']:8.1f}  {'yes' if row.get('meets_target', True) else 'NO'}")
    log("")
    log(f"EXPLAIN: sequential scans on the large tables (every plan: {PLANS.relative_to(ROOT)})")
    any_scan = False
    for row in rows:
        for scan in row.get("seq_scans") or []:
            any_scan = True
            log(f"  {row['page']}: Seq Scan on {scan}")
    if not any_scan:
        log("  none")


if __name__ == "__main__":
    main()
