"""The writing of an export, in the task queue: the rows are read in chunks
(``EXPORT_CHUNK_ROWS``, one query each), written as CSV (UTF-8 with a byte order mark) or XLSX
(openpyxl's write-only mode, into a temporary file on disk), and encrypted chunk by chunk into
the blob storage, so that memory stays flat whatever the number of rows. ``done`` is updated
every ``EXPORT_PROGRESS_ROWS`` rows in its own small UPDATE (the progress bar polls it).

Every cell goes through ``safe_cell`` (a text starting with ``=``, ``+``, ``-``, ``@``... is
prefixed with an apostrophe, so no spreadsheet runs it as a formula). On failure the export is
marked failed with a message that names no value, and any blob written is deleted.
"""

from __future__ import annotations

import csv
import datetime
import io
import logging
import os
import tempfile
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from wayhome.core.blobs import blob_delete, blob_storage, blob_write
from wayhome.core.exports import safe_cell
from wayhome.exports.kinds import ExportKind, kind_of
from wayhome.exports.models import Export

logger = logging.getLogger(__name__)

BLOB_KIND = "exports"


def chunk_rows() -> int:
    return int(getattr(settings, "EXPORT_CHUNK_ROWS", 2000))


def progress_rows() -> int:
    return int(getattr(settings, "EXPORT_PROGRESS_ROWS", 1000))


def _progress(export_id: Any, done: int) -> None:
    Export.objects.filter(pk=export_id).update(done=done, updated_at=timezone.now())


def _counted(export: Export, rows: Iterator[tuple[Any, ...]]) -> Iterator[tuple[Any, ...]]:
    """The rows, with ``done`` saved every ``EXPORT_PROGRESS_ROWS`` and at the end."""
    every = max(1, progress_rows())
    done = 0
    for row in rows:
        yield row
        done += 1
        if done % every == 0:
            _progress(export.pk, done)
    _progress(export.pk, done)
    export.done = done


def _csv_text(value: Any) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    return safe_cell(value)


def csv_chunks(kind: ExportKind, rows: Iterator[tuple[Any, ...]]) -> Iterator[bytes]:
    """The CSV file, about 64 KB at a time: the header row, then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(header) for header in kind.headers()])
    yield b"\xef\xbb\xbf"  # UTF-8 byte order mark: spreadsheet programs read the accents right
    for row in rows:
        writer.writerow([_csv_text(value) for value in kind.cells(row)])
        if buffer.tell() >= 64 * 1024:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, bool | int | float | datetime.date):
        return value
    return ILLEGAL_CHARACTERS_RE.sub("", safe_cell(value))


def write_xlsx(kind: ExportKind, rows: Iterator[tuple[Any, ...]], path: str) -> None:
    """The workbook, written row by row (write-only mode: rows are not kept in memory)."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=str(kind.label)[:31])
    sheet.append([_xlsx_cell(header) for header in kind.headers()])
    for row in rows:
        sheet.append([_xlsx_cell(value) for value in kind.cells(row)])
    workbook.save(path)


def export_execute(export_id: Any, *, chunk_size: int | None = None) -> Export:
    """Writes a queued export; returns it done or failed (an export not queued is left alone)."""
    claimed = Export.objects.filter(pk=export_id, status=Export.Status.QUEUED).update(
        status=Export.Status.RUNNING, started_at=timezone.now(), updated_at=timezone.now()
    )
    export = Export.objects.select_related("owner").get(pk=export_id)
    if not claimed:
        return export
    blob = ""
    try:
        kind = kind_of(export.kind)
        queryset = kind.queryset(export.owner, export.filters)
        total = queryset.count()
        Export.objects.filter(pk=export.pk).update(total=total)
        export.total = total
        rows = _counted(export, kind.rows(queryset, chunk_size=chunk_size or chunk_rows()))
        if export.format == Export.Format.XLSX:
            handle, path = tempfile.mkstemp(suffix=".xlsx", prefix="wayhome-export-")
            os.close(handle)
            try:
                write_xlsx(kind, rows, path)
                with open(path, "rb") as workbook:
                    blob = blob_write(workbook, kind=BLOB_KIND)
                size = os.path.getsize(path)
            finally:
                os.unlink(path)
        else:
            sized = _Sized(csv_chunks(kind, rows))
            blob = blob_write(sized, kind=BLOB_KIND)
            size = sized.size
    except Exception as exc:
        logger.exception("export %s failed (%s)", export.pk, type(exc).__name__)
        if blob:
            blob_delete(blob)
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.FAILED,
            error=_("The export failed (%(error)s). Ask for it again, or tell an administrator.")
            % {"error": type(exc).__name__},
            blob="",
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    else:
        Export.objects.filter(pk=export.pk).update(
            status=Export.Status.DONE,
            blob=blob,
            size=size,
            done=export.done,
            finished_at=timezone.now(),
            updated_at=timezone.now(),
        )
    export.refresh_from_db()
    return export


class _Sized:
    """Counts the bytes of an iterable of byte strings as they go by."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self.chunks = chunks
        self.size = 0

    def __iter__(self) -> Iterator[bytes]:
        for chunk in self.chunks:
            self.size += len(chunk)
            yield chunk


def blob_exists(name: str) -> bool:
    return bool(name) and blob_storage().exists(name)
