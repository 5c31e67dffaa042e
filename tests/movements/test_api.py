"""Travel over the API: the overview, documents, bookings and flights (local times across
daylight saving), escorts, re-confirmation, reception, departure, no-show, arrival, hand-over
(consent, redaction, the origin office's side), the manifest, the calendar and the queue."""

from __future__ import annotations

import datetime
import json
from typing import Any, get_args
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from tests.assessments.factories import CANARY, assess
from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import ConsentFactory, adult
from tests.factories import UserFactory
from tests.movements.factories import (
    TODAY,
    Journey,
    book,
    issue_document,
    journey,
    local,
    origin_office,
    share_with,
)
from tests.safety.factories import set_status
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.assessments.models import Flag, Kind
from wayhome.audit.models import AuditEvent
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.workflow import Status
from wayhome.consent.models import DataSharingConsent
from wayhome.movements import api as movements_api
from wayhome.movements import services
from wayhome.movements.manifest import MANIFEST_FIELDS
from wayhome.movements.models import (
    Booking,
    BookingStatus,
    ConfirmedBy,
    DocumentKind,
    DocumentStatus,
    Escort,
    EscortKind,
    Handover,
    ReceiverKind,
    ReconfirmMethod,
    Segment,
    SpecialService,
    TravelDocument,
)

pytestmark = pytest.mark.django_db

BASE = "/api/v1/movements"
RK = DataSharingConsent.RecipientKind


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str, params: dict[str, str] | None = None) -> Any:
        return self.client.get(path, params or {}, headers=self.headers)

    def send(self, method: str, path: str, body: Any = None) -> Any:
        call = getattr(self.client, method)
        if body is None:
            return call(path, headers=self.headers)
        return call(path, json.dumps(body), content_type="application/json", headers=self.headers)

    def post(self, path: str, body: Any = None) -> Any:
        return self.send("post", path, {} if body is None else body)

    def patch(self, path: str, body: Any) -> Any:
        return self.send("patch", path, body)

    def delete(self, path: str) -> Any:
        return self.send("delete", path)


def operations(office: Office) -> User:
    return UserFactory.create(roles=[(office, Role.OPERATIONS)])


def fields_of(answer: Any) -> set[str]:
    assert answer.status_code == 422, answer.content
    return {d["field"] for d in answer.json()["error"]["details"]}


def types_of(answer: Any) -> set[str]:
    assert answer.status_code == 422, answer.content
    return {d["type"] for d in answer.json()["error"]["details"]}


def names_of(member: CaseMember) -> list[str]:
    return [member.person.given_name, member.person.family_name]


def preparing(personas: Personas) -> tuple[Case, CaseMember]:
    """A case in travel preparation with one traveller (its principal) and no travel yet."""
    case = CaseFactory.create(office=personas.office_a, principal=adult(personas.office_a))
    case = set_status(case, Status.TRAVEL_PREPARATION)
    return case, case.members.get()


def next_fall_back(tz: str = "Europe/Berlin") -> datetime.date:
    """The next day on which 02:30 happens twice in ``tz`` (the clocks go back)."""
    zone = ZoneInfo(tz)
    day = TODAY()
    for _ in range(400):
        day += datetime.timedelta(days=1)
        wall = datetime.datetime(day.year, day.month, day.day, 2, 30)  # noqa: DTZ001
        earlier, later = (wall.replace(tzinfo=zone, fold=fold).utcoffset() for fold in (0, 1))
        if earlier is not None and later is not None and earlier > later:
            return day
    raise AssertionError("no daylight-saving change within 400 days")


def departing_today(j: Journey) -> Booking:
    """Replaces the journey's booking by one whose only flight leaves tonight."""
    services.booking_cancel(actor=None, booking=j.booking, reason="Rebooked")
    return book(j.case, flights=[("LH", "568", "FRA-LOS", local(0, 23, 0), local(1, 5, 0))])


# --- vocabularies -------------------------------------------------------------------------------


