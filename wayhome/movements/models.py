"""The movement of a case: travel documents, bookings (itinerary, travellers, escorts),
re-confirmation of voluntariness shortly before departure, reception at arrival, the arrival
itself, and the hand-over of a minimum package to the country of origin.

Every free-text value that could name or describe someone is encrypted; ``str()`` never names
anyone. Times of flights are stored in UTC with the airport's time zone (``airports.py``).
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import Case, CaseMember
from wayhome.consent.models import DataSharingConsent, validate_not_future
from wayhome.core.choices import check_code_list
from wayhome.core.countries import validate_country
from wayhome.core.fields import EncryptedJSONField, EncryptedTextField
from wayhome.core.models import BaseModel
from wayhome.core.money import CURRENCY_CODES, validate_currency  # noqa: F401  (migrations)
from wayhome.core.text import validate_multiline, validate_single_line
from wayhome.movements.airports import (
    to_local,
    validate_airport,
    validate_carrier,
    validate_flight_number,
)


class DocumentKind(models.TextChoices):
    PASSPORT = "passport", _("Passport")
    LAISSEZ_PASSER = "laissez_passer", _("Laissez-passer")
    EMERGENCY = "emergency_travel_document", _("Emergency travel document")


class DocumentStatus(models.TextChoices):
    NEEDED = "needed", _("Needed")
    REQUESTED = "requested", _("Requested from the consulate")
    ISSUED = "issued", _("Issued")
    REFUSED = "refused", _("Refused")
    EXPIRED = "expired", _("Expired")


class TravelDocument(BaseModel):
    """A traveller's document for this journey, from "needed" to "issued" (or refused)."""

    member = models.ForeignKey(
        CaseMember, on_delete=models.CASCADE, related_name="travel_documents"
    )
    kind = models.CharField(_("type"), max_length=32, choices=DocumentKind.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=DocumentStatus.choices, default=DocumentStatus.NEEDED
    )
    number = EncryptedTextField(
        _("document number"), max_length=60, blank=True, validators=[validate_single_line]
    )
    issuing_country = models.CharField(
        _("issuing country"), max_length=2, blank=True, validators=[validate_country]
    )
    consulate = models.CharField(
        _("consulate or issuing authority"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
    )
    requested_on = models.DateField(
        _("requested on"), null=True, blank=True, validators=[validate_not_future]
    )
    issued_on = models.DateField(
        _("issued on"), null=True, blank=True, validators=[validate_not_future]
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    refusal_reason = EncryptedTextField(
        _("reason for the refusal"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("travel document")
        verbose_name_plural = _("travel documents")
        ordering: ClassVar = ["created_at", "id"]
        indexes: ClassVar = [models.Index(fields=["status", "requested_on"])]

    def __str__(self) -> str:
        return f"Travel document {self.pk}"

    @property
    def current_status(self) -> str:
        """The status, with an issued document past its expiry date shown as expired."""
        if (
            self.status == DocumentStatus.ISSUED
            and self.expires_on is not None
            and self.expires_on < timezone.localdate()
        ):
            return DocumentStatus.EXPIRED
        return self.status

    @property
    def current_status_label(self) -> str:
        return str(DocumentStatus(self.current_status).label)

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        required = _("Required for a document in this status.")
        if self.status == DocumentStatus.REQUESTED and self.requested_on is None:
            errors["requested_on"] = ValidationError(required, code="required")
        if self.status in (DocumentStatus.ISSUED, DocumentStatus.EXPIRED):
            for name in ("number", "issued_on", "expires_on"):
                if getattr(self, name) in ("", None):
                    errors[name] = ValidationError(required, code="required")
        if self.status == DocumentStatus.REFUSED and not self.refusal_reason.strip():
            errors["refusal_reason"] = ValidationError(required, code="required")
        if (
            isinstance(self.issued_on, datetime.date)
            and isinstance(self.expires_on, datetime.date)
            and self.expires_on <= self.issued_on
        ):
            errors["expires_on"] = ValidationError(
                _("A document expires after it is issued."), code="invalid"
            )
        if (
            isinstance(self.requested_on, datetime.date)
            and isinstance(self.issued_on, datetime.date)
            and self.issued_on < self.requested_on
        ):
            errors["issued_on"] = ValidationError(
                _("A document is issued after it is requested."), code="invalid"
            )
        if errors:
            raise ValidationError(errors)


class BookingStatus(models.TextChoices):
    PENDING = "pending", _("To confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    CANCELLED = "cancelled", _("Cancelled")
    NO_SHOW = "no_show", _("No-show")
    FLOWN = "flown", _("Flown")


#: Bookings that still stand (at most one per case).
OPEN_BOOKING = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class SpecialService(models.TextChoices):
    """IATA special-service request codes an airline acts on."""

    WCHR = "WCHR", _("Wheelchair to the aircraft door (can climb steps)")
    WCHS = "WCHS", _("Wheelchair to the seat (cannot climb steps)")
    WCHC = "WCHC", _("Wheelchair, completely immobile")
    MEDA = "MEDA", _("Medical case (airline clearance)")
    OXYG = "OXYG", _("Oxygen on board")
    STCR = "STCR", _("Stretcher")
    UMNR = "UMNR", _("Unaccompanied minor")
    MAAS = "MAAS", _("Meet and assist")
    BLND = "BLND", _("Blind or visually impaired")
    DEAF = "DEAF", _("Deaf or hard of hearing")


def validate_services(value: object) -> None:
    check_code_list(
        value,
        SpecialService.values,
        invalid=_("Choose the special services."),
        unknown=_("Choose special services from the list."),
        duplicate=_("A special service is listed twice."),
    )


class Booking(BaseModel):
    """A journey booked for some or all of a case's travellers."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="bookings")
    status = models.CharField(
        _("status"), max_length=16, choices=BookingStatus.choices, default=BookingStatus.PENDING
    )
    reference = EncryptedTextField(
        _("booking reference"), max_length=20, blank=True, validators=[validate_single_line]
    )
    baggage = models.CharField(
        _("baggage allowance"), max_length=200, blank=True, validators=[validate_single_line]
    )
    allowance_amount = models.DecimalField(
        _("travel allowance"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
    )
    allowance_currency = models.CharField(
        _("currency"), max_length=3, blank=True, validators=[validate_currency]
    )
    notes = EncryptedTextField(
        _("operational notes"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    # Denormalised from the segments, for the departures calendar and the manifest.
    departs_at = models.DateTimeField(null=True, blank=True, editable=False)
    departure_date = models.DateField(null=True, blank=True, editable=False)  # local, at origin
    arrival_date = models.DateField(null=True, blank=True, editable=False)  # local, at destination
    confirmed_at = models.DateTimeField(null=True, blank=True, editable=False)
    status_reason = EncryptedTextField(_("reason"), max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["departure_date", "status"])]

    def __str__(self) -> str:
        return f"Booking {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_BOOKING

    def clean(self) -> None:
        if self.allowance_amount is not None and not self.allowance_currency:
            raise ValidationError({"allowance_currency": _("Give the currency of the allowance.")})
        if self.allowance_currency and self.allowance_amount is None:
            raise ValidationError({"allowance_amount": _("Give the amount of the allowance.")})


class Passenger(models.Model):
    """A traveller on a booking, with the special services the airline is asked for."""

    id = models.BigAutoField(primary_key=True)
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="passengers")
    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="passengers")
    special_services = models.JSONField(
        _("special services"), default=list, blank=True, validators=[validate_services]
    )

    class Meta:
        ordering: ClassVar = ["id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["booking", "member"], name="passenger_once")
        ]

    def __str__(self) -> str:
        return f"Passenger {self.pk}"


class Segment(BaseModel):
    """One flight of an itinerary. Times in UTC, each with its airport's time zone."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="segments")
    carrier = models.CharField(_("airline (IATA)"), max_length=2, validators=[validate_carrier])
    flight_number = models.CharField(
        _("flight number"), max_length=5, validators=[validate_flight_number]
    )
    origin = models.CharField(_("from (IATA)"), max_length=3, validators=[validate_airport])
    destination = models.CharField(_("to (IATA)"), max_length=3, validators=[validate_airport])
    departs_at = models.DateTimeField(_("departs (UTC)"))
    arrives_at = models.DateTimeField(_("arrives (UTC)"))
    origin_tz = models.CharField(max_length=64, editable=False)
    destination_tz = models.CharField(max_length=64, editable=False)
    transit_assistance = models.BooleanField(
        _("assistance arranged at this transit airport"), default=False
    )

    class Meta:
        verbose_name = _("flight segment")
        verbose_name_plural = _("flight segments")
        ordering: ClassVar = ["departs_at", "id"]

    def __str__(self) -> str:
        return f"{self.carrier}{self.flight_number} {self.origin}-{self.destination}"

    @property
    def flight(self) -> str:
        return f"{self.carrier}{self.flight_number}"

    @property
    def departs_local(self) -> datetime.datetime:
        return to_local(self.departs_at, self.origin_tz)

    @property
    def arrives_local(self) -> datetime.datetime:
        return to_local(self.arrives_at, self.destination_tz)

    @property
    def duration(self) -> datetime.timedelta:
        return self.arrives_at - self.departs_at

    # Pages show wall times as strings: a datetime in a template is converted to the site's
    # time zone, which would show a Lagos arrival in Berlin time.
    @property
    def departs_text(self) -> str:
        return _wall(self.departs_local)

    @property
    def arrives_text(self) -> str:
        return _wall(self.arrives_local)


def _wall(value: datetime.datetime) -> str:
    """``2027-03-28 07:00 (UTC+02:00)``."""
    offset = value.strftime("%z")
    return f"{value:%Y-%m-%d %H:%M} (UTC{offset[:3]}:{offset[3:]})"


class EscortKind(models.TextChoices):
    OPERATIONAL = "operational", _("Operational escort")
    MEDICAL = "medical", _("Medical escort")


class Escort(BaseModel):
    """Someone travelling with the case's travellers on a booking."""

    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="escorts")
    kind = models.CharField(_("kind"), max_length=16, choices=EscortKind.choices)
    name = EncryptedTextField(_("name"), max_length=200, validators=[validate_single_line])
    organisation = models.CharField(
        _("organisation"), max_length=200, blank=True, validators=[validate_single_line]
    )
    phone = EncryptedTextField(
        _("phone during the journey"), max_length=40, blank=True, validators=[validate_single_line]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("escort")
        verbose_name_plural = _("escorts")
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Escort {self.pk}"


class ReconfirmMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    VIDEO = "video", _("By video call")


class Reconfirmation(BaseModel):
    """A traveller (or, for a child or a person lacking capacity, their representative) said
    again, shortly before departure, that they wish to return."""

    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="reconfirmations")
    confirmed_on = models.DateField(_("confirmed on"), validators=[validate_not_future])
    wishes_to_return = models.BooleanField(_("still wishes to return"))
    method = models.CharField(_("how"), max_length=16, choices=ReconfirmMethod.choices)
    notes = EncryptedTextField(
        _("notes"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("re-confirmation of voluntariness")
        verbose_name_plural = _("re-confirmations of voluntariness")
        ordering: ClassVar = ["-confirmed_on", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"Reconfirmation {self.pk}"


class ReceiverKind(models.TextChoices):
    FAMILY = "family", _("Family member")
    ORIGIN_OFFICE = "origin_office", _("Office in the country of origin")
    PARTNER = "partner", _("Partner organisation")
    AUTHORITY = "authority", _("Child protection or other authority")
    OTHER = "other", _("Other")


class Reception(BaseModel):
    """Who receives which travellers at arrival, and where."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="receptions")
    members = models.ManyToManyField(
        CaseMember, related_name="receptions", verbose_name=_("travellers received")
    )
    receiver_kind = models.CharField(_("received by"), max_length=16, choices=ReceiverKind.choices)
    receiver_name = EncryptedTextField(
        _("name of the receiver"), max_length=200, validators=[validate_single_line]
    )
    contact = EncryptedTextField(
        _("contact"), max_length=200, blank=True, validators=[validate_single_line]
    )
    place = EncryptedTextField(
        _("meeting place"), max_length=300, blank=True, validators=[validate_single_line]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("reception arrangement")
        verbose_name_plural = _("reception arrangements")
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Reception {self.pk}"


class ConfirmedBy(models.TextChoices):
    ORIGIN_OFFICE = "origin_office", _("The office in the country of origin")
    PARTNER = "partner", _("A partner organisation")
    ESCORT = "escort", _("The escort")
    HOST_OFFICE = "host_office", _("The host office (by phone or message)")


class Arrival(BaseModel):
    """The travellers arrived: confirmed by the origin office or a partner, with how they were
    received."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="arrival")
    arrived_on = models.DateField(_("arrived on"), validators=[validate_not_future])
    confirmed_by = models.CharField(_("confirmed by"), max_length=16, choices=ConfirmedBy.choices)
    reception_details = EncryptedTextField(
        _("reception details"), max_length=2000, validators=[validate_multiline]
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("arrival")
        verbose_name_plural = _("arrivals")

    def __str__(self) -> str:
        return f"Arrival {self.pk}"


RecipientKind = DataSharingConsent.RecipientKind


class Handover(BaseModel):
    """The minimum package sent to the country of origin, frozen when sent (``package``,
    encrypted), after the redaction rules of ``handover.py`` for its kind of recipient."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="handovers")
    recipient_kind = models.CharField(_("recipient"), max_length=32, choices=RecipientKind.choices)
    recipient_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handovers_received",
        verbose_name=_("receiving office"),
    )
    recipient_name = models.CharField(
        _("name of the partner or authority"),
        max_length=200,
        blank=True,
        validators=[validate_single_line],
    )
    purpose = models.CharField(
        _("purpose"), max_length=32, choices=DataSharingConsent.Purpose.choices
    )
    members = models.ManyToManyField(CaseMember, related_name="handovers")
    package = EncryptedJSONField(default=dict)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("hand-over")
        verbose_name_plural = _("hand-overs")
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Hand-over {self.pk}"

    @property
    def recipient_label(self) -> str:
        if self.recipient_office_id is not None and self.recipient_office is not None:
            return self.recipient_office.name
        return self.recipient_name
