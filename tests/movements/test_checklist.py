"""Each pre-departure guard refuses when its condition fails and names it: starting from a journey
that meets the checklist, one condition is taken away at a time and the move to
``ready_to_depart`` lists exactly what is unmet, naming the traveller by a display label. Then
the journey itself: ready to depart, back to preparation, no-show, withdrawal, departure on the
flight's day and the arrival (by the host office, or by the origin office holding a hand-over).
"""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from tests.assessments.factories import assess, screen
from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from tests.consent.factories import child
from tests.factories import UserFactory
from tests.movements.factories import (
    Journey,
    book,
    issue_document,
    journey,
    local,
    origin_office,
    receive,
    reconfirm,
    share_with,
)
from tests.safety.factories import record, safety_officer, set_status
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role
from wayhome.assessments.models import Escort, Flag, Kind, TravelCondition
from wayhome.cases.models import Case, CaseMember, CaseTransition
from wayhome.cases.services import TransitionBlocked, case_transition, transition_unmet
from wayhome.cases.workflow import Status
from wayhome.consent.models import DataSharingConsent
from wayhome.movements import services
from wayhome.movements.models import (
    Arrival,
    Booking,
    BookingStatus,
    ConfirmedBy,
    DocumentStatus,
    EscortKind,
    Reception,
    Reconfirmation,
    TravelDocument,
)
from wayhome.movements.rules import checklist

pytestmark = pytest.mark.django_db

PRINCIPAL = "Principal applicant (1)"
CHILD = "Child (2)"
READY = Status.READY_TO_DEPART


def today() -> datetime.date:
    return timezone.localdate()


def operations(office: Office) -> User:
    return UserFactory.create(roles=[(office, Role.OPERATIONS)])


def unmet(actor: User, case: Case, target: str = READY, reason: str = "") -> list[tuple[str, str]]:
    """(code, subject) of every unmet condition, sorted (a duplicate would show)."""
    case.refresh_from_db()
    found = transition_unmet(actor=actor, case=case, target=target, reason=reason)
    return sorted((u.code, u.subject) for u in found)


def blocked(actor: User, case: Case, target: str, reason: str = "") -> list[tuple[str, str]]:
    with pytest.raises(TransitionBlocked) as caught:
        case_transition(actor=actor, case=case, target=target, reason=reason)
    return sorted((u.code, u.subject) for u in caught.value.unmet)


def status_of(case: Case) -> str:
    return Case.objects.values_list("status", flat=True).get(pk=case.pk)


def booking_status(booking: Booking) -> str:
    return Booking.objects.values_list("status", flat=True).get(pk=booking.pk)


@pytest.fixture
def office(personas: Personas) -> Office:
    return personas.office_a


@pytest.fixture
def ops(office: Office) -> User:
    return operations(office)


@pytest.fixture
def trip(office: Office) -> Journey:
    return journey(office)


def document_of(member: CaseMember) -> TravelDocument:
    return TravelDocument.objects.get(member=member)


# --- the starting point ---------------------------------------------------------------------------


def test_the_journey_meets_every_condition(ops: User, trip: Journey) -> None:
    assert transition_unmet(actor=ops, case=trip.case, target=READY) == []
    state = checklist(trip.case)
    assert state.ready
    assert [(t.label, t.child) for t in state.travellers] == [(PRINCIPAL, False), (CHILD, True)]
    assert state.departure_date == today() + datetime.timedelta(days=2)
    assert state.booking is not None
    assert state.booking.pk == trip.booking.pk


# --- documents -----------------------------------------------------------------------------------


def test_a_refused_document_is_no_document(ops: User, trip: Journey) -> None:
    services.document_update(
        actor=ops,
        document=document_of(trip.child),
        status=DocumentStatus.REFUSED,
        refusal_reason="The consulate asks for a birth certificate.",
    )
    assert unmet(ops, trip.case) == [("document_missing", CHILD)]


def test_an_expired_document_is_no_document(ops: User, trip: Journey) -> None:
    services.document_update(
        actor=ops,
        document=document_of(trip.adult),
        expires_on=today() - datetime.timedelta(days=1),
    )
    assert unmet(ops, trip.case) == [("document_missing", PRINCIPAL)]
    # A new document, issued since, is the one in force.
    issue_document(trip.adult, number="ETD-5000-NEW")
    assert unmet(ops, trip.case) == []


