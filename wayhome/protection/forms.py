from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from wayhome.protection.models import AccessAlert


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
