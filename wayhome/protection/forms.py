from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.protection.models import AccessAlert, Transfer
from wayhome.protection.selectors import TransferFilters


class AlertCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"), choices=AccessAlert.Outcome.choices)
    note = forms.CharField(
        label=_("What was found"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Who was asked, what the work explained, what was done."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class AlertFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *AccessAlert.Status.choices],
    )


class DateInput(forms.DateInput):
    input_type = "date"


class TransferFilterForm(forms.Form):
    transfer_kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("All")), *Transfer.Kind.choices]
    )
    recipient_kind = forms.ChoiceField(
        label=_("Recipient"),
        required=False,
        choices=[("", _("All")), *Transfer.RecipientKind.choices],
    )
    office = forms.ChoiceField(label=_("From office"), required=False)
    date_from = forms.DateField(label=_("From (date)"), required=False, widget=DateInput)
    date_to = forms.DateField(label=_("To (date)"), required=False, widget=DateInput)
    reference = forms.CharField(label=_("Case reference"), required=False, max_length=40)
    recipient = forms.CharField(
        label=_("Recipient's name"),
        required=False,
        max_length=200,
        help_text=_("An office, partner or authority (part of the name)."),
    )

    def __init__(self, *args: Any, offices: Iterable[Office] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        office_field = cast(forms.ChoiceField, self.fields["office"])
        office_field.choices = [("", _("All")), *((str(o.pk), o.name) for o in offices)]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end is before the start."))
        return data

    def filters(self) -> TransferFilters:
        if not self.is_bound or not self.is_valid():
            return TransferFilters()
        data = self.cleaned_data
        return TransferFilters(
            kind=data["transfer_kind"],
            recipient_kind=data["recipient_kind"],
            office_id=uuid.UUID(data["office"]) if data["office"] else None,
            date_from=data["date_from"],
            date_to=data["date_to"],
            reference=data["reference"].strip(),
            recipient=data["recipient"].strip(),
        )
