"""A table of counts as a file: CSV (``table_csv``) and Excel (``table_xlsx``).

Both have the same layout:

1. a header row: the labels of the columns;
2. a row of HXL hashtags (``hxl.table_tags``), so that humanitarian data tools read the columns;
3. one row per row key: its code (for a coded dimension such as a country) and its label, then
   the counts: one column per column key and the row total for a two-way table, the single
   count for a one-way table;
4. the totals row.

A suppressed cell is written ``x`` (``MARKER``), the convention of statistical offices, and a
note says what it means: never a range such as "<5", which would tell what the cell holds. The
CSV ends with that note after an empty line; the workbook has a second sheet, "About", with the
title, the source, when it was produced, the disclosure rule and the attributes of our own.

Only a protected table (``Table.protect()``) is written: anything else is refused unless the
caller asks for ``exact=True``, which is for internal use (never for a file that leaves the
system). Every text cell goes through ``wayhome.core.exports.safe_cell``, so that no label is
read as a formula by a spreadsheet program; counts are numbers.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from wayhome.core.exports import safe_cell
from wayhome.reporting import hxl
from wayhome.reporting.tables import Table, sensitive_threshold, threshold

#: What a suppressed cell holds.
MARKER = "x"

Cell = str | int


@dataclass(frozen=True)
class Layout:
    """What both formats write: the header labels, the HXL tags, the rows (totals row last)
    and how many columns on the left are labels (the rest are counts)."""

    header: list[str]
    tags: list[str]
    rows: list[list[Cell]]
    label_columns: int


def _check(table: Table, exact: bool) -> None:
    if not exact and not table.protected:
        raise ValueError("Only a protected table (Table.protect()) may be exported.")


def _count(value: int | None) -> Cell:
    return MARKER if value is None else value


def layout(table: Table, *, exact: bool = False) -> Layout:
    """The cells of the export of ``table`` (exact counts when ``exact``; ValueError for a
    table that is not protected, unless ``exact``)."""
    _check(table, exact)
    dimension = table.row_dimension
    header: list[str] = []
    if dimension.coded:
        header.append(_("%(dimension)s (code)") % {"dimension": dimension.label})
    header.append(str(dimension.label))
    if table.one_way:
        header.append(table.cols[0].label if table.cols else _("Count"))
    else:
        header += [key.label for key in table.cols]
        header.append(_("Total"))
    grid = table.grid(exact=exact)
    keys = [(key.code, key.label) for key in table.rows] + [("", _("Total"))]
    rows: list[list[Cell]] = []
    for (code, label), cells in zip(keys, grid, strict=True):
        row: list[Cell] = [code, label] if dimension.coded else [label]
        if table.one_way:
            # The count and the row total are the same figure: published only if both are.
            row.append(MARKER if None in cells else _count(cells[0]))
        else:
            row += [_count(value) for value in cells]
        rows.append(row)
    return Layout(
        header=header,
        tags=hxl.table_tags(table),
        rows=rows,
        label_columns=2 if dimension.coded else 1,
    )


def suppression_note(table: Table) -> str:
    """What ``x`` means in the export of ``table``."""
    if table.sensitive:
        rule = _("below %(k)s (the whole table counts a sensitive group)") % {
            "k": sensitive_threshold()
        }
    else:
        rule = _(
            "below %(k)s (below %(sensitive_k)s for victims of trafficking, children and "
            "people with health needs)"
        ) % {"k": threshold(), "sensitive_k": sensitive_threshold()}
    return _(
        "%(marker)s: not published, to protect the people counted: the figure is %(rule)s, "
        "or it would let such a figure be worked out from the totals. A zero is published."
    ) % {"marker": MARKER, "rule": rule}


def _note(table: Table, exact: bool) -> str:
    if exact and not table.protected:
        return _("Exact figures, for internal use only: no cell is suppressed.")
    if exact:
        return _("Exact figures, for internal use only: suppressed cells are shown.")
    return suppression_note(table)


def _text(value: object) -> str:
    return safe_cell(value)


# --- CSV ----------------------------------------------------------------------------------------


def table_csv(table: Table, *, exact: bool = False) -> bytes:
    """``table`` as CSV: UTF-8 with a byte order mark (so that spreadsheet programs read
    accents and Arabic), header row, HXL row, rows, totals, then the meaning of ``x``."""
    cells = layout(table, exact=exact)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([_text(label) for label in cells.header])
    writer.writerow([_text(tag) for tag in cells.tags])
    for row in cells.rows:
        writer.writerow([value if isinstance(value, int) else _text(value) for value in row])
    writer.writerow([])
    writer.writerow([_text(_note(table, exact))])
    return buffer.getvalue().encode("utf-8-sig")


# --- XLSX ---------------------------------------------------------------------------------------

_SHEET_FORBIDDEN = str.maketrans({character: " " for character in "[]:*?/\\"})


def _sheet_name(title: str, fallback: str) -> str:
    name = ILLEGAL_CHARACTERS_RE.sub("", title).translate(_SHEET_FORBIDDEN).strip(" '")
    return name[:31].strip() or fallback


def _xlsx_text(value: object) -> str:
    """A text cell: no control character openpyxl refuses, never a formula."""
    return _text(ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value)))


#: An HXL attribute name (``+sex``): written as it is, a text cell, on the "About" sheet.
_ATTRIBUTE_NAME = re.compile(r"^\+[a-z][a-z0-9_]*$")


def _put(sheet: Any, row: int, column: int, value: Cell | None) -> None:
    cell = sheet.cell(row=row, column=column)
    if isinstance(value, int):
        cell.value = value
        return
    text = "" if value is None else str(value)
    # Our own attribute names start with "+" but hold nothing else than letters, digits and _:
    # stored as text (below), they are never read as a formula, so they keep their "+".
    cell.value = text if _ATTRIBUTE_NAME.match(text) else _xlsx_text(text)
    cell.data_type = "s"  # a string, whatever it looks like


def _about(
    table: Table, tags: Sequence[str], *, exact: bool, source: str, produced: datetime.datetime
) -> list[tuple[str, str]]:
    lines = [
        (_("Title"), table.title),
        (_("Source"), source),
        (_("Produced"), produced.isoformat(timespec="minutes")),
        (
            _("Counted"),
            _("Cases: each case once, by its principal applicant.")
            if table.measure == "cases"
            else _("People: everyone on a case."),
        ),
        (
            _("Disclosure rule"),
            _(
                "Cells below %(k)s are not published (below %(sensitive_k)s for victims of "
                "trafficking, children and people with health needs, or for a whole table about "
                "such a group), nor the cells that would let them be worked out from the totals."
            )
            % {"k": threshold(), "sensitive_k": sensitive_threshold()},
        ),
        (MARKER, _note(table, exact)),
        (
            _("HXL"),
            _(
                "Row 2 holds HXL hashtags (Humanitarian Exchange Language 1.1, "
                "hxlstandard.org) that tell data tools what each column holds."
            ),
        ),
        (_("Totals"), _("The last row of the table holds the totals.")),
    ]
    for attribute in hxl.custom_attributes_of(tags):
        lines.append((attribute, hxl.describe(attribute)))
    return lines


def table_xlsx(
    table: Table,
    *,
    exact: bool = False,
    source: str = "",
    produced: datetime.datetime | None = None,
) -> bytes:
    """``table`` as an Excel workbook: the table on the first sheet (header row, HXL row, rows,
    totals; panes frozen under the HXL row and right of the labels; counts as numbers, ``x``
    for a suppressed cell) and an "About" sheet."""
    cells = layout(table, exact=exact)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _sheet_name(table.title, _("Table"))
    workbook.properties.title = _xlsx_text(table.title)[:255]
    bold = Font(bold=True)
    for column, label in enumerate(cells.header, start=1):
        _put(sheet, 1, column, label)
        sheet.cell(row=1, column=column).font = bold
        sheet.cell(row=1, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    for column, tag in enumerate(cells.tags, start=1):
        _put(sheet, 2, column, tag)
        sheet.cell(row=2, column=column).font = Font(italic=True, color="595959")
    for number, row in enumerate(cells.rows, start=3):
        for column, value in enumerate(row, start=1):
            _put(sheet, number, column, value)
            if column > cells.label_columns:
                sheet.cell(row=number, column=column).alignment = Alignment(horizontal="right")
    for column in range(1, len(cells.rows[-1]) + 1):
        sheet.cell(row=2 + len(cells.rows), column=column).font = bold
    for column in range(1, len(cells.header) + 1):
        values = [cells.header[column - 1], *(str(row[column - 1]) for row in cells.rows)]
        width = min(max(len(value) for value in values) + 2, 50)
        sheet.column_dimensions[get_column_letter(column)].width = max(width, 8)
    sheet.freeze_panes = sheet.cell(row=3, column=cells.label_columns + 1)

    about = workbook.create_sheet(_sheet_name(_("About"), "About"))
    lines = _about(
        table,
        cells.tags,
        exact=exact,
        source=source or _("Wayhome case records: one row per person on a case."),
        produced=timezone.localtime(produced or timezone.now()),
    )
    for number, (name, text) in enumerate(lines, start=1):
        _put(about, number, 1, name)
        about.cell(row=number, column=1).font = bold
        _put(about, number, 2, text)
        about.cell(row=number, column=2).alignment = Alignment(wrap_text=True, vertical="top")
    about.column_dimensions["A"].width = 22
    about.column_dimensions["B"].width = 90

    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()