def test_a_document_expiring_before_the_arrival_date(ops: User, trip: Journey) -> None:
    arrival = trip.booking.arrival_date
    assert arrival == today() + datetime.timedelta(days=2)
    document = services.document_update(
        actor=ops, document=document_of(trip.child), expires_on=arrival - datetime.timedelta(days=1)
    )
    assert unmet(ops, trip.case) == [("document_expires", CHILD)]
    services.document_update(actor=ops, document=document, expires_on=arrival)  # the day itself
    assert unmet(ops, trip.case) == []


# --- the booking ---------------------------------------------------------------------------------


def test_a_booking_still_to_confirm(ops: User, trip: Journey) -> None:
    services.booking_cancel(actor=ops, booking=trip.booking, reason="Flight changed")
    pending = book(trip.case, confirm=False)
    assert unmet(ops, trip.case) == [("booking_unconfirmed", "")]
    services.booking_confirm(actor=ops, booking=pending)
    assert unmet(ops, trip.case) == []


def test_a_cancelled_booking_leaves_no_booking(ops: User, trip: Journey) -> None:
    services.booking_cancel(actor=ops, booking=trip.booking, reason="Flight changed")
    # Without a booking there is no departure date either: the re-confirmation cannot be within
    # the days before it.
    assert unmet(ops, trip.case) == [
        ("booking_unconfirmed", ""),
        ("reconfirmation_missing", PRINCIPAL),
    ]


def test_a_traveller_not_on_the_booking(ops: User, trip: Journey) -> None:
    services.booking_cancel(actor=ops, booking=trip.booking, reason="Child forgotten")
    book(trip.case, members=[trip.adult])
    assert unmet(ops, trip.case) == [("not_booked", CHILD)]


# --- fitness to travel ---------------------------------------------------------------------------


@pytest.fixture
def health_needs(personas: Personas, trip: Journey) -> Journey:
    """The principal has physical health needs (and the medical assessment approval asked for,
    deciding no escort)."""
    screen(personas.caseworker_a, trip.adult, [Flag.PHYSICAL_HEALTH_NEEDS])
    assess(personas.caseworker_a, trip.adult, Kind.MEDICAL, escort=Escort.NONE)
    return trip


def test_health_needs_without_a_fitness_check(ops: User, health_needs: Journey) -> None:
    assert unmet(ops, health_needs.case) == [("fitness_missing", PRINCIPAL)]


def test_a_traveller_found_unfit(personas: Personas, ops: User, health_needs: Journey) -> None:
    assess(personas.caseworker_a, health_needs.adult, Kind.FITNESS, fit_to_travel=False)
    assert unmet(ops, health_needs.case) == [("not_fit_to_travel", PRINCIPAL)]


def test_a_fitness_check_that_lapses_before_departure(
    personas: Personas, ops: User, health_needs: Journey
) -> None:
    departure = health_needs.booking.departure_date
    assert departure is not None
    for valid_until in (today(), departure - datetime.timedelta(days=1)):
        assess(personas.caseworker_a, health_needs.adult, Kind.FITNESS, valid_until=valid_until)
        assert unmet(ops, health_needs.case) == [("fitness_not_valid_at_departure", PRINCIPAL)]
    assess(personas.caseworker_a, health_needs.adult, Kind.FITNESS, valid_until=departure)
    assert unmet(ops, health_needs.case) == []


def test_a_fitness_check_made_too_long_before_departure(
    personas: Personas, ops: User, health_needs: Journey
) -> None:
    departure = health_needs.booking.departure_date
    assert departure == today() + datetime.timedelta(days=2)
    assess(
        personas.caseworker_a,
        health_needs.adult,
        Kind.FITNESS,
        assessed_on=today() - datetime.timedelta(days=2),  # 4 days before departure
        valid_until=departure + datetime.timedelta(days=10),
    )
    with override_settings(FITNESS_VALID_DAYS=3):
        assert unmet(ops, health_needs.case) == [("fitness_not_valid_at_departure", PRINCIPAL)]
    with override_settings(FITNESS_VALID_DAYS=4):
        assert unmet(ops, health_needs.case) == []


# --- escorts -------------------------------------------------------------------------------------


def test_a_fitness_check_asking_for_an_escort(personas: Personas, ops: User, trip: Journey) -> None:
    assess(
        personas.caseworker_a, trip.adult, Kind.FITNESS, travel_conditions=[TravelCondition.ESCORT]
    )
    assert unmet(ops, trip.case) == [("escort_missing", "")]
    services.escort_add(
        actor=ops, booking=trip.booking, kind=EscortKind.OPERATIONAL, name="Escort Officer Ade"
    )
    assert unmet(ops, trip.case) == []


