"""Travel over the REST API, under /api/v1/movements/...: documents, bookings (flights,
passengers, escorts), re-confirmation, reception, departure, no-show, arrival, hand-over, the
departures calendar, the manifest and the operations queue.

The same services, selectors and policies as the pages: a case of another office answers 404
whatever the operation; reading needs "view case"; writing needs what the service asks (403
otherwise); bad input answers 422 with field errors and saves nothing; a stale ``version``
answers 409; a refused move in the workflow answers 409 ``transition_blocked`` with every unmet
condition. A hand-over is read only as its package after the redaction rules
(``handover.package_of``), by the host office or the origin office it was sent to, each read
audited. Flight times are typed as local times at each airport; they are returned local (with
their UTC offset) and in UTC.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from decimal import Decimal
from typing import Any, Literal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import CharField, QuerySet, Value, When
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.pagination import paginate

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.api.errors import RecordInvalid, invalid_field, run_service
from wayhome.api.fields import MultiLine, SingleLine, api_user
from wayhome.api.schemas import Error, Unmet
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.selectors import case_access, case_get
from wayhome.consent.selectors import member_get
from wayhome.core.paging import CappedLimitOffset
from wayhome.movements import airports, selectors, services
from wayhome.movements.handover import package_of
from wayhome.movements.manifest import MANIFEST_FIELDS, manifest_rows, manifest_transfers
from wayhome.movements.models import (
    Arrival,
    Booking,
    BookingStatus,
    Escort,
    Handover,
    Reception,
    Reconfirmation,
    Segment,
    TravelDocument,
)
from wayhome.movements.rules import Traveller, checklist

router = Router(tags=["movements"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
CONFLICT: dict[int, Any] = {409: Error}

#: The models' choices (a test keeps each equal to its model's ``TextChoices``).
DocumentKindCode = Literal["passport", "laissez_passer", "emergency_travel_document"]
DocumentStatusCode = Literal["needed", "requested", "issued", "refused", "expired"]
SpecialServiceCode = Literal[
    "WCHR", "WCHS", "WCHC", "MEDA", "OXYG", "STCR", "UMNR", "MAAS", "BLND", "DEAF"
]
EscortKindCode = Literal["operational", "medical"]
ReconfirmMethodCode = Literal["in_person", "phone", "video"]
ReceiverKindCode = Literal["family", "origin_office", "partner", "authority", "other"]
ConfirmedByCode = Literal["origin_office", "partner", "escort", "host_office"]
RecipientKindCode = Literal["origin_office", "partner", "government_authority"]
PurposeCode = Literal[
    "reintegration_assistance", "travel_arrangements", "medical_escort", "monitoring", "research"
]
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
Direction = Literal["sent", "received"]

#: The longest range of the departures calendar, in days.
DEPARTURES_MAX_DAYS = 92


def _record(call: Callable[[], Any], *, fields: dict[str, str] | None = None) -> Any:
    return run_service(call, fields=fields, refused="You may not record this.")


def _no_nulls(data: dict[str, Any], nullable: set[str]) -> None:
    """A PATCH may clear a date, not a text or a choice (those take "")."""
    for key, value in data.items():
        if value is None and key not in nullable:
            raise invalid_field(key, "This field may not be null.", "null")


def _require(user: Any, case: Case, perms: tuple[Perm, ...]) -> None:
    if not services.may(user, case.office_id, perms):
        raise HttpError(403, "You may not record this.")


# --- schemas: what is read ----------------------------------------------------------------------


class TravelDocumentOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    kind: str
    status: str
    current_status: str = Field(
        description="The status, with an issued document past expiry shown as expired."
    )
    number: str
    issuing_country: str
    consulate: str
    requested_on: datetime.date | None
    issued_on: datetime.date | None
    expires_on: datetime.date | None
    version: int


class TravelFitnessOut(Schema):
    """The latest fitness-to-travel check (a summary: never its restricted details)."""

    assessed_on: datetime.date
    valid_until: datetime.date | None
    fit_to_travel: bool | None
    travel_conditions: list[str]


class TravelReconfirmationOut(Schema):
    id: uuid.UUID
    member_id: uuid.UUID
    confirmed_on: datetime.date
    wishes_to_return: bool
    method: str


class TravelTravellerOut(Schema):
    member_id: uuid.UUID
    label: str = Field(description="A display label, never a name.")
    child: bool
    passenger: bool
    documents: list[TravelDocumentOut]
    fitness: TravelFitnessOut | None
    reconfirmation: TravelReconfirmationOut | None
    received: bool
    unmet: list[Unmet]


class TravelChecklistOut(Schema):
    departure_date: datetime.date | None
    arrival_date: datetime.date | None
    ready: bool
    escort_needed: bool
    medical_escort_needed: bool
    escorts: list[str] = Field(description="Kinds of escort assigned on the open booking.")
    unmet: list[Unmet]


class MovementSegmentOut(Schema):
    id: uuid.UUID
    carrier: str
    flight_number: str
    flight: str
    origin: str
    destination: str
    departs_local: datetime.datetime = Field(description="Local time at the origin, with offset.")
    arrives_local: datetime.datetime = Field(
        description="Local time at the destination, with offset."
    )
    origin_tz: str
    destination_tz: str
    departs_at: datetime.datetime = Field(description="UTC.")
    arrives_at: datetime.datetime = Field(description="UTC.")
    transit_assistance: bool


class MovementPassengerOut(Schema):
    member_id: uuid.UUID
    special_services: list[str]


class MovementEscortOut(Schema):
    id: uuid.UUID
    kind: str
    name: str
    organisation: str
    phone: str


class MovementBookingOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    reference: str
    status: str
    baggage: str
    allowance_amount: Decimal | None
    allowance_currency: str
    notes: str
    departure_date: datetime.date | None
    arrival_date: datetime.date | None
    confirmed_at: datetime.datetime | None
    segments: list[MovementSegmentOut]
    passengers: list[MovementPassengerOut]
    escorts: list[MovementEscortOut]
    version: int

    @staticmethod
    def resolve_segments(obj: Booking) -> list[Segment]:
        return list(obj.segments.all())

    @staticmethod
    def resolve_passengers(obj: Booking) -> list[Any]:
        return list(obj.passengers.all())

    @staticmethod
    def resolve_escorts(obj: Booking) -> list[Escort]:
        return list(obj.escorts.all())


class TravelReceptionOut(Schema):
    id: uuid.UUID
    receiver_kind: str
    receiver_name: str
    contact: str
    place: str
    member_ids: list[uuid.UUID]

    @staticmethod
    def resolve_member_ids(obj: Reception) -> list[uuid.UUID]:
        return [m.pk for m in obj.members.all()]


class TravelArrivalOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    arrived_on: datetime.date
    confirmed_by: str
    reception_details: str
    office_id: uuid.UUID = Field(description="The office that confirmed it.")
    created_at: datetime.datetime


class TravelHandoverSummaryOut(Schema):
    id: uuid.UUID
    recipient_kind: str
    recipient: str = Field(description="The receiving office's name, or the partner or authority.")
    purpose: str
    created_at: datetime.datetime
    acknowledged_at: datetime.datetime | None

    @staticmethod
    def resolve_recipient(obj: Handover) -> str:
        return obj.recipient_label


class TravelHandoverListOut(TravelHandoverSummaryOut):
    direction: Direction = Field(description="Sent by the user's office, or received by it.")
    case_id: uuid.UUID
    case_reference: str
    sent_by_office: str

    @staticmethod
    def resolve_case_reference(obj: Handover) -> str:
        return obj.case.reference

    @staticmethod
    def resolve_sent_by_office(obj: Handover) -> str:
        return obj.case.office.name


class TravelHandoverOut(TravelHandoverListOut):
    package: dict[str, Any] = Field(
        description="What was handed over, after the recipient kind's redaction rules."
    )

    @staticmethod
    def resolve_package(obj: Handover) -> dict[str, Any]:
        return package_of(obj)  # never the stored package as is


class TravelCaseOut(Schema):
    case_id: uuid.UUID
    reference: str
    status: str
    checklist: TravelChecklistOut
    travellers: list[TravelTravellerOut]
    bookings: list[MovementBookingOut]
    receptions: list[TravelReceptionOut]
    arrival: TravelArrivalOut | None
    handovers: list[TravelHandoverSummaryOut]


class TravelCaseStatusOut(Schema):
    case_id: uuid.UUID
    status: str
    version: int


def _traveller_out(t: Traveller) -> dict[str, Any]:
    return {
        "member_id": t.member.pk,
        "label": t.label,
        "child": t.child,
        "passenger": t.passenger,
        "documents": t.documents,
        "fitness": t.fitness,
        "reconfirmation": t.reconfirmation,
        "received": t.received,
        "unmet": [u.as_dict() for u in t.unmet],
    }


def _status_out(case: Case) -> dict[str, Any]:
    return {"case_id": case.pk, "status": case.status, "version": case.version}


def _booking(pk: Any) -> Booking:
    return Booking.objects.prefetch_related("segments", "passengers", "escorts").get(pk=pk)


# --- the case's travel --------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}",
    response={200: TravelCaseOut, **ERRORS},
    summary="A case's travel: checklist, travellers, bookings, reception, arrival, hand-overs",
)
def get_case_travel(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """Audited as a view of the case. Travellers are named by display label; fitness checks
    are summaries (never their restricted details); hand-overs without their package."""
    case = case_access(api_user(request), case_id)
    state = checklist(case)
    bookings = Booking.objects.filter(case=case).prefetch_related(
        "segments", "passengers", "escorts"
    )
    return {
        "case_id": case.pk,
        "reference": case.reference,
        "status": case.status,
        "checklist": {
            "departure_date": state.departure_date,
            "arrival_date": state.arrival_date,
            "ready": state.ready,
            "escort_needed": state.escort_needed,
            "medical_escort_needed": state.medical_escort_needed,
            "escorts": sorted(state.escorts),
            "unmet": [u.as_dict() for u in state.unmet],
        },
        "travellers": [_traveller_out(t) for t in state.travellers],
        "bookings": list(bookings),
        "receptions": list(Reception.objects.filter(case=case).prefetch_related("members")),
        "arrival": Arrival.objects.filter(case=case).first(),
        "handovers": list(
            Handover.objects.filter(case=case).select_related("recipient_office").defer("package")
        ),
    }


# --- travel documents ---------------------------------------------------------------------------


class TravelDocumentIn(Schema):
    kind: DocumentKindCode
    status: DocumentStatusCode = "needed"
    number: SingleLine = Field("", max_length=60)
    issuing_country: str = Field("", max_length=2, description="ISO 3166-1 alpha-2.")
    consulate: SingleLine = Field("", max_length=200)
    requested_on: datetime.date | None = None
    issued_on: datetime.date | None = None
    expires_on: datetime.date | None = None
    refusal_reason: MultiLine = Field("", max_length=2000)


class TravelDocumentPatch(Schema):
    version: int = Field(description="The version read; a stale edit is refused with 409.")
    kind: DocumentKindCode | None = None
    status: DocumentStatusCode | None = None
    number: SingleLine | None = Field(None, max_length=60)
    issuing_country: str | None = Field(None, max_length=2)
    consulate: SingleLine | None = Field(None, max_length=200)
    requested_on: datetime.date | None = None
    issued_on: datetime.date | None = None
    expires_on: datetime.date | None = None
    refusal_reason: MultiLine | None = Field(None, max_length=2000)


@router.post(
    "/cases/{case_id}/members/{member_id}/documents",
    response={201: TravelDocumentOut, **ERRORS},
    summary="Record a traveller's travel document (needed, requested, issued or refused)",
)
def create_document(
    request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID, payload: TravelDocumentIn
) -> Status:
    user = api_user(request)
    _case, member = member_get(user, case_id, member_id)
    document: TravelDocument = _record(
        lambda: services.document_record(actor=user, member=member, **payload.dict())
    )
    return Status(201, document)


@router.patch(
    "/cases/{case_id}/documents/{travel_document_id}",
    response={200: TravelDocumentOut, **CONFLICT, **ERRORS},
    summary="Change a travel document (its status as the consulate answers)",
)
def update_document(
    request: HttpRequest,
    case_id: uuid.UUID,
    travel_document_id: uuid.UUID,
    payload: TravelDocumentPatch,
) -> Any:
    """``version`` must be the one read: a stale edit answers 409."""
    user = api_user(request)
    document = selectors.document_get(user, case_id, travel_document_id)
    data = payload.dict(exclude={"version"}, exclude_unset=True)
    _no_nulls(data, {"requested_on", "issued_on", "expires_on"})
    return _record(
        lambda: services.document_update(
            actor=user, document=document, version=payload.version, **data
        )
    )


# --- bookings -----------------------------------------------------------------------------------


class MovementPassengerIn(Schema):
    member_id: uuid.UUID
    special_services: list[SpecialServiceCode] = Field(
        default_factory=list, description="IATA special-service request codes."
    )


class MovementBookingIn(Schema):
    passengers: list[MovementPassengerIn] = Field(max_length=30)
    reference: SingleLine = Field("", max_length=20, description="The airline's booking code.")
    baggage: SingleLine = Field("", max_length=200)
    allowance_amount: Decimal | None = Field(None, max_digits=10, decimal_places=2, ge=0)
    allowance_currency: str = Field("", max_length=3, description="ISO 4217 (EUR).")
    notes: MultiLine = Field("", max_length=2000)


class MovementBookingPatch(Schema):
    version: int = Field(description="The version read; a stale edit is refused with 409.")
    passengers: list[MovementPassengerIn] | None = Field(None, max_length=30)
    reference: SingleLine | None = Field(None, max_length=20)
    baggage: SingleLine | None = Field(None, max_length=200)
    allowance_amount: Decimal | None = Field(None, max_digits=10, decimal_places=2, ge=0)
    allowance_currency: str | None = Field(None, max_length=3)
    notes: MultiLine | None = Field(None, max_length=2000)


def _passengers(case: Case, rows: list[MovementPassengerIn]) -> list[tuple[CaseMember, list[str]]]:
    """(member, special services) pairs; a member not of the case is a field error."""
    members = {
        m.pk: m for m in CaseMember.objects.filter(case=case, pk__in=[r.member_id for r in rows])
    }
    result = []
    for index, row in enumerate(rows):
        member = members.get(row.member_id)
        if member is None:
            raise invalid_field(
                f"passengers.{index}.member_id", "Not a member of this case.", "unknown"
            )
        result.append((member, [str(code) for code in row.special_services]))
    return result


def _members(case: Case, ids: list[uuid.UUID], field: str) -> list[CaseMember]:
    found = {
        m.pk: m
        for m in CaseMember.objects.filter(case=case, pk__in=ids)
        .select_related("person")
        .defer("person__photo")
    }
    if any(pk not in found for pk in ids):
        raise invalid_field(field, "Choose members of this case.", "unknown")
    return [found[pk] for pk in dict.fromkeys(ids)]


@router.post(
    "/cases/{case_id}/bookings",
    response={201: MovementBookingOut, **ERRORS},
    summary="Book a journey for the case's travellers (to confirm with the airline)",
)
def create_booking(request: HttpRequest, case_id: uuid.UUID, payload: MovementBookingIn) -> Status:
    """Operations officers ("manage movements"). A case has at most one booking that stands:
    cancel it before booking again."""
    user = api_user(request)
    case = case_get(user, case_id)
    _require(user, case, services.BOOKING_PERMS)
    passengers = _passengers(case, payload.passengers)
    values = payload.dict(exclude={"passengers"})
    booking: Booking = _record(
        lambda: services.booking_create(actor=user, case=case, passengers=passengers, **values)
    )
    return Status(201, _booking(booking.pk))


@router.patch(
    "/cases/{case_id}/bookings/{booking_id}",
    response={200: MovementBookingOut, **CONFLICT, **ERRORS},
    summary="Change a booking still to confirm (its passengers, reference, allowance...)",
)
def update_booking(
    request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID, payload: MovementBookingPatch
) -> Any:
    """``version`` must be the one read: a stale edit answers 409. ``passengers``, when given,
    replaces the list."""
    user = api_user(request)
    booking = selectors.booking_get(user, case_id, booking_id)
    _require(user, booking.case, services.BOOKING_PERMS)
    data = payload.dict(exclude={"version", "passengers"}, exclude_unset=True)
    _no_nulls(data, {"allowance_amount"})
    passengers = (
        _passengers(booking.case, payload.passengers) if payload.passengers is not None else None
    )
    updated: Booking = _record(
        lambda: services.booking_update(
            actor=user, booking=booking, version=payload.version, passengers=passengers, **data
        )
    )
    return _booking(updated.pk)


class MovementSegmentIn(Schema):
    carrier: SingleLine = Field(max_length=3, examples=["LH"], description="IATA airline code.")
    flight_number: SingleLine = Field(max_length=6, examples=["568"])
    origin: SingleLine = Field(max_length=4, examples=["FRA"], description="IATA airport code.")
    destination: SingleLine = Field(max_length=4, examples=["LOS"])
    departs_local: datetime.datetime = Field(
        examples=["2026-12-03T10:30"],
        description="The local time at the origin, as on the ticket (an offset may be included).",
    )
    arrives_local: datetime.datetime = Field(
        examples=["2026-12-03T16:45"], description="The local time at the destination."
    )
    departs_offset: str = Field(
        "",
        max_length=6,
        examples=["+01:00"],
        description="The UTC offset at departure, needed for a time the clocks repeat.",
    )
    arrives_offset: str = Field("", max_length=6, examples=["+01:00"])
    transit_assistance: bool = False


def _wall_clock(
    value: datetime.datetime, offset_text: str, side: str, errors: list[dict[str, Any]]
) -> tuple[datetime.datetime, datetime.timedelta | None]:
    """A naive local time and its UTC offset (if given, in ``{side}_offset`` or in the time)."""
    offset = None
    try:
        offset = airports.parse_offset(offset_text)
    except DjangoValidationError as exc:
        errors.append(
            {
                "location": "body",
                "field": f"{side}_offset",
                "message": str(exc.messages[0]),
                "type": "invalid_offset",
            }
        )
    if value.tzinfo is None:
        return value, offset
    given = value.utcoffset()
    if offset is not None and given != offset:
        errors.append(
            {
                "location": "body",
                "field": f"{side}_offset",
                "message": "The offset differs from the one in the time.",
                "type": "offset_mismatch",
            }
        )
    return value.replace(tzinfo=None), given


@router.post(
    "/cases/{case_id}/bookings/{booking_id}/segments",
    response={201: MovementSegmentOut, **ERRORS},
    summary="Add a flight to a booking, in local times at its airports",
)
def create_segment(
    request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID, payload: MovementSegmentIn
) -> Status:
    """A local time the clocks skip is refused; one they repeat needs its UTC offset
    (``departs_offset``/``arrives_offset``, or an offset in the time itself)."""
    user = api_user(request)
    booking = selectors.booking_get(user, case_id, booking_id)
    _require(user, booking.case, services.BOOKING_PERMS)
    errors: list[dict[str, Any]] = []
    departs, departs_offset = _wall_clock(
        payload.departs_local, payload.departs_offset, "departs", errors
    )
    arrives, arrives_offset = _wall_clock(
        payload.arrives_local, payload.arrives_offset, "arrives", errors
    )
    if errors:
        raise RecordInvalid(errors)
    segment: Segment = _record(
        lambda: services.segment_add(
            actor=user,
            booking=booking,
            carrier=payload.carrier,
            flight_number=payload.flight_number,
            origin=payload.origin,
            destination=payload.destination,
            departs_local=departs,
            arrives_local=arrives,
            departs_offset=departs_offset,
            arrives_offset=arrives_offset,
            transit_assistance=payload.transit_assistance,
        )
    )
    return Status(201, segment)


@router.delete(
    "/cases/{case_id}/bookings/{booking_id}/segments/{segment_id}",
    response={204: None, **ERRORS},
    summary="Remove a flight from a booking still to confirm",
)
def delete_segment(
    request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID, segment_id: uuid.UUID
) -> Status:
    user = api_user(request)
    segment = selectors.segment_get(user, case_id, booking_id, segment_id)
    _record(lambda: services.segment_remove(actor=user, segment=segment))
    return Status(204, None)


class MovementEscortIn(Schema):
    kind: EscortKindCode
    name: SingleLine = Field(min_length=1, max_length=200)
    organisation: SingleLine = Field("", max_length=200)
    phone: SingleLine = Field("", max_length=40, description="Reachable during the journey.")


@router.post(
    "/cases/{case_id}/bookings/{booking_id}/escorts",
    response={201: MovementEscortOut, **ERRORS},
    summary="Assign an escort (operational or medical) to a booking",
)
def create_escort(
    request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID, payload: MovementEscortIn
) -> Status:
    user = api_user(request)
    booking = selectors.booking_get(user, case_id, booking_id)
    _require(user, booking.case, services.BOOKING_PERMS)
    escort: Escort = _record(
        lambda: services.escort_add(actor=user, booking=booking, **payload.dict())
    )
    return Status(201, escort)


@router.delete(
    "/cases/{case_id}/bookings/{booking_id}/escorts/{escort_id}",
    response={204: None, **ERRORS},
    summary="Remove an escort from a booking",
)
def delete_escort(
    request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID, escort_id: uuid.UUID
) -> Status:
    user = api_user(request)
    escort = selectors.escort_get(user, case_id, booking_id, escort_id)
    _record(lambda: services.escort_remove(actor=user, escort=escort))
    return Status(204, None)


@router.post(
    "/cases/{case_id}/bookings/{booking_id}/confirm",
    response={200: MovementBookingOut, **ERRORS},
    summary="Mark a booking confirmed by the airline (needs its reference and flights)",
)
def confirm_booking(request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID) -> Any:
    user = api_user(request)
    booking = selectors.booking_get(user, case_id, booking_id)
    confirmed: Booking = _record(lambda: services.booking_confirm(actor=user, booking=booking))
    return _booking(confirmed.pk)


class MovementReasonIn(Schema):
    reason: MultiLine = Field(min_length=1, max_length=2000)


@router.post(
    "/cases/{case_id}/bookings/{booking_id}/cancel",
    response={200: MovementBookingOut, **ERRORS},
    summary="Cancel a booking, giving the reason",
)
def cancel_booking(
    request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID, payload: MovementReasonIn
) -> Any:
    user = api_user(request)
    booking = selectors.booking_get(user, case_id, booking_id)
    cancelled: Booking = _record(
        lambda: services.booking_cancel(actor=user, booking=booking, reason=payload.reason)
    )
    return _booking(cancelled.pk)


# --- re-confirmation and reception --------------------------------------------------------------


class TravelReconfirmationIn(Schema):
    confirmed_on: datetime.date
    wishes_to_return: bool
    method: ReconfirmMethodCode
    notes: MultiLine = Field("", max_length=2000)


@router.post(
    "/cases/{case_id}/members/{member_id}/reconfirmations",
    response={201: TravelReconfirmationOut, **ERRORS},
    summary="Record that a traveller re-confirmed (or not) the wish to return",
)
def create_reconfirmation(
    request: HttpRequest,
    case_id: uuid.UUID,
    member_id: uuid.UUID,
    payload: TravelReconfirmationIn,
) -> Status:
    user = api_user(request)
    case, member = member_get(user, case_id, member_id)
    _require(user, case, services.RECORD_PERMS)
    record: Reconfirmation = _record(
        lambda: services.reconfirmation_record(actor=user, member=member, **payload.dict())
    )
    return Status(201, record)


class TravelReceptionIn(Schema):
    member_ids: list[uuid.UUID] = Field(max_length=30, description="The travellers received.")
    receiver_kind: ReceiverKindCode
    receiver_name: SingleLine = Field(min_length=1, max_length=200)
    contact: SingleLine = Field("", max_length=200)
    place: SingleLine = Field("", max_length=300)


@router.post(
    "/cases/{case_id}/receptions",
    response={201: TravelReceptionOut, **ERRORS},
    summary="Record who receives which travellers at arrival, and where",
)
def create_reception(
    request: HttpRequest, case_id: uuid.UUID, payload: TravelReceptionIn
) -> Status:
    user = api_user(request)
    case = case_get(user, case_id)
    _require(user, case, services.RECORD_PERMS)
    members = _members(case, payload.member_ids, "member_ids")
    reception: Reception = _record(
        lambda: services.reception_record(
            actor=user,
            case=case,
            members=members,
            receiver_kind=payload.receiver_kind,
            receiver_name=payload.receiver_name,
            contact=payload.contact,
            place=payload.place,
        ),
        fields={"members": "member_ids"},
    )
    return Status(201, reception)


# --- departure, no-show, arrival ----------------------------------------------------------------


@router.post(
    "/cases/{case_id}/departure",
    response={200: TravelCaseStatusOut, **CONFLICT, **ERRORS},
    summary="Confirm the travellers left (on the day of the first flight)",
)
def confirm_departure(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """A refused move answers 409 ``transition_blocked`` with every unmet condition."""
    user = api_user(request)
    case = case_get(user, case_id)
    moved: Case = _record(lambda: services.departure_confirm(actor=user, case=case))
    return _status_out(moved)


@router.post(
    "/cases/{case_id}/no-show",
    response={200: TravelCaseStatusOut, **CONFLICT, **ERRORS},
    summary="Record that the travellers did not board (back to travel preparation)",
)
def record_no_show(request: HttpRequest, case_id: uuid.UUID, payload: MovementReasonIn) -> Any:
    """The booking is marked as a no-show; a new booking is needed."""
    user = api_user(request)
    case = case_get(user, case_id)
    moved: Case = _record(
        lambda: services.no_show_record(actor=user, case=case, reason=payload.reason)
    )
    return _status_out(moved)


class TravelArrivalIn(Schema):
    arrived_on: datetime.date
    confirmed_by: ConfirmedByCode
    reception_details: MultiLine = Field(min_length=1, max_length=2000)


def _arrival(user: Any, case: Case, payload: TravelArrivalIn) -> Arrival:
    arrival: Arrival = _record(
        lambda: services.arrival_confirm(
            actor=user,
            case=case,
            arrived_on=payload.arrived_on,
            confirmed_by=payload.confirmed_by,
            reception_details=payload.reception_details,
        )
    )
    return arrival


@router.post(
    "/cases/{case_id}/arrival",
    response={201: TravelArrivalOut, **CONFLICT, **ERRORS},
    summary="Confirm the travellers arrived, with how they were received",
)
def confirm_arrival(request: HttpRequest, case_id: uuid.UUID, payload: TravelArrivalIn) -> Status:
    user = api_user(request)
    case = case_get(user, case_id)
    return Status(201, _arrival(user, case, payload))


# --- hand-over ----------------------------------------------------------------------------------


class TravelHandoverIn(Schema):
    recipient_kind: RecipientKindCode
    recipient_office_id: uuid.UUID | None = Field(
        None, description="For an origin office: one of the offices in a country of origin."
    )
    recipient_name: SingleLine = Field(
        "", max_length=200, description="For a partner or a government authority."
    )
    purpose: PurposeCode
    member_ids: list[uuid.UUID] = Field(max_length=30, description="Whose data is handed over.")
    shared_flags: dict[uuid.UUID, list[FlagCode]] = Field(
        default_factory=dict,
        description="Member id -> the vulnerability flags the person agreed to share.",
    )
    counselling_notes: MultiLine = Field("", max_length=5000)
    needs: MultiLine = Field("", max_length=5000)


def _direction(user: Any, handover: Handover) -> Handover:
    handover.direction = (  # type: ignore[attr-defined]
        "sent" if selectors.is_host(user, handover) else "received"
    )
    return handover


@router.post(
    "/cases/{case_id}/handovers",
    response={201: TravelHandoverSummaryOut, **ERRORS},
    summary="Send the minimum package to the country of origin (with each person's consent)",
)
def create_handover(request: HttpRequest, case_id: uuid.UUID, payload: TravelHandoverIn) -> Status:
    """Only with each person's active consent to share with this recipient for this purpose
    (else 422 ``no_consent`` on ``member_ids``). What the recipient kind may never receive is
    removed from the package."""
    user = api_user(request)
    case = case_get(user, case_id)
    _require(user, case, services.HANDOVER_PERMS)
    office = None
    if payload.recipient_office_id is not None:
        office = Office.objects.filter(
            pk=payload.recipient_office_id, kind=Office.Kind.ORIGIN, is_active=True
        ).first()
        if office is None:
            raise invalid_field(
                "recipient_office_id", "No such office in a country of origin.", "unknown"
            )
    members = _members(case, payload.member_ids, "member_ids")
    handover: Handover = _record(
        lambda: services.handover_send(
            actor=user,
            case=case,
            recipient_kind=payload.recipient_kind,
            purpose=payload.purpose,
            members=members,
            recipient_office=office,
            recipient_name=payload.recipient_name,
            shared_flags={str(k): [str(f) for f in v] for k, v in payload.shared_flags.items()},
            counselling_notes=payload.counselling_notes,
            needs=payload.needs,
        ),
        fields={"members": "member_ids", "recipient_office": "recipient_office_id"},
    )
    return Status(201, handover)


@router.get(
    "/handovers",
    response=list[TravelHandoverListOut],
    summary="Hand-overs sent by the user's offices or received by them (no package)",
)
@paginate(CappedLimitOffset)
def list_handovers(request: HttpRequest) -> QuerySet[Handover]:
    """Newest first, paged with ``limit`` and ``offset``."""
    user = api_user(request)
    host = offices_with(user, Perm.CASE_VIEW)
    if not host:
        return Handover.objects.none()
    return (
        selectors.handover_visible(user)
        .defer("package")
        .annotate(
            direction=SqlCase(
                When(case__office_id__in=host, then=Value("sent")),
                default=Value("received"),
                output_field=CharField(),
            )
        )
        .order_by("-created_at", "-id")
    )


@router.get(
    "/handovers/{handover_id}",
    response={200: TravelHandoverOut, **ERRORS},
    summary="A hand-over's package, as its recipient may receive it",
)
def get_handover(request: HttpRequest, handover_id: uuid.UUID) -> Any:
    """For the host office and the origin office it was sent to; each read is audited (for the
    origin office, in its own trail)."""
    user = api_user(request)
    handover = _direction(user, selectors.handover_get(user, handover_id))
    host = selectors.is_host(user, handover)
    audit_record(
        actor=user,
        action="movements.handover_view",
        obj=handover.case,
        office_id=handover.case.office_id if host else handover.recipient_office_id,
    )
    return handover


@router.post(
    "/handovers/{handover_id}/acknowledge",
    response={200: TravelHandoverListOut, **ERRORS},
    summary="Take over a case handed over (the receiving origin office)",
)
def acknowledge_handover(request: HttpRequest, handover_id: uuid.UUID) -> Any:
    user = api_user(request)
    handover = selectors.handover_get(user, handover_id)
    _record(lambda: services.handover_acknowledge(actor=user, handover=handover))
    return _direction(user, selectors.handover_get(user, handover_id))


@router.post(
    "/handovers/{handover_id}/arrival",
    response={201: TravelArrivalOut, **CONFLICT, **ERRORS},
    summary="Confirm the arrival of a case handed over (the receiving origin office)",
)
def confirm_handover_arrival(
    request: HttpRequest, handover_id: uuid.UUID, payload: TravelArrivalIn
) -> Status:
    """The origin office confirms in its own name (``confirmed_by``: ``origin_office``)."""
    user = api_user(request)
    handover = selectors.handover_get(user, handover_id)
    return Status(201, _arrival(user, handover.case, payload))


# --- departures calendar, manifest, operations queue --------------------------------------------


class MovementDeparturesQuery(Schema):
    start: datetime.date | None = Field(None, description="First day (default: today).")
    end: datetime.date | None = Field(
        None, description=f"Last day (default: start + 30 days; at most {DEPARTURES_MAX_DAYS})."
    )
    office_id: uuid.UUID | None = None
    destination: str = Field("", max_length=2, description="ISO 3166-1 alpha-2.")


class MovementDepartureOut(Schema):
    booking_id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    destination_country: str
    office_code: str
    status: str
    departure_date: datetime.date | None
    departs_local: datetime.datetime | None = Field(description="The first flight, local time.")
    flights: list[str]
    passengers: int


@router.get(
    "/departures",
    response={200: list[MovementDepartureOut], **ERRORS},
    summary="The departures calendar: bookings departing between two days (no names)",
)
def list_departures(request: HttpRequest, query: Query[MovementDeparturesQuery]) -> Any:
    """Bookings that stand or were flown, in the user's offices, by departure."""
    user = api_user(request)
    start = query.start or timezone.localdate()
    end = query.end or start + datetime.timedelta(days=30)
    if end < start:
        raise invalid_field("end", "The end is before the start.", "invalid_range", "query")
    if (end - start).days > DEPARTURES_MAX_DAYS:
        raise invalid_field(
            "end", f"Ask for at most {DEPARTURES_MAX_DAYS} days.", "range_too_long", "query"
        )
    rows = []
    for booking in selectors.departures(
        user, start, end, office_id=query.office_id, destination=query.destination.upper()
    ):
        segments = list(booking.segments.all())
        rows.append(
            {
                "booking_id": booking.pk,
                "case_id": booking.case_id,
                "case_reference": booking.case.reference,
                "destination_country": booking.case.destination_country,
                "office_code": booking.case.office.code,
                "status": booking.status,
                "departure_date": booking.departure_date,
                "departs_local": segments[0].departs_local if segments else None,
                "flights": [f"{s.flight} {s.origin}-{s.destination}" for s in segments],
                "passengers": booking.travellers,  # type: ignore[attr-defined]
            }
        )
    return rows


