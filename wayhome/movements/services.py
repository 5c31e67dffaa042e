"""Writes about a case's movement. Each runs in one transaction with its audit event, locks the
case first (so that two officers editing one journey never interleave), and validates everything
before saving anything: bad input raises ``ValidationError`` and leaves nothing half-saved.

Who may write (in the case's office): travel documents, re-confirmations and receptions:
"change case" or "manage movements"; bookings, segments, escorts, departure and no-show:
"manage movements"; a hand-over: "change case", "manage movements" or "manage reintegration".
The arrival: "manage movements" or "change case" in the host office, or, once the origin office
holds a hand-over of the case, any of those or "manage reintegration" there.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.assessments.models import Screening
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.services import case_transition, transition_locked
from wayhome.cases.workflow import PRE_DEPARTURE, Status
from wayhome.consent.models import DataSharingConsent
from wayhome.consent.sharing import sharing_allowed
from wayhome.core.text import validate_multiline
from wayhome.movements import airports
from wayhome.movements.handover import build_package, never_shared_flags
from wayhome.movements.models import (
    OPEN_BOOKING,
    Arrival,
    Booking,
    BookingStatus,
    ConfirmedBy,
    Escort,
    Handover,
    Passenger,
    Reception,
    Reconfirmation,
    Segment,
    TravelDocument,
)
from wayhome.movements.rules import checklist
from wayhome.protection.models import Transfer
from wayhome.protection.transfers import package_fields, transfer_record

S = Status
RK = DataSharingConsent.RecipientKind

#: Where each kind of record may be written.
DOCUMENT_STATUSES = frozenset(PRE_DEPARTURE | {S.ON_HOLD})
BOOKING_STATUSES = frozenset({S.APPROVED, S.TRAVEL_PREPARATION})
RECONFIRM_STATUSES = frozenset({S.APPROVED, S.TRAVEL_PREPARATION, S.READY_TO_DEPART})
RECEPTION_STATUSES = frozenset(
    {S.APPROVED, S.TRAVEL_PREPARATION, S.READY_TO_DEPART, S.ON_HOLD, S.DEPARTED}
)
HANDOVER_STATUSES = frozenset(
    {
        S.APPROVED,
        S.TRAVEL_PREPARATION,
        S.READY_TO_DEPART,
        S.DEPARTED,
        S.ARRIVED,
        S.REINTEGRATION_PLANNING,
        S.REINTEGRATION_ASSISTANCE,
        S.MONITORING,
    }
)

RECORD_PERMS = (Perm.CASE_CHANGE, Perm.MOVEMENT_MANAGE)
BOOKING_PERMS = (Perm.MOVEMENT_MANAGE,)
HANDOVER_PERMS = (Perm.CASE_CHANGE, Perm.MOVEMENT_MANAGE, Perm.REINTEGRATION_MANAGE)


def may(actor: Any, office_id: Any, perms: Iterable[Perm]) -> bool:
    return actor is None or any(has_perm(actor, perm, office_id) for perm in perms)


def _lock(case_id: Any, actor: Any, perms: Iterable[Perm]) -> Case:
    """The case, locked, after checking that ``actor`` holds one of ``perms`` in its office."""
    locked = Case.objects.select_for_update().select_related("office").get(pk=case_id)
    if not may(actor, locked.office_id, perms):
        raise PermissionDenied
    return locked


def _require_status(case: Case, allowed: frozenset[Status], message: Any) -> None:
    if case.status not in allowed:
        raise ValidationError(message, code="wrong_status")


def _clean(obj: Any, **kwargs: Any) -> None:
    obj.full_clean(**kwargs)


# --- travel documents ---------------------------------------------------------------------------

DOCUMENT_FIELDS = (
    "kind",
    "status",
    "number",
    "issuing_country",
    "consulate",
    "requested_on",
    "issued_on",
    "expires_on",
    "refusal_reason",
)


def document_record(*, actor: Any, member: CaseMember, **fields: Any) -> TravelDocument:
    unknown = set(fields) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown document fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(member.case_id, actor, RECORD_PERMS)
        _require_status(
            locked, DOCUMENT_STATUSES, _("Travel documents are recorded before departure.")
        )
        document = TravelDocument(member=member, recorded_by=actor, **fields)
        _clean(document, exclude=["member", "recorded_by"])
        document.save(force_insert=True)
        audit_record(
            actor=actor,
            action="movements.document_record",
            obj=locked,
            details={"kind": document.kind, "status": document.status},
        )
    return document


def document_update(
    *, actor: Any, document: TravelDocument, version: int | None = None, **fields: Any
) -> TravelDocument:
    unknown = set(fields) - set(DOCUMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown document fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(document.member.case_id, actor, RECORD_PERMS)
        _require_status(
            locked, DOCUMENT_STATUSES, _("Travel documents are recorded before departure.")
        )
        current = TravelDocument.objects.select_for_update().get(pk=document.pk)
        if version is not None and current.version != version:
            raise ValidationError(
                _(
                    "Someone else changed this document while you were editing. "
                    "Reload and try again."
                ),
                code="stale",
            )
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, fields[name])
        _clean(current, exclude=["member", "recorded_by"])
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="movements.document_change",
            obj=locked,
            details={"fields": changed, "status": current.status},
        )
    return current


# --- bookings -----------------------------------------------------------------------------------

BOOKING_FIELDS = ("reference", "baggage", "allowance_amount", "allowance_currency", "notes")


def _passengers(
    case: Case, passengers: Iterable[tuple[CaseMember, list[str]]]
) -> list[tuple[CaseMember, list[str]]]:
    rows = list(passengers)
    if not rows:
        raise ValidationError({"passengers": _("Choose at least one traveller.")})
    if any(member.case_id != case.pk or not member.travelling for member, _s in rows):
        raise ValidationError({"passengers": _("Choose travellers of this case.")})
    if len({member.pk for member, _s in rows}) != len(rows):
        raise ValidationError({"passengers": _("A traveller is listed twice.")})
    for _member, services in rows:
        Passenger(special_services=services).clean_fields(exclude=["booking", "member"])
    return rows


def _refresh_dates(booking: Booking) -> None:
    segments = list(booking.segments.order_by("departs_at", "id"))
    if segments:
        booking.departs_at = segments[0].departs_at
        booking.departure_date = segments[0].departs_local.date()
        booking.arrival_date = segments[-1].arrives_local.date()
    else:
        booking.departs_at = booking.departure_date = booking.arrival_date = None


def booking_create(
    *,
    actor: Any,
    case: Case,
    passengers: Iterable[tuple[CaseMember, list[str]]],
    **fields: Any,
) -> Booking:
    """A booking to confirm, for ``passengers`` ((member, special services) pairs). A case has at
    most one booking that stands: cancel the earlier one first."""
    unknown = set(fields) - set(BOOKING_FIELDS)
    if unknown:
        raise TypeError(f"unknown booking fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock(case.pk, actor, BOOKING_PERMS)
        _require_status(
            locked,
            BOOKING_STATUSES,
            _("A journey is booked once the case is approved and before it is ready to depart."),
        )
        if Booking.objects.filter(case=locked, status__in=OPEN_BOOKING).exists():
            raise ValidationError(
                _("This case already has a booking: cancel it before booking again."),
                code="booking_exists",
            )
        rows = _passengers(locked, passengers)
        booking = Booking(case=locked, recorded_by=actor, **fields)
        _clean(booking, exclude=["case", "recorded_by"])
        booking.save(force_insert=True)
        Passenger.objects.bulk_create(
            [Passenger(booking=booking, member=m, special_services=s) for m, s in rows]
        )
        audit_record(
            actor=actor,
            action="movements.booking_create",
            obj=locked,
            details={"passengers": len(rows)},
        )
    return booking


def _open_for_change(booking: Booking, actor: Any) -> tuple[Case, Booking]:
    locked = _lock(booking.case_id, actor, BOOKING_PERMS)
    current = Booking.objects.select_for_update().get(pk=booking.pk)
    _require_status(
        locked,
        BOOKING_STATUSES,
        _("Return the case to travel preparation to change its booking."),
    )
    if current.status != BookingStatus.PENDING:
        raise ValidationError(
            _("Only a booking still to confirm can be changed; cancel it and book again."),
            code="booking_not_pending",
        )
    return locked, current


def booking_update(
    *,
    actor: Any,
    booking: Booking,
    version: int | None = None,
    passengers: Iterable[tuple[CaseMember, list[str]]] | None = None,
    **fields: Any,
) -> Booking:
    unknown = set(fields) - set(BOOKING_FIELDS)
    if unknown:
        raise TypeError(f"unknown booking fields: {sorted(unknown)}")
    with transaction.atomic():
        locked, current = _open_for_change(booking, actor)
        if version is not None and current.version != version:
            raise ValidationError(
                _(
                    "Someone else changed this booking while you were editing. "
                    "Reload and try again."
                ),
                code="stale",
            )
        rows = _passengers(locked, passengers) if passengers is not None else None
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed and rows is None:
            return current
        for name in changed:
            setattr(current, name, fields[name])
        _clean(current, exclude=["case", "recorded_by"])
        current.version += 1
        current.save()
        if rows is not None:
            current.passengers.all().delete()
            Passenger.objects.bulk_create(
                [Passenger(booking=current, member=m, special_services=s) for m, s in rows]
            )
            changed.append("passengers")
        audit_record(
            actor=actor,
            action="movements.booking_change",
            obj=locked,
            details={"fields": changed},
        )
    return current


def segment_add(
    *,
    actor: Any,
    booking: Booking,
    carrier: str,
    flight_number: str,
    origin: str,
    destination: str,
    departs_local: datetime.datetime,
    arrives_local: datetime.datetime,
    departs_offset: datetime.timedelta | None = None,
    arrives_offset: datetime.timedelta | None = None,
    transit_assistance: bool = False,
) -> Segment:
    """A flight, typed in local times at its airports (``airports.to_utc``). It must arrive after
    it departs, and chain with the other flights (same airport, after the previous arrival)."""
    carrier, flight_number = carrier.strip().upper(), flight_number.strip().upper()
    origin, destination = origin.strip().upper(), destination.strip().upper()
    segment = Segment(
        booking=booking,
        carrier=carrier,
        flight_number=flight_number,
        origin=origin,
        destination=destination,
        transit_assistance=transit_assistance,
        departs_at=timezone.now(),
        arrives_at=timezone.now(),
    )
    errors: dict[str, Any] = {}
    try:
        segment.clean_fields(exclude=["booking", "departs_at", "arrives_at"])
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if origin == destination and "destination" not in errors:
        errors["destination"] = [_("A flight goes to another airport.")]
    for side, code, local, offset in (
        ("departs", origin, departs_local, departs_offset),
        ("arrives", destination, arrives_local, arrives_offset),
    ):
        place = airports.airport(code)
        if place is None:
            continue
        try:
            setattr(segment, f"{side}_at", airports.to_utc(local, place.tz, offset=offset))
            setattr(segment, "origin_tz" if side == "departs" else "destination_tz", place.tz)
        except ValidationError as exc:
            errors[f"{side}_local"] = exc.error_list
    if not errors and segment.arrives_at <= segment.departs_at:
        errors["arrives_local"] = [_("The flight must arrive after it departs.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked, current = _open_for_change(booking, actor)
        others = list(current.segments.order_by("departs_at", "id"))
        chained = sorted([*others, segment], key=lambda s: s.departs_at)
        for before, after in itertools.pairwise(chained):
            if before.destination != after.origin:
                raise ValidationError(
                    {
                        "origin": _(
                            "The flights do not connect: %(first)s lands at %(airport)s, the "
                            "next flight leaves from %(other)s."
                        )
                        % {
                            "first": before.flight,
                            "airport": before.destination,
                            "other": after.origin,
                        }
                    }
                )
            if after.departs_at <= before.arrives_at:
                raise ValidationError(
                    {"departs_local": _("A flight departs after the previous one arrives.")}
                )
        if chained[0] is segment and transit_assistance:
            raise ValidationError(
                {"transit_assistance": _("Transit assistance is for a connecting flight.")}
            )
        segment.booking = current
        segment.save(force_insert=True)
        _refresh_dates(current)
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="movements.segment_add",
            obj=locked,
            details={"flight": segment.flight, "from": origin, "to": destination},
        )
    return segment


def segment_remove(*, actor: Any, segment: Segment) -> None:
    with transaction.atomic():
        locked, current = _open_for_change(segment.booking, actor)
        flight = segment.flight
        Segment.objects.filter(pk=segment.pk).delete()
        _refresh_dates(current)
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="movements.segment_remove",
            obj=locked,
            details={"flight": flight},
        )


def booking_confirm(*, actor: Any, booking: Booking) -> Booking:
    """The airline confirmed: needs the booking reference and an itinerary."""
    with transaction.atomic():
        locked, current = _open_for_change(booking, actor)
        errors: dict[str, Any] = {}
        if not current.reference.strip():
            errors["reference"] = [_("Enter the booking reference before confirming.")]
        if not current.segments.exists():
            errors["segments"] = [_("Add the flights before confirming.")]
        if errors:
            raise ValidationError(errors)
        current.status = BookingStatus.CONFIRMED
        current.confirmed_at = timezone.now()
        current.version += 1
        current.save()
        audit_record(actor=actor, action="movements.booking_confirm", obj=locked)
    return current


def booking_cancel(*, actor: Any, booking: Booking, reason: str) -> Booking:
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Give the reason for this decision.")})
    validate_multiline(reason)
    with transaction.atomic():
        locked = _lock(booking.case_id, actor, BOOKING_PERMS)
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if current.status not in OPEN_BOOKING:
            raise ValidationError(_("This booking no longer stands."), code="booking_closed")
        if locked.status == S.READY_TO_DEPART:
            raise ValidationError(
                _("Return the case to travel preparation before cancelling its booking."),
                code="wrong_status",
            )
        current.status = BookingStatus.CANCELLED
        current.status_reason = reason
        current.version += 1
        current.save()
        audit_record(actor=actor, action="movements.booking_cancel", obj=locked)
    return current


def escort_add(
    *, actor: Any, booking: Booking, kind: str, name: str, organisation: str = "", phone: str = ""
) -> Escort:
    escort = Escort(
        booking=booking,
        kind=kind,
        name=name.strip(),
        organisation=organisation.strip(),
        phone=phone.strip(),
        recorded_by=actor,
    )
    _clean(escort, exclude=["booking", "recorded_by"])
    with transaction.atomic():
        locked = _lock(booking.case_id, actor, BOOKING_PERMS)
        _require_status(
            locked, BOOKING_STATUSES, _("Return the case to travel preparation to change escorts.")
        )
        current = Booking.objects.select_for_update().get(pk=booking.pk)
        if current.status not in OPEN_BOOKING:
            raise ValidationError(_("This booking no longer stands."), code="booking_closed")
        escort.booking = current
        escort.save(force_insert=True)
        audit_record(actor=actor, action="movements.escort_add", obj=locked, details={"kind": kind})
    return escort


def escort_remove(*, actor: Any, escort: Escort) -> None:
    with transaction.atomic():
        locked = _lock(escort.booking.case_id, actor, BOOKING_PERMS)
        _require_status(
            locked, BOOKING_STATUSES, _("Return the case to travel preparation to change escorts.")
        )
        current = Booking.objects.select_for_update().get(pk=escort.booking_id)
        if current.status not in OPEN_BOOKING:
            raise ValidationError(_("This booking no longer stands."), code="booking_closed")
        Escort.objects.filter(pk=escort.pk).delete()
        audit_record(
            actor=actor, action="movements.escort_remove", obj=locked, details={"kind": escort.kind}
        )


# --- re-confirmation and reception --------------------------------------------------------------


def reconfirmation_record(
    *,
    actor: Any,
    member: CaseMember,
    confirmed_on: datetime.date,
    wishes_to_return: bool,
    method: str,
    notes: str = "",
) -> Reconfirmation:
    record = Reconfirmation(
        member=member,
        confirmed_on=confirmed_on,
        wishes_to_return=wishes_to_return,
        method=method,
        notes=notes,
        recorded_by=actor,
    )
    _clean(record, exclude=["member", "recorded_by"])
    with transaction.atomic():
        locked = _lock(member.case_id, actor, RECORD_PERMS)
        _require_status(
            locked,
            RECONFIRM_STATUSES,
            _("Voluntariness is re-confirmed during travel preparation."),
        )
        if not member.travelling:
            raise ValidationError(_("Only travellers re-confirm."), code="not_travelling")
        record.save(force_insert=True)
        audit_record(
            actor=actor,
            action="movements.reconfirmation_record",
            obj=locked,
            details={"wishes_to_return": wishes_to_return},
        )
    return record


def reception_record(
    *,
    actor: Any,
    case: Case,
    members: list[CaseMember],
    receiver_kind: str,
    receiver_name: str,
    contact: str = "",
    place: str = "",
) -> Reception:
    reception = Reception(
        case=case,
        receiver_kind=receiver_kind,
        receiver_name=receiver_name.strip(),
        contact=contact.strip(),
        place=place.strip(),
        recorded_by=actor,
    )
    _clean(reception, exclude=["case", "recorded_by"])
    if not members:
        raise ValidationError({"members": _("Choose the travellers received.")})
    if any(m.case_id != case.pk for m in members):
        raise ValidationError({"members": _("Choose travellers of this case.")})
    with transaction.atomic():
        locked = _lock(case.pk, actor, RECORD_PERMS)
        _require_status(
            locked, RECEPTION_STATUSES, _("Reception is arranged before the travellers arrive.")
        )
        reception.case = locked
        reception.save(force_insert=True)
        reception.members.set(members)
        audit_record(
            actor=actor,
            action="movements.reception_record",
            obj=locked,
            details={"travellers": len(members), "receiver_kind": receiver_kind},
        )
    return reception


# --- departure, no-show, arrival ----------------------------------------------------------------


def departure_confirm(*, actor: Any, case: Case) -> Case:
    """The travellers left: the case is ``departed`` (the guards check the booking and the day)
    and its booking is flown."""
    with transaction.atomic():
        moved = case_transition(actor=actor, case=case, target=S.DEPARTED)
        Booking.objects.filter(case=moved, status=BookingStatus.CONFIRMED).update(
            status=BookingStatus.FLOWN, version=F("version") + 1
        )
    return moved


def no_show_record(*, actor: Any, case: Case, reason: str) -> Case:
    """The travellers did not board: the case returns to travel preparation with the reason, and
    its booking is marked as a no-show (a new booking is needed)."""
    with transaction.atomic():
        locked = _lock(case.pk, actor, BOOKING_PERMS)
        if locked.status != S.READY_TO_DEPART:
            raise ValidationError(
                _("A no-show is recorded for a case ready to depart."), code="wrong_status"
            )
        moved = case_transition(
            actor=actor, case=locked, target=S.TRAVEL_PREPARATION, reason=reason
        )
        for booking in Booking.objects.filter(case=moved, status=BookingStatus.CONFIRMED):
            booking.status = BookingStatus.NO_SHOW
            booking.status_reason = " ".join(reason.split())
            booking.version += 1
            booking.save()
    return moved


def _arrival_office(actor: Any, case: Case) -> Office | None:
    """The office in whose name ``actor`` confirms the arrival of ``case``, if any."""
    if may(actor, case.office_id, RECORD_PERMS):  # the host office (or the system itself)
        return case.office
    offices = Handover.objects.filter(
        case=case, recipient_kind=RK.ORIGIN_OFFICE, recipient_office__isnull=False
    ).values_list("recipient_office_id", flat=True)
    for office_id in offices:
        if may(actor, office_id, HANDOVER_PERMS):
            return Office.objects.get(pk=office_id)
    return None


def arrival_confirm(
    *,
    actor: Any,
    case: Case,
    arrived_on: datetime.date,
    confirmed_by: str,
    reception_details: str,
) -> Arrival:
    """The travellers arrived: recorded with how they were received, and the case is ``arrived``.
    By the host office (told by the origin office, a partner or the escort) or by the origin
    office holding a hand-over of the case."""
    arrival = Arrival(
        arrived_on=arrived_on,
        confirmed_by=confirmed_by,
        reception_details=reception_details.strip(),
        recorded_by=actor,
    )
    _clean(arrival, exclude=["case", "office", "recorded_by"])
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
        office = _arrival_office(actor, locked)
        if office is None:
            raise PermissionDenied
        if office.pk != locked.office_id and confirmed_by != ConfirmedBy.ORIGIN_OFFICE:
            raise ValidationError(
                {"confirmed_by": _("The origin office confirms in its own name.")}
            )
        if locked.status != S.DEPARTED:
            raise ValidationError(
                _("An arrival is confirmed for a case that has departed."), code="wrong_status"
            )
        departed = locked.transitions.filter(target=S.DEPARTED).aggregate(at=Min("occurred_at"))[
            "at"
        ]
        if departed is not None and arrived_on < departed.date() - datetime.timedelta(days=1):
            raise ValidationError({"arrived_on": _("The arrival cannot be before the departure.")})
        arrival.case = locked
        arrival.office = office
        arrival.save(force_insert=True)
        transition_locked(actor=actor, locked=locked, target=S.ARRIVED)
    return arrival


# --- hand-over ----------------------------------------------------------------------------------


def handover_send(
    *,
    actor: Any,
    case: Case,
    recipient_kind: str,
    purpose: str,
    members: list[CaseMember],
    recipient_office: Office | None = None,
    recipient_name: str = "",
    shared_flags: dict[str, list[str]] | None = None,
    counselling_notes: str = "",
    needs: str = "",
) -> Handover:
    """Sends the package of ``members`` to the recipient, only with each one's active consent to
    share their data with that recipient for ``purpose``. ``shared_flags``: member id ->
    the vulnerability flags the person agreed to share (only flags of their screening in force;
    never those the recipient kind may not receive, ``handover.NEVER``)."""
    shared_flags = {str(k): list(v) for k, v in (shared_flags or {}).items()}
    recipient_name = " ".join(recipient_name.split())
    handover = Handover(
        case=case,
        recipient_kind=recipient_kind,
        recipient_office=recipient_office,
        recipient_name=recipient_name,
        purpose=purpose,
        sent_by=actor,
    )
    errors: dict[str, Any] = {}
    try:
        handover.clean_fields(exclude=["case", "package", "sent_by", "recipient_office"])
    except ValidationError as exc:
        errors.update(exc.error_dict)
    if recipient_kind == RK.ORIGIN_OFFICE:
        if recipient_office is None or recipient_office.kind != Office.Kind.ORIGIN:
            errors["recipient_office"] = [_("Choose an office in a country of origin.")]
        elif recipient_name:
            errors["recipient_name"] = [_("An office is chosen from the list, not named.")]
    elif recipient_kind in (RK.PARTNER, RK.GOVERNMENT_AUTHORITY):
        if not recipient_name:
            errors["recipient_name"] = [_("Name the partner or authority receiving the data.")]
        if recipient_office is not None:
            errors["recipient_office"] = [_("Choose an office only for the origin office.")]
    for text, name in ((counselling_notes, "counselling_notes"), (needs, "needs")):
        try:
            validate_multiline(text)
        except ValidationError as exc:
            errors[name] = exc.error_list
    if not members:
        errors["members"] = [_("Choose whose data is handed over.")]
    if any(m.case_id != case.pk or not m.travelling for m in members):
        errors["members"] = [_("Choose travellers of this case.")]
    forbidden = never_shared_flags(recipient_kind)
    if any(set(flags) & forbidden for flags in shared_flags.values()):
        errors["shared_flags"] = [
            _("Trafficking and violence are never shared with a government authority.")
        ]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = _lock(case.pk, actor, HANDOVER_PERMS)
        _require_status(
            locked,
            HANDOVER_STATUSES,
            _("A hand-over is sent once the return is approved, while the case is open."),
        )
        refused = [
            m
            for m in members
            if not sharing_allowed(
                m.person,
                purpose=purpose,
                recipient_kind=recipient_kind,
                recipient_office=recipient_office,
                recipient_name=recipient_name,
            )
        ]
        state = checklist(locked)
        labels = {t.member.pk: t.label for t in state.travellers}
        if refused:
            raise ValidationError(
                {
                    "members": ValidationError(
                        _(
                            "No active consent to share data with this recipient for this "
                            "purpose: %(who)s."
                        )
                        % {"who": ", ".join(labels.get(m.pk, "?") for m in refused)},
                        code="no_consent",
                    )
                }
            )
        screening_flags: dict[Any, list[str]] = {}
        for screening in Screening.objects.filter(member__case=locked).defer("notes"):
            screening_flags.setdefault(screening.member_id, list(screening.flags))
        handover.case = locked
        handover.package = build_package(
            case=locked,
            travellers=state.travellers,
            members=members,
            shared_flags=shared_flags,
            screening_flags=screening_flags,
            booking=state.booking,
            counselling_notes=counselling_notes.strip(),
            needs=needs.strip(),
            recipient_kind=recipient_kind,
            sent_by_office=locked.office.name,
        )
        handover.save(force_insert=True)
        handover.members.set(members)
        audit_record(
            actor=actor,
            action="movements.handover_send",
            obj=locked,
            details={
                "recipient_kind": recipient_kind,
                "purpose": purpose,
                "travellers": len(members),
            },
        )
        transfer_record(
            actor=actor,
            kind=Transfer.Kind.HANDOVER,
            office_id=locked.office_id,
            obj=handover,
            case=locked,
            people=[m.person for m in members],
            recipient_kind=recipient_kind,
            recipient_office=recipient_office,
            recipient_name=recipient_name,
            purpose=purpose,
            fields=package_fields(handover.package),
        )
    return handover


def handover_acknowledge(*, actor: Any, handover: Handover) -> Handover:
    """The origin office took the case over (it then works the reintegration side)."""
    with transaction.atomic():
        current = Handover.objects.select_for_update().get(pk=handover.pk)
        if current.recipient_office_id is None or not may(
            actor, current.recipient_office_id, HANDOVER_PERMS
        ):
            raise PermissionDenied
        if current.acknowledged_at is None:
            current.acknowledged_at = timezone.now()
            current.acknowledged_by = actor
            current.save()
            audit_record(
                actor=actor,
                action="movements.handover_acknowledge",
                obj=current,
                office_id=current.recipient_office_id,
            )
    return current


def cancel_open_bookings(case: Case, reason: str) -> int:
    """Frees the seats of a case that will not travel (withdrawn, rejected)."""
    bookings = list(Booking.objects.select_for_update().filter(case=case, status__in=OPEN_BOOKING))
    for booking in bookings:
        booking.status = BookingStatus.CANCELLED
        booking.status_reason = reason
        booking.version += 1
        booking.save()
    return len(bookings)
