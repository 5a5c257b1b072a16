"""Base models every app uses, and the sequence behind the stable customer codes."""

from __future__ import annotations

from django.db import models, transaction
from django.db.models import F
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class VersionedModel(TimeStampedModel):
    """A row that users edit: `version` grows with every write, and a stale write is refused."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class CodeSequence(models.Model):
    """The last number handed out per code prefix (e.g. `E-310115`)."""

    prefix = models.CharField(max_length=32, unique=True)
    last_value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("code sequence")
        verbose_name_plural = _("code sequences")

    def __str__(self) -> str:
        return f"{self.prefix}: {self.last_value}"


def allocate_numbers(prefix: str, count: int = 1) -> range:
    """Reserve `count` consecutive numbers under `prefix`; safe with concurrent writers.

    The UPDATE takes the row's write lock before we read, on PostgreSQL and SQLite alike.
    """
    with transaction.atomic():
        CodeSequence.objects.get_or_create(prefix=prefix)
        CodeSequence.objects.filter(prefix=prefix).update(last_value=F("last_value") + count)
        last = CodeSequence.objects.values_list("last_value", flat=True).get(prefix=prefix)
    return range(last - count + 1, last + 1)
