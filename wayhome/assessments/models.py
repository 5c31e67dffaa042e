"""Vulnerability screening (IOM's Determinants of Migrant Vulnerability), the specialised
assessments its flags make mandatory, and break-the-glass access to their details.

- ``Screening``: per traveller, factors of four levels (individual, household, community,
  structural) each marked risk, protective or not assessed, and flags from a fixed vocabulary.
  A new screening replaces the earlier one (the latest recorded is in force); history is kept.
- ``Assessment``: a best-interests determination (BID), a trafficking assessment, a medical
  assessment or a fitness-to-travel check. Its *summary* (kind, date, whether it satisfies its
  safeguard) is visible to whoever may see the case; its *details* (``DETAIL_FIELDS``) only to
  holders of the kind's sensitive permission in the case's office, or through break-the-glass.
- ``StepConsent``: a trafficking victim's informed consent (or refusal) at one step, with the
  right to decline assistance explained.
- ``BreakGlassAccess``: a user without the permission opened one assessment's details, giving a
  reason; valid for ``BREAK_GLASS_MINUTES``.

Every free-text value is encrypted. ``str()`` never names anyone.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.cases.models import CaseMember
from wayhome.consent.models import validate_not_future
from wayhome.core.choices import check_code_list
from wayhome.core.fields import EncryptedTextField
from wayhome.core.models import BaseModel
from wayhome.core.text import validate_multiline, validate_single_line

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

BREAK_GLASS_MINUTES = 30
BREAK_GLASS_REASON_MIN = 20


class Level(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    HOUSEHOLD = "household", _("Household and family")
    COMMUNITY = "community", _("Community")
    STRUCTURAL = "structural", _("Structural")


#: The DMV factors, per level: code -> label (a handful per level, fixed in code).
FACTORS: dict[str, dict[str, _StrPromise]] = {
    Level.INDIVIDUAL: {
        "age": _("Age"),
        "sex_gender": _("Sex and gender identity"),
        "health": _("Physical and mental health"),
        "history": _("Past experience of violence, exploitation or abuse"),
        "resources": _("Education, skills and financial resources"),
    },
    Level.HOUSEHOLD: {
        "family_structure": _("Family structure and dependants"),
        "family_violence": _("Violence or neglect in the family"),
        "livelihood": _("Household livelihood and debt"),
        "family_support": _("Family support for the return"),
    },
    Level.COMMUNITY: {
        "social_networks": _("Social networks and community ties"),
        "discrimination": _("Discrimination or stigma"),
        "services_access": _("Access to services (health, education, housing)"),
        "community_safety": _("Safety in the community"),
    },
    Level.STRUCTURAL: {
        "legal_status": _("Legal status and documentation"),
        "protection_systems": _("Protection systems and rule of law"),
        "economic_conditions": _("Economic conditions"),
        "conflict_disaster": _("Conflict, disaster or environmental degradation"),
    },
}
FACTOR_LEVEL: dict[str, str] = {code: level for level, f in FACTORS.items() for code in f}


class Mark(models.TextChoices):
    RISK = "risk", _("Risk")
    PROTECTIVE = "protective", _("Protective")
    NOT_ASSESSED = "not_assessed", _("Not assessed")


class Flag(models.TextChoices):
    VICTIM_OF_TRAFFICKING = "victim_of_trafficking", _("Victim of trafficking")
    UNACCOMPANIED_OR_SEPARATED_CHILD = (
        "unaccompanied_or_separated_child",
        _("Unaccompanied or separated child"),
    )
    PHYSICAL_HEALTH_NEEDS = "physical_health_needs", _("Physical health needs")
    MENTAL_HEALTH_NEEDS = "mental_health_needs", _("Mental health needs")
    DISABILITY = "disability", _("Disability")
    ELDERLY = "elderly", _("Elderly")
    PREGNANT = "pregnant", _("Pregnant")
    SINGLE_PARENT = "single_parent", _("Single parent")
    SURVIVOR_OF_VIOLENCE = "survivor_of_violence", _("Survivor of violence (including GBV)")
    OTHER = "other", _("Other")


HEALTH_FLAGS: frozenset[str] = frozenset({Flag.PHYSICAL_HEALTH_NEEDS, Flag.MENTAL_HEALTH_NEEDS})


def validate_factors(value: object) -> None:
    if not isinstance(value, dict):
        raise ValidationError(_("Mark the factors."), code="invalid")
    if any(not isinstance(key, str) or key not in FACTOR_LEVEL for key in value):
        raise ValidationError(_("Choose factors from the list."), code="unknown_factor")
    if any(mark not in Mark.values for mark in value.values()):
        raise ValidationError(
            _("Mark each factor as a risk, protective or not assessed."), code="invalid_choice"
        )


def validate_flags(value: object) -> None:
    check_code_list(
        value,
        Flag.values,
        invalid=_("Choose the flags."),
        unknown=_("Choose flags from the list."),
        unknown_code="unknown_flag",
        duplicate=_("A flag is listed twice."),
    )


class Screening(BaseModel):
    """A vulnerability screening of one traveller; the latest recorded is in force."""

    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="screenings")
    screened_on = models.DateField(_("screened on"), validators=[validate_not_future])
    factors = models.JSONField(
        _("factors"), default=dict, blank=True, validators=[validate_factors]
    )
    flags = models.JSONField(_("flags"), default=list, blank=True, validators=[validate_flags])
    notes = EncryptedTextField(
        _("notes"), max_length=5000, blank=True, validators=[validate_multiline]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("vulnerability screening")
        verbose_name_plural = _("vulnerability screenings")
        ordering: ClassVar = ["-created_at", "-id"]  # the latest recorded is the one in force

    def __str__(self) -> str:
        return f"Screening {self.pk}"

    def flag_labels(self) -> list[str]:
        labels = dict(Flag.choices)
        return [str(labels.get(flag, flag)) for flag in self.flags]

    def factors_by_level(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """[(level label, [(factor label, mark label)])] for the factors marked."""
        marks = dict(Mark.choices)
        return [
            (
                str(Level(level).label),
                [
                    (str(label), str(marks[self.factors[code]]))
                    for code, label in factors.items()
                    if code in self.factors
                ],
            )
            for level, factors in FACTORS.items()
        ]


class Kind(models.TextChoices):
    BID = "bid", _("Best-interests determination")
    TRAFFICKING = "trafficking", _("Trafficking assessment")
    MEDICAL = "medical", _("Medical assessment")
    FITNESS = "fitness", _("Fitness-to-travel check")


#: The permission that shows an assessment's details, per kind.
KIND_PERM: dict[str, Perm] = {
    Kind.BID: Perm.SENSITIVE_CHILD,
    Kind.TRAFFICKING: Perm.SENSITIVE_TRAFFICKING,
    Kind.MEDICAL: Perm.SENSITIVE_HEALTH,
    Kind.FITNESS: Perm.SENSITIVE_HEALTH,
}

#: The fields only holders of the kind's permission (or a break-the-glass access) may read.
DETAIL_FIELDS: tuple[str, ...] = (
    "details",
    "recommendation",
    "panel",
    "guardian",
    "family_assessment",
    "reception_arrangement",
    "supervised_travel",
    "retrafficking_risk",
    "escort",
    "receiving_provider",
    "fit_to_travel",
)


class Recommendation(models.TextChoices):
    RETURN = "return", _("Return")
    DO_NOT_RETURN = "do_not_return", _("Do not return")
    DEFER = "defer", _("Defer")


class RiskLevel(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")


class Escort(models.TextChoices):
    NONE = "none", _("No escort")
    ESCORT = "escort", _("Non-medical escort")
    MEDICAL = "medical", _("Medical escort")


class TravelCondition(models.TextChoices):
    """What a fitness-to-travel check found the journey needs. Operational, not a health detail:
    operations staff book the escort or the wheelchair; the reasons stay in the findings."""

    ESCORT = "escort", _("Escort")
    MEDICAL_ESCORT = "medical_escort", _("Medical escort")
    WHEELCHAIR = "wheelchair", _("Wheelchair")
    OXYGEN = "oxygen", _("Oxygen")
    STRETCHER = "stretcher", _("Stretcher")


def validate_conditions(value: object) -> None:
    check_code_list(
        value,
        TravelCondition.values,
        invalid=_("Choose the conditions."),
        unknown=_("Choose conditions from the list."),
        duplicate=_("A condition is listed twice."),
    )


class Assessment(BaseModel):
    """A specialised assessment of one traveller (see the module's docstring). The latest of
    each kind is the one in force."""

    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="assessments")
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    assessed_on = models.DateField(_("assessed on"), validators=[validate_not_future])
    details = EncryptedTextField(
        _("findings"), max_length=5000, blank=True, validators=[validate_multiline]
    )
    # Best-interests determination
    recommendation = models.CharField(
        _("recommendation"), max_length=16, choices=Recommendation.choices, blank=True
    )
    panel = EncryptedTextField(
        _("panel (members and roles)"), max_length=500, blank=True, validators=[validate_multiline]
    )
    guardian = EncryptedTextField(
        _("guardian"), max_length=300, blank=True, validators=[validate_single_line]
    )
    family_assessment = EncryptedTextField(
        _("family assessment in the country of origin"),
        max_length=5000,
        blank=True,
        validators=[validate_multiline],
    )
    reception_arrangement = EncryptedTextField(
        _("reception arrangement"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    supervised_travel = models.BooleanField(_("supervised travel"), default=False)
    # Trafficking
    retrafficking_risk = models.CharField(
        _("risk of re-trafficking"), max_length=8, choices=RiskLevel.choices, blank=True
    )
    # Medical
    escort = models.CharField(_("escort"), max_length=8, choices=Escort.choices, blank=True)
    receiving_provider = EncryptedTextField(
        _("receiving health provider"),
        max_length=300,
        blank=True,
        validators=[validate_single_line],
    )
    # Fitness to travel
    fit_to_travel = models.BooleanField(_("fit to travel"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    travel_conditions = models.JSONField(
        _("travel conditions"), default=list, blank=True, validators=[validate_conditions]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Assessment {self.pk}"

    @property
    def perm(self) -> Perm:
        return KIND_PERM[self.kind]

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        required = _("Required for this kind of assessment.")

        def need(name: str) -> None:
            if getattr(self, name) in ("", None):
                errors[name] = ValidationError(required, code="required")

        if self.kind == Kind.BID:
            for name in ("recommendation", "panel", "guardian", "family_assessment"):
                need(name)
            if self.recommendation == Recommendation.RETURN:
                need("reception_arrangement")
                if not self.supervised_travel:
                    errors["supervised_travel"] = ValidationError(
                        _("A return of a child needs supervised travel."), code="required"
                    )
        elif self.kind == Kind.TRAFFICKING:
            need("retrafficking_risk")
            need("details")
        elif self.kind == Kind.MEDICAL:
            need("escort")
            need("receiving_provider")
        elif self.kind == Kind.FITNESS:
            need("fit_to_travel")
            need("valid_until")
            if (
                isinstance(self.valid_until, datetime.date)
                and isinstance(self.assessed_on, datetime.date)
                and self.valid_until < self.assessed_on
            ):
                errors["valid_until"] = ValidationError(
                    _("The check cannot expire before it was made."), code="invalid"
                )
            if self.travel_conditions and self.fit_to_travel is False:
                errors["travel_conditions"] = ValidationError(
                    _("Conditions apply only to a person fit to travel."), code="invalid"
                )
        if errors:
            raise ValidationError(errors)

    @property
    def fitness_result(self) -> str:
        """ "Fit", "fit with conditions" or "unfit" (fitness checks only)."""
        if self.kind != Kind.FITNESS or self.fit_to_travel is None:
            return ""
        if not self.fit_to_travel:
            return str(_("Not fit to travel"))
        if self.travel_conditions:
            return str(_("Fit to travel with conditions"))
        return str(_("Fit to travel"))

    def condition_labels(self) -> list[str]:
        labels = dict(TravelCondition.choices)
        return [str(labels.get(code, code)) for code in self.travel_conditions]

    @property
    def satisfies(self) -> bool:
        """Whether this assessment meets its safeguard (today, for a fitness check)."""
        if self.kind == Kind.BID:
            return self.recommendation == Recommendation.RETURN
        if self.kind == Kind.FITNESS:
            return bool(
                self.fit_to_travel
                and self.valid_until is not None
                and self.valid_until >= timezone.localdate()
            )
        return True


class Step(models.TextChoices):
    ASSESSMENT = "assessment", _("Specialised assessment")
    RETURN = "return", _("Return assistance")
    REINTEGRATION = "reintegration", _("Reintegration assistance")


#: The steps whose consent a trafficking victim must have given before approval.
STEPS_BEFORE_APPROVAL: tuple[str, ...] = (Step.ASSESSMENT, Step.RETURN)


class StepConsent(BaseModel):
    """A trafficking victim's informed consent, or refusal, at one step of the assistance."""

    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="step_consents")
    step = models.CharField(_("step"), max_length=16, choices=Step.choices)
    consents = models.BooleanField(_("consents to assistance at this step"))
    right_to_decline_explained = models.BooleanField(
        _("the right to decline assistance was explained"), default=False
    )
    given_on = models.DateField(_("given on"), validators=[validate_not_future])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("informed consent at a step")
        verbose_name_plural = _("informed consents at steps")
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Step consent {self.pk}"

    @property
    def counts(self) -> bool:
        return self.consents and self.right_to_decline_explained


class BreakGlassAccess(BaseModel):
    """A user without the permission opened an assessment's details, stating why."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="break_glass_accesses"
    )
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    reason = EncryptedTextField(_("reason"), max_length=2000, validators=[validate_multiline])
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("break-the-glass access")
        verbose_name_plural = _("break-the-glass accesses")
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Break-the-glass access {self.pk}"

    @property
    def active(self) -> bool:
        return self.expires_at > timezone.now()