def test_the_vocabularies_match_the_models() -> None:
    assert set(get_args(movements_api.DocumentKindCode)) == set(DocumentKind.values)
    assert set(get_args(movements_api.DocumentStatusCode)) == set(DocumentStatus.values)
    assert set(get_args(movements_api.SpecialServiceCode)) == set(SpecialService.values)
    assert set(get_args(movements_api.EscortKindCode)) == set(EscortKind.values)
    assert set(get_args(movements_api.ReconfirmMethodCode)) == set(ReconfirmMethod.values)
    assert set(get_args(movements_api.ReceiverKindCode)) == set(ReceiverKind.values)
    assert set(get_args(movements_api.ConfirmedByCode)) == set(ConfirmedBy.values)
    assert set(get_args(movements_api.RecipientKindCode)) == set(RK.values)
    assert set(get_args(movements_api.PurposeCode)) == set(DataSharingConsent.Purpose.values)
    assert set(get_args(movements_api.FlagCode)) == set(Flag.values)


# --- the overview -------------------------------------------------------------------------------


def test_the_overview_shows_the_checklist_and_is_audited(personas: Personas) -> None:
    j = journey(personas.office_a)
    assess(None, j.adult, Kind.FITNESS, details=CANARY, travel_conditions=["wheelchair"])
    answer = Api(personas.caseworker_a).get(f"{BASE}/cases/{j.case.pk}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["status"] == "travel_preparation"
    checklist = body["checklist"]
    assert checklist["unmet"] == []
    assert checklist["ready"] is True
    assert checklist["departure_date"] == j.booking.departure_date.isoformat()  # type: ignore[union-attr]
    assert checklist["escort_needed"] is False
    adult_row, child_row = body["travellers"]
    assert (adult_row["member_id"], adult_row["child"]) == (str(j.adult.pk), False)
    assert child_row["child"] is True
    assert child_row["received"] is True
    assert adult_row["documents"][0]["number"] == "ETD-4471-XK"
    assert adult_row["documents"][0]["current_status"] == "issued"
    assert adult_row["fitness"] == {
        "assessed_on": TODAY().isoformat(),
        "valid_until": (TODAY() + datetime.timedelta(days=5)).isoformat(),
        "fit_to_travel": True,
        "travel_conditions": ["wheelchair"],
    }
    assert adult_row["reconfirmation"]["wishes_to_return"] is True
    [booking] = body["bookings"]
    assert booking["status"] == "confirmed"
    assert [s["flight"] for s in booking["segments"]] == ["LH171", "LH568"]
    first = booking["segments"][0]
    assert first["departs_local"].startswith(local(2, 7, 0).isoformat())
    assert first["departs_local"].endswith(("+01:00", "+02:00"))
    assert first["origin_tz"] == "Europe/Berlin"
    assert first["departs_at"].endswith("Z")
    assert {p["member_id"] for p in booking["passengers"]} == {str(j.adult.pk), str(j.child.pk)}
    assert body["receptions"][0]["member_ids"] == [str(j.child.pk)]
    assert body["arrival"] is None
    assert body["handovers"] == []
    text = answer.content.decode()
    assert CANARY not in text
    assert not any(name in text for name in names_of(j.adult))
    assert AuditEvent.objects.filter(
        action="case.view", object_id=str(j.case.pk), actor_id=personas.caseworker_a.pk
    ).exists()


def test_the_overview_lists_what_is_missing(personas: Personas) -> None:
    j = journey(personas.office_a)
    services.booking_cancel(actor=None, booking=j.booking, reason="Flight cancelled")
    body = Api(personas.caseworker_a).get(f"{BASE}/cases/{j.case.pk}").json()
    codes = {u["code"] for u in body["checklist"]["unmet"]}
    assert "booking_unconfirmed" in codes
    assert "reconfirmation_missing" in codes
    assert [b["status"] for b in body["bookings"]] == ["cancelled"]


# --- travel documents ---------------------------------------------------------------------------


def test_record_and_change_a_travel_document(personas: Personas) -> None:
    case, member = preparing(personas)
    api = Api(personas.caseworker_a)
    created = api.post(
        f"{BASE}/cases/{case.pk}/members/{member.pk}/documents",
        {"kind": "laissez_passer", "status": "needed", "issuing_country": "NG"},
    )
    assert created.status_code == 201, created.content
    document = created.json()
    assert (document["status"], document["version"]) == ("needed", 1)
    url = f"{BASE}/cases/{case.pk}/documents/{document['id']}"
    requested = api.patch(
        url,
        {"version": 1, "status": "requested", "requested_on": TODAY().isoformat()},
    )
    assert requested.status_code == 200, requested.content
    assert (requested.json()["status"], requested.json()["version"]) == ("requested", 2)
    stale = api.patch(url, {"version": 1, "consulate": "Consulate of Nigeria"})
    assert stale.status_code == 409, stale.content
    assert TravelDocument.objects.get().consulate == ""
    assert AuditEvent.objects.filter(action="movements.document_change").count() == 1


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"kind": "passport", "status": "issued"}, {"number", "issued_on", "expires_on"}),
        ({"kind": "visa"}, {"kind"}),
        ({"kind": "passport", "number": "A1\nB2"}, {"number"}),
        ({"kind": "passport", "status": "requested"}, {"requested_on"}),
        ({"kind": "passport", "issuing_country": "XX"}, {"issuing_country"}),
    ],
)
def test_bad_documents_get_field_errors_and_save_nothing(
    personas: Personas, body: dict[str, Any], fields: set[str]
) -> None:
    case, member = preparing(personas)
    answer = Api(personas.caseworker_a).post(
        f"{BASE}/cases/{case.pk}/members/{member.pk}/documents", body
    )
    assert fields_of(answer) == fields
    assert not TravelDocument.objects.exists()


