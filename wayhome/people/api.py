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
from ninja.pagination import paginate

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere, offices_with
from wayhome.api.errors import code_for, django_validation_error
from wayhome.api.schemas import Error
from wayhome.audit.services import audit_record
from wayhome.core.paging import CappedLimitOffset
from wayhome.core.ratelimit import search_allowed
from wayhome.people.duplicates import duplicate_candidates
from wayhome.people.models import Person
from wayhome.people.selectors import (
    document_get,
    person_access,
    person_get,
    person_list,
    search_kind,
)
from wayhome.people.services import (
    document_add,
    document_remove,
    document_update,
    match_enquiry_create,
    person_create,
    person_update,
)

router = Router(tags=["people"])

Precision = Literal["exact", "year", "estimated"]
Sex = Literal["female", "male", "other", "unknown"]
ContactKind = Literal["phone", "email", "messaging", "address", "other"]
DocumentKind = Literal[
    "passport",
    "national_id",
    "travel_document",
    "laissez_passer",
    "birth_certificate",
    "residence_permit",
    "other",
]


class Contact(Schema):
    kind: ContactKind
    value: str = Field(min_length=1, max_length=200)


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
    other_names: list[str]
    gender_identity: str
    other_nationalities: list[str]
    languages: list[str]
    contacts: list[Contact]
    has_photo: bool
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_has_photo(obj: Person) -> bool:
        return bool(obj.photo_type)


class PersonIn(Schema):
    office_id: uuid.UUID
    given_name: str = Field(min_length=1, max_length=150)
    family_name: str = Field(min_length=1, max_length=150)
    name_as_written: str = Field("", max_length=300)
    date_of_birth: datetime.date | None = None
    dob_precision: Precision = "exact"
    sex: Sex = "unknown"
    nationality: str = Field("", max_length=2)
    other_names: list[str] = Field(default_factory=list, max_length=20)
    gender_identity: str = Field("", max_length=100)
    other_nationalities: list[str] = Field(default_factory=list, max_length=10)
    languages: list[str] = Field(
        default_factory=list, max_length=20, description="ISO 639 codes, preferred first."
    )
    contacts: list[Contact] = Field(default_factory=list, max_length=20)


class PersonPatch(Schema):
    version: int = Field(description="The version read; a stale edit is refused with 409.")
    given_name: str | None = Field(None, min_length=1, max_length=150)
    family_name: str | None = Field(None, min_length=1, max_length=150)
    name_as_written: str | None = Field(None, max_length=300)
    date_of_birth: datetime.date | None = None
    dob_precision: Precision | None = None
    sex: Sex | None = None
    nationality: str | None = Field(None, max_length=2)
    other_names: list[str] | None = Field(None, max_length=20)
    gender_identity: str | None = Field(None, max_length=100)
    other_nationalities: list[str] | None = Field(None, max_length=10)
    languages: list[str] | None = Field(None, max_length=20)
    contacts: list[Contact] | None = Field(None, max_length=20)


class IdentifyIn(Schema):
    """The identifying fields of a duplicate check."""

    given_name: str = Field(min_length=1, max_length=150)
    family_name: str = Field("", max_length=150)
    name_as_written: str = Field("", max_length=300)
    other_names: list[str] = Field(default_factory=list, max_length=20)
    date_of_birth: datetime.date | None = None
    dob_precision: Precision = "exact"
    sex: Sex = "unknown"
    nationality: str = Field("", max_length=2)
    other_nationalities: list[str] = Field(default_factory=list, max_length=10)


class AssistedOut(Schema):
    reference: str
    office: str
    status: str
    date: datetime.date


class CandidateOut(Schema):
    """A possible match: ``person`` only where the user may see it; otherwise only the office,
    and ``reference`` to ask it (``POST /people/enquiries``)."""

    office_name: str
    score: float
    person: PersonOut | None
    reference: str
    assisted: list[AssistedOut]


class EnquiryIn(Schema):
    reference: str = Field(min_length=1, max_length=1000)
    from_office_id: uuid.UUID
    message: str = Field("", max_length=2000)


class EnquiryOut(Schema):
    id: uuid.UUID
    from_office_id: uuid.UUID
    to_office_id: uuid.UUID
    status: str
    created_at: datetime.datetime


class DocumentOut(Schema):
    id: uuid.UUID
    kind: str
    number: str
    issuing_country: str
    expires_on: datetime.date | None
    version: int


class DocumentIn(Schema):
    kind: DocumentKind
    number: str = Field(min_length=1, max_length=60)
    issuing_country: str = Field(min_length=2, max_length=2)
    expires_on: datetime.date | None = None


class DocumentPatch(Schema):
    version: int
    kind: DocumentKind | None = None
    number: str | None = Field(None, min_length=1, max_length=60)
    issuing_country: str | None = Field(None, min_length=2, max_length=2)
    expires_on: datetime.date | None = None


class PersonSearchIn(Schema):
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
    # The list defers the contacts, which PersonOut shows: load them with the rows (not per row).
    people = person_list(request.auth.user, query=query)  # type: ignore[attr-defined]
    return people.defer(None).defer("photo")


