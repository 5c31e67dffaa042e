"""The pre-departure checklist: what must hold before a case is ``ready_to_depart``, traveller by
traveller. The guards (``guards.py``), the travel page and the operations work queue all read this
one computation, so that a refusal and the checklist on screen never disagree.

For the case's open booking (the confirmed one, else the one to confirm), its departure date
(local, at the first airport) and arrival date (local, at the last):

- **documents**: every travelling member holds an issued travel document that has not expired
  and does not expire before the arrival date;
- **booking**: a confirmed booking, with an itinerary, on which every travelling member is a
  passenger;
- **fitness**: a fitness-to-travel check in force (where one is required: see
  ``assessments/rules.py``) made at most ``FITNESS_VALID_DAYS`` before departure and valid on
  the departure date;
- **escorts**: a medical escort on the booking when a traveller's fitness check or medical
  assessment asks for one; an escort (operational or medical) when one asks for an escort, a
  best-interests determination asks for supervised travel, or children travel without an adult;
- **re-confirmation**: every travelling adult (and a child travelling with no adult, through
  their representative) re-confirmed the wish to return within ``RECONFIRM_WITHIN_DAYS`` before
  departure, and the latest re-confirmation says yes;
- **reception**: every travelling child has a reception arrangement at arrival.

"No suspension in force" is the safety app's own guard on the same move. Unmet conditions name a
traveller by a display label ("Child (3)"), never by name.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.assessments.models import Assessment, Escort, Kind, Recommendation, TravelCondition
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.workflow import Unmet
from wayhome.consent.rules import is_child, member_label
from wayhome.movements.models import (
    OPEN_BOOKING,
    Booking,
    BookingStatus,
    DocumentStatus,
    EscortKind,
    Reception,
    Reconfirmation,
    TravelDocument,
)


def reconfirm_within_days() -> int:
    return int(getattr(settings, "RECONFIRM_WITHIN_DAYS", 3))


def fitness_valid_days() -> int:
    return int(getattr(settings, "FITNESS_VALID_DAYS", 3))


def document_in_force(documents: list[TravelDocument]) -> TravelDocument | None:
    """The issued document in force among a traveller's (oldest first): the latest issued one
    that has not expired."""
    issued = [d for d in documents if d.current_status == DocumentStatus.ISSUED]
    return issued[-1] if issued else None


@dataclass
class Traveller:
    member: CaseMember
    label: str
    child: bool
    documents: list[TravelDocument] = field(default_factory=list)
    fitness: Assessment | None = None
    medical: Assessment | None = None
    bid: Assessment | None = None
    reconfirmation: Reconfirmation | None = None
    received: bool = False
    passenger: bool = False
    unmet: list[Unmet] = field(default_factory=list)

    @property
    def document(self) -> TravelDocument | None:
        return document_in_force(self.documents)

    @property
    def conditions(self) -> list[str]:
        if self.fitness is None or not self.fitness.fit_to_travel:
            return []
        return list(self.fitness.travel_conditions)


@dataclass
class Checklist:
    case: Case
    booking: Booking | None
    travellers: list[Traveller]
    today: datetime.date
    escorts: set[str] = field(default_factory=set)
    unmet: list[Unmet] = field(default_factory=list)

    @property
    def departure_date(self) -> datetime.date | None:
        return self.booking.departure_date if self.booking else None

    @property
    def arrival_date(self) -> datetime.date | None:
        return self.booking.arrival_date if self.booking else None

    @property
    def medical_escort_needed(self) -> bool:
        return any(
            TravelCondition.MEDICAL_ESCORT in t.conditions
            or (t.medical is not None and t.medical.escort == Escort.MEDICAL)
            for t in self.travellers
        )

    @property
    def escort_needed(self) -> bool:
        travelling = self.travellers
        if any(
            TravelCondition.ESCORT in t.conditions
            or (t.medical is not None and t.medical.escort == Escort.ESCORT)
            or (
                t.bid is not None
                and t.bid.recommendation == Recommendation.RETURN
                and t.bid.supervised_travel
            )
            for t in travelling
        ):
            return True
        return bool(travelling) and all(t.child for t in travelling)

    @property
    def ready(self) -> bool:
        return not self.unmet


def open_booking(case: Case) -> Booking | None:
    """The booking that stands: the confirmed one, else the latest one to confirm."""
    bookings = list(
        Booking.objects.filter(case=case, status__in=OPEN_BOOKING).prefetch_related(
            "segments", "passengers", "escorts"
        )
    )
    confirmed = [b for b in bookings if b.status == BookingStatus.CONFIRMED]
    chosen = confirmed or bookings
    return chosen[0] if chosen else None


def checklist(case: Case, today: datetime.date | None = None) -> Checklist:
    """The checklist of ``case`` (a fixed number of queries, whatever the family's size)."""
    today = today or timezone.localdate()
    booking = open_booking(case)
    members = list(
        CaseMember.objects.filter(case=case)
        .select_related("person")
        .defer("person__photo")
        .order_by("created_at", "id")
    )
    day = booking.departure_date if booking and booking.departure_date else today
    travellers = {
        m.pk: Traveller(m, member_label(m, i), is_child(m, day))
        for i, m in enumerate(members, start=1)
    }
    for document in TravelDocument.objects.filter(member__case=case).order_by("created_at", "id"):
        travellers[document.member_id].documents.append(document)
    for assessment in Assessment.objects.filter(
        member__case=case, kind__in=[Kind.FITNESS, Kind.MEDICAL, Kind.BID]
    ).defer(*RESTRICTED_TEXT):
        t = travellers[assessment.member_id]
        name = {"fitness": "fitness", "medical": "medical", "bid": "bid"}[assessment.kind]
        if getattr(t, name) is None:  # latest first
            setattr(t, name, assessment)
    for reconfirmation in Reconfirmation.objects.filter(member__case=case):
        t = travellers[reconfirmation.member_id]
        if t.reconfirmation is None:  # latest first
            t.reconfirmation = reconfirmation
    received = set(
        Reception.members.through.objects.filter(reception__case=case).values_list(
            "casemember_id", flat=True
        )
    )
    passengers = {p.member_id for p in booking.passengers.all()} if booking else set()
    for t in travellers.values():
        t.received = t.member.pk in received
        t.passenger = t.member.pk in passengers
    result = Checklist(
        case, booking, [t for t in travellers.values() if t.member.travelling], today
    )
    if booking is not None:
        result.escorts = {e.kind for e in booking.escorts.all()}
    _evaluate(result)
    return result


#: Restricted free text of assessments the checklist never needs to decrypt.
RESTRICTED_TEXT = (
    "details",
    "panel",
    "guardian",
    "family_assessment",
    "reception_arrangement",
    "receiving_provider",
)


def _evaluate(result: Checklist) -> None:
    booking = result.booking
    departure, arrival = result.departure_date, result.arrival_date
    problems = result.unmet
    if booking is None or booking.status != BookingStatus.CONFIRMED:
        problems.append(Unmet("booking_unconfirmed", _("A confirmed booking is needed.")))
    adults_travel = any(not t.child for t in result.travellers)
    window = reconfirm_within_days()
    for t in result.travellers:
        own: list[Unmet] = []
        document = t.document
        if document is None:
            own.append(Unmet("document_missing", _("No valid travel document."), t.label))
        elif arrival is not None and document.expires_on and document.expires_on < arrival:
            own.append(
                Unmet(
                    "document_expires",
                    _("The travel document expires before arrival."),
                    t.label,
                )
            )
        if booking is not None and not t.passenger:
            own.append(Unmet("not_booked", _("Not a passenger on the booking."), t.label))
        fitness = t.fitness
        if fitness is not None and fitness.satisfies and departure is not None:
            too_early = fitness.assessed_on < departure - datetime.timedelta(
                days=fitness_valid_days()
            )
            lapses = fitness.valid_until is None or fitness.valid_until < departure
            if too_early or lapses:
                own.append(
                    Unmet(
                        "fitness_not_valid_at_departure",
                        _(
                            "The fitness-to-travel check must be made at most %(days)s days "
                            "before departure and be valid on the departure date."
                        )
                        % {"days": fitness_valid_days()},
                        t.label,
                    )
                )
        if not t.child or not adults_travel:
            latest = t.reconfirmation
            if latest is not None and not latest.wishes_to_return:
                own.append(
                    Unmet(
                        "reconfirmation_declined",
                        _(
                            "At re-confirmation the person no longer wished to return: "
                            "withdraw the case or record a new re-confirmation."
                        ),
                        t.label,
                    )
                )
            elif (
                latest is None
                or departure is None
                or latest.confirmed_on < departure - datetime.timedelta(days=window)
            ):
                own.append(
                    Unmet(
                        "reconfirmation_missing",
                        _(
                            "Voluntariness must be re-confirmed within %(days)s days before "
                            "departure."
                        )
                        % {"days": window},
                        t.label,
                    )
                )
        if t.child and not t.received:
            own.append(
                Unmet(
                    "reception_missing",
                    _("A child needs a reception arrangement at arrival."),
                    t.label,
                )
            )
        t.unmet = own
        problems.extend(own)
    if result.medical_escort_needed and EscortKind.MEDICAL not in result.escorts:
        problems.append(Unmet("medical_escort_missing", _("A medical escort must be assigned.")))
    elif result.escort_needed and not result.escorts:
        problems.append(Unmet("escort_missing", _("An escort must be assigned.")))
