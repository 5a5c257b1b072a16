"""Stored files sealed at rest (core.storage): what lies on disk, reading back, names, plain copies
for the spreadsheet readers, files stored before sealing, and re-sealing on key rotation."""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import time
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from freightcrm.core import crypto, storage
from freightcrm.core.storage import PlainCopy, SealedStorage
from freightcrm.core.tests.conftest import configure_keys, new_key
from freightcrm.customers.models import Document
from freightcrm.customers.services import customer_part_save

pytestmark = pytest.mark.usefixtures("keys")

SHEET_LINE = "客户名称,身份证号,银行账号\n周杰,11010519491231002X,6222021234567890123\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.DATA_DIR = tmp_path
    return settings.MEDIA_ROOT


@pytest.fixture
def contract(make_customer, admin_user) -> Document:
    """A customer's contract, stored through the archive's service."""
    return customer_part_save(
        actor=admin_user,
        part=Document(
            customer=make_customer(),
            doc_type="contract",
            title="运输合同",
            dated=dt.date(2026, 1, 5),
            file=SimpleUploadedFile("合同.pdf", b"%PDF-1.4 contract", content_type="application/pdf"),
        ),
    )


def on_disk(name: str) -> bytes:
    return Path(default_storage.path(name)).read_bytes()


def test_the_default_storage_seals_what_it_stores():
    assert isinstance(default_storage, SealedStorage)


@pytest.mark.parametrize("content", [SHEET_LINE.encode("gb18030"), SHEET_LINE], ids=["bytes", "text"])
def test_a_stored_file_is_sealed_on_disk_and_reads_back_plain(content, monkeypatch):
    monkeypatch.setattr(crypto, "FILE_PIECE", 16)  # many pieces from a short file
    plain = content.encode() if isinstance(content, str) else content
    name = default_storage.save("imports/x/source.csv", ContentFile(content * 3))
    raw = on_disk(name)
    assert raw.startswith(crypto.FILE_MAGIC) and b"6222021234567890123" not in raw
    with default_storage.open(name) as handle:
        assert handle.read() == plain * 3
    assert default_storage.size(name) == len(plain) * 3
    assert b"".join(default_storage.stream(name)) == plain * 3


def test_a_name_taken_gets_a_new_one_and_each_file_opens_under_its_own():
    first = default_storage.save("documents/合同.pdf", ContentFile(b"%PDF-1.4 first"))
    second = default_storage.save("documents/合同.pdf", ContentFile(b"%PDF-1.4 second"))
    assert first != second
    assert default_storage.open(second).read() == b"%PDF-1.4 second"
    # a sealed file copied over another one (a swap on disk) does not open: the seal names its file
    shutil.copyfile(default_storage.path(first), default_storage.path(second))
    with pytest.raises(crypto.DecryptionError):
        default_storage.open(second)
    with pytest.raises(crypto.DecryptionError):
        default_storage.stream(second)  # refused before the first piece


@pytest.mark.parametrize("mode", ["wb", "r", "ab"])
def test_a_stored_file_opens_as_bytes_for_reading_only(mode):
    name = default_storage.save("exports/a.xlsx", ContentFile(b"PK"))
    with pytest.raises(ValueError, match="'rb'"):
        default_storage.open(name, mode)


@pytest.mark.django_db
def test_a_stored_file_opens_again_after_it_was_closed(contract, settings, monkeypatch):
    monkeypatch.setattr(storage, "MEMORY_BYTES", 16)  # decrypted into a temporary file, not memory
    for _time in range(2):
        with contract.file.open("rb") as handle:
            assert handle.read() == b"%PDF-1.4 contract"
    assert list((Path(settings.DATA_DIR) / "plain-copies").iterdir()) == []  # spilled files are unnamed


