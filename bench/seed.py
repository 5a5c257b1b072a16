"""`python -m bench.seed`: how long `seed_demo` takes to fill a fresh archive, and what it made.

Creates a fresh database (SQLite: a new data folder; PostgreSQL: a new database created with a
UTF-8 collation type, as the search needs), migrates it, then runs
`seed_demo --customers N --with-users` in a subprocess and records the wall time, the phases the
command reports, customers/s and shipments/s, the CPU time and peak memory of the seeding process
and its workers (PostgreSQL's own server processes are not included), the row counts and the
database size. The result goes to `bench/results/seed-<vendor>-<N>-<date>.json` with the machine.

    python -m bench.seed --customers 100000 --database sqlite
    python -m bench.seed --customers 1000000 --database postgres --keep --pg-name freightcrm_1m
    python -m bench.seed --customers 1000000 --database sqlite --keep --data-dir /work/bench-data/sqlite-1m

Without `--keep` the database is dropped afterwards. With it, the archive stays for other
benchmarks (`bench.search`); PostgreSQL keeps its key file in `--data-dir` (default
`<repo>/../bench-data/pg-<name>`), without which the encrypted fields cannot be read.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, machine_info, setup_django, write_result

PG = ["-h", "127.0.0.1", "-U", "postgres"]
BENCH_PG_NAME = "freightcrm_bench_seed"


def run(command: list[str], env: dict[str, str], *, capture: bool = True) -> str:
    done = subprocess.run(  # noqa: S603 - our own manage.py, git and PostgreSQL's client tools
        command, env=env, cwd=ROOT, check=True, text=True, stdout=subprocess.PIPE if capture else None
    )
    return done.stdout or ""


def fresh_postgres(name: str) -> None:
    run(["dropdb", *PG, "--if-exists", name], dict(os.environ))
    run(
        [
            "createdb",
            *PG,
            "-T",
            "template0",
            "-E",
            "UTF8",
            "--lc-collate=C.UTF-8",
            "--lc-ctype=C.UTF-8",
            name,
        ],
        dict(os.environ),
    )


def fresh_data_dir(path: Path, replace: bool) -> None:
    if path.exists() and any(path.iterdir()):
        if not replace:
            raise SystemExit(f"{path} is not empty; pass --replace to start it afresh")
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)


def parse_summary(output: str) -> dict[str, Any]:
    """The counts and phase timings `seed_demo` prints."""
    parsed: dict[str, Any] = {"timings_s": {}}
    for name, value in re.findall(r"(\w+)=([\d.]+)s", output):
        parsed["timings_s"][name] = float(value)
    summary = re.search(r"seed_demo: (\d+) customers.*?(\d+) shipments.*?(\d+) near-duplicates", output)
    if summary:
        parsed["reported"] = {
            "customers": int(summary.group(1)),
            "shipments": int(summary.group(2)),
            "near_duplicates": int(summary.group(3)),
        }
    truth = re.search(r"near-duplicates listed in (\S+)", output)
    if truth:
        parsed["truth_file"] = truth.group(1)
    return parsed


def measure_database() -> dict[str, Any]:
    """Row counts and sizes, read through Django (set up for the seeded database)."""
    setup_django()
    from django.conf import settings
    from django.db import connection

    from freightcrm.customers import demo
    from freightcrm.customers.models import SearchTerm

    counts = {}
    tables = {}
    with connection.cursor() as cursor:
        for model in [*demo.SEEDED_MODELS, SearchTerm]:
            counts[model._meta.db_table] = model._default_manager.count()
            if connection.vendor == "postgresql":
                cursor.execute("select pg_total_relation_size(%s)", [model._meta.db_table])
                tables[model._meta.db_table] = cursor.fetchone()[0]
        if connection.vendor == "postgresql":
            cursor.execute("select pg_database_size(current_database())")
            size = cursor.fetchone()[0]
        else:
            database = Path(settings.DATABASES["default"]["NAME"])
            size = sum(path.stat().st_size for path in database.parent.glob(database.name + "*"))
    return {"rows": counts, "database_bytes": size, "table_bytes": tables}


def busy_cpu_seconds() -> float:
    """CPU time the whole machine has spent busy since boot (all processes, all cores)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    ticks = [int(value) for value in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)  # idle and iowait
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--today", default=None, help="passed to seed_demo (default: today)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded archive")
    parser.add_argument("--data-dir", type=Path, default=None, help="data folder to keep (with --keep)")
    parser.add_argument("--pg-name", default=None, help="PostgreSQL database to keep (with --keep)")
    parser.add_argument("--replace", action="store_true", help="start a kept target afresh if it exists")
    parser.add_argument("--progress", action="store_true", help="show seed_demo's progress bars")
    parser.add_argument("--note", default="", help="recorded with the result (e.g. what else ran)")
    args = parser.parse_args()
    if args.keep and args.database == "sqlite" and not args.data_dir:
        parser.error("--keep on SQLite needs --data-dir")
    if args.keep and args.database == "postgres" and not args.pg_name:
        parser.error("--keep on PostgreSQL needs --pg-name")

    env = dict(os.environ)
    temporary = None
    data_dir = args.data_dir
    if data_dir is None and args.keep:
        data_dir = ROOT.parent / "bench-data" / f"pg-{args.pg_name}"
    if data_dir is None:
        temporary = Path(tempfile.mkdtemp(prefix="bench-seed-"))
        data_dir = temporary
    else:
        fresh_data_dir(data_dir, args.replace)
    env["FREIGHTCRM_DATA_DIR"] = str(data_dir)
    pg_name = args.pg_name or BENCH_PG_NAME
    if args.database == "postgres":
        if args.keep and not args.replace:
            existing = run(["psql", *PG, "-Atc", "select datname from pg_database"], env).split()
            if pg_name in existing:
                raise SystemExit(f"database {pg_name} exists; pass --replace to start it afresh")
        fresh_postgres(pg_name)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{pg_name}"
    else:
        env.pop("DATABASE_URL", None)
    python = sys.executable
    try:
        started = time.monotonic()
        run([python, "manage.py", "migrate", "--noinput", "-v0"], env)
        migrate_seconds = time.monotonic() - started
        command = [
            python,
            "manage.py",
            "seed_demo",
            "--customers",
            str(args.customers),
            "--seed",
            str(args.seed),
        ]
        command += ["--with-users"] + ([] if args.progress else ["--no-progress"])
        if args.today:
            command += ["--today", args.today]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy_before, load_before = busy_cpu_seconds(), os.getloadavg()
        started = time.monotonic()
        output = run(command, env)
        wall = time.monotonic() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        busy = busy_cpu_seconds() - busy_before
        load_after = os.getloadavg()
        print("\n".join(output.strip().splitlines()[-3:]), file=sys.stderr)
        os.environ["FREIGHTCRM_DATA_DIR"] = env["FREIGHTCRM_DATA_DIR"]
        if "DATABASE_URL" in env:
            os.environ["DATABASE_URL"] = env["DATABASE_URL"]
        else:
            os.environ.pop("DATABASE_URL", None)
        database = measure_database()
        parsed = parse_summary(output)
        shipments = database["rows"].get("shipments_shipment", 0)
        result = {
            "benchmark": "seed",
            "machine": machine_info(),
            "commit": run(["git", "rev-parse", "--short", "HEAD"], env).strip(),
            "arguments": {"customers": args.customers, "seed": args.seed, "today": args.today},
            "kept": {"data_dir": str(data_dir), "pg_name": pg_name if args.database == "postgres" else None}
            if args.keep
            else None,
            "migrate_s": round(migrate_seconds, 1),
            "wall_s": round(wall, 1),
            "customers_per_s": round(args.customers / wall, 1),
            "shipments_per_s": round(shipments / wall, 1),
            "cpu_s": round(
                (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime), 1
            ),  # seed_demo and its workers
            "peak_rss_mb": round(after.ru_maxrss / 1024, 1),  # the largest process of the seed
            # How busy the machine was: CPU seconds of all processes during the run (ours, the
            # database server's and anyone else's), and the 1-minute load average before and after.
            "machine_busy_cpu_s": round(busy, 1),
            "load_average": {"before": round(load_before[0], 2), "after": round(load_after[0], 2)},
            **parsed,
            **database,
            "note": args.note,
        }
        vendor = "postgresql" if args.database == "postgres" else "sqlite"
        path = write_result(f"seed-{vendor}-{args.customers}", result)
        print(
            json.dumps(
                {
                    key: result[key]
                    for key in (
                        "wall_s",
                        "customers_per_s",
                        "shipments_per_s",
                        "cpu_s",
                        "peak_rss_mb",
                        "timings_s",
                    )
                }
            )
        )
        print(f"written to {path}")
    finally:
        if not args.keep:
            if args.database == "postgres":
                from django.db import connections

                connections.close_all()
                run(["dropdb", *PG, "--if-exists", pg_name], dict(os.environ))
            if temporary:
                shutil.rmtree(temporary, ignore_errors=True)


if __name__ == "__main__":
    main()
