"""Voluntariness and consent: information sessions, voluntariness declarations, capacity and legal
representation, withdrawal, and data-sharing consents.

Voluntariness holds only when there is freedom of choice (no physical or psychological pressure)
and an informed decision (timely, unbiased, reliable information). A declaration attests the two
conditions separately; the guards in ``guards.py`` refuse to submit an application until every
traveller is covered (see ``rules.py`` for who must show what).

Every personal value (interpreter's and representatives' names, contacts, notes, reasons, signed
forms) is encrypted. ``str()`` never names anyone.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import Case, CaseMember
from wayhome.core.choices import check_code_list
from wayhome.core.fields import EncryptedBinaryField, EncryptedTextField
from wayhome.core.languages import validate_language
from wayhome.core.models import BaseModel
from wayhome.people.models import Person

#: Largest signed form accepted (bytes).
SIGNED_FORM_MAX_BYTES = 5_000_000
#: Content types of signed forms: a scan (PDF) or a photo of the paper (JPEG, PNG).
SIGNED_FORM_TYPES: dict[str, str] = {
    "application/pdf": "pdf",
    "image/jpeg": "jpg",
    "image/png": "png",
}


def validate_not_future(value: datetime.date | None) -> None:
    if isinstance(value, datetime.date) and value > timezone.localdate():
        raise ValidationError(_("The date is in the future."), code="future_date")


class Topic(models.TextChoices):
    RETURN_PROCESS = "return_process", _("The return process")
    ASSISTANCE_AVAILABLE = "assistance_available", _("Assistance available")
    SITUATION_IN_ORIGIN = "situation_in_origin", _("Situation in the country of origin")
    RIGHTS_AND_WITHDRAWAL = "rights_and_withdrawal", _("Rights, including withdrawal")
    DATA_PROTECTION = "data_protection", _("Data protection")


def validate_topics(value: object) -> None:
    check_code_list(
        value,
        Topic.values,
        invalid=_("Choose the topics covered."),
        required=_("Choose at least one topic covered."),
        unknown=_("Choose topics from the list."),
        duplicate=_("A topic is listed twice."),
    )


class InformationSession(BaseModel):
    """A counselling session: what was explained, in which language, to whom."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="information_sessions")
    held_on = models.DateField(_("held on"), validators=[validate_not_future])
    counsellor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("counsellor"),
    )
    language = models.CharField(
        _("language (ISO 639)"), max_length=3, validators=[validate_language]
    )
    interpreter = models.BooleanField(_("an interpreter was present"), default=False)
    interpreter_name = EncryptedTextField(_("interpreter's name"), max_length=150, blank=True)
    topics = models.JSONField(_("topics covered"), default=list, validators=[validate_topics])
    materials_given = models.TextField(_("materials given"), max_length=2000, blank=True)
    attendees = models.ManyToManyField(
        CaseMember, related_name="information_sessions", verbose_name=_("attended")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("information session")
        verbose_name_plural = _("information sessions")
        ordering: ClassVar = ["-held_on", "-created_at", "-id"]

    def __str__(self) -> str:
        return f"Information session {self.pk}"

    def clean(self) -> None:
        if self.interpreter_name and not self.interpreter:
            raise ValidationError(
                {"interpreter_name": _("Name an interpreter only when one was present.")}
            )

    def topic_labels(self) -> list[str]:
        labels = dict(Topic.choices)
        return [str(labels.get(topic, topic)) for topic in self.topics]


class VoluntarinessDeclaration(BaseModel):
    """A traveller's declaration that the return is voluntary. The latest one is the one that
    counts; it counts only when both conditions are attested, the signed form is attached and,
    for a person in detention, a second staff member has reviewed it (``counts``)."""

    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="declarations")
    freedom_of_choice = models.BooleanField(
        _("freedom of choice"),
        default=False,
        help_text=_("No physical or psychological pressure to return."),
    )
    informed_decision = models.BooleanField(
        _("informed decision"),
        default=False,
        help_text=_("Timely, unbiased and reliable information was given and understood."),
    )
    declared_on = models.DateField(_("declared on"), validators=[validate_not_future])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    signed_form = EncryptedBinaryField(
        _("signed form"), null=True, blank=True, max_length=SIGNED_FORM_MAX_BYTES
    )
    signed_form_type = models.CharField(max_length=40, blank=True, editable=False)
    in_detention = models.BooleanField(_("the person is in detention"), default=False)
    detention_review_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    detention_reviewed_at = models.DateTimeField(null=True, blank=True)
    detention_review_note = EncryptedTextField(_("review note"), max_length=2000, blank=True)

    class Meta:
        verbose_name = _("voluntariness declaration")
        verbose_name_plural = _("voluntariness declarations")
        ordering: ClassVar = ["-created_at", "-id"]  # the latest recorded is the one in force

    def __str__(self) -> str:
        return f"Voluntariness declaration {self.pk}"

    @property
    def has_signed_form(self) -> bool:
        return bool(self.signed_form_type)

    @property
    def detention_reviewed(self) -> bool:
        return (
            self.detention_review_by_id is not None
            and self.detention_review_by_id != self.recorded_by_id
        )

    @property
    def counts(self) -> bool:
        return (
            self.freedom_of_choice
            and self.informed_decision
            and self.has_signed_form
            and (not self.in_detention or self.detention_reviewed)
        )