def test_a_document_patch_may_not_null_a_text(personas: Personas) -> None:
    case, member = preparing(personas)
    document = issue_document(member)
    answer = Api(personas.caseworker_a).patch(
        f"{BASE}/cases/{case.pk}/documents/{document.pk}", {"version": 1, "number": None}
    )
    assert fields_of(answer) == {"number"}


# --- bookings and flights -----------------------------------------------------------------------


def test_book_add_flights_across_daylight_saving_and_confirm(personas: Personas) -> None:
    case, member = preparing(personas)
    api = Api(operations(personas.office_a))
    created = api.post(
        f"{BASE}/cases/{case.pk}/bookings",
        {
            "passengers": [{"member_id": str(member.pk), "special_services": ["WCHR"]}],
            "baggage": "1 x 23 kg",
            "allowance_amount": "120.00",
            "allowance_currency": "EUR",
        },
    )
    assert created.status_code == 201, created.content
    booking = created.json()
    assert booking["status"] == "pending"
    assert booking["allowance_amount"] == "120.00"
    assert booking["passengers"] == [{"member_id": str(member.pk), "special_services": ["WCHR"]}]
    url = f"{BASE}/cases/{case.pk}/bookings/{booking['id']}"

    day = next_fall_back().isoformat()
    flight = {
        "carrier": "lh",
        "flight_number": "171",
        "origin": "BER",
        "destination": "FRA",
        "departs_local": f"{day}T02:30",
        "arrives_local": f"{day}T04:30",
    }
    ambiguous = api.post(f"{url}/segments", flight)
    assert fields_of(ambiguous) == {"departs_local"}
    assert types_of(ambiguous) == {"ambiguous_time"}
    assert not Segment.objects.exists()
    first = api.post(f"{url}/segments", {**flight, "departs_offset": "+01:00"})
    assert first.status_code == 201, first.content
    assert first.json()["flight"] == "LH171"
    assert first.json()["departs_local"] == f"{day}T02:30:00+01:00"
    assert first.json()["departs_at"] == f"{day}T01:30:00Z"
    # The same time with its offset in the time itself is understood too (the earlier 02:30).
    second = api.post(
        f"{url}/segments",
        {
            "carrier": "LH",
            "flight_number": "568",
            "origin": "FRA",
            "destination": "LOS",
            "departs_local": f"{day}T06:00+01:00",
            "arrives_local": f"{day}T12:30",
        },
    )
    assert second.status_code == 201, second.content
    assert second.json()["arrives_local"] == f"{day}T12:30:00+01:00"
    mismatch = api.post(
        f"{url}/segments",
        {**flight, "departs_local": f"{day}T02:30+02:00", "departs_offset": "+01:00"},
    )
    assert fields_of(mismatch) == {"departs_offset"}

    no_reference = api.post(f"{url}/confirm")
    assert fields_of(no_reference) == {"reference"}
    version = api.get(f"{BASE}/cases/{case.pk}").json()["bookings"][0]["version"]
    changed = api.patch(url, {"version": version, "reference": "QX7P2L"})
    assert changed.status_code == 200, changed.content
    assert api.patch(url, {"version": version, "baggage": "none"}).status_code == 409
    confirmed = api.post(f"{url}/confirm")
    assert confirmed.status_code == 200, confirmed.content
    assert confirmed.json()["status"] == "confirmed"
    assert confirmed.json()["departure_date"] == day
    assert [s["flight"] for s in confirmed.json()["segments"]] == ["LH171", "LH568"]
    # A confirmed booking is not changed any more: cancel it and book again.
    assert "booking_not_pending" in types_of(api.patch(url, {"version": 99, "baggage": "x"}))


