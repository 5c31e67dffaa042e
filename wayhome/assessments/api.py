"""Vulnerability screening, specialised assessments and break-the-glass over the REST API, under
/api/v1/assessments/cases/{case_id}/members/{member_id}/...

The same services, selectors and policies as the pages: a case of another office answers 404
whatever the operation; reading needs "view case", recording "change case" (or "medical record"
for health assessments), 403 otherwise; bad input 422 with field errors. An assessment's details
are returned only to holders of its kind's permission or of an active break-the-glass access
(each such read audited); others get ``details: null`` and ``restricted: true``.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere
from wayhome.api.errors import django_validation_error
from wayhome.api.fields import MultiLine, SingleLine, api_user
from wayhome.api.schemas import Error, Unmet
from wayhome.assessments import services
from wayhome.assessments.models import (
    BREAK_GLASS_REASON_MIN,
    Assessment,
    BreakGlassAccess,
    Screening,
    StepConsent,
)
from wayhome.assessments.rules import MemberSafety
from wayhome.assessments.selectors import (
    assessment_details,
    assessment_get,
    break_glass_list,
    member_get,
    member_safety_get,
    screening_history,
)
from wayhome.audit.services import audit_record

router = Router(tags=["assessments"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
#: ``Flag``, the factors of ``FACTORS``, ``Mark``... (a test keeps them equal to the models').
FlagCode = Literal[
    "victim_of_trafficking",
    "unaccompanied_or_separated_child",
    "physical_health_needs",
    "mental_health_needs",
    "disability",
    "elderly",
    "pregnant",
    "single_parent",
    "survivor_of_violence",
    "other",
]
FactorCode = Literal[
    "age",
    "sex_gender",
    "health",
    "history",
    "resources",
    "family_structure",
    "family_violence",
    "livelihood",
    "family_support",
    "social_networks",
    "discrimination",
    "services_access",
    "community_safety",
    "legal_status",
    "protection_systems",
    "economic_conditions",
    "conflict_disaster",
]
MarkCode = Literal["risk", "protective", "not_assessed"]
KindCode = Literal["bid", "trafficking", "medical", "fitness"]
RecommendationCode = Literal["", "return", "do_not_return", "defer"]
RiskCode = Literal["", "low", "medium", "high"]
EscortCode = Literal["", "none", "escort", "medical"]
StepCode = Literal["assessment", "return", "reintegration"]
TravelConditionCode = Literal["escort", "medical_escort", "wheelchair", "oxygen", "stretcher"]


def _record(call: Callable[[], Any]) -> Any:
    try:
        return call()
    except PermissionDenied:
        raise HttpError(403, "You may not record this.") from None
    except DjangoValidationError as exc:
        raise django_validation_error(exc) from None


# --- schemas ------------------------------------------------------------------------------------


class ScreeningOut(Schema):
    id: uuid.UUID
    screened_on: datetime.date
    factors: dict[str, str]
    flags: list[str]
    notes: str
    created_at: datetime.datetime


class AssessmentSummaryOut(Schema):
    id: uuid.UUID
    kind: str
    assessed_on: datetime.date
    valid_until: datetime.date | None
    travel_conditions: list[str]
    satisfies: bool
    created_at: datetime.datetime


class AssessmentDetailsOut(Schema):
    details: str
    recommendation: str
    panel: str
    guardian: str
    family_assessment: str
    reception_arrangement: str
    supervised_travel: bool
    retrafficking_risk: str
    escort: str
    receiving_provider: str
    fit_to_travel: bool | None


class AssessmentOut(AssessmentSummaryOut):
    restricted: bool
    details: AssessmentDetailsOut | None = None


class StepConsentOut(Schema):
    id: uuid.UUID
    step: str
    consents: bool
    right_to_decline_explained: bool
    given_on: datetime.date


class MemberSafeguardsOut(Schema):
    member_id: uuid.UUID
    label: str
    travelling: bool
    flags: list[str]
    screened_on: datetime.date | None
    screenings: int
    assessments: list[AssessmentSummaryOut]
    consents: list[StepConsentOut]
    unmet: list[Unmet]


def _member_out(state: MemberSafety) -> dict[str, Any]:
    return {
        "member_id": state.member.pk,
        "label": state.label,
        "travelling": state.member.travelling,
        "flags": state.flags,
        "screened_on": state.screening.screened_on if state.screening else None,
        "screenings": state.screenings,
        "assessments": state.history,
        "consents": list(state.consents.values()),
        "unmet": [item.as_dict() for item in state.unmet],
    }


def _assessment_out(user: Any, assessment: Assessment) -> dict[str, Any]:
    allowed = assessment_details(user, assessment)
    out: dict[str, Any] = {
        "id": assessment.pk,
        "kind": assessment.kind,
        "assessed_on": assessment.assessed_on,
        "valid_until": assessment.valid_until,
        "travel_conditions": assessment.travel_conditions,
        "satisfies": assessment.satisfies,
        "created_at": assessment.created_at,
        "restricted": not allowed,
        "details": None,
    }
    if allowed:
        out["details"] = {
            name: getattr(assessment, name) for name in AssessmentDetailsOut.model_fields
        }
    return out


# --- members and screenings ---------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/members/{member_id}",
    response={200: MemberSafeguardsOut, **ERRORS},
    summary="A traveller's flags, assessments (summaries) and missing safeguards",
)
def get_member(request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID) -> Any:
    user = api_user(request)
    case, member = member_get(user, case_id, member_id, perm=Perm.CASE_VIEW)
    audit_record(actor=user, action="case.view", obj=case)
    return _member_out(member_safety_get(case, member))


@router.get(
    "/cases/{case_id}/members/{member_id}/screenings",
    response={200: list[ScreeningOut], **ERRORS},
    summary="A traveller's screenings, latest (in force) first",
)
def list_screenings(request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID) -> Any:
    user = api_user(request)
    case, member = member_get(user, case_id, member_id, perm=Perm.CASE_VIEW)
    audit_record(actor=user, action="case.view", obj=case)
    return list(screening_history(member))


class ScreeningIn(Schema):
    screened_on: datetime.date
    factors: dict[FactorCode, MarkCode] = Field(default_factory=dict)
    flags: list[FlagCode] = Field(default_factory=list)
    notes: MultiLine = Field("", max_length=5000)


@router.post(
    "/cases/{case_id}/members/{member_id}/screenings",
    response={201: ScreeningOut, **ERRORS},
    summary="Record a screening (it replaces the one in force; history is kept)",
)
def create_screening(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, payload: ScreeningIn
) -> Status:
    user = api_user(request)
    _case, member = member_get(user, case_id, member_id, perm=Perm.CASE_VIEW)
    screening: Screening = _record(
        lambda: services.screening_record(
            actor=user,
            member=member,
            screened_on=payload.screened_on,
            factors={str(k): str(v) for k, v in payload.factors.items()},
            flags=list(payload.flags),
            notes=payload.notes,
        )
    )
    return Status(201, screening)


# --- assessments --------------------------------------------------------------------------------


class AssessmentIn(Schema):
    kind: KindCode
    assessed_on: datetime.date
    details: MultiLine = Field("", max_length=5000, description="Findings (restricted).")
    recommendation: RecommendationCode = ""
    panel: MultiLine = Field("", max_length=500)
    guardian: SingleLine = Field("", max_length=300)
    family_assessment: MultiLine = Field("", max_length=5000)
    reception_arrangement: MultiLine = Field("", max_length=2000)
    supervised_travel: bool = False
    retrafficking_risk: RiskCode = ""
    escort: EscortCode = ""
    receiving_provider: SingleLine = Field("", max_length=300)
    fit_to_travel: bool | None = None
    valid_until: datetime.date | None = None
    travel_conditions: list[TravelConditionCode] = Field(
        default_factory=list, description="Fitness checks: what the journey needs (not restricted)."
    )


@router.post(
    "/cases/{case_id}/members/{member_id}/assessments",
    response={201: AssessmentOut, **ERRORS},
    summary="Record a specialised assessment (BID, trafficking, medical, fitness to travel)",
)
def create_assessment(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, payload: AssessmentIn
) -> Status:
    user = api_user(request)
    _case, member = member_get(user, case_id, member_id, perm=Perm.CASE_VIEW)
    values = payload.dict()
    kind, assessed_on = values.pop("kind"), values.pop("assessed_on")
    assessment: Assessment = _record(
        lambda: services.assessment_record(
            actor=user, member=member, kind=kind, assessed_on=assessed_on, **values
        )
    )
    assessment = Assessment.objects.select_related("member__case").get(pk=assessment.pk)
    return Status(201, _assessment_out(user, assessment))


@router.get(
    "/cases/{case_id}/members/{member_id}/assessments/{assessment_id}",
    response={200: AssessmentOut, **ERRORS},
    summary="An assessment: its details only with the kind's permission or break-the-glass",
)
def get_assessment(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, assessment_id: uuid.UUID
) -> Any:
    user = api_user(request)
    return _assessment_out(user, assessment_get(user, case_id, member_id, assessment_id))


class BreakGlassIn(Schema):
    reason: MultiLine = Field(
        min_length=BREAK_GLASS_REASON_MIN,
        max_length=2000,
        examples=["The medical escort needs the findings before boarding tonight."],
    )


class BreakGlassOut(Schema):
    id: uuid.UUID
    assessment_id: uuid.UUID
    expires_at: datetime.datetime


@router.post(
    "/cases/{case_id}/members/{member_id}/assessments/{assessment_id}/break-glass",
    response={201: BreakGlassOut, **ERRORS},
    summary="Open an assessment's details for a short time, giving a reason (recorded)",
)
def create_break_glass(
    request: HttpRequest,
    case_id: uuid.UUID,
    member_id: uuid.UUID,
    assessment_id: uuid.UUID,
    payload: BreakGlassIn,
) -> Status:
    user = api_user(request)
    assessment = assessment_get(user, case_id, member_id, assessment_id)
    access: BreakGlassAccess = _record(
        lambda: services.break_glass_open(actor=user, assessment=assessment, reason=payload.reason)
    )
    return Status(201, access)


class StepConsentIn(Schema):
    step: StepCode
    consents: bool
    right_to_decline_explained: bool = False
    given_on: datetime.date


@router.post(
    "/cases/{case_id}/members/{member_id}/consents",
    response={201: StepConsentOut, **ERRORS},
    summary="Record a trafficking victim's informed consent (or refusal) at a step",
)
def create_step_consent(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, payload: StepConsentIn
) -> Status:
    user = api_user(request)
    _case, member = member_get(user, case_id, member_id, perm=Perm.CASE_VIEW)
    consent: StepConsent = _record(
        lambda: services.step_consent_record(actor=user, member=member, **payload.dict())
    )
    return Status(201, consent)


# --- data protection ----------------------------------------------------------------------------


class BreakGlassListOut(Schema):
    id: uuid.UUID
    user_email: str
    case_reference: str
    assessment_id: uuid.UUID
    kind: str
    reason: str
    created_at: datetime.datetime
    expires_at: datetime.datetime

    @staticmethod
    def resolve_user_email(obj: BreakGlassAccess) -> str:
        return str(obj.user.email)

    @staticmethod
    def resolve_case_reference(obj: BreakGlassAccess) -> str:
        return str(obj.assessment.member.case.reference)

    @staticmethod
    def resolve_kind(obj: BreakGlassAccess) -> str:
        return obj.assessment.kind


@router.get(
    "/break-glass",
    response={200: list[BreakGlassListOut], **ERRORS},
    summary="Break-the-glass accesses in the offices where the user is data protection officer",
)
def list_break_glass(request: HttpRequest) -> Any:
    user = api_user(request)
    if not has_perm_anywhere(user, Perm.DATA_PROTECTION):
        raise HttpError(403, "Only a data protection officer may see this.")
    accesses = list(break_glass_list(user)[:200])
    audit_record(
        actor=user, action="assessments.break_glass_list", details={"count": len(accesses)}
    )
    return accesses
