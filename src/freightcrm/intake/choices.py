"""The fixed vocabularies of intake: where a record came from, its review state, import settings."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from freightcrm.customers.choices import ReviewState

__all__ = [
    "ConsentChannel",
    "ConsentPurpose",
    "ExportState",
    "ImportMode",
    "ImportState",
    "ImportTarget",
    "OcrKind",
    "OcrState",
    "ReviewState",
    "Source",
    "SubmissionKind",
]


class Source(models.TextChoices):
    """Where information entered the archive."""

    STAFF = "staff", _("staff entry")
    IMPORT = "import", _("spreadsheet import")
    OCR = "ocr", _("OCR intake")
    SELF_SERVICE = "self_service", _("customer self-service form")


class SubmissionKind(models.TextChoices):
    NEW = "new", _("new customer")
    CHANGE = "change", _("change to key fields")


class ExportState(models.TextChoices):
    """An export written in the background (a workbook) on its way to its download."""

    RUNNING = "running", _("being written")
    DONE = "done", _("ready")
    FAILED = "failed", _("failed")
    EXPIRED = "expired", _("expired")


class ImportTarget(models.TextChoices):
    """What one import file (or sheet) holds."""

    CUSTOMERS = "customers", _("customers")
    CONTACTS = "contacts", _("contacts")
    NEEDS = "needs", _("logistics needs")
    SHIPMENTS = "shipments", _("historic shipments")


class ImportMode(models.TextChoices):
    CREATE = "create", _("create new only")
    UPDATE = "update", _("update existing only")
    UPSERT = "upsert", _("create or update")


class ImportState(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    VALIDATING = "validating", _("checking")
    VALIDATED = "validated", _("checked")
    IMPORTING = "importing", _("importing")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


class OcrKind(models.TextChoices):
    """What an uploaded image shows; AUTO lets the text decide (营业执照 or the licence's labels)."""

    AUTO = "auto", _("decide from the text")
    LICENCE = "licence", _("business licence")
    CARD = "card", _("business card")


class OcrState(models.TextChoices):
    WAITING = "waiting", _("waiting to be read")
    READING = "reading", _("reading")
    READ = "read", _("read, to be confirmed")
    FILED = "filed", _("filed")
    FAILED = "failed", _("could not be read")


class ConsentPurpose(models.TextChoices):
    """What a customer may agree to (DOMAIN: explicit consent for marketing and for sharing)."""

    SERVICE_NOTICES = "service_notices", _("service notices")
    MARKETING = "marketing", _("marketing")
    PARTNER_SHARING = "partner_sharing", _("data sharing with partners")


class ConsentChannel(models.TextChoices):
    SELF_SERVICE = "self_service", _("customer self-service form")
    STAFF = "staff", _("recorded by staff")