def test_flights_are_removed_from_a_booking_to_confirm(personas: Personas) -> None:
    case, _member = preparing(personas)
    booking = book(case, confirm=False)
    segment = booking.segments.order_by("departs_at").last()
    assert segment is not None
    url = f"{BASE}/cases/{case.pk}/bookings/{booking.pk}/segments/{segment.pk}"
    answer = Api(operations(personas.office_a)).delete(url)
    assert answer.status_code == 204, answer.content
    assert list(booking.segments.values_list("flight_number", flat=True)) == ["171"]
    assert Booking.objects.get().departure_date == local(2).date()


def test_a_booking_names_travellers_of_the_case(personas: Personas) -> None:
    case, _member = preparing(personas)
    _other, stranger = preparing(personas)
    answer = Api(operations(personas.office_a)).post(
        f"{BASE}/cases/{case.pk}/bookings", {"passengers": [{"member_id": str(stranger.pk)}]}
    )
    assert fields_of(answer) == {"passengers.0.member_id"}
    assert not Booking.objects.exists()


def test_a_caseworker_may_not_book(personas: Personas) -> None:
    case, member = preparing(personas)
    answer = Api(personas.caseworker_a).post(
        f"{BASE}/cases/{case.pk}/bookings", {"passengers": [{"member_id": str(member.pk)}]}
    )
    assert answer.status_code == 403, answer.content
    assert not Booking.objects.exists()


def test_cancel_a_booking(personas: Personas) -> None:
    j = journey(personas.office_a)
    api = Api(operations(personas.office_a))
    url = f"{BASE}/cases/{j.case.pk}/bookings/{j.booking.pk}/cancel"
    assert fields_of(api.post(url, {"reason": ""})) == {"reason"}
    cancelled = api.post(url, {"reason": "The airline cancelled the flight."})
    assert cancelled.status_code == 200, cancelled.content
    assert cancelled.json()["status"] == "cancelled"
    assert Booking.objects.get().status == BookingStatus.CANCELLED
    assert "booking_closed" in types_of(api.post(url, {"reason": "Again"}))


def test_assign_and_remove_an_escort(personas: Personas) -> None:
    j = journey(personas.office_a)
    url = f"{BASE}/cases/{j.case.pk}/bookings/{j.booking.pk}/escorts"
    refused = Api(personas.caseworker_a).post(url, {"kind": "medical", "name": "Dr Okafor"})
    assert refused.status_code == 403
    api = Api(operations(personas.office_a))
    created = api.post(url, {"kind": "medical", "name": "Dr Okafor", "phone": "+49 30 1234"})
    assert created.status_code == 201, created.content
    assert created.json()["kind"] == "medical"
    overview = api.get(f"{BASE}/cases/{j.case.pk}").json()
    assert overview["checklist"]["escorts"] == ["medical"]
    assert overview["bookings"][0]["escorts"][0]["name"] == "Dr Okafor"
    assert fields_of(api.post(url, {"kind": "medical", "name": "Dr\nOkafor"})) == {"name"}
    removed = api.delete(f"{url}/{created.json()['id']}")
    assert removed.status_code == 204, removed.content
    assert not Escort.objects.exists()


# --- re-confirmation and reception --------------------------------------------------------------


def test_record_a_reconfirmation(personas: Personas) -> None:
    case, member = preparing(personas)
    api = Api(personas.caseworker_a)
    url = f"{BASE}/cases/{case.pk}/members/{member.pk}/reconfirmations"
    future = (TODAY() + datetime.timedelta(days=1)).isoformat()
    refused = api.post(url, {"confirmed_on": future, "wishes_to_return": True, "method": "phone"})
    assert fields_of(refused) == {"confirmed_on"}
    answer = api.post(
        url, {"confirmed_on": TODAY().isoformat(), "wishes_to_return": False, "method": "video"}
    )
    assert answer.status_code == 201, answer.content
    assert (answer.json()["wishes_to_return"], answer.json()["method"]) == (False, "video")
    travellers = api.get(f"{BASE}/cases/{case.pk}").json()["travellers"]
    assert "reconfirmation_declined" in {u["code"] for u in travellers[0]["unmet"]}


