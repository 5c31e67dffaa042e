"""Reads about movements. Every object is reached through its case, fetched with the office
policy (another office: 404); a hand-over is also visible to the origin office it was sent to,
and only as its package (``handover_policy``)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.assessments.models import Assessment, Kind
from wayhome.cases.models import Case
from wayhome.cases.selectors import case_get
from wayhome.cases.workflow import PRE_DEPARTURE, Status
from wayhome.consent.models import DataSharingConsent
from wayhome.movements.models import (
    OPEN_BOOKING,
    Booking,
    BookingStatus,
    DocumentStatus,
    Escort,
    Handover,
    Segment,
    TravelDocument,
)
from wayhome.movements.rules import RESTRICTED_TEXT, reconfirm_within_days


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (queryset.model.DoesNotExist, ValueError) as exc:
        raise Http404 from exc


def document_get(user: Any, case_id: Any, document_id: Any) -> TravelDocument:
    case = case_get(user, case_id)
    queryset = TravelDocument.objects.select_related("member__person", "member__case").filter(
        member__case=case
    )
    return _get(queryset.defer("member__person__photo"), document_id)


def booking_get(user: Any, case_id: Any, booking_id: Any) -> Booking:
    case = case_get(user, case_id)
    return _get(Booking.objects.select_related("case__office").filter(case=case), booking_id)


def segment_get(user: Any, case_id: Any, booking_id: Any, segment_id: Any) -> Segment:
    booking = booking_get(user, case_id, booking_id)
    return _get(Segment.objects.select_related("booking").filter(booking=booking), segment_id)


def escort_get(user: Any, case_id: Any, booking_id: Any, escort_id: Any) -> Escort:
    booking = booking_get(user, case_id, booking_id)
    return _get(Escort.objects.select_related("booking").filter(booking=booking), escort_id)


# --- hand-overs ---------------------------------------------------------------------------------


def handover_visible(user: Any) -> QuerySet[Handover]:
    """Hand-overs of the user's offices' cases, and those sent to an origin office where the
    user may see cases."""
    offices = offices_with(user, Perm.CASE_VIEW)
    if not offices:
        return Handover.objects.none()
    return Handover.objects.filter(
        Q(case__office_id__in=offices)
        | Q(
            recipient_kind=DataSharingConsent.RecipientKind.ORIGIN_OFFICE,
            recipient_office_id__in=offices,
        )
    ).select_related("case__office", "recipient_office")


def handover_get(user: Any, handover_id: Any) -> Handover:
    return _get(handover_visible(user), handover_id)


def handovers_received(user: Any) -> QuerySet[Handover]:
    """Sent to an origin office where the user may see cases (the origin side's list)."""
    offices = offices_with(user, Perm.CASE_VIEW)
    return (
        Handover.objects.filter(
            recipient_kind=DataSharingConsent.RecipientKind.ORIGIN_OFFICE,
            recipient_office_id__in=offices,
        )
        .select_related("case__office", "recipient_office")
        .order_by("-created_at", "-id")
    )


def is_recipient(user: Any, handover: Handover) -> bool:
    return handover.recipient_office_id in offices_with(user, Perm.CASE_VIEW)


def is_host(user: Any, handover: Handover) -> bool:
    return handover.case.office_id in offices_with(user, Perm.CASE_VIEW)


# --- departures calendar and manifest -----------------------------------------------------------


def departures(
    user: Any,
    start: datetime.date,
    end: datetime.date,
    *,
    office_id: Any = None,
    destination: str = "",
) -> list[Booking]:
    """Bookings that stand or were flown, departing in [start, end], in the user's offices,
    each with ``travellers`` (its number of passengers)."""
    offices = offices_with(user, Perm.CASE_VIEW)
    if office_id is not None:
        offices &= {office_id}
    queryset = Booking.objects.filter(
        case__office_id__in=offices,
        departure_date__gte=start,
        departure_date__lte=end,
        status__in=[*OPEN_BOOKING, BookingStatus.FLOWN],
    )
    if destination:
        queryset = queryset.filter(case__destination_country=destination)
    # The calendar shows no encrypted value: leave them undecrypted.
    return list(
        queryset.select_related("case__office")
        .defer("reference", "notes", "status_reason", "case__notes", "case__destination_place")
        .annotate(travellers=Count("passengers"))
        .prefetch_related("segments")
        .order_by("departs_at", "id")
    )


# --- the operations officer's work queue --------------------------------------------------------


@dataclass
class OperationsQueue:
    documents_to_request: list[TravelDocument] = field(default_factory=list)
    requests_unanswered: list[TravelDocument] = field(default_factory=list)
    documents_expiring: list[TravelDocument] = field(default_factory=list)
    fitness_expiring: list[Assessment] = field(default_factory=list)
    bookings_to_confirm: list[Booking] = field(default_factory=list)
    reconfirmations_due: list[Booking] = field(default_factory=list)
    arrivals_to_confirm: list[Case] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not any(
            (
                self.documents_to_request,
                self.requests_unanswered,
                self.documents_expiring,
                self.fitness_expiring,
                self.bookings_to_confirm,
                self.reconfirmations_due,
                self.arrivals_to_confirm,
            )
        )

    @property
    def count(self) -> int:
        return sum(
            len(items)
            for items in (
                self.documents_to_request,
                self.requests_unanswered,
                self.documents_expiring,
                self.fitness_expiring,
                self.bookings_to_confirm,
                self.reconfirmations_due,
                self.arrivals_to_confirm,
            )
        )


def answer_days() -> int:
    from django.conf import settings

    return int(getattr(settings, "DOCUMENT_ANSWER_DAYS", 14))


QUEUE_LIMIT = 50


def operations_queue(
    offices: set[Any], today: datetime.date | None = None, *, limit: int = QUEUE_LIMIT
) -> OperationsQueue:
    """What needs an operations officer in ``offices`` (a fixed number of queries)."""
    today = today or timezone.localdate()
    queue = OperationsQueue()
    if not offices:
        return queue
    pre = [*PRE_DEPARTURE, Status.ON_HOLD]
    documents = TravelDocument.objects.filter(
        member__case__office_id__in=offices, member__case__status__in=pre, member__travelling=True
    ).select_related("member__case")
    queue.documents_to_request = list(
        documents.filter(status=DocumentStatus.NEEDED).order_by("created_at")[:limit]
    )
    queue.requests_unanswered = list(
        documents.filter(
            status=DocumentStatus.REQUESTED,
            requested_on__lt=today - datetime.timedelta(days=answer_days()),
        ).order_by("requested_on")[:limit]
    )
    # Issued documents that will have expired by the arrival (or within 30 days, not yet booked).
    bookings = {
        b.case_id: b
        for b in Booking.objects.filter(
            case__office_id__in=offices, status__in=OPEN_BOOKING, arrival_date__isnull=False
        )
    }
    horizon = today + datetime.timedelta(days=30)
    expiring = []
    for document in documents.filter(status=DocumentStatus.ISSUED, expires_on__isnull=False):
        booking = bookings.get(document.member.case_id)
        limit_day = booking.arrival_date if booking and booking.arrival_date else horizon
        if document.expires_on is not None and document.expires_on < limit_day:
            expiring.append(document)
    queue.documents_expiring = sorted(expiring, key=lambda d: d.expires_on or today)[:limit]
    departures_by_case = {
        case_id: b.departure_date for case_id, b in bookings.items() if b.departure_date
    }
    latest: dict[Any, Assessment] = {}
    for check in (
        Assessment.objects.filter(
            kind=Kind.FITNESS,
            member__case__office_id__in=offices,
            member__case__status__in=pre,
        )
        .select_related("member__case")
        .defer(*RESTRICTED_TEXT)
        .order_by("member_id", "-created_at", "-id")
    ):
        latest.setdefault(check.member_id, check)  # the latest check of each traveller
    queue.fitness_expiring = [
        check
        for check in latest.values()
        if check.fit_to_travel
        and check.valid_until is not None
        and departures_by_case.get(check.member.case_id) is not None
        and check.valid_until < departures_by_case[check.member.case_id]
    ][:limit]
    queue.bookings_to_confirm = list(
        Booking.objects.filter(case__office_id__in=offices, status=BookingStatus.PENDING)
        .select_related("case")
        .order_by("departs_at", "created_at")[:limit]
    )
    window = today + datetime.timedelta(days=reconfirm_within_days())
    queue.reconfirmations_due = list(
        Booking.objects.filter(
            case__office_id__in=offices,
            case__status=Status.TRAVEL_PREPARATION,
            status=BookingStatus.CONFIRMED,
            departure_date__gte=today,
            departure_date__lte=window,
        )
        .select_related("case")
        .order_by("departs_at")[:limit]
    )
    queue.arrivals_to_confirm = list(
        Case.objects.filter(office_id__in=offices, status=Status.DEPARTED).order_by(
            "status_changed_at"
        )[:limit]
    )
    return queue


def operations_offices(user: Any) -> set[Any]:
    return offices_with(user, Perm.MOVEMENT_MANAGE) & offices_with(user, Perm.CASE_VIEW)
