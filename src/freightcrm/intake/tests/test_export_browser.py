"""A records clerk exports the customer list as a workbook, in Chromium: the export page, the
progress while a real background worker writes it, and the download."""

from __future__ import annotations

import os

import openpyxl
import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from freightcrm.conftest import sign_in
from freightcrm.intake.exporting import header
from freightcrm.intake.models import ExportLog

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_clerk_exports_a_workbook_and_downloads_it(
    live_server, browser_page, background_tasks, make_customer, tmp_path
):
    for n in range(3):
        make_customer(name=f"浦东导出测试{n}物流有限公司", bank_account="6222021234567890123")
    clerk = User.objects.create_user(
        "daochu", password="Test-pass-2026", is_staff=True, last_name="陈", first_name="静"
    )
    clerk.groups.add(Group.objects.get(name="records_clerk"))
    page = browser_page
    sign_in(page, live_server.url, "daochu")
    # the export page of the list searched for 浦东导出
    page.goto(f"{live_server.url}/admin/customers/customer/export-list/?q=浦东导出")
    page.select_option("#id_fmt", "xlsx")
    page.click("button.fc-primary[type=submit]")
    # the workbook waits for the worker: its page shows the progress
    page.wait_for_selector("#export-progress [role=progressbar]")
    os.makedirs("test-artifacts", exist_ok=True)
    page.screenshot(path="test-artifacts/export_progress.png", full_page=True)
    call_command("db_worker", batch=True, no_startup_delay=True)
    page.wait_for_selector("#export-download", timeout=20_000)  # the page moves on by itself
    page.screenshot(path="test-artifacts/export_ready.png", full_page=True)
    with page.expect_download() as caught:
        page.click("#export-download")
    saved = tmp_path / caught.value.suggested_filename
    caught.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(saved, read_only=True).active
    lines = list(sheet.iter_rows(values_only=True))
    names = sorted(dict(zip(lines[0], line, strict=True))[header("name")] for line in lines[1:])
    assert names == [f"浦东导出测试{n}物流有限公司" for n in range(3)]
    assert ExportLog.objects.get().rows == 3
