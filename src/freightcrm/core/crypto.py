"""Encryption at rest: AES-256-GCM with a key ring, and an HMAC blind index for exact look-up.

Ciphertext format (text, so it fits any database column)::

    fc1:<key id>:<base64url(nonce ‖ ciphertext ‖ tag)>

The key id travels inside the ciphertext, so keys rotate: new writes use the primary key, old
values stay readable while their key is still in the ring, and `freightcrm rotate_keys` rewrites
them. Every ciphertext is bound by AES-GCM associated data to its table, row and field, so a
value copied into another row or column does not decrypt. Decryption fails closed: a missing or
wrong key raises `DecryptionError`; the ciphertext is never handed back as if it were data.

Keys come from ``FREIGHTCRM_ENCRYPTION_KEYS`` (``id:base64key,id:base64key``, the first one is
primary) and ``FREIGHTCRM_BLIND_INDEX_KEY`` (base64), else from the key file in the data folder.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from base64 import b64decode, urlsafe_b64decode, urlsafe_b64encode
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import IO, Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from freightcrm.core.keyfile import read_or_create_key_file

PREFIX = "fc1"
_KEY_ID = re.compile(r"^[A-Za-z0-9_-]{1,16}$")


class DecryptionError(Exception):
    """A stored value could not be decrypted: the key is missing or wrong, or the data was altered."""


@dataclass(frozen=True)
class KeyRing:
    primary: str
    keys: dict[str, bytes]
    blind_index_key: bytes


def _decode_key(text: str, what: str) -> bytes:
    try:
        key = b64decode(text.strip(), validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{what} is not valid base64") from exc
    if len(key) != 32:
        raise ImproperlyConfigured(f"{what} must be 32 bytes (256 bits), got {len(key)}")
    return key


def _parse_key_list(text: str) -> tuple[str, dict[str, bytes]]:
    keys: dict[str, bytes] = {}
    primary = ""
    for item in text.split(","):
        key_id, sep, material = item.strip().partition(":")
        if not sep or not _KEY_ID.match(key_id):
            raise ImproperlyConfigured(
                "FREIGHTCRM_ENCRYPTION_KEYS must look like 'k2:<base64 key>,k1:<base64 key>'"
            )
        if key_id in keys:
            raise ImproperlyConfigured(f"FREIGHTCRM_ENCRYPTION_KEYS names key {key_id!r} twice")
        keys[key_id] = _decode_key(material, f"encryption key {key_id!r}")
        primary = primary or key_id
    return primary, keys


@lru_cache(maxsize=1)
def key_ring() -> KeyRing:
    configured = settings.FREIGHTCRM_ENCRYPTION_KEYS.strip()
    blind = settings.FREIGHTCRM_BLIND_INDEX_KEY.strip()
    if configured:
        primary, keys = _parse_key_list(configured)
        if not blind:
            raise ImproperlyConfigured(
                "FREIGHTCRM_BLIND_INDEX_KEY must be set when FREIGHTCRM_ENCRYPTION_KEYS is set"
            )
        return KeyRing(primary, keys, _decode_key(blind, "FREIGHTCRM_BLIND_INDEX_KEY"))
    data = read_or_create_key_file(settings.FREIGHTCRM_KEY_FILE)
    keys = {
        key_id: _decode_key(material, f"key {key_id!r}") for key_id, material in data["encryption"].items()
    }
    blind_key = (
        _decode_key(blind, "FREIGHTCRM_BLIND_INDEX_KEY")
        if blind
        else _decode_key(data["blind_index"], "blind index key")
    )
    return KeyRing(data["primary"], keys, blind_key)


def reset_key_ring() -> None:
    """Forget the cached keys (after settings change, e.g. in tests or key rotation)."""
    key_ring.cache_clear()


def associated_data(table: str, row: str, field: str) -> bytes:
    return f"{table}\x1f{row}\x1f{field}".encode()


def encrypt(plaintext: str, *, context: bytes) -> str:
    ring = key_ring()
    nonce = os.urandom(12)
    sealed = AESGCM(ring.keys[ring.primary]).encrypt(nonce, plaintext.encode("utf-8"), context)
    return f"{PREFIX}:{ring.primary}:{urlsafe_b64encode(nonce + sealed).decode()}"


def key_id_of(ciphertext: str) -> str:
    parts = ciphertext.split(":", 2)
    if len(parts) != 3 or parts[0] != PREFIX:
        raise DecryptionError(_("The stored value is not in the encrypted format."))
    return parts[1]


def decrypt(ciphertext: str, *, context: bytes) -> str:
    key_id = key_id_of(ciphertext)
    key = key_ring().keys.get(key_id)
    if key is None:
        raise DecryptionError(
            _("Encryption key %(key_id)s is not configured; the value cannot be read.") % {"key_id": key_id}
        )
    try:
        blob = urlsafe_b64decode(ciphertext.split(":", 2)[2])
        return AESGCM(key).decrypt(blob[:12], blob[12:], context).decode("utf-8")
    except (InvalidTag, ValueError) as exc:
        raise DecryptionError(
            _("The stored value does not decrypt with key %(key_id)s: wrong key, or the data was altered.")
            % {"key_id": key_id}
        ) from exc


def blind_index(normalised: str, *, purpose: str) -> str:
    """A keyed digest for exact look-up; `purpose` keeps digests of different fields apart."""
    message = f"{purpose}\x1f{normalised}".encode()
    return hmac.new(key_ring().blind_index_key, message, hashlib.sha256).hexdigest()


# -- files ----------------------------------------------------------------------------------------
# A file kept for a while (an export waiting to be downloaded) is sealed in pieces of
# FILE_PIECE bytes, so neither side holds it whole::
#
#     FILE_MAGIC ‖ len(key id) ‖ key id ‖ (nonce ‖ len(sealed) ‖ sealed)*
#
# Each piece's associated data is the context, its index and whether it is the last, so pieces
# cannot be reordered, dropped or cut off at the end without failing.

FILE_MAGIC = b"FCF1"
FILE_PIECE = 1024 * 1024


def _piece_context(context: bytes, index: int, last: bool) -> bytes:
    return context + b"\x1f" + index.to_bytes(8, "big") + (b"\x01" if last else b"\x00")


class Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


def encrypt_file(source: Readable, target: IO[bytes], *, context: bytes) -> None:
    """Seal `source` (read to its end) into `target` with the primary key."""
    ring = key_ring()
    cipher = AESGCM(ring.keys[ring.primary])
    key_id = ring.primary.encode()
    target.write(FILE_MAGIC + bytes([len(key_id)]) + key_id)
    piece, index = source.read(FILE_PIECE), 0
    while True:
        following = source.read(FILE_PIECE)
        nonce = os.urandom(12)
        sealed = cipher.encrypt(nonce, piece, _piece_context(context, index, not following))
        target.write(nonce + len(sealed).to_bytes(4, "big") + sealed)
        if not following:
            return
        piece, index = following, index + 1


def file_key_id(source: IO[bytes]) -> str | None:
    """The key id a file was sealed under (read from its start), None when it is not sealed."""
    head = source.read(len(FILE_MAGIC) + 1)
    if len(head) != len(FILE_MAGIC) + 1 or not head.startswith(FILE_MAGIC):
        return None
    return source.read(head[-1]).decode("ascii", "replace")


def file_plain_size(source: IO[bytes]) -> int | None:
    """How many bytes a sealed file holds when decrypted (from its frames, nothing decrypted);
    None when it is not sealed."""
    if file_key_id(source) is None:
        return None
    size = 0
    while len(frame := source.read(16)) == 16:
        sealed = int.from_bytes(frame[12:], "big")
        size += sealed - 16  # each piece carries a 16-byte tag
        source.seek(sealed, os.SEEK_CUR)
    return size


def decrypt_file(source: IO[bytes], *, context: bytes) -> Iterator[bytes]:
    """The plain pieces of a file sealed by `encrypt_file`; `DecryptionError` when the key is
    missing, or the file was altered or cut short (raised before the damaged piece is given)."""
    damaged = _("The stored file does not decrypt: wrong key, or the file was altered.")
    key_id = file_key_id(source)
    if key_id is None:
        raise DecryptionError(damaged)
    key = key_ring().keys.get(key_id)
    if key is None:
        raise DecryptionError(
            _("Encryption key %(key_id)s is not configured; the value cannot be read.") % {"key_id": key_id}
        )
    cipher = AESGCM(key)
    index = 0
    frame = source.read(16)
    while True:
        if len(frame) != 16:
            raise DecryptionError(damaged)
        sealed = source.read(int.from_bytes(frame[12:], "big"))
        following = source.read(16)
        try:
            yield cipher.decrypt(frame[:12], sealed, _piece_context(context, index, not following))
        except InvalidTag as exc:
            raise DecryptionError(damaged) from exc
        if not following:
            return
        frame, index = following, index + 1
