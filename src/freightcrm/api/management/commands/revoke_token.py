"""`freightcrm revoke_token PREFIX`: the token stops working on its next request."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from freightcrm.api.services import TokenNotFound, api_token_revoke


class Command(BaseCommand):
    help = "Revoke the API token with this prefix (the 12 characters after 'fct_'; the full token works too)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            token = api_token_revoke(prefix=options["prefix"])
        except TokenNotFound as exc:
            raise CommandError(str(exc)) from exc
        holder = token.user.get_username()
        self.stdout.write(f"Revoked {token.prefix} of {holder} at {token.revoked_at:%Y-%m-%d %H:%M}.")
