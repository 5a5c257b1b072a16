"""Reads for intake pages, already restricted to what the user may see."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from freightcrm.core import access
from freightcrm.intake.models import ImportJob


def import_jobs_visible_to(user: Any) -> QuerySet[ImportJob]:
    """Everyone sees their own imports; records clerks, managers and auditors see all of them."""
    jobs = ImportJob.objects.select_related("created_by")
    rights = access.access_for(user)
    if not (rights.has("intake.view_importjob") or rights.has("intake.run_import")):
        return jobs.none()
    if rights.has("intake.view_all_imports"):
        return jobs
    return jobs.filter(created_by=user)


def import_job_for(user: Any, pk: int | str) -> ImportJob:
    """One import the user may see; `ImportJob.DoesNotExist` otherwise (render it as 404)."""
    try:
        return import_jobs_visible_to(user).get(pk=pk)
    except (ValueError, TypeError) as exc:
        raise ImportJob.DoesNotExist from exc


def import_status(job: ImportJob) -> dict[str, Any]:
    """What the progress page polls: state, counts and the share done."""
    total = job.total_rows or 0
    done = min(job.processed_rows, total) if total else job.processed_rows
    return {
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "dry_run": job.dry_run,
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else 0,
        "errors": job.error_rows,
        "created": job.created_rows,
        "updated": job.updated_rows,
        "unchanged": job.unchanged_rows,
        "message": job.message,
        "finished": job.state in ("validated", "done", "failed"),
    }
