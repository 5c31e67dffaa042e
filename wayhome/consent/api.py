"""Voluntariness and consent over the REST API, under /api/v1/cases/{case_id}/...

The same services, selectors and policies as the pages: a case of another office answers 404
whatever the operation; reading needs "view case", recording "change case". Refused withdrawals
answer 409 ``transition_blocked``; bad input 422 with field errors. Members are named by their
display label, never by name; signed forms travel as base64 and are never returned. The names of
legal representatives are returned only by their list, a read audited as a view of the case.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.api.errors import RecordInvalid, django_validation_error
from wayhome.api.fields import MultiLine, SingleLine, api_user
from wayhome.api.schemas import Error, Unmet
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.selectors import case_get
from wayhome.consent import services
from wayhome.consent.models import (
    SIGNED_FORM_MAX_BYTES,
    DataSharingConsent,
    InformationSession,
    LegalRepresentative,
    RepresentativeDecision,
)
from wayhome.consent.rules import member_states
from wayhome.consent.selectors import member_get, member_state
from wayhome.people.models import Person

router = Router(tags=["consent"])

ERRORS: dict[int, Any] = {401: Error, 404: Error, 422: Error}
TopicCode = Literal[
    "return_process",
    "assistance_available",
    "situation_in_origin",
    "rights_and_withdrawal",
    "data_protection",
]
PurposeCode = Literal[
    "reintegration_assistance", "travel_arrangements", "medical_escort", "monitoring", "research"
]
RecipientKindCode = Literal["origin_office", "partner", "government_authority"]
#: ``LegalRepresentative.Kind`` and ``RepresentativeDecision.Decision`` (a test keeps them equal).
RepresentativeKindCode = Literal["guardian", "legal_representative", "other"]
DecisionCode = Literal["agrees", "refuses"]
SignedFormType = Literal["", "application/pdf", "image/jpeg", "image/png"]


def _invalid(exc: DjangoValidationError) -> RecordInvalid:
    return django_validation_error(exc)


# --- sessions -----------------------------------------------------------------------------------


class SessionOut(Schema):
    id: uuid.UUID
    held_on: datetime.date
    counsellor_id: uuid.UUID
    language: str
    interpreter: bool
    topics: list[str]
    materials_given: str
    attendee_ids: list[uuid.UUID]
    created_at: datetime.datetime

    @staticmethod
    def resolve_attendee_ids(obj: InformationSession) -> list[uuid.UUID]:
        return [member.pk for member in obj.attendees.all()]


class SessionIn(Schema):
    held_on: datetime.date
    language: str = Field(max_length=3, description="ISO 639 code", examples=["ar"])
    topics: list[TopicCode] = Field(default_factory=list)
    attendee_ids: list[uuid.UUID] = Field(
        default_factory=list, description="Members of the case who attended."
    )
    interpreter: bool = False
    interpreter_name: str = Field("", max_length=150)
    materials_given: str = Field("", max_length=2000)


@router.get(
    "/{case_id}/sessions",
    response={200: list[SessionOut], **ERRORS},
    summary="A case's information sessions",
)
def list_sessions(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = case_get(api_user(request), case_id, perm=Perm.CASE_VIEW)
    return case.information_sessions.prefetch_related("attendees")


@router.post(
    "/{case_id}/sessions",
    response={201: SessionOut, **ERRORS},
    summary="Record an information session",
)
def create_session(request: HttpRequest, case_id: uuid.UUID, payload: SessionIn) -> Status:
    """The token's user is recorded as the counsellor."""
    user = api_user(request)
    case = case_get(user, case_id, perm=Perm.CASE_CHANGE)
    members = list(CaseMember.objects.filter(case=case, pk__in=payload.attendee_ids))
    if len(members) != len(set(payload.attendee_ids)):
        raise _invalid(
            DjangoValidationError(
                {"attendee_ids": _("Choose attendees among the members of this case.")}
            )
        )
    try:
        session = services.session_record(
            actor=user,
            case=case,
            held_on=payload.held_on,
            language=payload.language.strip().lower(),
            topics=list(payload.topics),
            attendees=members,
            interpreter=payload.interpreter,
            interpreter_name=payload.interpreter_name,
            materials_given=payload.materials_given,
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, session)


# --- declarations -------------------------------------------------------------------------------


class DeclarationOut(Schema):
    id: uuid.UUID
    freedom_of_choice: bool
    informed_decision: bool
    declared_on: datetime.date
    has_signed_form: bool
    signed_form_type: str
    in_detention: bool
    detention_reviewed: bool
    detention_reviewed_at: datetime.datetime | None
    counts: bool
    created_at: datetime.datetime


