"""The manifest holds only its minimum fields: the columns are ``MANIFEST_FIELDS`` exactly, each
row holds what the person, the document and the booking say, and a canary put in every other
field about the travellers (notes, contacts, other names, the reception, the escort's phone...)
appears in neither the CSV nor the PDF. A cell that a spreadsheet would read as a formula is
neutralised. Only confirmed and flown bookings are listed.
"""

from __future__ import annotations

import csv
import datetime
import io
import re
import zlib
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.assessments.factories import assess, screen
from tests.conftest import Personas
from tests.consent.factories import ADULT_DOB, CHILD_DOB
from tests.movements.factories import book, journey, local, receive
from wayhome.assessments.models import Flag, Kind
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.services import case_update
from wayhome.movements import services
from wayhome.movements.manifest import MANIFEST_FIELDS, manifest_csv, manifest_pdf, manifest_rows
from wayhome.movements.models import Booking, BookingStatus, EscortKind, TravelDocument
from wayhome.people.models import Person
from wayhome.people.services import person_update

pytestmark = pytest.mark.django_db

#: Every value written where the manifest must not look: all hold "canary", in any case.
CANARY = {
    "name_as_written": "canary-name-as-written",
    "other_names": "canary-other-name",
    "gender_identity": "canary-gender-identity",
    "contacts": "canary-contact-0800",
    "case_notes": "canary-case-notes",
    "destination_place": "canary-destination-place",
    "baggage": "canary-baggage",
    "booking_notes": "canary-booking-notes",
    "escort_phone": "canary-escort-phone",
    "escort_organisation": "canary-escort-organisation",
    "receiver_name": "canary-receiver-name",
    "reception_contact": "canary-reception-contact",
    "reception_place": "canary-reception-place",
    "reconfirmation_notes": "canary-reconfirmation-notes",
    "consulate": "canary-consulate",
    "screening_notes": "canary-screening-notes",
    "fitness_findings": "canary-fitness-findings",
}


@dataclass
class Manifested:
    case: Case
    adult: CaseMember
    child: CaseMember
    booking: Booking


def manifested(personas: Personas) -> Manifested:
    """A family of two on a confirmed booking, with a canary in every field the manifest skips."""
    office, actor = personas.office_a, personas.caseworker_a
    trip = journey(office)
    person_update(
        actor=None,
        person=trip.adult.person,
        given_name="Chidinma  Grace",
        family_name="Adebayo",
        sex=Person.Sex.FEMALE,
        name_as_written=CANARY["name_as_written"],
        other_names=[CANARY["other_names"]],
        gender_identity=CANARY["gender_identity"],
        contacts=[{"kind": "phone", "value": CANARY["contacts"]}],
    )
    person_update(
        actor=None,
        person=trip.child.person,
        given_name="+Ada",  # a spreadsheet would read it as a formula
        family_name="Ọkọnkwọ",  # written in Latin capitals, as on the document's MRZ
        sex=Person.Sex.MALE,
    )
    case_update(
        actor=None,
        case=trip.case,
        notes=CANARY["case_notes"],
        destination_place=CANARY["destination_place"],
    )
    for member, number in ((trip.adult, "ETD-4471-XK"), (trip.child, "-ETD-1234")):
        services.document_update(
            actor=None,
            document=TravelDocument.objects.get(member=member),
            number=number,
            consulate=CANARY["consulate"],
        )
    services.reconfirmation_record(
        actor=None,
        member=trip.adult,
        confirmed_on=timezone.localdate(),
        wishes_to_return=True,
        method="in_person",
        notes=CANARY["reconfirmation_notes"],
    )
    receive(
        trip.case,
        [trip.adult],
        receiver_name=CANARY["receiver_name"],
        contact=CANARY["reception_contact"],
        place=CANARY["reception_place"],
    )
    screen(actor, trip.adult, [Flag.DISABILITY], notes=CANARY["screening_notes"])
    assess(
        actor,
        trip.adult,
        Kind.FITNESS,
        details=CANARY["fitness_findings"],
        valid_until=timezone.localdate() + datetime.timedelta(days=10),
    )
    services.booking_cancel(actor=None, booking=trip.booking, reason="Rebooked")
    booking = services.booking_create(
        actor=None,
        case=trip.case,
        passengers=[(trip.adult, ["WCHR", "MAAS"]), (trip.child, ["UMNR"])],
        reference="=1+2",
        baggage=CANARY["baggage"],
        notes=CANARY["booking_notes"],
        allowance_amount=Decimal("250.00"),
        allowance_currency="EUR",
    )
    for number, origin, destination, departs, arrives in (
        ("171", "BER", "FRA", local(2, 7, 0), local(2, 8, 10)),
        ("568", "FRA", "LOS", local(2, 10, 30), local(2, 16, 45)),
    ):
        services.segment_add(
            actor=None,
            booking=booking,
            carrier="LH",
            flight_number=number,
            origin=origin,
            destination=destination,
            departs_local=departs,
            arrives_local=arrives,
        )
    services.escort_add(
        actor=None,
        booking=booking,
        kind=EscortKind.OPERATIONAL,
        name="@Ade Okon",
        organisation=CANARY["escort_organisation"],
        phone=CANARY["escort_phone"],
    )
    services.escort_add(actor=None, booking=booking, kind=EscortKind.MEDICAL, name="Dr Eze")
    booking = services.booking_confirm(actor=None, booking=booking)
    return Manifested(trip.case, trip.adult, trip.child, Booking.objects.get(pk=booking.pk))


