"""The movement's guards, registered from ``MovementsConfig.ready``:

- ``ready_to_depart``: the pre-departure checklist (``rules.py``);
- ``departed``: a confirmed booking whose first flight's day has come at its airport;
- ``arrived``: the arrival recorded, with its reception details (``services.arrival_confirm``);
- back from ``ready_to_depart`` to ``travel_preparation`` (a no-show, a check that lapsed): a
  reason.
"""

from __future__ import annotations

from collections.abc import Iterator

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.cases.workflow import Context, Status, Unmet, guards
from wayhome.movements.airports import to_local
from wayhome.movements.models import Arrival, Booking, BookingStatus
from wayhome.movements.rules import checklist


@guards.register(Status.READY_TO_DEPART, "travel_checklist")
def pre_departure_checklist(context: Context) -> list[Unmet]:
    return checklist(context.case).unmet


@guards.register(Status.DEPARTED, "departure_day")
def confirmed_booking_on_its_day(context: Context) -> Iterator[Unmet]:
    booking = (
        Booking.objects.filter(case=context.case, status=BookingStatus.CONFIRMED)
        .prefetch_related("segments")
        .first()
    )
    if booking is None:
        yield Unmet("booking_unconfirmed", _("A confirmed booking is needed."))
        return
    first = next(iter(booking.segments.all()), None)
    if first is None:
        yield Unmet("booking_unconfirmed", _("A confirmed booking is needed."))
        return
    if to_local(timezone.now(), first.origin_tz).date() < first.departs_local.date():
        yield Unmet(
            "departure_not_yet",
            _("The departure is confirmed on the day of the flight, not before."),
        )


@guards.register(Status.ARRIVED, "arrival_recorded")
def arrival_recorded(context: Context) -> Iterator[Unmet]:
    if not Arrival.objects.filter(case=context.case).exists():
        yield Unmet(
            "arrival_missing",
            _("Confirm the arrival with the reception details (travel page)."),
        )


@guards.register(Status.TRAVEL_PREPARATION, "back_to_preparation")
def a_reason_to_go_back(context: Context) -> Iterator[Unmet]:
    if context.source == Status.READY_TO_DEPART and not context.reason.strip():
        yield Unmet("reason_required", _("Give the reason for this decision."))
