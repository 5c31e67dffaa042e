"""The rule-set editor: one small form per rule kind (no raw JSON for administrators).

``RULE_FORMS`` maps a rule kind to its form. Each form has a "use this rule" box and the kind's
settings; ``params()`` gives the settings for ``rules.validate_rules`` (which the service runs:
its errors, keyed ``"<kind>.<setting>"``, are put back on the form fields by the view). A kind
registered in ``rules`` without a form here is carried over unchanged from the version edited.
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from wayhome.cases.models import MigrantCategory
from wayhome.people.models import IdentityDocument

CODE_SEPARATORS = re.compile(r"[\s,;]+")


def _codes(text: str) -> list[str]:
    return [code for code in CODE_SEPARATORS.split(text.strip()) if code]


class RuleForm(forms.Form):
    kind = ""
    enabled = forms.BooleanField(label=_("Use this rule"), required=False)

    def params(self) -> dict[str, Any]:
        raise NotImplementedError

    @classmethod
    def initial_for(cls, params: dict[str, Any] | None) -> dict[str, Any]:
        return {"enabled": params is not None, **cls.initial_params(params or {})}

    @classmethod
    def initial_params(cls, params: dict[str, Any]) -> dict[str, Any]:
        return dict(params)


class CategoriesForm(RuleForm):
    categories = forms.MultipleChoiceField(
        label=_("Migrant categories"),
        choices=MigrantCategory.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    def params(self) -> dict[str, Any]:
        return {"categories": self.cleaned_data["categories"]}


class AllowedCategoriesForm(CategoriesForm):
    kind = "allowed_categories"


class ExcludedCategoriesForm(CategoriesForm):
    kind = "excluded_categories"


class DestinationsForm(RuleForm):
    kind = "allowed_destinations"
    countries = forms.CharField(
        label=_("Countries of return allowed"),
        required=False,
        max_length=1000,
        help_text=_(
            "ISO 3166-1 codes separated by spaces or commas (NG, IQ). Empty: every country."
        ),
    )
    excluded_regions = forms.CharField(
        label=_("Regions excluded"),
        required=False,
        max_length=1000,
        help_text=_("ISO 3166-2 codes separated by spaces or commas (IQ-AN)."),
    )

    def params(self) -> dict[str, Any]:
        return {
            "countries": _codes(self.cleaned_data["countries"]),
            "excluded_regions": _codes(self.cleaned_data["excluded_regions"]),
        }

    @classmethod
    def initial_params(cls, params: dict[str, Any]) -> dict[str, Any]:
        return {
            "countries": " ".join(params.get("countries", [])),
            "excluded_regions": " ".join(params.get("excluded_regions", [])),
        }


class YearsForm(RuleForm):
    kind = "not_assisted_within_years"
    years = forms.IntegerField(
        label=_("Years"),
        required=False,
        min_value=1,
        max_value=50,
        help_text=_("Refuse people assisted to return fewer than this many years ago."),
    )

    def params(self) -> dict[str, Any]:
        return {"years": self.cleaned_data["years"]}


class DocumentsForm(RuleForm):
    kind = "required_documents"
    kinds = forms.MultipleChoiceField(
        label=_("Documents"),
        choices=IdentityDocument.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("Valid on the decision date. Children may hold a birth certificate instead."),
    )
    match = forms.ChoiceField(
        label=_("Each adult traveller holds"),
        choices=[("all", _("every one of these")), ("any", _("at least one of these"))],
        widget=forms.RadioSelect,
        initial="all",
    )

    def params(self) -> dict[str, Any]:
        return {"kinds": self.cleaned_data["kinds"], "match": self.cleaned_data["match"]}


RULE_FORMS: dict[str, type[RuleForm]] = {
    form.kind: form
    for form in (
        AllowedCategoriesForm,
        DestinationsForm,
        ExcludedCategoriesForm,
        YearsForm,
        DocumentsForm,
    )
}


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("What changed and why"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class OverrideForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for the override"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why this case should be assisted although a rule is not met."),
    )
