"""Movement records for tests, made through the services (validation and audit as in life).

``journey(office)`` builds a case in travel preparation with everything the pre-departure
checklist asks for (an issued document, a confirmed booking departing in two days, a
re-confirmation, a reception for each child), so that a test can take away one condition at a
time. The factories serve the isolation test for the ``travel_document_id``, ``booking_id``,
``segment_id``, ``escort_id`` and ``handover_id`` routes (each accepts ``office=``).
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

import factory
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.consent.factories import ConsentFactory, adult, child
from tests.factories import OfficeFactory
from tests.safety.factories import set_status
from wayhome.accounts.models import Office
from wayhome.cases.models import Case, CaseMember, Relationship
from wayhome.cases.services import case_member_add
from wayhome.cases.workflow import Status
from wayhome.consent.models import DataSharingConsent
from wayhome.consent.rules import is_child
from wayhome.movements import services
from wayhome.movements.models import (
    Booking,
    DocumentKind,
    DocumentStatus,
    Escort,
    EscortKind,
    Handover,
    ReceiverKind,
    Segment,
    TravelDocument,
)
from wayhome.movements.rules import checklist

TODAY = timezone.localdate


def local(days: int, hour: int = 10, minute: int = 0) -> datetime.datetime:
    """A naive local time ``days`` from today."""
    day = TODAY() + datetime.timedelta(days=days)
    return datetime.datetime(day.year, day.month, day.day, hour, minute)  # noqa: DTZ001


def issue_document(member: CaseMember, *, expires_in_days: int = 3650, **kwargs: Any) -> Any:
    values: dict[str, Any] = {
        "kind": DocumentKind.EMERGENCY,
        "status": DocumentStatus.ISSUED,
        "number": "ETD-4471-XK",
        "issuing_country": "NG",
        "consulate": "Consulate of Nigeria, Berlin",
        "requested_on": TODAY() - datetime.timedelta(days=20),
        "issued_on": TODAY() - datetime.timedelta(days=5),
        "expires_on": TODAY() + datetime.timedelta(days=expires_in_days),
    }
    values.update(kwargs)
    return services.document_record(actor=None, member=member, **values)


def book(
    case: Case,
    *,
    members: list[CaseMember] | None = None,
    days: int = 2,
    confirm: bool = True,
    flights: list[tuple[str, str, str, datetime.datetime, datetime.datetime]] | None = None,
) -> Booking:
    """A booking Berlin -> Frankfurt -> Lagos departing ``days`` from today (confirmed)."""
    travellers = members if members is not None else list(case.members.filter(travelling=True))
    booking = services.booking_create(
        actor=None,
        case=case,
        passengers=[(m, []) for m in travellers],
        reference="QX7P2L",
        baggage="1 x 23 kg",
    )
    for carrier, number, route, departs, arrives in flights or [
        ("LH", "171", "BER-FRA", local(days, 7, 0), local(days, 8, 10)),
        ("LH", "568", "FRA-LOS", local(days, 10, 30), local(days, 16, 45)),
    ]:
        origin, destination = route.split("-")
        services.segment_add(
            actor=None,
            booking=booking,
            carrier=carrier,
            flight_number=number,
            origin=origin,
            destination=destination,
            departs_local=departs,
            arrives_local=arrives,
        )
    if confirm:
        booking = services.booking_confirm(actor=None, booking=booking)
    return Booking.objects.get(pk=booking.pk)


def reconfirm(member: CaseMember, *, days_ago: int = 0, wishes: bool = True) -> Any:
    return services.reconfirmation_record(
        actor=None,
        member=member,
        confirmed_on=TODAY() - datetime.timedelta(days=days_ago),
        wishes_to_return=wishes,
        method="phone",
    )


def receive(case: Case, members: list[CaseMember], **kwargs: Any) -> Any:
    values = {"receiver_kind": ReceiverKind.FAMILY, "receiver_name": "Aunt Ngozi"}
    values.update(kwargs)
    return services.reception_record(actor=None, case=case, members=members, **values)


@dataclass
class Journey:
    case: Case
    adult: CaseMember
    child: CaseMember
    booking: Booking


def _made_up_name() -> dict[str, str]:
    tag = uuid.uuid4().hex[:8]
    return {"given_name": f"Qiv{tag}", "family_name": f"Zoy{tag}"}


def journey(
    office: Office, *, with_child: bool = True, status: str = Status.TRAVEL_PREPARATION
) -> Journey:
    """A case ready to be ``ready_to_depart`` (see the module's docstring). The travellers' names
    are made up so that no page word can contain them by chance (a Faker surname "English" once
    matched the language menu)."""
    case = CaseFactory.create(office=office, principal=adult(office, **_made_up_name()))
    principal = case.members.get()
    kid = (
        case_member_add(
            actor=None,
            case=case,
            person=child(office, **_made_up_name()),
            relationship=Relationship.CHILD,
        )
        if with_child
        else None
    )
    case = set_status(case, status)
    travellers = [principal, *([kid] if kid else [])]
    for member in travellers:
        issue_document(member)
    booking = book(case)
    reconfirm(principal)
    if kid is not None:
        receive(case, [kid])
    case.refresh_from_db()
    return Journey(case, principal, kid, booking)  # type: ignore[arg-type]


def travel_arranged(case: Case) -> Booking:
    """Everything the travel checklist asks of ``case`` (in travel preparation), so that tests of
    other guards on ``ready_to_depart`` see only theirs: a document per traveller, a confirmed
    booking departing in two days, re-confirmations of the adults, receptions of the children, and
    the escort the travellers' assessments ask for."""
    travellers = list(case.members.filter(travelling=True).select_related("person"))
    for member in travellers:
        issue_document(member)
    booking = book(case)
    for member in travellers:
        if is_child(member):
            receive(case, [member])
        else:
            reconfirm(member)
    needs = checklist(case)
    if needs.medical_escort_needed or needs.escort_needed:
        kind = EscortKind.MEDICAL if needs.medical_escort_needed else EscortKind.OPERATIONAL
        services.escort_add(actor=None, booking=booking, kind=kind, name="Escort Officer Ade")
    return booking


def _case_of(kwargs: dict[str, Any]) -> Case:
    case = kwargs.pop("case", None)
    if case is None:
        office = kwargs.pop("office", None) or OfficeFactory.create()
        case = set_status(
            CaseFactory.create(office=office, principal=adult(office)), Status.TRAVEL_PREPARATION
        )
    else:
        kwargs.pop("office", None)
    return case


class TravelDocumentFactory(factory.django.DjangoModelFactory[TravelDocument]):
    class Meta:
        model = TravelDocument

    @classmethod
    def _create(cls, model_class: type[TravelDocument], *args: Any, **kwargs: Any) -> Any:
        case = _case_of(kwargs)
        return issue_document(case.members.first())  # type: ignore[arg-type]


class BookingFactory(factory.django.DjangoModelFactory[Booking]):
    class Meta:
        model = Booking

    @classmethod
    def _create(cls, model_class: type[Booking], *args: Any, **kwargs: Any) -> Any:
        return book(_case_of(kwargs), confirm=False)


class SegmentFactory(factory.django.DjangoModelFactory[Segment]):
    class Meta:
        model = Segment

    @classmethod
    def _create(cls, model_class: type[Segment], *args: Any, **kwargs: Any) -> Any:
        booking = kwargs.pop("booking", None) or book(_case_of(kwargs), confirm=False)
        return booking.segments.order_by("departs_at").first()


class EscortFactory(factory.django.DjangoModelFactory[Escort]):
    class Meta:
        model = Escort

    @classmethod
    def _create(cls, model_class: type[Escort], *args: Any, **kwargs: Any) -> Any:
        booking = kwargs.pop("booking", None) or book(_case_of(kwargs), confirm=False)
        return services.escort_add(
            actor=None, booking=booking, kind=EscortKind.OPERATIONAL, name="Escort Officer Ade"
        )


def origin_office(**kwargs: Any) -> Office:
    values = {"kind": Office.Kind.ORIGIN, "country": "NG"}
    values.update(kwargs)
    return OfficeFactory.create(**values)


def share_with(member: CaseMember, office: Office, **kwargs: Any) -> Any:
    return ConsentFactory.create(
        person=member.person,
        recipient_kind=DataSharingConsent.RecipientKind.ORIGIN_OFFICE,
        recipient_name="",
        recipient_office=office,
        **kwargs,
    )


class HandoverFactory(factory.django.DjangoModelFactory[Handover]):
    """A hand-over of a new case of ``office=`` to a new origin office (``to=``)."""

    class Meta:
        model = Handover

    @classmethod
    def _create(cls, model_class: type[Handover], *args: Any, **kwargs: Any) -> Any:
        case = _case_of(kwargs)
        to = kwargs.pop("to", None) or origin_office()
        member = case.members.first()
        assert member is not None
        share_with(member, to)
        return services.handover_send(
            actor=None,
            case=case,
            recipient_kind=DataSharingConsent.RecipientKind.ORIGIN_OFFICE,
            recipient_office=to,
            purpose=DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE,
            members=[member],
        )
