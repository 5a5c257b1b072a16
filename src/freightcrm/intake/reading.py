"""Reading uploaded spreadsheets: .xlsx and .xls (python-calamine; an .xlsx too large to load is
streamed by `xlsx_stream`), .csv in UTF-8, UTF-8 with BOM or GBK/GB18030, row by row, every cell
as text.

A file is judged by its content, not by its name: a PNG or a Word document renamed `.xlsx` is
refused with a message saying what it really is and how to save it properly. Cells come back as
text the way a person reads them in Excel (`13800138000`, not `13800138000.0`; dates as
`2024-01-05`), so that one parser per field serves all three formats.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import zipfile
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.utils.translation import gettext_lazy as _

from freightcrm.core.errors import ApplicationError
from freightcrm.core.validators import to_half_width

SUFFIXES = (".xlsx", ".xls", ".csv")
SNIFF_BYTES = 64 * 1024
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and .doc, .msg: other OLE2 files)
ZIP_MAGIC = b"PK\x03\x04"
KNOWN_MAGIC = (
    (b"\x89PNG", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"%PDF", "PDF document"),
    (b"GIF8", "GIF image"),
    (b"Rar!", "RAR archive"),
    (b"7z\xbc\xaf", "7-Zip archive"),
)


class FileProblem(ApplicationError):
    """The file as a whole cannot be read: wrong type, empty, too large, damaged or protected."""

    code = "bad_file"


def _cell_text(value: Any) -> str:
    """A cell as the text a person sees in Excel."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    return str(value).strip()


def clean_header(text: str) -> str:
    """`客户名称*`, ` 手机\\n号 ` → `客户名称`, `手机号`: required-markers, spaces and line breaks go."""
    cleaned = "".join(to_half_width(text).split())
    return cleaned.strip("*").strip()


def _headers(cells: list[str]) -> list[str]:
    headers: list[str] = []
    seen: dict[str, int] = {}
    for position, cell in enumerate(cells, start=1):
        name = clean_header(cell) or str(_("column %(number)d") % {"number": position})
        seen[name] = seen.get(name, 0) + 1
        headers.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return headers


@contextmanager
def _damaged_workbook() -> Iterator[None]:
    """What a streamed workbook's damage raises (a bad zip or CRC, cut-off data, broken XML, a
    missing part), as the `FileProblem` every other reader gives."""
    from xml.etree.ElementTree import ParseError

    try:
        yield
    except (zipfile.BadZipFile, zlib.error, EOFError, ParseError, KeyError, ValueError, IndexError) as exc:
        raise FileProblem(
            _(
                "The workbook is damaged and cannot be read (%(reason)s). Open it in Excel, save it "
                "again as .xlsx, and upload it."
            ),
            params={"reason": str(exc)[:200]},
        ) from exc


@dataclass
class Table:
    """One sheet (or a CSV file): its headers and a way to stream its data rows."""

    path: Path
    kind: str  # "xlsx", "xls" or "csv"
    sheet_names: list[str] = field(default_factory=list)
    sheet: str = ""
    encoding: str = ""
    delimiter: str = ","
    headers: list[str] = field(default_factory=list)
    header_row: int = 1  # the row number (as Excel shows it) of the header row
    streamed: bool = False  # an .xlsx too large to load: read a row at a time (`xlsx_stream`)
    keep: Any = None  # what must live as long as the table (the plain copy of a sealed upload)

    def _raw_rows(self) -> Iterator[tuple[int, list[str]]]:
        """Every non-empty row including the header, with its row number as Excel shows it."""
        if self.kind == "csv":
            with self.path.open(encoding=self.encoding, newline="") as handle:
                reader = csv.reader(handle, delimiter=self.delimiter)
                for number, row in enumerate(reader, start=1):
                    cells = [cell.strip() for cell in row]
                    if any(cells):
                        yield number, cells
            return
        if self.streamed:
            yield from self._streamed_rows()
            return
        from python_calamine import CalamineWorkbook

        workbook = CalamineWorkbook.from_path(str(self.path))
        try:
            sheet = workbook.get_sheet_by_name(self.sheet)
            if not sheet.height or not sheet.width:  # calamine panics iterating an empty sheet
                return
            first_row = (sheet.start or (0, 0))[0]
            for offset, values in enumerate(sheet.iter_rows()):
                cells = [_cell_text(value) for value in values]
                if any(cells):
                    yield first_row + offset + 1, cells
        finally:
            workbook.close()

    def _streamed_rows(self) -> Iterator[tuple[int, list[str]]]:
        from freightcrm.intake import xlsx_stream

        with _damaged_workbook():
            for number, values in xlsx_stream.rows(self.path, self.sheet):
                cells = [_cell_text(value) for value in values]
                if any(cells):
                    yield number, cells

    def rows(self, start: int = 0) -> Iterator[tuple[int, list[str]]]:
        """Data rows after the header as (row number, cells), each padded to the headers' width;
        `start` data rows are skipped (a resumed import)."""
        width = len(self.headers)
        seen = 0
        for number, cells in self._raw_rows():
            if number <= self.header_row:
                continue
            seen += 1
            if seen <= start:
                continue
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield number, cells[:width]

    def count_rows(self) -> int:
        """The data rows, for progress bars. A streamed sheet (too large to load) is not read for
        this: its row elements are counted in the XML, less the rows up to the header; rows that
        hold only formatting count too (a job's total is set to the rows read when it ends)."""
        if self.streamed:
            from freightcrm.intake import xlsx_stream

            with _damaged_workbook():
                return max(0, xlsx_stream.count_row_elements(self.path, self.sheet) - 1)
        return sum(1 for _row in self.rows())


