"""Secret links for people without a login (survey invitations, the customer's self-service form).

A token is `secrets.token_urlsafe(32)` (256 random bits); the database keeps only its SHA-256, so
neither a database copy nor a guess opens a link. `plausible` rejects what cannot be one of ours
before any query (empty, very long, non-ASCII), so such input costs nothing and leaks nothing.
"""

from __future__ import annotations

import hashlib
import secrets

MAX_TOKEN_LENGTH = 64  # token_urlsafe(32) is 43 characters; anything much longer is not ours


def new_token() -> tuple[str, str]:
    """A fresh token (shown once, never stored) and the hash to store."""
    token = secrets.token_urlsafe(32)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def plausible(token: str) -> bool:
    return bool(token) and len(token) <= MAX_TOKEN_LENGTH and token.isascii()
