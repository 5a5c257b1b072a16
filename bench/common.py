"""What every benchmark result records: the machine, the software, the database, the date."""

from __future__ import annotations

import datetime as dt
import os
import platform
from pathlib import Path
from typing import Any


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