def test_a_fitness_check_asking_for_a_medical_escort(
    personas: Personas, ops: User, trip: Journey
) -> None:
    assess(
        personas.caseworker_a,
        trip.adult,
        Kind.FITNESS,
        travel_conditions=[TravelCondition.MEDICAL_ESCORT, TravelCondition.WHEELCHAIR],
    )
    assert unmet(ops, trip.case) == [("medical_escort_missing", "")]
    # An operational escort is not a medical one.
    services.escort_add(
        actor=ops, booking=trip.booking, kind=EscortKind.OPERATIONAL, name="Escort Officer Ade"
    )
    assert unmet(ops, trip.case) == [("medical_escort_missing", "")]
    services.escort_add(actor=ops, booking=trip.booking, kind=EscortKind.MEDICAL, name="Dr Eze")
    assert unmet(ops, trip.case) == []


def test_a_medical_assessment_asking_for_a_medical_escort(
    personas: Personas, ops: User, trip: Journey
) -> None:
    assess(personas.caseworker_a, trip.adult, Kind.MEDICAL, escort=Escort.MEDICAL)
    assert unmet(ops, trip.case) == [("medical_escort_missing", "")]
    services.escort_add(actor=ops, booking=trip.booking, kind=EscortKind.MEDICAL, name="Dr Eze")
    assert unmet(ops, trip.case) == []


def test_a_child_travelling_alone_needs_an_escort_and_a_reconfirmation(
    office: Office, ops: User
) -> None:
    case = CaseFactory.create(office=office, principal=child(office))
    case = set_status(case, Status.TRAVEL_PREPARATION)
    member = case.members.get()
    issue_document(member)
    booking = book(case)
    receive(case, [member])
    assert unmet(ops, case) == [("escort_missing", ""), ("reconfirmation_missing", PRINCIPAL)]
    reconfirm(member)  # through the child's representative
    services.escort_add(actor=ops, booking=booking, kind=EscortKind.OPERATIONAL, name="Ms Obi")
    assert unmet(ops, case) == []


# --- re-confirmation of voluntariness ------------------------------------------------------------


def test_no_reconfirmation(ops: User, trip: Journey) -> None:
    Reconfirmation.objects.filter(member=trip.adult).delete()
    assert unmet(ops, trip.case) == [("reconfirmation_missing", PRINCIPAL)]


def test_a_reconfirmation_too_long_before_departure(ops: User, trip: Journey) -> None:
    Reconfirmation.objects.filter(member=trip.adult).delete()
    reconfirm(trip.adult, days_ago=2)  # 4 days before the departure
    with override_settings(RECONFIRM_WITHIN_DAYS=3):
        assert unmet(ops, trip.case) == [("reconfirmation_missing", PRINCIPAL)]
    with override_settings(RECONFIRM_WITHIN_DAYS=4):
        assert unmet(ops, trip.case) == []


def test_a_declined_reconfirmation(ops: User, trip: Journey) -> None:
    reconfirm(trip.adult, wishes=False)  # the latest says no
    assert unmet(ops, trip.case) == [("reconfirmation_declined", PRINCIPAL)]
    reconfirm(trip.adult)  # and then yes again
    assert unmet(ops, trip.case) == []


# --- reception and suspension --------------------------------------------------------------------


def test_a_child_without_reception(ops: User, trip: Journey) -> None:
    Reception.objects.filter(case=trip.case).delete()
    assert unmet(ops, trip.case) == [("reception_missing", CHILD)]
    receive(trip.case, [trip.child], receiver_kind="authority", receiver_name="Child services")
    assert unmet(ops, trip.case) == []


def test_a_suspension_of_the_destination(office: Office, ops: User) -> None:
    version, _held = record(safety_officer(office), country="NG", reason="Floods in the south")
    trip = journey(office)  # opened after the suspension, so not held by it
    assert unmet(ops, trip.case) == [("restriction_suspended", "")]
    message = str(
        next(u.message for u in transition_unmet(actor=ops, case=trip.case, target=READY))
    )
    assert "Nigeria" in message
    assert "Floods in the south" in message
    record(safety_officer(office), previous=version, status="open")
    assert unmet(ops, trip.case) == []


