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
from django_tasks import task

from freightcrm.service.care.tasks import book_next_run
from freightcrm.service.complaints.services import complaints_escalate


def schedule_next_escalation(*, now: dt.datetime | None = None) -> dt.datetime | None:
    """Book the next escalation run unless one is waiting; None when the backend runs tasks at once."""
    now = now or timezone.now()
    run_after = now + dt.timedelta(minutes=settings.FREIGHTCRM_ESCALATION_EVERY_MINUTES)
    return book_next_run(escalate_overdue_complaints, run_after, now=now)


@task()
def escalate_overdue_complaints() -> int:
    """Book the next run, then escalate every complaint past a due time; returns how many moved."""
    schedule_next_escalation()
    return complaints_escalate(now=timezone.now())