class MemberDeclarationOut(Schema):
    member_id: uuid.UUID
    label: str = Field(description="Relationship and position on the case, never a name.")
    child: bool
    lacks_capacity: bool
    sessions_attended: int
    declaration: DeclarationOut | None
    unmet: list[Unmet]


class DeclarationIn(Schema):
    freedom_of_choice: bool
    informed_decision: bool
    declared_on: datetime.date
    in_detention: bool = False
    signed_form_base64: str = Field(
        "", description=f"The signed form (PDF, JPEG or PNG, at most {SIGNED_FORM_MAX_BYTES} bytes)"
    )
    signed_form_type: SignedFormType = ""


class ReviewIn(Schema):
    note: str = Field("", max_length=2000)


def _member_out(case: Case, member: CaseMember) -> MemberDeclarationOut:
    state = member_state(case, member)
    return MemberDeclarationOut(
        member_id=member.pk,
        label=state.label,
        child=state.child,
        lacks_capacity=state.lacks_capacity,
        sessions_attended=len(state.sessions),
        declaration=DeclarationOut.from_orm(state.declaration) if state.declaration else None,
        unmet=[Unmet(**unmet.as_dict()) for unmet in state.unmet],
    )


def _decode(data: str) -> bytes | None:
    if not data:
        return None
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise _invalid(
            DjangoValidationError({"signed_form_base64": _("The file is not valid base64.")})
        ) from None


@router.get(
    "/{case_id}/members/{member_id}/declaration",
    response={200: MemberDeclarationOut, **ERRORS},
    summary="A member's declaration in force and what is missing",
)
def get_declaration(request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID) -> Any:
    case, member = member_get(api_user(request), case_id, member_id, perm=Perm.CASE_VIEW)
    return _member_out(case, member)


@router.post(
    "/{case_id}/members/{member_id}/declaration",
    response={201: MemberDeclarationOut, **ERRORS},
    summary="Record a voluntariness declaration (replaces the one in force)",
)
def create_declaration(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, payload: DeclarationIn
) -> Status:
    user = api_user(request)
    case, member = member_get(user, case_id, member_id, perm=Perm.CASE_CHANGE)
    try:
        services.declaration_record(
            actor=user,
            member=member,
            freedom_of_choice=payload.freedom_of_choice,
            informed_decision=payload.informed_decision,
            declared_on=payload.declared_on,
            in_detention=payload.in_detention,
            signed_form=_decode(payload.signed_form_base64),
            signed_form_type=payload.signed_form_type,
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, _member_out(case, member))


@router.post(
    "/{case_id}/members/{member_id}/declaration/review",
    response={200: MemberDeclarationOut, **ERRORS},
    summary="Second review of the declaration of a person in detention",
)
def review_declaration(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, payload: ReviewIn
) -> Any:
    """By a staff member other than the recorder, holding "change" or "approve case"."""
    user = api_user(request)
    case, member = member_get(user, case_id, member_id, perm=Perm.CASE_VIEW)
    declaration = member.declarations.defer("signed_form").first()
    if declaration is None:
        raise Http404
    try:
        services.declaration_review(actor=user, declaration=declaration, note=payload.note)
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return _member_out(case, member)


