"""Data protection over the API, under /api/v1/protection: access alerts (list, one, close with
an outcome; 409 for a stale version) and the transfer register. Anyone without
``data.protection`` in the office concerned gets 404 or an empty list."""

import uuid
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from ninja.pagination import paginate

from wayhome.api.errors import run_service
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error
from wayhome.audit.services import audit_record
from wayhome.core.paging import CappedLimitOffset
from wayhome.protection.models import AccessAlert, Transfer
from wayhome.protection.selectors import TransferFilters, alert_get, alert_list, transfer_list
from wayhome.protection.services import alert_close

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
