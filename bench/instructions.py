"""Instructions per request of a page, counted by valgrind: the same count whatever the machine is doing.

``make bench`` and ``bench/pageprof.py`` measure time, and this machine's speed drifts by ±15 %
from one minute to the next, more than most single changes save. ``valgrind --tool=callgrind``
counts the instructions this Python process executes (PostgreSQL and Redis, other processes, are
not counted), which repeat to within a few thousand per request:

    .venv/bin/python bench/instructions.py                      # the report submit POST
    .venv/bin/python bench/instructions.py --page ceiling --requests 200

It runs the page's request (the bench's accounts, cookies and POST body, as ``pageprof.py``) in two
processes under callgrind at once, one with 40 warm-up requests only and one with 40 + N, and
divides the difference by N: start-up, warm-up and the connections' set-up cancel out. What
would differ between the two runs is held still: the session's last-activity stamp is not
rewritten (``ACTIVITY_RESOLUTION``), database connections are kept (``CONN_MAX_AGE``), the hash
seed is fixed, and the POST's drafts are deleted only after both runs (deleting them inside a
run would delete the other run's too). About two minutes for 100 requests. Needs valgrind
(Debian's package) and the bench database.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402

WARMUP = 40


def child(page_name: str, requests: int) -> None:
    """Run inside valgrind: warm up, then ``requests`` requests of the page."""
    import pageprof

    env = bench.environment()
    bench.django_setup(env)
    import accounts.middleware
    from django.core.handlers.wsgi import WSGIHandler

    accounts.middleware.ACTIVITY_RESOLUTION = 10**9  # no session write in the middle of a run
    fx = bench.bench_fixtures("instructions")
    by_name = {page["page"]: page for page in bench.pages(fx)}
    if page_name == "ceiling":
        page_name = next(name for name in by_name if name.startswith("ceiling"))
    environ = pageprof.environ_for(by_name[page_name], fx)
    app = WSGIHandler()
    for _ in range(WARMUP + requests):
        pageprof.request(app, environ)


def count(page: str, requests: int, env: dict) -> int:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "callgrind.out"
        run = subprocess.run(
            ["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", sys.executable, __file__,
             "--child", "--page", page, "--requests", str(requests)],
            env=env, cwd=bench.ROOT, capture_output=True, text=True,
        )
        found = re.search(r"Collected : (\d+)", run.stderr)
        if run.returncode or not found:
            raise SystemExit(f"valgrind run failed ({run.returncode}):\n{run.stderr[-3000:]}")
        return int(found.group(1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", default="report submit (POST)", help='a page of bench.pages(), or "ceiling"')
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.page, args.requests)
        return
    if not shutil.which("valgrind"):
        raise SystemExit("valgrind is not installed (Debian: apt-get install valgrind)")
    env = {**os.environ, "PYTHONHASHSEED": "0", "CONN_MAX_AGE": "36000"}
    bench.refuse_sqlite(bench.environment()["DATABASE_URL"])
    from concurrent.futures import ThreadPoolExecutor

    try:
        with ThreadPoolExecutor(2) as pool:
            base, measured = pool.map(lambda n: count(args.page, n, env), [0, args.requests])
    finally:
        subprocess.run([sys.executable, "-c", "import bench; bench.django_setup(bench.environment()); "
                        "bench.remove_bench_drafts()"], cwd=bench.BENCH, env=env, capture_output=True)
    print(f"{args.page}: {(measured - base) / args.requests:,.0f} instructions per request "
          f"({args.requests} requests; runs of {base:,} and {measured:,} instructions)")


if __name__ == "__main__":
    main()