@pytest.fixture
def family(personas: Personas) -> Manifested:
    return manifested(personas)


def expected_rows() -> list[dict[str, str]]:
    day = timezone.localdate() + datetime.timedelta(days=2)
    expiry = (timezone.localdate() + datetime.timedelta(days=3650)).isoformat()
    shared = {
        "booking_reference": "=1+2",
        "flights": "LH171 BER-FRA LH568 FRA-LOS",
        "departs_local": f"{day.isoformat()} 07:00",
        "nationality": "NG",
        "document_type": "emergency_travel_document",
        "document_expiry": expiry,
        "escorts": "@ADE OKON (ESC); DR EZE (MED)",
    }
    return [
        {
            **shared,
            "family_name": "ADEBAYO",
            "given_names": "CHIDINMA GRACE",
            "sex": "F",
            "date_of_birth": ADULT_DOB.isoformat(),
            "document_number": "ETD-4471-XK",
            "special_services": "WCHR MAAS",
        },
        {
            **shared,
            "family_name": "OKONKWO",
            "given_names": "+ADA",
            "sex": "M",
            "date_of_birth": CHILD_DOB.isoformat(),
            "document_number": "-ETD-1234",
            "special_services": "UMNR",
        },
    ]


def pdf_text(pdf: bytes) -> bytes:
    """The PDF with its compressed streams inflated (fpdf2 deflates the page contents)."""
    parts = [pdf]
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            parts.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    assert len(parts) > 1, "no compressed stream found: the search would prove nothing"
    return b"\n".join(parts)


def test_the_rows_hold_the_manifest_fields_and_their_values(family: Manifested) -> None:
    rows = manifest_rows([family.booking])
    assert [tuple(row) for row in rows] == [MANIFEST_FIELDS, MANIFEST_FIELDS]
    assert rows == expected_rows()


def test_the_csv_has_the_manifest_columns_and_neutralises_formulas(family: Manifested) -> None:
    data = manifest_csv(manifest_rows([family.booking])).decode("utf-8")
    reader = csv.reader(io.StringIO(data))
    header, *lines = list(reader)
    assert tuple(header) == MANIFEST_FIELDS
    expected = [
        {k: ("'" + v if v[:1] in ("=", "+", "-", "@") else v) for k, v in row.items()}
        for row in expected_rows()
    ]
    assert [dict(zip(header, line, strict=True)) for line in lines] == expected
    cells = [cell for line in lines for cell in line]
    assert not [cell for cell in cells if cell[:1] in ("=", "+", "-", "@")]
    assert "'=1+2" in cells
    assert "'+ADA" in cells
    assert "'-ETD-1234" in cells
    assert "'@ADE OKON (ESC); DR EZE (MED)" in cells


def test_no_other_field_reaches_the_csv_or_the_pdf(family: Manifested) -> None:
    rows = manifest_rows([family.booking])
    exported = {
        "csv": manifest_csv(rows).upper(),
        "pdf": pdf_text(
            manifest_pdf(rows, day=family.booking.departure_date, office="Office A")  # type: ignore[arg-type]
        ).upper(),
    }
    # The search works: the names are found, in Latin capitals.
    for text in exported.values():
        assert b"ADEBAYO" in text
        assert b"OKONKWO" in text
    for name, text in exported.items():
        for field, value in CANARY.items():
            assert value.upper().encode() not in text, (name, field)
        assert b"CANARY" not in text, name
        assert b"250.00" not in text, name  # the travel allowance is not the airline's business
        assert b"AUNT NGOZI" not in text, name  # the child's receiver (journey()'s reception)


@pytest.mark.parametrize(
    ("status", "listed"),
    [
        (BookingStatus.CONFIRMED, True),
        (BookingStatus.FLOWN, True),
        (BookingStatus.PENDING, False),
        (BookingStatus.CANCELLED, False),
        (BookingStatus.NO_SHOW, False),
    ],
)
def test_only_confirmed_and_flown_bookings_are_listed(
    personas: Personas, status: str, listed: bool
) -> None:
    trip = journey(personas.office_a)
    Booking.objects.filter(pk=trip.booking.pk).update(status=status)
    rows = manifest_rows([Booking.objects.get(pk=trip.booking.pk)])
    assert [row["family_name"] for row in rows] == (
        [
            trip.adult.person.family_name.upper(),
            trip.child.person.family_name.upper(),
        ]
        if listed
        else []
    )


def test_only_passengers_of_the_booking_are_listed(personas: Personas) -> None:
    trip = journey(personas.office_a)
    services.booking_cancel(actor=None, booking=trip.booking, reason="The child stays")
    booking = book(trip.case, members=[trip.adult])
    rows = manifest_rows([booking])
    assert [row["date_of_birth"] for row in rows] == [ADULT_DOB.isoformat()]
