"""A workbook export written by the task worker: progress, the sealed file, its one downloader,
expiry, failure, and the pages that follow it."""

from __future__ import annotations

import datetime as dt
import io
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.utils import timezone

from freightcrm.core import crypto
from freightcrm.core.errors import ApplicationError, PermissionDeniedError
from freightcrm.customers.models import Customer
from freightcrm.customers.search import CustomerFilters
from freightcrm.intake import exporting, tasks
from freightcrm.intake.choices import ExportState
from freightcrm.intake.exporting import (
    EXPORT_KEEP,
    export_download,
    export_start,
    export_write,
    exports_expire,
    header,
)
from freightcrm.intake.models import ExportLog

pytestmark = pytest.mark.django_db


def workbook_rows(data: bytes) -> list[dict[str, Any]]:
    sheet = openpyxl.load_workbook(io.BytesIO(data), read_only=True).active
    lines = list(sheet.iter_rows(values_only=True))
    return [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]


@pytest.fixture
def customers(make_customer: Any) -> list[Customer]:
    return [
        make_customer(name=f"后台导出{n}物流有限公司", bank_account="6222021234567890123") for n in range(5)
    ]


def test_the_worker_writes_a_sealed_workbook_with_progress_for_its_user_alone(
    customers, role_user, monkeypatch
):
    # given: a records clerk's export, progress saved every two rows
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 2)
    clerk = role_user("records_clerk")
    seen: list[int] = []
    original = ExportLog.objects.filter

    def spy(*args: Any, **kwargs: Any) -> Any:
        query = original(*args, **kwargs)
        update = query.update

        def noted(**values: Any) -> int:
            if "rows" in values:
                seen.append(values["rows"])
            return update(**values)

        query.update = noted  # type: ignore[method-assign]
        return query

    log = export_start(actor=clerk, filters=CustomerFilters(), q="后台导出")
    assert (log.state, log.total_rows, log.rows) == (ExportState.RUNNING, 5, 0)
    # when the worker writes it
    monkeypatch.setattr(ExportLog.objects, "filter", spy)
    export_write(log)
    monkeypatch.undo()
    # then: progress was saved as it went, and the file at rest is sealed, not a workbook
    log.refresh_from_db()
    assert seen == [2, 4]
    assert (log.state, log.rows, log.total_rows) == (ExportState.DONE, 5, 5) and log.finished_at
    raw = Path(log.file.path).read_bytes()
    assert not raw.startswith(b"PK") and b"6222" not in raw
    rows = workbook_rows(b"".join(export_download(actor=clerk, log=log)))
    assert sorted(row[header("name")] for row in rows) == [f"后台导出{n}物流有限公司" for n in range(5)]
    assert all(row[header("bank_account")] == "6222***********0123" for row in rows)  # masked
    # nobody else downloads it, not even an administrator
    with pytest.raises(PermissionDeniedError):
        export_download(actor=role_user("manager"), log=log)


def test_a_file_copied_over_another_export_does_not_open(customers, role_user):
    clerk = role_user("records_clerk")
    first = export_write(export_start(actor=clerk, filters=CustomerFilters()))
    second = export_write(export_start(actor=clerk, filters=CustomerFilters()))
    shutil.copyfile(first.file.path, second.file.path)  # each file's seal is bound to its own name
    with pytest.raises(crypto.DecryptionError):
        export_download(actor=clerk, log=second)


def test_refusals_come_before_anything_is_recorded(customers, role_user):
    with pytest.raises(PermissionDeniedError):
        export_start(actor=role_user("front_desk"), filters=CustomerFilters())
    with pytest.raises(PermissionDeniedError):
        export_start(actor=role_user("account_manager"), filters=CustomerFilters(), sensitive=True)
    assert not ExportLog.objects.exists()


