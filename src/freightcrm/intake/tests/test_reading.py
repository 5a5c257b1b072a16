"""Reading spreadsheets: formats, encodings, and files that must be refused with a clear reason."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook

from freightcrm.intake.reading import FileProblem, detect_encoding, open_table
from freightcrm.intake.tests.conftest import HEADERS, customer_rows, write_csv, write_xlsx

DATA = Path(__file__).parent / "data"


def test_xlsx_rows_come_as_text_with_excel_row_numbers(tmp_path):
    # given a sheet with a blank row, a number, a date cell and a messy header
    path = tmp_path / "a.xlsx"
    write_xlsx(
        path,
        [" 客户名称* ", "", "手机\n号", "成立日期"],
        [["甲物流有限公司", "x", 13900000001, dt.datetime(2024, 1, 5)], [], ["乙"]],  # noqa: DTZ001
    )
    # when
    table = open_table(path, original_name="a.xlsx")
    rows = list(table.rows())
    # then
    assert table.headers == ["客户名称", "column 2", "手机号", "成立日期"]
    assert table.sheet == "客户" and table.sheet_names == ["客户"] and table.encoding == ""
    assert rows == [(2, ["甲物流有限公司", "x", "13900000001", "2024-01-05"]), (4, ["乙", "", "", ""])]
    assert list(table.rows(start=1)) == [(4, ["乙", "", "", ""])]


@pytest.mark.parametrize(
    ("encoding", "expected"), [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gbk", "gb18030")]
)
def test_csv_encodings_are_detected(tmp_path, encoding, expected):
    path = write_csv(tmp_path / "客户.csv", HEADERS, customer_rows(30), encoding=encoding)
    assert detect_encoding(path) == expected
    table = open_table(path, original_name="客户.csv")
    assert table.headers == HEADERS
    first = next(table.rows())
    assert first[0] == 2 and first[1][0] == "杭州测试1物流有限公司"


def test_old_xls_workbooks_are_read():
    # old_format.xls was written with xlwt 1.3 (not a dependency): a number cell and a date cell
    table = open_table(DATA / "old_format.xls", original_name="老客户.xls")
    rows = list(table.rows())
    assert table.headers[:2] == ["客户名称", "统一社会信用代码"]
    assert rows[0][1][4:] == ["13812345678", "2012-05-17"]


@pytest.mark.parametrize(
    ("content", "name", "says"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "客户.xlsx", "PNG image"),
        (b"%PDF-1.7 ...", "客户.xlsx", "PDF"),
        (b"", "客户.xlsx", "empty"),
        (b"name\n", "客户.docx", ".docx"),
        (b"\x00\x01\x02binary", "客户.csv", "not a spreadsheet"),
    ],
)
def test_files_that_are_not_spreadsheets_are_refused(tmp_path, content, name, says):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(FileProblem) as refused:
        open_table(path, original_name=name)
    assert says in str(refused.value)


def test_a_word_document_renamed_xlsx_is_named_as_such(tmp_path):
    path = tmp_path / "客户.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    with pytest.raises(FileProblem, match="Word document"):
        open_table(path, original_name="客户.xlsx")


def test_a_workbook_without_rows_and_an_unknown_sheet_are_refused(tmp_path):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    with pytest.raises(FileProblem, match="no rows"):
        open_table(path, original_name="empty.xlsx")
    write_xlsx(path, HEADERS, customer_rows(1))
    with pytest.raises(FileProblem, match="其他"):
        open_table(path, original_name="empty.xlsx", sheet="其他")
