"""Data protection over the API, under /api/v1/protection: access alerts (list, one, close with
an outcome; 409 for a stale version), the transfer register, and people's requests about their
data (record, list, produce the subject-access bundle as JSON or PDF, close). Anyone without
``data.protection`` in the office concerned gets 404 or an empty list."""

import uuid
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from wayhome.accounts.permissions import Perm
from wayhome.api.errors import run_service
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error
from wayhome.audit.services import audit_record
from wayhome.core.paging import CappedLimitOffset
from wayhome.people.selectors import person_get
from wayhome.protection.models import AccessAlert, DataRequest, Transfer
from wayhome.protection.pdf import bundle_pdf
from wayhome.protection.selectors import (
    TransferFilters,
    alert_get,
    alert_list,
    request_get,
    request_list,
    transfer_list,
)
from wayhome.protection.services import (
    alert_close,
    request_close,
    request_create,
    request_produce,
)
from wayhome.protection.subject_access import bundle_json

router = Router(tags=["data protection"])

ERRORS: dict[int, Any] = {401: Error, 404: Error, 409: Error, 422: Error}


class AlertOut(Schema):
    id: uuid.UUID
    version: int
    user_id: uuid.UUID
    kind: str
    office_ids: list[uuid.UUID]
    count: int = Field(description="Records opened, or exports asked for, within the window.")
    threshold: int
    window_minutes: int
    first_at: datetime
    last_at: datetime
    status: str
    outcome: str
    closed_by_id: uuid.UUID | None
    closed_at: datetime | None

    @staticmethod
    def resolve_office_ids(obj: AccessAlert) -> list[uuid.UUID]:
        return [office.pk for office in obj.offices.all()]


class AlertFilters(Schema):
    status: str | None = Field(None, description='"open" or "closed"')


class AlertCloseIn(Schema):
    outcome: str = Field(examples=["justified"], description=", ".join(AccessAlert.Outcome))
    note: str = Field(max_length=4000, description="What was found (stored encrypted).")
    version: int = Field(description="The version read: a stale one answers 409.")


@router.get("/alerts", response=list[AlertOut], summary="Access alerts of my offices")
@paginate(CappedLimitOffset)
def list_alerts(request: HttpRequest, filters: Query[AlertFilters]) -> QuerySet[AccessAlert]:
    """The latest first. Audited as a list."""
    user = api_user(request)
    audit_record(actor=user, action="protection.alert_list", details={"api": True})
    return alert_list(user, status=filters.status or "").prefetch_related("offices")


@router.get("/alerts/{access_alert_id}", response={200: AlertOut, **ERRORS}, summary="An alert")
def get_alert(request: HttpRequest, access_alert_id: uuid.UUID) -> Any:
    user = api_user(request)
    alert = alert_get(user, access_alert_id)
    audit_record(
        actor=user,
        action="protection.alert_view",
        obj=alert,
        office_id=alert.offices.values_list("pk", flat=True).first(),
        details={"api": True},
    )
    return alert


@router.post(
    "/alerts/{access_alert_id}/close",
    response={200: AlertOut, **ERRORS},
    summary="Close an alert with its outcome",
)
def close_alert(request: HttpRequest, access_alert_id: uuid.UUID, payload: AlertCloseIn) -> Any:
    user = api_user(request)
    alert = alert_get(user, access_alert_id)
    return run_service(
        lambda: alert_close(
            actor=user,
            alert=alert,
            outcome=payload.outcome,
            note=payload.note,
            version=payload.version,
        )
    )


class TransferOut(Schema):
    id: int
    occurred_at: datetime
    kind: str
    office_id: uuid.UUID
    case_id: uuid.UUID | None
    person_id: uuid.UUID | None
    recipient_kind: str
    recipient_office_id: uuid.UUID | None
    recipient_name: str
    recipient_user_id: uuid.UUID | None
    purpose: str
    consent_id: uuid.UUID | None = Field(description="The consent relied on, for a package.")
    fields: list[str]
    rows: int = Field(description="1 per person for a package; the file's rows for a file.")
    actor_id: uuid.UUID | None
    object_type: str
    object_id: str


class TransferFiltersIn(Schema):
    kind: str | None = Field(None, description="handover, referral, export, microdata")
    recipient_kind: str | None = None
    office_id: uuid.UUID | None = None
    date_from: date | None = None
    date_to: date | None = None
    reference: str | None = Field(None, description="A case reference.")
    recipient: str | None = Field(None, description="Part of a recipient organisation's name.")


@router.get("/transfers", response=list[TransferOut], summary="The transfer register")
@paginate(CappedLimitOffset)
def list_transfers(request: HttpRequest, filters: Query[TransferFiltersIn]) -> QuerySet[Transfer]:
    """Transfers of personal data out of my offices (where I hold ``data.protection``), the
    latest first. Audited as a read of the register."""
    user = api_user(request)
    audit_record(actor=user, action="protection.transfer_list", details={"api": True})
    return transfer_list(
        user,
        TransferFilters(
            kind=filters.kind or "",
            recipient_kind=filters.recipient_kind or "",
            office_id=filters.office_id,
            date_from=filters.date_from,
            date_to=filters.date_to,
            reference=filters.reference or "",
            recipient=filters.recipient or "",
        ),
    )