def test_files_expire_after_their_keeping_time(customers, role_user):
    clerk = role_user("records_clerk")
    log = export_write(export_start(actor=clerk, filters=CustomerFilters()))
    stored = log.file.name
    assert exports_expire(now=timezone.now() + EXPORT_KEEP - dt.timedelta(minutes=1)) == 0
    ExportLog.objects.filter(pk=log.pk).update(
        finished_at=timezone.now() - EXPORT_KEEP - dt.timedelta(minutes=1)
    )
    log.refresh_from_db()
    with pytest.raises(ApplicationError, match="24"):
        export_download(actor=clerk, log=log)
    log.refresh_from_db()
    assert (log.state, log.file.name) == (ExportState.EXPIRED, "")
    assert not log.file.storage.exists(stored)
    assert log.rows == 5  # the record stays


def test_a_failed_run_is_marked_with_its_reason(customers, role_user, monkeypatch):
    log = export_start(actor=role_user("records_clerk"), filters=CustomerFilters())

    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(crypto, "encrypt_file", broken)
    with pytest.raises(OSError):
        tasks.run_export.call(log.pk)
    log.refresh_from_db()
    assert log.state == ExportState.FAILED and "disk full" in log.message
    with pytest.raises(ApplicationError):
        export_download(actor=log.user, log=log)


def test_the_page_follows_the_worker_and_offers_the_download(
    customers, client, role_user, django_capture_on_commit_callbacks
):
    # given: a records clerk on the export page, the list filtered by a search
    clerk = role_user("records_clerk")
    client.force_login(clerk)
    # when: they ask for a workbook (the task runs when the request's transaction commits)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/admin/intake/exportlog/export-customers/?q=后台导出", {"fmt": "xlsx", "encoding": "utf-8-sig"}
        )
    # then: they land on the export's page, which shows the finished file
    log = ExportLog.objects.get()
    assert response.status_code == 302 and response.url == f"/admin/intake/exportlog/{log.pk}/file/"
    status = client.get(f"/admin/intake/exportlog/{log.pk}/file/status/").json()
    assert (status["state"], status["done"], status["total"], status["percent"], status["finished"]) == (
        "done",
        5,
        5,
        100,
        True,
    )
    page = client.get(response.url)
    assert (
        page.status_code == 200
        and f"/admin/intake/exportlog/{log.pk}/file/download/" in page.content.decode()
    )
    download = client.get(f"/admin/intake/exportlog/{log.pk}/file/download/")
    assert download["Content-Disposition"].startswith('attachment; filename="customers-')
    assert len(workbook_rows(b"".join(download.streaming_content))) == 5
    # the log lists it, with a link for its owner only
    assert (
        f"/admin/intake/exportlog/{log.pk}/file/" in client.get("/admin/intake/exportlog/").content.decode()
    )
    client.force_login(role_user("records_clerk", "other_clerk"))  # another clerk: not in their log
    assert client.get("/admin/intake/exportlog/").context["cl"].result_count == 0
    manager = role_user("manager")
    client.force_login(manager)
    assert (
        f"/admin/intake/exportlog/{log.pk}/file/"
        not in client.get("/admin/intake/exportlog/").content.decode()
    )
    assert client.get(f"/admin/intake/exportlog/{log.pk}/file/").status_code == 404
    assert client.get(f"/admin/intake/exportlog/{log.pk}/file/download/").status_code == 404


def test_a_running_export_shows_its_progress_and_an_expired_one_says_so(customers, client, role_user):
    clerk = role_user("records_clerk")
    client.force_login(clerk)
    log = export_start(actor=clerk, filters=CustomerFilters())
    ExportLog.objects.filter(pk=log.pk).update(rows=2)
    page = client.get(f"/admin/intake/exportlog/{log.pk}/file/").content.decode()
    assert 'role="progressbar"' in page and 'aria-valuenow="40"' in page
    ExportLog.objects.filter(pk=log.pk).update(state=ExportState.EXPIRED)
    response = client.get(f"/admin/intake/exportlog/{log.pk}/file/download/", follow=True)
    assert response.status_code == 200 and "24" in response.content.decode()
