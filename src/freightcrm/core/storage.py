"""Stored files sealed at rest: the default storage of every uploaded or generated file.

Customer documents, licence and card photos, uploaded customer sheets, import error workbooks and
exports all carry the fields the archive encrypts (resident IDs, bank accounts, phones), so they are
written to disk sealed by `core.crypto.encrypt_file` — AES-GCM in 1 MB pieces under the primary key,
bound to the file's name in storage, so a sealed file copied over another one does not open.
Reading decrypts (`open`), and readers that need a path of their own (the spreadsheet readers)
get a plain copy that lives only as long as they use it (`plain_copy`). A file stored before this
storage existed (no seal) is still read as it is; `freightcrm rotate_keys` seals it, and re-seals
files sealed under a retired key.
"""

from __future__ import annotations

import os
import tempfile
import time
import weakref
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.files import File
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.utils import validate_file_name

from freightcrm.core import crypto

MEMORY_BYTES = 8 * 1024 * 1024  # an opened file larger than this is decrypted into a temporary file
STALE_COPY_SECONDS = 24 * 3600  # plain copies left behind by a process that died are removed then


class _ChunkReader:
    """`read(size)` over a Django file's chunks (text chunks encoded as UTF-8)."""

    def __init__(self, content: Any) -> None:
        self.chunks = iter(content.chunks(crypto.FILE_PIECE))
        self.buffer = bytearray()

    def read(self, size: int) -> bytes:
        while len(self.buffer) < size:
            chunk = next(self.chunks, None)
            if chunk is None:
                break
            self.buffer += chunk.encode() if isinstance(chunk, str) else chunk
        piece = bytes(self.buffer[:size])
        del self.buffer[:size]
        return piece


def _context(name: str) -> bytes:
    return b"stored-file\x1f" + name.replace("\\", "/").encode()