def test_a_file_stored_before_sealing_still_reads_and_rotation_seals_it(settings, monkeypatch):
    legacy = Path(default_storage.path("documents/旧合同.pdf"))
    legacy.parent.mkdir(parents=True)
    legacy.write_bytes(b"%PDF-1.4 plain")
    name = "documents/旧合同.pdf"
    assert default_storage.open(name).read() == b"%PDF-1.4 plain"
    assert default_storage.size(name) == len(b"%PDF-1.4 plain")
    assert not default_storage.is_sealed_under_primary(name)
    default_storage.reseal(name)
    assert on_disk(name).startswith(crypto.FILE_MAGIC)
    assert default_storage.open(name).read() == b"%PDF-1.4 plain"


def test_a_plain_copy_lives_as_long_as_its_holder_and_never_dies_with_a_fork():
    name = default_storage.save("imports/y/source.csv", ContentFile(SHEET_LINE.encode()))
    copy = PlainCopy(name)
    path = copy.path
    assert path.read_bytes() == SHEET_LINE.encode() and (path.stat().st_mode & 0o077) == 0
    assert path.parent == Path(default_storage.path("")).parent / "plain-copies"
    storage._remove_copy(str(path), os.getpid() + 1)  # a forked worker letting go of its inherited copy
    assert path.exists()
    del copy
    gc.collect()
    assert not path.exists()


def test_plain_copies_a_killed_process_left_behind_are_swept_after_a_day():
    name = default_storage.save("imports/z/source.csv", ContentFile(b"a,b\n"))
    folder = Path(default_storage.path("")).parent / "plain-copies"
    folder.mkdir(mode=0o700, exist_ok=True)
    stale, fresh = folder / "left-behind.csv", folder / "in-use.csv"
    stale.write_bytes(b"old")
    fresh.write_bytes(b"new")
    day_ago = time.time() - 25 * 3600
    os.utime(stale, (day_ago, day_ago))
    holder = PlainCopy(name)
    assert not stale.exists() and fresh.exists() and holder.path.exists()


@pytest.mark.django_db
def test_rotate_keys_seals_stored_files_again_under_the_new_primary(settings, contract):
    name = contract.file.name
    old_keys = settings.FREIGHTCRM_ENCRYPTION_KEYS
    configure_keys(settings, f"k2:{new_key()},{old_keys}")
    assert not default_storage.is_sealed_under_primary(name)
    call_command("rotate_keys", "--no-progress")
    assert on_disk(name)[len(crypto.FILE_MAGIC) + 1 :].startswith(b"k2")
    configure_keys(settings, settings.FREIGHTCRM_ENCRYPTION_KEYS.split(",")[0])  # the old key retired
    assert Document.objects.get(pk=contract.pk).file.open().read() == b"%PDF-1.4 contract"


@pytest.mark.django_db
def test_rotation_seals_files_no_record_names_and_goes_on_past_one_that_does_not_decrypt(settings, capsys):
    # given an import's error lines (no field names them), a file stored before sealing, and a
    # sealed file copied over another name (it cannot be opened under any key)
    pieces = default_storage.save("imports/u/errors/0000000000.jsonl", ContentFile(b'[2, "a"]\n'))
    legacy = Path(default_storage.path("documents/旧.pdf"))
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_bytes(b"%PDF-1.4 old")
    source = default_storage.save("documents/a.pdf", ContentFile(b"%PDF-1.4 a"))
    swapped = default_storage.save("documents/b.pdf", ContentFile(b"%PDF-1.4 b"))
    shutil.copyfile(default_storage.path(source), default_storage.path(swapped))
    configure_keys(settings, f"k2:{new_key()},{settings.FREIGHTCRM_ENCRYPTION_KEYS}")
    # when
    call_command("rotate_keys", "--no-progress")
    # then every readable file is under k2, and the broken one is named and left alone
    for name in (pieces, "documents/旧.pdf", source):
        assert default_storage.is_sealed_under_primary(name)
    assert not default_storage.is_sealed_under_primary(swapped)
    assert f"stored file {swapped} does not decrypt" in capsys.readouterr().err
    assert default_storage.open(pieces).read() == b'[2, "a"]\n'
