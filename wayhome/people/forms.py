"""Forms of the people pages: search, registration and change of a person's details."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.core.countries import country_choices
from wayhome.people.models import Person


def _nationality_choices() -> list[tuple[str, Any]]:
    return [("", _("Not known or stateless")), *country_choices()]


class PersonSearchForm(forms.Form):
    q = forms.CharField(
        label=_("Full name or date of birth"),
        required=False,
        max_length=300,
        help_text=_(
            "The exact full name (any case or accents), or the date of birth as YYYY-MM-DD."
        ),
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )


# The fields these forms edit (the fuller record's details have their own form fields).
FORM_FIELDS = (
    "given_name",
    "family_name",
    "name_as_written",
    "date_of_birth",
    "dob_precision",
    "sex",
    "nationality",
)


class PersonForm(forms.ModelForm[Person]):
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=_nationality_choices, required=False
    )

    class Meta:
        model = Person
        fields = FORM_FIELDS
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "given_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "name_as_written": forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        """Shows a service's ``ValidationError`` on the fields it names (or above the form)."""
        if hasattr(exc, "error_dict"):
            for field, errors in exc.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)

    def person_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FORM_FIELDS}


class PersonCreateForm(PersonForm):
    office = forms.ModelChoiceField(
        label=_("Office"), queryset=Office.objects.none(), empty_label=None
    )

    field_order = ["office", *FORM_FIELDS]

    def __init__(self, *args: Any, offices: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["office"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = offices


class PersonUpdateForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
