"""Itinerary times stay correct across time zones and daylight-saving changes.

``airports.to_utc`` is checked against an oracle that never converts a wall time itself: it
takes the UTC offsets the zone has around that time (read the safe way, from UTC instants), and
keeps each offset ``o`` for which the instant ``wall - o`` really is at offset ``o`` in the zone.
None: the wall time does not exist (clocks went forward); two: it happens twice (clocks went
back); one: the only instant. Wall times are drawn near the zones' real transitions (found by
scanning 2020-2035) as well as anywhere, so that gaps and repeated hours come up often.

Then flights are typed through ``services.segment_add`` the way tickets print them, local times
computed from a random UTC departure and duration, and read back.
"""

from __future__ import annotations

import datetime
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.cases.factories import CaseFactory
from tests.consent.factories import adult
from tests.factories import OfficeFactory
from tests.safety.factories import set_status
from wayhome.cases.workflow import Status
from wayhome.movements import airports, services
from wayhome.movements.models import Booking, Segment

UTC = datetime.UTC
HOUR = datetime.timedelta(hours=1)
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Australia/Sydney",
    "America/Santiago",
    "Africa/Casablanca",
    "Asia/Tehran",
    "Pacific/Chatham",
    "Europe/London",
    "Africa/Lagos",
    "Asia/Kolkata",
]
START = datetime.datetime(2020, 1, 1)  # noqa: DTZ001
END = datetime.datetime(2035, 12, 31, 23, 59)  # noqa: DTZ001


def offset_at(instant: datetime.datetime, zone: str) -> datetime.timedelta:
    """The zone's UTC offset at a UTC instant (no wall time involved: never ambiguous)."""
    offset = instant.astimezone(ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return offset


@cache
def transitions(zone: str) -> tuple[tuple[datetime.datetime, datetime.timedelta], ...]:
    """(UTC instant of the change, offset before it) for each change of offset, 2020-2035."""
    found = []
    day = datetime.timedelta(days=1)
    instant = START.replace(tzinfo=UTC)
    end = END.replace(tzinfo=UTC)
    before = offset_at(instant, zone)
    while instant < end:
        following = instant + day
        after = offset_at(following, zone)
        if after != before:
            low, high = instant, following  # offset(low) == before, offset(high) == after
            while high - low > datetime.timedelta(minutes=1):
                middle = low + (high - low) / 2
                middle = middle.replace(second=0, microsecond=0)
                if middle <= low:
                    break
                if offset_at(middle, zone) == before:
                    low = middle
                else:
                    high = middle
            found.append((high, before))
        instant, before = following, after
    return tuple(found)


def instants_of(wall: datetime.datetime, zone: str) -> dict[datetime.timedelta, datetime.datetime]:
    """The oracle: offset -> UTC instant, for every instant whose wall time in ``zone`` is
    ``wall`` (by arithmetic on the offsets, not by converting ``wall``)."""
    near = wall.replace(tzinfo=UTC)
    offsets = {offset_at(near + step * HOUR, zone) for step in range(-18, 19)}
    result = {}
    for offset in offsets:
        instant = near - offset
        if offset_at(instant, zone) == offset:
            result[offset] = instant
    return result


def code_of(call: Any) -> str:
    with pytest.raises(ValidationError) as caught:
        call()
    code = caught.value.code
    assert code is not None
    return code


@st.composite
def wall_times(draw: st.DrawFn) -> tuple[str, datetime.datetime]:
    """A zone and a wall time in it: anywhere in 2020-2035, or within 3 hours of a change."""
    zone = draw(st.sampled_from(ZONES))
    changes = transitions(zone)
    near = draw(st.booleans()) if changes else False
    if near:
        instant, before = draw(st.sampled_from(changes))
        minutes = draw(st.integers(min_value=-180, max_value=180))
        wall = (instant + before).replace(tzinfo=None) + datetime.timedelta(minutes=minutes)
    else:
        wall = draw(st.datetimes(min_value=START, max_value=END)).replace(microsecond=0)
    return zone, wall


def test_the_zones_have_the_changes_the_test_relies_on() -> None:
    """A sanity check of the generator (a silent one would test nothing near the changes)."""
    assert transitions("Africa/Lagos") == ()
    assert transitions("Asia/Kolkata") == ()
    berlin = transitions("Europe/Berlin")
    assert len(berlin) == 2 * 16
    assert datetime.datetime(2027, 3, 28, 1, 0, tzinfo=UTC) in [t for t, _o in berlin]
    assert datetime.datetime(2027, 10, 31, 1, 0, tzinfo=UTC) in [t for t, _o in berlin]
    assert len(transitions("Pacific/Chatham")) == 2 * 16
    assert 0 < len(transitions("Asia/Tehran")) <= 6  # no daylight saving since 2022


@settings(max_examples=400, deadline=None, derandomize=True)
@given(wall_times(), st.integers(min_value=-14 * 4, max_value=14 * 4))
def test_to_utc_against_the_oracle(case: tuple[str, datetime.datetime], quarters: int) -> None:
    zone, wall = case
    expected = instants_of(wall, zone)
    other = datetime.timedelta(minutes=15 * quarters)
    if not expected:
        assert code_of(lambda: airports.to_utc(wall, zone)) == "nonexistent_time"
        assert code_of(lambda: airports.to_utc(wall, zone, offset=other)) == "nonexistent_time"
        return
    for offset, instant in expected.items():
        # With its offset, each instant; read back, the wall time typed, at that offset.
        assert airports.to_utc(wall, zone, offset=offset) == instant
        local = airports.to_local(instant, zone)
        assert local.replace(tzinfo=None) == wall
        assert local.utcoffset() == offset
    if len(expected) == 1:
        [instant] = expected.values()
        assert airports.to_utc(wall, zone) == instant
        assert airports.to_local(airports.to_utc(wall, zone), zone).replace(tzinfo=None) == wall
    else:
        assert len(expected) == 2
        assert code_of(lambda: airports.to_utc(wall, zone)) == "ambiguous_time"
        early, late = sorted(expected.values())
        first, second = expected
        assert late - early == abs(first - second)
        # PEP 495: fold=0 is the earlier of the two instants, fold=1 the later.
        aware = wall.replace(tzinfo=ZoneInfo(zone))
        assert aware.replace(fold=0).astimezone(UTC) == early
        assert aware.replace(fold=1).astimezone(UTC) == late
    if other not in expected:
        assert code_of(lambda: airports.to_utc(wall, zone, offset=other)) == "wrong_offset"


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.sampled_from(ZONES),
    st.datetimes(min_value=START, max_value=END, timezones=st.just(UTC), allow_imaginary=False).map(
        lambda d: d.replace(microsecond=0)
    ),
)
def test_every_instant_reads_back_with_its_offset(zone: str, instant: datetime.datetime) -> None:
    local = airports.to_local(instant, zone)
    assert local.utcoffset() == offset_at(instant, zone)
    assert local.replace(tzinfo=None) == (instant + offset_at(instant, zone)).replace(tzinfo=None)
    assert airports.to_utc(local.replace(tzinfo=None), zone, offset=local.utcoffset()) == instant


