"""What every benchmark shares: Django set up for the configured database, latency summaries, and
the result file with what every result records (the machine, the software, the database, the date)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"


def setup_django() -> None:
    """Django for the database in DATABASE_URL (or the SQLite file in FREIGHTCRM_DATA_DIR)."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "freightcrm.settings")
    import django

    django.setup()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {
        "n": len(values),
        "p50_ms": round(percentile(values, 0.50), 2),
        "p95_ms": round(percentile(values, 0.95), 2),
        "p99_ms": round(percentile(values, 0.99), 2),
        "max_ms": round(max(values), 2) if values else 0.0,
        "mean_ms": round(statistics.fmean(values), 2) if values else 0.0,
    }


def write_result(stem: str, result: dict[str, Any]) -> Path:
    """Write `result` to `bench/results/<stem>-<UTC date>.json`; returns the file."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{stem}-{dt.datetime.now(dt.UTC):%Y-%m-%d}.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2, default=str) + "\n")
    return path


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _memory_gb() -> float:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    return 0.0


def database_info() -> dict[str, str]:
    """Vendor and server version of Django's default database (Django must be set up)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("show server_version")
        else:
            cursor.execute("select sqlite_version()")
        version = cursor.fetchone()[0]
    return {"vendor": connection.vendor, "version": str(version)}


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpus": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": _memory_gb(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    try:
        import django

        info["django"] = django.get_version()
        info["database"] = database_info()
    except Exception as error:  # noqa: BLE001 - Django not set up: the machine facts still stand
        info["database"] = {"unavailable": str(error)}
    return info
