"""`freightcrm seed_demo --customers 2000 --seed 7`: fill the archive with deterministic demo data.

With `--with-users`, first creates (or resets) one demo login per role, so that the account
managers among them become the owners of the generated customers. Large runs use every core
(worker processes plan customers while this one writes) and, into an empty archive, build the
indexes once at the end; then the search index is built and the planners get fresh statistics.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
import unicodedata
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from tqdm import tqdm

from freightcrm.customers import demo
from freightcrm.customers.models import Customer, SearchTerm
from freightcrm.customers.search import rebuild_search_index

DEFAULT_PASSWORD = "Freight-demo-2026"  # noqa: S105 - the documented demo password, printed on purpose
OWNER_GROUP = "account_manager"
DUPLICATES_FROM = 10_000  # archives this large get near-duplicates unless --duplicates says otherwise
DEFAULT_DUPLICATES = 0.02
WORKERS_FROM = 20_000  # below this, forking workers costs more than it saves
# username, role group, last name (姓), first name (名)
DEMO_USERS: tuple[tuple[str, str, str, str], ...] = (
    ("front_desk", "front_desk", "李", "娜"),
    ("account_manager", "account_manager", "王", "强"),
    ("account_manager2", "account_manager", "陈", "静"),
    ("records_clerk", "records_clerk", "刘", "洋"),
    ("credit_analyst", "credit_analyst", "赵", "敏"),
    ("operations", "operations", "孙", "浩"),
    ("manager", "manager", "周", "建国"),
    ("auditor", "auditor", "吴", "芳"),
    ("admin", "admin", "郑", "伟"),
)
BAR_LABELS = {"customers": ("客户", "户"), "shipments": ("运单", "票"), "indexes": ("索引", "个")}


def _width(text: str) -> int:
    """Display width in a terminal: Chinese characters take two columns."""
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in text)


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


def _fraction(value: str) -> float:
    number = float(value)
    if not 0 <= number < 1:
        raise ValueError(value)
    return number


class Bars:
    """tqdm bars for the phases `demo.generate` reports (the index build says its length first)."""

    def __init__(self, customers: int, disable: bool) -> None:
        self.disable = disable
        self.bars: dict[str, tqdm[Any]] = {"customers": self._bar("customers", customers)}
        self.bars["shipments"] = self._bar("shipments", None)

    def _bar(self, what: str, total: int | None) -> tqdm[Any]:
        label, unit = BAR_LABELS.get(what, (what, ""))
        return tqdm(total=total, desc=label, unit=unit, file=sys.stderr, disable=self.disable)

    def __call__(self, what: str, count: int, /, *, total: int | None = None) -> None:
        if total is not None:
            if what in self.bars:
                self.bars[what].close()
            self.bars[what] = self._bar(what, total)
        self.bars[what].update(count)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


class Command(BaseCommand):
    help = (
        "Fill the archive with deterministic demo customers, contacts, needs and shipments (about "
        "ten per customer over two years), one history row per customer, and near-duplicates with a "
        "truth file; then build the search index. A million customers take minutes."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--customers", type=int, default=200, help="How many customers (default 200).")
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed; the same seed gives the same data."
        )
        parser.add_argument(
            "--years", type=_positive, default=2, help="Years of shipments up to today (default 2)."
        )
        parser.add_argument(
            "--today", type=_date, default=None, help="The day the data ends, YYYY-MM-DD (default: today)."
        )
        parser.add_argument(
            "--batch-size",
            type=_positive,
            default=1_000,
            help="Customers written per batch (default 1000; at most the name window of 10,000). "
            "Each batch is a transaction, except in a load into an empty archive of 10,000 "
            "customers or more, which is one transaction with the indexes built at the end.",
        )
        parser.add_argument(
            "--duplicates",
            type=_fraction,
            default=None,
            metavar="FRACTION",
            help=f"Share of customers planted as near-duplicates of customers filed shortly before "
            f"(name typos, 有限公司/有限责任公司, abbreviations, the same phone or contact, the address "
            f"written another way; never the same USCC, which is unique). Default "
            f"{DEFAULT_DUPLICATES} from {DUPLICATES_FROM:,} customers, else 0.",
        )
        parser.add_argument(
            "--truth",
            type=Path,
            default=None,
            metavar="PATH",
            help="Where to write the planted duplicates as CSV (duplicate code, original code, "
            "variations); default $FREIGHTCRM_DATA_DIR/duplicates-truth-seed<SEED>.csv.",
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=None,
            help=f"Processes that plan customers while this one writes (default: one per core from "
            f"{WORKERS_FROM:,} customers, else none). The data does not depend on it.",
        )
        parser.add_argument(
            "--with-users",
            action="store_true",
            help="Create or reset one demo login per role before the customers.",
        )
        parser.add_argument(
            "--password", default=DEFAULT_PASSWORD, help="Password of the demo logins (default %(default)s)."
        )
        parser.add_argument("--no-progress", action="store_true", help="Do not show progress bars.")
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Only add customers when the archive has none (so `make demo` can be run again).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        customers: int = options["customers"]
        if customers < 0:
            raise CommandError("--customers must be 0 or more.")
        today: dt.date = options["today"] or timezone.localdate()
        if today > timezone.localdate():
            raise CommandError(
                "--today cannot be in the future: birth and founding dates must have happened."
            )
        started = time.monotonic()
        if options["with_users"]:
            self.stdout.write(self._users_table(demo_users(options["password"])))
        owners = list(
            get_user_model()
            .objects.filter(groups__name=OWNER_GROUP, is_active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
            .distinct()
        )
        existing = Customer.objects.count()
        if existing and options["if_empty"]:
            self.stdout.write(f"seed_demo: the archive already holds {existing} customers; nothing added.")
            return
        duplicates = options["duplicates"]
        if duplicates is None:
            duplicates = DEFAULT_DUPLICATES if customers >= DUPLICATES_FROM else 0.0
        workers = options["workers"]
        if workers is None:
            workers = (os.cpu_count() or 1) if customers >= WORKERS_FROM else 0
        bars = Bars(customers, disable=options["no_progress"])
        try:
            with demo.tuned_for_bulk_load():
                counts = demo.generate(
                    customers=customers,
                    seed=options["seed"],
                    years=options["years"],
                    today=today,
                    owners=owners,
                    first_index=existing,
                    batch_size=options["batch_size"],
                    progress=bars,
                    duplicates=duplicates,
                    workers=workers,
                )
                bars.close()
                for step in demo.DEMO_STEPS:
                    phase = time.monotonic()
                    with tqdm(desc=step.label, file=sys.stderr, disable=options["no_progress"]) as bar:

                        def set_total(total: int, bar: tqdm[Any] = bar) -> None:
                            bar.total = total
                            bar.refresh()

                        counts.extra[step.key] = step.run(
                            demo.DemoStepContext(
                                seed=options["seed"],
                                today=today,
                                years=options["years"],
                                first_customer_id=counts.first_customer_id,
                                progress=bar.update,
                                set_total=set_total,
                            )
                        )
                    counts.timings[step.key] = time.monotonic() - phase
                phase = time.monotonic()
                with tqdm(
                    total=Customer.objects.count(),
                    desc="搜索索引",
                    unit="户",
                    file=sys.stderr,
                    disable=options["no_progress"],
                ) as bar:
                    rebuild_search_index(progress=bar.update)
                counts.timings["search_index"] = time.monotonic() - phase
                phase = time.monotonic()
                demo.analyze([*demo.SEEDED_MODELS, SearchTerm])
                counts.timings["analyze"] = time.monotonic() - phase
        finally:
            bars.close()
        truth_path = None
        if counts.truth:
            truth_path = options["truth"] or Path(settings.DATA_DIR) / (
                f"duplicates-truth-seed{options['seed']}.csv"
            )
            demo.write_truth(truth_path, counts.truth)
        seconds = time.monotonic() - started
        counts.timings["total"] = seconds
        self.stdout.write(
            f"seed_demo: {counts.customers} customers, {counts.contacts} contacts, "
            f"{counts.addresses} addresses, {counts.needs} needs, {counts.shipments} shipments, "
            f"{counts.history} history rows, {counts.duplicates} near-duplicates, "
            f"{len(owners)} owners, in {seconds:.1f} s"
        )
        if counts.extra:
            self.stdout.write(
                "seed_demo also: " + ", ".join(f"{count} {key}" for key, count in counts.extra.items())
            )
        if truth_path:
            self.stdout.write(f"seed_demo: near-duplicates listed in {truth_path}")
        self.stdout.write(
            "seed_demo timings: " + " ".join(f"{name}={value:.1f}s" for name, value in counts.timings.items())
        )

    @staticmethod
    def _users_table(rows: list[tuple[str, str, str, str]]) -> str:
        table = [("username", "name", "role", "password"), *rows]
        widths = [max(_width(row[i]) for row in table) for i in range(4)]
        lines = [
            "  ".join(cell + " " * (width - _width(cell)) for cell, width in zip(row, widths, strict=True))
            for row in table
        ]
        rule = "  ".join("-" * width for width in widths)
        return "\n".join(line.rstrip() for line in [lines[0], rule, *lines[1:]])


@transaction.atomic
def demo_users(password: str) -> list[tuple[str, str, str, str]]:
    """Create or reset one staff login per role; returns (username, name, role, password) rows."""
    user_model = get_user_model()
    rows = []
    # One hash for all the demo logins: they share one documented password anyway, and hashing
    # (PBKDF2, about half a second) once instead of nine times keeps the command quick.
    encoded = make_password(password)
    for username, role, last_name, first_name in DEMO_USERS:
        try:
            group = Group.objects.get(name=role)
        except Group.DoesNotExist as exc:
            raise CommandError(f"The role group {role!r} does not exist; run `migrate` first.") from exc
        user, _created = user_model.objects.get_or_create(username=username)
        user.first_name, user.last_name = first_name, last_name
        user.email = f"{username}@fc-logistics.com.cn"
        user.is_staff = True
        user.is_superuser = role == "admin"
        user.is_active = True
        try:
            password_validation.validate_password(password, user)
        except ValidationError as exc:
            raise CommandError(f"--password is too weak: {' '.join(exc.messages)}") from exc
        user.password = encoded
        user.save()
        user.groups.set([group])
        rows.append((username, f"{last_name}{first_name}", role, password))
    return rows