# --- concrete cases ------------------------------------------------------------------------------

BERLIN = "Europe/Berlin"
naive = datetime.datetime


def test_the_hour_skipped_in_berlin_does_not_exist() -> None:
    gap = naive(2027, 3, 28, 2, 30)
    assert code_of(lambda: airports.to_utc(gap, BERLIN)) == "nonexistent_time"
    for offset in (HOUR, 2 * HOUR):
        call = lambda offset=offset: airports.to_utc(gap, BERLIN, offset=offset)  # noqa: E731
        assert code_of(call) == "nonexistent_time"
    before = naive(2027, 3, 28, 1, 59)
    after = naive(2027, 3, 28, 3, 0)
    assert airports.to_utc(before, BERLIN) == datetime.datetime(2027, 3, 28, 0, 59, tzinfo=UTC)
    assert airports.to_utc(after, BERLIN) == datetime.datetime(2027, 3, 28, 1, 0, tzinfo=UTC)


def test_the_hour_repeated_in_berlin_needs_its_offset() -> None:
    twice = naive(2027, 10, 31, 2, 30)
    assert code_of(lambda: airports.to_utc(twice, BERLIN)) == "ambiguous_time"
    summer = airports.to_utc(twice, BERLIN, offset=airports.parse_offset("+02:00"))
    winter = airports.to_utc(twice, BERLIN, offset=airports.parse_offset("+01:00"))
    assert summer == datetime.datetime(2027, 10, 31, 0, 30, tzinfo=UTC)
    assert winter == datetime.datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    offset = airports.parse_offset("+03:00")
    assert code_of(lambda: airports.to_utc(twice, BERLIN, offset=offset)) == "wrong_offset"
    # An offset the zone does not have at an ordinary time is refused too.
    ordinary = naive(2027, 7, 1, 12, 0)
    assert code_of(lambda: airports.to_utc(ordinary, BERLIN, offset=HOUR)) == "wrong_offset"
    assert airports.to_utc(ordinary, BERLIN) == datetime.datetime(2027, 7, 1, 10, 0, tzinfo=UTC)


# --- flights typed through the service -----------------------------------------------------------

