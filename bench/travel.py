"""How long the operations views take on a busy programme: the manifest of a departure day,
the departures calendar of a month, and the pre-departure checklist of a family. Runs on a
throwaway test database.

    WAYHOME_DATABASE_URL=postgres://postgres@127.0.0.1:55436/wayhome_bench \\
        .venv/bin/python bench/travel.py [bookings_per_day]      (default 100)

Builds 30 departure days of ``bookings_per_day`` confirmed bookings (families of four: a
document each, two flights, one escort) and times, best of 5:
- ``manifest_rows`` for one day (every passenger of every booking, documents decrypted);
- ``selectors.departures`` for the month (the calendar's query, with its prefetches);
- ``checklist`` of one family.
The limit of each is the bare read of the same rows: one ``SELECT`` of the passengers joined to
their person and document (manifest), of the bookings (calendar), of the family's member rows
(checklist, through the ORM's ``values_list``), without decrypting anything.
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from wayhome.accounts.models import Office, RoleGrant, User  # noqa: E402
from wayhome.accounts.permissions import Role  # noqa: E402
from wayhome.cases.models import Case, CaseMember  # noqa: E402
from wayhome.cases.workflow import Status  # noqa: E402
from wayhome.movements import selectors  # noqa: E402
from wayhome.movements.airports import to_utc  # noqa: E402
from wayhome.movements.manifest import manifest_rows  # noqa: E402
from wayhome.movements.models import (  # noqa: E402
    Booking,
    BookingStatus,
    DocumentKind,
    DocumentStatus,
    Escort,
    Passenger,
    Segment,
    TravelDocument,
)
from wayhome.movements.rules import checklist  # noqa: E402
from wayhome.people.models import Person  # noqa: E402

DAYS = 30
FAMILY = ("principal", "spouse", "child", "child")


def build(per_day: int) -> tuple[User, datetime.date]:
    office = Office.objects.create(code="bench", name="Bench", country="DE")
    officer = User.objects.create(email="ops@example.org", full_name="Ops")
    RoleGrant.objects.create(user=officer, office=office, role=Role.OPERATIONS)
    first = timezone.localdate() + datetime.timedelta(days=10)
    now = timezone.now()
    for day_number in range(DAYS):
        day = first + datetime.timedelta(days=day_number)
        people = Person.objects.bulk_create(
            [
                Person(
                    office=office,
                    given_name=f"Given{n}",
                    family_name=f"Family{day_number}",
                    date_of_birth=datetime.date(1980 + n % 30, 1 + n % 12, 1 + n % 28),
                    nationality="NG",
                )
                for n in range(per_day * len(FAMILY))
            ]
        )
        cases = Case.objects.bulk_create(
            [
                Case(
                    reference=f"BENCH-{day_number:02d}-{n:04d}",
                    office=office,
                    programme="AVRR",
                    category="stranded",
                    status=Status.READY_TO_DEPART,
                    principal=people[n * len(FAMILY)],
                    destination_country="NG",
                    status_changed_at=now,
                )
                for n in range(per_day)
            ]
        )
        members = CaseMember.objects.bulk_create(
            [
                CaseMember(case=case, person=people[n * len(FAMILY) + k], relationship=rel)
                for n, case in enumerate(cases)
                for k, rel in enumerate(FAMILY)
            ]
        )
        TravelDocument.objects.bulk_create(
            [
                TravelDocument(
                    member=member,
                    kind=DocumentKind.EMERGENCY,
                    status=DocumentStatus.ISSUED,
                    number=f"ETD{n:07d}",
                    issued_on=timezone.localdate(),
                    expires_on=day + datetime.timedelta(days=90),
                )
                for n, member in enumerate(members)
            ]
        )
        departs = to_utc(datetime.datetime.combine(day, datetime.time(10, 30)), "Europe/Berlin")
        bookings = Booking.objects.bulk_create(
            [
                Booking(
                    case=case,
                    status=BookingStatus.CONFIRMED,
                    reference=f"PNR{n:03d}",
                    departs_at=departs,
                    departure_date=day,
                    arrival_date=day,
                )
                for n, case in enumerate(cases)
            ]
        )
        Passenger.objects.bulk_create(
            [
                Passenger(booking=bookings[n // len(FAMILY)], member=member)
                for n, member in enumerate(members)
            ]
        )
        Segment.objects.bulk_create(
            [
                Segment(
                    booking=booking,
                    carrier=carrier,
                    flight_number=number,
                    origin=origin,
                    destination=destination,
                    departs_at=departs + datetime.timedelta(hours=hours),
                    arrives_at=departs + datetime.timedelta(hours=hours + 1),
                    origin_tz="Europe/Berlin",
                    destination_tz="Europe/Berlin" if destination == "FRA" else "Africa/Lagos",
                )
                for booking in bookings
                for carrier, number, origin, destination, hours in (
                    ("LH", "171", "BER", "FRA", 0),
                    ("LH", "568", "FRA", "LOS", 3),
                )
            ]
        )
        Escort.objects.bulk_create(
            [Escort(booking=booking, kind="operational", name="Escort") for booking in bookings]
        )
    return officer, first


def best(call: Callable[[], Any], runs: int = 5) -> tuple[float, int, Any]:
    """Best time (s) of ``runs``, the queries of one run, and the result."""
    times = []
    result: Any = None
    queries = 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            result = call()
            times.append(time.perf_counter() - started)
        queries = len(captured)
    return min(times), queries, result


def bare(sql: str, params: list[Any]) -> float:
    def run() -> None:
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            cursor.fetchall()

    return best(run)[0]


def main() -> None:
    per_day = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    original = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, keepdb=False)
    try:
        started = time.perf_counter()
        officer, first = build(per_day)
        print(
            f"built {DAYS} days x {per_day} bookings x {len(FAMILY)} travellers "
            f"in {time.perf_counter() - started:.1f} s ({connection.vendor})"
        )
        day_bookings = lambda: list(  # noqa: E731
            Booking.objects.filter(departure_date=first, status=BookingStatus.CONFIRMED)
            .select_related("case__office")
            .prefetch_related("segments", "passengers")
        )
        seconds, queries, rows = best(lambda: manifest_rows(day_bookings()))
        if len(rows) != per_day * len(FAMILY):
            raise SystemExit(f"manifest has {len(rows)} rows")
        limit = bare(
            "SELECT p.id, pe.given_name, pe.family_name, d.number FROM movements_passenger p "
            "JOIN cases_casemember m ON m.id = p.member_id JOIN people_person pe ON pe.id = "
            "m.person_id JOIN movements_traveldocument d ON d.member_id = m.id JOIN "
            "movements_booking b ON b.id = p.booking_id WHERE b.departure_date = %s",
            [first],
        )
        print(
            f"manifest of a day ({len(rows)} passengers): {seconds * 1000:.0f} ms, "
            f"{queries} queries; limit {limit * 1000:.1f} ms; ratio {seconds / limit:.0f}x"
        )
        last = first + datetime.timedelta(days=DAYS - 1)
        seconds, queries, month = best(lambda: selectors.departures(officer, first, last))
        limit = bare(
            "SELECT id, departs_at FROM movements_booking WHERE departure_date BETWEEN %s AND %s",
            [first, last],
        )
        print(
            f"departures calendar ({len(month)} bookings in a month): {seconds * 1000:.0f} ms, "
            f"{queries} queries; limit {limit * 1000:.1f} ms; ratio {seconds / limit:.0f}x"
        )
        case = Case.objects.filter(reference__startswith="BENCH-00-").first()
        assert case is not None
        seconds, queries, state = best(lambda: checklist(case))
        limit = best(
            lambda: list(CaseMember.objects.filter(case=case).values_list("id", "person_id"))
        )[0]
        print(
            f"checklist of a family of {len(state.travellers)}: {seconds * 1000:.1f} ms, "
            f"{queries} queries; limit {limit * 1000:.2f} ms; ratio {seconds / limit:.0f}x"
        )
    finally:
        connection.creation.destroy_test_db(original, verbosity=0)


if __name__ == "__main__":
    main()
