"""Cases over the REST API: list, search, open, read, change, and moves in the workflow.

The same services, selectors and policies as the pages: an invisible case answers 404, every read
of a case is audited, a search is a POST (no name in a URL). A refused move answers 409
``transition_blocked`` with every unmet condition (``wayhome.api.errors``); bad input answers 422
with field errors and saves nothing.
"""

import datetime
import unicodedata
import uuid
from typing import Annotated, Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate
from pydantic import AfterValidator

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.api.errors import django_validation_error, invalid_field
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error, Unmet
from wayhome.audit.services import audit_record
from wayhome.cases import selectors
from wayhome.cases.forms import caseworkers_of
from wayhome.cases.models import Case, CaseTransition, MigrantCategory, Programme, Relationship
from wayhome.cases.services import case_create, case_member_add, case_transition, case_update
from wayhome.cases.workflow import Status as CaseStatus
from wayhome.core.paging import CappedLimitOffset
from wayhome.people.selectors import person_policy

router = Router(tags=["cases"])


def _no_control_characters(value: str) -> str:
    """Text without control characters (line breaks and tabs allowed)."""
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        raise ValueError("Control characters are not allowed.")
    return value


Text = Annotated[str, AfterValidator(_no_control_characters)]


class MemberOut(Schema):
    person_id: uuid.UUID
    relationship: str
    travelling: bool


class CaseSummary(Schema):
    id: uuid.UUID
    reference: str
    office_id: uuid.UUID
    programme: str
    category: str
    status: str
    principal_id: uuid.UUID
    destination_country: str
    destination_region: str
    assigned_to_id: uuid.UUID | None
    status_changed_at: datetime.datetime | None
    version: int
    created_at: datetime.datetime


class CaseOut(CaseSummary):
    destination_place: str
    funding_source: str
    notes: str
    submitted_by_id: uuid.UUID | None
    updated_at: datetime.datetime
    members: list[MemberOut]

    @staticmethod
    def resolve_members(obj: Case) -> list[MemberOut]:
        return [
            MemberOut(person_id=m.person_id, relationship=m.relationship, travelling=m.travelling)
            for m in selectors.case_members(obj)
        ]


class CaseFiltersIn(Schema):
    status: CaseStatus | None = None
    category: MigrantCategory | None = None
    office_id: uuid.UUID | None = None
    assigned_to_id: uuid.UUID | None = None
    destination_country: str | None = Field(None, min_length=2, max_length=2)
    mine: bool = False
    overdue: bool = Field(False, description="In the same open status for over 30 days.")
    reference: str | None = Field(None, max_length=40)


class CaseSearchIn(Schema):
    q: Text = Field(
        min_length=1,
        max_length=300,
        description="A case reference (or part of it), or the exact full name of anyone on it.",
    )


class MemberIn(Schema):
    person_id: uuid.UUID
    relationship: Relationship = Field(description="Not 'principal': the principal is apart.")


class CaseIn(Schema):
    office_id: uuid.UUID
    principal_id: uuid.UUID
    members: list[MemberIn] = Field(default_factory=list, max_length=30)
    programme: Programme
    category: MigrantCategory
    destination_country: str = Field(min_length=2, max_length=2)
    destination_region: str = Field("", max_length=8)
    destination_place: Text = Field("", max_length=200)
    assigned_to_id: uuid.UUID | None = None
    funding_source: Text = Field("", max_length=120)
    notes: Text = Field("", max_length=5000)


class CasePatch(Schema):
    version: int = Field(description="The version read; a stale edit is refused with 409.")
    programme: Programme | None = None
    category: MigrantCategory | None = None
    destination_country: str | None = Field(None, min_length=2, max_length=2)
    destination_region: str | None = Field(None, max_length=8)
    destination_place: Text | None = Field(None, max_length=200)
    assigned_to_id: uuid.UUID | None = None
    funding_source: Text | None = Field(None, max_length=120)
    notes: Text | None = Field(None, max_length=5000)


class TransitionIn(Schema):
    to: CaseStatus
    reason: Text = Field("", max_length=2000)


