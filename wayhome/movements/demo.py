"""Demo travel for ``seed_demo``: the demo cases in travel preparation, ready to depart and
departed get an issued travel document per traveller and a confirmed booking (departed ones a
flown one), so that the departures calendar, the manifest and the work queue show something.
Written directly, like the demo cases' statuses (the services would refuse a booking for a case
already departed)."""

from __future__ import annotations

import datetime
import random
from typing import Any

from django.utils import timezone

from wayhome.cases.models import Case
from wayhome.cases.workflow import Status
from wayhome.movements.airports import airport, to_utc
from wayhome.movements.models import (
    Booking,
    BookingStatus,
    DocumentKind,
    DocumentStatus,
    Passenger,
    Segment,
    TravelDocument,
)

# Host office -> its airport; country of return -> an airport there.
_FROM = {"de-ber": "BER", "gr-ath": "ATH"}
_TO = {"NG": "LOS", "SN": "DSS", "IQ": "BGW", "ER": "ASM", "AF": "KBL", "GM": "BJL"}
_HUB = "IST"


def _segment(booking: Booking, flight: str, origin: str, destination: str, **times: Any) -> None:
    departs: datetime.datetime = times["departs"]
    arrives: datetime.datetime = times["arrives"]
    o, d = airport(origin), airport(destination)
    if o is None or d is None:
        raise LookupError(f"unknown demo airport {origin} or {destination}")
    Segment.objects.create(
        booking=booking,
        carrier=flight[:2],
        flight_number=flight[2:],
        origin=origin,
        destination=destination,
        departs_at=to_utc(departs, o.tz),
        arrives_at=to_utc(arrives, d.tz),
        origin_tz=o.tz,
        destination_tz=d.tz,
        transit_assistance=origin == _HUB,
    )


def seed_travel(ctx: Any) -> int:
    """Bookings for the demo cases on their way, unless the demo already has bookings."""
    if Booking.objects.exists():
        return 0
    rng = random.Random(77)  # noqa: S311 (synthetic demo data)
    today = timezone.localdate()
    cases = Case.objects.filter(
        office__code__in=list(_FROM),
        status__in=[Status.TRAVEL_PREPARATION, Status.READY_TO_DEPART, Status.DEPARTED],
    ).select_related("office")
    made = 0
    for case in cases.order_by("reference"):
        destination = _TO.get(case.destination_country)
        if destination is None:
            continue
        departed = case.status == Status.DEPARTED
        offset = -rng.randint(1, 10) if departed else rng.randint(2, 25)
        day = today + datetime.timedelta(days=offset)
        members = list(case.members.filter(travelling=True))
        for number, member in enumerate(members, start=1):
            TravelDocument.objects.create(
                member=member,
                kind=DocumentKind.EMERGENCY,
                status=DocumentStatus.ISSUED,
                number=f"ETD{rng.randint(100000, 999999)}",
                issuing_country=case.destination_country,
                consulate=f"Consulate, {case.office.name}",
                requested_on=today - datetime.timedelta(days=30 + number),
                issued_on=today - datetime.timedelta(days=12),
                expires_on=today + datetime.timedelta(days=180),
            )
        booking = Booking.objects.create(
            case=case,
            status=BookingStatus.FLOWN if departed else BookingStatus.CONFIRMED,
            reference=f"{rng.choice('ABCDEFGHJKLMNPQRSTUVWXYZ')}{rng.randint(10000, 99999)}",
            baggage="1 x 23 kg",
            confirmed_at=timezone.now(),
        )
        Passenger.objects.bulk_create(
            [Passenger(booking=booking, member=member) for member in members]
        )
        start = datetime.datetime.combine(day, datetime.time(7 + rng.randint(0, 4), 15))
        _segment(
            booking,
            f"TK{rng.randint(1000, 1999)}",
            _FROM[case.office.code],
            _HUB,
            departs=start,
            arrives=start + datetime.timedelta(hours=3),
        )
        onward = start + datetime.timedelta(hours=6)
        _segment(
            booking,
            f"TK{rng.randint(500, 999)}",
            _HUB,
            destination,
            departs=onward,
            arrives=onward + datetime.timedelta(hours=5),
        )
        segments = list(booking.segments.order_by("departs_at"))
        booking.departs_at = segments[0].departs_at
        booking.departure_date = segments[0].departs_local.date()
        booking.arrival_date = segments[-1].arrives_local.date()
        booking.save()
        made += 1
    return made
