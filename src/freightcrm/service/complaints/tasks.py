"""Background work of the complaints area: escalate overdue complaints every few minutes.

Targets are as short as one hour, so a daily sweep is too late: `escalate_overdue_complaints`
books its own next run `FREIGHTCRM_ESCALATION_EVERY_MINUTES` ahead (the database task backend), then
escalates. `schedule_daily_tasks` starts the chain beside the daily refresh; running it again
books nothing new while a run is waiting.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task, task_backends

from freightcrm.service.complaints.services import complaints_escalate


def schedule_next_escalation(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Book the next escalation run unless one is waiting; None when the backend runs tasks at once."""
    backend = task_backends[escalate_overdue_complaints.backend]
    if not backend.supports_defer:
        return None
    now = now or timezone.now()
    from django_tasks_db.models import DBTaskResult

    waiting = (
        DBTaskResult.objects.filter(
            task_path=escalate_overdue_complaints.module_path, status="READY", run_after__gt=now
        )
        .order_by("run_after")
        .values_list("run_after", flat=True)
        .first()
    )
    if waiting is not None:
        return waiting
    run_after = now + dt.timedelta(minutes=settings.FREIGHTCRM_ESCALATION_EVERY_MINUTES)
    escalate_overdue_complaints.using(run_after=run_after).enqueue()
    return run_after


@task()
def escalate_overdue_complaints() -> int:
    """Book the next run, then escalate every complaint past a due time; returns how many moved."""
    schedule_next_escalation()
    return complaints_escalate(now=timezone.now())
