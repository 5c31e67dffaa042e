"""Imports over the API, under /api/v1/imports: the sources and runs of the offices where the
token's user may import, a run created from a multipart upload (answered 202: it runs in the
task queue; poll the run for its progress), one run, and its per-row report as CSV.

A file that cannot be imported answers 422 with the reason (``file_refused``) and saves
nothing. A source or run of another office answers 404.
"""

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import File, Form, Router, Schema, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate

from wayhome.api.errors import error_response
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error
from wayhome.core.paging import CappedLimitOffset
from wayhome.imports.models import ImportRun, ImportSource
from wayhome.imports.reader import FileRefused, max_bytes
from wayhome.imports.selectors import (
    import_run_get,
    import_run_list,
    import_source_get,
    import_source_list,
)
from wayhome.imports.services import import_run_create
from wayhome.imports.views import report_response

router = Router(tags=["imports"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}


class SourceOut(Schema):
    id: uuid.UUID
    office_id: uuid.UUID
    name: str
    mapping: dict[str, str]
    version: int


class ImportRunOut(Schema):
    id: uuid.UUID
    office_id: uuid.UUID
    source_id: uuid.UUID
    dry_run: bool
    status: str
    file_kind: str
    rows_total: int
    rows_done: int
    created_count: int
    unchanged_count: int
    error_count: int
    held_count: int
    cases_created: int
    message: str
    created_at: datetime
    finished_at: datetime | None


@router.get("/sources", response=list[SourceOut], summary="The import sources the user may use")
@paginate(CappedLimitOffset)
def list_sources(request: HttpRequest) -> QuerySet[ImportSource]:
    return import_source_list(api_user(request))


@router.get("", response=list[ImportRunOut], summary="Import runs, the newest first")
@paginate(CappedLimitOffset)
def list_runs(request: HttpRequest) -> QuerySet[ImportRun]:
    return import_run_list(api_user(request))


@router.post(
    "",
    response={202: ImportRunOut, **ERRORS},
    summary="Upload a file (multipart) to import with a source: a dry run unless dry_run=false",
)
def create_run(
    request: HttpRequest,
    source_id: Form[uuid.UUID],
    file: File[UploadedFile],
    dry_run: Form[bool] = True,
) -> Any:
    """The file is checked at once (422 ``file_refused`` with the reason, nothing saved); the
    rows are imported in the background: poll ``GET /imports/{import_run_id}``."""
    user = api_user(request)
    source = import_source_get(user, source_id)
    if file.size is not None and file.size > max_bytes():
        return error_response(
            422,
            code="file_refused",
            message=_("The file is too large (at most %(size)s MB).")
            % {"size": max_bytes() // (1024 * 1024)},
        )
    try:
        run = import_run_create(
            actor=user,
            source=source,
            content=file.read(),
            file_name=file.name or "",
            dry_run=dry_run,
        )
    except PermissionDenied:
        raise HttpError(403, _("You may not import here.")) from None
    except FileRefused as exc:
        return error_response(422, code="file_refused", message=exc.message)
    return Status(202, run)


@router.get("/{import_run_id}", response={200: ImportRunOut, **ERRORS}, summary="An import run")
def get_run(request: HttpRequest, import_run_id: uuid.UUID) -> Any:
    return import_run_get(api_user(request), import_run_id)


@router.get(
    "/{import_run_id}/report",
    response={404: Error, 401: Error, 409: Error},
    summary="The run's per-row report (CSV: row, external id, field, problem)",
    openapi_extra={
        "responses": {
            200: {
                "description": "The report as CSV (UTF-8 with a byte order mark).",
                "content": {"text/csv": {"schema": {"type": "string"}}},
            }
        }
    },
)
def get_report(request: HttpRequest, import_run_id: uuid.UUID) -> Any:
    """409 while the run has not ended."""
    user = api_user(request)
    run = import_run_get(user, import_run_id, with_report=True)
    if not run.finished:
        return error_response(409, code="not_finished", message=_("The run has not ended yet."))
    return report_response(user, run)
