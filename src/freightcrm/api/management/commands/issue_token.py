"""`freightcrm issue_token USER [--name NAME] [--expires-days N]`: print a new API token once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from freightcrm.api.services import api_token_issue
from freightcrm.core.errors import ApplicationError


class Command(BaseCommand):
    help = "Issue an API token for USER and print it. It is shown only this once; only its hash is stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("user", help="The login the token acts as (its roles decide what it sees).")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'ERP nightly sync'.")
        parser.add_argument(
            "--expires-days",
            type=int,
            default=None,
            help="Stop working after this many days (default: never).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            user = User.objects.get(username=options["user"])
        except User.DoesNotExist as exc:
            raise CommandError(f"No user with the login {options['user']!r}.") from exc
        days = options["expires_days"]
        if days is not None and days < 1:
            raise CommandError("--expires-days must be at least 1.")
        expires_at = timezone.now() + dt.timedelta(days=days) if days else None
        try:
            issued = api_token_issue(user=user, name=options["name"], expires_at=expires_at)
        except ApplicationError as exc:
            raise CommandError(str(exc)) from exc
        # The token alone on stdout, so scripts can capture it; the explanation on stderr.
        self.stdout.write(issued.value)
        self.stderr.write(
            f"Token {issued.token.prefix} for {user.get_username()}: store it now, it cannot be shown again."
        )
