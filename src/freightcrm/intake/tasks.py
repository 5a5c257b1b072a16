"""Background work of intake: an import's dry run or real run, outside the web request."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_tasks import task

from freightcrm.intake.choices import ImportState
from freightcrm.intake.importing import _require_import, job_check, job_run
from freightcrm.intake.models import ImportJob


@task()
def run_import(job_id: int, dry_run: bool) -> None:
    """Check or run one import. A failure marks the job FAILED with the reason; committed batches
    stay, and running the job again resumes after them."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
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
    """Mark the job as checking or importing and hand it to a worker (after this transaction commits)."""
    _require_import(actor)
    job.state = ImportState.VALIDATING if dry_run else ImportState.IMPORTING
    job.message = ""
    job.save(update_fields=["state", "message", "updated_at"])
    transaction.on_commit(lambda: run_import.enqueue(job.pk, dry_run))
    return job
