"""Rows of one .xlsx sheet, read as a stream: memory stays flat however long the sheet is.

python-calamine (the reader of every other workbook) loads a whole sheet before giving the first
row: about as much memory as the sheet's XML, 1 GB for a million rows. Past `STREAM_BYTES` of sheet
XML, `reading.Table` reads the sheet here instead: the sheet's XML is parsed while it is unzipped,
a row at a time (ElementTree's C parser, through defusedxml: an upload is untrusted, so entities
and DTDs are refused), with what the cells need, read first: the shared strings
(text that Excel keeps in one table for the whole workbook, which any reader must hold), the cell
styles that make a number a date, and the workbook's date system. Values come as calamine gives
them (text, float, bool, datetime), for `reading._cell_text` to spell.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from collections.abc import Iterator
from functools import lru_cache
from typing import IO, Any
from xml.etree.ElementTree import Element

from defusedxml.ElementTree import fromstring, iterparse
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

STREAM_BYTES = 150 * 2**20  # sheet XML (unzipped) from which a workbook is streamed, not loaded
MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",  # "strict" Open XML
)
REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DOC_REL_NS = (
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "http://purl.oclc.org/ooxml/officeDocument/relationships",
)
# Built-in number formats that show dates or times (ECMA-376 §18.8.30, with the East Asian ones).
DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
TIME_FORMAT_IDS = {18, 19, 20, 21, 45, 46, 47}


def sheet_xml_bytes(path: Any) -> int:
    """The unzipped size of the workbook's sheets and shared strings: what loading would hold."""
    with zipfile.ZipFile(path) as archive:
        return sum(
            info.file_size
            for info in archive.infolist()
            if info.filename.startswith("xl/worksheets/") or info.filename == "xl/sharedStrings.xml"
        )


# A row element's start tag, with or without a namespace prefix (`<row r="2">`, `<x:row>`); not
# `<rowBreaks>`. Count by count, a match is at most ROW_TAG_BYTES long.
ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]{0,15}:)?row[\s/>]")
ROW_TAG_BYTES = 22
COUNT_CHUNK = 1 << 20


def count_row_elements(path: Any, sheet: str) -> int:
    """How many row elements `sheet` holds, counted in its XML as it unzips, without parsing it
    (seconds at a million rows, where reading the rows takes minutes). A row with cells that hold
    no value (formatting only) counts too, so this can be a little above the rows `rows` gives."""
    with zipfile.ZipFile(path) as archive, archive.open(_sheet_member(archive, sheet)) as handle:
        count, carried = 0, b""
        while chunk := handle.read(COUNT_CHUNK):
            data = carried + chunk
            cut = len(data) - ROW_TAG_BYTES  # a tag starting after here may be cut short: next time
            count += sum(1 for match in ROW_TAG.finditer(data) if match.start() < cut)
            carried = data[max(cut, 0) :]
        return count + len(ROW_TAG.findall(carried))


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: Element, name: str) -> Iterator[Element]:
    return (child for child in element if _local(child.tag) == name)


def _read_xml(archive: zipfile.ZipFile, name: str) -> Element | None:
    try:
        return fromstring(archive.read(name))
    except KeyError:
        return None


def _sheet_member(archive: zipfile.ZipFile, sheet: str) -> str:
    workbook = _read_xml(archive, "xl/workbook.xml")
    relations = _read_xml(archive, "xl/_rels/workbook.xml.rels")
    if workbook is None or relations is None:
        raise KeyError(sheet)
    targets = {item.get("Id"): item.get("Target", "") for item in relations}
    for sheets in _children(workbook, "sheets"):
        for item in _children(sheets, "sheet"):
            if item.get("name") != sheet:
                continue
            relation = next((item.get(f"{{{ns}}}id") for ns in DOC_REL_NS if item.get(f"{{{ns}}}id")), None)
            target = targets.get(relation, "")
            if target.startswith("/"):
                return target.lstrip("/")
            return posixpath.normpath(posixpath.join("xl", target))
    raise KeyError(sheet)


def _date_1904(archive: zipfile.ZipFile) -> bool:
    workbook = _read_xml(archive, "xl/workbook.xml")
    for properties in _children(workbook, "workbookPr") if workbook is not None else ():
        return properties.get("date1904", "").lower() in {"1", "true"}
    return False


