"""`python -m bench.export`: exporting the customer list, as CSV, as .xlsx, and as the staff pages
do it for .xlsx (written by the task worker's function, sealed, then downloaded and decrypted).

For each database: a fresh archive (`seed_demo --customers N --with-users`, seed 42), then, in a
child process of its own (so its peak memory is its own), the demo's records clerk exports every
approved customer with every column they may see:

- `csv`: `export_customers(fmt="csv")`, UTF-8 with BOM (what the page streams to the browser);
- `xlsx`: `export_customers(fmt="xlsx")` (what the command writes);
- `xlsx_background`: `export_start` + `export_write` (the worker: rows, workbook, sealing with
  AES-GCM) and `export_download` read to the end (decrypting, as the download does).

Writes `bench/results/export-<date>.json` with the machine, sizes, seconds and rows/s. No goal is
set for exports; the figures are in the README's export section.

    python -m bench.export --customers 100000 --database sqlite --database postgres
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.common import ROOT, machine_info, setup_django, write_result
from bench.seed import BENCH_PG_NAME, fresh_postgres, run

PG_NAME = f"{BENCH_PG_NAME}_export"


def measure() -> dict[str, Any]:
    """The child's part: the three exports, timed one after the other."""
    setup_django()
    from django.contrib.auth import get_user_model

    from freightcrm.customers.search import CustomerFilters
    from freightcrm.intake import exporting

    clerk = get_user_model().objects.get(username="records_clerk")
    figures: dict[str, Any] = {}
    for fmt in ("csv", "xlsx"):
        with tempfile.TemporaryFile() as out:
            started = time.perf_counter()
            log = exporting.export_customers(
                actor=clerk, filters=CustomerFilters(), fmt=fmt, channel="command", out=out
            )
            seconds = time.perf_counter() - started
            figures[fmt] = {"rows": log.rows, "seconds": round(seconds, 2), "bytes": out.tell(),
                            "columns": len(log.fields)}  # fmt: skip
    started = time.perf_counter()
    log = exporting.export_write(exporting.export_start(actor=clerk, filters=CustomerFilters()))
    written = time.perf_counter() - started
    started = time.perf_counter()
    size = sum(len(piece) for piece in exporting.export_download(actor=clerk, log=log))
    downloaded = time.perf_counter() - started
    figures["xlsx_background"] = {
        "rows": log.rows,
        "seconds": round(written, 2),
        "download_seconds": round(downloaded, 2),
        "bytes": size,
        "sealed_bytes": Path(log.file.path).stat().st_size,
    }
    log.file.delete(save=False)
    for figure in figures.values():
        figure["rows_per_s"] = round(figure["rows"] / figure["seconds"]) if figure["seconds"] else None
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return figures


def one_database(vendor: str, customers: int) -> dict[str, Any]:
    data_dir = Path(tempfile.mkdtemp(prefix="bench-export-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["FREIGHTCRM_DATA_DIR"] = str(data_dir)
    if vendor == "postgres":
        fresh_postgres(PG_NAME)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{PG_NAME}"
    try:
        run([sys.executable, "manage.py", "migrate", "--noinput", "-v0"], env)
        started = time.monotonic()
        run([sys.executable, "manage.py", "seed_demo", "--customers", str(customers), "--seed", "42",
             "--with-users", "--no-progress"], env)  # fmt: skip
        seeded = time.monotonic() - started
        output = run([sys.executable, "-m", "bench.export", "measure"], env)
        result = json.loads(output.strip().splitlines()[-1])
        os.environ.update({k: env[k] for k in ("FREIGHTCRM_DATA_DIR", "DATABASE_URL") if k in env})
        return {"database": vendor, "customers": customers, "seed_seconds": round(seeded, 1), **result}
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)
        if vendor == "postgres":
            subprocess.run(
                ["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", PG_NAME], check=False
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("step", nargs="?", choices=("measure",), help=argparse.SUPPRESS)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--database", action="append", choices=("sqlite", "postgres"), default=None)
    parser.add_argument("--note", default="", help="recorded with the result (e.g. what else ran)")
    options = parser.parse_args()
    if options.step == "measure":
        print(json.dumps(measure()))
        return
    load = os.getloadavg()
    runs = [one_database(vendor, options.customers) for vendor in options.database or ["sqlite"]]
    path = write_result(
        "export",
        {
            "machine": {**machine_info(), "load_at_start": load},
            "sizes": {"customers": options.customers},
            "runs": runs,
            "note": options.note,
        },  # fmt: skip
    )
    print(json.dumps(runs, indent=2))
    print(f"written {path}", file=sys.stderr)


if __name__ == "__main__":
    os.chdir(ROOT)
    main()
