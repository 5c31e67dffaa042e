"""People: the persons an office assists. Every identifying value is encrypted at rest.

Names and the date of birth are encrypted fields (``wayhome.core.fields``); exact search goes
through the blind indexes ``name_index`` and ``dob_index`` (``wayhome.core.crypto``), which the
services keep in step with the values. Sex, nationality and the precision of the date of birth
stay plain: they are needed for statistics and are not identifying on their own.
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
from wayhome.core.countries import validate_country
from wayhome.core.fields import (
    EncryptedBinaryField,
    EncryptedDateField,
    EncryptedJSONField,
    EncryptedTextField,
)
from wayhome.core.languages import validate_languages
from wayhome.core.models import BaseModel


def validate_country_list(value: object) -> None:
    if not isinstance(value, list) or not all(isinstance(code, str) for code in value):
        raise ValidationError(_("Give a list of country codes."), code="invalid")
    for code in value:
        validate_country(code)


class Person(BaseModel):
    class DobPrecision(models.TextChoices):
        EXACT = "exact", _("Exact")
        YEAR = "year", _("Year only")
        ESTIMATED = "estimated", _("Estimated")

    class Sex(models.TextChoices):
        FEMALE = "female", _("Female")
        MALE = "male", _("Male")
        OTHER = "other", _("Other")
        UNKNOWN = "unknown", _("Not known")

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="people", verbose_name=_("office")
    )
    given_name = EncryptedTextField(_("given name(s)"), max_length=150)
    family_name = EncryptedTextField(_("family name(s)"), max_length=150)
    name_as_written = EncryptedTextField(
        _("name as written"),
        max_length=300,
        blank=True,
        help_text=_("The full name in its own script, as the person writes it (optional)."),
    )
    date_of_birth = EncryptedDateField(_("date of birth"), null=True, blank=True)
    dob_precision = models.CharField(
        _("precision of the date of birth"),
        max_length=16,
        choices=DobPrecision.choices,
        default=DobPrecision.EXACT,
    )
    sex = models.CharField(_("sex"), max_length=16, choices=Sex.choices, default=Sex.UNKNOWN)
    nationality = models.CharField(
        _("nationality"),
        max_length=2,
        blank=True,
        validators=[validate_country],
        help_text=_("Leave empty when not known or stateless."),
    )
    other_names = EncryptedJSONField(
        _("other names and aliases"),
        default=list,
        blank=True,
        help_text=_("Other spellings, former names, names used on the journey."),
    )
    gender_identity = EncryptedTextField(
        _("gender identity"),
        max_length=100,
        blank=True,
        help_text=_("Only if the person wishes to say."),
    )
    other_nationalities = models.JSONField(
        _("other nationalities"),
        default=list,
        blank=True,
        validators=[validate_country_list],
    )
    languages = models.JSONField(
        _("languages"),
        default=list,
        blank=True,
        validators=[validate_languages],
        help_text=_("ISO 639 codes, the preferred language first."),
    )
    contacts = EncryptedJSONField(
        _("contacts"),
        default=list,
        blank=True,
        help_text=_("Telephone numbers, e-mail addresses, messaging accounts."),
    )
    photo = EncryptedBinaryField(_("photo"), null=True, blank=True, max_length=2_000_000)
    photo_type = models.CharField(max_length=40, blank=True, editable=False)
    # Blind indexes (hex of a truncated HMAC): exact search without decrypting the table.
    name_index = models.CharField(max_length=32, db_index=True, editable=False)
    dob_index = models.CharField(max_length=32, db_index=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        # Never the name: str() ends up in logs, admin messages and error pages.
        return f"Person {self.pk}"

    def clean(self) -> None:
        born = self.date_of_birth
        if isinstance(born, datetime.date) and born > timezone.localdate():
            raise ValidationError({"date_of_birth": _("The date of birth is in the future.")})

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part)


class IdentityDocument(BaseModel):
    """An identity or travel document of a person; the number is encrypted, with a blind index
    for exact look-up (the same passport registered twice)."""

    class Kind(models.TextChoices):
        PASSPORT = "passport", _("Passport")
        NATIONAL_ID = "national_id", _("National identity card")
        TRAVEL_DOCUMENT = "travel_document", _("Emergency travel document")
        LAISSEZ_PASSER = "laissez_passer", _("Laissez-passer")
        BIRTH_CERTIFICATE = "birth_certificate", _("Birth certificate")
        RESIDENCE_PERMIT = "residence_permit", _("Residence permit")
        OTHER = "other", _("Other document")

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("type"), max_length=24, choices=Kind.choices)
    number = EncryptedTextField(_("number"), max_length=60)
    number_index = models.CharField(max_length=32, db_index=True, editable=False)
    issuing_country = models.CharField(
        _("issuing country"), max_length=2, validators=[validate_country]
    )
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        verbose_name = _("identity document")
        verbose_name_plural = _("identity documents")
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Document {self.pk}"


class MatchKey(models.Model):
    """One blocking key of a person for duplicate detection, stored as a blind index
    (``crypto.blind_index("match", key)``): candidates are found here, never by decrypting the
    table. Kept in step by ``person_create``/``person_update``; ``rebuild_match_keys`` rebuilds."""

    id = models.BigAutoField(primary_key=True)
    # The unique (person, key) constraint serves lookups by person; the key gets one plain
    # index (``db_index`` would add a second, ``LIKE`` one on PostgreSQL that no query uses,
    # and every registration writes about ten keys).
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="match_keys", db_index=False
    )
    key = models.CharField(max_length=32)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["person", "key"], name="match_key_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["key"], name="match_key_key")]

    def __str__(self) -> str:
        return f"MatchKey {self.pk}"


class MatchEnquiry(BaseModel):
    """ "Is this your person?": an office asks the office holding a possible match it may not see.

    The candidate is stored for the receiving office; the asking office never sees who it is."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ANSWERED = "answered", _("Answered")

    from_office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("asking office")
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    to_office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("asked office")
    )
    candidate = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    message = EncryptedTextField(_("message"), max_length=2000, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    answer = EncryptedTextField(_("answer"), max_length=2000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("match enquiry")
        verbose_name_plural = _("match enquiries")
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"MatchEnquiry {self.pk}"


class DuplicateDecision(BaseModel):
    """A person's decision on a suggested pair: two different people, or the same person (a
    link, never a destructive merge). Reversing keeps the record and frees the pair again.
    ``person_a`` is always the one with the smaller id."""

    class Outcome(models.TextChoices):
        DISTINCT = "distinct", _("Different people")
        SAME = "same", _("The same person")

    person_a = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    person_b = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="+")
    outcome = models.CharField(_("decision"), max_length=16, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = EncryptedTextField(_("reason"), max_length=2000, blank=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("duplicate decision")
        verbose_name_plural = _("duplicate decisions")
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["person_a", "person_b"],
                condition=models.Q(reversed_at__isnull=True),
                name="duplicate_decision_active_once",
            ),
            models.CheckConstraint(
                condition=models.Q(person_a__lt=models.F("person_b")),
                name="duplicate_decision_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"DuplicateDecision {self.pk}"
