"""Where a page's time goes under load: CPU per request of each process, and the machine's idle time.

Starts gunicorn as ``make bench`` does, runs wrk on the ceiling and on the chosen pages, and reads
/proc before and after each run: the CPU time of the gunicorn workers, the PostgreSQL backends,
Redis and wrk, divided by the requests served, and the share of the machine left idle (idle time
under load means the requests wait on something else than the CPU: a disk flush, a lock).

    .venv/bin/python bench/cpushare.py                               # ceiling and the report POST
    .venv/bin/python bench/cpushare.py --page "partner home" --seconds 8
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench  # noqa: E402

TICK = os.sysconf("SC_CLK_TCK")


def process_cpu() -> dict[str, float]:
    """Seconds of CPU (user + system) used so far, summed by kind of process."""
    totals: dict[str, float] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        seconds = (int(fields[11]) + int(fields[12])) / TICK
        name = stat.split("(", 1)[1].rsplit(")", 1)[0]
        if "gunicorn" in cmdline:
            kind = "gunicorn"
        elif name.startswith("postgres") or cmdline.startswith("postgres"):
            kind = "postgres"
        elif name.startswith("redis"):
            kind = "redis"
        elif name == "wrk":
            kind = "wrk"
        else:
            continue
        totals[kind] = totals.get(kind, 0) + seconds
    return totals


def machine_times() -> tuple[float, float]:
    """(busy, idle + iowait) seconds of all cores so far, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = values[3] + values[4]
    return (sum(values) - idle) / TICK, idle / TICK


def measure(wrk, port, page, fx, seconds, connections) -> str:
    before_cpu, (busy0, idle0) = process_cpu(), machine_times()
    result = bench.run_wrk(wrk, port, page, fx, seconds, connections)
    after_cpu, (busy1, idle1) = process_cpu(), machine_times()
    elapsed = (busy1 - busy0) + (idle1 - idle0)
    requests = result["requests"]
    parts = ", ".join(f"{kind} {(after_cpu.get(kind, 0) - before_cpu.get(kind, 0)) / requests * 1000:.2f}"
                      for kind in ("gunicorn", "postgres", "redis", "wrk"))
    idle_share = (idle1 - idle0) / elapsed
    return (f"{page['page']}: {result['rps']:.0f} rps, p50 {result['p50_ms']:.1f} ms; CPU ms per request: "
            f"{parts}; machine idle {idle_share:.0%}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--page", action="append")
    parser.add_argument("--seconds", type=int, default=6)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()

    os.environ["BENCH_WARMUP"] = "0"  # the first round warms the workers instead; wrk's count is then exact
    env = bench.environment()
    bench.refuse_sqlite(env["DATABASE_URL"])
    port, connections = int(env.get("BENCH_PORT", "8765")), int(env.get("BENCH_CONNECTIONS", "4"))
    bench.django_setup(env)
    fx = bench.bench_fixtures(time.strftime("%Y%m%d%H%M%S"))
    by_name = {page["page"]: page for page in bench.pages(fx)}
    ceiling = next(page for name, page in by_name.items() if name.startswith("ceiling"))
    chosen = [by_name[name] for name in (args.page or ["report submit (POST)"])]
    from django.db import connection
    connection.close()
    wrk = bench.wrk_binary()
    server = bench.start_gunicorn(env, port, int(env.get("BENCH_WORKERS", "4")))
    try:
        for page in [ceiling, *chosen]:
            bench.run_wrk(wrk, port, page, fx, 1, connections)  # warm-up, not recorded
        for _ in range(args.rounds):
            for page in [ceiling, *chosen]:
                print(measure(wrk, port, page, fx, args.seconds, connections), flush=True)
    finally:
        bench.stop(server)
        print(f"removed {bench.remove_bench_drafts()} bench drafts")


if __name__ == "__main__":
    main()
