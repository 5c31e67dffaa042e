"""Exports over the API, under /api/v1/exports: ask for one (202: it is written in the task
queue; poll it for its progress), list mine, one export, and its file (streamed). Only the
owner sees an export (404 for anyone else); an expired export's file answers 410; more than
``EXPORTS_PER_HOUR`` exports an hour answer 429."""

import uuid
from datetime import datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from wayhome.api.errors import error_response
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error
from wayhome.core.paging import CappedLimitOffset
from wayhome.exports.models import Export
from wayhome.exports.selectors import export_get, export_list
from wayhome.exports.services import TooManyExports, export_create
from wayhome.exports.views import download_response

router = Router(tags=["exports"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error, 429: Error}


class ExportIn(Schema):
    kind: str = Field("cases", examples=["cases"])
    format: str = Field("csv", examples=["csv"], description='"csv" or "xlsx"')
    filters: dict[str, Any] = Field(
        default_factory=dict,
        examples=[{"status": "registered", "destination_country": "NG"}],
        description=(
            "The case list's filters (codes and ids, never a name): status, category, office, "
            "caseworker, destination_country, mine, overdue, reference."
        ),
    )


class ExportOut(Schema):
    id: uuid.UUID
    office_id: uuid.UUID
    kind: str
    format: str
    filters: dict[str, Any]
    status: str
    total: int
    done: int
    size: int
    error: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None
    expires_at: datetime


@router.post("", response={202: ExportOut, **ERRORS}, summary="Ask for an export")
def create_export(request: HttpRequest, payload: ExportIn) -> Any:
    """The file is written in the background: poll ``GET /exports/{export_id}`` until its
    status is "done", then fetch ``GET /exports/{export_id}/file``."""
    try:
        export = export_create(
            actor=api_user(request),
            kind=payload.kind,
            format=payload.format,
            filters=payload.filters,
        )
    except PermissionDenied:
        return error_response(403, message=_("You may not export this."))
    except TooManyExports:
        return error_response(
            429, code="rate_limited", message=_("Too many exports this hour: try again later.")
        )
    except ValidationError as exc:
        fields = exc.message_dict if hasattr(exc, "error_dict") else None
        return error_response(422, message=" ".join(exc.messages), details=fields)
    return Status(202, export)


@router.get("", response=list[ExportOut], summary="My exports, the newest first")
@paginate(CappedLimitOffset)
def list_exports(request: HttpRequest) -> QuerySet[Export]:
    return export_list(api_user(request))


@router.get("/{export_id}", response={200: ExportOut, **ERRORS}, summary="An export")
def get_export(request: HttpRequest, export_id: uuid.UUID) -> Any:
    return export_get(api_user(request), export_id)


@router.get(
    "/{export_id}/file",
    response={401: Error, 404: Error, 409: Error, 410: Error},
    summary="The export's file (CSV or XLSX), streamed",
    openapi_extra={
        "responses": {
            200: {
                "description": "The file (CSV: UTF-8 with a byte order mark; or XLSX).",
                "content": {
                    "text/csv": {"schema": {"type": "string"}},
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {
                        "schema": {"type": "string", "format": "binary"}
                    },
                },
            }
        }
    },
)
def get_file(request: HttpRequest, export_id: uuid.UUID) -> Any:
    """409 while it is being written, 410 once expired. Every download is audited."""
    user = api_user(request)
    return download_response(user, export_get(user, export_id))
