"""A records clerk imports a customer sheet through the wizard, in Chromium: upload, columns and
preview, the check with its progress bar (a real background worker), the import, the review queue."""

from __future__ import annotations

import os

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command
from openpyxl import Workbook

from freightcrm.conftest import sign_in, valid_uscc
from freightcrm.customers.choices import ReviewState
from freightcrm.customers.models import Customer
from freightcrm.intake.models import ImportJob

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD_USCC = valid_uscc(504)
BAD_USCC = GOOD_USCC[:-1] + ("1" if GOOD_USCC[-1] == "0" else "0")  # one mistyped check character
ROWS = [
    (
        "上海浦江冷链测试有限公司",
        valid_uscc(501),
        "王磊",
        "13801380000",
        "上海市浦东新区川沙路100号",
        "生鲜农产品",
    ),
    (
        "杭州西溪电商测试有限公司",
        valid_uscc(502),
        "李娜",
        "13901390000",
        "浙江省杭州市西湖区文三路8号",
        "电商与零售",
    ),
    (
        "苏州工业园测试制造有限公司",
        valid_uscc(503),
        "张伟",
        "13701370000",
        "江苏省苏州市工业园区星湖街1号",
        "制造业",
    ),
    ("坏数据测试有限公司", BAD_USCC, "赵六", "12345", "上海市黄浦区南京东路1号", "制造业"),
]


def sheet(path):
    book = Workbook()
    page = book.active
    page.append(["客户名称", "统一社会信用代码", "联系人", "手机", "地址", "行业", "内部备注栏"])
    for row in ROWS:
        page.append([*row, "不导入"])
    book.save(path)
    return path


def test_clerk_imports_a_sheet_through_the_wizard(live_server, browser_page, background_tasks, tmp_path):
    clerk = User.objects.create_user(
        "danganyuan", password="Test-pass-2026", is_staff=True, last_name="周", first_name="敏"
    )
    clerk.groups.add(Group.objects.get(name="records_clerk"))
    page = browser_page
    sign_in(page, live_server.url, "danganyuan")
    # upload
    page.goto(f"{live_server.url}/admin/intake/importjob/add/")
    page.set_input_files("#id_file", str(sheet(tmp_path / "客户信息管理表.xlsx")))
    page.click("#import-upload")
    # the columns were recognised and the preview shows the rows as they would be filed
    page.wait_for_selector(".fc-preview")
    assert page.input_value("select[name=column_0]") == "name"
    assert page.input_value("select[name=column_1]") == "uscc"
    assert page.input_value("select[name=column_6]") == ""
    preview = page.inner_text(".fc-preview")
    assert "上海浦江冷链测试有限公司" in preview and "杭州西溪电商测试有限公司" in preview
    os.makedirs("test-artifacts", exist_ok=True)
    page.screenshot(path="test-artifacts/import_columns.png", full_page=True)
    assert page.locator(".fc-preview tr.fc-row-bad").count() == 1
    # the check waits for the worker: the progress page shows it
    page.click("button[name=check]")
    page.wait_for_selector("#import-bar")
    page.screenshot(path="test-artifacts/import_progress.png", full_page=True)
    assert Customer.objects.count() == 0
    call_command("db_worker", batch=True, no_startup_delay=True)
    page.wait_for_selector("#import-result[data-state=validated]", timeout=20_000)
    errors = page.inner_text(".fc-errors")
    assert BAD_USCC in errors and "12345" in errors
    # each problem once, under the column it is in (the contact's borrowed phone is not a second one)
    assert page.locator(".fc-errors tbody tr").count() == 2
    assert Customer.objects.count() == 0  # the check changed nothing
    page.screenshot(path="test-artifacts/import_checked.png", full_page=True)
    # import the valid rows
    page.click("form[action$='/start/'] button")
    page.wait_for_selector("#import-bar")
    call_command("db_worker", batch=True, no_startup_delay=True)
    page.wait_for_selector("#import-result[data-state=done]", timeout=20_000)
    page.screenshot(path="test-artifacts/import_done.png", full_page=True)
    job = ImportJob.objects.get()
    assert (job.state, job.created_rows, job.error_rows) == ("done", 3, 1)
    imported = Customer.objects.filter(review_state=ReviewState.PENDING)
    assert sorted(imported.values_list("name", flat=True)) == sorted(row[0] for row in ROWS[:3])
    assert imported.get(name="上海浦江冷链测试有限公司").contacts.get().name == "王磊"
