"""The travel pages, from the operations officer's and the origin office's side: each page
renders for the office, writes through the services, refuses what the role may not do, and the
origin office sees a case handed over to it only as its package."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.urls import reverse

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.consent.factories import adult
from tests.factories import UserFactory
from tests.movements.factories import (
    TODAY,
    HandoverFactory,
    book,
    issue_document,
    journey,
    local,
    origin_office,
    reconfirm,
    share_with,
)
from tests.safety.factories import set_status
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case
from wayhome.cases.services import case_transition
from wayhome.cases.workflow import Status
from wayhome.movements.manifest import MANIFEST_FIELDS
from wayhome.movements.models import Arrival, Booking, BookingStatus, Handover, TravelDocument

pytestmark = pytest.mark.django_db


def operations(office: Any) -> User:
    return UserFactory.create(roles=[(office, Role.OPERATIONS)])


def travel_url(case: Case) -> str:
    return reverse("movements:case-travel", kwargs={"case_id": case.pk})


def departing_today(office: Any) -> Case:
    case = set_status(
        CaseFactory.create(office=office, principal=adult(office)), Status.TRAVEL_PREPARATION
    )
    principal = case.members.get()
    issue_document(principal)
    book(case, flights=[("LH", "568", "FRA-LOS", local(0, 23, 0), local(1, 5, 0))])
    reconfirm(principal)
    return case


def test_the_travel_page_shows_the_checklist_by_label_and_is_audited(personas: Personas) -> None:
    trip = journey(personas.office_a)
    TravelDocument.objects.filter(member=trip.child).delete()
    client = client_for(personas.caseworker_a)

    response = client.get(travel_url(trip.case))

    assert response.status_code == 200
    html = response.content.decode()
    assert "No valid travel document." in html
    assert "Child (2)" in html
    assert "LH568" in html
    assert "(UTC+01:00)" in html  # Lagos wall time with its offset
    assert trip.child.person.family_name not in html  # the checklist names nobody
    assert AuditEvent.objects.filter(
        action="case.view", object_id=str(trip.case.pk), actor_id=str(personas.caseworker_a.pk)
    ).exists()
    # The case page carries the travel panel.
    page = client.get(reverse("cases:case-detail", kwargs={"case_id": trip.case.pk}))
    assert "travel-panel" in page.content.decode()


def test_an_operations_officer_books_a_journey_through_the_pages(personas: Personas) -> None:
    office = personas.office_a
    case = set_status(
        CaseFactory.create(office=office, principal=adult(office)), Status.TRAVEL_PREPARATION
    )
    member = case.members.get()
    client = client_for(operations(office))

    response = client.post(
        reverse("movements:booking-create", kwargs={"case_id": case.pk}),
        {f"on_{member.pk}": "on", f"ssr_{member.pk}": ["WCHR"], "reference": "ab12cd"},
    )
    booking = Booking.objects.get(case=case)
    assert response.status_code == 302
    assert list(booking.passengers.values_list("special_services", flat=True)) == [["WCHR"]]
    segments = reverse(
        "movements:segment-create", kwargs={"case_id": case.pk, "booking_id": booking.pk}
    )
    # 2027-03-28 02:30 does not exist in Berlin (clocks go forward): refused, nothing saved.
    gap = client.post(
        segments,
        {
            "carrier": "LH",
            "flight_number": "171",
            "origin": "BER",
            "departs_local": "2027-03-28T02:30",
            "destination": "FRA",
            "arrives_local": "2027-03-28T04:30",
        },
    )
    assert gap.status_code == 400
    assert "does not exist in Europe/Berlin" in gap.content.decode()
    assert not booking.segments.exists()

    ok = client.post(
        segments,
        {
            "carrier": "lh",
            "flight_number": "568",
            "origin": "fra",
            "departs_local": "2027-03-28T10:30",
            "destination": "LOS",
            "arrives_local": "2027-03-28T15:45",
        },
    )
    assert ok.status_code == 302
    segment = booking.segments.get()
    assert segment.departs_at == datetime.datetime(2027, 3, 28, 8, 30, tzinfo=datetime.UTC)
    assert segment.arrives_at == datetime.datetime(2027, 3, 28, 14, 45, tzinfo=datetime.UTC)
    page = client.get(
        reverse("movements:booking-detail", kwargs={"case_id": case.pk, "booking_id": booking.pk})
    )
    assert "2027-03-28 10:30 (UTC+02:00)" in page.content.decode()
    assert "2027-03-28 15:45 (UTC+01:00)" in page.content.decode()

    confirm = client.post(
        reverse("movements:booking-confirm", kwargs={"case_id": case.pk, "booking_id": booking.pk})
    )
    assert confirm.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED
    assert booking.reference == "ab12cd"


def test_a_caseworker_may_not_book_but_records_documents(personas: Personas) -> None:
    office = personas.office_a
    case = set_status(
        CaseFactory.create(office=office, principal=adult(office)), Status.TRAVEL_PREPARATION
    )
    member = case.members.get()
    client = client_for(personas.caseworker_a)
    assert (
        client.get(reverse("movements:booking-create", kwargs={"case_id": case.pk})).status_code
        == 403
    )

    url = reverse("movements:document-create", kwargs={"case_id": case.pk, "member_id": member.pk})
    incomplete = client.post(url, {"kind": "passport", "status": "issued"})
    assert incomplete.status_code == 400
    assert "Required for a document in this status." in incomplete.content.decode()
    assert not TravelDocument.objects.exists()
    requested = client.post(
        url,
        {
            "kind": "laissez_passer",
            "status": "requested",
            "requested_on": TODAY().isoformat(),
            "consulate": "Embassy of Nigeria",
        },
    )
    assert requested.status_code == 302
    document = TravelDocument.objects.get()
    assert (document.kind, document.status) == ("laissez_passer", "requested")


def test_departure_is_refused_with_every_reason_then_confirmed_on_its_day(
    personas: Personas,
) -> None:
    office = personas.office_a
    officer = operations(office)
    client = client_for(officer)
    early = journey(office)
    refused = client.post(reverse("movements:departure-create", kwargs={"case_id": early.case.pk}))
    assert refused.status_code == 409
    assert "The case could not move" in refused.content.decode()

    case = departing_today(office)
    case_transition(actor=officer, case=case, target=Status.READY_TO_DEPART)
    done = client.post(reverse("movements:departure-create", kwargs={"case_id": case.pk}))
    assert done.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.DEPARTED
    assert Booking.objects.get(case=case).status == BookingStatus.FLOWN


def test_a_no_show_needs_what_happened(personas: Personas) -> None:
    office = personas.office_a
    officer = operations(office)
    case = departing_today(office)
    case_transition(actor=officer, case=case, target=Status.READY_TO_DEPART)
    client = client_for(officer)
    url = reverse("movements:noshow-create", kwargs={"case_id": case.pk})
    assert client.post(url, {"reason": ""}).status_code == 400
    assert client.post(url, {"reason": "Did not come to the airport."}).status_code == 302
    case.refresh_from_db()
    assert case.status == Status.TRAVEL_PREPARATION
    assert Booking.objects.get(case=case).status == BookingStatus.NO_SHOW


def test_the_origin_office_sees_the_package_only_and_confirms_the_arrival(
    personas: Personas,
) -> None:
    office = personas.office_a
    officer = operations(office)
    case = departing_today(office)
    member = case.members.get()
    origin = origin_office(code="ng-lag", name="Lagos office")
    origin_user = UserFactory.create(roles=[(origin, Role.REINTEGRATION)])
    handover_url = reverse("movements:handover-create", kwargs={"case_id": case.pk})
    form = {
        "recipient_kind": "origin_office",
        "recipient_office": str(origin.pk),
        "purpose": "reintegration_assistance",
        "members": [str(member.pk)],
        "counselling_notes": "Wants to restart the tailoring shop.",
    }
    client = client_for(personas.caseworker_a)
    refused = client.post(handover_url, form)
    assert refused.status_code == 400
    assert "No active consent" in refused.content.decode()
    assert not Handover.objects.exists()

    share_with(member, origin)
    sent = client.post(handover_url, form)
    handover = Handover.objects.get()
    assert sent.status_code == 302

    case_transition(actor=officer, case=case, target=Status.READY_TO_DEPART)
    client_for(officer).post(reverse("movements:departure-create", kwargs={"case_id": case.pk}))

    theirs = client_for(origin_user)
    listing = theirs.get(reverse("movements:handover-list")).content.decode()
    assert case.reference in listing
    detail = theirs.get(reverse("movements:handover-detail", kwargs={"handover_id": handover.pk}))
    assert detail.status_code == 200
    assert member.person.family_name in detail.content.decode()
    assert "tailoring shop" in detail.content.decode()
    for name, kwargs in (
        ("cases:case-detail", {"case_id": case.pk}),
        ("movements:case-travel", {"case_id": case.pk}),
        ("assessments:member-detail", {"case_id": case.pk, "member_id": member.pk}),
        ("consent:case-detail", {"case_id": case.pk}),
    ):
        assert theirs.get(reverse(name, kwargs=kwargs)).status_code == 404, name

    arrived = theirs.post(
        reverse("movements:handover-arrival", kwargs={"handover_id": handover.pk}),
        {
            "arrived_on": TODAY().isoformat(),
            "confirmed_by": "origin_office",
            "reception_details": "Met at the airport by our staff.",
        },
    )
    assert arrived.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.ARRIVED
    assert Arrival.objects.get(case=case).office == origin
    theirs.post(reverse("movements:handover-acknowledge", kwargs={"handover_id": handover.pk}))
    handover.refresh_from_db()
    assert handover.acknowledged_by == origin_user


def test_the_departures_calendar_and_the_manifest(personas: Personas) -> None:
    office = personas.office_a
    trip = journey(office)
    officer = operations(office)
    client = client_for(officer)
    day = trip.booking.departure_date
    assert day is not None

    calendar = client.get(reverse("movements:departures"), {"month": day.strftime("%Y-%m")})
    html = calendar.content.decode()
    assert trip.case.reference in html
    assert f'id="day-{day.isoformat()}"' in html
    other = client.get(
        reverse("movements:departures"), {"month": day.strftime("%Y-%m"), "destination": "AF"}
    )
    assert trip.case.reference not in other.content.decode()

    csv = client.get(reverse("movements:manifest-csv"), {"date": day.isoformat()})
    assert csv.status_code == 200
    assert csv["Content-Disposition"].startswith("attachment;")
    lines = csv.content.decode().splitlines()
    assert lines[0].split(",") == list(MANIFEST_FIELDS)
    assert len(lines) == 3  # the two travellers
    pdf = client.get(reverse("movements:manifest-pdf"), {"date": day.isoformat()})
    assert pdf.content.startswith(b"%PDF")
    assert AuditEvent.objects.filter(action="movements.manifest_export").count() == 2
    assert client_for(personas.caseworker_a).get(reverse("movements:manifest")).status_code == 403


def test_the_operations_work_queue(personas: Personas) -> None:
    office = personas.office_a
    case = set_status(
        CaseFactory.create(office=office, principal=adult(office)), Status.TRAVEL_PREPARATION
    )
    book(case, confirm=False)
    client = client_for(operations(office))
    html = client.get(reverse("movements:queue")).content.decode()
    assert re.search(r"Bookings to confirm.*" + re.escape(case.reference), html, re.S)
    assert client_for(personas.caseworker_a).get(reverse("movements:queue")).status_code == 403


def test_the_home_page_shows_travel_work_and_hand_overs_to_take_over(
    personas: Personas,
) -> None:
    office = personas.office_a
    case = set_status(
        CaseFactory.create(office=office, principal=adult(office)), Status.TRAVEL_PREPARATION
    )
    book(case, confirm=False)
    home = client_for(operations(office)).get(reverse("core:home")).content.decode()
    assert "1 travel item needs you." in home
    assert (
        "Travel work queue"
        not in client_for(personas.caseworker_a).get(reverse("core:home")).content.decode()
    )

    origin = origin_office(code="ng-abv", name="Abuja office")
    handover = HandoverFactory.create(case=case, to=origin)
    origin_user = UserFactory.create(roles=[(origin, Role.REINTEGRATION)])
    waiting = "1 case handed over to your office is waiting to be taken over."
    assert waiting in client_for(origin_user).get(reverse("core:home")).content.decode()
    handover.acknowledged_at = handover.created_at
    handover.save()
    assert waiting not in client_for(origin_user).get(reverse("core:home")).content.decode()


def test_escorts_and_flights_are_added_and_removed_on_the_booking_page(
    personas: Personas,
) -> None:
    office = personas.office_a
    case = set_status(
        CaseFactory.create(office=office, principal=adult(office)), Status.TRAVEL_PREPARATION
    )
    booking = book(case, confirm=False)
    client = client_for(operations(office))
    ids = {"case_id": case.pk, "booking_id": booking.pk}
    missing_name = client.post(reverse("movements:escort-create", kwargs=ids), {"kind": "medical"})
    assert missing_name.status_code == 400
    assert not booking.escorts.exists()
    added = client.post(
        reverse("movements:escort-create", kwargs=ids), {"kind": "medical", "name": "Dr Ade"}
    )
    assert added.status_code == 302
    escort = booking.escorts.get()
    client.post(reverse("movements:escort-delete", kwargs={**ids, "escort_id": escort.pk}))
    assert not booking.escorts.exists()
    first = booking.segments.order_by("departs_at").first()
    assert first is not None
    client.post(reverse("movements:segment-delete", kwargs={**ids, "segment_id": first.pk}))
    assert list(booking.segments.values_list("flight_number", flat=True)) == ["568"]


def test_re_confirmation_and_reception_through_the_travel_page(personas: Personas) -> None:
    office = personas.office_a
    case = set_status(
        CaseFactory.create(office=office, principal=adult(office)), Status.TRAVEL_PREPARATION
    )
    member = case.members.get()
    client = client_for(personas.caseworker_a)
    reconfirm_url = reverse("movements:reconfirmation-create", kwargs={"case_id": case.pk})
    refused = client.post(reconfirm_url, {"member": str(member.pk), "method": "phone"})
    assert refused.status_code == 400
    assert not member.reconfirmations.exists()
    done = client.post(
        reconfirm_url,
        {
            "member": str(member.pk),
            "wishes_to_return": "yes",
            "method": "phone",
            "confirmed_on": TODAY().isoformat(),
        },
    )
    assert done.status_code == 302
    assert member.reconfirmations.get().wishes_to_return is True
    reception_url = reverse("movements:reception-create", kwargs={"case_id": case.pk})
    assert client.post(reception_url, {"members": [str(member.pk)]}).status_code == 400
    received = client.post(
        reception_url,
        {"members": [str(member.pk)], "receiver_kind": "family", "receiver_name": "Uncle Obi"},
    )
    assert received.status_code == 302
    assert case.receptions.get().receiver_name == "Uncle Obi"
    assert client_for(personas.auditor_a).post(reception_url, {}).status_code == 404
