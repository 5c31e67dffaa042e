"""People over the REST API: list, search, read, register and change.

The same services, selectors and policies as the pages: an invisible person answers 404, every
read of a record is audited, a search is a POST so that no name reaches a URL or an access log.
"""

import datetime
import uuid
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from ninja import Field, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.api.errors import django_validation_error
from wayhome.api.schemas import Error
from wayhome.audit.services import audit_record
from wayhome.people.models import Person
from wayhome.people.selectors import person_access, person_get, person_list, search_kind
from wayhome.people.services import person_create, person_update

router = Router(tags=["people"])

Precision = Literal["exact", "year", "estimated"]
Sex = Literal["female", "male", "other", "unknown"]


class PersonOut(Schema):
    id: uuid.UUID
    office_id: uuid.UUID
    given_name: str
    family_name: str
    name_as_written: str
    date_of_birth: datetime.date | None
    dob_precision: str
    sex: str
    nationality: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class PersonIn(Schema):
    office_id: uuid.UUID
    given_name: str = Field(min_length=1, max_length=150)
    family_name: str = Field(min_length=1, max_length=150)
    name_as_written: str = Field("", max_length=300)
    date_of_birth: datetime.date | None = None
    dob_precision: Precision = "exact"
    sex: Sex = "unknown"
    nationality: str = Field("", max_length=2)


class PersonPatch(Schema):
    version: int = Field(description="The version read; a stale edit is refused with 409.")
    given_name: str | None = Field(None, min_length=1, max_length=150)
    family_name: str | None = Field(None, min_length=1, max_length=150)
    name_as_written: str | None = Field(None, max_length=300)
    date_of_birth: datetime.date | None = None
    dob_precision: Precision | None = None
    sex: Sex | None = None
    nationality: str | None = Field(None, max_length=2)


class SearchIn(Schema):
    q: str = Field(
        min_length=1,
        max_length=300,
        description="The exact full name (any order, case and accents) or an ISO date of birth.",
    )


ERRORS: dict[int, Any] = {401: Error, 404: Error, 422: Error}


def _audited_list(request: HttpRequest, query: str = "") -> Any:
    kind = search_kind(query)
    audit_record(
        actor=request.auth.user,  # type: ignore[attr-defined]
        action="person.search" if kind else "person.list",
        details={"by": kind, "api": True} if kind else {"api": True},
    )
    return person_list(request.auth.user, query=query)  # type: ignore[attr-defined]


@router.get("", response=list[PersonOut], summary="People the token's user may see")
@paginate(LimitOffsetPagination)
def list_people(request: HttpRequest) -> Any:
    """Newest first, paged with ``limit`` and ``offset``. Audited as a list."""
    return _audited_list(request)


@router.post("/search", response=list[PersonOut], summary="Find people by exact name or birth")
@paginate(LimitOffsetPagination)
def search_people(request: HttpRequest, payload: SearchIn) -> Any:
    """Exact lookup through the blind indexes; audited without the searched text."""
    return _audited_list(request, payload.q)


@router.get("/{person_id}", response={200: PersonOut, **ERRORS}, summary="One person's record")
def get_person(request: HttpRequest, person_id: uuid.UUID) -> Person:
    """Audited as a view of the record."""
    return person_access(request.auth.user, person_id)  # type: ignore[attr-defined]


@router.post("", response={201: PersonOut, **ERRORS}, summary="Register a person")
def create_person(request: HttpRequest, payload: PersonIn) -> Status:
    user = request.auth.user  # type: ignore[attr-defined]
    if payload.office_id not in offices_with(user, Perm.PERSON_CREATE):
        raise Http404
    office = Office.objects.get(pk=payload.office_id)
    data = payload.dict(exclude={"office_id"})
    try:
        return Status(201, person_create(actor=user, office=office, **data))
    except DjangoValidationError as exc:
        raise django_validation_error(exc) from None


@router.patch("/{person_id}", response={200: PersonOut, 409: Error, **ERRORS})
def update_person(request: HttpRequest, person_id: uuid.UUID, payload: PersonPatch) -> Person:
    """Change some details. ``version`` must be the one read: a stale edit answers 409."""
    user = request.auth.user  # type: ignore[attr-defined]
    person = person_get(user, person_id, perm=Perm.PERSON_CHANGE)
    data = payload.dict(exclude={"version"}, exclude_unset=True)
    try:
        return person_update(actor=user, person=person, version=payload.version, **data)
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "stale":
            raise HttpError(409, str(exc.message)) from None
        raise django_validation_error(exc) from None