# --- the moves ------------------------------------------------------------------------------------


def test_an_operations_officer_moves_the_case_to_ready_to_depart(
    personas: Personas, ops: User, trip: Journey
) -> None:
    Reception.objects.filter(case=trip.case).delete()
    assert blocked(ops, trip.case, READY) == [("reception_missing", CHILD)]
    assert status_of(trip.case) == Status.TRAVEL_PREPARATION
    receive(trip.case, [trip.child])
    moved = case_transition(actor=ops, case=trip.case, target=READY)
    assert moved.status == READY
    last = CaseTransition.objects.filter(case=trip.case).order_by("-id").first()
    assert last is not None
    assert (last.source, last.target, last.actor_id) == (Status.TRAVEL_PREPARATION, READY, ops.pk)


def test_only_who_may_move_a_case_makes_the_move(personas: Personas, trip: Journey) -> None:
    medical = UserFactory.create(roles=[(personas.office_a, Role.MEDICAL)])  # sees the case
    for actor in (medical, personas.caseworker_b, operations(personas.office_b)):
        with pytest.raises(PermissionDenied):
            case_transition(actor=actor, case=trip.case, target=READY)
    assert status_of(trip.case) == Status.TRAVEL_PREPARATION


@pytest.fixture
def ready(ops: User, trip: Journey) -> Journey:
    trip.case = case_transition(actor=ops, case=trip.case, target=READY)
    return trip


def test_going_back_to_preparation_needs_a_reason(ops: User, ready: Journey) -> None:
    back = Status.TRAVEL_PREPARATION
    assert blocked(ops, ready.case, back) == [("reason_required", "")]
    assert blocked(ops, ready.case, back, reason="  \n ") == [("reason_required", "")]
    moved = case_transition(actor=ops, case=ready.case, target=back, reason="Flight rescheduled")
    assert moved.status == back
    last = CaseTransition.objects.filter(case=ready.case).order_by("-id").first()
    assert last is not None
    assert (last.source, last.target, last.reason) == (READY, back, "Flight rescheduled")
    assert booking_status(ready.booking) == BookingStatus.CONFIRMED  # the booking still stands


def test_a_no_show(ops: User, ready: Journey) -> None:
    with pytest.raises(TransitionBlocked):
        services.no_show_record(actor=ops, case=ready.case, reason=" ")
    assert (status_of(ready.case), booking_status(ready.booking)) == (
        READY,
        BookingStatus.CONFIRMED,
    )
    moved = services.no_show_record(
        actor=ops, case=ready.case, reason="Did not come to the\nairport"
    )
    assert moved.status == Status.TRAVEL_PREPARATION
    booking = Booking.objects.get(pk=ready.booking.pk)
    assert (booking.status, booking.status_reason) == (
        BookingStatus.NO_SHOW,
        "Did not come to the airport",
    )
    # A new booking is needed.
    assert unmet(ops, ready.case) == [
        ("booking_unconfirmed", ""),
        ("reconfirmation_missing", PRINCIPAL),
    ]
    with pytest.raises(ValidationError) as caught:
        services.no_show_record(actor=ops, case=ready.case, reason="Again")
    assert caught.value.code == "wrong_status"


def test_a_withdrawal_from_ready_to_depart_cancels_the_booking(
    personas: Personas, ops: User, ready: Journey
) -> None:
    with pytest.raises(PermissionDenied):  # withdrawing is not an operations officer's move
        case_transition(actor=ops, case=ready.case, target=Status.WITHDRAWN, reason="No")
    moved = case_transition(
        actor=personas.caseworker_a,
        case=ready.case,
        target=Status.WITHDRAWN,
        reason="No longer wishes to return",
    )
    assert moved.status == Status.WITHDRAWN
    booking = Booking.objects.get(pk=ready.booking.pk)
    assert (booking.status, booking.status_reason) == (
        BookingStatus.CANCELLED,
        "No longer wishes to return",
    )


def test_the_departure_is_confirmed_on_the_flights_day_not_before(
    ops: User, ready: Journey
) -> None:
    with pytest.raises(TransitionBlocked) as caught:
        services.departure_confirm(actor=ops, case=ready.case)
    assert [(u.code, u.subject) for u in caught.value.unmet] == [("departure_not_yet", "")]
    assert (status_of(ready.case), booking_status(ready.booking)) == (
        READY,
        BookingStatus.CONFIRMED,
    )


