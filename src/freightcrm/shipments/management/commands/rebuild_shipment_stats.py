"""`freightcrm rebuild_shipment_stats`: recompute the monthly shipment figures from the shipments."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from freightcrm.shipments import stats


class Command(BaseCommand):
    help = (
        "Recompute the shipments per customer and month and per province and month from the "
        "shipments themselves (set-wise, a few thousand customers per statement)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        low, high = stats.customer_id_range()
        with tqdm(
            total=max(high - low + 1, 0), unit="户", desc="客户月度运单", disable=options["no_progress"]
        ) as bar:
            months = stats.rebuild_customer_months(first_id=low, last_id=high, progress=bar.update)
        regions = stats.rebuild_region_months()
        self.stdout.write(f"rebuild_shipment_stats: {months} customer months, {regions} province months")
