"""`freightcrm rotate_keys`: re-encrypt every protected value, and re-seal every stored file,
under the primary key.

Put the new key first in FREIGHTCRM_ENCRYPTION_KEYS (or the key file), keep the old ones after
it, run this, and then the old keys can be retired. Safe to re-run: values and files already under
the primary key are skipped. History is not touched (the values did not change). Files stored
before files were sealed at rest are sealed.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction
from tqdm import tqdm

from freightcrm.core import crypto
from freightcrm.core.fields import EncryptedTextField
from freightcrm.core.storage import SealedStorage, sealed_storage


def encrypted_fields() -> list[tuple[type[models.Model], list[EncryptedTextField]]]:
    found = []
    for model in apps.get_models():
        fields = [f for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)]
        if fields:
            found.append((model, fields))
    return found


def rotate(*, batch_size: int = 1000, progress: bool = False) -> dict[str, int]:
    primary = crypto.key_ring().primary
    counts: dict[str, int] = {}
    for model, fields in encrypted_fields():
        stale = models.Q()
        for field in fields:
            stale |= models.Q(**{f"{field.attname}__isnull": False}) & ~models.Q(
                **{f"{field.attname}__startswith": f"{crypto.PREFIX}:{primary}:"}
            )
        queryset = model._default_manager.filter(stale).order_by("pk")
        total = queryset.count()
        rewritten = 0
        bar = tqdm(total=total, desc=model._meta.label, disable=not progress, unit="rows")
        last_pk: Any = None
        while True:
            page = queryset if last_pk is None else queryset.filter(pk__gt=last_pk)
            rows = list(page[:batch_size])
            if not rows:
                break
            with transaction.atomic():
                for row in rows:
                    changes = {}
                    for field in fields:
                        plaintext = getattr(row, field.attname)  # decrypts, or fails closed
                        if plaintext:
                            setattr(row, field.attname, plaintext)
                            changes[field.attname] = field.pre_save(row, add=False)
                    model._default_manager.filter(pk=row.pk).update(**changes)
                    rewritten += 1
            last_pk = rows[-1].pk
            bar.update(len(rows))
        bar.close()
        counts[model._meta.label] = rewritten
    return counts


def stored_names(storage: SealedStorage) -> list[str]:
    """Every file in the storage's folder (those of records, and those no field names: an import's
    error lines waiting for its resumption)."""
    root = Path(storage.location)
    if not root.exists():
        return []
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.is_file() and not path.name.startswith(".")
    )


def reseal(*, progress: bool = False) -> tuple[int, list[str]]:
    """Seal again under the primary key every stored file that is not (or not yet) sealed under it.
    Returns how many, and the files that do not decrypt (a damaged file, or one sealed under a key
    no longer configured): they are left as they are and named, and the others go on."""
    storage = sealed_storage()
    resealed, unreadable = 0, []
    for name in tqdm(stored_names(storage), desc="files", disable=not progress, unit="files"):
        if storage.is_sealed_under_primary(name):
            continue
        try:
            storage.reseal(name)
        except crypto.DecryptionError:
            unreadable.append(name)
            continue
        resealed += 1
    return resealed, unreadable


class Command(BaseCommand):
    help = (
        "Re-encrypt every encrypted value and re-seal every stored file under the primary key "
        "(after adding a new key)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--batch-size", type=int, default=1000)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = rotate(batch_size=options["batch_size"], progress=not options["no_progress"])
        primary = crypto.key_ring().primary
        for label, count in counts.items():
            self.stdout.write(f"{label}: {count} rows re-encrypted under key {primary}")
        resealed, unreadable = reseal(progress=not options["no_progress"])
        self.stdout.write(f"stored files: {resealed} sealed under key {primary}")
        for name in unreadable:
            self.stderr.write(f"stored file {name} does not decrypt with the configured keys; left as it is")
