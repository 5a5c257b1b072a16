"""Secrets kept in the data folder when the environment gives none: created once, mode 0600."""

import json
import os
import secrets
from base64 import b64encode
from pathlib import Path
from typing import Any


def _write_private(path: Path, text: str) -> None:
    """Create `path` readable by its owner only; never loosen an existing file's mode."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def read_or_create_secret(path: Path) -> str:
    if not path.exists():
        try:
            _write_private(path, secrets.token_urlsafe(50))
        except FileExistsError:  # another process created it first
            pass
    return path.read_text(encoding="utf-8").strip()


def read_or_create_key_file(path: Path) -> dict[str, Any]:
    """The key file: {"primary": id, "encryption": {id: base64 key}, "blind_index": base64 key}."""
    if not path.exists():
        content = {
            "primary": "k1",
            "encryption": {"k1": b64encode(secrets.token_bytes(32)).decode()},
            "blind_index": b64encode(secrets.token_bytes(32)).decode(),
        }
        try:
            _write_private(path, json.dumps(content, indent=2))
        except FileExistsError:
            pass
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data