class TransitionOut(Schema):
    id: int
    source: str = Field(serialization_alias="from")
    target: str = Field(serialization_alias="to")
    actor_id: uuid.UUID | None
    reason: str
    occurred_at: datetime.datetime


class MissingOut(Schema):
    to: str
    unmet: list[Unmet]


ERRORS: dict[int, Any] = {401: Error, 404: Error, 422: Error}


def _caseworker(office_id: uuid.UUID, user_id: uuid.UUID | None, field: str) -> Any:
    if user_id is None:
        return None
    worker = caseworkers_of([office_id]).filter(pk=user_id).first()
    if worker is None:
        raise invalid_field(field, "Not a caseworker of the case's office.", "not_a_caseworker")
    return worker


@router.get("", response=list[CaseSummary], summary="Cases the token's user may see")
@paginate(CappedLimitOffset)
def list_cases(request: HttpRequest, filters: Query[CaseFiltersIn]) -> Any:
    """Newest first, paged with ``limit`` and ``offset``; filters as query parameters (never a
    name: search names with ``POST /cases/search``). Audited as a list."""
    user = api_user(request)
    audit_record(actor=user, action="case.list", details={"api": True})
    return selectors.case_filter(
        user,
        selectors.case_list(user),
        selectors.CaseFilters(
            status=filters.status or "",
            category=filters.category or "",
            office_id=filters.office_id,
            assigned_to_id=filters.assigned_to_id,
            destination_country=filters.destination_country or "",
            mine=filters.mine,
            overdue=filters.overdue,
            reference=filters.reference or "",
        ),
    )


@router.post("/search", response=list[CaseSummary], summary="Find cases by reference or name")
@paginate(CappedLimitOffset)
def search_cases(request: HttpRequest, payload: CaseSearchIn) -> Any:
    """By reference, or the exact full name of the principal or a member (blind index).
    Audited without the searched text."""
    user = api_user(request)
    audit_record(actor=user, action="case.search", details={"api": True})
    return selectors.case_search(user, payload.q)


@router.post("", response={201: CaseOut, **ERRORS}, summary="Open a case")
def create_case(request: HttpRequest, payload: CaseIn) -> Status:
    """For people registered by the office and on no open case. Nothing is saved on error."""
    user = api_user(request)
    if payload.office_id not in offices_with(user, Perm.CASE_CREATE):
        raise Http404
    office = Office.objects.get(pk=payload.office_id)
    ids = [payload.principal_id, *(m.person_id for m in payload.members)]
    people = {p.pk: p for p in person_policy.filter(user).filter(office=office, pk__in=ids)}
    if payload.principal_id not in people:
        raise invalid_field("principal_id", "No such person registered by this office.", "unknown")
    for index, member in enumerate(payload.members):
        if member.person_id not in people:
            raise invalid_field(
                f"members.{index}.person_id", "No such person registered by this office.", "unknown"
            )
        if member.relationship == Relationship.PRINCIPAL:
            raise invalid_field(
                f"members.{index}.relationship", "The principal is given by principal_id."
            )
    data = payload.dict(exclude={"office_id", "principal_id", "members", "assigned_to_id"})
    data["assigned_to"] = _caseworker(office.pk, payload.assigned_to_id, "assigned_to_id")
    try:
        case = case_create(
            actor=user,
            office=office,
            principal=people[payload.principal_id],
            members=[(people[m.person_id], str(m.relationship)) for m in payload.members],
            **data,
        )
    except DjangoValidationError as exc:
        raise django_validation_error(exc) from None
    return Status(201, case)


@router.post(
    "/{case_id}/members",
    response={201: CaseOut, 409: Error, **ERRORS},
    summary="Add a family member to a case",
)
def create_member(request: HttpRequest, case_id: uuid.UUID, payload: MemberIn) -> Status:
    """Someone registered by the case's office and on no open case, before the application is
    submitted (after it: 409). Nothing is saved on error."""
    user = api_user(request)
    case = selectors.case_get(user, case_id, perm=Perm.CASE_CHANGE)
    person = (
        person_policy.filter(user)
        .filter(office_id=case.office_id, pk=payload.person_id)
        .defer("photo")
        .first()
    )
    if person is None:
        raise invalid_field("person_id", "No such person registered by this office.", "unknown")
    try:
        case_member_add(
            actor=user, case=case, person=person, relationship=str(payload.relationship)
        )
    except DjangoValidationError as exc:
        if not hasattr(exc, "error_dict"):  # the case's status refuses new members
            raise HttpError(409, str(exc.messages[0])) from None
        invalid = django_validation_error(exc)
        for detail in invalid.details:  # the service checks "members"; here it is one person
            if detail["field"] == "members":
                detail["field"] = "person_id"
        raise invalid from None
    return Status(201, selectors.case_get(user, case.pk))