@router.get(
    "/{case_id}/voluntariness",
    response={200: list[MemberDeclarationOut], **ERRORS},
    summary="Every member's consent state and what is missing before submission",
)
def case_voluntariness(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = case_get(api_user(request), case_id, perm=Perm.CASE_VIEW)
    return [
        MemberDeclarationOut(
            member_id=state.member.pk,
            label=state.label,
            child=state.child,
            lacks_capacity=state.lacks_capacity,
            sessions_attended=len(state.sessions),
            declaration=DeclarationOut.from_orm(state.declaration) if state.declaration else None,
            unmet=[Unmet(**u.as_dict()) for u in state.unmet] if state.member.travelling else [],
        )
        for state in member_states(case)
    ]


# --- capacity and legal representation ----------------------------------------------------------


class CapacityIn(Schema):
    has_capacity: bool = Field(description="False: a guardian or legal representative decides.")
    assessed_on: datetime.date
    assessor: SingleLine = Field(max_length=200, description="Name and role of the assessor.")
    notes: MultiLine = Field("", max_length=5000)


class RepresentativeIn(Schema):
    name: SingleLine = Field(max_length=200)
    kind: RepresentativeKindCode = Field(
        description="Only a guardian's or legal representative's decision counts."
    )
    relationship: SingleLine = Field("", max_length=100, examples=["mother"])
    contact: SingleLine = Field("", max_length=300)


class LatestDecisionOut(Schema):
    decision: str
    decided_on: datetime.date
    has_signed_form: bool


class RepresentativeOut(Schema):
    """A representative as recorded, without their name or contact."""

    id: uuid.UUID
    kind: str
    relationship: str
    created_at: datetime.datetime
    latest_decision: LatestDecisionOut | None = None


class RepresentativeListOut(RepresentativeOut):
    name: str


class DecisionIn(Schema):
    decision: DecisionCode
    decided_on: datetime.date
    signed_form_base64: str = Field(
        "", description=f"The signed form (PDF, JPEG or PNG, at most {SIGNED_FORM_MAX_BYTES} bytes)"
    )
    signed_form_type: SignedFormType = ""


def _decision_out(decision: RepresentativeDecision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "decision": decision.decision,
        "decided_on": decision.decided_on,
        "has_signed_form": bool(decision.signed_form_type),
    }


@router.post(
    "/{case_id}/members/{member_id}/capacity",
    response={201: MemberDeclarationOut, **ERRORS},
    summary="Record a capacity assessment (replaces the one in force)",
)
def create_capacity(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, payload: CapacityIn
) -> Status:
    """A member assessed as lacking capacity is covered by a guardian's or legal
    representative's decision instead of their own declaration."""
    user = api_user(request)
    case, member = member_get(user, case_id, member_id, perm=Perm.CASE_CHANGE)
    try:
        services.capacity_record(
            actor=user,
            member=member,
            has_capacity=payload.has_capacity,
            assessed_on=payload.assessed_on,
            assessor=payload.assessor,
            notes=payload.notes,
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, _member_out(case, member))


@router.get(
    "/{case_id}/members/{member_id}/representatives",
    response={200: list[RepresentativeListOut], **ERRORS},
    summary="A member's guardians and legal representatives, with their latest decision",
)
def list_representatives(request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID) -> Any:
    """Oldest first. Names the representatives: audited as a view of the case."""
    user = api_user(request)
    case, member = member_get(user, case_id, member_id, perm=Perm.CASE_VIEW)
    representatives = list(LegalRepresentative.objects.filter(member=member))
    latest: dict[Any, RepresentativeDecision] = {}
    decisions = RepresentativeDecision.objects.filter(representative__member=member).defer(
        "signed_form"
    )
    for decision in decisions:  # latest first
        latest.setdefault(decision.representative_id, decision)
    audit_record(
        actor=user, action="case.view", obj=case, details={"api": True, "read": "representatives"}
    )
    return [
        {
            "id": representative.pk,
            "name": representative.name,
            "kind": representative.kind,
            "relationship": representative.relationship,
            "created_at": representative.created_at,
            "latest_decision": _decision_out(latest.get(representative.pk)),
        }
        for representative in representatives
    ]


@router.post(
    "/{case_id}/members/{member_id}/representatives",
    response={201: RepresentativeOut, **ERRORS},
    summary="Add a guardian or legal representative of a member",
)
def create_representative(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, payload: RepresentativeIn
) -> Status:
    """The answer leaves out the name and contact sent (read them in the list)."""
    user = api_user(request)
    _case, member = member_get(user, case_id, member_id, perm=Perm.CASE_CHANGE)
    try:
        representative = services.representative_add(
            actor=user,
            member=member,
            name=payload.name,
            kind=payload.kind,
            relationship=payload.relationship,
            contact=payload.contact,
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return Status(
        201,
        RepresentativeOut(
            id=representative.pk,
            kind=representative.kind,
            relationship=representative.relationship,
            created_at=representative.created_at,
        ),
    )


@router.post(
    "/{case_id}/members/{member_id}/representatives/{representative_id}/decision",
    response={201: MemberDeclarationOut, **ERRORS},
    summary="Record a representative's decision about the member's return",
)
def create_representative_decision(
    request: HttpRequest,
    case_id: uuid.UUID,
    member_id: uuid.UUID,
    representative_id: uuid.UUID,
    payload: DecisionIn,
) -> Status:
    """The representative's latest decision replaces their earlier one. A representative of
    another member answers 404."""
    user = api_user(request)
    case, member = member_get(user, case_id, member_id, perm=Perm.CASE_CHANGE)
    representative = LegalRepresentative.objects.filter(pk=representative_id, member=member).first()
    if representative is None:
        raise Http404
    try:
        services.representative_decision_record(
            actor=user,
            member=member,
            representative=representative,
            decision=payload.decision,
            decided_on=payload.decided_on,
            signed_form=_decode(payload.signed_form_base64),
            signed_form_type=payload.signed_form_type,
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, _member_out(case, member))


# --- withdrawal ---------------------------------------------------------------------------------


class WithdrawalIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, examples=["Decided to stay with family."])
    withdrawn_on: datetime.date | None = None


class WithdrawalOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    withdrawn_on: datetime.date
    case_status: str

    @staticmethod
    def resolve_case_status(obj: Any) -> str:
        return str(obj.case.status)


@router.post(
    "/{case_id}/withdrawal",
    response={201: WithdrawalOut, 409: Error, **ERRORS},
    summary="The migrant withdraws (before departure only; final)",
)
def create_withdrawal(request: HttpRequest, case_id: uuid.UUID, payload: WithdrawalIn) -> Status:
    """Effective at once: the case becomes ``withdrawn``. After departure: 409
    ``transition_blocked``."""
    user = api_user(request)
    case = case_get(user, case_id, perm=Perm.CASE_CHANGE)
    try:
        withdrawal = services.case_withdraw(
            actor=user, case=case, reason=payload.reason, withdrawn_on=payload.withdrawn_on
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, withdrawal)


# --- data-sharing consents ----------------------------------------------------------------------


class ConsentOut(Schema):
    id: uuid.UUID
    person_id: uuid.UUID
    purpose: str
    recipient_kind: str
    recipient_office_id: uuid.UUID | None
    recipient_name: str
    given_on: datetime.date
    revoked_on: datetime.date | None
    active: bool


class ConsentIn(Schema):
    person_id: uuid.UUID = Field(description="A person on this case.")
    purpose: PurposeCode
    recipient_kind: RecipientKindCode
    recipient_office_id: uuid.UUID | None = None
    recipient_name: str = Field("", max_length=200)
    given_on: datetime.date


def _case_people(case: Case) -> list[Any]:
    return list(CaseMember.objects.filter(case=case).values_list("person_id", flat=True))


@router.get(
    "/{case_id}/consents",
    response={200: list[ConsentOut], **ERRORS},
    summary="Data-sharing consents of the people on a case",
)
def list_consents(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = case_get(api_user(request), case_id, perm=Perm.CASE_VIEW)
    return DataSharingConsent.objects.filter(person_id__in=_case_people(case))


@router.post(
    "/{case_id}/consents",
    response={201: ConsentOut, **ERRORS},
    summary="Record a data-sharing consent of a person on the case",
)
def create_consent(request: HttpRequest, case_id: uuid.UUID, payload: ConsentIn) -> Status:
    user = api_user(request)
    case = case_get(user, case_id, perm=Perm.CASE_CHANGE)
    if payload.person_id not in _case_people(case):
        raise _invalid(DjangoValidationError({"person_id": _("Choose a person on this case.")}))
    person = Person.objects.defer("photo").get(pk=payload.person_id)
    office = None
    if payload.recipient_office_id is not None:
        office = Office.objects.filter(pk=payload.recipient_office_id, is_active=True).first()
        if office is None:
            raise _invalid(DjangoValidationError({"recipient_office_id": _("Unknown office.")}))
    try:
        consent = services.consent_give(
            actor=user,
            person=person,
            purpose=payload.purpose,
            recipient_kind=payload.recipient_kind,
            recipient_office=office,
            recipient_name=payload.recipient_name,
            given_on=payload.given_on,
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, consent)


@router.post(
    "/{case_id}/consents/{consent_id}/revoke",
    response={200: ConsentOut, 409: Error, **ERRORS},
    summary="Revoke a data-sharing consent (effective at once)",
)
def revoke_consent(request: HttpRequest, case_id: uuid.UUID, consent_id: uuid.UUID) -> Any:
    user = api_user(request)
    case = case_get(user, case_id, perm=Perm.CASE_CHANGE)
    consent = DataSharingConsent.objects.filter(
        pk=consent_id, person_id__in=_case_people(case)
    ).first()
    if consent is None:
        raise Http404
    try:
        return services.consent_revoke(actor=user, consent=consent)
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "revoked":
            raise HttpError(409, str(exc.messages[0])) from None
        raise _invalid(exc) from None
