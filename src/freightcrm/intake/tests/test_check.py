"""The dry run: every bad row is reported with where, what, why and how to fix; nothing is written."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from openpyxl import Workbook, load_workbook

from freightcrm.conftest import valid_uscc
from freightcrm.core import crypto
from freightcrm.intake.importing import job_check, job_preview, job_start, unknown_columns
from freightcrm.intake.models import ImportJob
from freightcrm.intake.reading import FileProblem
from freightcrm.intake.tests.conftest import HEADERS, customer_rows, upload

pytestmark = pytest.mark.django_db


pytestmark = pytest.mark.usefixtures("pipeline")


def errors_by_row(job: ImportJob) -> dict[int, list[dict]]:
    found: dict[int, list[dict]] = {}
    for error in job.errors_preview:
        found.setdefault(error["row"], []).append(error)
    return found


def table_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in apps.get_models()}


def test_each_bad_row_is_reported_and_good_rows_are_counted(role_user, sheet, make_customer):
    # given a file with good rows and one of each kind of problem
    clerk = role_user("records_clerk")
    existing = make_customer(name="已有物流有限公司", uscc=valid_uscc(9))
    rows = customer_rows(3)
    rows += [
        [
            "坏代码物流有限公司",
            "91310115123456789X",
            "企业",
            "active",
            "13900000100",
            "",
            "",
            "",
            "",
        ],  # row 5
        [
            "坏日期物流有限公司",
            valid_uscc(20_001),
            "企业",
            "active",
            "",
            "",
            "",
            "2024年13月1日",
            "",
        ],  # row 6
        ["注入物流有限公司", valid_uscc(20_002), "企业", "active", "", "", "", "", '=HYPERLINK("http://x")'],
        rows[0],  # row 8: repeats row 2
        ["已有物流有限公司", valid_uscc(9), "企业", "active", "", "", "", "", ""],  # row 9: in the archive
        [
            "全角物流有限公司",
            valid_uscc(20_003),
            "企业",
            "active",
            "１３９ ００００ ０２００",
            "",
            "",
            "",
            "",
        ],
        ["坏类型物流有限公司", valid_uscc(20_004), "火星人", "active", "", "", "", "", ""],  # row 11
        ["", valid_uscc(20_005), "企业", "active", "", "", "", "", ""],  # row 12: merged-away name
        ["手机号物流有限公司", valid_uscc(20_006), "企业", "active", "+86 139 0000 0300", "", "", "", ""],
    ]
    job = job_start(actor=clerk, upload=sheet(rows, name="客户.csv", encoding="gbk"), mode="create")
    before = table_counts()
    # when
    job = job_check(job)
    # then
    errors = errors_by_row(job)
    assert sorted(errors) == [5, 6, 7, 8, 9, 11, 12]
    assert errors[5][0]["column"] == "统一社会信用代码" and "check character" in errors[5][0]["message"]
    assert errors[6][0]["column"] == "成立日期" and errors[6][0]["hint"]
    assert "formula" in errors[7][0]["message"] and errors[7][0]["column"] == "备注"
    assert "repeats row 2" in errors[8][0]["message"]
    assert existing.code in errors[9][0]["message"]
    assert errors[11][0]["column"] == "客户类型" and "Enterprise" in errors[11][0]["hint"]
    assert errors[12][0]["column"] == "客户名称" and "merged" in errors[12][0]["hint"]
    assert (job.state, job.error_rows, job.created_rows, job.total_rows) == ("validated", 7, 5, 12)
    assert table_counts() == before  # the dry run changed nothing in the archive
    # and the error workbook lists each problem beside the original row
    report = load_workbook(job.error_report.open("rb"), read_only=True).active
    lines = list(report.iter_rows(values_only=True))
    assert lines[0][:5] == ("row", "column", "value", "reason", "how to fix")
    assert lines[0][5:] == tuple(HEADERS)
    injected = next(line for line in lines if line[0] == 7)
    assert injected[2].startswith("'=")  # never written back as a live formula
    # the uploaded sheet and the error workbook hold whole rows: both are sealed at rest
    for stored in (job.file, job.error_report):
        assert Path(stored.path).read_bytes().startswith(crypto.FILE_MAGIC)


def test_upsert_counts_matches_as_updates(role_user, sheet, make_customer):
    clerk = role_user("records_clerk")
    make_customer(name="杭州测试1物流有限公司", uscc=valid_uscc(10_001), mobile="13900000001")
    job = job_check(job_start(actor=clerk, upload=sheet(customer_rows(2))))
    assert (job.created_rows, job.updated_rows, job.error_rows) == (1, 1, 0)


def test_preview_shows_normalised_values_and_unknown_columns(role_user, sheet):
    clerk = role_user("records_clerk")
    rows = [
        [
            "杭州 测试物流有限公司",
            valid_uscc(30_001).lower(),
            "企业客户",
            "active",
            "１３９００００００５５",
            "",
            "",
            "20150308",
            "",
        ]
    ]
    job = job_start(actor=clerk, upload=sheet(rows, headers=[*HEADERS[:-1], "微信昵称"]))
    (row,) = job_preview(job)
    assert row.errors == []
    assert row.values["mobile"] == "13900000055"
    assert row.values["uscc"] == valid_uscc(30_001)
    assert row.values["founded_on"] == "2015-03-08"
    assert row.values["kind"] == "E"
    assert unknown_columns(job) == ["微信昵称"]


def test_merged_cells_leave_required_cells_empty_and_say_so(role_user, tmp_path):
    # given a workbook where a name is merged over two rows (calamine gives it to the first only)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["客户名称", "客户状态"])
    sheet.append(["合并物流有限公司", "prospect"])
    sheet.append([None, "prospect"])
    sheet.merge_cells("A2:A3")
    path = tmp_path / "merged.xlsx"
    workbook.save(path)
    # when
    job = job_check(job_start(actor=role_user("records_clerk"), upload=upload(path)))
    # then
    (error,) = job.errors_preview
    assert error["row"] == 3 and "merged" in error["hint"]


def test_a_text_cell_that_looks_like_a_formula_is_refused_in_xlsx_too(role_user, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["客户名称", "客户状态", "备注"])
    sheet.append(["公式物流有限公司", "prospect", "x"])
    sheet["C2"].value = "@SUM(A1)"
    sheet["C2"].data_type = "s"
    sheet.append(["缓存物流有限公司", "prospect", "=1+1"])  # a real formula: its cached value is read
    sheet.append(["", "prospect", "+86 139 0000 0001"])
    path = tmp_path / "formula.xlsx"
    workbook.save(path)
    job = job_check(job_start(actor=role_user("records_clerk"), upload=upload(path)))
    rows = errors_by_row(job)
    assert "formula" in rows[2][0]["message"]
    assert 3 not in rows
    assert all("formula" not in error["message"] for error in rows[4])


def test_datetime_cells_and_excel_serial_dates(role_user, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["客户名称", "客户状态", "成立日期"])
    sheet.append(["日期一有限公司", "prospect", dt.datetime(2015, 3, 8, 0, 0)])  # noqa: DTZ001 - Excel cells have no time zone
    sheet.append(["日期二有限公司", "prospect", 42071])
    path = tmp_path / "dates.xlsx"
    workbook.save(path)
    job = job_start(actor=role_user("records_clerk"), upload=upload(path))
    assert [row.values["founded_on"] for row in job_preview(job)] == ["2015-03-08", "2015-03-08"]


@override_settings(FREIGHTCRM_MAX_IMPORT_BYTES=1024)
def test_files_over_the_limit_are_refused_before_reading(role_user):
    class Huge(SimpleUploadedFile):
        def chunks(self, chunk_size=None):
            raise AssertionError("read although too large")

    huge = Huge("big.xlsx", b"x")
    huge.size = 100 * 1024 * 1024
    with pytest.raises(FileProblem, match="100.0 MB"):
        job_start(actor=role_user("records_clerk"), upload=huge)
    assert not ImportJob.objects.exists()


def test_refused_files_leave_no_job(role_user):
    png = SimpleUploadedFile("客户.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64)
    with pytest.raises(FileProblem, match="PNG"):
        job_start(actor=role_user("records_clerk"), upload=png)
    with pytest.raises(FileProblem, match="empty"):
        job_start(actor=role_user("records_clerk"), upload=SimpleUploadedFile("a.csv", b""))
    assert not ImportJob.objects.exists()


def test_only_roles_with_the_import_permission_may_start(role_user, sheet):
    from freightcrm.core.errors import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        job_start(actor=role_user("front_desk"), upload=sheet(customer_rows(1)))


@pytest.mark.parametrize(
    ("text", "refused"),
    [("=1+1", True), ("@SUM(A1)", True), ("+cmd|' /C calc'!A0", True), ("-2+3", True), ("-", False),
     ("+86 139 0000 0001", False), ("-12.5", False), ("普通备注", False)],
)  # fmt: skip
def test_what_counts_as_a_formula(text, refused):
    from freightcrm.intake.rows import is_formula

    assert is_formula(text) is refused