@router.get("", response=list[PersonOut], summary="People the token's user may see")
@paginate(CappedLimitOffset)
def list_people(request: HttpRequest) -> Any:
    """Newest first, paged with ``limit`` and ``offset``. Audited as a list."""
    return _audited_list(request)


@router.post(
    "/search",
    response={200: list[PersonOut], **ERRORS, 429: Error},
    summary="Find people by exact name or birth",
)
@paginate(CappedLimitOffset)
def search_people(request: HttpRequest, payload: PersonSearchIn) -> Any:
    """Exact lookup through the blind indexes; audited without the searched text. At most
    ``WAYHOME_SEARCH_LIMIT`` searches an hour per user (pages included); beyond, 429."""
    if not search_allowed(request.auth.user):  # type: ignore[attr-defined]
        raise HttpError(429, str(code_for(429)[1]))
    return _audited_list(request, payload.q)


def _invalid(exc: DjangoValidationError) -> Exception:
    if getattr(exc, "code", None) == "stale":
        return HttpError(409, str(exc.message))
    return django_validation_error(exc)


@router.post("/duplicates", response={200: list[CandidateOut], **ERRORS}, summary="Duplicate check")
def check_duplicates(request: HttpRequest, payload: IdentifyIn) -> list[dict[str, Any]]:
    """The likely existing records of these identifying fields in every office, best first.
    Records of an office the user may not see give only the office's name. Audited with the
    number of candidates only."""
    user = request.auth.user  # type: ignore[attr-defined]
    if not has_perm_anywhere(user, Perm.PERSON_CREATE):
        raise Http404
    return [
        {
            "office_name": candidate.office.name,
            "score": candidate.score,
            "person": candidate.person,
            "reference": candidate.reference,
            "assisted": candidate.assisted,
        }
        for candidate in duplicate_candidates(user, payload.dict())
    ]


@router.post("/enquiries", response={201: EnquiryOut, **ERRORS}, summary="Ask another office")
def create_enquiry(request: HttpRequest, payload: EnquiryIn) -> Status:
    user = request.auth.user  # type: ignore[attr-defined]
    if payload.from_office_id not in offices_with(user, Perm.PERSON_CREATE):
        raise Http404
    office = Office.objects.get(pk=payload.from_office_id)
    try:
        enquiry = match_enquiry_create(
            actor=user, from_office=office, reference=payload.reference, message=payload.message
        )
    except DjangoValidationError as exc:
        raise _invalid(exc) from None
    return Status(201, enquiry)


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
    data["contacts"] = [dict(contact) for contact in data["contacts"]]
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
    if data.get("contacts") is not None:
        data["contacts"] = [dict(contact) for contact in data["contacts"]]
    try:
        return person_update(actor=user, person=person, version=payload.version, **data)
    except DjangoValidationError as exc:
        if getattr(exc, "code", None) == "stale":
            raise HttpError(409, str(exc.message)) from None
        raise django_validation_error(exc) from None


@router.get(
    "/{person_id}/documents",
    response={200: list[DocumentOut], **ERRORS},
    summary="A person's identity documents",
)
def list_documents(request: HttpRequest, person_id: uuid.UUID) -> Any:
    """Audited as a view of the person's record."""
    person = person_access(request.auth.user, person_id)  # type: ignore[attr-defined]
    return list(person.documents.all())


@router.post(
    "/{person_id}/documents", response={201: DocumentOut, **ERRORS}, summary="Add a document"
)
def add_document(request: HttpRequest, person_id: uuid.UUID, payload: DocumentIn) -> Status:
    user = request.auth.user  # type: ignore[attr-defined]
    person = person_get(user, person_id, perm=Perm.PERSON_CHANGE)
    try:
        return Status(201, document_add(actor=user, person=person, **payload.dict()))
    except DjangoValidationError as exc:
        raise _invalid(exc) from None


@router.patch(
    "/{person_id}/documents/{document_id}",
    response={200: DocumentOut, 409: Error, **ERRORS},
    summary="Change a document",
)
def change_document(
    request: HttpRequest, person_id: uuid.UUID, document_id: uuid.UUID, payload: DocumentPatch
) -> Any:
    user = request.auth.user  # type: ignore[attr-defined]
    person = person_get(user, person_id, perm=Perm.PERSON_CHANGE)
    document = document_get(user, person, document_id)
    data = payload.dict(exclude={"version"}, exclude_unset=True)
    try:
        return document_update(actor=user, document=document, version=payload.version, **data)
    except DjangoValidationError as exc:
        raise _invalid(exc) from None


@router.delete(
    "/{person_id}/documents/{document_id}",
    response={204: None, **ERRORS},
    summary="Remove a document",
)
def remove_document(request: HttpRequest, person_id: uuid.UUID, document_id: uuid.UUID) -> Status:
    user = request.auth.user  # type: ignore[attr-defined]
    person = person_get(user, person_id, perm=Perm.PERSON_CHANGE)
    document_remove(actor=user, document=document_get(user, person, document_id))
    return Status(204, None)