class MovementManifestQuery(Schema):
    date: datetime.date | None = Field(None, description="The departure day (default: today).")
    office_id: uuid.UUID | None = None


class MovementManifestOut(Schema):
    date: datetime.date
    fields: list[str]
    rows: list[dict[str, str]]


@router.get(
    "/manifest",
    response={200: MovementManifestOut, **ERRORS},
    summary="The manifest of a departure day: one row per passenger (operations officers)",
)
def get_manifest(request: HttpRequest, query: Query[MovementManifestQuery]) -> Any:
    """Confirmed (or flown) bookings departing that day in the offices where the user manages
    movements; only the fields an airline or an escort needs. Audited with the number of rows."""
    user = api_user(request)
    offices = selectors.operations_offices(user)
    if not offices:
        raise HttpError(403, "Only an operations officer may read a manifest.")
    if query.office_id is not None:
        if query.office_id not in offices:
            raise Http404
        offices = {query.office_id}
    day = query.date or timezone.localdate()
    bookings = (
        Booking.objects.filter(
            case__office_id__in=offices,
            departure_date=day,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.FLOWN],
        )
        .select_related("case__office")
        .prefetch_related("segments", "passengers")
        .order_by("departs_at", "id")
    )
    chosen = list(bookings)
    rows = manifest_rows(chosen)
    with transaction.atomic():
        audit_record(
            actor=user,
            action="movements.manifest_export",
            office_id=next(iter(offices)) if len(offices) == 1 else None,
            details={"rows": len(rows)},
        )
        manifest_transfers(user, chosen)
    return {"date": day, "fields": list(MANIFEST_FIELDS), "rows": rows}


