"""Export of the customer list (客户导出) to .xlsx and .csv, under the list's filters and search.

Why it reads the way it does:

- Rows come from the same selectors as the staff list (`core.access.visible`, `CustomerFilters`,
  `customers.search.ranked_ids` for a search text), narrowed to the archive proper (approved
  records): an export may never show a row the list would not.
- Values pass the one permission place, `core.access`: finance columns are left out for roles
  that may not see finance (`hidden_fields`); ID and bank numbers are masked unless the export
  asks for them in full, which needs `intake.export_sensitive` and the reveal permission
  (`reveals` / `shown_value`).
- Text that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, carriage return first)
  is neutralised: `'` in front in CSV, a plain text cell in XLSX. Numbers are never touched: a
  negative amount stays a number.
- It streams: rows are read with `iterator(chunk_size)`, written one by one (openpyxl's write-only
  workbook keeps rows in a temporary file, not in memory), so a million customers export in
  bounded memory.
- On the staff pages an .xlsx is written by the task worker (`export_start`, `export_write`)
  with a progress bar: a workbook is zipped only after its last row, and a large one takes
  minutes. The file is sealed with the archive's key while it waits (`EXPORT_KEEP`) and only
  the person who exported it may download it (`export_download`). CSV streams to the browser.
- Headers are the fields' Chinese names, the names the import's header mapping recognises, so an
  exported file imports again.
- Every export is written to `ExportLog` before the first row leaves (who, when, filter, columns,
  sensitive, channel) and its row count completed at the end: an export that fails half-way is
  still on record.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import tempfile
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass
from dataclasses import fields as dataclass_fields
from decimal import Decimal
from functools import lru_cache
from typing import IO, Any, Literal

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from freightcrm.core import access
from freightcrm.core.display import person_name
from freightcrm.core.errors import ApplicationError, PermissionDeniedError
from freightcrm.core.fields import field_of
from freightcrm.core.masking import mask
from freightcrm.core.storage import sealed_storage
from freightcrm.customers.choices import ReviewState
from freightcrm.customers.models import Address, Customer
from freightcrm.customers.search import CustomerFilters, ranked_ids
from freightcrm.customers.selectors import (
    BUSINESS_FIELDS,
    CHARACTERISTIC_FIELDS,
    PREFERENCE_FIELDS,
    PROFILE_FIELDS,
    display_value,
)
from freightcrm.intake.choices import ExportState
from freightcrm.intake.models import ExportLog

Format = Literal["xlsx", "csv"]
Channel = Literal["ui", "command", "api"]

EXPORT_PERMISSION = "intake.export_customers"
SENSITIVE_PERMISSION = "intake.export_sensitive"
FORMATS = ("xlsx", "csv")
CHANNELS = ("ui", "command", "api")
# Excel opens UTF-8 CSV correctly only with a BOM; GB18030 is what older Excel and WPS save.
ENCODINGS = {"utf-8-sig": "utf-8-sig", "utf-8": "utf-8-sig", "gb18030": "gb18030", "gbk": "gb18030"}
DEFAULT_ENCODING = "utf-8-sig"
CHUNK_SIZE = 2_000
STREAM_PIECE = 256 * 1024  # bytes sent to the browser at a time
EXPORT_KEEP_HOURS = 24  # a workbook written in the background waits this long for its download
EXPORT_KEEP = dt.timedelta(hours=EXPORT_KEEP_HOURS)
XLSX_MAX_ROWS = 1_048_575  # a worksheet's 1,048,576 rows, less the header
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
HEADER_LANGUAGE = "zh-hans"
ADDRESS = "address"  # not a Customer field: the primary address's full text

# The archive's columns in the order of the customer form.
DEFAULT_FIELDS: tuple[str, ...] = (
    "code",
    "kind",
    "name",
    "short_name",
    "status",
    "owner",
    "tags",
    *PROFILE_FIELDS,
    ADDRESS,
    "province",
    "city",
    "district",
    *CHARACTERISTIC_FIELDS,
    *BUSINESS_FIELDS,
    *Customer.finance_fields,
    *PREFERENCE_FIELDS,
    "remarks",
    "created_at",
    "updated_at",
)


def header(name: str) -> str:
    """A column's header: the field's Chinese name, whatever language the exporter uses."""
    with translation.override(HEADER_LANGUAGE):
        if name == ADDRESS:
            return str(_("address"))
        return str(field_of(Customer, name).verbose_name)


def escape_formula(value: str, *, fmt: Format) -> str:
    """CSV text a spreadsheet would evaluate gets a leading `'` (XLSX writes it as a text cell)."""
    if fmt == "csv" and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def export_columns(actor: Any, fields: Sequence[str] | None) -> list[str]:
    """The columns `actor` gets: the requested (or default) ones, without those hidden from them.
    Unknown names are refused; a hidden column asked for by name is refused, not silently dropped."""
    hidden = access.hidden_fields(actor, Customer)
    if fields is None:
        return [name for name in DEFAULT_FIELDS if name not in hidden]
    unknown = [name for name in fields if name not in DEFAULT_FIELDS]
    if unknown:
        raise ValidationError(
            _("Unknown export columns: %(names)s. Use some of: %(choices)s."),
            code="unknown_columns",
            params={"names": ", ".join(unknown), "choices": ", ".join(DEFAULT_FIELDS)},
        )
    refused = [name for name in fields if name in hidden]
    if refused:
        raise PermissionDeniedError(
            _("Your role may not see these columns: %(names)s."),
            params={"names": ", ".join(header(name) for name in refused)},
        )
    if not fields:
        raise ValidationError(_("Choose at least one column to export."), code="no_columns")
    return list(dict.fromkeys(fields))


def check_export(*, actor: Any, fmt: str, sensitive: bool, channel: str, encoding: str) -> None:
    """Raise before anything is written: a role without export, a sensitive export without both
    permissions, or a format, encoding or channel that does not exist."""
    rights = access.access_for(actor)
    if not rights.has(EXPORT_PERMISSION):
        raise PermissionDeniedError(_("Your role may not export the customer list."))
    if sensitive and not (
        rights.has(SENSITIVE_PERMISSION)
        and all(access.reveals(actor, Customer, name) for name in Customer.sensitive_fields)
    ):
        raise PermissionDeniedError(
            _(
                "Your role may not export ID and bank numbers in full; export without the "
                "sensitive option to get them masked."
            )
        )
    errors = {}
    if fmt not in FORMATS:
        errors["fmt"] = ValidationError(
            _("Unknown file format %(value)s; use xlsx or csv."), code="bad_format", params={"value": fmt}
        )
    if channel not in CHANNELS:
        errors["channel"] = ValidationError(
            _("Unknown channel %(value)s."), code="bad_channel", params={"value": channel}
        )
    if encoding.lower() not in ENCODINGS:
        errors["encoding"] = ValidationError(
            _("Unknown encoding %(value)s; use utf-8 (with BOM, opens in Excel) or gb18030."),
            code="bad_encoding",
            params={"value": encoding},
        )
    if errors:
        raise ValidationError(errors)


def customers_to_export(actor: Any, *, filters: CustomerFilters, q: str = "") -> QuerySet[Customer]:
    """The approved customers `actor` may see under the list's filters and search text: the same
    rows as the staff list. A search text keeps its best matches (`customers.search.MAX_MATCHES`)."""
    rows = access.visible(actor, Customer.objects.filter(filters.q(actor), review_state=ReviewState.APPROVED))
    if q.strip():
        ids, notice = ranked_ids(actor, q, filters)
        if notice:
            raise ValidationError({"q": ValidationError(notice, code="nothing_to_search")})
        rows = rows.filter(pk__in=ids)
    if filters.tag:
        rows = rows.distinct()
    return rows


def filter_record(filters: CustomerFilters, q: str) -> dict[str, Any]:
    """The filter as the export log keeps it: only what was set."""
    record: dict[str, Any] = {k: v for k, v in asdict(filters).items() if v not in ("", None)}
    if q:
        record["q"] = q
    return record


@lru_cache(maxsize=1)
def _choice_fields() -> frozenset[str]:
    return frozenset(name for name in DEFAULT_FIELDS if name != ADDRESS and field_of(Customer, name).choices)


@lru_cache(maxsize=8192)
def _label(name: str, value: Any, language: str | None) -> str:
    """A choice's (or list of choices') label, worked out once per value: a million rows repeat a
    handful of kinds, statuses and industries."""
    return display_value(Customer, name, list(value) if isinstance(value, tuple) else value)


def cell_value(customer: Customer, name: str) -> Any:
    """One value as a person reads it: choice labels, names, dates; numbers stay numbers."""
    if name == ADDRESS:
        return getattr(customer, "export_address", None) or ""
    if name == "owner":
        return person_name(customer.owner)
    if name == "tags":
        return "、".join(sorted(tag.name for tag in customer.tags.all()))
    value = getattr(customer, name)
    if value is None or value == "" or value == []:
        return ""
    if isinstance(value, list):
        return _label(name, tuple(value), translation.get_language())
    if name in _choice_fields():
        return _label(name, value, translation.get_language())
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).replace(tzinfo=None, microsecond=0)
    return value


def _rows(
    actor: Any, queryset: QuerySet[Customer], columns: list[str], *, sensitive: bool
) -> Iterator[list[Any]]:
    shown = [name for name in columns if name in Customer.sensitive_fields]
    for customer in queryset.iterator(chunk_size=CHUNK_SIZE):
        row = []
        for name in columns:
            if name in shown:
                # In full only for a sensitive export (both permissions checked before the first
                # row); masked otherwise, even for someone who may read the value on screen.
                full = access.shown_value(actor, customer, name) if sensitive else None
                row.append(full if full is not None else mask(getattr(customer, name)))
            else:
                row.append(cell_value(customer, name))
        yield row


def csv_text(value: Any) -> str:
    if isinstance(value, str):
        return escape_formula(value, fmt="csv")
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _write_csv(out: IO[bytes], headers: list[str], rows: Iterator[list[Any]], encoding: str) -> Iterator[int]:
    text = io.TextIOWrapper(out, encoding=ENCODINGS[encoding.lower()], newline="", write_through=True)
    try:
        writer = csv.writer(text)
        writer.writerow(headers)
        for row in rows:
            writer.writerow([csv_text(value) for value in row])
            yield 1
        text.flush()
    finally:
        text.detach()  # the caller's file stays open


def xlsx_cell(sheet: WriteOnlyWorksheet, value: Any) -> Any:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        cell = WriteOnlyCell(sheet, value=value)
        cell.data_type = "s"  # text, never a formula
        return cell
    if isinstance(value, bool):
        return str(_("yes") if value else _("no"))
    return value


def _write_xlsx(out: IO[bytes], headers: list[str], rows: Iterator[list[Any]]) -> Iterator[int]:
    workbook = Workbook(write_only=True)
    with translation.override(HEADER_LANGUAGE):
        title = str(_("customers"))
    sheet = workbook.create_sheet(title)
    sheet.append(headers)
    for row in rows:
        sheet.append([xlsx_cell(sheet, value) for value in row])
        yield 1
    workbook.save(out)


@dataclass
class Plan:
    """An export checked and ready: the rows (as a query), the columns, and (for a workbook) the count."""

    queryset: QuerySet[Customer]
    columns: list[str]
    count: int | None


def _plan(
    *,
    actor: Any,
    filters: CustomerFilters,
    q: str,
    fmt: Format,
    fields: Sequence[str] | None,
    sensitive: bool,
    channel: Channel,
    encoding: str,
) -> Plan:
    """Every check of an export (permissions, format, columns, search text, a workbook's size)."""
    check_export(actor=actor, fmt=fmt, sensitive=sensitive, channel=channel, encoding=encoding)
    columns = export_columns(actor, fields)
    queryset = customers_to_export(actor, filters=filters, q=q)
    count = None
    if fmt == "xlsx":
        count = queryset.count()
        if count > XLSX_MAX_ROWS:
            raise ValidationError(
                _("A worksheet holds at most %(limit)s rows; narrow the filter or export as CSV."),
                code="too_many_rows",
                params={"limit": f"{XLSX_MAX_ROWS:,}"},
            )
    if ADDRESS in columns:
        primary = Address.objects.filter(customer=OuterRef("pk"), is_primary=True).values("text")[:1]
        queryset = queryset.annotate(export_address=Subquery(primary))
    if "owner" in columns:
        queryset = queryset.select_related("owner")
    if "tags" in columns:
        queryset = queryset.prefetch_related("tags")
    unread = [name for name in Customer.sensitive_fields if name not in columns]
    queryset = queryset.defer(*unread).order_by("pk")  # no decryption for columns not exported
    return Plan(queryset, columns, count)


def _writer(
    actor: Any, plan: Plan, *, fmt: Format, sensitive: bool, out: IO[bytes], encoding: str
) -> Iterator[int]:
    """A generator that writes one row to `out` per step (nothing before it is first advanced)."""
    headers = [header(name) for name in plan.columns]
    rows = _rows(actor, plan.queryset, plan.columns, sensitive=sensitive)
    return _write_xlsx(out, headers, rows) if fmt == "xlsx" else _write_csv(out, headers, rows, encoding)


def _start(
    *,
    actor: Any,
    filters: CustomerFilters,
    q: str,
    fmt: Format,
    fields: Sequence[str] | None,
    sensitive: bool,
    channel: Channel,
    out: IO[bytes],
    encoding: str,
) -> tuple[ExportLog, Iterator[int]]:
    """Check everything, log the export, and return the writer."""
    plan = _plan(
        actor=actor,
        filters=filters,
        q=q,
        fmt=fmt,
        fields=fields,
        sensitive=sensitive,
        channel=channel,
        encoding=encoding,
    )
    log = _record(actor, plan, fmt=fmt, filters=filters, q=q, sensitive=sensitive, channel=channel)
    return log, _writer(actor, plan, fmt=fmt, sensitive=sensitive, out=out, encoding=encoding)


def _record(
    actor: Any,
    plan: Plan,
    *,
    fmt: Format,
    filters: CustomerFilters,
    q: str,
    sensitive: bool,
    channel: Channel,
    **background: Any,
) -> ExportLog:
    """The export's entry in the log, made before its first row is written."""
    return ExportLog.objects.create(
        user=actor,
        file_format=fmt,
        filters=filter_record(filters, q),
        fields=plan.columns,
        sensitive=sensitive,
        channel=channel,
        **background,
    )


def download_name(fmt: Format, at: dt.datetime | None = None) -> str:
    """The file name a download is offered under: `customers-20261206-1430.csv`."""
    return f"customers-{timezone.localtime(at).strftime('%Y%m%d-%H%M')}.{fmt}"


def export_customers(
    *,
    actor: Any,
    filters: CustomerFilters,
    q: str = "",
    fmt: Format,
    fields: Sequence[str] | None = None,
    sensitive: bool = False,
    channel: Channel,
    out: IO[bytes],
    encoding: str = DEFAULT_ENCODING,
    progress: Callable[[int], None] | None = None,
) -> ExportLog:
    """Write the customers `actor` may see under `filters` and `q` to `out` as `fmt`; return the
    export's log entry.

    Raises `PermissionDeniedError` (no export permission; sensitive without both permissions; a
    column hidden from the role) or `ValidationError` (unknown format, encoding, column; a search
    text with nothing to search for; more rows than a worksheet holds) before writing anything.
    `progress(n)` is called as rows are written (for progress bars).
    """
    log, writer = _start(
        actor=actor,
        filters=filters,
        q=q,
        fmt=fmt,
        fields=fields,
        sensitive=sensitive,
        channel=channel,
        out=out,
        encoding=encoding,
    )
    count = 0
    try:
        for _row in writer:
            count += 1
            if progress and count % CHUNK_SIZE == 0:
                progress(CHUNK_SIZE)
        if progress and count % CHUNK_SIZE:
            progress(count % CHUNK_SIZE)
    finally:
        log.rows = count
        log.save(update_fields=["rows"])
    return log


def stream_customers_csv(
    *,
    actor: Any,
    filters: CustomerFilters,
    q: str = "",
    fields: Sequence[str] | None = None,
    sensitive: bool = False,
    channel: Channel,
    encoding: str = DEFAULT_ENCODING,
) -> Iterator[bytes]:
    """The same export as CSV, as pieces of bytes for a streaming response: the download starts at
    once and the browser shows its progress, however long the list. Checks (and refusals) happen
    when this is called, before the response begins; the log's row count is completed when the
    stream ends, or stops (a cancelled download is recorded with the rows sent)."""
    buffer = io.BytesIO()
    log, writer = _start(
        actor=actor,
        filters=filters,
        q=q,
        fmt="csv",
        fields=fields,
        sensitive=sensitive,
        channel=channel,
        out=buffer,
        encoding=encoding,
    )

    def pieces() -> Iterator[bytes]:
        count = 0
        try:
            for _row in writer:
                count += 1
                if buffer.tell() >= STREAM_PIECE:
                    yield buffer.getvalue()
                    buffer.seek(0)
                    buffer.truncate()
            if buffer.tell():
                yield buffer.getvalue()
        finally:
            ExportLog.objects.filter(pk=log.pk).update(rows=count)

    return pieces()


# -- workbooks written in the background ---------------------------------------------------------


def export_start(
    *,
    actor: Any,
    filters: CustomerFilters,
    q: str = "",
    fields: Sequence[str] | None = None,
    sensitive: bool = False,
    channel: Channel = "ui",
) -> ExportLog:
    """Check an .xlsx export as `export_customers` does (a refusal comes at once) and record it as
    RUNNING; `intake.tasks.export_enqueue` hands it to the task worker, which calls `export_write`.
    A workbook is zipped only when its last row is in, and a large one takes minutes: too long for
    a web request to hold without a word, so the page follows the worker's progress instead."""
    exports_expire()
    plan = _plan(
        actor=actor, filters=filters, q=q, fmt="xlsx", fields=fields, sensitive=sensitive, channel=channel,
        encoding=DEFAULT_ENCODING,
    )  # fmt: skip
    return _record(
        actor, plan, fmt="xlsx", filters=filters, q=q, sensitive=sensitive, channel=channel,
        state=ExportState.RUNNING, total_rows=plan.count or 0,
    )  # fmt: skip


def _filters_of(record: dict[str, Any]) -> tuple[CustomerFilters, str]:
    known = {item.name for item in dataclass_fields(CustomerFilters)}
    return CustomerFilters(**{k: v for k, v in record.items() if k in known}), str(record.get("q", ""))


def export_write(log: ExportLog) -> ExportLog:
    """Write a RUNNING export's workbook (the task worker's part): the rows are chosen and checked
    again as its user may see them now, `log.rows` follows the writing for the progress bar, and
    the finished file is kept (sealed at rest by `core.storage.SealedStorage`) for `EXPORT_KEEP`
    for its user to download."""
    actor = log.user
    filters, q = _filters_of(log.filters)
    channel: Channel = log.channel  # type: ignore[assignment]
    plan = _plan(
        actor=actor, filters=filters, q=q, fmt="xlsx", fields=log.fields, sensitive=log.sensitive,
        channel=channel, encoding=DEFAULT_ENCODING,
    )  # fmt: skip
    ExportLog.objects.filter(pk=log.pk).update(total_rows=plan.count or 0)
    count = 0
    with tempfile.TemporaryFile() as plain:
        for _row in _writer(actor, plan, fmt="xlsx", sensitive=log.sensitive, out=plain, encoding=""):
            count += 1
            if count % CHUNK_SIZE == 0:
                ExportLog.objects.filter(pk=log.pk).update(rows=count)
        plain.seek(0)
        log.file.save(f"{log.pk}-{uuid.uuid4().hex}.xlsx", File(plain), save=False)
    log.rows, log.total_rows = count, plan.count or 0
    log.state, log.finished_at = ExportState.DONE, timezone.now()
    log.save(update_fields=["file", "rows", "total_rows", "state", "finished_at"])
    return log


def export_failed(log_id: int, reason: str) -> None:
    ExportLog.objects.filter(pk=log_id).update(
        state=ExportState.FAILED,
        message=str(_("The export stopped: %(reason)s. Export again from the customer list."))
        % {"reason": reason[:500]},
        finished_at=timezone.now(),
    )


def export_download(*, actor: Any, log: ExportLog) -> Iterator[bytes]:
    """The workbook of a finished export, decrypted piece by piece, for the user who asked for it
    (nobody else: the log shows auditors that it was taken, not the data). `ApplicationError` when
    it is not ready, failed, or has expired (its file is then deleted)."""
    if getattr(actor, "pk", None) != log.user_id:
        raise PermissionDeniedError(_("Only the person who exported this file may download it."))
    if log.state == ExportState.DONE and log.finished_at and log.finished_at < timezone.now() - EXPORT_KEEP:
        exports_expire()
        log.refresh_from_db()
    if log.state == ExportState.EXPIRED:
        raise ApplicationError(
            _(
                "This file was kept for %(hours)d hours and has been deleted; "
                "export again from the customer list."
            ),
            params={"hours": EXPORT_KEEP_HOURS},
        )
    if log.state != ExportState.DONE or not log.file:
        raise ApplicationError(
            _("This export has no file to download (it is still being written, or it failed).")
        )
    return sealed_storage().stream(str(log.file.name))


def exports_expire(now: dt.datetime | None = None) -> int:
    """Delete the files of workbooks finished more than `EXPORT_KEEP` ago (their log stays);
    called whenever an export starts or an expired one is asked for. Returns how many."""
    limit = (now or timezone.now()) - EXPORT_KEEP
    expired = list(ExportLog.objects.filter(state=ExportState.DONE, finished_at__lt=limit).exclude(file=""))
    for log in expired:
        log.file.delete(save=False)
        log.state = ExportState.EXPIRED
        log.save(update_fields=["file", "state"])
    return len(expired)


__all__ = [
    "DEFAULT_FIELDS",
    "ENCODINGS",
    "FORMATS",
    "check_export",
    "customers_to_export",
    "escape_formula",
    "export_download",
    "export_start",
    "export_write",
    "export_columns",
    "export_customers",
    "header",
    "stream_customers_csv",
]
