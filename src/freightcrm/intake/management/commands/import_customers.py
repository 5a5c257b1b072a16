"""`freightcrm import_customers FILE`: the import wizard's engine from the command line."""

from __future__ import annotations

import json
import shutil
import sys
from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from freightcrm.core.errors import ApplicationError
from freightcrm.intake.choices import ImportMode, ImportTarget
from freightcrm.intake.importing import job_check, job_run, job_set_mapping, job_start, unknown_columns


class Command(BaseCommand):
    help = (
        "Import customers (or contacts, logistics needs, historic shipments) from an .xlsx, .xls or "
        ".csv file with the same checks as the import page. New customers wait for review. "
        "Exits with status 1 when the file or its mapping is refused."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("file", type=Path, help="The .xlsx, .xls or .csv file.")
        parser.add_argument("--dry-run", action="store_true", help="Check every row, change nothing.")
        parser.add_argument("--sheet", default="", help="The sheet to read (default: the first).")
        parser.add_argument(
            "--mapping",
            type=Path,
            help='A JSON file {"header": "field", …}; default: guessed from the headers.',
        )
        parser.add_argument("--mode", choices=ImportMode.values, default=ImportMode.UPSERT)
        parser.add_argument("--target", choices=ImportTarget.values, default=ImportTarget.CUSTOMERS)
        parser.add_argument("--error-report", type=Path, help="Write the error workbook (.xlsx) here.")
        parser.add_argument("--user", default="", help="Import as this user (default: the first superuser).")
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def _actor(self, username: str) -> Any:
        users = get_user_model()._default_manager
        actor = (
            users.filter(username=username).first() if username else users.filter(is_superuser=True).first()
        )
        if actor is None:
            raise CommandError(
                f"No user {username!r}." if username else "No superuser; name one with --user."
            )
        return actor

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file.")
        actor = self._actor(options["user"])
        try:
            with path.open("rb") as handle:
                upload = File(handle, name=path.name)
                job = job_start(
                    actor=actor,
                    upload=upload,
                    target=options["target"],
                    mode=options["mode"],
                    sheet=options["sheet"],
                )
            if options["mapping"]:
                mapping = json.loads(options["mapping"].read_text(encoding="utf-8"))
                job = job_set_mapping(actor=actor, job=job, mapping=mapping)
            else:
                job = job_set_mapping(actor=actor, job=job, mapping=job.mapping)
        except (ApplicationError, ValidationError) as exc:
            text = "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
            raise CommandError(text) from exc
        except (OSError, json.JSONDecodeError) as exc:
            raise CommandError(str(exc)) from exc
        ignored = unknown_columns(job)
        if ignored:
            self.stdout.write("ignored columns: " + ", ".join(ignored))
        with tqdm(
            total=job.total_rows, unit="行", desc="检查" if options["dry_run"] else "导入",
            file=sys.stderr, disable=options["no_progress"],
        ) as bar:  # fmt: skip

            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(done - bar.n)

            job = (job_check if options["dry_run"] else job_run)(job, progress=progress)
        if options["error_report"] and job.error_report:
            with job.error_report.open("rb") as source, options["error_report"].open("wb") as target:
                shutil.copyfileobj(source, target)
        for error in job.errors_preview[:20]:
            self.stdout.write(
                f"row {error['row']} {error['column']}: {error['message']} {error['hint']}".rstrip()
            )
        verb = "would create" if options["dry_run"] else "created"
        self.stdout.write(
            f"import_customers: {job.processed_rows} rows, {verb} {job.created_rows}, "
            f"updated {job.updated_rows}, unchanged {job.unchanged_rows}, errors {job.error_rows} "
            f"(job {job.pk})"
        )
