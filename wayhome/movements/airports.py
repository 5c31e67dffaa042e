"""Airports (IATA codes, from the ``airportsdata`` package) and local times at them.

An itinerary is typed the way tickets print it: the local time at each airport. It is stored in
UTC together with the airport's time zone (an IANA name, e.g. ``Europe/Berlin``), so that a
segment's local times are read back exactly as typed, and durations and the order of segments
are computed in UTC, across daylight-saving changes and date lines.

``to_utc`` refuses a local time that does not exist (the hour skipped when clocks go forward)
and, unless a UTC offset is given, one that happens twice (the hour repeated when they go back):
guessing there would put a traveller at the airport an hour late or early.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import airportsdata
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

IATA_AIRPORT = re.compile(r"^[A-Z]{3}$")
IATA_CARRIER = re.compile(r"^(?=.*[A-Z])[A-Z0-9]{2}$")
FLIGHT_NUMBER = re.compile(r"^[0-9]{1,4}[A-Z]?$")


@dataclass(frozen=True)
class Airport:
    code: str
    name: str
    city: str
    country: str  # ISO 3166-1 alpha-2
    tz: str  # IANA time zone


@cache
def _airports() -> dict[str, Any]:
    return dict(airportsdata.load("IATA"))


def airport(code: str) -> Airport | None:
    row = _airports().get((code or "").strip().upper())
    if row is None or not row.get("tz"):
        return None
    return Airport(
        code=str(row["iata"]),
        name=str(row["name"]),
        city=str(row["city"]),
        country=str(row["country"]),
        tz=str(row["tz"]),
    )


def validate_airport(value: str) -> None:
    if not IATA_AIRPORT.match(value or "") or airport(value) is None:
        raise ValidationError(
            _("Enter the three-letter IATA code of an airport (for example LOS)."),
            code="unknown_airport",
        )


def validate_carrier(value: str) -> None:
    if not IATA_CARRIER.match(value or ""):
        raise ValidationError(
            _("Enter the two-character IATA code of the airline (for example LH)."),
            code="invalid_carrier",
        )


def validate_flight_number(value: str) -> None:
    if not FLIGHT_NUMBER.match(value or ""):
        raise ValidationError(
            _("Enter the flight number: up to four digits, and a letter if it has one."),
            code="invalid_flight_number",
        )


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone."), code="unknown_time_zone") from exc


def to_utc(
    local: datetime.datetime, tz_name: str, *, offset: datetime.timedelta | None = None
) -> datetime.datetime:
    """The UTC instant of ``local`` (a wall-clock time, naive) in ``tz_name``.

    Refuses a local time that does not exist there, and one that happens twice unless ``offset``
    (its UTC offset) says which. An ``offset`` that the zone does not have at that time is refused.
    """
    if local.tzinfo is not None:
        raise ValueError("to_utc takes a naive wall-clock time")
    tz = zone(tz_name)
    candidates = {}
    for fold in (0, 1):
        aware = local.replace(tzinfo=tz, fold=fold)
        utc = aware.astimezone(datetime.UTC)
        # A time that exists comes back unchanged from UTC; a skipped one does not.
        if utc.astimezone(tz).replace(tzinfo=None) == local:
            candidates[aware.utcoffset()] = utc
    if not candidates:
        raise ValidationError(
            _(
                "%(time)s does not exist in %(zone)s: the clocks go forward at that time. "
                "Check the time on the ticket."
            )
            % {"time": local.strftime("%Y-%m-%d %H:%M"), "zone": tz_name},
            code="nonexistent_time",
        )
    if offset is not None:
        if offset not in candidates:
            raise ValidationError(
                _("%(zone)s is not at that UTC offset at %(time)s.")
                % {"time": local.strftime("%Y-%m-%d %H:%M"), "zone": tz_name},
                code="wrong_offset",
            )
        return candidates[offset]
    if len(candidates) > 1:
        raise ValidationError(
            _(
                "%(time)s happens twice in %(zone)s (the clocks go back): give its UTC offset "
                "as well, for example +01:00."
            )
            % {"time": local.strftime("%Y-%m-%d %H:%M"), "zone": tz_name},
            code="ambiguous_time",
        )
    return next(iter(candidates.values()))


def to_local(instant: datetime.datetime, tz_name: str) -> datetime.datetime:
    """The aware local time at ``tz_name`` of a UTC instant (its offset included)."""
    return instant.astimezone(zone(tz_name))


OFFSET = re.compile(r"^(?P<sign>[+-])(?P<hours>\d{2}):?(?P<minutes>\d{2})$")


def parse_offset(value: str) -> datetime.timedelta | None:
    """``+01:00`` -> 1 hour; blank -> None; anything else raises ``ValidationError``."""
    value = (value or "").strip()
    if not value:
        return None
    match = OFFSET.match(value)
    if not match or int(match["hours"]) > 14 or int(match["minutes"]) > 59:
        raise ValidationError(_("Write the UTC offset as +01:00 or -05:00."), code="invalid")
    delta = datetime.timedelta(hours=int(match["hours"]), minutes=int(match["minutes"]))
    return -delta if match["sign"] == "-" else delta
