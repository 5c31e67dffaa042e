from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import Programme
from wayhome.core.forms import ScopedIdForm
from wayhome.retention.models import RecordType, Unit


class RuleCreateForm(ScopedIdForm):
    id_scope = "rule"
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())
    record_type = forms.ChoiceField(label=_("Records"), choices=RecordType.choices)
    programme = forms.ChoiceField(
        label=_("Programme"),
        required=False,
        choices=[("", _("Every programme")), *Programme.choices],
        help_text=_("A programme's own rule takes precedence over the rule for every programme."),
    )
    amount = forms.IntegerField(label=_("Keep for"), min_value=1, max_value=36600)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices, initial=Unit.YEARS)

    def __init__(self, *args: Any, offices: QuerySet[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = offices


class RuleEditForm(ScopedIdForm):
    id_scope = "edit"
    amount = forms.IntegerField(label=_("Keep for"), min_value=1, max_value=36600)
    unit = forms.ChoiceField(label=_("Unit"), choices=Unit.choices)
    active = forms.BooleanField(label=_("Active"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class HoldPlaceForm(ScopedIdForm):
    id_scope = "hold"
    reference = forms.CharField(
        label=_("Case reference"), max_length=40, help_text=_("The case to keep.")
    )
    reason = forms.CharField(
        label=_("Reason"),
        widget=forms.Textarea(attrs={"rows": 3}),
        min_length=10,
        max_length=2000,
        help_text=_("Why the data must be kept (stored encrypted): a court, an investigation..."),
    )


class HoldLiftForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class DryRunForm(ScopedIdForm):
    id_scope = "dry"
    office = forms.ModelChoiceField(label=_("Office"), queryset=Office.objects.none())

    def __init__(self, *args: Any, offices: QuerySet[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["office"]).queryset = offices
