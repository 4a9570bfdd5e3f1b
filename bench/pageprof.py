"""In-process cost of one page against the ceiling: CPU per request, Python calls, and a profile.

``make bench`` measures pages over HTTP with wrk, where the machine's drift (±15 %) hides a change
of a few per cent. This tool runs the same requests (the bench accounts' cookies, the same POST
body) through Django's WSGI handler in this process, with the production settings, so a change to
a page can be judged in a minute and repeatably:

    .venv/bin/python bench/pageprof.py                       # ceiling and the report POST
    .venv/bin/python bench/pageprof.py --page "partner home" --requests 500
    .venv/bin/python bench/pageprof.py --calls               # Python calls per request, by phase
    .venv/bin/python bench/pageprof.py --profile 30          # cProfile, the 30 costliest functions

It needs the bench database (``make bench`` makes it; DATABASE_URL as there). The drafts the POST
adds are deleted at the end. CPU time is this process's only: PostgreSQL's and Redis's share of a
request is not in it (``make bench`` measures the whole).
"""
from __future__ import annotations

import argparse
import cProfile
import collections
import io
import pstats
import sys
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402  (bench/bench.py: the same environment, accounts and pages)


def environ_for(page, fx) -> dict:
    """The WSGI environ wrk's request for ``page`` arrives as (bench/page.lua)."""
    path, _, query = page["path"].partition("?")
    environ = {
        "REQUEST_METHOD": page.get("method", "GET"), "PATH_INFO": path, "QUERY_STRING": query,
        "SCRIPT_NAME": "", "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "8765", "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "127.0.0.1", "REMOTE_ADDR": "127.0.0.1", "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr, "wsgi.multithread": False, "wsgi.multiprocess": True,
        "wsgi.run_once": False, "wsgi.version": (1, 0),
    }
    if page["who"]:
        environ["HTTP_COOKIE"] = fx["clients"][page["who"]]["cookie"]
    if page.get("method") == "POST":
        body = urllib.parse.urlencode(fx["post"]).encode()
        environ.update({
            "CONTENT_TYPE": "application/x-www-form-urlencoded", "CONTENT_LENGTH": str(len(body)),
            "HTTP_X_CSRFTOKEN": fx["clients"][page["who"]]["csrf"], "HTTP_REFERER": "http://127.0.0.1/",
            "_body": body,
        })
    return environ


def request(app, environ) -> str:
    env = dict(environ)
    env["wsgi.input"] = io.BytesIO(env.pop("_body", b""))
    status = []
    chunks = app(env, lambda s, headers, exc_info=None: status.append(s))
    for _chunk in chunks:
        pass
    if hasattr(chunks, "close"):
        chunks.close()
    return status[0]


def cpu_per_request(app, environ, count) -> float:
    started = time.process_time()
    for _ in range(count):
        request(app, environ)
    return (time.process_time() - started) / count * 1000


def calls_per_request(app, environ, count) -> collections.Counter:
    """Python function calls per request, by the top-level package of the called code."""
    counter = collections.Counter()

    def hook(frame, event, arg):
        if event == "call":
            filename = frame.f_code.co_filename
            if "site-packages/" in filename:
                counter[filename.split("site-packages/")[1].split("/")[0]] += 1
            elif str(bench.ROOT) in filename:
                counter["kemitraan (project)"] += 1
            else:
                counter["stdlib"] += 1

    sys.setprofile(hook)
    try:
        for _ in range(count):
            request(app, environ)
    finally:
        sys.setprofile(None)
    return collections.Counter({key: value / count for key, value in counter.items()})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append", help="a page of bench.pages() (default: the report POST)")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds of page and ceiling")
    parser.add_argument("--calls", action="store_true", help="Python calls per request, by package")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="cProfile: the N costliest functions")
    args = parser.parse_args()

    env = bench.environment()
    bench.refuse_sqlite(env["DATABASE_URL"])
    bench.django_setup(env)
    from django.core.handlers.wsgi import WSGIHandler

    fx = bench.bench_fixtures(f"prof{int(time.time())}")
    app = WSGIHandler()
    by_name = {page["page"]: page for page in bench.pages(fx)}
    ceiling = next(page for name, page in by_name.items() if name.startswith("ceiling"))
    chosen = [by_name[name] for name in (args.page or ["report submit (POST)"])]
    try:
        for page in [ceiling, *chosen]:
            environ = environ_for(page, fx)
            status = request(app, environ)
            if not status.startswith(str(page.get("expect", 200))):
                raise SystemExit(f"{page['page']}: {status}")
            cpu_per_request(app, environ, 50)  # warm: templates, translations, prepared statements
        for page in chosen:
            page_ms, ceiling_ms = [], []
            for _ in range(args.rounds):
                ceiling_ms.append(cpu_per_request(app, environ_for(ceiling, fx), args.requests))
                page_ms.append(cpu_per_request(app, environ_for(page, fx), args.requests))
            best_page, best_ceiling = min(page_ms), min(ceiling_ms)
            print(f"{page['page']}: {best_page:.3f} ms CPU per request (rounds: "
                  f"{', '.join(f'{ms:.3f}' for ms in page_ms)}); ceiling {best_ceiling:.3f} ms "
                  f"({', '.join(f'{ms:.3f}' for ms in ceiling_ms)}); in-process ratio {best_ceiling / best_page:.3f}")
            if args.calls:
                for name, environ in (("ceiling", environ_for(ceiling, fx)), (page["page"], environ_for(page, fx))):
                    counts = calls_per_request(app, environ, 50)
                    print(f"  {name}: {sum(counts.values()):.0f} Python calls per request: " + ", ".join(
                        f"{key} {value:.0f}" for key, value in counts.most_common()))
            if args.profile:
                profiler = cProfile.Profile()
                environ = environ_for(page, fx)
                profiler.enable()
                for _ in range(args.requests):
                    request(app, environ)
                profiler.disable()
                out = io.StringIO()
                stats = pstats.Stats(profiler, stream=out)
                stats.sort_stats("cumulative").print_stats(args.profile)
                stats.sort_stats("tottime").print_stats(args.profile)
                print(out.getvalue())
    finally:
        print(f"removed {bench.remove_bench_drafts()} bench drafts")


if __name__ == "__main__":
    main()
