"""`freightcrm plan_visits`: turn the visit rules into planned visits (idempotent; run it daily)."""

from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from freightcrm.service.visits.services import GENERATE_AHEAD_DAYS, visit_plans_generate


class Command(BaseCommand):
    help = (
        "Plan the return visits the active visit rules make due within the next month, for each "
        "customer's account manager. Running it again plans nothing new."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--today", help="The day to plan from, YYYY-MM-DD (default: today).")
        parser.add_argument("--ahead", type=int, default=GENERATE_AHEAD_DAYS, help="Days to look ahead.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(options["today"]) if options["today"] else timezone.localdate()
        except ValueError as exc:
            raise CommandError("--today must be a date written YYYY-MM-DD") from exc
        if not 0 <= options["ahead"] <= 366:
            raise CommandError("--ahead must be between 0 and 366 days")
        planned = visit_plans_generate(today=today, ahead_days=options["ahead"])
        self.stdout.write(f"plan_visits: {planned} visits planned for {today:%Y-%m-%d}")