def test_record_a_reception(personas: Personas) -> None:
    j = journey(personas.office_a)
    api = Api(personas.caseworker_a)
    url = f"{BASE}/cases/{j.case.pk}/receptions"
    _other, stranger = preparing(personas)
    unknown = api.post(
        url,
        {"member_ids": [str(stranger.pk)], "receiver_kind": "family", "receiver_name": "Aunt"},
    )
    assert fields_of(unknown) == {"member_ids"}
    empty = api.post(url, {"member_ids": [], "receiver_kind": "family", "receiver_name": "Aunt"})
    assert fields_of(empty) == {"member_ids"}
    answer = api.post(
        url,
        {
            "member_ids": [str(j.adult.pk), str(j.child.pk)],
            "receiver_kind": "partner",
            "receiver_name": "Hope Partners",
            "place": "Arrivals hall, gate B",
        },
    )
    assert answer.status_code == 201, answer.content
    assert set(answer.json()["member_ids"]) == {str(j.adult.pk), str(j.child.pk)}
    assert answer.json()["place"] == "Arrivals hall, gate B"


# --- departure, no-show, arrival ----------------------------------------------------------------


def test_a_departure_before_the_day_answers_409_then_is_confirmed(personas: Personas) -> None:
    j = journey(personas.office_a)
    api = Api(operations(personas.office_a))
    url = f"{BASE}/cases/{j.case.pk}/departure"
    set_status(j.case, Status.READY_TO_DEPART)
    early = api.post(url)
    assert early.status_code == 409, early.content
    error = early.json()["error"]
    assert error["code"] == "transition_blocked"
    assert [u["code"] for u in error["details"]] == ["departure_not_yet"]
    assert Case.objects.get().status == Status.READY_TO_DEPART

    set_status(j.case, Status.TRAVEL_PREPARATION)
    tonight = departing_today(j)
    set_status(j.case, Status.READY_TO_DEPART)
    left = api.post(url)
    assert left.status_code == 200, left.content
    assert left.json()["status"] == "departed"
    assert Booking.objects.get(pk=tonight.pk).status == BookingStatus.FLOWN
    assert Case.objects.get().status == Status.DEPARTED


def test_a_no_show_returns_the_case_to_travel_preparation(personas: Personas) -> None:
    j = journey(personas.office_a)
    set_status(j.case, Status.READY_TO_DEPART)
    api = Api(operations(personas.office_a))
    url = f"{BASE}/cases/{j.case.pk}/no-show"
    assert fields_of(api.post(url, {"reason": ""})) == {"reason"}
    answer = api.post(url, {"reason": "Did not come to the airport."})
    assert answer.status_code == 200, answer.content
    assert answer.json()["status"] == "travel_preparation"
    assert Booking.objects.get().status == BookingStatus.NO_SHOW
    again = api.post(url, {"reason": "Again"})
    assert "wrong_status" in types_of(again)


def test_the_host_office_confirms_the_arrival(personas: Personas) -> None:
    j = journey(personas.office_a)
    api = Api(personas.caseworker_a)
    url = f"{BASE}/cases/{j.case.pk}/arrival"
    body = {
        "arrived_on": TODAY().isoformat(),
        "confirmed_by": "partner",
        "reception_details": "Met by Hope Partners at the airport.",
    }
    assert "wrong_status" in types_of(api.post(url, body))
    set_status(j.case, Status.DEPARTED)
    answer = api.post(url, body)
    assert answer.status_code == 201, answer.content
    assert answer.json()["office_id"] == str(personas.office_a.pk)
    assert Case.objects.get().status == Status.ARRIVED
    overview = api.get(f"{BASE}/cases/{j.case.pk}").json()
    assert overview["arrival"]["confirmed_by"] == "partner"


# --- hand-over ----------------------------------------------------------------------------------


