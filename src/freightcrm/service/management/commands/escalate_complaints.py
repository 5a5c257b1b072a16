"""`freightcrm escalate_complaints`: escalate every open complaint past its due time (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from freightcrm.service.complaints.services import complaints_escalate


class Command(BaseCommand):
    help = "Escalate open complaints past their response or resolution due time to the managers."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", help="ISO time to escalate as of (default: now), e.g. 2026-11-23T09:00+08:00"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        if options["now"]:
            try:
                now = dt.datetime.fromisoformat(options["now"])
            except ValueError as exc:
                raise CommandError(f"--now: not an ISO time: {options['now']}") from exc
            if timezone.is_naive(now):
                now = timezone.make_aware(now)
        moved = complaints_escalate(now=now)
        self.stdout.write(f"escalated {moved} complaint step(s)")