def detect_encoding(path: Path) -> str:
    """BOM → utf-8-sig; valid UTF-8 throughout → utf-8; otherwise charset-normalizer's guess, with
    the GB family read as GB18030 (the superset Excel's "CSV" in Chinese Windows writes as GBK)."""
    with path.open("rb") as handle:
        head = handle.read(4)
        if head.startswith(codecs.BOM_UTF8):
            return "utf-8-sig"
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return "utf-16"
        handle.seek(0)
        decoder = codecs.getincrementaldecoder("utf-8")()
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
            return "utf-8"
        except UnicodeDecodeError:
            pass
        handle.seek(0)
        sample = handle.read(1 << 20)
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    guess = (best.encoding if best else "").lower().replace("-", "_")
    if not guess or guess in {"gb2312", "gbk", "gb18030", "hz", "cp936"}:
        return "gb18030"
    return guess


def check_suffix(name: str) -> str:
    """The file's suffix (.xlsx, .xls, .csv), or `FileProblem` for any other type."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUFFIXES:
        raise FileProblem(
            _(
                "Files of type “%(suffix)s” cannot be imported. Save the sheet in Excel as .xlsx "
                "(or .xls, or CSV) and upload that."
            ),
            params={"suffix": suffix or "?"},
        )
    return suffix


def _sniff_kind(path: Path, original_name: str) -> str:
    suffix = check_suffix(original_name)
    with path.open("rb") as handle:
        head = handle.read(SNIFF_BYTES)
    if not head.strip():
        raise FileProblem(
            _("The file is empty. Choose the file that holds the rows to import."), code="empty"
        )
    for magic, what in KNOWN_MAGIC:
        if head.startswith(magic):
            raise FileProblem(
                _(
                    "“%(name)s” is not a spreadsheet but a %(what)s renamed to “%(suffix)s”. Open the "
                    "data in Excel and save it as .xlsx, then upload that file."
                ),
                params={"name": original_name, "what": what, "suffix": suffix},
            )
    if head.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(path) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile as exc:
            raise FileProblem(
                _(
                    "The workbook is damaged and cannot be opened. Open "
                    "it in Excel, save it again, and upload it."
                ),
            ) from exc
        if "xl/workbook.xml" in names:
            return "xlsx"
        what = "Word document" if "word/document.xml" in names else "ZIP archive"
        raise FileProblem(
            _(
                "“%(name)s” is not an Excel workbook but a %(what)s. Open the data in Excel and save "
                "it as .xlsx, then upload that file."
            ),
            params={"name": original_name, "what": what},
        )
    if head.startswith(OLE2_MAGIC):
        if suffix == ".csv":
            raise FileProblem(
                _("“%(name)s” is an old Excel workbook named .csv. Rename it to .xls or save it as .xlsx."),
                params={"name": original_name},
            )
        return "xls"
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise FileProblem(
            _(
                "“%(name)s” is not a spreadsheet or a text (CSV) file. Open the data in Excel and save "
                "it as .xlsx, then upload that file."
            ),
            params={"name": original_name},
        )
    if suffix in (".xlsx", ".xls"):
        # Text named as a workbook: many systems export CSV under an .xls name. Read it as CSV.
        return "csv"
    return "csv"


def _first_row(table: Table) -> tuple[int, list[str]]:
    for number, cells in table._raw_rows():
        return number, cells
    raise FileProblem(
        _("The sheet “%(sheet)s” has no rows. Choose the sheet that holds the data, or fill in the file."),
        code="empty",
        params={"sheet": table.sheet or table.path.name},
    )


def open_table(path: Path, *, original_name: str, sheet: str = "") -> Table:
    """Open `path` (uploaded as `original_name`) and read its header row. Raises `FileProblem`."""
    kind = _sniff_kind(path, original_name)
    table = Table(path=path, kind=kind)
    if kind == "csv":
        table.encoding = detect_encoding(path)
        with path.open(encoding=table.encoding, errors="replace", newline="") as handle:
            sample = handle.read(SNIFF_BYTES)
        try:
            table.delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
        except csv.Error:
            table.delimiter = ","
        try:
            number, cells = _first_row(table)
        except UnicodeDecodeError as exc:
            raise FileProblem(
                _(
                    "The text of the file cannot be read as UTF-8 "
                    "or GBK. Save it from Excel as .xlsx instead."
                ),
            ) from exc
    else:
        from python_calamine import CalamineError, CalamineWorkbook, PasswordError

        try:
            workbook = CalamineWorkbook.from_path(str(path))
        except PasswordError as exc:
            raise FileProblem(
                _(
                    "The workbook is protected by a password. Remove the "
                    "password in Excel, save, and upload it again."
                ),
            ) from exc
        except (CalamineError, OSError, ValueError) as exc:
            raise FileProblem(
                _(
                    "The workbook is damaged and cannot be read (%(reason)s). Open it in Excel, save it "
                    "again as .xlsx, and upload it."
                ),
                params={"reason": str(exc)[:200]},
            ) from exc
        table.sheet_names = list(workbook.sheet_names)
        workbook.close()
        if not table.sheet_names:
            raise FileProblem(_("The workbook has no sheets."), code="empty")
        if sheet and sheet not in table.sheet_names:
            raise FileProblem(
                _("The workbook has no sheet “%(sheet)s”; its sheets are: %(sheets)s."),
                params={"sheet": sheet, "sheets": "、".join(table.sheet_names)},
            )
        table.sheet = sheet or table.sheet_names[0]
        if kind == "xlsx":
            from freightcrm.intake import xlsx_stream

            table.streamed = xlsx_stream.sheet_xml_bytes(path) > xlsx_stream.STREAM_BYTES
        number, cells = _first_row(table)
    table.header_row = number
    table.headers = _headers(cells)
    return table
