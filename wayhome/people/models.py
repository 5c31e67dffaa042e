"""People: the persons an office assists. Every identifying value is encrypted at rest.

Names and the date of birth are encrypted fields (``wayhome.core.fields``); exact search goes
through the blind indexes ``name_index`` and ``dob_index`` (``wayhome.core.crypto``), which the
services keep in step with the values. Sex, nationality and the precision of the date of birth
stay plain: they are needed for statistics and are not identifying on their own.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.core.countries import validate_country
from wayhome.core.fields import EncryptedDateField, EncryptedTextField
from wayhome.core.models import BaseModel


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