@router.get("/{case_id}", response={200: CaseOut, **ERRORS}, summary="One case")
def get_case(request: HttpRequest, case_id: uuid.UUID) -> Case:
    """With its members and status. Audited as a view of the case."""
    return selectors.case_access(api_user(request), case_id)


@router.patch("/{case_id}", response={200: CaseOut, 409: Error, **ERRORS}, summary="Change a case")
def update_case(request: HttpRequest, case_id: uuid.UUID, payload: CasePatch) -> Case:
    """``version`` must be the one read: a stale edit answers 409."""
    user = api_user(request)
    case = selectors.case_get(user, case_id, perm=Perm.CASE_CHANGE)
    data = payload.dict(exclude={"version"}, exclude_unset=True)
    if "assigned_to_id" in data:
        wanted = data.pop("assigned_to_id")
        data["assigned_to"] = _caseworker(case.office_id, wanted, "assigned_to_id")
    if any(value is None for key, value in data.items() if key != "assigned_to"):
        missing = next(key for key, value in data.items() if value is None and key != "assigned_to")
        raise invalid_field(missing, "This field may not be null.", "null")
    try:
        return case_update(actor=user, case=case, version=payload.version, **data)
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "stale":
            raise HttpError(409, str(exc.message)) from None
        raise django_validation_error(exc) from None


def _timeline(case: Case) -> list[dict[str, Any]]:
    return [_timeline_step(step) for step in selectors.case_timeline(case)]


@router.get(
    "/{case_id}/transitions",
    response={200: list[TransitionOut], **ERRORS},
    summary="The case's moves (its timeline)",
    by_alias=True,
)
def list_transitions(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    """Oldest first: when, who, from, to and why. Audited as a view of the case."""
    return _timeline(selectors.case_access(api_user(request), case_id))


@router.post(
    "/{case_id}/transitions",
    response={201: TransitionOut, 403: Error, 409: Error, **ERRORS},
    summary="Move a case to another status",
    by_alias=True,
)
def create_transition(request: HttpRequest, case_id: uuid.UUID, payload: TransitionIn) -> Status:
    """A refused move answers 409 ``transition_blocked`` with every unmet condition in
    ``error.details``; nothing changes."""
    user = api_user(request)
    case = selectors.case_get(user, case_id)
    try:
        target = str(payload.to)
        moved = case_transition(actor=user, case=case, target=target, reason=payload.reason)
    except PermissionDenied:
        raise HttpError(403, "") from None
    except DjangoValidationError as exc:
        raise django_validation_error(exc) from None
    step = CaseTransition.objects.filter(case=moved).order_by("-occurred_at", "-id").first()
    return Status(201, _timeline_step(step))


def _timeline_step(step: CaseTransition | None) -> dict[str, Any]:
    assert step is not None  # noqa: S101 (the move was just recorded)
    return {
        "id": step.pk,
        "source": step.source,
        "target": step.target,
        "actor_id": step.actor_id,
        "reason": step.reason,
        "occurred_at": step.occurred_at,
    }


@router.get(
    "/{case_id}/missing",
    response={200: list[MissingOut], **ERRORS},
    summary="What is missing for each next step",
)
def case_missing(request: HttpRequest, case_id: uuid.UUID) -> list[dict[str, Any]]:
    """For each status the case may move to (most useful first), the conditions still unmet for
    the token's user; an empty list means the move can be made now."""
    user = api_user(request)
    case = selectors.case_get(user, case_id)
    return [
        {"to": item.target.value, "unmet": [u.as_dict() for u in item.unmet]}
        for item in selectors.case_missing(user, case)
    ]
