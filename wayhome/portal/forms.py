"""Forms of the portal: the public contact form, and the staff's forms for inquiries and country
pages. They bind input only; the services validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.core.countries import country_choices, country_name
from wayhome.core.text import validate_multiline, validate_single_line
from wayhome.portal.models import (
    BestTime,
    CountryPage,
    Inquiry,
    InquiryStatus,
    Outcome,
    validate_phone,
)

#: Languages a person may ask to be called in, each written in itself (a person finds their own
#: language by its own name). ISO 639 codes; the API takes any ISO 639 code.
PREFERRED_LANGUAGES: list[tuple[str, str]] = [
    ("en", "English"),
    ("fr", "Français"),
    ("es", "Español"),
    ("ar", "العربية"),
    ("am", "አማርኛ"),
    ("bm", "Bamanankan"),
    ("bn", "বাংলা"),
    ("ckb", "کوردی"),
    ("fa", "فارسی"),
    ("prs", "دری"),
    ("ff", "Fulfulde"),
    ("ha", "Hausa"),
    ("hi", "हिन्दी"),
    ("ig", "Igbo"),
    ("ka", "ქართული"),
    ("ku", "Kurdî"),
    ("ln", "Lingála"),
    ("ne", "नेपाली"),
    ("pa", "ਪੰਜਾਬੀ"),
    ("ps", "پښتو"),
    ("pt", "Português"),
    ("ro", "Română"),
    ("ru", "Русский"),
    ("si", "සිංහල"),
    ("so", "Soomaali"),
    ("sq", "Shqip"),
    ("sw", "Kiswahili"),
    ("ta", "தமிழ்"),
    ("ti", "ትግርኛ"),
    ("tr", "Türkçe"),
    ("uk", "Українська"),
    ("ur", "اردو"),
    ("vi", "Tiếng Việt"),
    ("wo", "Wolof"),
    ("yo", "Yorùbá"),
    ("zh", "中文"),
]

#: The hidden field that people never see and robots fill in.
HONEYPOT = "website"


def _text(
    label: Any, max_length: int, *, required: bool = True, extra: Any = (), **kwargs: Any
) -> Any:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_single_line, *extra],
        **kwargs,
    )


def _area(label: Any, max_length: int, *, required: bool = False, rows: int = 5) -> Any:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": rows}),
    )


def office_label(office: Office) -> str:
    return f"{office.name} ({country_name(office.country)})"


class ContactForm(forms.Form):
    """ "I would like to be contacted": which office, how to reach the person, and their
    agreement to be called back. The office is chosen by its code, never by its id."""

    office = forms.ChoiceField(label=_("Which office should contact you?"))
    name = _text(
        _("Your name"),
        200,
        help_text=_("The name the office should ask for when it calls."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    phone = _text(
        _("Phone number"),
        40,
        required=False,
        extra=[validate_phone],
        help_text=_("With the country code, for example +234 803 555 0100."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        max_length=254,
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for the call"), required=False, choices=PREFERRED_LANGUAGES
    )
    country_of_origin = forms.ChoiceField(
        label=_("Your country of origin (if you wish)"), required=False
    )
    best_time = forms.ChoiceField(
        label=_("Best time to call"), choices=BestTime.choices, initial=BestTime.ANY
    )
    message = _area(
        _("Anything you want the office to know (if you wish)"),
        2000,
        rows=4,
    )
    callback_consent = forms.BooleanField(
        label=_(
            "I agree that this office may call me or write to me about returning home. "
            "My details are used for nothing else."
        ),
        error_messages={"required": _("We can only contact you if you tick this box.")},
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def __init__(self, *args: Any, offices: list[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offices = {office.code: office for office in offices}
        office_field: Any = self.fields["office"]
        office_field.choices = [
            ("", _("Choose an office")),
            *((office.code, office_label(office)) for office in offices),
        ]
        country_field: Any = self.fields["country_of_origin"]
        country_field.choices = [("", _("Prefer not to say")), *country_choices()]
        language_field: Any = self.fields["preferred_language"]
        language_field.choices = [("", _("Any of these")), *PREFERRED_LANGUAGES]

    @property
    def honeypot_filled(self) -> bool:
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("phone") and not data.get("email") and "phone" not in self.errors:
            self.add_error("phone", _("Give a phone number or an e-mail address (or both)."))
        return data

    def chosen_office(self) -> Office:
        return self.offices[self.cleaned_data["office"]]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "phone": data.get("phone") or "",
            "email": data.get("email") or "",
            "message": data.get("message") or "",
            "preferred_language": data.get("preferred_language") or "",
            "country_of_origin": data.get("country_of_origin") or "",
            "best_time": data["best_time"],
            "callback_consent": bool(data["callback_consent"]),
        }


# --- staff --------------------------------------------------------------------------------------


class InquiryFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Every status")), *InquiryStatus.choices],
    )

    def status_value(self) -> str:
        if self.is_valid():
            return str(self.cleaned_data.get("status") or "")
        return ""


class InquiryUpdateForm(forms.Form):
    """What the office did: contacted the person, how it ended, notes, closing."""

    status = forms.ChoiceField(label=_("Status"))
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        required=False,
        choices=[("", _("Not yet known")), *Outcome.choices],
        help_text=_("Needed to close the inquiry."),
    )
    staff_notes = _area(_("Notes (seen by your office only)"), 5000, rows=5)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, inquiry: Inquiry, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [
            (value, label)
            for value, label in InquiryStatus.choices
            if value != InquiryStatus.NEW or inquiry.status == InquiryStatus.NEW
        ]
        status_field: Any = self.fields["status"]
        status_field.choices = choices

    @staticmethod
    def initial_of(inquiry: Inquiry) -> dict[str, Any]:
        return {
            "status": inquiry.status,
            "outcome": inquiry.outcome,
            "staff_notes": inquiry.staff_notes,
            "version": inquiry.version,
        }


class CountryPageForm(forms.Form):
    """A country page's text; on creation also its office and whether to publish it now."""

    office = forms.ChoiceField(label=_("Office maintaining the page"))
    country = forms.ChoiceField(label=_("Country of origin"))
    language = forms.ChoiceField(label=_("Language of the page"), choices=settings.LANGUAGES)
    title = _text(_("Title"), 200)
    assistance = _area(
        _("Assistance available"),
        10000,
        required=True,
        rows=10,
    )
    practical_information = _area(
        _("Practical information"),
        10000,
        rows=10,
    )
    published = forms.BooleanField(label=_("Publish it on the portal now"), required=False)

    def __init__(self, *args: Any, offices: list[Office] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        country_field: Any = self.fields["country"]
        country_field.choices = [("", _("Choose a country")), *country_choices()]
        self.offices = {str(office.code): office for office in offices or []}
        if offices is None:  # editing: the office stays, publishing is its own button
            del self.fields["office"]
            del self.fields["published"]
        else:
            office_field: Any = self.fields["office"]
            office_field.choices = [(office.code, office.name) for office in offices]
        self.fields["assistance"].help_text = _(
            "What returnees to this country can receive: reintegration support, reception, "
            "health care, partners. Plain words, short sentences."
        )
        self.fields["practical_information"].help_text = _(
            "Documents, travel, contacts on arrival, what to bring."
        )

    def chosen_office(self) -> Office:
        return self.offices[self.cleaned_data["office"]]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            name: data[name]
            for name in ("country", "language", "title", "assistance", "practical_information")
        }

    @staticmethod
    def initial_of(page: CountryPage) -> dict[str, Any]:
        return {
            "country": page.country,
            "language": page.language,
            "title": page.title,
            "assistance": page.assistance,
            "practical_information": page.practical_information,
        }
