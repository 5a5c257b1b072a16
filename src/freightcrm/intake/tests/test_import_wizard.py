"""The import wizard's pages, per role, through Django's test client (tasks run at once here)."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook

from freightcrm.conftest import valid_uscc
from freightcrm.customers.models import Customer
from freightcrm.intake.models import ImportJob

pytestmark = pytest.mark.django_db

ADD = "admin:intake_importjob_add"


def workbook(rows):
    book = Workbook()
    page = book.active
    page.append(["客户名称", "统一社会信用代码", "手机", "地址"])
    for row in rows:
        page.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("客户.xlsx", buffer.getvalue())


GOOD = [
    ["宁波北仑港测试物流有限公司", valid_uscc(701), "13805740000", "浙江省宁波市北仑区新碶街道1号"],
    ["厦门海沧测试货代有限公司", valid_uscc(702), "13906060000", "福建省厦门市海沧区海沧大道2号"],
]


BAD = ["坏代码物流有限公司", "91310115123456789X", "", ""]  # a mistyped credit code
MAPPING = {f"column_{n}": field for n, field in enumerate(["name", "uscc", "mobile", "address"])}


def upload(client, rows=GOOD, **fields):
    data = {"file": workbook(rows), "target": "customers", "mode": "upsert", **fields}
    return client.post(reverse(ADD), data)


def upload_and_check(client, capture, rows):
    """Upload `rows` and check them through the pages (the task runs at once); the job as left."""
    with capture(execute=True):
        upload(client, rows=rows)
        job = ImportJob.objects.latest("pk")
        client.post(
            reverse("admin:intake_importjob_columns", args=[job.pk]),
            {"mode": "upsert", "check": "1", **MAPPING},
        )
    job.refresh_from_db()
    return job


def test_front_desk_may_not_import(client, role_user):
    client.force_login(role_user("front_desk"))
    assert client.get(reverse(ADD)).status_code == 404
    listing = client.get(reverse("admin:customers_customer_changelist"))
    assert reverse("admin:intake_importjob_add") not in listing.text


def test_the_customer_list_offers_the_import_to_importers(client, role_user):
    client.force_login(role_user("account_manager"))
    listing = client.get(reverse("admin:customers_customer_changelist"))
    assert "import-sheet" in listing.text


def test_upload_check_and_import_through_the_pages(client, role_user, django_capture_on_commit_callbacks):
    clerk = role_user("records_clerk")
    client.force_login(clerk)
    response = upload(client)
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response.url.endswith(f"/{job.pk}/columns/")
    page = client.get(response.url)
    assert page.status_code == 200 and "宁波北仑港测试物流有限公司" in page.text
    with django_capture_on_commit_callbacks(execute=True):  # the task is handed over on commit
        checked = client.post(response.url, {"mode": "upsert", "check": "1", **MAPPING})
    assert checked.status_code == 302
    job.refresh_from_db()
    assert job.state == "validated" and job.error_rows == 0 and Customer.objects.count() == 0
    result = client.get(reverse("admin:intake_importjob_change", args=[job.pk]))
    assert result.status_code == 200 and "/start/" in result.text
    status = client.get(reverse("admin:intake_importjob_status", args=[job.pk])).json()
    assert status["state"] == "validated" and status["total"] == 2 and status["finished"]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("admin:intake_importjob_start", args=[job.pk]))
    job.refresh_from_db()
    assert job.state == "done" and job.created_rows == 2
    assert Customer.objects.filter(review_state="pending").count() == 2


def test_a_wrong_file_gets_a_message_and_no_job(client, role_user):
    client.force_login(role_user("records_clerk"))
    response = client.post(
        reverse(ADD),
        {
            "file": SimpleUploadedFile("名单.xlsx", b"\x89PNG\r\n\x1a\n not a workbook"),
            "target": "customers",
            "mode": "upsert",
        },
        follow=True,
    )
    assert response.status_code == 200
    assert not ImportJob.objects.exists()
    assert [m for m in response.context["messages"]]


def test_an_empty_upload_is_refused(client, role_user):
    client.force_login(role_user("records_clerk"))
    response = client.post(
        reverse(ADD), {"file": SimpleUploadedFile("空.csv", b""), "target": "customers", "mode": "upsert"}
    )
    assert response.status_code == 200 and not ImportJob.objects.exists()


def test_an_oversized_upload_is_refused_before_it_is_read(client, role_user, settings):
    settings.FREIGHTCRM_MAX_IMPORT_BYTES = 1024
    client.force_login(role_user("records_clerk"))
    big = SimpleUploadedFile("大.csv", ("客户名称\n" + "某公司\n" * 400_000).encode())
    response = client.post(reverse(ADD), {"file": big, "target": "customers", "mode": "upsert"}, follow=True)
    assert response.status_code == 200 and not ImportJob.objects.exists()
    assert any("MB" in str(m) for m in response.context["messages"])


def test_someone_elses_import_is_not_found(client, role_user):
    first, second = role_user("account_manager", "am_a"), role_user("account_manager", "am_b")
    client.force_login(first)
    upload(client)
    job = ImportJob.objects.get()
    client.force_login(second)
    for name in ("columns", "progress", "status", "errors", "change"):
        assert client.get(reverse(f"admin:intake_importjob_{name}", args=[job.pk])).status_code == 404
    assert client.post(reverse("admin:intake_importjob_start", args=[job.pk])).status_code == 404
    client.force_login(role_user("manager"))
    assert client.get(reverse("admin:intake_importjob_change", args=[job.pk])).status_code in (200, 302)
    assert client.get(reverse("admin:intake_importjob_columns", args=[job.pk])).status_code == 404


def test_uploads_are_deleted_after_their_keeping_time_and_the_pages_say_so(
    client, role_user, settings, django_capture_on_commit_callbacks
):
    # given a checked import last used 31 days ago, with its upload and error workbook
    settings.FREIGHTCRM_IMPORT_KEEP_DAYS = 30
    clerk = role_user("records_clerk")
    client.force_login(clerk)
    old = upload_and_check(client, django_capture_on_commit_callbacks, [*GOOD, BAD])
    assert old.state == "validated" and old.error_report
    stored = [Path(old.file.path), Path(old.error_report.path)]
    ImportJob.objects.filter(pk=old.pk).update(updated_at=timezone.now() - dt.timedelta(days=31))
    # when another file is uploaded (each upload sweeps)
    with django_capture_on_commit_callbacks(execute=True):
        upload(client)
    # then the old job keeps its counts but its files are gone, from the database and from disk
    old.refresh_from_db()
    assert (old.file.name, old.error_report.name, old.error_rows) == ("", "", 1)
    assert not any(path.exists() for path in stored)
    assert ImportJob.objects.exclude(file="").count() == 1  # the new upload stays
    # and its pages say why and offer no import, its columns page sends to a new upload
    result = client.get(reverse("admin:intake_importjob_change", args=[old.pk]))
    assert 'id="upload-gone"' in result.text
    assert reverse("admin:intake_importjob_start", args=[old.pk]) not in result.text
    columns_page = client.get(reverse("admin:intake_importjob_columns", args=[old.pk]), follow=True)
    assert columns_page.redirect_chain[-1][0] == reverse(ADD) and "30" in columns_page.text
    started = client.post(reverse("admin:intake_importjob_start", args=[old.pk]), follow=True)
    assert ImportJob.objects.get(pk=old.pk).state == "validated" and "30" in started.text
    assert Customer.objects.count() == 0


def test_files_missing_from_disk_are_a_message_not_a_500(
    client, role_user, django_capture_on_commit_callbacks
):
    clerk = role_user("records_clerk")
    client.force_login(clerk)
    job = upload_and_check(client, django_capture_on_commit_callbacks, [*GOOD, BAD])
    Path(job.error_report.path).unlink()
    page = client.get(reverse("admin:intake_importjob_errors", args=[job.pk]), follow=True)
    assert page.status_code == 200 and page.redirect_chain[-1][0] == reverse(
        "admin:intake_importjob_change", args=[job.pk]
    )
    Path(job.file.path).unlink()
    page = client.get(reverse("admin:intake_importjob_columns", args=[job.pk]), follow=True)
    assert page.status_code == 200 and page.redirect_chain[-1][0] == reverse(ADD)


def test_a_check_with_no_valid_row_does_not_offer_to_import(
    client, role_user, django_capture_on_commit_callbacks
):
    client.force_login(role_user("records_clerk"))
    job = upload_and_check(client, django_capture_on_commit_callbacks, [BAD])
    page = client.get(reverse("admin:intake_importjob_change", args=[job.pk]))
    assert "目前没有可导入的行" in page.text and "先导入有效的行" not in page.text
    assert reverse("admin:intake_importjob_start", args=[job.pk]) not in page.text