AIRPORTS = ["BER", "LHR", "JFK", "SYD", "LOS", "DEL", "SCL", "THR", "CMN", "CHT"]


@pytest.fixture
def pending(db: None) -> Booking:
    """A booking to confirm, without flights."""
    office = OfficeFactory.create()
    case = set_status(
        CaseFactory.create(office=office, principal=adult(office)), Status.TRAVEL_PREPARATION
    )
    return services.booking_create(
        actor=None,
        case=case,
        passengers=[(m, []) for m in case.members.all()],
        reference="QX7P2L",
    )


def typed(instant: datetime.datetime, zone: str) -> tuple[datetime.datetime, datetime.timedelta]:
    """The wall time a ticket prints for ``instant`` at an airport of ``zone``, and its offset."""
    local = instant.astimezone(ZoneInfo(zone))
    offset = local.utcoffset()
    assert offset is not None
    return local.replace(tzinfo=None), offset


@pytest.mark.django_db
@settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    route=st.lists(st.sampled_from(AIRPORTS), min_size=2, max_size=2, unique=True),
    departs=st.datetimes(
        min_value=START, max_value=END, timezones=st.just(UTC), allow_imaginary=False
    ).map(lambda d: d.replace(second=0, microsecond=0)),
    minutes=st.integers(min_value=30, max_value=20 * 60),
    always_offset=st.booleans(),
)
def test_a_flight_typed_in_local_times_is_stored_in_utc(
    pending: Booking,
    route: list[str],
    departs: datetime.datetime,
    minutes: int,
    always_offset: bool,
) -> None:
    origin, destination = route
    duration = datetime.timedelta(minutes=minutes)
    arrives = departs + duration
    origin_zone = airports.airport(origin).tz  # type: ignore[union-attr]
    destination_zone = airports.airport(destination).tz  # type: ignore[union-attr]
    departs_wall, departs_offset = typed(departs, origin_zone)
    arrives_wall, arrives_offset = typed(arrives, destination_zone)
    # The offset is typed when the wall time happens twice (the form asks for it), or anyway.
    twice_out = len(instants_of(departs_wall, origin_zone)) == 2
    twice_in = len(instants_of(arrives_wall, destination_zone)) == 2
    with transaction.atomic():
        segment = services.segment_add(
            actor=None,
            booking=pending,
            carrier="LH",
            flight_number="4401",
            origin=origin.lower(),
            destination=f" {destination} ",
            departs_local=departs_wall,
            arrives_local=arrives_wall,
            departs_offset=departs_offset if always_offset or twice_out else None,
            arrives_offset=arrives_offset if always_offset or twice_in else None,
        )
        saved = Segment.objects.get(pk=segment.pk)
        assert (saved.origin, saved.destination) == (origin, destination)
        assert (saved.origin_tz, saved.destination_tz) == (origin_zone, destination_zone)
        assert (saved.departs_at, saved.arrives_at) == (departs, arrives)
        assert saved.departs_local.replace(tzinfo=None) == departs_wall
        assert saved.arrives_local.replace(tzinfo=None) == arrives_wall
        assert (saved.departs_local.utcoffset(), saved.arrives_local.utcoffset()) == (
            departs_offset,
            arrives_offset,
        )
        assert saved.duration == duration
        booking = Booking.objects.get(pk=pending.pk)
        assert booking.departs_at == departs
        assert booking.departure_date == departs_wall.date()
        assert booking.arrival_date == arrives_wall.date()
        transaction.set_rollback(True)


# --- plain checks of the service -----------------------------------------------------------------


def add(
    booking: Booking, route: str, departs: datetime.datetime, arrives: datetime.datetime
) -> Any:
    origin, destination = route.split("-")
    return services.segment_add(
        actor=None,
        booking=booking,
        carrier="LH",
        flight_number="100",
        origin=origin,
        destination=destination,
        departs_local=departs,
        arrives_local=arrives,
    )


def errors_of(call: Any) -> dict[str, list[str | None]]:
    """Field -> codes of a refused call."""
    with pytest.raises(ValidationError) as caught:
        call()
    return {name: [e.code for e in errors] for name, errors in caught.value.error_dict.items()}


