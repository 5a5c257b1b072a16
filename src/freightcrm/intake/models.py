"""Intake: spreadsheet imports, exports, and the review queue every new or changed record passes.

- `ImportJob`: one uploaded file (or sheet) on its way into the archive: mapping, dry run, real run
  in batches with a resume point, counts, error workbook.
- `ColumnMapping`: a saved header → field mapping, reused when the same sheet comes again.
- `Submission`: one item waiting for a records clerk (审核): a new customer filed by import, OCR or
  the customer's own form (the customer row exists with `review_state=pending`), or proposed
  changes to an existing customer's key fields (held here, applied only when approved).
- `ExportLog`: who exported what, under which filter, how many rows.
- `OcrScan`: a photo of a business licence or card, its OCR lines and extracted fields, until a
  person confirms them and they are filed for review.
- `SelfServiceLink`: a secret link (hash only) that lets a customer confirm or correct their own
  details once, before it expires; `Consent`: each consent given or withdrawn, with its wording.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from freightcrm.core.fields import EncryptedTextField
from freightcrm.core.models import TimeStampedModel
from freightcrm.customers.models import Customer
from freightcrm.intake.choices import (
    ConsentChannel,
    ConsentPurpose,
    ExportState,
    ImportMode,
    ImportState,
    ImportTarget,
    OcrKind,
    OcrState,
    ReviewState,
    Source,
    SubmissionKind,
)


def import_path(instance: ImportJob, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"imports/{instance.uid}/source.{suffix}"


class ImportJob(TimeStampedModel):
    """One file (one sheet of it) being imported. Rows before `next_row` are committed: a run that
    stops (crash, restart) resumes there, and matching makes a re-run of committed rows harmless."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    target = models.CharField(
        _("what the file holds"), max_length=10, choices=ImportTarget.choices, default=ImportTarget.CUSTOMERS
    )
    mode = models.CharField(_("mode"), max_length=6, choices=ImportMode.choices, default=ImportMode.UPSERT)
    state = models.CharField(
        _("state"), max_length=10, choices=ImportState.choices, default=ImportState.UPLOADED
    )
    file = models.FileField(_("file"), upload_to=import_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    sha256 = models.CharField(max_length=64, blank=True, editable=False)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    headers = models.JSONField(_("column headers"), default=list, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)  # header → field name
    dry_run = models.BooleanField(_("dry run"), default=True)  # what the last (or current) run was
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("rows processed"), default=0)
    error_rows = models.PositiveIntegerField(_("rows with errors"), default=0)
    created_rows = models.PositiveIntegerField(_("created"), default=0)
    updated_rows = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_rows = models.PositiveIntegerField(_("unchanged"), default=0)
    next_row = models.PositiveIntegerField(_("resume at row"), default=0)
    errors_preview = models.JSONField(_("first errors"), default=list, blank=True)
    error_report = models.FileField(_("error workbook"), upload_to="imports/reports/", blank=True)
    message = models.TextField(_("message"), blank=True)
    # The language of the person who uploaded the file: the background check writes its messages
    # and error workbook in it (empty: the site's language).
    language = models.CharField(_("language"), max_length=10, blank=True, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")
        permissions = [
            ("run_import", _("Import customers from spreadsheets")),
            ("view_all_imports", _("See everyone's imports, not only one's own")),
        ]

    def __str__(self) -> str:
        return self.original_name


class ColumnMapping(TimeStampedModel):
    """A saved mapping from a sheet's headers to archive fields, offered again for the same headers."""

    name = models.CharField(_("name"), max_length=100)
    target = models.CharField(_("what the file holds"), max_length=10, choices=ImportTarget.choices)
    columns = models.JSONField(_("columns"), default=dict)  # header → field name ("" = ignore)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")
        constraints = [models.UniqueConstraint(fields=["target", "name"], name="column_mapping_name_once")]

    def __str__(self) -> str:
        return self.name


class Submission(TimeStampedModel):
    """One item in the review queue (审核).

    NEW: `customer` was filed with `review_state=pending` and is not yet the archive. CHANGE:
    `changes` holds the proposed values of key fields (JSON, encrypted at rest: it may carry a bank
    account), applied to `customer` only when approved; `base_version` is the customer's version
    when they were proposed, so an approval over a newer edit is noticed.
    """

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)  # binds `changes`' ciphertext
    kind = models.CharField(_("kind"), max_length=6, choices=SubmissionKind.choices)
    source = models.CharField(_("source"), max_length=12, choices=Source.choices)
    state = models.CharField(
        _("state"), max_length=10, choices=ReviewState.choices, default=ReviewState.PENDING
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="submissions"
    )
    changes = EncryptedTextField(_("proposed changes"))
    changed_fields = models.JSONField(_("fields changed"), default=list, blank=True)  # names only
    base_version = models.PositiveIntegerField(_("version proposed against"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=500, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    import_job = models.ForeignKey(
        ImportJob,
        verbose_name=_("import"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.CharField(_("reason for rejection"), max_length=500, blank=True)

    customer_path = "customer"

    class Meta:
        ordering = ["created_at"]
        verbose_name = _("review item")
        verbose_name_plural = _("review queue")
        permissions = [("review_submission", _("Approve or reject records waiting for review"))]
        indexes = [
            models.Index(
                fields=["state", "created_at"],
                name="submission_waiting_idx",
                condition=Q(state="pending"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.customer}"


class ExportLog(models.Model):
    """One export of customer data: kept so that an auditor can see who took what out."""

    at = models.DateTimeField(_("exported at"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("exported by"), on_delete=models.PROTECT, related_name="+"
    )
    target = models.CharField(_("what"), max_length=20, default="customers")
    file_format = models.CharField(_("format"), max_length=5)
    filters = models.JSONField(_("filter"), default=dict, blank=True)
    fields = models.JSONField(_("columns"), default=list, blank=True)
    sensitive = models.BooleanField(_("with sensitive fields in full"), default=False)
    rows = models.PositiveIntegerField(_("rows"), default=0)
    channel = models.CharField(_("channel"), max_length=10, default="ui")  # ui, api, command
    # A workbook written in the background (exporting.export_enqueue): its state, the rows it will
    # hold, and the file (sealed at rest, like every stored file: core.storage) until it expires.
    state = models.CharField(_("state"), max_length=8, choices=ExportState.choices, default=ExportState.DONE)
    total_rows = models.PositiveIntegerField(_("rows to write"), default=0)
    file = models.FileField(_("file"), upload_to="exports/", blank=True, max_length=300)
    message = models.TextField(_("message"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("export")
        verbose_name_plural = _("export log")
        permissions = [
            ("export_customers", _("Export the customer list")),
            ("export_sensitive", _("Export sensitive fields in full")),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.at:%Y-%m-%d %H:%M} {self.rows}"


def ocr_path(instance: OcrScan, filename: str) -> str:
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"ocr/{instance.uid}/scan.{suffix}"


class OcrScan(TimeStampedModel):
    """One uploaded photo or scan of a business licence or card on its way into the archive: read in
    the background (`lines`: the OCR text lines; `extracted`: the fields with their confidence), then
    confirmed by a person and filed for review (`customer`, `submission`)."""

    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField(_("document"), max_length=8, choices=OcrKind.choices, default=OcrKind.AUTO)
    state = models.CharField(_("state"), max_length=8, choices=OcrState.choices, default=OcrState.WAITING)
    file = models.FileField(_("image"), upload_to=ocr_path, max_length=300)
    original_name = models.CharField(_("original file name"), max_length=255)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    lines = models.JSONField(_("text read"), default=list, blank=True)
    extracted = models.JSONField(_("fields found"), default=dict, blank=True)
    seconds = models.FloatField(_("reading time (s)"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ocr_scans",
    )
    submission = models.ForeignKey(
        Submission,
        verbose_name=_("review item"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("licence or card scan")
        verbose_name_plural = _("licence and card scans (OCR)")

    def __str__(self) -> str:
        return self.original_name


class SelfServiceLink(TimeStampedModel):
    """One link a customer uses once to confirm or correct their details and give consent."""

    customer_path = "customer"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="self_service_links"
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("issued by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    submission = models.ForeignKey(
        Submission, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("self-service link")
        verbose_name_plural = _("self-service links")
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gt=models.F("created_at")), name="self_service_expires_after_issue"
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer} · {self.expires_at:%Y-%m-%d}"


class Consent(models.Model):
    """One consent decision of a customer: given or withdrawn, for one purpose, in which words.

    Append-only: the latest row per purpose is the customer's current decision; earlier rows are the
    proof of what was agreed when (the privacy rules ask for explicit, recorded consent)."""

    customer_path = "customer"

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    given = models.BooleanField(_("given"))
    at = models.DateTimeField(_("when"), db_index=True)
    channel = models.CharField(_("channel"), max_length=12, choices=ConsentChannel.choices)
    text_version = models.CharField(_("wording version"), max_length=20)
    link = models.ForeignKey(
        SelfServiceLink, on_delete=models.SET_NULL, null=True, blank=True, related_name="consents"
    )

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        indexes = [models.Index(fields=["customer", "purpose", "at"], name="consent_latest_idx")]

    def __str__(self) -> str:
        return f"{self.customer} · {self.get_purpose_display()} · {self.given}"
