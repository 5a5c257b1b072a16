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


@pytest.fixture(params=["loaded", "streamed"])
def xlsx_reading(request, monkeypatch):
    """Both ways an .xlsx is read: loaded by calamine, or streamed (a sheet too large to load)."""
    from freightcrm.intake import xlsx_stream

    if request.param == "streamed":
        monkeypatch.setattr(xlsx_stream, "STREAM_BYTES", 0)
    return request.param


def test_xlsx_rows_come_as_text_with_excel_row_numbers(tmp_path, xlsx_reading):
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
    assert table.streamed == (xlsx_reading == "streamed")
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


def test_a_workbook_without_rows_and_an_unknown_sheet_are_refused(tmp_path, xlsx_reading):
    path = tmp_path / "empty.xlsx"
    Workbook().save(path)
    with pytest.raises(FileProblem, match="no rows"):
        open_table(path, original_name="empty.xlsx")
    write_xlsx(path, HEADERS, customer_rows(1))
    with pytest.raises(FileProblem, match="其他"):
        open_table(path, original_name="empty.xlsx", sheet="其他")


def test_a_streamed_sheet_reads_as_the_loaded_one(tmp_path, monkeypatch):
    """Shared and rich-text strings, date, time and number styles, booleans, formulas, merged cells,
    gaps between cells and rows, a second sheet: the stream gives what calamine gives."""
    from openpyxl.cell.rich_text import CellRichText, TextBlock
    from openpyxl.cell.text import InlineFont

    from freightcrm.intake import xlsx_stream

    path = tmp_path / "rich.xlsx"
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "客户"
    sheet.append(["名称", "成立日期", "注册资本", "是否", "时间", "公式", "备注"])
    sheet.append(["甲物流", dt.date(2024, 1, 5), 1200.5, True, dt.time(14, 30), "=1+1", "普通"])
    rich = CellRichText("乙", TextBlock(InlineFont(b=True), "运输"))
    sheet.append([rich, dt.datetime(2023, 12, 31, 8, 15)])  # noqa: DTZ001
    sheet["C3"] = 13900000001
    sheet["C3"].number_format = "0"
    sheet["B5"] = 45296
    sheet["B5"].number_format = 'yyyy"年"m"月"d"日"'
    sheet["G5"] = "=A2"
    sheet.merge_cells("A6:B6")
    sheet["A6"] = "合并"
    sheet["F7"] = 0.25
    sheet["F7"].number_format = "0%"
    workbook.create_sheet("其他").append(["别的"])
    workbook.save(path)

    loaded = open_table(path, original_name="rich.xlsx")
    monkeypatch.setattr(xlsx_stream, "STREAM_BYTES", 0)
    streamed = open_table(path, original_name="rich.xlsx")
    assert not loaded.streamed and streamed.streamed
    assert streamed.headers == loaded.headers
    assert list(streamed.rows()) == list(loaded.rows())
    rows = list(streamed.rows())
    # a formula gives its saved result (none here)
    assert rows[0] == (2, ["甲物流", "2024-01-05", "1200.5", "TRUE", "14:30:00", "", "普通"])
    assert rows[1:] == [
        (3, ["乙运输", "2023-12-31 08:15:00", "13900000001", "", "", "", ""]),
        (5, ["", "2024-01-05", "", "", "", "", ""]),
        (6, ["合并", "", "", "", "", "", ""]),  # a merged block: only its first cell has the value
        (7, ["", "", "", "", "", "0.25", ""]),
    ]
    other = open_table(path, original_name="rich.xlsx", sheet="其他")
    assert other.headers == ["别的"] and list(other.rows()) == []
    # a streamed sheet's rows are counted in its XML, not read: the same count
    monkeypatch.setattr(xlsx_stream, "COUNT_CHUNK", 7)  # tags cut across every chunk boundary
    assert streamed.count_rows() == loaded.count_rows() == 5 and other.count_rows() == 0


def test_row_elements_are_counted_with_any_namespace_prefix(tmp_path, monkeypatch):
    from freightcrm.intake import xlsx_stream

    path = tmp_path / "sdk.xlsx"
    rows = "".join(
        f'<x:row r="{n}"><x:c r="A{n}" t="inlineStr"><x:is><x:t>行{n}</x:t></x:is></x:c></x:row>'
        for n in range(1, 31)
    )
    sheet = (
        '<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>'
        f'{rows}</x:sheetData><x:rowBreaks count="1"><x:brk id="5"/></x:rowBreaks></x:worksheet>'
    )
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(
            "xl/workbook.xml",
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="客户" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"/>'
            "</Relationships>",
        )
        archive.writestr("xl/worksheets/sheet1.xml", sheet)
    for chunk in (5, 13, 1 << 20):
        monkeypatch.setattr(xlsx_stream, "COUNT_CHUNK", chunk)
        assert xlsx_stream.count_row_elements(path, "客户") == 30
    assert len(list(xlsx_stream.rows(path, "客户"))) == 30


BOMB = (
    b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
    b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
    b'<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
)


@pytest.mark.parametrize("damage", ["cut", "entities"])
def test_a_damaged_streamed_workbook_is_refused(tmp_path, monkeypatch, damage):
    """A sheet cut short, or one that declares entities (the "billion laughs" attack): refused."""
    from freightcrm.intake import xlsx_stream

    path = write_xlsx(tmp_path / "a.xlsx", HEADERS, customer_rows(3))
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    member = next(name for name in parts if name.startswith("xl/worksheets/"))
    parts[member] = parts[member][:-200] if damage == "cut" else BOMB
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    monkeypatch.setattr(xlsx_stream, "STREAM_BYTES", 0)
    with pytest.raises(FileProblem, match="damaged"):
        list(open_table(path, original_name="a.xlsx").rows())


def test_a_streamed_workbook_failing_its_checksum_is_refused_when_counted_and_read(tmp_path, monkeypatch):
    """A byte changed after the workbook was zipped (a bad disk, a broken transfer): the count at
    upload and the reading both refuse it, not only the reading."""
    from freightcrm.intake import xlsx_stream

    rows = customer_rows(1_000)  # the header is read before the sheet's end, where its checksum is
    path = write_xlsx(tmp_path / "a.xlsx", HEADERS, rows)
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    last_code = rows[-1][1].encode()
    data = path.read_bytes()
    assert data.count(last_code) == 1
    path.write_bytes(
        data.replace(last_code, last_code[:-2] + b"00" if not last_code.endswith(b"00") else b"11")
    )
    monkeypatch.setattr(xlsx_stream, "STREAM_BYTES", 0)
    table = open_table(path, original_name="a.xlsx")
    with pytest.raises(FileProblem, match="damaged"):
        table.count_rows()
    with pytest.raises(FileProblem, match="damaged"):
        list(table.rows())
