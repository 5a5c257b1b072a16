"""`freightcrm schedule_daily_tasks`: make sure the daily refresh is booked (safe to repeat)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from freightcrm.service.care.tasks import schedule_next_refresh
from freightcrm.service.complaints.tasks import schedule_next_escalation


class Command(BaseCommand):
    help = (
        "Book the next daily run of refresh_due_items and the next escalation of overdue complaints "
        "for the task worker, unless they are waiting."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        run_after = schedule_next_refresh()
        if run_after is None:
            self.stdout.write("The task backend runs tasks at once; nothing to schedule.")
        else:
            self.stdout.write(f"next refresh_due_items run: {timezone.localtime(run_after).isoformat()}")
        escalation = schedule_next_escalation()
        if escalation is not None:
            self.stdout.write(
                f"next escalate_overdue_complaints run: {timezone.localtime(escalation).isoformat()}"
            )
