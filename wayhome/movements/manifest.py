"""The manifest of a departure day: one row per passenger, with only what an airline (advance
passenger information) or an escort needs, and nothing else (``MANIFEST_FIELDS``).

Names are written as on the travel document's machine-readable zone: Latin capitals
(``anyascii``), which is what airlines' systems take.
"""

from __future__ import annotations

import csv
import datetime
import io
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from anyascii import anyascii
from fpdf import FPDF

from wayhome.core.exports import safe_cell
from wayhome.movements.models import (
    Booking,
    BookingStatus,
    Escort,
    Passenger,
    Segment,
    TravelDocument,
)
from wayhome.movements.rules import document_in_force

#: Every column of the manifest, in order. Nothing else about a person is ever written.
MANIFEST_FIELDS: tuple[str, ...] = (
    "booking_reference",
    "flights",
    "departs_local",
    "family_name",
    "given_names",
    "sex",
    "date_of_birth",
    "nationality",
    "document_type",
    "document_number",
    "document_expiry",
    "special_services",
    "escorts",
)

SEX_CODES = {"female": "F", "male": "M", "other": "X"}


def latin(value: str) -> str:
    return " ".join(anyascii(value or "").upper().split())


def manifest_rows(bookings: Iterable[Booking]) -> list[dict[str, str]]:
    """The rows of the manifest for ``bookings`` (confirmed or flown ones only), in a fixed
    number of queries whatever the number of bookings."""
    chosen = [b for b in bookings if b.status in (BookingStatus.CONFIRMED, BookingStatus.FLOWN)]
    if not chosen:
        return []
    segments: dict[Any, list[Segment]] = defaultdict(list)
    for segment in Segment.objects.filter(booking__in=chosen).order_by("departs_at", "id"):
        segments[segment.booking_id].append(segment)
    escorts: dict[Any, list[Escort]] = defaultdict(list)
    for escort in Escort.objects.filter(booking__in=chosen).order_by("created_at", "id"):
        escorts[escort.booking_id].append(escort)
    passengers = list(
        Passenger.objects.filter(booking__in=chosen, member__travelling=True)
        .select_related("member__person")
        .defer("member__person__photo")
        .order_by("booking_id", "id")
    )
    documents: dict[Any, list[TravelDocument]] = defaultdict(list)
    for held in TravelDocument.objects.filter(
        member_id__in=[p.member_id for p in passengers]
    ).order_by("created_at", "id"):
        documents[held.member_id].append(held)
    by_booking: dict[Any, list[Passenger]] = defaultdict(list)
    for passenger in passengers:
        by_booking[passenger.booking_id].append(passenger)
    rows: list[dict[str, str]] = []
    for booking in chosen:
        flights = segments.get(booking.pk, [])
        if not flights:
            continue
        escort_text = "; ".join(
            f"{latin(e.name)} ({'MED' if e.kind == 'medical' else 'ESC'})"
            for e in escorts.get(booking.pk, [])
        )
        route = " ".join(f"{s.flight} {s.origin}-{s.destination}" for s in flights)
        departs = flights[0].departs_local.strftime("%Y-%m-%d %H:%M")
        for passenger in by_booking.get(booking.pk, []):
            person = passenger.member.person
            document = document_in_force(documents.get(passenger.member_id, []))
            born = person.date_of_birth
            rows.append(
                {
                    "booking_reference": booking.reference.upper(),
                    "flights": route,
                    "departs_local": departs,
                    "family_name": latin(person.family_name),
                    "given_names": latin(person.given_name),
                    "sex": SEX_CODES.get(person.sex, ""),
                    "date_of_birth": born.isoformat() if isinstance(born, datetime.date) else "",
                    "nationality": person.nationality or "",
                    "document_type": document.kind if document else "",
                    "document_number": document.number if document else "",
                    "document_expiry": document.expires_on.isoformat()
                    if document and document.expires_on
                    else "",
                    "special_services": " ".join(passenger.special_services),
                    "escorts": escort_text,
                }
            )
    return rows


def manifest_csv(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=MANIFEST_FIELDS, extrasaction="raise")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: safe_cell(v) for k, v in row.items()})
    return buffer.getvalue().encode("utf-8")


PDF_COLUMNS: tuple[tuple[str, str, float], ...] = (
    ("booking_reference", "PNR", 16),
    ("flights", "Flights", 44),
    ("departs_local", "Departs (local)", 27),
    ("family_name", "Family name", 30),
    ("given_names", "Given names", 30),
    ("sex", "Sex", 8),
    ("date_of_birth", "Born", 19),
    ("nationality", "Nat.", 9),
    ("document_type", "Document", 24),
    ("document_number", "Number", 22),
    ("document_expiry", "Expires", 19),
    ("special_services", "SSR", 14),
    ("escorts", "Escorts", 15),
)


def _pdf_text(value: str) -> str:
    return latin(value) if any(ord(c) > 255 for c in value) else value


def manifest_pdf(rows: list[dict[str, str]], *, day: datetime.date, office: str) -> bytes:
    if [c[0] for c in PDF_COLUMNS] != list(MANIFEST_FIELDS):
        raise RuntimeError("the PDF's columns must be the manifest's fields")
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(f"Manifest {day.isoformat()}")
    pdf.set_creator("Wayhome")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 13)
    pdf.cell(
        0, 8, _pdf_text(f"Manifest {day.isoformat()} - {office}"), new_x="LMARGIN", new_y="NEXT"
    )
    pdf.set_font("Helvetica", "", 7)
    pdf.cell(0, 5, f"{len(rows)} passenger(s)", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(
        col_widths=[c[2] for c in PDF_COLUMNS],
        text_align="LEFT",
        line_height=4,
        first_row_as_headings=True,
    ) as table:
        header = table.row()
        for _name, title, _width in PDF_COLUMNS:
            header.cell(title)
        for row in rows:
            line = table.row()
            for name, _title, _width in PDF_COLUMNS:
                line.cell(_pdf_text(row[name]))
    return bytes(pdf.output())


def manifest_transfers(actor: Any, bookings: Iterable[Booking]) -> int:
    """Writes the transfer register for a manifest handed to airlines: one row per passenger
    of each booking listed, the airline of its first flight as the recipient. Returns the rows
    written. Call it in the transaction that audits the download."""
    from wayhome.protection.models import Transfer
    from wayhome.protection.transfers import transfer_rows

    chosen = [b for b in bookings if b.status in (BookingStatus.CONFIRMED, BookingStatus.FLOWN)]
    carriers: dict[Any, str] = {}
    for segment in Segment.objects.filter(booking__in=chosen).order_by("departs_at", "id"):
        carriers.setdefault(segment.booking_id, segment.carrier)
    people: dict[Any, list[Any]] = defaultdict(list)
    for passenger in (
        Passenger.objects.filter(booking__in=chosen, member__travelling=True)
        .select_related("member__person")
        .defer("member__person__photo")
        .order_by("booking_id", "id")
    ):
        people[passenger.booking_id].append(passenger.member.person)
    register: list[Transfer] = []
    for booking in chosen:
        if booking.pk not in carriers or not people[booking.pk]:
            continue
        register.extend(
            transfer_rows(
                actor=actor,
                kind=Transfer.Kind.MANIFEST,
                office_id=booking.case.office_id,
                obj=booking,
                case=booking.case,
                people=people[booking.pk],
                recipient_kind=Transfer.RecipientKind.CARRIER,
                recipient_name=carriers[booking.pk],
                purpose="travel",
                fields=MANIFEST_FIELDS,
            )
        )
    return len(Transfer.objects.bulk_create(register))
