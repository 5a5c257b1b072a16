"""Staff UI for intake: the import wizard and the list of imports.

The wizard: upload (type, size and emptiness checked) → columns and preview (the mapping guessed
from the headers, editable; the first rows as they would be filed, with their errors) → check every
row (dry run, a background task with a progress bar) → the result with each bad row and the error
workbook → import (a background task, batch by batch) → done, with the new customers waiting in the
review queue. Thin: forms parse, `intake.importing` decides, `intake.selectors` reads.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.http.response import HttpResponseBase
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from unfold.admin import ModelAdmin
from unfold.decorators import display

from freightcrm.core import access
from freightcrm.core.admin import report_error, staff
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError
from freightcrm.intake import export_admin, importing, mapping, selectors
from freightcrm.intake.choices import ImportState
from freightcrm.intake.forms import MappingForm, UploadForm
from freightcrm.intake.models import ImportJob, Submission
from freightcrm.intake.review_admin import SubmissionAdmin
from freightcrm.intake.rows import open_job_table, upload_gone
from freightcrm.intake.tasks import job_enqueue

admin.site.register(Submission, SubmissionAdmin)  # the review queue (审核), in review_admin.py
__all__ = ["ImportJobAdmin", "export_admin"]  # the export page and log register themselves there

STATE_COLOURS = {
    ImportState.UPLOADED: "info",
    ImportState.VALIDATING: "warning",
    ImportState.VALIDATED: "info",
    ImportState.IMPORTING: "warning",
    ImportState.DONE: "success",
    ImportState.FAILED: "danger",
}
RUNNING = (ImportState.VALIDATING, ImportState.IMPORTING)
PREVIEW_ROWS = 10


@admin.register(ImportJob)
class ImportJobAdmin(ModelAdmin):
    list_display = (
        "original_name",
        "target",
        "state_badge",
        "total_rows",
        "created_rows",
        "updated_rows",
        "error_rows",
        "importer",
        "created_at",
    )
    list_filter = ("state", "target")
    search_fields = ("original_name",)
    list_per_page = 50

    def get_queryset(self, request: HttpRequest) -> Any:
        return selectors.import_jobs_visible_to(request.user)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self.has_view_permission(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        rights = access.access_for(request.user)
        return rights.has("intake.view_importjob") or rights.has("intake.run_import")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return access.access_for(request.user).has("intake.run_import")

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # a job moves on through the wizard's steps, never by editing its fields

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # the record of what was imported stays

    @display(description=_("state"), label=STATE_COLOURS)
    def state_badge(self, job: ImportJob) -> Any:
        return job.state, job.get_state_display()

    @display(description=_("imported by"), ordering="created_by__username")
    def importer(self, job: ImportJob) -> str:
        return person_name(job.created_by)

    # --- pages ---

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view
        own = [
            path("<int:pk>/columns/", view(self.columns_view), name="intake_importjob_columns"),
            path("<int:pk>/progress/", view(self.progress_view), name="intake_importjob_progress"),
            path("<int:pk>/status/", view(self.status_view), name="intake_importjob_status"),
            path("<int:pk>/errors/", view(self.errors_view), name="intake_importjob_errors"),
            path("<int:pk>/start/", view(self.start_view), name="intake_importjob_start"),
        ]
        return own + super().get_urls()

    def _context(self, request: HttpRequest, **extra: Any) -> dict[str, Any]:
        return {**self.admin_site.each_context(request), "opts": ImportJob._meta, **extra}

    def _job(self, request: HttpRequest, pk: int | str) -> ImportJob:
        try:
            return selectors.import_job_for(request.user, pk)
        except ImportJob.DoesNotExist as exc:
            raise Http404 from exc

    def _own_job(self, request: HttpRequest, pk: int | str) -> ImportJob:
        """A job the user may move on: their own, and only with the right to import."""
        job = self._job(request, pk)
        if not self.has_add_permission(request) or job.created_by_id != request.user.pk:
            raise Http404
        return job

    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: Any = None) -> HttpResponse:
        """Step 1: upload."""
        if not self.has_add_permission(request):
            raise Http404
        form = UploadForm()
        if request.method == "POST":
            declared = int(request.META.get("CONTENT_LENGTH") or 0)
            if declared > settings.FREIGHTCRM_MAX_IMPORT_BYTES + 2**20:  # refused before it is read
                messages.error(
                    request,
                    gettext(
                        "The file is %(size).1f MB; the limit is %(limit).0f MB. Split it into smaller files."
                    )
                    % {"size": declared / 2**20, "limit": settings.FREIGHTCRM_MAX_IMPORT_BYTES / 2**20},
                )
                return HttpResponseRedirect(request.path)
            form = UploadForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    job = importing.job_start(
                        actor=staff(request),
                        upload=form.cleaned_data["file"],
                        target=form.cleaned_data["target"],
                        mode=form.cleaned_data["mode"],
                    )
                except (ValidationError, ApplicationError) as error:
                    report_error(request, error)
                else:
                    return HttpResponseRedirect(reverse("admin:intake_importjob_columns", args=[job.pk]))
        return TemplateResponse(
            request,
            "intake/import_upload.html",
            self._context(request, title=gettext("Import from a spreadsheet"), form=form, step=1),
        )

    def columns_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Step 2: which column fills which field, with the first rows as they would be filed."""
        job = self._own_job(request, pk)
        if job.state in RUNNING:
            return HttpResponseRedirect(reverse("admin:intake_importjob_progress", args=[job.pk]))
        if job.state == ImportState.DONE:
            return HttpResponseRedirect(reverse("admin:intake_importjob_change", args=[job.pk]))
        try:
            sheets = open_job_table(job).sheet_names
        except ApplicationError as error:  # the upload was deleted after its keeping time
            report_error(request, error)
            return HttpResponseRedirect(reverse("admin:intake_importjob_add"))
        form_args: dict[str, Any] = {
            "headers": job.headers,
            "choices": mapping.field_choices(job.target),
            "sheets": sheets,
        }
        initial = {"mode": job.mode, "sheet": job.sheet}
        initial.update(
            {MappingForm.column_key(n): job.mapping.get(header, "") for n, header in enumerate(job.headers)}
        )
        form = MappingForm(initial=initial, **form_args)
        if request.method == "POST":
            form = MappingForm(request.POST, initial=initial, **form_args)
            if form.is_valid():
                try:
                    sheet = form.cleaned_data.get("sheet")
                    job = importing.job_set_mapping(
                        actor=staff(request),
                        job=job,
                        mapping=form.mapping(),
                        mode=form.cleaned_data["mode"],
                        sheet=sheet if sheet is not None else None,
                    )
                    if form.cleaned_data["save_as"]:
                        mapping.mapping_save(
                            actor=staff(request),
                            name=form.cleaned_data["save_as"],
                            target=job.target,
                            columns=job.mapping,
                        )
                except (ValidationError, ApplicationError) as error:
                    report_error(request, error)
                else:
                    if "preview" in request.POST or sheet not in (None, job.sheet):
                        return HttpResponseRedirect(request.path)
                    job_enqueue(actor=staff(request), job=job, dry_run=True)
                    return HttpResponseRedirect(reverse("admin:intake_importjob_progress", args=[job.pk]))
        preview = _with_choice_labels(job.target, importing.job_preview(job, limit=PREVIEW_ROWS))
        mapped = [(header, field) for header, field in job.mapping.items() if field]
        labels = dict(mapping.field_choices(job.target))
        return TemplateResponse(
            request,
            "intake/import_columns.html",
            self._context(
                request,
                title=gettext("Columns and preview"),
                job=job,
                form=form,
                step=2,
                preview=preview,
                preview_columns=[(field, labels.get(field, field)) for _header, field in mapped],
                required=[labels.get(name, name) for name in mapping.required_fields(job.target)],
                ignored=[header for header in job.headers if not job.mapping.get(header)],
            ),
        )

    def progress_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Step 3 and 5: the check or the import running, with a progress bar fed by `status_view`."""
        job = self._job(request, pk)
        if job.state not in RUNNING:
            return HttpResponseRedirect(reverse("admin:intake_importjob_change", args=[job.pk]))
        return TemplateResponse(
            request,
            "intake/import_progress.html",
            self._context(
                request,
                title=gettext("Checking every row") if job.dry_run else gettext("Importing"),
                job=job,
                step=3 if job.dry_run else 5,
                status=selectors.import_status(job),
                status_url=reverse("admin:intake_importjob_status", args=[job.pk]),
                done_url=reverse("admin:intake_importjob_change", args=[job.pk]),
            ),
        )

    def status_view(self, request: HttpRequest, pk: int) -> JsonResponse:
        return JsonResponse(selectors.import_status(self._job(request, pk)))

    def errors_view(self, request: HttpRequest, pk: int) -> HttpResponseBase:
        """The error workbook: every bad row with column, value, reason and how to fix it."""
        job = self._job(request, pk)
        if not job.error_report:
            raise Http404
        stem = job.original_name.rsplit(".", 1)[0]
        try:
            opened = job.error_report.open("rb")
        except FileNotFoundError:
            report_error(request, upload_gone())
            return HttpResponseRedirect(reverse("admin:intake_importjob_change", args=[job.pk]))
        return FileResponse(opened, as_attachment=True, filename=f"{stem}-{gettext('errors')}.xlsx")

    def start_view(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Step 4 → 5: import the valid rows of a checked file."""
        job = self._own_job(request, pk)
        if request.method != "POST":
            return HttpResponseRedirect(reverse("admin:intake_importjob_change", args=[job.pk]))
        if job.state != ImportState.VALIDATED and not (job.state == ImportState.FAILED and not job.dry_run):
            messages.error(request, gettext("Check the file first; then import it."))
            return HttpResponseRedirect(reverse("admin:intake_importjob_change", args=[job.pk]))
        try:
            job_enqueue(actor=staff(request), job=job, dry_run=False)
        except (ValidationError, ApplicationError) as error:
            report_error(request, error)
            return HttpResponseRedirect(reverse("admin:intake_importjob_change", args=[job.pk]))
        return HttpResponseRedirect(reverse("admin:intake_importjob_progress", args=[job.pk]))

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None
    ) -> HttpResponse:
        """Step 4 and 6: the result of the check (or of the import) with each bad row."""
        job = self._job(request, object_id)
        if job.state in RUNNING:
            return HttpResponseRedirect(reverse("admin:intake_importjob_progress", args=[job.pk]))
        if job.state == ImportState.UPLOADED and job.file:
            return HttpResponseRedirect(reverse("admin:intake_importjob_columns", args=[job.pk]))
        own = self.has_add_permission(request) and job.created_by_id == request.user.pk and bool(job.file)
        valid_rows = max(job.total_rows - job.error_rows, 0)
        return TemplateResponse(
            request,
            "intake/import_result.html",
            self._context(
                request,
                title=job.original_name,
                job=job,
                step=6 if job.state == ImportState.DONE else 4,
                status=selectors.import_status(job),
                valid_rows=valid_rows,
                may_start=own
                and (
                    (job.state == ImportState.VALIDATED and valid_rows > 0)
                    or (job.state == ImportState.FAILED and not job.dry_run)
                ),
                may_remap=own and job.state in (ImportState.VALIDATED, ImportState.FAILED),
                errors=job.errors_preview,
                review_url=_review_url(request, job),
                gone=None if job.file else upload_gone(),
            ),
        )


def _with_choice_labels(target: str, rows: list[Any]) -> list[Any]:
    """Preview values as people read them: a choice's label (制造业), not its stored code."""
    labels: dict[str, dict[str, str]] = {}
    for spec in mapping.specs(target):
        if spec.model is not None and spec.model_field:
            choices = spec.model._meta.get_field(spec.model_field).flatchoices  # type: ignore[union-attr]
            if choices:
                labels[spec.name] = {str(code): str(label) for code, label in choices}
    for row in rows:
        row.values = {
            name: labels[name].get(str(value), value) if name in labels else value
            for name, value in row.values.items()
        }
    return rows


def _review_url(request: HttpRequest, job: ImportJob) -> str:
    """The review queue filtered to this import, for those who may open it."""
    if job.state != ImportState.DONE or not job.created_rows:
        return ""
    if not access.access_for(request.user).has("intake.view_submission"):
        return ""
    try:
        return reverse("admin:intake_submission_changelist") + f"?import_job__id__exact={job.pk}"
    except NoReverseMatch:  # the review queue is not installed
        return ""
