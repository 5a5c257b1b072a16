"""Reads for intake pages (the review queue 审核, imports, the export log), restricted to what the
user may see, values masked per viewer."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.core.fields import BlindIndexField, field_of
from freightcrm.core.masking import mask
from freightcrm.customers.models import Customer
from freightcrm.customers.selectors import CardSection, display_value, register_card_section
from freightcrm.intake.choices import ConsentPurpose, ExportState, ReviewState, SubmissionKind
from freightcrm.intake.exporting import EXPORT_PERMISSION
from freightcrm.intake.models import Consent, ExportLog, ImportJob, Submission
from freightcrm.intake.review import conflicting_fields, decode_changes

# Bookkeeping, not what the reviewer decides about.
NOT_SHOWN = frozenset(
    {"id", "uid", "version", "review_state", "created_at", "updated_at", "created_by", "code"}
)
HIDDEN = _("(not shown to your role)")


def submissions_visible_to(user: Any) -> QuerySet[Submission]:
    """The queue as `user` may see it: everything for reviewers and readers of every archive, the
    items about their own (and shared) customers for account managers."""
    if not access.may_view_model(user, Submission):
        return Submission.objects.none()
    return access.visible(
        user, Submission.objects.select_related("customer", "submitted_by", "decided_by", "import_job")
    )


def submission_for(user: Any, pk: int) -> Submission:
    """One item `user` may see; `Submission.DoesNotExist` otherwise (render it as 404)."""
    return submissions_visible_to(user).get(pk=pk)


def pending_count(user: Any) -> int:
    return submissions_visible_to(user).filter(state=ReviewState.PENDING).count()


def may_review(user: Any) -> bool:
    return access.access_for(user).has("intake.review_submission")


@dataclass(frozen=True)
class Row:
    label: str
    before: str
    after: str
    conflict: bool = False


def _shown(user: Any, name: str, value: Any) -> str:
    """One value of a customer's field as `user` may see it (hidden, masked or in full)."""
    if name in access.hidden_fields(user, Customer):
        return str(HIDDEN)
    field = field_of(Customer, name)
    if field.is_relation:
        if value is not None and not hasattr(value, "pk"):
            value = get_user_model().objects.filter(pk=value).first()
        return person_name(value) if value is not None else "—"
    if value not in (None, "") and not access.reveals(user, Customer, name):
        return mask(str(value))
    return display_value(Customer, name, value)


def submission_rows(user: Any, submission: Submission) -> list[Row]:
    """What the reviewer decides about: for NEW the record as it would be filed (filled fields),
    for CHANGE each changed field before → after, marking those changed since the proposal."""
    customer = submission.customer
    if submission.kind == SubmissionKind.NEW:
        rows = []
        for field in Customer._meta.concrete_fields:
            if field.name in NOT_SHOWN or isinstance(field, BlindIndexField):
                continue
            value = getattr(customer, field.name)
            if value in (None, "", []):
                continue
            rows.append(Row(str(field.verbose_name), "", _shown(user, field.name, value)))
        return rows
    proposed = decode_changes(submission)
    conflicts = (
        set(conflicting_fields(submission, customer)) if submission.state == ReviewState.PENDING else set()
    )
    rows = []
    for name in submission.changed_fields:
        field = field_of(Customer, name)
        after = proposed.get(field.attname if field.is_relation else name)
        rows.append(
            Row(
                str(field.verbose_name),
                _shown(user, name, getattr(customer, name)),
                _shown(user, name, after),
                name in conflicts,
            )
        )
    return rows


def customer_intake_card(user: Any, customer: Customer) -> dict[str, Any]:
    """The card's block: the customer's consent as it stands, what waits for review, the link."""
    latest: dict[str, Consent] = {}
    for consent in Consent.objects.filter(customer=customer).order_by("at", "pk"):
        latest[consent.purpose] = consent
    waiting = submissions_visible_to(user).filter(customer=customer, state=ReviewState.PENDING).count()
    return {
        "customer_id": customer.pk,
        "consents": [(label, latest.get(value)) for value, label in ConsentPurpose.choices],
        "waiting": waiting,
        "may_send": access.access_for(user).has("customers.change_customer"),
    }


register_card_section(
    CardSection(
        "intake",
        _("Consent and review"),
        "intake/card.html",
        customer_intake_card,
        74,
        lambda user: access.may_view_model(user, Submission),
    )
)


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


def _progress(done: int, total: int, *, finished: bool) -> dict[str, Any]:
    """The share done, as the progress bars (`intake/progress.js`) read it."""
    done = min(done, total) if total else done
    return {
        "total": total,
        "done": done,
        "percent": round(100 * done / total) if total else (100 if finished else 0),
        "finished": finished,
    }


def import_status(job: ImportJob) -> dict[str, Any]:
    """What the progress page polls: state, counts and the share done."""
    finished = job.state in ("validated", "done", "failed")
    return {
        "state": job.state,
        "state_label": str(job.get_state_display()),
        "dry_run": job.dry_run,
        **_progress(job.processed_rows, job.total_rows or 0, finished=finished),
        "errors": job.error_rows,
        "created": job.created_rows,
        "updated": job.updated_rows,
        "unchanged": job.unchanged_rows,
        "message": job.message,
    }


def may_view_export_logs(user: Any) -> bool:
    """Managers and auditors read the whole export log; whoever may export, their own exports."""
    rights = access.access_for(user)
    return rights.has("intake.view_exportlog") or rights.has(EXPORT_PERMISSION)


def export_logs_visible_to(user: Any) -> QuerySet[ExportLog]:
    """The export log as `user` may read it, each entry marked `mine` when it is the user's own
    export (only they follow and download its workbook)."""
    if not may_view_export_logs(user):
        return ExportLog.objects.none()
    logs = ExportLog.objects.annotate(mine=ExpressionWrapper(Q(user_id=user.pk), output_field=BooleanField()))
    if not access.access_for(user).has("intake.view_exportlog"):
        logs = logs.filter(user_id=user.pk)
    return logs


def own_export(user: Any, pk: int) -> ExportLog:
    """One of `user`'s own exports; `ExportLog.DoesNotExist` otherwise, for everyone else,
    auditors included (render it as 404)."""
    return ExportLog.objects.get(pk=pk, user_id=user.pk)


def export_status(log: ExportLog) -> dict[str, Any]:
    """What the export's page polls: state, rows written, the share done."""
    return {
        "state": log.state,
        "state_label": str(log.get_state_display()),
        **_progress(log.rows, log.total_rows, finished=log.state != ExportState.RUNNING),
        "message": log.message,
    }