class MovementQueueItemOut(Schema):
    id: uuid.UUID
    case_id: uuid.UUID
    case_reference: str
    date: datetime.date | None = Field(description="The day that makes it due, if any.")


class MovementQueueListOut(Schema):
    count: int
    items: list[MovementQueueItemOut]


class MovementQueueOut(Schema):
    count: int
    documents_to_request: MovementQueueListOut
    requests_unanswered: MovementQueueListOut
    documents_expiring: MovementQueueListOut
    fitness_expiring: MovementQueueListOut
    bookings_to_confirm: MovementQueueListOut
    reconfirmations_due: MovementQueueListOut
    arrivals_to_confirm: MovementQueueListOut


def _queue_list(items: list[Any], of: Callable[[Any], tuple[Any, Case, Any]]) -> dict[str, Any]:
    rows = []
    for item in items:
        pk, case, day = of(item)
        rows.append({"id": pk, "case_id": case.pk, "case_reference": case.reference, "date": day})
    return {"count": len(rows), "items": rows}


@router.get(
    "/queue",
    response={200: MovementQueueOut, **ERRORS},
    summary="The operations officer's work queue (case references only, no names)",
)
def get_queue(request: HttpRequest) -> Any:
    queue = selectors.operations_queue(selectors.operations_offices(api_user(request)))
    return {
        "count": queue.count,
        "documents_to_request": _queue_list(
            queue.documents_to_request, lambda d: (d.pk, d.member.case, None)
        ),
        "requests_unanswered": _queue_list(
            queue.requests_unanswered, lambda d: (d.pk, d.member.case, d.requested_on)
        ),
        "documents_expiring": _queue_list(
            queue.documents_expiring, lambda d: (d.pk, d.member.case, d.expires_on)
        ),
        "fitness_expiring": _queue_list(
            queue.fitness_expiring, lambda a: (a.pk, a.member.case, a.valid_until)
        ),
        "bookings_to_confirm": _queue_list(
            queue.bookings_to_confirm, lambda b: (b.pk, b.case, b.departure_date)
        ),
        "reconfirmations_due": _queue_list(
            queue.reconfirmations_due, lambda b: (b.pk, b.case, b.departure_date)
        ),
        "arrivals_to_confirm": _queue_list(
            queue.arrivals_to_confirm,
            lambda c: (
                c.pk,
                c,
                timezone.localdate(c.status_changed_at) if c.status_changed_at else None,
            ),
        ),
    }
