"""The return-restriction register over the REST API.

Every token reads the register and asks what applied; holders of ``RESTRICTION_MANAGE`` record
versions (others: 403). Restriction versions are ``{restriction}`` (global register, not office
data: ADR 0017); a case's routes are ``{case_id}`` and answer 404 for a case of another office.
Field errors answer 422; a stale version or a decision the case's state refuses answers 409.
"""

import datetime
import uuid
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError

from wayhome.accounts.models import User
from wayhome.api.errors import django_validation_error
from wayhome.api.schemas import Error
from wayhome.cases.selectors import case_get
from wayhome.safety.models import Restriction, RestrictionDecision
from wayhome.safety.selectors import (
    InForce,
    RestrictionFilters,
    decision_list,
    restriction_for_case,
    restriction_get,
    restriction_in_force,
    restriction_list,
)
from wayhome.safety.services import restriction_decision_record, restriction_record

router = Router(tags=["safety"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 409: Error, 422: Error}


class RestrictionOut(Schema):
    id: uuid.UUID
    series: uuid.UUID
    number: int
    country: str
    region: str
    programmes: list[str]
    status: str
    valid_from: datetime.date
    valid_to: datetime.date | None
    reason: str
    source: str
    approved_by_id: uuid.UUID
    pauses_post_arrival: bool
    created_at: datetime.datetime


class RestrictionVersionIn(Schema):
    programmes: list[str] = Field(examples=[["AVRR"]], description="Programme codes (one or more).")
    status: str = Field(examples=["suspended"], description="open, case_by_case or suspended.")
    valid_from: datetime.date
    valid_to: datetime.date | None = None
    reason: str = Field(max_length=5000, examples=["Armed conflict"])
    source: str = Field(max_length=5000, examples=["Security assessment 2026-12"])
    approved_by_id: uuid.UUID
    pauses_post_arrival: bool = False


class RestrictionIn(RestrictionVersionIn):
    country: str = Field(max_length=8, examples=["AF"], description="ISO 3166-1 alpha-2.")
    region: str = Field("", max_length=16, examples=[""], description="ISO 3166-2, optional.")


class RestrictionRecordOut(Schema):
    restriction: RestrictionOut
    held: int
    released: int


class RestrictionListQuery(Schema):
    country: str = ""
    status: str = ""
    history: bool = False


class RestrictionInForceQuery(Schema):
    country: str = Field(max_length=2)
    region: str = Field("", max_length=8)
    programme: str | None = None
    on: datetime.date | None = None


class RestrictionInForceOut(Schema):
    status: str
    entries: list[RestrictionOut]


class RestrictionDecisionIn(Schema):
    reason: str = Field(min_length=1, max_length=2000)


class RestrictionDecisionOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    restrictions: list[uuid.UUID]
    reason: str
    decided_by_id: uuid.UUID
    decided_at: datetime.datetime

    @staticmethod
    def resolve_restrictions(obj: RestrictionDecision) -> list[uuid.UUID]:
        return [r.pk for r in obj.restrictions.all()]


def _in_force(answer: InForce) -> dict[str, Any]:
    return {"status": answer.status, "entries": list(answer.entries)}


def _record(
    request: HttpRequest, payload: RestrictionVersionIn, previous: Restriction | None
) -> Status:
    user = request.auth.user  # type: ignore[attr-defined]
    approver = User.objects.filter(pk=payload.approved_by_id).first()
    place: dict[str, str] = {}
    if isinstance(payload, RestrictionIn):
        place = {"country": payload.country, "region": payload.region}
    try:
        version, result = restriction_record(
            actor=user,
            previous=previous,
            programmes=payload.programmes,
            status=payload.status,
            valid_from=payload.valid_from,
            valid_to=payload.valid_to,
            reason=payload.reason,
            source=payload.source,
            approved_by=approver,
            pauses_post_arrival=payload.pauses_post_arrival,
            **place,
        )
    except PermissionDenied:
        raise HttpError(403, "") from None
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "stale":
            raise HttpError(409, " ".join(exc.messages)) from None
        raise django_validation_error(exc) from None
    body = {"restriction": version, "held": len(result.held), "released": len(result.released)}
    return Status(201, body)


@router.get("/restrictions", response=list[RestrictionOut], summary="The register (filters)")
def list_restrictions(request: HttpRequest, filters: Query[RestrictionListQuery]) -> Any:
    return list(
        restriction_list(
            RestrictionFilters(
                country=filters.country[:2], status=filters.status, history=filters.history
            )
        )[:1000]
    )


@router.post(
    "/restrictions",
    response={201: RestrictionRecordOut, **ERRORS},
    summary="Record a new restriction (holders of the register permission)",
)
def create_restriction(request: HttpRequest, payload: RestrictionIn) -> Status:
    return _record(request, payload, None)


@router.get(
    "/restrictions/in-force",
    response={200: RestrictionInForceOut, **ERRORS},
    summary="What applied to a country (region, programme) on a date",
)
def in_force(request: HttpRequest, query: Query[RestrictionInForceQuery]) -> Any:
    answer = restriction_in_force(
        query.country.upper(), query.region.upper(), query.programme or None, query.on
    )
    return _in_force(answer)


@router.get(
    "/restrictions/{restriction}", response={200: RestrictionOut, **ERRORS}, summary="A version"
)
def get_restriction(request: HttpRequest, restriction: uuid.UUID) -> Restriction:
    return restriction_get(restriction)


@router.post(
    "/restrictions/{restriction}/versions",
    response={201: RestrictionRecordOut, **ERRORS},
    summary="Save the next version (change or lift); {restriction} is the newest version seen",
)
def create_version(
    request: HttpRequest, restriction: uuid.UUID, payload: RestrictionVersionIn
) -> Status:
    return _record(request, payload, restriction_get(restriction))


@router.get(
    "/cases/{case_id}/restriction",
    response={200: RestrictionInForceOut, **ERRORS},
    summary="What applies to the case's destination today",
)
def case_restriction(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = case_get(request.auth.user, case_id)  # type: ignore[attr-defined]
    return _in_force(restriction_for_case(case))


@router.get(
    "/cases/{case_id}/decisions",
    response={200: list[RestrictionDecisionOut], **ERRORS},
    summary="The case-by-case decisions on a case",
)
def list_decisions(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = case_get(request.auth.user, case_id)  # type: ignore[attr-defined]
    return list(decision_list(case))


@router.post(
    "/cases/{case_id}/decisions",
    response={201: RestrictionDecisionOut, **ERRORS},
    summary="Allow the case's return under the case-by-case restriction (programme managers)",
)
def create_decision(
    request: HttpRequest, case_id: uuid.UUID, payload: RestrictionDecisionIn
) -> Status:
    user = request.auth.user  # type: ignore[attr-defined]
    case = case_get(user, case_id)
    try:
        decision = restriction_decision_record(actor=user, case=case, reason=payload.reason)
    except PermissionDenied:
        raise HttpError(403, "") from None
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            raise django_validation_error(exc) from None
        raise HttpError(409, " ".join(exc.messages)) from None
    return Status(201, decision)