class SealedStorage(FileSystemStorage):
    """`FileSystemStorage` whose files are sealed on disk (see the module's note)."""

    def _save(self, name: str, content: Any) -> str:
        directory = os.path.dirname(self.path(name))
        if self.directory_permissions_mode is not None:
            old_umask = os.umask(0o777 & ~self.directory_permissions_mode)
            try:
                os.makedirs(directory, self.directory_permissions_mode, exist_ok=True)
            finally:
                os.umask(old_umask)
        else:
            os.makedirs(directory, exist_ok=True)
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        while True:  # the name is taken with O_EXCL first: its seal is bound to it
            full_path = self.path(name)
            try:
                fd = os.open(full_path, flags, 0o666)
            except FileExistsError:
                name = self.get_available_name(name)
                continue
            break
        try:
            with os.fdopen(fd, "wb") as target:
                crypto.encrypt_file(_ChunkReader(content), target, context=_context(name))
        except BaseException:
            os.remove(full_path)
            raise
        if self.file_permissions_mode is not None:
            os.chmod(full_path, self.file_permissions_mode)
        return str(name).replace("\\", "/")

    def _open(self, name: str, mode: str = "rb") -> File:
        _check_mode(mode)
        return _OpenedFile(self.plain(name), name, self)

    def plain(self, name: str) -> IO[bytes]:
        """The plain content as a file: decrypted into memory (past `MEMORY_BYTES`, into an unnamed
        temporary file in the private folder), or the stored file itself if it was stored before
        files were sealed."""
        handle = open(self.path(name), "rb")  # noqa: SIM115 - handed to the caller or closed below
        if crypto.file_key_id(handle) is None:
            handle.seek(0)
            return handle
        handle.close()
        plain = tempfile.SpooledTemporaryFile(max_size=MEMORY_BYTES, dir=str(_copies_folder()))  # noqa: SIM115
        try:
            for piece in self.stream(name):
                plain.write(piece)
        except BaseException:
            plain.close()
            raise
        plain.seek(0)
        return plain

    def stream(self, name: str) -> Iterator[bytes]:
        """The plain content piece by piece, for a download. A wrong key or a damaged file raises
        `DecryptionError` here, before the first piece is handed out."""
        handle = open(self.path(name), "rb")  # noqa: SIM115 - closed when the pieces are done
        sealed = crypto.file_key_id(handle) is not None
        handle.seek(0)
        pieces = (
            crypto.decrypt_file(handle, context=_context(name))
            if sealed
            else iter(lambda: handle.read(crypto.FILE_PIECE), b"")
        )
        try:
            first = next(pieces, b"")
        except BaseException:
            handle.close()
            raise

        def rest() -> Iterator[bytes]:
            try:
                yield first
                yield from pieces
            finally:
                handle.close()

        return rest()

    def size(self, name: str) -> int:
        with open(self.path(name), "rb") as handle:
            plain = crypto.file_plain_size(handle)
        return os.path.getsize(self.path(name)) if plain is None else plain

    def is_sealed_under_primary(self, name: str) -> bool:
        with open(self.path(name), "rb") as handle:
            return crypto.file_key_id(handle) == crypto.key_ring().primary

    def reseal(self, name: str) -> None:
        """Seal the file again under the primary key (or for the first time), in place."""
        validate_file_name(name, allow_relative_path=True)
        full_path = Path(self.path(name))
        with self.open(name) as plain:
            fd, temporary = tempfile.mkstemp(dir=full_path.parent, prefix=".reseal-")
            try:
                with os.fdopen(fd, "wb") as target:
                    crypto.encrypt_file(plain, target, context=_context(name))
                if self.file_permissions_mode is not None:
                    os.chmod(temporary, self.file_permissions_mode)
                os.replace(temporary, full_path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise


def sealed_storage() -> SealedStorage:
    """The default storage, which seals what it stores (settings.STORAGES)."""
    if not isinstance(default_storage, SealedStorage):
        raise ImproperlyConfigured("STORAGES['default'] must be freightcrm.core.storage.SealedStorage.")
    return cast(SealedStorage, default_storage)


def _check_mode(mode: str | None) -> None:
    if mode not in (None, "rb"):
        raise ValueError(f"Stored files are sealed: they open as bytes for reading ('rb'), not {mode!r}.")


class _OpenedFile(File):
    """An opened stored file; opened again after it was closed, it decrypts again."""

    def __init__(self, file: IO[bytes], name: str, storage: SealedStorage) -> None:
        super().__init__(file, name)
        self._storage = storage

    def open(self, mode: str | None = None, *args: Any, **kwargs: Any) -> _OpenedFile:
        _check_mode(mode)
        if self.closed:
            self.file = self._storage.plain(str(self.name))
        else:
            self.seek(0)
        return self


def _copies_folder() -> Path:
    folder = Path(settings.DATA_DIR) / "plain-copies"
    folder.mkdir(mode=0o700, exist_ok=True)
    return folder


def _remove_copy(path: str, owner: int) -> None:
    if os.getpid() == owner:  # never from a forked worker that inherited the owner
        Path(path).unlink(missing_ok=True)


def sweep_plain_copies() -> None:
    """Remove the plain copies a killed process left behind (older than `STALE_COPY_SECONDS`)."""
    _sweep(_copies_folder())


def _sweep(folder: Path) -> None:
    limit = time.time() - STALE_COPY_SECONDS
    for leftover in folder.iterdir():
        try:
            if leftover.stat().st_mtime < limit:
                leftover.unlink(missing_ok=True)
        except FileNotFoundError:
            continue


class PlainCopy:
    """A plain copy of a stored file at a path of its own (for readers that open paths), in the data
    folder's private `plain-copies`; removed when this object is collected or the process exits
    (copies a killed process leaves behind are swept after a day)."""

    def __init__(self, name: str) -> None:
        storage = sealed_storage()
        folder = _copies_folder()
        _sweep(folder)
        fd, path = tempfile.mkstemp(dir=folder, suffix=Path(name).suffix)
        self.path = Path(path)
        self._remove = weakref.finalize(self, _remove_copy, path, os.getpid())
        with os.fdopen(fd, "wb") as target:
            for piece in storage.stream(name):
                target.write(piece)