@pytest.mark.django_db
def test_a_flight_over_the_date_line(pending: Booking) -> None:
    """Sydney 12:00 (UTC+11) to Santiago 10:40 (UTC-3) the same day: earlier on the clock,
    12 h 40 later in fact."""
    departs = naive(2027, 1, 15, 12, 0)
    arrives = naive(2027, 1, 15, 10, 40)
    segment = add(pending, "SYD-SCL", departs, arrives)
    assert segment.arrives_local.replace(tzinfo=None) < segment.departs_local.replace(tzinfo=None)
    assert segment.departs_at == datetime.datetime(2027, 1, 15, 1, 0, tzinfo=UTC)
    assert segment.arrives_at == datetime.datetime(2027, 1, 15, 13, 40, tzinfo=UTC)
    assert segment.duration == datetime.timedelta(hours=12, minutes=40)
    booking = Booking.objects.get(pk=pending.pk)
    assert (booking.departure_date, booking.arrival_date) == (departs.date(), arrives.date())


@pytest.mark.django_db
def test_an_unknown_airport(pending: Booking) -> None:
    for code in ("ZZZ", "BE", "BERL", "12A"):
        with pytest.raises(ValidationError) as caught:
            airports.validate_airport(code)
        assert caught.value.code == "unknown_airport"
    departs = naive(2027, 5, 1, 10, 0)
    arrives = naive(2027, 5, 1, 14, 0)
    assert errors_of(lambda: add(pending, "ZZZ-LOS", departs, arrives)) == {
        "origin": ["unknown_airport"]
    }
    assert errors_of(lambda: add(pending, "BER-QQQ", departs, arrives)) == {
        "destination": ["unknown_airport"]
    }
    assert not pending.segments.exists()


@pytest.mark.django_db
def test_a_flight_arriving_before_it_departs(pending: Booking) -> None:
    departs = naive(2027, 5, 1, 10, 0)
    for arrives in (departs, departs - datetime.timedelta(minutes=1)):
        with pytest.raises(ValidationError) as caught:
            add(pending, "BER-FRA", departs, arrives)
        assert set(caught.value.message_dict) == {"arrives_local"}
    # Berlin 10:00 (UTC+2) to London 09:30 (UTC+1) arrives 30 minutes later: accepted.
    add(pending, "BER-LHR", departs, naive(2027, 5, 1, 9, 30))
    assert pending.segments.count() == 1


@pytest.mark.django_db
def test_a_wall_time_that_does_not_exist_is_refused_on_its_field(pending: Booking) -> None:
    gap = naive(2027, 3, 28, 2, 30)
    assert errors_of(lambda: add(pending, "BER-LOS", gap, naive(2027, 3, 28, 9, 0))) == {
        "departs_local": ["nonexistent_time"]
    }
    twice = naive(2027, 10, 31, 2, 30)
    assert errors_of(lambda: add(pending, "LOS-BER", naive(2027, 10, 30, 23, 0), twice)) == {
        "arrives_local": ["ambiguous_time"]
    }
    assert not pending.segments.exists()


@pytest.mark.django_db
def test_flights_that_do_not_connect(pending: Booking) -> None:
    day = naive(2027, 5, 1)
    at = lambda hour, minute=0: day.replace(hour=hour, minute=minute)  # noqa: E731
    add(pending, "BER-FRA", at(7), at(8, 10))
    # Leaves from another airport than the first one lands at.
    with pytest.raises(ValidationError) as caught:
        add(pending, "LHR-LOS", at(10, 30), at(16, 45))
    assert set(caught.value.message_dict) == {"origin"}
    # Lands somewhere the next flight does not leave from (inserted before it in time).
    with pytest.raises(ValidationError) as caught:
        add(pending, "LHR-FRA", at(4), at(6, 30))
    assert set(caught.value.message_dict) == {"origin"}
    # Leaves before the previous flight lands.
    with pytest.raises(ValidationError) as caught:
        add(pending, "FRA-LOS", at(8, 0), at(14, 0))
    assert set(caught.value.message_dict) == {"departs_local"}
    assert pending.segments.count() == 1
    add(pending, "FRA-LOS", at(10, 30), at(16, 45))
    booking = Booking.objects.get(pk=pending.pk)
    assert [s.flight for s in booking.segments.all()] == ["LH100", "LH100"]
    assert [str(s) for s in booking.segments.all()] == ["LH100 BER-FRA", "LH100 FRA-LOS"]
    assert booking.departs_at == datetime.datetime(2027, 5, 1, 5, 0, tzinfo=UTC)


@pytest.mark.django_db
def test_a_confirmed_booking_takes_no_more_flights(pending: Booking) -> None:
    add(pending, "BER-LOS", naive(2027, 5, 1, 10, 0), naive(2027, 5, 1, 16, 0))
    services.booking_confirm(actor=None, booking=pending)
    with pytest.raises(ValidationError) as caught:
        add(pending, "LOS-ACC", naive(2027, 5, 1, 18, 0), naive(2027, 5, 1, 19, 0))
    assert caught.value.code == "booking_not_pending"
    assert pending.segments.count() == 1
