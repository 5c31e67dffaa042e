"""Forms of the consent pages. They bind input only; the services validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import CaseMember
from wayhome.consent.models import (
    SIGNED_FORM_MAX_BYTES,
    DataSharingConsent,
    LegalRepresentative,
    RepresentativeDecision,
    Topic,
)
from wayhome.core.forms import ScopedIdForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
FILE_ACCEPT = {"accept": "application/pdf,image/jpeg,image/png"}


def read_upload(upload: UploadedFile | None) -> tuple[bytes | None, str]:
    """The bytes (at most one more than the limit, so that too large is still refused) and the
    declared content type of an uploaded file."""
    if upload is None:
        return None, ""
    return upload.read(SIGNED_FORM_MAX_BYTES + 1), upload.content_type or ""


class MemberChoiceField(forms.ModelMultipleChoiceField):
    def __init__(self, *args: Any, labels: dict[Any, str], **kwargs: Any) -> None:
        self.labels = labels
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Any) -> str:
        return self.labels.get(obj.pk, str(obj))


class SessionForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE, initial=timezone.localdate)
    language = forms.CharField(
        label=_("Language (ISO 639 code)"),
        max_length=3,
        help_text=_("For example ar, ti, fa, ru."),
    )
    interpreter = forms.BooleanField(label=_("An interpreter was present"), required=False)
    interpreter_name = forms.CharField(
        label=_("Interpreter's name"), max_length=150, required=False
    )
    topics = forms.MultipleChoiceField(
        label=_("Topics covered"), choices=Topic.choices, widget=forms.CheckboxSelectMultiple
    )
    materials_given = forms.CharField(
        label=_("Materials given"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    attendees = MemberChoiceField(
        label=_("Attended"),
        queryset=CaseMember.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        labels={},
    )

    def __init__(self, *args: Any, members: Any, labels: dict[Any, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["attendees"]
        assert isinstance(field, MemberChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = members
        field.labels = labels


class DeclarationForm(ScopedIdForm):
    id_scope = "declaration"

    freedom_of_choice = forms.BooleanField(
        label=_("Freedom of choice: the person returns without physical or psychological pressure"),
        required=False,
    )
    informed_decision = forms.BooleanField(
        label=_(
            "Informed decision: the person received timely, unbiased and reliable information "
            "and understood it"
        ),
        required=False,
    )
    declared_on = forms.DateField(label=_("Declared on"), widget=DATE, initial=timezone.localdate)
    in_detention = forms.BooleanField(
        label=_("The person is in detention (a second staff member must review)"), required=False
    )
    signed_form = forms.FileField(
        label=_("Signed form (PDF, JPEG or PNG)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=FILE_ACCEPT),
    )


class SignedFormUploadForm(ScopedIdForm):
    id_scope = "upload"

    signed_form = forms.FileField(
        label=_("Signed form (PDF, JPEG or PNG)"),
        widget=forms.ClearableFileInput(attrs=FILE_ACCEPT),
    )


class ReviewForm(ScopedIdForm):
    id_scope = "review"

    note = forms.CharField(
        label=_("Review note"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("How you satisfied yourself that the decision is free and informed."),
    )


class CapacityForm(ScopedIdForm):
    id_scope = "capacity"

    has_capacity = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[
            ("yes", _("Has the capacity to decide")),
            ("no", _("Lacks the capacity to decide")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE, initial=timezone.localdate)
    assessor = forms.CharField(label=_("Assessor (name and role)"), max_length=200)
    notes = forms.CharField(
        label=_("Notes"), max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RepresentativeForm(ScopedIdForm):
    id_scope = "representative"

    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=LegalRepresentative.Kind.choices)
    relationship = forms.CharField(
        label=_("Relationship to the person"), max_length=100, required=False
    )
    contact = forms.CharField(label=_("Contact"), max_length=300, required=False)


class RepresentativeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} ({obj.get_kind_display()})"


class DecisionForm(ScopedIdForm):
    id_scope = "decision"

    representative = RepresentativeChoiceField(
        label=_("Representative"), queryset=LegalRepresentative.objects.none()
    )
    decision = forms.ChoiceField(
        label=_("Decision"),
        choices=RepresentativeDecision.Decision.choices,
        widget=forms.RadioSelect,
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE, initial=timezone.localdate)
    signed_form = forms.FileField(
        label=_("Signed form (optional)"),
        required=False,
        widget=forms.ClearableFileInput(attrs=FILE_ACCEPT),
    )

    def __init__(self, *args: Any, representatives: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["representative"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 (narrowing for mypy)
        field.queryset = representatives


class WithdrawalForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason given"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )
    withdrawn_on = forms.DateField(label=_("Withdrawn on"), widget=DATE, initial=timezone.localdate)


class ConsentForm(forms.Form):
    purpose = forms.ChoiceField(label=_("Purpose"), choices=DataSharingConsent.Purpose.choices)
    recipient_kind = forms.ChoiceField(
        label=_("Recipient"), choices=DataSharingConsent.RecipientKind.choices
    )
    recipient_office = forms.ModelChoiceField(
        label=_("Receiving office (for the origin office)"),
        queryset=Office.objects.filter(is_active=True).order_by("name"),
        required=False,
    )
    recipient_name = forms.CharField(
        label=_("Name of the partner or authority"), max_length=200, required=False
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE, initial=timezone.localdate)