def _date_styles(archive: zipfile.ZipFile) -> dict[int, str]:
    """Cell style index → "date" or "time", for the styles whose number format shows one."""
    styles = _read_xml(archive, "xl/styles.xml")
    if styles is None:
        return {}
    custom = {
        int(item.get("numFmtId", "0")): item.get("formatCode", "")
        for formats in _children(styles, "numFmts")
        for item in _children(formats, "numFmt")
    }
    found: dict[int, str] = {}
    for cell_formats in _children(styles, "cellXfs"):
        for index, item in enumerate(_children(cell_formats, "xf")):
            number_format = int(item.get("numFmtId", "0"))
            if number_format in TIME_FORMAT_IDS:
                found[index] = "time"
            elif number_format in DATE_FORMAT_IDS:
                found[index] = "date"
            elif number_format in custom or number_format in BUILTIN_FORMATS:
                code = custom.get(number_format, BUILTIN_FORMATS.get(number_format))
                if is_date_format(code):
                    found[index] = "date"
    return found


def _text_of(element: Element) -> str:
    """The text of a shared or inline string: its `t`, or its runs' `t`s; phonetic runs are left out."""
    parts = []
    for child in element:
        name = _local(child.tag)
        if name == "t":
            parts.append(child.text or "")
        elif name == "r":
            parts.extend(grand.text or "" for grand in child if _local(grand.tag) == "t")
    return "".join(parts)


def _shared_strings(archive: zipfile.ZipFile) -> list[str]:
    strings: list[str] = []
    try:
        handle = archive.open("xl/sharedStrings.xml")
    except KeyError:
        return strings
    with handle:
        parent: Element | None = None
        for event, element in iterparse(handle, events=("start", "end")):
            if event == "start":
                if parent is None and _local(element.tag) == "sst":
                    parent = element
                continue
            if _local(element.tag) == "si":
                strings.append(_text_of(element))
                if parent is not None:
                    parent.clear()
    return strings


@lru_cache(maxsize=16384)
def _column(reference: str) -> int:
    """`C5` → 2."""
    number = 0
    for char in reference:
        if char.isdigit():
            break
        number = number * 26 + ord(char.upper()) - 64
    return number - 1


class _Clock:
    def __init__(self, date_1904: bool) -> None:
        self.epoch = dt.datetime(1904, 1, 1) if date_1904 else dt.datetime(1899, 12, 30)  # noqa: DTZ001

    def value(self, serial: float, kind: str) -> Any:
        moment = self.epoch + dt.timedelta(seconds=round(serial * 86400))
        if kind == "time" and serial < 1:
            return moment.time()
        return moment


def rows(path: Any, sheet: str) -> Iterator[tuple[int, list[Any]]]:
    """(Excel row number, cell values) for every row of `sheet` that has cells."""
    with zipfile.ZipFile(path) as archive:
        member = _sheet_member(archive, sheet)
        strings = _shared_strings(archive)
        date_styles = _date_styles(archive)
        clock = _Clock(_date_1904(archive))
        with archive.open(member) as handle:
            yield from _sheet_rows(handle, strings, date_styles, clock)


def _sheet_rows(
    handle: IO[bytes], strings: list[str], date_styles: dict[int, str], clock: _Clock
) -> Iterator[tuple[int, list[Any]]]:
    data: Element | None = None
    namespace = ""
    number = 0
    for event, element in iterparse(handle, events=("start", "end")):
        if event == "start":
            if data is None and _local(element.tag) == "sheetData":
                data = element
                namespace = element.tag[: -len("sheetData")]
            continue
        if data is None or element.tag != f"{namespace}row":
            continue
        number = int(element.get("r") or number + 1)
        values: list[Any] = []
        position = 0
        for cell in element:
            reference = cell.get("r")
            if reference:
                position = _column(reference)
            if position > len(values):
                values.extend([None] * (position - len(values)))
            values.append(_cell_value(cell, namespace, strings, date_styles, clock))
            position += 1
        data.clear()  # the row is read: let it go
        yield number, values


def _cell_value(
    cell: Element, namespace: str, strings: list[str], date_styles: dict[int, str], clock: _Clock
) -> Any:
    kind = cell.get("t", "n")
    if kind == "inlineStr":
        inline = cell.find(f"{namespace}is")
        return _text_of(inline) if inline is not None else ""
    found = cell.find(f"{namespace}v")
    text = found.text if found is not None else None
    if text is None:
        return None
    if kind == "s":
        return strings[int(text)]
    if kind == "b":
        return text.strip() in {"1", "true"}
    if kind in {"str", "e"}:
        return text
    if kind == "d":
        return dt.datetime.fromisoformat(text)
    number = float(text)
    style = cell.get("s")
    if style is not None and (date_kind := date_styles.get(int(style))):
        return clock.value(number, date_kind)
    return number
