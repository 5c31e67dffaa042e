"""The request form of a microdata release. It binds input only; ``microdata_release_create``
validates again and decides (k-anonymous or refused)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.core.text import validate_multiline, validate_single_line
from wayhome.reporting.microdata import (
    DEFAULT_GENERALISATION,
    DEFAULT_K,
    MAX_K,
    MIN_K,
    QUASI_IDENTIFIERS,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
LEAVE_OUT = ""


class MicrodataReleaseForm(forms.Form):
    """Purpose and recipient, offices and period, then one choice per quasi-identifier (leave it
    out, or its generalisations from the finest to the coarsest), then k."""

    purpose = forms.CharField(
        label=_("Purpose"),
        max_length=500,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What the evaluation is for, and why it needs records rather than tables."),
    )
    recipient = forms.CharField(
        label=_("Recipient"),
        max_length=200,
        validators=[validate_single_line],
        help_text=_("Who receives the file (an evaluator, an organisation)."),
    )
    offices = forms.MultipleChoiceField(
        label=_("Offices"),
        required=False,
        choices=(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: all of them."),
    )
    period_from = forms.DateField(label=_("Departed from"), required=False, widget=DATE)
    period_to = forms.DateField(label=_("Departed until"), required=False, widget=DATE)
    k = forms.IntegerField(
        label=_("k (the smallest group allowed)"),
        initial=DEFAULT_K,
        min_value=MIN_K,
        max_value=MAX_K,
        error_messages={
            "min_value": _(
                "k must be at least %(limit_value)s: smaller groups make people too easy to "
                "recognise."
            ),
            "max_value": _("k may be at most %(limit_value)s."),
        },
        help_text=_(
            "Every combination of the quasi-identifiers must be shared by at least k people, "
            "or nothing is released."
        ),
    )

    def __init__(self, *args: Any, offices: Iterable[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.office_map = {str(office.pk): office for office in offices}
        cast(forms.MultipleChoiceField, self.fields["offices"]).choices = [
            (pk, office.name) for pk, office in self.office_map.items()
        ]
        k_field = self.fields.pop("k")
        for name, qi in QUASI_IDENTIFIERS.items():
            self.fields[name] = forms.ChoiceField(
                label=str(qi.label),
                required=False,
                choices=[
                    (LEAVE_OUT, _("Leave out")),
                    *((level.code, level.label) for level in qi.levels),
                ],
                initial=DEFAULT_GENERALISATION.get(name, LEAVE_OUT),
                widget=forms.RadioSelect,
            )
        self.fields["k"] = k_field

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("period_from"), data.get("period_to")
        if start and end and start > end:
            self.add_error("period_to", _("The end of the period is before its start."))
        if data.get("origin_region") and data.get("origin_country") != "country":
            self.add_error(
                "origin_region",
                _(
                    "The region within the country names the country: include it only with "
                    "the country of origin as recorded."
                ),
            )
        return data

    def values(self) -> dict[str, Any]:
        """The arguments of ``microdata_release_create`` (with ``actor`` to add)."""
        data = self.cleaned_data
        return {
            "purpose": data["purpose"],
            "recipient": data["recipient"],
            "offices": [self.office_map[pk] for pk in data.get("offices") or []],
            "period_from": data.get("period_from"),
            "period_to": data.get("period_to"),
            "generalisation": {
                name: data[name] for name in QUASI_IDENTIFIERS if data.get(name) != LEAVE_OUT
            },
            "k": data["k"],
        }
