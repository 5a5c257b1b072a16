"""Background work of intake: an import's dry run or real run, and an .xlsx export, outside the web
request."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from freightcrm.intake import exporting
from freightcrm.intake.choices import ImportState
from freightcrm.intake.importing import job_check, job_run
from freightcrm.intake.models import ExportLog, ImportJob
from freightcrm.intake.rows import require_import, upload_gone


@task()
def run_import(job_id: int, dry_run: bool) -> None:
    """Check or run one import. A failure marks the job FAILED with the reason; committed batches
    stay, and running the job again resumes after them."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    # Messages and the error workbook in the uploader's language, not the worker's.
    with translation.override(job.language or settings.LANGUAGE_CODE):
        try:
            if dry_run:
                job_check(job)
            else:
                job_run(job)
        except Exception as exc:
            ImportJob.objects.filter(pk=job_id).update(
                state=ImportState.FAILED,
                message=str(_("The import stopped: %(reason)s. Start it again to continue where it stopped."))
                % {"reason": str(exc)[:500]},
                finished_at=timezone.now(),
            )
            raise


def job_enqueue(*, actor: Any, job: ImportJob, dry_run: bool) -> ImportJob:
    """Mark the job as checking or importing and hand it to a worker (after this transaction commits).
    `FileProblem` when its upload has been deleted after its keeping time."""
    require_import(actor)
    if not job.file:
        raise upload_gone()
    job.state = ImportState.VALIDATING if dry_run else ImportState.IMPORTING
    job.message = ""
    job.save(update_fields=["state", "message", "updated_at"])
    transaction.on_commit(lambda: run_import.enqueue(job.pk, dry_run))
    return job


@task()
def run_export(log_id: int) -> None:
    """Write one export's workbook; a failure marks it FAILED with the reason."""
    log = ExportLog.objects.select_related("user").get(pk=log_id)
    try:
        exporting.export_write(log)
    except Exception as exc:
        exporting.export_failed(log_id, str(exc))
        raise


def export_enqueue(*, actor: Any, **options: Any) -> ExportLog:
    """Check and record an .xlsx export (`exporting.export_start`, same options) and hand its
    writing to a worker once this transaction commits."""
    log = exporting.export_start(actor=actor, **options)
    transaction.on_commit(lambda: run_export.enqueue(log.pk))
    return log