def _handover_body(j: Journey, office: Office, members: list[CaseMember]) -> dict[str, Any]:
    return {
        "recipient_kind": "origin_office",
        "recipient_office_id": str(office.pk),
        "purpose": "reintegration_assistance",
        "member_ids": [str(m.pk) for m in members],
        "counselling_notes": "Wants to restart the tailoring business.",
    }


def test_a_handover_needs_consent_and_the_origin_office_works_it(personas: Personas) -> None:
    j = journey(personas.office_a)
    origin = origin_office()
    share_with(j.adult, origin)
    host = Api(personas.caseworker_a)
    url = f"{BASE}/cases/{j.case.pk}/handovers"

    refused = host.post(url, _handover_body(j, origin, [j.adult, j.child]))
    assert refused.status_code == 422, refused.content
    [detail] = refused.json()["error"]["details"]
    assert (detail["field"], detail["type"]) == ("member_ids", "no_consent")
    assert not any(name in refused.content.decode() for name in names_of(j.child))
    assert not Handover.objects.exists()
    unknown = host.post(url, _handover_body(j, personas.office_b, [j.adult]))
    assert fields_of(unknown) == {"recipient_office_id"}

    sent = host.post(url, _handover_body(j, origin, [j.adult]))
    assert sent.status_code == 201, sent.content
    handover_id = sent.json()["id"]
    assert sent.json()["recipient"] == origin.name
    assert "package" not in sent.json()

    reader = UserFactory.create(roles=[(origin, Role.REINTEGRATION)])
    api = Api(reader)
    listed = api.get(f"{BASE}/handovers").json()
    assert listed["count"] == 1
    assert (listed["items"][0]["id"], listed["items"][0]["direction"]) == (handover_id, "received")
    assert host.get(f"{BASE}/handovers").json()["items"][0]["direction"] == "sent"

    read = api.get(f"{BASE}/handovers/{handover_id}")
    assert read.status_code == 200, read.content
    package = read.json()["package"]
    assert package["case"]["reference"] == j.case.reference
    assert [t["family_name"] for t in package["travellers"]] == [j.adult.person.family_name]
    assert package["counselling_notes"] == "Wants to restart the tailoring business."
    assert AuditEvent.objects.filter(
        action="movements.handover_view", actor_id=reader.pk, office_id=origin.pk
    ).exists()

    acknowledged = api.post(f"{BASE}/handovers/{handover_id}/acknowledge")
    assert acknowledged.status_code == 200, acknowledged.content
    assert acknowledged.json()["acknowledged_at"] is not None

    # The origin office sees the hand-over, never the case.
    assert api.get(f"/api/v1/cases/{j.case.pk}").status_code == 404
    assert api.get(f"{BASE}/cases/{j.case.pk}").status_code == 404

    set_status(j.case, Status.DEPARTED)
    arrival = {
        "arrived_on": TODAY().isoformat(),
        "confirmed_by": "origin_office",
        "reception_details": "Met at the airport by our officer.",
    }
    wrong_name = api.post(
        f"{BASE}/handovers/{handover_id}/arrival", {**arrival, "confirmed_by": "escort"}
    )
    assert fields_of(wrong_name) == {"confirmed_by"}
    arrived = api.post(f"{BASE}/handovers/{handover_id}/arrival", arrival)
    assert arrived.status_code == 201, arrived.content
    assert arrived.json()["office_id"] == str(origin.pk)
    assert Case.objects.get().status == Status.ARRIVED

    # Another origin office sees none of it.
    stranger = Api(UserFactory.create(roles=[(origin_office(), Role.REINTEGRATION)]))
    assert stranger.get(f"{BASE}/handovers").json()["count"] == 0
    assert stranger.get(f"{BASE}/handovers/{handover_id}").status_code == 404
    assert stranger.post(f"{BASE}/handovers/{handover_id}/arrival", arrival).status_code == 404


