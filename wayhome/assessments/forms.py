"""Forms of the vulnerability pages. They bind input only; the services validate and save."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.assessments.models import (
    BREAK_GLASS_REASON_MIN,
    FACTORS,
    Escort,
    Flag,
    Kind,
    Level,
    Mark,
    Recommendation,
    RiskLevel,
    Step,
    TravelCondition,
)
from wayhome.core.forms import ScopedIdForm
from wayhome.core.text import validate_multiline, validate_single_line

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

#: The fields each kind of assessment asks for (besides the date).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Kind.BID: (
        "recommendation",
        "panel",
        "guardian",
        "family_assessment",
        "reception_arrangement",
        "supervised_travel",
        "details",
    ),
    Kind.TRAFFICKING: ("retrafficking_risk", "details"),
    Kind.MEDICAL: ("escort", "receiving_provider", "details"),
    Kind.FITNESS: ("fit_to_travel", "valid_until", "travel_conditions", "details"),
}


def _area(label: Any, max_length: int, *, required: bool = False) -> forms.CharField:
    return forms.CharField(
        label=label,
        max_length=max_length,
        required=required,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ScreeningForm(ScopedIdForm):
    id_scope = "screening"

    screened_on = forms.DateField(label=_("Screened on"), widget=DATE, initial=timezone.localdate)
    flags = forms.MultipleChoiceField(
        label=_("Flags"),
        choices=Flag.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    notes = _area(_("Notes"), 5000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["notes"].help_text = _(
            "Do not write trafficking, health or child-protection details here: record them in "
            "the specialised assessment, which only authorised staff can read."
        )
        for factors in FACTORS.values():
            for code, label in factors.items():
                self.fields[f"factor_{code}"] = forms.ChoiceField(
                    label=label, choices=Mark.choices, initial=Mark.NOT_ASSESSED, required=False
                )

    def factor_groups(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [
            (str(Level(level).label), [self[f"factor_{code}"] for code in factors])
            for level, factors in FACTORS.items()
        ]

    def factors(self) -> dict[str, str]:
        return {
            code: self.cleaned_data[f"factor_{code}"] or Mark.NOT_ASSESSED
            for factors in FACTORS.values()
            for code in factors
        }


class AssessmentForm(ScopedIdForm):
    id_scope = "assessment"

    assessed_on = forms.DateField(label=_("Assessed on"), widget=DATE, initial=timezone.localdate)
    recommendation = forms.ChoiceField(
        label=_("Recommendation"), choices=Recommendation.choices, required=False
    )
    panel = _area(_("Panel (members and roles)"), 500)
    guardian = forms.CharField(
        label=_("Guardian"), max_length=300, required=False, validators=[validate_single_line]
    )
    family_assessment = _area(_("Family assessment in the country of origin"), 5000)
    reception_arrangement = _area(_("Reception arrangement"), 2000)
    supervised_travel = forms.BooleanField(label=_("Supervised travel"), required=False)
    retrafficking_risk = forms.ChoiceField(
        label=_("Risk of re-trafficking"),
        choices=[("", "—"), *RiskLevel.choices],
        required=False,
    )
    escort = forms.ChoiceField(
        label=_("Escort"), choices=[("", "—"), *Escort.choices], required=False
    )
    receiving_provider = forms.CharField(
        label=_("Receiving health provider (continuity of care)"),
        max_length=300,
        required=False,
        validators=[validate_single_line],
    )
    fit_to_travel = forms.TypedChoiceField(
        label=_("Outcome"),
        choices=[("yes", _("Fit to travel")), ("no", _("Not fit to travel"))],
        coerce=lambda value: value == "yes",
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    valid_until = forms.DateField(label=_("Valid until"), widget=DATE, required=False)
    travel_conditions = forms.MultipleChoiceField(
        label=_("Conditions for the journey"),
        choices=TravelCondition.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Operations staff see these to arrange the journey; the findings stay restricted."
        ),
    )
    details = _area(_("Findings"), 5000)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.kind = kind
        keep = {"assessed_on", *KIND_FIELDS[kind]}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        recommendation = self.fields.get("recommendation")
        if isinstance(recommendation, forms.ChoiceField):
            recommendation.choices = [("", "—"), *Recommendation.choices]

    def values(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        data.pop("assessed_on", None)
        return data


class StepConsentForm(ScopedIdForm):
    id_scope = "consent"

    step = forms.ChoiceField(label=_("Step"), choices=Step.choices)
    consents = forms.TypedChoiceField(
        label=_("Decision"),
        choices=[
            ("yes", _("Consents to assistance at this step")),
            ("no", _("Declines assistance at this step")),
        ],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    right_to_decline_explained = forms.BooleanField(
        label=_("The right to decline assistance was explained"), required=False
    )
    given_on = forms.DateField(label=_("Given on"), widget=DATE, initial=timezone.localdate)


class BreakGlassForm(ScopedIdForm):
    id_scope = "breakglass"

    reason = forms.CharField(
        label=_("Why do you need these details now?"),
        min_length=BREAK_GLASS_REASON_MIN,
        max_length=2000,
        validators=[validate_multiline],
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Your access lasts 30 minutes and is shown to the data protection officer."),
    )
