"""The API app owns bearer tokens: issuing, revoking, and checking them on every request.

Tokens are looked up by their public prefix and checked by a constant-time comparison of the
SHA-256 of the secret, so neither the database nor response timing reveals a usable token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from freightcrm.api.models import TOKEN_SCHEME, ApiToken
from freightcrm.core.errors import ApplicationError

PREFIX_BYTES = 6  # 12 hex characters: enough to be unique, short enough to read out on the phone
SECRET_BYTES = 32
# Writing `last_used_at` on every request would make each API read a database write (and on SQLite
# serialise all requests on the write lock); once a minute is plenty to see whether a token is used.
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


class TokenError(ApplicationError):
    """A token that does not let anyone in: unknown, wrong secret, revoked, expired, inactive user.

    Every refusal carries the same message, so a caller cannot tell a wrong secret from a revoked
    token; `reason` says which it was, for the server's log only.
    """

    code = "invalid_token"
    status = 401

    def __init__(self, reason: str) -> None:
        super().__init__(_("The API token is missing, malformed, unknown, revoked or expired."))
        self.reason = reason


class TokenNotFound(ApplicationError):
    code = "token_not_found"
    status = 404


@dataclass(frozen=True)
class IssuedToken:
    """The stored row and the full token; the token exists only here, never in the database."""

    token: ApiToken
    value: str


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def split_token(value: str) -> tuple[str, str] | None:
    """`fct_<prefix>_<secret>` → (prefix, secret), or None when it is not shaped like a token."""
    scheme, _sep, rest = value.strip().partition("_")
    prefix, _sep, secret = rest.partition("_")
    if scheme != TOKEN_SCHEME or not prefix or not secret or len(prefix) != 2 * PREFIX_BYTES:
        return None
    if not all(char in "0123456789abcdef" for char in prefix):
        return None
    return prefix, secret


@transaction.atomic
def api_token_issue(*, user: User, name: str = "", expires_at: dt.datetime | None = None) -> IssuedToken:
    """Make a token for `user`; the returned value is the only copy of the secret."""
    if not user.is_active:
        raise ApplicationError(
            _("%(user)s is not active; activate the login before issuing a token."),
            code="inactive_user",
            params={"user": user.get_username()},
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise ApplicationError(_("The expiry time must be in the future."), code="expiry_in_past")
    while True:
        prefix = secrets.token_hex(PREFIX_BYTES)
        if not ApiToken.objects.filter(prefix=prefix).exists():
            break
    secret = secrets.token_urlsafe(SECRET_BYTES)
    token = ApiToken(
        user=user, name=name, prefix=prefix, secret_hash=hash_secret(secret), expires_at=expires_at
    )
    token.full_clean()
    token.save()
    return IssuedToken(token=token, value=f"{TOKEN_SCHEME}_{prefix}_{secret}")


@transaction.atomic
def api_token_revoke(*, prefix: str) -> ApiToken:
    """Revoke the token with this prefix (a full token is accepted too); revoking twice is harmless."""
    parts = split_token(prefix)
    prefix = parts[0] if parts else prefix.strip()
    try:
        token = ApiToken.objects.select_for_update().get(prefix=prefix)
    except ApiToken.DoesNotExist as exc:
        raise TokenNotFound(_("No API token has the prefix %(prefix)s."), params={"prefix": prefix}) from exc
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at", "updated_at"])
    return token


def api_token_authenticate(value: str, *, now: dt.datetime | None = None) -> ApiToken:
    """The live token behind `value`, its user loaded; `TokenError` otherwise."""
    now = now or timezone.now()
    parts = split_token(value)
    if parts is None:
        raise TokenError("malformed")
    prefix, secret = parts
    token = ApiToken.objects.select_related("user").filter(prefix=prefix).first()
    # Hash and compare even when no row matched, so that unknown prefixes take as long as known ones.
    expected = token.secret_hash if token is not None else hash_secret("")
    matches = hmac.compare_digest(hash_secret(secret), expected)
    if token is None:
        raise TokenError(f"unknown prefix {prefix}")
    if not matches:
        raise TokenError(f"wrong secret for {prefix}")
    if token.revoked_at is not None:
        raise TokenError(f"{prefix} revoked")
    if token.expires_at is not None and token.expires_at <= now:
        raise TokenError(f"{prefix} expired")
    if not token.user.is_active:
        raise TokenError(f"{prefix} belongs to an inactive user")
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        # Conditional, so that concurrent workers do not all write in the same minute.
        ApiToken.objects.filter(pk=token.pk).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_RESOLUTION)
        ).update(last_used_at=now)
        token.last_used_at = now
    return token