def test_a_government_authority_never_receives_the_category_trafficking_or_notes(
    personas: Personas,
) -> None:
    j = journey(personas.office_a)
    Case.objects.filter(pk=j.case.pk).update(category="rejected_asylum_seeker")
    ConsentFactory.create(
        person=j.adult.person,
        recipient_kind=RK.GOVERNMENT_AUTHORITY,
        recipient_name="Ministry of Interior",
    )
    api = Api(personas.caseworker_a)
    body = {
        "recipient_kind": "government_authority",
        "recipient_name": "Ministry of Interior",
        "purpose": "reintegration_assistance",
        "member_ids": [str(j.adult.pk)],
        "counselling_notes": "Fled persecution after the claim was refused.",
        "needs": "Psychosocial support.",
    }
    forbidden = api.post(
        f"{BASE}/cases/{j.case.pk}/handovers",
        {**body, "shared_flags": {str(j.adult.pk): ["victim_of_trafficking"]}},
    )
    assert fields_of(forbidden) == {"shared_flags"}
    sent = api.post(f"{BASE}/cases/{j.case.pk}/handovers", body)
    assert sent.status_code == 201, sent.content
    handover = Handover.objects.get()

    def read() -> str:
        answer = api.get(f"{BASE}/handovers/{handover.pk}")
        assert answer.status_code == 200, answer.content
        return str(answer.content.decode())

    def absent(text: str) -> None:
        assert "rejected_asylum_seeker" not in text
        assert "victim_of_trafficking" not in text
        assert "Fled persecution" not in text
        assert "Psychosocial" not in text
        assert "Aunt Ngozi" not in text  # the child's receiver (journey's reception)

    first = read()
    absent(first)
    assert j.case.reference in first
    # Even a stored package holding them (an older build, a bug) is shown without them.
    package = dict(handover.package)
    package["case"] = {**package["case"], "category": "rejected_asylum_seeker"}
    package["travellers"] = [
        {**package["travellers"][0], "vulnerabilities": ["victim_of_trafficking", "elderly"]}
    ]
    package["counselling_notes"] = "Fled persecution after the claim was refused."
    handover.package = package
    handover.save()
    second = read()
    absent(second)
    assert json.loads(second)["package"]["travellers"][0]["vulnerabilities"] == ["elderly"]


# --- manifest, departures, queue ----------------------------------------------------------------


def test_the_manifest_has_exactly_the_manifest_fields(personas: Personas) -> None:
    j = journey(personas.office_a)
    day = j.booking.departure_date
    assert day is not None
    officer = operations(personas.office_a)
    answer = Api(officer).get(f"{BASE}/manifest", {"date": day.isoformat()})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["fields"] == list(MANIFEST_FIELDS)
    assert len(body["rows"]) == 2
    assert all(list(row) == list(MANIFEST_FIELDS) for row in body["rows"])
    assert {row["booking_reference"] for row in body["rows"]} == {"QX7P2L"}
    event = AuditEvent.objects.get(action="movements.manifest_export", actor_id=officer.pk)
    assert event.details == {"rows": 2}
    other_day = Api(officer).get(f"{BASE}/manifest", {"date": TODAY().isoformat()})
    assert other_day.json()["rows"] == []
    assert Api(personas.caseworker_a).get(f"{BASE}/manifest").status_code == 403
    elsewhere = {"office_id": str(personas.office_b.pk)}
    assert Api(officer).get(f"{BASE}/manifest", elsewhere).status_code == 404


def test_the_departures_calendar_names_no_one(personas: Personas) -> None:
    j = journey(personas.office_a)
    api = Api(operations(personas.office_a))
    week = {"start": TODAY().isoformat(), "end": (TODAY() + datetime.timedelta(7)).isoformat()}
    answer = api.get(f"{BASE}/departures", week)
    assert answer.status_code == 200, answer.content
    [row] = answer.json()
    assert row["booking_id"] == str(j.booking.pk)
    assert (row["case_reference"], row["passengers"]) == (j.case.reference, 2)
    assert row["flights"] == ["LH171 BER-FRA", "LH568 FRA-LOS"]
    assert row["departs_local"].startswith(local(2, 7, 0).isoformat())
    assert not any(name in answer.content.decode() for name in names_of(j.adult))
    assert api.get(f"{BASE}/departures", {**week, "destination": "IQ"}).json() == []
    too_long = {"start": TODAY().isoformat(), "end": (TODAY() + datetime.timedelta(93)).isoformat()}
    assert fields_of(api.get(f"{BASE}/departures", too_long)) == {"end"}
    backwards = {"start": week["end"], "end": week["start"]}
    assert fields_of(api.get(f"{BASE}/departures", backwards)) == {"end"}


