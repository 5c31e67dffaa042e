from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.protection.models import AccessAlert, DataRequest, Transfer
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


class RequestCreateForm(forms.Form):
    kind = forms.ChoiceField(label=_("The person asks for"), choices=DataRequest.Kind.choices)
    channel = forms.ChoiceField(
        label=_("Received through"),
        choices=DataRequest.Channel.choices,
        initial=DataRequest.Channel.IN_PERSON,
    )
    received_on = forms.DateField(label=_("Received on"), widget=DateInput)
    details = forms.CharField(
        label=_("What the person asks"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For a rectification: what is wrong, and what it should say."),
    )
    language = forms.ChoiceField(
        label=_("Language of the answer"),
        required=False,
        help_text=_("Left empty: the person's first language that Wayhome speaks, else English."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        language = cast(forms.ChoiceField, self.fields["language"])
        language.choices = [("", _("The person's language")), *settings.LANGUAGES]


class RequestCloseForm(forms.Form):
    outcome = forms.ChoiceField(label=_("Outcome"))
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What was given or corrected; for a refusal, the reason given to the person."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, request: DataRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["outcome"]).choices = request.outcomes()


class RequestFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Request"), required=False, choices=[("", _("All")), *DataRequest.Kind.choices]
    )
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), *DataRequest.Status.choices],
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)
