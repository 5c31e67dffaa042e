"""The AVRR case: who returns (a principal applicant and the family travelling together), from
which office, to where, under which programme, and where the case stands in its workflow."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.workflow import Status
from wayhome.core.countries import validate_country, validate_subdivision
from wayhome.core.fields import EncryptedTextField
from wayhome.core.models import BaseModel
from wayhome.people.models import Person


class Programme(models.TextChoices):
    AVR = "AVR", _("Assisted voluntary return (AVR)")
    AVRR = "AVRR", _("Assisted voluntary return and reintegration (AVRR)")
    VHR = "VHR", _("Voluntary humanitarian return (VHR)")


class MigrantCategory(models.TextChoices):
    """The controlled vocabulary of who is assisted (shared/reference/AVRR.md)."""

    REJECTED_ASYLUM_SEEKER = (
        "rejected_asylum_seeker",
        _("Asylum seeker, claim rejected or withdrawn"),
    )
    STRANDED = "stranded", _("Stranded migrant")
    IRREGULAR = "irregular", _("Irregular migrant")
    REGULAR = "regular", _("Regular migrant wishing to return")
    VICTIM_OF_TRAFFICKING = "victim_of_trafficking", _("Victim of trafficking")
    UNACCOMPANIED_CHILD = "unaccompanied_child", _("Unaccompanied or separated child")
    HEALTH_NEEDS = "health_needs", _("Migrant with health-related needs")
    OTHER_VULNERABLE = "other_vulnerable", _("Other vulnerable migrant")


class Relationship(models.TextChoices):
    PRINCIPAL = "principal", _("Principal applicant")
    SPOUSE = "spouse", _("Spouse or partner")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Sibling")
    OTHER = "other", _("Other relative or dependant")


class Case(BaseModel):
    reference = models.CharField(_("reference"), max_length=40, unique=True, editable=False)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="cases", verbose_name=_("host office")
    )
    programme = models.CharField(_("programme"), max_length=8, choices=Programme.choices)
    category = models.CharField(
        _("migrant category"), max_length=32, choices=MigrantCategory.choices
    )
    status = models.CharField(
        _("status"), max_length=32, choices=Status.choices, default=Status.REGISTERED
    )
    principal = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="cases_as_principal"
    )
    destination_country = models.CharField(
        _("country of return"), max_length=2, validators=[validate_country]
    )
    destination_region = models.CharField(
        _("region (ISO 3166-2)"), max_length=8, blank=True, validators=[validate_subdivision]
    )
    destination_place = EncryptedTextField(_("place"), max_length=200, blank=True)
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_cases",
        verbose_name=_("caseworker"),
    )
    funding_source = models.CharField(_("funding source"), max_length=120, blank=True)
    notes = EncryptedTextField(_("notes"), max_length=5000, blank=True)
    # Set by the transition to application_submitted: the approver must be someone else.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status_changed_at = models.DateTimeField(null=True, blank=True)
    # Where a case on hold resumes.
    held_from = models.CharField(max_length=32, choices=Status.choices, blank=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            # The case list: an office's cases, newest first, with or without a status filter
            # (bench/cases.py: the page's query went from 42 ms to 0.4 ms over 10,000 cases).
            models.Index(fields=["office", "-created_at", "-id"], name="case_office_recent"),
            models.Index(
                fields=["office", "status", "-created_at", "-id"], name="case_office_status_recent"
            ),
            models.Index(fields=["assigned_to", "status"]),
            # The same for a reader of several offices (a manager, a national desk): read in
            # order and stop at the page, instead of merging and sorting every office's cases.
            models.Index(fields=["-created_at", "-id"], name="case_recent"),
            models.Index(fields=["status", "-created_at", "-id"], name="case_status_recent"),
        ]

    def __str__(self) -> str:
        return self.reference or f"Case {self.pk}"

    # Labels for lists: ``get_status_display`` rebuilds the field's choices on every call, which
    # costs about 0.4 ms a row (bench/cases.py); the enum's label is looked up directly.
    @property
    def status_label(self) -> str:
        return str(Status(self.status).label) if self.status in Status.values else self.status

    @property
    def category_label(self) -> str:
        if self.category in MigrantCategory.values:
            return str(MigrantCategory(self.category).label)
        return self.category

    def clean(self) -> None:
        region = self.destination_region
        if (
            region
            and self.destination_country
            and not region.startswith(f"{self.destination_country}-")
        ):
            raise ValidationError(
                {"destination_region": _("The region is not in the country of return.")}
            )


class CaseMember(BaseModel):
    """A person on the case; the principal applicant is a member too. Families return together."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="case_memberships")
    relationship = models.CharField(
        _("relationship to the principal"), max_length=16, choices=Relationship.choices
    )
    travelling = models.BooleanField(_("travels on this case"), default=True)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["case", "person"], name="case_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.relationship}"


class CaseTransition(models.Model):
    """One move of a case in its workflow: who, when, from, to, why. Never changed."""

    id = models.BigAutoField(primary_key=True)
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    source = models.CharField(max_length=32, choices=Status.choices)
    target = models.CharField(max_length=32, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = EncryptedTextField(_("reason"), max_length=2000, blank=True)
    occurred_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering: ClassVar = ["occurred_at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id}: {self.source} → {self.target}"
