"""Background tasks of the care area (Django's tasks API, `django-tasks`).

`refresh_due_items` runs once a day: it first books its own next run (at
`FREIGHTCRM_DAILY_TASKS_AT`, local time) when the backend can defer tasks, then runs the registered
daily jobs and refreshes every due list. Booking the next run before doing the work keeps the chain
alive when today's run fails; `schedule_daily_tasks` (run at deploy and by `make demo`) starts the
chain and is safe to run any number of times, e.g. hourly from cron as a safety net.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.utils import timezone
from django_tasks import task, task_backends
from django_tasks.base import Task

from freightcrm.service.care.services import daily_jobs_run


def next_daily_run(now: dt.datetime) -> dt.datetime:
    """The next local `FREIGHTCRM_DAILY_TASKS_AT` strictly after `now`."""
    hour, minute = (int(part) for part in settings.FREIGHTCRM_DAILY_TASKS_AT.split(":"))
    local = timezone.localtime(now)
    run = local.replace(hour=hour, minute=minute, second=0, microsecond=0)
    if run <= local:
        run = timezone.make_aware(
            dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(hour, minute))
        )
    return run


def _json(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        return {str(key): _json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_json(item) for item in value]
    return str(value)


def book_next_run(task: Task[..., Any], run_after: dt.datetime, *, now: dt.datetime) -> dt.datetime | None:
    """Enqueue `task` to run at `run_after` unless a run of it is already waiting after `now`.

    Returns the time of the waiting or booked run; None when the backend runs tasks at once (cannot
    defer). Self-rebooking tasks call it before doing their work, so a failing run keeps the chain.
    """
    if not task_backends[task.backend].supports_defer:
        return None
    from django_tasks_db.models import DBTaskResult

    waiting = (
        DBTaskResult.objects.filter(task_path=task.module_path, status="READY", run_after__gt=now)
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first()
    )
    if waiting is not None:
        return waiting
    task.using(run_after=run_after).enqueue()
    return run_after


def schedule_next_refresh(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Book the next daily run unless one is already waiting; None when the backend cannot defer."""
    now = now or timezone.now()
    return book_next_run(refresh_due_items, next_daily_run(now), now=now)


@task()
def refresh_due_items(today: str | None = None) -> dict[str, Any]:
    """The daily run: book tomorrow's, run the daily jobs, refresh the due lists (`today`: ISO date)."""
    schedule_next_refresh()
    day = dt.date.fromisoformat(today) if today else timezone.localdate()
    return _json(daily_jobs_run(today=day))