def test_the_queue_gives_references_not_names(personas: Personas) -> None:
    case, member = preparing(personas)
    booking = book(case, confirm=False)
    answer = Api(operations(personas.office_a)).get(f"{BASE}/queue")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["bookings_to_confirm"]["count"] == 1
    item = body["bookings_to_confirm"]["items"][0]
    assert (item["id"], item["case_reference"]) == (str(booking.pk), case.reference)
    assert body["documents_to_request"]["count"] == 0
    assert not any(name in answer.content.decode() for name in names_of(member))
    assert Api(personas.caseworker_b).get(f"{BASE}/queue").json()["count"] == 0


# --- another office -----------------------------------------------------------------------------


def _routes(j: Journey) -> list[tuple[str, str, Any]]:
    case = f"{BASE}/cases/{j.case.pk}"
    booking = f"{case}/bookings/{j.booking.pk}"
    segment = j.booking.segments.first()
    assert segment is not None
    document = TravelDocument.objects.filter(member=j.adult).first()
    assert document is not None
    escort = services.escort_add(
        actor=None, booking=j.booking, kind=EscortKind.OPERATIONAL, name="Escort Officer Ade"
    )
    today = TODAY().isoformat()
    member = str(j.adult.pk)
    return [
        ("get", case, None),
        ("post", f"{case}/members/{member}/documents", {"kind": "passport"}),
        ("patch", f"{case}/documents/{document.pk}", {"version": 1, "consulate": "X"}),
        ("post", f"{case}/bookings", {"passengers": [{"member_id": member}]}),
        ("patch", booking, {"version": 1, "baggage": "none"}),
        (
            "post",
            f"{booking}/segments",
            {
                "carrier": "LH",
                "flight_number": "1",
                "origin": "LOS",
                "destination": "FRA",
                "departs_local": f"{today}T22:00",
                "arrives_local": f"{today}T23:50",
            },
        ),
        ("delete", f"{booking}/segments/{segment.pk}", None),
        ("post", f"{booking}/escorts", {"kind": "operational", "name": "Ade"}),
        ("delete", f"{booking}/escorts/{escort.pk}", None),
        ("post", f"{booking}/confirm", {}),
        ("post", f"{booking}/cancel", {"reason": "No"}),
        (
            "post",
            f"{case}/members/{member}/reconfirmations",
            {"confirmed_on": today, "wishes_to_return": True, "method": "phone"},
        ),
        (
            "post",
            f"{case}/receptions",
            {"member_ids": [member], "receiver_kind": "family", "receiver_name": "Aunt"},
        ),
        ("post", f"{case}/departure", {}),
        ("post", f"{case}/no-show", {"reason": "No"}),
        (
            "post",
            f"{case}/arrival",
            {"arrived_on": today, "confirmed_by": "partner", "reception_details": "Met"},
        ),
        (
            "post",
            f"{case}/handovers",
            {
                "recipient_kind": "partner",
                "recipient_name": "Hope Partners",
                "purpose": "reintegration_assistance",
                "member_ids": [member],
            },
        ),
    ]


def test_another_office_gets_404_on_every_kind_of_route(personas: Personas) -> None:
    j = journey(personas.office_a)
    routes = _routes(j)
    origin = origin_office()
    share_with(j.adult, origin)
    handover = services.handover_send(
        actor=None,
        case=j.case,
        recipient_kind=RK.ORIGIN_OFFICE,
        recipient_office=origin,
        purpose=DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE,
        members=[j.adult],
    )
    arrival = {"arrived_on": TODAY().isoformat(), "confirmed_by": "origin_office"}
    routes += [
        ("get", f"{BASE}/handovers/{handover.pk}", None),
        ("post", f"{BASE}/handovers/{handover.pk}/acknowledge", {}),
        ("post", f"{BASE}/handovers/{handover.pk}/arrival", {**arrival, "reception_details": "M"}),
    ]
    api = Api(operations(personas.office_b))
    before = AuditEvent.objects.count()
    for method, path, body in routes:
        answer = api.send(method, path, body)
        assert answer.status_code == 404, f"{method.upper()} {path}: {answer.status_code}"
    assert AuditEvent.objects.count() == before
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
    assert Escort.objects.count() == 1
    # The same routes answer the case's own office (the 404s above are about the office).
    own = Api(operations(personas.office_a))
    assert own.get(f"{BASE}/cases/{j.case.pk}").status_code == 200
    assert own.get(f"{BASE}/handovers/{handover.pk}").status_code == 200
