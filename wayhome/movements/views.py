"""The travel pages: a case's travel page (checklist, documents, booking, departure, arrival,
hand-over) and its sub-pages; the departures calendar, the manifest and the operations work
queue; hand-overs received by an origin office.

Every case page fetches its case through the office policy first (another office: 404, whatever
the method). A hand-over is fetched through ``selectors.handover_get``: the host office sees it
with its case; the origin office it was sent to sees only its package, never the case's pages.
Pages that name people write "case.view" (or "movements.handover_view"); exports are audited.
"""

from __future__ import annotations

import calendar
import datetime
import json
import uuid
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere, offices_with
from wayhome.assessments.models import Flag, Screening, TravelCondition
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember, MigrantCategory, Programme
from wayhome.cases.selectors import case_access, case_get
from wayhome.cases.services import TransitionBlocked, transition_unmet
from wayhome.cases.workflow import Status, Unmet
from wayhome.consent.selectors import member_get
from wayhome.core.countries import country_name, subdivision_name
from wayhome.core.forms import add_service_errors
from wayhome.core.http import no_store
from wayhome.movements import selectors, services
from wayhome.movements.forms import (
    ArrivalForm,
    BookingForm,
    CancelForm,
    DeparturesForm,
    DocumentForm,
    EscortForm,
    HandoverForm,
    ManifestForm,
    NoShowForm,
    ReceptionForm,
    ReconfirmationForm,
    SegmentForm,
)
from wayhome.movements.handover import package_of
from wayhome.movements.manifest import (
    MANIFEST_FIELDS,
    manifest_csv,
    manifest_pdf,
    manifest_rows,
    manifest_transfers,
)
from wayhome.movements.models import (
    Arrival,
    Booking,
    BookingStatus,
    DocumentKind,
    Handover,
    ReceiverKind,
)
from wayhome.movements.pdf import package_pdf
from wayhome.movements.rules import Checklist, checklist
from wayhome.people.models import Person

S = Status


def _may(request: HttpRequest, case: Case, perms: tuple[Perm, ...]) -> bool:
    return services.may(request.user, case.office_id, perms)


def _travellers(state: Checklist) -> list[tuple[CaseMember, str]]:
    return [(t.member, t.label) for t in state.travellers]


def _unmet_ready(request: HttpRequest, case: Case) -> list[Unmet]:
    if case.status not in (S.APPROVED, S.TRAVEL_PREPARATION):
        return []
    return transition_unmet(actor=request.user, case=case, target=S.READY_TO_DEPART)


# --- the case's travel page ---------------------------------------------------------------------


def _travel_page(
    request: HttpRequest, case: Case, *, status: int = 200, **forms: Any
) -> HttpResponse:
    state = checklist(case)
    travellers = _travellers(state)
    bookings = list(
        Booking.objects.filter(case=case).prefetch_related("segments", "passengers", "escorts")
    )
    context = {
        "case": case,
        "state": state,
        "unmet": _unmet_ready(request, case),
        "booking": state.booking,
        "past_bookings": [b for b in bookings if not b.is_open],
        "receptions": list(case.receptions.prefetch_related("members")),
        "arrival": Arrival.objects.filter(case=case).first(),
        "handovers": list(case.handovers.select_related("recipient_office")),
        "can_record": _may(request, case, services.RECORD_PERMS),
        "can_book": _may(request, case, services.BOOKING_PERMS),
        "can_handover": _may(request, case, services.HANDOVER_PERMS),
        "booking_open_for_change": case.status in services.BOOKING_STATUSES,
        "reconfirm_form": forms.get("reconfirm_form") or ReconfirmationForm(travellers=travellers),
        "reception_form": forms.get("reception_form") or ReceptionForm(travellers=travellers),
        "noshow_form": forms.get("noshow_form") or NoShowForm(),
        "arrival_form": forms.get("arrival_form") or ArrivalForm(),
        "cancel_form": forms.get("cancel_form") or CancelForm(),
        "refused": forms.get("refused"),
        "S": {s.name: s.value for s in Status},
    }
    return no_store(render(request, "movements/case_travel.html", context, status=status))


