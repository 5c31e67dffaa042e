"""Reading an uploaded file: XLSX or CSV recognised by content (never by its name), the header
row, and the data rows as lists of text.

A file that cannot be read raises ``FileRefused`` with a message for the person who uploaded it:
not a spreadsheet, not UTF-8 text, empty, no header row, too large, too many rows. Nothing else
is done with a refused file. Formulas are never evaluated (the value Excel stored is read) and
macros are never loaded. Values are returned as text: a date cell as ``YYYY-MM-DD``, a whole
number without ``.0``.
"""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

CSV = "csv"
XLSX = "xlsx"
_ZIP_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # the old .xls (and .doc) format
_UTF8_BOM = b"\xef\xbb\xbf"
#: A workbook expanding to more than this many times its size is refused (a "zip bomb").
MAX_EXPANSION = 40
MAX_HEADER_LENGTH = 200


class FileRefused(Exception):
    """The file cannot be imported; ``message`` says why, in the uploader's words."""

    def __init__(self, message: str | Promise) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class Table:
    kind: str  # CSV or XLSX
    headers: list[str]
    rows: list[list[str]]  # data rows, each as long as ``headers``
    numbers: list[int]  # the spreadsheet row number of each data row (for the report)


def max_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_BYTES", 20 * 1024 * 1024))


def max_rows() -> int:
    return int(getattr(settings, "IMPORT_MAX_ROWS", 100_000))


def kind_of(content: bytes) -> str:
    """CSV or XLSX from the file's content, or ``FileRefused``."""
    if not content or not content.strip(b" \t\r\n" + _UTF8_BOM):
        raise FileRefused(_("The file is empty."))
    if content.startswith(_ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            raise FileRefused(_("The file is damaged: it cannot be opened.")) from None
        if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
            if "xl/workbook.bin" in names:
                raise FileRefused(
                    _("Binary workbooks (.xlsb) cannot be read: save the file as .xlsx or CSV.")
                )
            return XLSX
        raise FileRefused(_("This is not an Excel workbook or a CSV file."))
    if content.startswith(_OLE_MAGIC):
        raise FileRefused(
            _("This is an old Excel file (.xls): save it as .xlsx or as CSV UTF-8, then upload.")
        )
    if b"\x00" in content[:65536]:
        raise FileRefused(_("This is not an Excel workbook or a CSV file."))
    return CSV


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0, 0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return " ".join(str(value).split()) if isinstance(value, str) else str(value)


def _csv_rows(content: bytes) -> Iterator[list[str]]:
    try:
        text = content.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        raise FileRefused(
            _(
                "The file is not UTF-8 text. In your spreadsheet, save it as "
                '"CSV UTF-8 (comma delimited)" and upload it again.'
            )
        ) from None
    sample = text[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    try:
        for row in csv.reader(io.StringIO(text, newline=""), dialect):
            yield [_text(cell) for cell in row]
    except csv.Error:
        raise FileRefused(_("The CSV file is malformed (an unclosed quote?).")) from None


def _xlsx_rows(content: bytes) -> Iterator[list[str]]:
    import openpyxl  # imported here: only imports need it

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        expanded = sum(info.file_size for info in archive.infolist())
    if expanded > MAX_EXPANSION * max(len(content), 1) and expanded > max_bytes():
        raise FileRefused(_("The workbook is too large once unpacked."))
    try:
        # read_only streams the sheet; data_only reads the values Excel stored, never formulas;
        # keep_vba=False (the default) drops any macro.
        workbook = openpyxl.load_workbook(
            io.BytesIO(content), read_only=True, data_only=True, keep_links=False
        )
    except Exception:  # openpyxl raises many kinds for a damaged file
        raise FileRefused(_("The workbook is damaged: it cannot be opened.")) from None
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise FileRefused(_("The workbook has no sheet."))
        for row in sheet.iter_rows(values_only=True):
            yield [_text(cell) for cell in row]
    finally:
        workbook.close()


def read_table(content: bytes) -> Table:
    """The header and data rows of ``content``, or ``FileRefused``. Blank rows are skipped (their
    row numbers still count, so that the report points at the right line)."""
    if len(content) > max_bytes():
        raise FileRefused(
            _("The file is too large (at most %(size)s MB).")
            % {"size": max_bytes() // (1024 * 1024)}
        )
    kind = kind_of(content)
    rows = _xlsx_rows(content) if kind == XLSX else _csv_rows(content)
    headers: list[str] | None = None
    data: list[list[str]] = []
    numbers: list[int] = []
    limit = max_rows()
    for number, row in enumerate(rows, start=1):
        if not any(cell for cell in row):
            continue
        if headers is None:
            headers = row
            continue
        if len(data) >= limit:
            raise FileRefused(
                _("The file has more than %(rows)s rows: split it into smaller files.")
                % {"rows": f"{limit:,}"}
            )
        data.append(row)
        numbers.append(number)
    if headers is None:
        raise FileRefused(_("The file is empty."))
    while headers and not headers[-1]:
        headers.pop()
    if not headers or any(len(h) > MAX_HEADER_LENGTH for h in headers):
        raise FileRefused(_("The first row must hold the column headers."))
    seen: set[str] = set()
    for header in headers:
        if header and header in seen:
            raise FileRefused(
                _("Two columns have the header %(header)s: give each column its own header.")
                % {"header": header}
            )
        seen.add(header)
    width = len(headers)
    rows_out = [(row + [""] * width)[:width] for row in data]
    return Table(kind=kind, headers=headers, rows=rows_out, numbers=numbers)
