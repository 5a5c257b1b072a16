"""`freightcrm refresh_due_items [--date YYYY-MM-DD] [--enqueue]`: refresh every due list now."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from freightcrm.service.care.services import daily_jobs_run
from freightcrm.service.care.tasks import refresh_due_items


class Command(BaseCommand):
    help = "Run the daily jobs and refresh every user's due list now (or hand it to the worker)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="the day to refresh for (default: today, local time)")
        parser.add_argument("--enqueue", action="store_true", help="let the task worker run it")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["date"]) if options["date"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError(f"--date: not a date (YYYY-MM-DD): {options['date']}") from exc
        if options["enqueue"]:
            result = refresh_due_items.enqueue(today.isoformat())
            self.stdout.write(f"enqueued {result.id}")
            return
        self.stdout.write(json.dumps(daily_jobs_run(today=today), ensure_ascii=False, default=str))
