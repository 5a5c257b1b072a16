"""`freightcrm export_customers OUT.xlsx --user NAME [filters]`: the customer list to a file, as that
user sees it, with a progress bar. Thin: parses the options, calls `intake.exporting`."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from freightcrm.core.errors import ApplicationError
from freightcrm.customers.search import CustomerFilters
from freightcrm.intake import exporting


class Command(BaseCommand):
    help = "Export the customer list (as one user may see it) to .xlsx or .csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("out", help="the file to write: a name ending in .xlsx or .csv")
        parser.add_argument("--user", required=True, help="export as this user (their rows and masking)")
        parser.add_argument("--q", default="", help="search text, as typed in the list's search box")
        parser.add_argument("--kind", default="", help="customer kind code (E, P, …)")
        parser.add_argument("--province", default="", help="province or city name, or a region code prefix")
        parser.add_argument("--status", default="", help="status code (active, prospect, …)")
        parser.add_argument("--owner", default="", help="account owner's login")
        parser.add_argument("--tag", default="", help="tag name")
        parser.add_argument("--fields", default="", help="comma-separated columns (default: all you may see)")
        parser.add_argument("--sensitive", action="store_true", help="ID and bank numbers in full")
        parser.add_argument(
            "--encoding",
            default=exporting.DEFAULT_ENCODING,
            help="csv only: utf-8 (with BOM, default) or gb18030",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        fmt = out.suffix.lower().lstrip(".")
        if fmt not in exporting.FORMATS:
            raise CommandError(
                _("The output file must end in .xlsx or .csv, not %(name)s.") % {"name": out.name}
            )
        actor = User.objects.filter(username=options["user"]).first()
        if actor is None:
            raise CommandError(_("No user %(name)s.") % {"name": options["user"]})
        owner = None
        if options["owner"]:
            owner = User.objects.filter(username=options["owner"]).values_list("pk", flat=True).first()
            if owner is None:
                raise CommandError(_("No user %(name)s.") % {"name": options["owner"]})
        filters = CustomerFilters(
            kind=options["kind"],
            region=options["province"],
            status=options["status"],
            owner=owner,
            tag=options["tag"],
        )
        fields = [name.strip() for name in options["fields"].split(",") if name.strip()] or None
        directory = out.resolve().parent
        if not directory.is_dir():
            raise CommandError(_("The folder %(path)s does not exist.") % {"path": directory})
        # Written beside the target and renamed at the end: a failed export leaves no half file.
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=".export-", suffix=out.suffix)
        try:
            quiet = options["verbosity"] < 1
            with os.fdopen(handle, "wb") as stream, tqdm(unit=" rows", disable=quiet) as bar:
                log = exporting.export_customers(
                    actor=actor,
                    filters=filters,
                    q=options["q"],
                    fmt=fmt,  # type: ignore[arg-type]
                    fields=fields,
                    sensitive=options["sensitive"],
                    channel="command",
                    out=stream,
                    encoding=options["encoding"],
                    progress=bar.update,
                )
            os.replace(temporary, out)
        except (ValidationError, ApplicationError) as error:
            Path(temporary).unlink(missing_ok=True)
            messages = error.messages if isinstance(error, ValidationError) else [str(error)]
            raise CommandError(" ".join(messages)) from error
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        self.stdout.write(_("%(rows)d customers written to %(path)s.") % {"rows": log.rows, "path": out})
