"""The import engine: an uploaded sheet becomes customers (or contacts, logistics needs, historic
shipments) through the archive's own validation, in resumable batches.

A job goes upload (`job_start`) → mapping (`job_set_mapping`, `job_preview`) → dry run
(`job_check`: every row validated and matched, nothing written) → run (`job_run`). The run works in
batches of `BATCH_SIZE` rows; each batch is one transaction together with the job's resume point
and counters, so a crash loses at most the batch in flight and running the job again continues
where it stopped. Rows are matched with the archive (code, USCC, resident ID blind index, or name
with mobile/phone), so importing the same file twice creates nothing new.

Why not `customer_create` per row: it costs a dozen queries per customer (unique checks, code
counter, history, search index). New customers are validated with the same rules in Python
(the model's field checks through `core.bulk.FieldCleaner`, which judges each value once per job,
and `Customer.clean`, which is `customers.rules.check_customer`), matched in bulk (one query per
batch), and written with `core.bulk` (COPY on PostgreSQL), with history rows, primary addresses
and contacts and review submissions per batch; search terms come when review approves them.

From `PIPELINE_MIN_ROWS` rows on, the per-row work that needs no database (parsing, building and
checking the records, reading addresses) runs in forked worker processes a batch or two ahead of
this one, which matches and files (`_prepared`).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import multiprocessing
import tempfile
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from freightcrm.core import crypto
from freightcrm.core.bulk import forked_map, sqlite_bulk_settings
from freightcrm.core.storage import sweep_plain_copies
from freightcrm.intake.choices import ImportMode, ImportState, ImportTarget
from freightcrm.intake.mapping import check_mapping, guess_mapping
from freightcrm.intake.models import ImportJob
from freightcrm.intake.reading import FileProblem, check_suffix, open_table
from freightcrm.intake.rows import (
    ErrorReport,
    Importer,
    PreviewRow,
    Row,
    RowError,
    error_pieces,
    keep_days,
    open_job_table,
    require_import,
)

__all__ = ["PreviewRow", "RowError"]

BATCH_SIZE = 2_000
PIPELINE_MIN_ROWS = 10_000  # from this many rows the checks run in a worker process beside the writes
PREVIEW_ERRORS = 200
# SQLite while a run writes (core.bulk.sqlite_bulk_settings): a page cache that keeps the archive's
# indexes (sixteen on customers) in memory, and the log copied back every 64 MB, not every batch.
CACHE_KIB = 65_536
CHECKPOINT_PAGES = 16_384
Progress = Callable[[int, int], None]


def _max_bytes() -> int:
    return int(getattr(settings, "FREIGHTCRM_MAX_IMPORT_BYTES", 50 * 1024 * 1024))


# -- keeping uploads no longer than needed ---------------------------------------------------------


def imports_expire(now: dt.datetime | None = None) -> int:
    """Delete the uploads and error workbooks of imports last used more than `keep_days()` ago (they
    hold customers' personal data whole; sealed, but not kept without need). The job stays, with its
    counts and first errors. Called at each upload. Returns how many."""
    limit = (now or timezone.now()) - dt.timedelta(days=keep_days())
    expired = list(ImportJob.objects.filter(updated_at__lt=limit).exclude(file=""))
    for job in expired:
        names = [job.file.name, job.error_report.name, *(name for _first, name in error_pieces(job))]
        ImportJob.objects.filter(pk=job.pk).update(file="", error_report="")
        for name in names:
            if name:
                default_storage.delete(name)
    sweep_plain_copies()  # and what a killed import left behind
    return len(expired)


# -- starting a job -------------------------------------------------------------------------------


@transaction.atomic
def job_start(
    *,
    actor: Any,
    upload: UploadedFile | File[Any],
    target: str = ImportTarget.CUSTOMERS,
    mode: str = ImportMode.UPSERT,
    sheet: str = "",
) -> ImportJob:
    """Check the file (type, size, emptiness), keep it in the data folder, read its headers and guess
    the mapping. Raises `FileProblem` when the file cannot be imported, before anything is saved."""
    require_import(actor)
    transaction.on_commit(imports_expire)  # files are deleted only once nothing can roll back
    if target not in ImportTarget.values:
        raise ValidationError({"target": _("Unknown import target “%(target)s”.") % {"target": target}})
    if mode not in ImportMode.values:
        raise ValidationError({"mode": _("Unknown import mode “%(mode)s”.") % {"mode": mode}})
    name = Path(getattr(upload, "name", "") or "upload").name
    size = getattr(upload, "size", None) or 0
    limit = _max_bytes()
    if size > limit:
        raise FileProblem(
            _("The file is %(size).1f MB; the limit is %(limit).1f MB. Split it into smaller files."),
            code="too_large",
            params={"size": size / 2**20, "limit": limit / 2**20},
        )
    if size == 0:
        raise FileProblem(
            _("The file is empty. Choose the file that holds the rows to import."), code="empty"
        )
    suffix = check_suffix(name)
    digest = hashlib.sha256()
    with tempfile.NamedTemporaryFile(suffix=suffix, delete=False) as handle:
        for chunk in upload.chunks():
            digest.update(chunk)
            handle.write(chunk)
        temporary = Path(handle.name)
    try:
        table = open_table(temporary, original_name=name, sheet=sheet)
        total = table.count_rows()
        job = ImportJob(
            target=target,
            mode=mode,
            original_name=name[:255],
            size=size,
            sha256=digest.hexdigest(),
            sheet=table.sheet,
            encoding=table.encoding,
            headers=table.headers,
            mapping=guess_mapping(table.headers, target),
            total_rows=total,
            language=translation.get_language() or "",
            created_by=actor,
        )
        with temporary.open("rb") as stored:
            job.file.save(f"source{suffix}", File(stored), save=False)
        job.save()
    finally:
        temporary.unlink(missing_ok=True)
    return job


def job_set_mapping(
    *,
    actor: Any,
    job: ImportJob,
    mapping: dict[str, str],
    mode: str | None = None,
    sheet: str | None = None,
) -> ImportJob:
    """Choose the mapping (and mode, sheet). `ValidationError` if a required field is unmapped or a
    field is mapped twice; a different sheet re-reads headers and row count."""
    require_import(actor)
    if not job.dry_run and job.next_row:
        raise ValidationError(_("This import has already run; start a new import to change its mapping."))
    if mode is not None:
        if mode not in ImportMode.values:
            raise ValidationError({"mode": _("Unknown import mode “%(mode)s”.") % {"mode": mode}})
        job.mode = mode
    if sheet is not None and sheet != job.sheet:
        job.sheet = sheet
        table = open_job_table(job)
        job.headers = table.headers
        job.total_rows = table.count_rows()
        mapping = {header: mapping.get(header, "") for header in table.headers} or guess_mapping(
            table.headers, job.target
        )
    mapping = {header: mapping.get(header, "") or "" for header in job.headers}
    check_mapping(job.target, mapping)
    job.mapping = mapping
    job.state = ImportState.UPLOADED
    job.save()
    return job


def unknown_columns(job: ImportJob) -> list[str]:
    """Headers that fill no field: ignored by the import, listed so the user can check."""
    return [header for header in job.headers if not job.mapping.get(header)]


def _chunks(rows: Iterator[tuple[int, list[str]]], size: int) -> Iterator[list[tuple[int, list[str]]]]:
    while chunk := list(islice(rows, size)):
        yield chunk


# -- preview, check, run --------------------------------------------------------------------------


def job_preview(job: ImportJob, limit: int = 10) -> list[PreviewRow]:
    """The first `limit` rows as they would be filed, with their problems (nothing is written)."""
    importer = Importer(job, writing=False)
    rows = importer.process(list(islice(importer.table.rows(), limit)))
    return [PreviewRow(row.number, importer.preview_values(row), row.errors) for row in rows]


def _count(job: ImportJob, rows: list[Row], report: ErrorReport) -> None:
    for row in rows:
        if row.outcome == "error":
            job.error_rows += 1
            for error in row.errors:
                report.add(error, row.cells)
                if len(job.errors_preview) < PREVIEW_ERRORS:
                    job.errors_preview.append(error.as_dict())
        elif row.outcome == "created":
            job.created_rows += 1
        elif row.outcome == "updated":
            job.updated_rows += 1
        elif row.outcome == "unchanged":
            job.unchanged_rows += 1


def _reset(job: ImportJob) -> None:
    job.error_rows = job.created_rows = job.updated_rows = job.unchanged_rows = 0
    job.processed_rows = job.next_row = 0
    job.errors_preview = []
    job.message = ""


_PIPELINE: Importer | None = None  # the importer of this process (inherited by the forked worker)


def _prepare_ahead(chunk: list[tuple[int, list[str]]]) -> list[Row]:
    assert _PIPELINE is not None, "the importer is set before the worker is forked"
    return _PIPELINE.prepare(chunk, ahead=True)


def _prepared(
    importer: Importer, chunks: Iterator[list[tuple[int, list[str]]]], *, ahead: bool
) -> Iterator[list[Row]]:
    """The batches prepared (parsed, built, validated as new customers, addresses read), here or,
    `ahead`, by forked worker processes while this one matches and files the batch before: the
    database work and the per-row checks then use both cores. Workers touch no database (users are
    read before the fork); at most `workers + 2` batches are in flight, in order."""
    global _PIPELINE
    if not ahead:
        for chunk in chunks:
            yield importer.prepare(chunk, ahead=False)
        return
    importer.load_users()
    crypto.key_ring()  # read the keys once, before the fork, so the worker needs no files
    _PIPELINE = importer
    # A dry run leaves this process little to do but match: two workers check while it waits.
    workers = 1 if importer.writing else 2
    try:
        yield from forked_map(
            _prepare_ahead, ((chunk,) for chunk in chunks), workers=workers, in_flight=workers + 1
        )
    finally:
        _PIPELINE = None


def _pipelined(importer: Importer, rows_left: int) -> bool:
    return (
        importer.target == ImportTarget.CUSTOMERS
        and rows_left >= PIPELINE_MIN_ROWS
        and "fork" in multiprocessing.get_all_start_methods()
    )


def _work(job: ImportJob, importer: Importer, *, progress: Progress | None, batch_size: int) -> None:
    """Process the rows from the job's resume point, one transaction per batch together with the
    job's counters (and, when writing, its resume point), then store the error workbook."""
    start = job.next_row if importer.writing else 0
    report = ErrorReport(job, importer.table.headers, start=start)
    chunks = _chunks(importer.table.rows(start=start), batch_size)
    with sqlite_bulk_settings(
        cache_kib=CACHE_KIB if importer.writing else 0, checkpoint_pages=CHECKPOINT_PAGES
    ):
        for rows in _prepared(importer, chunks, ahead=_pipelined(importer, job.total_rows - start)):
            with transaction.atomic():
                rows = importer.finish(rows)
                _count(job, rows, report)
                report.store_batch(job.processed_rows)
                job.processed_rows += len(rows)
                if importer.writing:
                    job.next_row = job.processed_rows
                job.total_rows = max(job.total_rows, job.processed_rows)
                job.save()
            if progress:
                progress(job.processed_rows, job.total_rows)
    job.total_rows = job.processed_rows
    report.save_to(job)
    job.finished_at = timezone.now()


def job_check(job: ImportJob, *, progress: Progress | None = None, batch_size: int = BATCH_SIZE) -> ImportJob:
    """Dry run: validate and match every row, count what would happen, write the error workbook.
    Changes nothing in the archive."""
    check_mapping(job.target, job.mapping)
    importer = Importer(job, writing=False)
    _reset(job)
    job.dry_run = True
    job.state = ImportState.VALIDATING
    job.started_at, job.finished_at = timezone.now(), None
    job.save()
    _work(job, importer, progress=progress, batch_size=batch_size)
    job.state = ImportState.VALIDATED
    job.save()
    return job


def job_run(job: ImportJob, *, progress: Progress | None = None, batch_size: int = BATCH_SIZE) -> ImportJob:
    """The real run, in batches; resumes at `job.next_row` when an earlier run stopped midway
    (the counters of the committed batches were saved with them, so nothing is counted twice)."""
    check_mapping(job.target, job.mapping)
    require_import(job.created_by)
    importer = Importer(job, writing=True)
    resuming = not job.dry_run and job.next_row > 0 and job.state != ImportState.DONE
    if not resuming:
        _reset(job)
        job.started_at = timezone.now()
    job.processed_rows = job.next_row
    job.dry_run = False
    job.state = ImportState.IMPORTING
    job.finished_at = None
    job.save()
    _work(job, importer, progress=progress, batch_size=batch_size)
    job.state = ImportState.DONE
    job.save()
    return job
