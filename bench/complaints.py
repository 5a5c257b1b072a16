"""`python -m bench.complaints`: time the complaint statistics over a seeded database.

Takes a database `seed_demo` filled (DATABASE_URL, or the SQLite file in FREIGHTCRM_DATA_DIR). With
`--complaints N` it first tops the complaints up to N with the demo generator (other shipments than
the ones already complained about), so a database seeded before complaints existed can be used.
Then it runs `complaint_statistics` as the demo manager over the last 12 months and over the whole
range, `--repeat` times each, and records the timings, the sizes (customers, shipments, complaints),
the query count and the machine. The shipment denominators are timed on their own too: at ten
million shipments they are the expensive part until they come from monthly aggregates.

    FREIGHTCRM_DATA_DIR=/work/bench-data/sqlite-1m python -m bench.complaints --complaints 20000
    DATABASE_URL=postgres://postgres@127.0.0.1/freightcrm_1m python -m bench.complaints --complaints 20000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from typing import Any

from bench.common import machine_info, setup_django, write_result


def top_up(target: int, seed: int) -> int:
    """Add demo complaints until there are `target` (never removes any); returns how many were added."""
    from django.utils import timezone

    from freightcrm.service.complaints.demo import PEAK_FACTOR, plant_complaints
    from freightcrm.service.complaints.models import Complaint
    from freightcrm.shipments.models import Shipment

    have = Complaint.objects.count()
    added = 0
    salt = 1
    while have + added < target and salt < 20:
        need = target - have - added
        shipments = Shipment.objects.count()
        if not shipments:
            raise SystemExit("No shipments: seed the database first (seed_demo).")
        # Ask for a third more than needed at the off-peak rate (peak months add more), then cut.
        per_mille = min(1000 / PEAK_FACTOR, need * 1000 / shipments * 1.34)
        added += plant_complaints(
            seed=seed, today=timezone.localdate(), per_mille=per_mille, salt=salt, limit=need
        )
        salt += 1
    return added


def timed(function: Any, repeat: int) -> dict[str, Any]:
    from django.db import connection, reset_queries

    values = []
    queries = 0
    for _ in range(repeat):
        reset_queries()
        started = time.perf_counter()
        function()
        values.append((time.perf_counter() - started) * 1000)
        queries = len(connection.queries)
    return {
        "n": repeat,
        "min_ms": round(min(values), 1),
        "median_ms": round(statistics.median(values), 1),
        "max_ms": round(max(values), 1),
        "queries": queries,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.utils import timezone

    from freightcrm.customers.models import Customer
    from freightcrm.service.complaints.models import Complaint
    from freightcrm.service.complaints.selectors import _shipment_denominators, complaint_statistics
    from freightcrm.shipments.models import Shipment

    topped = {}
    if args.complaints:
        started = time.perf_counter()
        added = top_up(args.complaints, args.seed)
        topped = {"added": added, "seconds": round(time.perf_counter() - started, 1)}
    settings.DEBUG = True  # count the queries
    manager = get_user_model().objects.get(username=args.user)
    today = timezone.localdate()
    first = Shipment.objects.order_by("booked_at").values_list("booked_at", flat=True).first()
    ranges = {
        "last_12_months": (today.replace(day=1) - dt.timedelta(days=335), today + dt.timedelta(days=1)),
        "everything": (timezone.localdate(first) if first else today, today + dt.timedelta(days=1)),
    }
    results: dict[str, Any] = {}
    for name, (start, end) in ranges.items():
        complaint_statistics(manager, start=start, end=end)  # warm the caches the way a server has them
        results[name] = {
            "start": start.isoformat(),
            "end": end.isoformat(),
            "statistics": timed(
                lambda s=start, e=end: complaint_statistics(manager, start=s, end=e), args.repeat
            ),
            "shipment_denominators": timed(lambda s=start, e=end: _shipment_denominators(s, e), args.repeat),
        }
        stats = complaint_statistics(manager, start=start, end=end)
        results[name]["figures"] = {
            "complaints": stats.complaints,
            "shipments": stats.shipments,
            "rate_per_1000": stats.rate,
            "first_response_hours": stats.first_response,
            "resolution_hours": stats.resolution,
            "breaches": stats.breaches,
        }
    return {
        "benchmark": "complaints",
        "machine": machine_info(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "database": connection.vendor,
        "sizes": {
            "customers": Customer.objects.count(),
            "shipments": Shipment.objects.count(),
            "complaints": Complaint.objects.count(),
        },
        "top_up": topped,
        "goal": "complaint statistics <= 2 s at 1,000,000 customers, 10,000,000 shipments, 20,000 complaints",
        "results": results,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--complaints", type=int, default=0, help="top the complaints up to this many first")
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each range")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--user", default="manager", help="who views the statistics (sees every customer)")
    parser.add_argument("--label", default="", help="added to the result file's name")
    args = parser.parse_args()
    result = run(args)
    label = f"-{args.label}" if args.label else ""
    size = result["sizes"]["customers"]
    path = write_result(f"complaints-{result['database']}-{size}{label}", result)
    print(json.dumps({"sizes": result["sizes"], "top_up": result["top_up"]}, ensure_ascii=False))
    for range_name, figures in result["results"].items():
        print(
            f"{range_name:15} statistics median {figures['statistics']['median_ms']:8.1f} ms "
            f"({figures['statistics']['queries']} queries); denominators alone "
            f"{figures['shipment_denominators']['median_ms']:8.1f} ms"
        )
    print(f"written to {path}")


if __name__ == "__main__":
    main()
