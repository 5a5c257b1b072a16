"""Spreadsheets made on the fly for the import tests."""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from freightcrm.conftest import valid_uscc

HEADERS = [
    "客户名称",
    "统一社会信用代码",
    "客户类型",
    "客户状态",
    "手机",
    "地址",
    "联系人",
    "成立日期",
    "备注",
]


def customer_rows(count: int, start: int = 1) -> list[list[Any]]:
    return [
        [
            f"杭州测试{n}物流有限公司",
            valid_uscc(10_000 + n),
            "企业",
            "合作中" if False else "active",
            f"139{n:08d}",
            "浙江省杭州市西湖区文三路1号",
            f"王{n}",
            "2015/3/8",
            "",
        ]
        for n in range(start, start + count)
    ]


def write_xlsx(
    path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]], sheet: str = "客户"
) -> Path:
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(sheet)
    worksheet.append(list(headers))
    for row in rows:
        worksheet.append(list(row))
    workbook.save(path)
    return path


def write_csv(
    path: Path, headers: Sequence[str], rows: Sequence[Sequence[Any]], encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers)
        writer.writerows(rows)
    return path


def upload(path: Path, name: str | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name or path.name, path.read_bytes())


@pytest.fixture
def sheet(tmp_path: Path) -> Callable[..., SimpleUploadedFile]:
    """`sheet(rows, headers=…, name="a.xlsx")` → an upload of a freshly written file."""

    def make(
        rows: Sequence[Sequence[Any]],
        headers: Sequence[str] = HEADERS,
        name: str = "客户.xlsx",
        encoding: str = "utf-8",
    ) -> SimpleUploadedFile:
        path = tmp_path / name
        if name.endswith(".csv"):
            write_csv(path, headers, rows, encoding)
        else:
            write_xlsx(path, headers, rows)
        return upload(path)

    return make


@pytest.fixture(autouse=True)
def english() -> Any:
    """Messages in English, so that tests read them whatever the catalogue holds."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture(params=["in-process", "worker"])
def pipeline(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A test twice: rows prepared in this process, and the path of big files (an .xlsx streamed, not
    loaded; rows prepared in forked workers ahead of this process), which must decide and report
    exactly the same."""
    from freightcrm.intake import importing, xlsx_stream

    if request.param == "worker":
        monkeypatch.setattr(importing, "PIPELINE_MIN_ROWS", 0)
        monkeypatch.setattr(xlsx_stream, "STREAM_BYTES", 0)
    return str(request.param)


@pytest.fixture
def background_tasks(settings: Any) -> None:
    """Tasks wait in the database for a worker, as in production (the suite's default runs them at once)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
