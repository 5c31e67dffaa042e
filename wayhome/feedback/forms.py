"""Forms of the feedback pages (public and staff). They bind input only; the services validate
and save. Offices are offered by name with their ``code`` as the value (never an id on a public
page)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office, User
from wayhome.core.forms import ScopedIdForm
from wayhome.core.text import validate_multiline, validate_single_line
from wayhome.feedback.models import (
    FeedbackCategory,
    FeedbackStatus,
    Kind,
    MisconductType,
    Priority,
)
from wayhome.feedback.services import TRIAGE_STATUSES

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def posted_version(post: Any) -> int | None:
    """The ``version`` a form was shown with (optimistic concurrency), or None."""
    try:
        return int(post.get("version", ""))
    except (TypeError, ValueError):
        return None


def _blank(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class SubmitForm(forms.Form):
    """Feedback, a complaint or a report of misconduct, from the public portal."""

    office = forms.ChoiceField(
        label=_("Which office is it about?"),
        help_text=_("The office that helped you, or that you are writing about."),
    )
    kind = forms.ChoiceField(
        label=_("What would you like to send?"),
        choices=[
            (Kind.FEEDBACK, _("Feedback or a suggestion")),
            (Kind.COMPLAINT, _("A complaint")),
            (Kind.MISCONDUCT, _("A report of misconduct by staff or partners")),
        ],
        widget=forms.RadioSelect,
    )
    misconduct_type = forms.ChoiceField(
        label=_("If you report misconduct: what happened?"),
        choices=MisconductType.choices,
        widget=forms.RadioSelect,
        required=False,
        help_text=_(
            "Reports of misconduct go to an independent officer, not to the office concerned."
        ),
    )
    message = forms.CharField(
        label=_("Your message"),
        max_length=5000,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 8}),
    )
    anonymous = forms.BooleanField(
        label=_("Stay anonymous"),
        required=False,
        initial=True,
        help_text=_(
            "Leave this ticked to send your message without your name. You can still read "
            "the answer with your code and secret."
        ),
    )
    name = forms.CharField(
        label=_("Your name (only if you untick “Stay anonymous”)"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
    )
    contact = forms.CharField(
        label=_("How can we reach you? (phone, e-mail; optional)"),
        max_length=200,
        required=False,
        validators=[validate_single_line],
    )

    def __init__(self, *args: Any, offices: list[Office], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.offices = {office.code: office for office in offices}
        cast(forms.ChoiceField, self.fields["office"]).choices = _blank(_("Choose an office")) + [
            (office.code, office.name) for office in offices
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("kind") == Kind.MISCONDUCT and not data.get("misconduct_type"):
            self.add_error("misconduct_type", _("Say what kind of misconduct this is."))
        if data.get("kind") != Kind.MISCONDUCT:
            data["misconduct_type"] = ""
        if data.get("anonymous") and (data.get("name") or data.get("contact")):
            self.add_error(
                "anonymous",
                _(
                    "You chose to stay anonymous: untick “Stay anonymous” to give your name "
                    "or contact, or leave them empty."
                ),
            )
        return data

    def chosen_office(self) -> Office:
        return self.offices[self.cleaned_data["office"]]

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "misconduct_type": data.get("misconduct_type") or "",
            "message": data["message"],
            "anonymous": bool(data.get("anonymous")),
            "name": data.get("name") or "",
            "contact": data.get("contact") or "",
        }


class PublicSubmitForm(SubmitForm):
    #: A field people never see (hidden from view and from screen readers); robots fill it in.
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )


class StatusForm(forms.Form):
    reference = forms.CharField(
        label=_("Your report's code"),
        max_length=20,
        help_text=_("It looks like FB-7KQM-2XDA."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    secret = forms.CharField(
        label=_("Your secret"),
        max_length=40,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
    )


# --- staff --------------------------------------------------------------------------------------


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=_blank(_("Any")) + FeedbackStatus.choices
    )
    kind = forms.ChoiceField(label=_("Kind"), required=False)
    category = forms.ChoiceField(
        label=_("Category"), required=False, choices=_blank(_("Any")) + FeedbackCategory.choices
    )
    priority = forms.ChoiceField(
        label=_("Priority"), required=False, choices=_blank(_("Any")) + Priority.choices
    )
    office = forms.ChoiceField(label=_("Office"), required=False)
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args: Any, offices: list[Office], kinds: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["office"]).choices = _blank(_("All your offices")) + [
            (str(office.pk), office.name) for office in offices
        ]
        cast(forms.ChoiceField, self.fields["kind"]).choices = _blank(_("Any")) + kinds
        if len(offices) < 2:
            del self.fields["office"]
        if len(kinds) < 2:
            del self.fields["kind"]

    def office_id(self) -> uuid.UUID | None:
        value = self.cleaned_data.get("office") if self.is_valid() else None
        return uuid.UUID(value) if value else None

    def value(self, name: str) -> Any:
        return self.cleaned_data.get(name) if self.is_valid() else None


class StaffSubmitForm(SubmitForm):
    """Feedback received by phone or in person, recorded by staff."""


class TriageForm(ScopedIdForm):
    id_scope = "triage"

    category = forms.ChoiceField(label=_("Category"), choices=FeedbackCategory.choices)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices)
    due_on = forms.DateField(label=_("Answer due on"), widget=DATE)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(s.value, s.label) for s in TRIAGE_STATUSES],
        help_text=_("An answered report stays answered."),
    )
    assigned_to = forms.ChoiceField(label=_("Assigned to"), required=False)

    def __init__(self, *args: Any, handlers: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.handlers = {str(user.pk): user for user in handlers}
        cast(forms.ChoiceField, self.fields["assigned_to"]).choices = _blank(_("Nobody")) + [
            (str(user.pk), user.full_name or user.email) for user in handlers
        ]

    def assignee(self) -> User | None:
        return self.handlers.get(self.cleaned_data.get("assigned_to") or "")


class NoteForm(ScopedIdForm):
    id_scope = "note"

    text = forms.CharField(
        label=_("Internal note (never shown to the person)"),
        max_length=5000,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class RespondForm(ScopedIdForm):
    id_scope = "respond"

    response = forms.CharField(
        label=_("Answer to the person"),
        max_length=5000,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_(
            "The person reads this with their code and secret. Write plainly; name no one."
        ),
    )


class RouteForm(ScopedIdForm):
    """Into the independent queue (misconduct, with its type) or back to the office."""

    id_scope = "route"

    kind = forms.ChoiceField(label=_("It is"), widget=forms.RadioSelect)
    misconduct_type = forms.ChoiceField(
        label=_("Type of misconduct"), choices=MisconductType.choices, required=False
    )
    reason = forms.CharField(
        label=_("Why it moves (an internal note)"),
        max_length=5000,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, into_independent: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.into_independent = into_independent
        if into_independent:
            kind = cast(forms.ChoiceField, self.fields["kind"])
            kind.choices = [(Kind.MISCONDUCT, Kind.MISCONDUCT.label)]
            self.fields["kind"].initial = Kind.MISCONDUCT
            self.fields["misconduct_type"].required = True
        else:
            cast(forms.ChoiceField, self.fields["kind"]).choices = [
                (Kind.COMPLAINT, Kind.COMPLAINT.label),
                (Kind.FEEDBACK, Kind.FEEDBACK.label),
            ]
            self.fields["kind"].initial = Kind.COMPLAINT
            del self.fields["misconduct_type"]