@login_required
@require_GET
def case_travel(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _travel_page(request, case_access(request.user, case_id))


def case_panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The case page's travel panel: the checklist's state, no names."""
    state = checklist(case)
    return {"travel": state, "travel_unmet": _unmet_ready(request, case)}


def _back(case: Case) -> HttpResponse:
    return redirect("movements:case-travel", case_id=case.pk)


def _refused_page(
    request: HttpRequest, case_id: uuid.UUID, exc: Exception, **forms: Any
) -> HttpResponse:
    case = case_access(request.user, case_id)
    if isinstance(exc, TransitionBlocked):
        return _travel_page(request, case, status=409, refused=exc.unmet, **forms)
    return _travel_page(request, case, status=400, **forms)


# --- documents ----------------------------------------------------------------------------------


def _document_page(
    request: HttpRequest, case: Case, member: CaseMember, form: DocumentForm, **extra: Any
) -> HttpResponse:
    audit_record(actor=request.user, action="case.view", obj=case)
    context = {"case": case, "member": member, "form": form, **extra}
    status = 400 if form.is_bound else 200
    return no_store(render(request, "movements/document_form.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def document_create(request: HttpRequest, case_id: uuid.UUID, member_id: uuid.UUID) -> HttpResponse:
    case, member = member_get(request.user, case_id, member_id)
    if not _may(request, case, services.RECORD_PERMS):
        raise PermissionDenied
    form = DocumentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_record(actor=request.user, member=member, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The travel document is recorded."))
            return _back(case)
    return _document_page(request, case, member, form, label=_label(case, member))


def _label(case: Case, member: CaseMember) -> str:
    for t in checklist(case).travellers:
        if t.member.pk == member.pk:
            return t.label
    return ""


@login_required
@require_http_methods(["GET", "POST"])
def document_update(
    request: HttpRequest, case_id: uuid.UUID, travel_document_id: uuid.UUID
) -> HttpResponse:
    document = selectors.document_get(request.user, case_id, travel_document_id)
    member, case = document.member, document.member.case
    if not _may(request, case, services.RECORD_PERMS):
        raise PermissionDenied
    initial = {name: getattr(document, name) for name in services.DOCUMENT_FIELDS}
    form = DocumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.document_update(
                actor=request.user,
                document=document,
                version=_version(request),
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The travel document is changed."))
            return _back(case)
    return _document_page(
        request, case, member, form, document=document, label=_label(case, member)
    )


def _version(request: HttpRequest) -> int | None:
    try:
        return int(request.POST.get("version", ""))
    except ValueError:
        return None


# --- bookings -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def booking_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_access(request.user, case_id)
    if not _may(request, case, services.BOOKING_PERMS):
        raise PermissionDenied
    state = checklist(case)
    form = BookingForm(request.POST or None, travellers=_travellers(state))
    if request.method == "POST" and form.is_valid():
        try:
            booking = services.booking_create(
                actor=request.user, case=case, passengers=form.passengers(), **form.values()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The booking is recorded: add its flights."))
            return redirect("movements:booking-detail", case_id=case.pk, booking_id=booking.pk)
    context = {"case": case, "form": form}
    status = 400 if form.is_bound else 200
    return no_store(render(request, "movements/booking_create.html", context, status=status))


def _booking_page(
    request: HttpRequest, booking: Booking, *, status: int = 200, **forms: Any
) -> HttpResponse:
    case = booking.case
    audit_record(actor=request.user, action="case.view", obj=case)
    state = checklist(case)
    chosen = {p.member_id: list(p.special_services) for p in booking.passengers.all()}
    initial = {
        name: getattr(booking, name)
        for name in ("reference", "baggage", "allowance_amount", "allowance_currency", "notes")
    }
    labels = {t.member.pk: t.label for t in state.travellers}
    context = {
        "case": case,
        "booking": booking,
        "segments": list(booking.segments.all()),
        "passengers": [
            (labels.get(p.member_id, "?"), p.special_services) for p in booking.passengers.all()
        ],
        "escorts": list(booking.escorts.all()),
        "state": state,
        "can_book": _may(request, case, services.BOOKING_PERMS),
        "editable": booking.status == BookingStatus.PENDING
        and case.status in services.BOOKING_STATUSES,
        "form": forms.get("form")
        or BookingForm(travellers=_travellers(state), chosen=chosen, initial=initial),
        "segment_form": forms.get("segment_form") or SegmentForm(),
        "escort_form": forms.get("escort_form") or EscortForm(),
    }
    return no_store(render(request, "movements/booking_detail.html", context, status=status))


@login_required
@require_http_methods(["GET", "POST"])
def booking_detail(request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID) -> HttpResponse:
    """The booking (GET) and its change (POST: reference, baggage, allowance, passengers)."""
    booking = selectors.booking_get(request.user, case_id, booking_id)
    if request.method == "GET":
        return _booking_page(request, booking)
    if not _may(request, booking.case, services.BOOKING_PERMS):
        raise PermissionDenied
    form = BookingForm(request.POST, travellers=_travellers(checklist(booking.case)))
    if form.is_valid():
        try:
            services.booking_update(
                actor=request.user,
                booking=booking,
                version=_version(request),
                passengers=form.passengers(),
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The booking is changed."))
            return redirect("movements:booking-detail", case_id=case_id, booking_id=booking.pk)
    return _booking_page(request, booking, status=400, form=form)


def _booking_part(
    request: HttpRequest,
    case_id: uuid.UUID,
    booking_id: uuid.UUID,
    *,
    form_class: type[SegmentForm] | type[EscortForm],
    form_name: str,
    save: Callable[[Booking, Any], Any],
    done: str,
) -> HttpResponse:
    """A form posted from the booking page (a flight, an escort): saved, or the page again with
    the form's errors."""
    booking = selectors.booking_get(request.user, case_id, booking_id)
    if not _may(request, booking.case, services.BOOKING_PERMS):
        raise PermissionDenied
    form = form_class(request.POST)
    if form.is_valid():
        try:
            save(booking, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect("movements:booking-detail", case_id=case_id, booking_id=booking.pk)
    return _booking_page(request, booking, status=400, **{form_name: form})


def _booking_part_remove(
    request: HttpRequest,
    case_id: uuid.UUID,
    booking_id: uuid.UUID,
    part: Any,
    remove: Any,
    done: str,
) -> HttpResponse:
    if not _may(request, part.booking.case, services.BOOKING_PERMS):
        raise PermissionDenied
    try:
        remove(part)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, done)
    return redirect("movements:booking-detail", case_id=case_id, booking_id=booking_id)


@login_required
@require_POST
def segment_create(request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID) -> HttpResponse:
    return _booking_part(
        request,
        case_id,
        booking_id,
        form_class=SegmentForm,
        form_name="segment_form",
        save=lambda booking, form: services.segment_add(
            actor=request.user, booking=booking, **form.values()
        ),
        done=_("The flight is added."),
    )


@login_required
@require_POST
def segment_delete(
    request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID, segment_id: uuid.UUID
) -> HttpResponse:
    segment = selectors.segment_get(request.user, case_id, booking_id, segment_id)
    return _booking_part_remove(
        request,
        case_id,
        booking_id,
        segment,
        lambda part: services.segment_remove(actor=request.user, segment=part),
        _("The flight is removed."),
    )


@login_required
@require_POST
def escort_create(request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID) -> HttpResponse:
    return _booking_part(
        request,
        case_id,
        booking_id,
        form_class=EscortForm,
        form_name="escort_form",
        save=lambda booking, form: services.escort_add(
            actor=request.user, booking=booking, **form.cleaned_data
        ),
        done=_("The escort is assigned."),
    )


@login_required
@require_POST
def escort_delete(
    request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID, escort_id: uuid.UUID
) -> HttpResponse:
    escort = selectors.escort_get(request.user, case_id, booking_id, escort_id)
    return _booking_part_remove(
        request,
        case_id,
        booking_id,
        escort,
        lambda part: services.escort_remove(actor=request.user, escort=part),
        _("The escort is removed."),
    )


@login_required
@require_POST
def booking_confirm(
    request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID
) -> HttpResponse:
    booking = selectors.booking_get(request.user, case_id, booking_id)
    if not _may(request, booking.case, services.BOOKING_PERMS):
        raise PermissionDenied
    try:
        services.booking_confirm(actor=request.user, booking=booking)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("movements:booking-detail", case_id=case_id, booking_id=booking_id)
    messages.success(request, _("The booking is confirmed."))
    return redirect("movements:case-travel", case_id=case_id)


@login_required
@require_POST
def booking_cancel(request: HttpRequest, case_id: uuid.UUID, booking_id: uuid.UUID) -> HttpResponse:
    booking = selectors.booking_get(request.user, case_id, booking_id)
    if not _may(request, booking.case, services.BOOKING_PERMS):
        raise PermissionDenied
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            services.booking_cancel(
                actor=request.user, booking=booking, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The booking is cancelled."))
            return redirect("movements:case-travel", case_id=case_id)
    return _refused_page(request, case_id, ValidationError(""), cancel_form=form)


# --- re-confirmation, reception, departure, no-show, arrival ------------------------------------


def _case_form_post(
    request: HttpRequest,
    case_id: uuid.UUID,
    *,
    form: Any,
    form_name: str,
    save: Callable[[Case, Any], Any],
    done: str,
) -> HttpResponse:
    """A form posted from the travel page: saved through its service, or the page again with
    the form's errors (nothing saved)."""
    case = case_get(request.user, case_id)
    if not _may(request, case, services.RECORD_PERMS):
        raise PermissionDenied
    if form.is_valid():
        try:
            save(case, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return _back(case)
    return _refused_page(request, case_id, ValidationError(""), **{form_name: form})


def _posted_travellers(request: HttpRequest, case_id: uuid.UUID) -> list[tuple[CaseMember, str]]:
    return _travellers(checklist(case_get(request.user, case_id)))


@login_required
@require_POST
def reconfirmation_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    form = ReconfirmationForm(request.POST, travellers=_posted_travellers(request, case_id))
    return _case_form_post(
        request,
        case_id,
        form=form,
        form_name="reconfirm_form",
        save=lambda case, form: services.reconfirmation_record(
            actor=request.user,
            member=form.chosen(),
            confirmed_on=form.cleaned_data["confirmed_on"],
            wishes_to_return=form.cleaned_data["wishes_to_return"],
            method=form.cleaned_data["method"],
            notes=form.cleaned_data["notes"],
        ),
        done=_("The re-confirmation is recorded."),
    )


@login_required
@require_POST
def reception_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    form = ReceptionForm(request.POST, travellers=_posted_travellers(request, case_id))
    return _case_form_post(
        request,
        case_id,
        form=form,
        form_name="reception_form",
        save=lambda case, form: services.reception_record(
            actor=request.user,
            case=case,
            members=form.chosen(),
            receiver_kind=form.cleaned_data["receiver_kind"],
            receiver_name=form.cleaned_data["receiver_name"],
            contact=form.cleaned_data["contact"],
            place=form.cleaned_data["place"],
        ),
        done=_("The reception arrangement is recorded."),
    )


@login_required
@require_POST
def departure_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_get(request.user, case_id)
    if not _may(request, case, services.BOOKING_PERMS):
        raise PermissionDenied
    try:
        services.departure_confirm(actor=request.user, case=case)
    except (TransitionBlocked, ValidationError) as exc:
        return _refused_page(request, case_id, exc)
    messages.success(request, _("The departure is confirmed."))
    return _back(case)


@login_required
@require_POST
def no_show_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_get(request.user, case_id)
    if not _may(request, case, services.BOOKING_PERMS):
        raise PermissionDenied
    form = NoShowForm(request.POST)
    if form.is_valid():
        try:
            services.no_show_record(
                actor=request.user, case=case, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        except TransitionBlocked as exc:
            return _refused_page(request, case_id, exc, noshow_form=form)
        else:
            messages.success(
                request, _("The no-show is recorded: the case is back in travel preparation.")
            )
            return _back(case)
    return _refused_page(request, case_id, ValidationError(""), noshow_form=form)


def _confirm_arrival(request: HttpRequest, case: Case, form: ArrivalForm) -> Exception | None:
    data = form.cleaned_data
    try:
        services.arrival_confirm(
            actor=request.user,
            case=case,
            arrived_on=data["arrived_on"],
            confirmed_by=data["confirmed_by"],
            reception_details=data["reception_details"],
        )
    except ValidationError as exc:
        add_service_errors(form, exc)
        return exc
    except TransitionBlocked as exc:
        return exc
    return None


@login_required
@require_POST
def arrival_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_get(request.user, case_id)
    if not _may(request, case, services.RECORD_PERMS):
        raise PermissionDenied
    form = ArrivalForm(request.POST)
    if form.is_valid():
        problem = _confirm_arrival(request, case, form)
        if problem is None:
            messages.success(request, _("The arrival is confirmed."))
            return _back(case)
        return _refused_page(request, case_id, problem, arrival_form=form)
    return _refused_page(request, case_id, ValidationError(""), arrival_form=form)


# --- hand-over ----------------------------------------------------------------------------------


def _screening_flags(case: Case) -> dict[Any, list[str]]:
    flags: dict[Any, list[str]] = {}
    for screening in Screening.objects.filter(member__case=case).defer("notes"):
        flags.setdefault(screening.member_id, list(screening.flags))
    return flags


@login_required
@require_http_methods(["GET", "POST"])
def handover_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = case_access(request.user, case_id)
    if not _may(request, case, services.HANDOVER_PERMS):
        raise PermissionDenied
    travellers = _travellers(checklist(case))
    form = HandoverForm(request.POST or None, travellers=travellers, flags=_screening_flags(case))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            handover = services.handover_send(
                actor=request.user,
                case=case,
                recipient_kind=data["recipient_kind"],
                recipient_office=data["recipient_office"],
                recipient_name=data["recipient_name"],
                purpose=data["purpose"],
                members=form.chosen(),
                shared_flags=form.shared_flags(),
                counselling_notes=data["counselling_notes"],
                needs=data["needs"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The hand-over package is sent."))
            return redirect("movements:handover-detail", handover_id=handover.pk)
    context = {"case": case, "form": form}
    status = 400 if form.is_bound else 200
    return no_store(render(request, "movements/handover_create.html", context, status=status))


@login_required
@require_GET
def handover_list(request: HttpRequest) -> HttpResponse:
    """Hand-overs received by the user's origin offices, and those sent by their host offices."""
    received = list(selectors.handovers_received(request.user)[:200])
    hosts = offices_with(request.user, Perm.CASE_VIEW)
    sent = list(
        selectors.handover_visible(request.user)
        .filter(case__office_id__in=hosts)
        .order_by("-created_at")[:200]
    )
    context = {"received": received, "sent": sent}
    return no_store(render(request, "movements/handover_list.html", context))


def _handover_audit(request: HttpRequest, handover: Handover, action: str) -> None:
    office_id = (
        handover.case.office_id
        if selectors.is_host(request.user, handover)
        else handover.recipient_office_id
    )
    audit_record(
        actor=request.user,
        action=action,
        obj=handover,
        office_id=office_id,
        details={"recipient_kind": handover.recipient_kind},
    )


def _case_rows(package: dict[str, Any]) -> list[tuple[str, str]]:
    """The package's case section with labels (only the keys it holds after redaction)."""
    labels = {
        "reference": _("Reference"),
        "programme": _("Programme"),
        "category": _("Migrant category"),
        "destination_country": _("Country of return"),
        "destination_region": _("Region"),
        "destination_place": _("Place"),
        "sent_by_office": _("Sent by"),
    }
    values = dict(package.get("case") or {})
    values["category"] = _label_of(MigrantCategory, values.get("category"))
    values["programme"] = _label_of(Programme, values.get("programme"))
    if values.get("destination_country"):
        values["destination_country"] = country_name(str(values["destination_country"]))
    if values.get("destination_region"):
        values["destination_region"] = subdivision_name(str(values["destination_region"]))
    return [
        (str(labels.get(key, key)), str(value or ""))
        for key, value in values.items()
        if key in (package.get("case") or {})
    ]


def _label_of(choices: Any, value: Any) -> str:
    """The label of a stored code, or the code itself when it is not (or no longer) a choice."""
    if value in choices.values:
        return str(choices(value).label)
    return "" if value is None else str(value)


def _wall_text(value: Any) -> str:
    """An ISO local time with its offset, as the pages show times: ``2027-03-28 07:00
    (UTC+02:00)``."""
    try:
        moment = datetime.datetime.fromisoformat(str(value))
    except ValueError:
        return str(value or "")
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})" if offset else str(value)


def _readable(package: dict[str, Any]) -> dict[str, Any]:
    """The package's codes as labels, for the page (the downloads keep the codes)."""
    travellers = []
    for row in package.get("travellers") or []:
        if not isinstance(row, dict):
            continue
        raw_document = row.get("document")
        document: dict[str, Any] | None = raw_document if isinstance(raw_document, dict) else None
        travellers.append(
            {
                **row,
                "sex": _label_of(Person.Sex, row.get("sex")),
                "nationality": country_name(str(row["nationality"]))
                if row.get("nationality")
                else "",
                "document": {**document, "kind": _label_of(DocumentKind, document.get("kind"))}
                if document
                else None,
                "needs_for_the_journey": [
                    _label_of(TravelCondition, code)
                    for code in row.get("needs_for_the_journey") or []
                ],
                "vulnerabilities": [
                    _label_of(Flag, code) for code in row.get("vulnerabilities") or []
                ],
            }
        )
    raw_journey = package.get("journey")
    journey: dict[str, Any] = raw_journey if isinstance(raw_journey, dict) else {}
    flights = [
        {
            **f,
            "departs_local": _wall_text(f.get("departs_local")),
            "arrives_local": _wall_text(f.get("arrives_local")),
        }
        for f in journey.get("flights") or []
        if isinstance(f, dict)
    ]
    receptions = [
        {**r, "receiver_kind": _label_of(ReceiverKind, r.get("receiver_kind"))}
        for r in journey.get("receptions") or []
        if isinstance(r, dict)
    ]
    return {
        **package,
        "travellers": travellers,
        "journey": {**journey, "flights": flights, "receptions": receptions},
    }


def _handover_page(
    request: HttpRequest, handover: Handover, *, form: ArrivalForm | None = None, status: int = 200
) -> HttpResponse:
    _handover_audit(request, handover, "movements.handover_view")
    package = package_of(handover)
    recipient = selectors.is_recipient(request.user, handover)
    case = handover.case
    context = {
        "handover": handover,
        "package": _readable(package),
        "case_rows": _case_rows(package),
        "case_status": case.status_label,
        "is_recipient": recipient,
        "is_host": selectors.is_host(request.user, handover),
        "can_take_over": recipient
        and services.may(request.user, handover.recipient_office_id, services.HANDOVER_PERMS),
        "arrival_open": case.status == S.DEPARTED,
        "arrival_form": form or ArrivalForm(initial={"confirmed_by": "origin_office"}),
    }
    return no_store(render(request, "movements/handover_detail.html", context, status=status))


@login_required
@require_GET
def handover_detail(request: HttpRequest, handover_id: uuid.UUID) -> HttpResponse:
    return _handover_page(request, selectors.handover_get(request.user, handover_id))


@login_required
@require_GET
def handover_download(request: HttpRequest, handover_id: uuid.UUID, fmt: str) -> HttpResponse:
    handover = selectors.handover_get(request.user, handover_id)
    package = package_of(handover)
    _handover_audit(request, handover, "movements.handover_export")
    name = f"handover-{handover.case.reference}"
    if fmt == "json":
        body = json.dumps(package, ensure_ascii=False, indent=2).encode("utf-8")
        response = HttpResponse(body, content_type="application/json; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{name}.json"'
    else:
        response = HttpResponse(package_pdf(package), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
    return no_store(response)


@login_required
@require_POST
def handover_acknowledge(request: HttpRequest, handover_id: uuid.UUID) -> HttpResponse:
    handover = selectors.handover_get(request.user, handover_id)
    services.handover_acknowledge(actor=request.user, handover=handover)
    messages.success(request, _("Your office has taken the case over."))
    return redirect("movements:handover-detail", handover_id=handover.pk)


@login_required
@require_POST
def handover_arrival(request: HttpRequest, handover_id: uuid.UUID) -> HttpResponse:
    """The origin office confirms the arrival of a case handed over to it."""
    handover = selectors.handover_get(request.user, handover_id)
    form = ArrivalForm(request.POST)
    if form.is_valid():
        problem = _confirm_arrival(request, handover.case, form)
        if problem is None:
            messages.success(request, _("The arrival is confirmed."))
            return redirect("movements:handover-detail", handover_id=handover.pk)
        if isinstance(problem, TransitionBlocked):
            for item in problem.unmet:
                form.add_error(None, str(item.message))
    handover.case.refresh_from_db()
    return _handover_page(request, handover, form=form, status=400)


# --- departures, manifest, work queue -----------------------------------------------------------


def _offices(request: HttpRequest, perm: Perm) -> list[Office]:
    return list(Office.objects.filter(pk__in=offices_with(request.user, perm)).order_by("name"))


def _month(value: str) -> datetime.date:
    today = timezone.localdate()
    try:
        year, month = (int(part) for part in value.split("-"))
        return datetime.date(year, month, 1)
    except (ValueError, TypeError):
        return today.replace(day=1)


@login_required
@require_GET
def departures(request: HttpRequest) -> HttpResponse:
    """The departures calendar: a month, by day, with filters by office and destination."""
    if not has_perm_anywhere(request.user, Perm.CASE_VIEW):
        raise PermissionDenied
    form = DeparturesForm(request.GET)
    form.is_valid()
    data = form.cleaned_data if hasattr(form, "cleaned_data") else {}
    first = _month(str(data.get("month") or ""))
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    destination = (data.get("destination") or "").strip().upper()[:2]
    bookings = selectors.departures(
        request.user, first, last, office_id=data.get("office"), destination=destination
    )
    by_day: dict[datetime.date, list[Booking]] = {}
    for booking in bookings:
        if booking.departure_date is not None:
            by_day.setdefault(booking.departure_date, []).append(booking)
    weeks = [
        [(day, len(by_day.get(day, []))) if day.month == first.month else (None, 0) for day in week]
        for week in calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    ]
    previous = (first - datetime.timedelta(days=1)).replace(day=1)
    following = last + datetime.timedelta(days=1)
    context = {
        "first": first,
        "weeks": weeks,
        "days": sorted(by_day.items()),
        "total": len(bookings),
        "travellers": sum(b.travellers for b in bookings),  # type: ignore[attr-defined]
        "previous": previous.strftime("%Y-%m"),
        "following": following.strftime("%Y-%m"),
        "offices": _offices(request, Perm.CASE_VIEW),
        "office": data.get("office"),
        "destination": destination,
        "destination_name": country_name(destination) if destination else "",
        "weekdays": [calendar.day_abbr[i] for i in range(7)],
        "can_manifest": has_perm_anywhere(request.user, Perm.MOVEMENT_MANAGE),
    }
    return render(request, "movements/departures.html", context)


def _manifest_bookings(request: HttpRequest, day: datetime.date, office: Any) -> list[Booking]:
    offices = offices_with(request.user, Perm.MOVEMENT_MANAGE) & offices_with(
        request.user, Perm.CASE_VIEW
    )
    if office is not None:
        offices &= {office}
    return list(
        Booking.objects.filter(
            case__office_id__in=offices,
            departure_date=day,
            status__in=[BookingStatus.CONFIRMED, BookingStatus.FLOWN],
        )
        .select_related("case__office")
        .prefetch_related("segments", "passengers")
        .order_by("departs_at", "id")
    )


@login_required
@require_GET
def manifest(request: HttpRequest, fmt: str = "html") -> HttpResponse:
    """A departure day's manifest: a preview, and the CSV and PDF files (only the minimum
    fields; every download audited)."""
    if not has_perm_anywhere(request.user, Perm.MOVEMENT_MANAGE):
        raise PermissionDenied
    form = ManifestForm(request.GET or {"date": timezone.localdate().isoformat()})
    if not form.is_valid():
        if fmt != "html":
            raise Http404
        context = {"form": form, "offices": _offices(request, Perm.MOVEMENT_MANAGE)}
        return render(request, "movements/manifest.html", context, status=400)
    day, office = form.cleaned_data["date"], form.cleaned_data.get("office")
    bookings = _manifest_bookings(request, day, office)
    rows = manifest_rows(bookings)
    with transaction.atomic():
        audit_record(
            actor=request.user,
            action="movements.manifest_export" if fmt != "html" else "case.view",
            office_id=office,
            object_type="manifest",
            object_id=day.isoformat(),
            details={"rows": len(rows), "format": fmt},
        )
        if fmt != "html":  # a file for the airline: in the transfer register
            manifest_transfers(request.user, bookings)
    if fmt == "csv":
        response = HttpResponse(manifest_csv(rows), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="manifest-{day}.csv"'
        return no_store(response)
    if fmt == "pdf":
        label = ""
        if office is not None:
            label = Office.objects.filter(pk=office).values_list("name", flat=True).first() or ""
        response = HttpResponse(
            manifest_pdf(rows, day=day, office=label), content_type="application/pdf"
        )
        response["Content-Disposition"] = f'attachment; filename="manifest-{day}.pdf"'
        return no_store(response)
    context = {
        "form": form,
        "rows": rows,
        "fields": MANIFEST_FIELDS,
        "day": day,
        "office": office,
        "offices": _offices(request, Perm.MOVEMENT_MANAGE),
    }
    return no_store(render(request, "movements/manifest.html", context))


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """The operations officer's work queue, in the offices where they manage movements."""
    offices = selectors.operations_offices(request.user)
    if not offices:
        raise PermissionDenied
    context = {"queue": selectors.operations_queue(offices)}
    return render(request, "movements/queue.html", context)
