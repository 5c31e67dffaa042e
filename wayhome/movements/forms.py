"""Forms of the travel pages. They bind input only; the services validate and save."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.assessments.models import Flag
from wayhome.cases.models import CaseMember
from wayhome.consent.models import DataSharingConsent
from wayhome.core.forms import ScopedIdForm
from wayhome.core.text import validate_multiline, validate_single_line
from wayhome.movements import airports
from wayhome.movements.models import (
    ConfirmedBy,
    DocumentKind,
    DocumentStatus,
    EscortKind,
    ReceiverKind,
    ReconfirmMethod,
    SpecialService,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LOCAL_TIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def _line(label: Any, max_length: int, *, required: bool = False, **kwargs: Any) -> Any:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_single_line],
        **kwargs,
    )


def _area(label: Any, max_length: int, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class DocumentForm(ScopedIdForm):
    id_scope = "document"

    kind = forms.ChoiceField(label=_("Type"), choices=DocumentKind.choices)
    status = forms.ChoiceField(label=_("Status"), choices=DocumentStatus.choices)
    consulate = _line(_("Consulate or issuing authority"), 200)
    requested_on = forms.DateField(label=_("Requested on"), widget=DATE, required=False)
    number = _line(_("Document number"), 60, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    issuing_country = forms.CharField(
        label=_("Issuing country (ISO code)"), max_length=2, required=False
    )
    issued_on = forms.DateField(label=_("Issued on"), widget=DATE, required=False)
    expires_on = forms.DateField(label=_("Expires on"), widget=DATE, required=False)
    refusal_reason = _area(_("Reason for the refusal"), 2000)

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data["issuing_country"] = (data.get("issuing_country") or "").strip().upper()
        return data


class PassengersMixin(forms.Form):
    """One "travels on this booking" box and the special services for each traveller."""

    def add_passenger_fields(
        self, travellers: list[tuple[CaseMember, str]], chosen: dict[Any, list[str]]
    ) -> None:
        self.travellers = travellers
        for member, label in travellers:
            self.fields[f"on_{member.pk}"] = forms.BooleanField(
                label=label, required=False, initial=member.pk in chosen or not chosen
            )
            self.fields[f"ssr_{member.pk}"] = forms.MultipleChoiceField(
                label=_("Special services for %(label)s") % {"label": label},
                choices=SpecialService.choices,
                required=False,
                initial=chosen.get(member.pk, []),
                widget=forms.CheckboxSelectMultiple,
            )

    def passenger_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"on_{m.pk}"], self[f"ssr_{m.pk}"]) for m, _label in self.travellers]

    def passengers(self) -> list[tuple[CaseMember, list[str]]]:
        return [
            (member, list(self.cleaned_data.get(f"ssr_{member.pk}") or []))
            for member, _label in self.travellers
            if self.cleaned_data.get(f"on_{member.pk}")
        ]


class BookingForm(PassengersMixin, ScopedIdForm):
    id_scope = "booking"

    reference = _line(
        _("Booking reference"), 20, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    baggage = _line(_("Baggage allowance"), 200)
    allowance_amount = forms.DecimalField(
        label=_("Travel allowance"), max_digits=10, decimal_places=2, min_value=0, required=False
    )
    allowance_currency = forms.CharField(
        label=_("Currency (ISO 4217)"), max_length=3, required=False
    )
    notes = _area(_("Operational notes"), 2000)

    def __init__(
        self,
        *args: Any,
        travellers: list[tuple[CaseMember, str]],
        chosen: dict[Any, list[str]] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.add_passenger_fields(travellers, chosen or {})

    def values(self) -> dict[str, Any]:
        data = {name: self.cleaned_data[name] for name in ("reference", "baggage", "notes")}
        data["allowance_amount"] = self.cleaned_data.get("allowance_amount")
        data["allowance_currency"] = (self.cleaned_data.get("allowance_currency") or "").upper()
        return data


class SegmentForm(ScopedIdForm):
    id_scope = "segment"

    carrier = forms.CharField(label=_("Airline (IATA code)"), max_length=2)
    flight_number = forms.CharField(label=_("Flight number"), max_length=5)
    origin = forms.CharField(label=_("From (airport IATA code)"), max_length=3)
    departs_local = forms.DateTimeField(
        label=_("Departs (local time at that airport)"),
        widget=LOCAL_TIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    departs_offset = forms.CharField(
        label=_("UTC offset of the departure, if the time happens twice"),
        max_length=6,
        required=False,
    )
    destination = forms.CharField(label=_("To (airport IATA code)"), max_length=3)
    arrives_local = forms.DateTimeField(
        label=_("Arrives (local time at that airport)"),
        widget=LOCAL_TIME,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    arrives_offset = forms.CharField(
        label=_("UTC offset of the arrival, if the time happens twice"),
        max_length=6,
        required=False,
    )
    transit_assistance = forms.BooleanField(
        label=_("Assistance arranged at this transit airport"), required=False
    )

    def clean_departs_offset(self) -> datetime.timedelta | None:
        return airports.parse_offset(self.cleaned_data.get("departs_offset", ""))

    def clean_arrives_offset(self) -> datetime.timedelta | None:
        return airports.parse_offset(self.cleaned_data.get("arrives_offset", ""))

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        for name in ("departs_local", "arrives_local"):
            value = data[name]
            if timezone.is_aware(value):  # the form field makes it aware: keep the wall time
                value = timezone.make_naive(value)
            data[name] = value.replace(second=0, microsecond=0)
        return data


class EscortForm(ScopedIdForm):
    id_scope = "escort"

    kind = forms.ChoiceField(label=_("Kind"), choices=EscortKind.choices)
    name = _line(_("Name"), 200, required=True)
    organisation = _line(_("Organisation"), 200)
    phone = _line(_("Phone during the journey"), 40)


class CancelForm(ScopedIdForm):
    id_scope = "cancel"

    reason = _area(_("Reason"), 2000, required=True)


class ReconfirmationForm(ScopedIdForm):
    id_scope = "reconfirm"

    member = forms.TypedChoiceField(label=_("Traveller"), choices=())
    wishes_to_return = forms.TypedChoiceField(
        label=_("Answer"),
        choices=[
            ("yes", _("Still wishes to return")),
            ("no", _("No longer wishes to return")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    method = forms.ChoiceField(label=_("How"), choices=ReconfirmMethod.choices)
    confirmed_on = forms.DateField(label=_("Confirmed on"), widget=DATE, initial=timezone.localdate)
    notes = _area(_("Notes"), 2000)

    def __init__(self, *args: Any, travellers: list[tuple[CaseMember, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.by_id = {str(m.pk): m for m, _label in travellers}
        field = cast(forms.TypedChoiceField, self.fields["member"])
        field.choices = [(str(m.pk), label) for m, label in travellers]

    def chosen(self) -> CaseMember:
        return self.by_id[self.cleaned_data["member"]]


class ReceptionForm(ScopedIdForm):
    id_scope = "reception"

    members = forms.MultipleChoiceField(
        label=_("Travellers received"), choices=(), widget=forms.CheckboxSelectMultiple
    )
    receiver_kind = forms.ChoiceField(label=_("Received by"), choices=ReceiverKind.choices)
    receiver_name = _line(_("Name of the receiver"), 200, required=True)
    contact = _line(_("Contact"), 200)
    place = _line(_("Meeting place"), 300)

    def __init__(self, *args: Any, travellers: list[tuple[CaseMember, str]], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.by_id = {str(m.pk): m for m, _label in travellers}
        field = cast(forms.MultipleChoiceField, self.fields["members"])
        field.choices = [(str(m.pk), label) for m, label in travellers]

    def chosen(self) -> list[CaseMember]:
        return [self.by_id[pk] for pk in self.cleaned_data["members"]]


class NoShowForm(ScopedIdForm):
    id_scope = "noshow"

    reason = _area(_("What happened"), 2000, required=True)


class ArrivalForm(ScopedIdForm):
    id_scope = "arrival"

    arrived_on = forms.DateField(label=_("Arrived on"), widget=DATE, initial=timezone.localdate)
    confirmed_by = forms.ChoiceField(label=_("Confirmed by"), choices=ConfirmedBy.choices)
    reception_details = _area(_("Reception details"), 2000, required=True)


class HandoverForm(ScopedIdForm):
    id_scope = "handover"

    recipient_kind = forms.ChoiceField(
        label=_("Recipient"),
        choices=DataSharingConsent.RecipientKind.choices,
        widget=forms.RadioSelect,
    )
    recipient_office = forms.ModelChoiceField(
        label=_("Receiving office"),
        queryset=Office.objects.filter(kind=Office.Kind.ORIGIN, is_active=True),
        required=False,
    )
    recipient_name = _line(_("Name of the partner or authority"), 200)
    purpose = forms.ChoiceField(
        label=_("Purpose"),
        choices=DataSharingConsent.Purpose.choices,
        initial=DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE,
    )
    members = forms.MultipleChoiceField(
        label=_("Whose data is handed over"), choices=(), widget=forms.CheckboxSelectMultiple
    )
    needs = _area(_("Needs on arrival"), 2000)
    counselling_notes = _area(_("Reintegration counselling notes"), 5000)

    def __init__(
        self,
        *args: Any,
        travellers: list[tuple[CaseMember, str]],
        flags: dict[Any, list[str]],
        **kwargs: Any,
    ):
        super().__init__(*args, **kwargs)
        self.by_id = {str(m.pk): m for m, _label in travellers}
        field = cast(forms.MultipleChoiceField, self.fields["members"])
        field.choices = [(str(m.pk), label) for m, label in travellers]
        labels = dict(Flag.choices)
        self.flag_names: list[str] = []
        for member, label in travellers:
            own = flags.get(member.pk, [])
            if not own:
                continue
            name = f"flags_{member.pk}"
            self.fields[name] = forms.MultipleChoiceField(
                label=_("Vulnerabilities %(label)s agreed to share") % {"label": label},
                choices=[(flag, labels.get(flag, flag)) for flag in own],
                required=False,
                widget=forms.CheckboxSelectMultiple,
            )
            self.flag_names.append(name)
        self.fields["needs"].help_text = _(
            "Never shared with a government authority, nor are the counselling notes."
        )

    def chosen(self) -> list[CaseMember]:
        return [self.by_id[pk] for pk in self.cleaned_data["members"]]

    def shared_flags(self) -> dict[str, list[str]]:
        return {
            name.removeprefix("flags_"): list(self.cleaned_data.get(name) or [])
            for name in self.flag_names
        }


class DeparturesForm(forms.Form):
    """The calendar's filters (GET)."""

    month = forms.CharField(required=False, max_length=7)
    office = forms.UUIDField(label=_("Office"), required=False)
    destination = forms.CharField(label=_("Country of return"), required=False, max_length=2)


class ManifestForm(forms.Form):
    date = forms.DateField(label=_("Departure date"), widget=DATE)
    office = forms.UUIDField(label=_("Office"), required=False)
