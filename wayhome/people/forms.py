"""Forms of the people pages: search, registration and change of a person's details."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.core.countries import country_choices
from wayhome.core.forms import add_service_errors
from wayhome.core.languages import LANGUAGE_CODES
from wayhome.people.models import DuplicateDecision, IdentityDocument, Person
from wayhome.people.services import CONTACT_KINDS, PHOTO_MAX_BYTES


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


# The identifying fields: the first step of registration (the duplicate search) takes these.
IDENTITY_FORM_FIELDS = (
    "given_name",
    "family_name",
    "name_as_written",
    "date_of_birth",
    "dob_precision",
    "sex",
    "nationality",
)
# Every field these forms edit.
FORM_FIELDS = (
    *IDENTITY_FORM_FIELDS,
    "other_names",
    "gender_identity",
    "other_nationalities",
    "languages",
    "contacts",
)


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


class OtherNamesField(forms.CharField):
    """Other names, one per line."""

    widget = forms.Textarea(attrs={"rows": 3, "dir": "auto", "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        return "\n".join(value) if isinstance(value, list) else value

    def clean(self, value: Any) -> list[str]:
        return _lines(super().clean(value) or "")


class LanguagesField(forms.CharField):
    """ISO 639 codes separated by commas or spaces, the preferred language first."""

    def prepare_value(self, value: Any) -> Any:
        return ", ".join(value) if isinstance(value, list) else value

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        codes = [code.strip().lower() for code in text.replace(",", " ").split() if code.strip()]
        unknown = [code for code in codes if code not in LANGUAGE_CODES]
        if unknown:
            raise ValidationError(
                _("Not ISO 639 language codes: %(codes)s"),
                code="invalid_language",
                params={"codes": ", ".join(unknown)},
            )
        return list(dict.fromkeys(codes))


class ContactsField(forms.CharField):
    """Contacts, one per line as ``kind: value`` (phone, email, messaging, address, other)."""

    widget = forms.Textarea(attrs={"rows": 3, "autocomplete": "off"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, list):
            return "\n".join(f"{c.get('kind')}: {c.get('value')}" for c in value)
        return value

    def clean(self, value: Any) -> list[dict[str, str]]:
        contacts = []
        for line in _lines(super().clean(value) or ""):
            kind, sep, rest = line.partition(":")
            kind = kind.strip().lower()
            if not sep or kind not in CONTACT_KINDS or not rest.strip():
                raise ValidationError(
                    _("Write each contact as kind: value, the kind one of %(kinds)s."),
                    code="invalid",
                    params={"kinds": ", ".join(CONTACT_KINDS)},
                )
            contacts.append({"kind": kind, "value": rest.strip()})
        return contacts


class PersonForm(forms.ModelForm[Person]):
    nationality = forms.ChoiceField(
        label=_("Nationality"), choices=_nationality_choices, required=False
    )
    other_names = OtherNamesField(
        label=_("Other names and aliases"),
        required=False,
        help_text=_("One per line: other spellings, former names, names used on the journey."),
    )
    other_nationalities = forms.MultipleChoiceField(
        label=_("Other nationalities"), choices=country_choices, required=False
    )
    languages = LanguagesField(
        label=_("Languages"),
        required=False,
        max_length=200,
        help_text=_(
            "ISO 639 codes separated by commas, the preferred language first (ar, ti, en)."
        ),
    )
    contacts = ContactsField(
        label=_("Contacts"),
        required=False,
        max_length=5000,
        help_text=_("One per line as kind: value. Kinds: phone, email, messaging, address, other."),
    )

    class Meta:
        model = Person
        fields = FORM_FIELDS
        widgets = {
            "date_of_birth": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "given_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "family_name": forms.TextInput(attrs={"autocomplete": "off"}),
            "name_as_written": forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}),
            "gender_identity": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)

    def person_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in FORM_FIELDS if name in self.fields}


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


class PersonIdentifyForm(PersonCreateForm):
    """The first step of registration: the identifying fields only, for the duplicate search."""

    field_order = ["office", *IDENTITY_FORM_FIELDS]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in FORM_FIELDS:
            if name not in IDENTITY_FORM_FIELDS:
                del self.fields[name]


class PersonUpdateForm(PersonForm):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


class PhotoForm(forms.Form):
    photo = forms.FileField(
        label=_("Photo"),
        required=False,
        help_text=_("JPEG or PNG, at most 2 MB. Shown only to staff who may see this person."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    remove = forms.BooleanField(label=_("Remove the photo"), required=False)

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if photo and photo.size > PHOTO_MAX_BYTES:
            raise ValidationError(_("The photo is too large (at most 2 MB)."), code="max_size")
        return photo


class DocumentForm(forms.ModelForm[IdentityDocument]):
    issuing_country = forms.ChoiceField(label=_("Issuing country"), choices=country_choices)

    class Meta:
        model = IdentityDocument
        fields = ("kind", "number", "issuing_country", "expires_on")
        widgets = {
            "expires_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "number": forms.TextInput(attrs={"autocomplete": "off"}),
        }

    def add_service_errors(self, exc: ValidationError) -> None:
        add_service_errors(self, exc)

    def document_data(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class MatchEnquiryForm(forms.Form):
    reference = forms.CharField(widget=forms.HiddenInput, max_length=1000)
    message = forms.CharField(
        label=_("Message"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional. Say how to reach you; add no personal details."),
    )


class MatchEnquiryAnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Whether it may be the same person and whom to contact. Share no personal details "
            "unless a data-sharing consent allows it."
        ),
    )


class DuplicateDecisionForm(forms.Form):
    other = forms.UUIDField(widget=forms.HiddenInput)
    outcome = forms.ChoiceField(
        label=_("Decision"), choices=DuplicateDecision.Outcome.choices, widget=forms.RadioSelect
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
