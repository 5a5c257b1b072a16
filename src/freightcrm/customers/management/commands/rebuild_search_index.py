"""`freightcrm rebuild_search_index`: build the customer search index from the archive.

The services keep the index current; rebuild it after loading data behind their back (a restore,
a bulk load) or when upgrading a database filed before the index existed.
"""

from __future__ import annotations

import sys
import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from tqdm import tqdm

from freightcrm.customers.models import Customer, SearchTerm
from freightcrm.customers.search import rebuild_search_index


class Command(BaseCommand):
    help = "Build the customer search index (names, pinyin, phones, codes, contacts) from the archive."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--if-empty", action="store_true", help="Only when the index is empty but customers exist."
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show a progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and SearchTerm.objects.exists():
            self.stdout.write("rebuild_search_index: the index is already built; nothing to do.")
            return
        started = time.monotonic()
        with tqdm(
            total=Customer.objects.count(),
            desc="搜索索引",
            unit="户",
            file=sys.stderr,
            disable=options["no_progress"],
        ) as bar:
            indexed = rebuild_search_index(progress=bar.update)
        self.stdout.write(
            f"rebuild_search_index: {indexed} customers indexed in {time.monotonic() - started:.1f} s."
        )