class RequestOut(Schema):
    id: uuid.UUID
    version: int
    person_id: uuid.UUID
    office_id: uuid.UUID
    kind: str
    channel: str
    received_on: date
    due_on: date
    overdue: bool
    details: str = Field(description="What the person asks (stored encrypted).")
    language: str
    status: str
    outcome: str
    note: str
    produced_count: int
    last_produced_at: datetime | None
    closed_by_id: uuid.UUID | None
    closed_at: datetime | None


class RequestIn(Schema):
    person_id: uuid.UUID
    kind: str = Field(examples=["access"], description=", ".join(DataRequest.Kind))
    channel: str = Field(
        DataRequest.Channel.IN_PERSON.value, description=", ".join(DataRequest.Channel)
    )
    received_on: date
    details: str = Field("", max_length=4000)
    language: str = Field(
        "", max_length=8, description="The answer's language; empty: the person's."
    )


class RequestFiltersIn(Schema):
    kind: str | None = Field(None, description='"access" or "rectification"')
    status: str | None = Field(None, description='"open" or "closed"')
    overdue: bool = False


class RequestCloseIn(Schema):
    outcome: str = Field(examples=["answered"], description=", ".join(DataRequest.Outcome))
    note: str = Field("", max_length=4000)
    version: int = Field(description="The version read: a stale one answers 409.")


@router.get("/requests", response=list[RequestOut], summary="Requests about personal data")
@paginate(CappedLimitOffset)
def list_requests(request: HttpRequest, filters: Query[RequestFiltersIn]) -> QuerySet[DataRequest]:
    """Requests of people to see or correct their data, in my offices (where I hold
    ``data.protection``): open first, the earliest due first."""
    user = api_user(request)
    audit_record(actor=user, action="protection.request_list", details={"api": True})
    return request_list(
        user, kind=filters.kind or "", status=filters.status or "", overdue=filters.overdue
    )


@router.post(
    "/requests",
    response={201: RequestOut, 400: Error, 403: Error, **ERRORS},
    summary="Record a person's request about their data",
)
def create_request(request: HttpRequest, payload: RequestIn) -> Any:
    """Due ``DATA_REQUEST_DAYS`` (30) after ``received_on``. 404 for a person outside my
    offices where I hold ``data.protection``."""
    user = api_user(request)
    person = person_get(user, payload.person_id, perm=Perm.DATA_PROTECTION)
    created = run_service(
        lambda: request_create(
            actor=user,
            person=person,
            kind=payload.kind,
            channel=payload.channel,
            received_on=payload.received_on,
            details=payload.details,
            language=payload.language,
        )
    )
    return Status(201, created)


@router.get(
    "/requests/{data_request_id}", response={200: RequestOut, **ERRORS}, summary="A request"
)
def get_request(request: HttpRequest, data_request_id: uuid.UUID) -> Any:
    user = api_user(request)
    data_request = request_get(user, data_request_id)
    audit_record(
        actor=user, action="protection.request_view", obj=data_request, details={"api": True}
    )
    return data_request


@router.post(
    "/requests/{data_request_id}/close",
    response={200: RequestOut, **ERRORS},
    summary="Close a request with its outcome",
)
def close_request(request: HttpRequest, data_request_id: uuid.UUID, payload: RequestCloseIn) -> Any:
    """An access request is answered once its bundle was produced; a refusal needs its reason."""
    user = api_user(request)
    data_request = request_get(user, data_request_id)
    return run_service(
        lambda: request_close(
            actor=user,
            request=data_request,
            outcome=payload.outcome,
            note=payload.note,
            version=payload.version,
        )
    )


def _produce(request: HttpRequest, data_request_id: uuid.UUID, fmt: str) -> Any:
    user = api_user(request)
    data_request = request_get(user, data_request_id)
    data, _updated = run_service(lambda: request_produce(actor=user, request=data_request, fmt=fmt))
    return data


@router.get(
    "/requests/{data_request_id}/bundle",
    response={200: dict[str, Any], **ERRORS},
    summary="Everything held about the person, as JSON",
)
def get_bundle(request: HttpRequest, data_request_id: uuid.UUID) -> Any:
    """Produced now for an access request (422 for a rectification request): every record of
    the person, by model, with ``accesses`` (who read or changed them). Counted on the request
    and audited."""
    return bundle_json(_produce(request, data_request_id, "json"))


@router.get(
    "/requests/{data_request_id}/bundle.pdf",
    response={401: Error, 404: Error, 422: Error},
    summary="Everything held about the person, as a PDF in their language",
    openapi_extra={
        "responses": {
            200: {
                "description": "The PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_bundle_pdf(request: HttpRequest, data_request_id: uuid.UUID) -> Any:
    data = _produce(request, data_request_id, "pdf")
    response = HttpResponse(bundle_pdf(data), content_type="application/pdf")
    name = f"subject-access-{data_request_id}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