class CapacityAssessment(BaseModel):
    """Whether the person can decide for themselves; the latest assessment is the one in force."""

    member = models.ForeignKey(
        CaseMember, on_delete=models.CASCADE, related_name="capacity_assessments"
    )
    has_capacity = models.BooleanField(_("has the capacity to decide"))
    assessed_on = models.DateField(_("assessed on"), validators=[validate_not_future])
    assessor = EncryptedTextField(_("assessor (name and role)"), max_length=200)
    notes = EncryptedTextField(_("notes"), max_length=5000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("capacity assessment")
        verbose_name_plural = _("capacity assessments")
        ordering: ClassVar = ["-created_at", "-id"]  # the latest recorded is the one in force

    def __str__(self) -> str:
        return f"Capacity assessment {self.pk}"


class LegalRepresentative(BaseModel):
    """Someone who decides for a child or a person lacking capacity. Only a guardian or a legal
    representative gives consent that counts (``DECIDING_KINDS``); "other" is recorded for
    information (a trusted person, a social worker)."""

    class Kind(models.TextChoices):
        GUARDIAN = "guardian", _("Guardian")
        LEGAL_REPRESENTATIVE = "legal_representative", _("Legal representative")
        OTHER = "other", _("Other")

    member = models.ForeignKey(CaseMember, on_delete=models.CASCADE, related_name="representatives")
    name = EncryptedTextField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=24, choices=Kind.choices)
    relationship = models.CharField(
        _("relationship to the person"),
        max_length=100,
        blank=True,
        help_text=_("For example: mother, court-appointed guardian, lawyer."),
    )
    contact = EncryptedTextField(_("contact"), max_length=300, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("legal representative")
        verbose_name_plural = _("legal representatives")
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Legal representative {self.pk}"


DECIDING_KINDS = frozenset(
    {LegalRepresentative.Kind.GUARDIAN, LegalRepresentative.Kind.LEGAL_REPRESENTATIVE}
)


class RepresentativeDecision(BaseModel):
    """A representative's decision about the return of the person they represent."""

    class Decision(models.TextChoices):
        AGREES = "agrees", _("Agrees to the return")
        REFUSES = "refuses", _("Refuses the return")

    member = models.ForeignKey(
        CaseMember, on_delete=models.CASCADE, related_name="representative_decisions"
    )
    representative = models.ForeignKey(
        LegalRepresentative, on_delete=models.PROTECT, related_name="decisions"
    )
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    decided_on = models.DateField(_("decided on"), validators=[validate_not_future])
    signed_form = EncryptedBinaryField(
        _("signed form"), null=True, blank=True, max_length=SIGNED_FORM_MAX_BYTES
    )
    signed_form_type = models.CharField(max_length=40, blank=True, editable=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("representative's decision")
        verbose_name_plural = _("representatives' decisions")
        ordering: ClassVar = ["-created_at", "-id"]  # the latest recorded is the one in force

    def __str__(self) -> str:
        return f"Representative decision {self.pk}"

    @property
    def has_signed_form(self) -> bool:
        return bool(self.signed_form_type)

    def clean(self) -> None:
        if (
            self.representative_id is not None
            and self.member_id is not None
            and self.representative.member_id != self.member_id
        ):
            raise ValidationError({"representative": _("Choose a representative of this person.")})


class Withdrawal(BaseModel):
    """The migrant withdrew before departure: the case is withdrawn, for good."""

    case = models.OneToOneField(Case, on_delete=models.CASCADE, related_name="withdrawal")
    reason = EncryptedTextField(_("reason"), max_length=2000)
    withdrawn_on = models.DateField(_("withdrawn on"), validators=[validate_not_future])
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("withdrawal")
        verbose_name_plural = _("withdrawals")

    def __str__(self) -> str:
        return f"Withdrawal {self.pk}"


class DataSharingConsent(BaseModel):
    """A person's consent to share their data for one purpose with one recipient, until revoked.

    The recipient is an office (``origin_office``: ``recipient_office`` set) or a named partner or
    government authority (``recipient_name`` set). ``sharing.sharing_allowed`` is the check every
    feature makes before data leaves the office."""

    class Purpose(models.TextChoices):
        REINTEGRATION_ASSISTANCE = "reintegration_assistance", _("Reintegration assistance")
        TRAVEL_ARRANGEMENTS = "travel_arrangements", _("Travel arrangements")
        MEDICAL_ESCORT = "medical_escort", _("Medical escort")
        MONITORING = "monitoring", _("Monitoring")
        RESEARCH = "research", _("Research")

    class RecipientKind(models.TextChoices):
        ORIGIN_OFFICE = "origin_office", _("The office in the country of origin")
        PARTNER = "partner", _("A named partner")
        GOVERNMENT_AUTHORITY = "government_authority", _("A government authority")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="sharing_consents")
    purpose = models.CharField(_("purpose"), max_length=32, choices=Purpose.choices)
    recipient_kind = models.CharField(_("recipient"), max_length=32, choices=RecipientKind.choices)
    recipient_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("receiving office"),
    )
    recipient_name = models.CharField(
        _("name of the partner or authority"), max_length=200, blank=True
    )
    given_on = models.DateField(_("given on"), validators=[validate_not_future])
    revoked_on = models.DateField(_("revoked on"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("data-sharing consent")
        verbose_name_plural = _("data-sharing consents")
        ordering: ClassVar = ["-given_on", "-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["person", "purpose", "recipient_kind"])]

    def __str__(self) -> str:
        return f"Data-sharing consent {self.pk}"

    @property
    def active(self) -> bool:
        return self.revoked_on is None

    @property
    def recipient_label(self) -> str:
        if self.recipient_kind == self.RecipientKind.ORIGIN_OFFICE and self.recipient_office:
            return self.recipient_office.name
        return self.recipient_name

    def clean(self) -> None:
        kind = self.RecipientKind
        if self.recipient_kind == kind.ORIGIN_OFFICE:
            if self.recipient_office_id is None:
                raise ValidationError({"recipient_office": _("Choose the receiving office.")})
            if self.recipient_name:
                raise ValidationError(
                    {"recipient_name": _("An office is chosen from the list, not named.")}
                )
        elif self.recipient_kind in (kind.PARTNER, kind.GOVERNMENT_AUTHORITY):
            if not self.recipient_name.strip():
                raise ValidationError(
                    {"recipient_name": _("Name the partner or authority receiving the data.")}
                )
            if self.recipient_office_id is not None:
                raise ValidationError(
                    {"recipient_office": _("Choose an office only for the origin office.")}
                )
        if self.revoked_on and self.given_on and self.revoked_on < self.given_on:
            raise ValidationError({"revoked_on": _("A consent is revoked after it is given.")})