def leaving_today(office: Office, ops: User) -> Journey:
    """A journey whose only flight leaves Berlin tonight, ready to depart."""
    trip = journey(office)
    services.booking_cancel(actor=ops, booking=trip.booking, reason="Earlier flight")
    trip.booking = book(
        trip.case, flights=[("LH", "4401", "BER-LOS", local(0, 23, 30), local(1, 6, 0))]
    )
    assert trip.booking.departure_date == today()
    trip.case = case_transition(actor=ops, case=trip.case, target=READY)
    return trip


def departed(office: Office, ops: User) -> Journey:
    trip = leaving_today(office, ops)
    trip.case = services.departure_confirm(actor=ops, case=trip.case)
    return trip


def test_the_departure_on_the_day_marks_the_booking_flown(office: Office, ops: User) -> None:
    trip = departed(office, ops)
    assert status_of(trip.case) == Status.DEPARTED
    assert booking_status(trip.booking) == BookingStatus.FLOWN


def test_the_arrival_needs_its_record(office: Office, ops: User) -> None:
    trip = departed(office, ops)
    assert blocked(ops, trip.case, Status.ARRIVED) == [("arrival_missing", "")]
    assert status_of(trip.case) == Status.DEPARTED


def test_the_host_office_confirms_the_arrival(office: Office, ops: User) -> None:
    trip = departed(office, ops)
    arrival = services.arrival_confirm(
        actor=ops,
        case=trip.case,
        arrived_on=today(),
        confirmed_by=ConfirmedBy.ESCORT,
        reception_details="Met by the aunt at the arrival hall",
    )
    assert status_of(trip.case) == Status.ARRIVED
    saved = Arrival.objects.get(case=trip.case)
    assert (saved.pk, saved.office_id, saved.recorded_by_id) == (arrival.pk, office.pk, ops.pk)
    assert saved.reception_details == "Met by the aunt at the arrival hall"


def test_the_origin_office_holding_a_hand_over_confirms_the_arrival(
    office: Office, ops: User
) -> None:
    trip = departed(office, ops)
    origin = origin_office()
    share_with(trip.adult, origin)
    services.handover_send(
        actor=None,
        case=trip.case,
        recipient_kind=DataSharingConsent.RecipientKind.ORIGIN_OFFICE,
        recipient_office=origin,
        purpose=DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE,
        members=[trip.adult],
    )
    officer = UserFactory.create(roles=[(origin, Role.REINTEGRATION)])
    with pytest.raises(ValidationError) as caught:  # in its own name only
        services.arrival_confirm(
            actor=officer,
            case=trip.case,
            arrived_on=today(),
            confirmed_by=ConfirmedBy.HOST_OFFICE,
            reception_details="Received",
        )
    assert set(caught.value.message_dict) == {"confirmed_by"}
    services.arrival_confirm(
        actor=officer,
        case=trip.case,
        arrived_on=today(),
        confirmed_by=ConfirmedBy.ORIGIN_OFFICE,
        reception_details="Received at the airport by our staff",
    )
    assert status_of(trip.case) == Status.ARRIVED
    saved = Arrival.objects.get(case=trip.case)
    assert (saved.office_id, saved.recorded_by_id) == (origin.pk, officer.pk)


def test_an_origin_office_without_a_hand_over_may_not_confirm(
    personas: Personas, office: Office, ops: User
) -> None:
    trip = departed(office, ops)
    # A hand-over to one origin office does not open the case to another.
    receiving = origin_office()
    share_with(trip.adult, receiving)
    services.handover_send(
        actor=None,
        case=trip.case,
        recipient_kind=DataSharingConsent.RecipientKind.ORIGIN_OFFICE,
        recipient_office=receiving,
        purpose=DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE,
        members=[trip.adult],
    )
    other = origin_office()
    strangers = [
        UserFactory.create(roles=[(other, role)])
        for role in (Role.REINTEGRATION, Role.OPERATIONS, Role.CASEWORKER)
    ]
    for actor in [*strangers, personas.caseworker_b]:
        with pytest.raises(PermissionDenied):
            services.arrival_confirm(
                actor=actor,
                case=trip.case,
                arrived_on=today(),
                confirmed_by=ConfirmedBy.ORIGIN_OFFICE,
                reception_details="Received",
            )
    assert status_of(trip.case) == Status.DEPARTED
    assert not Arrival.objects.filter(case=trip.case).exists()
