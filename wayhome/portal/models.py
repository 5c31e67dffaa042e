"""The public portal (build order 6): pages per country of origin that staff maintain, and the
"I would like to be contacted" inquiries that reach the chosen office's work queue.

A ``CountryPage`` is staff-written public content (no personal data: plain fields). An
``Inquiry`` holds what a person typed about themselves: name, phone, e-mail, message, and the
staff's notes are encrypted; ``str()`` never names anyone.
"""

from __future__ import annotations

import re
from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.core.countries import validate_country
from wayhome.core.fields import EncryptedTextField
from wayhome.core.languages import validate_language
from wayhome.core.models import BaseModel
from wayhome.core.text import validate_multiline, validate_single_line

_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,40}$")


def validate_phone(value: str) -> None:
    """Digits, with an optional leading + and spaces, dots, dashes or brackets between them."""
    if not _PHONE.match(value) or sum(ch.isdigit() for ch in value) < 6:
        raise ValidationError(
            _("Write the phone number with digits only, for example +234 803 555 0100."),
            code="invalid_phone",
        )


#: A page not reviewed for this many days says so on the portal.
REVIEW_OVERDUE_DAYS = 365


class CountryPage(BaseModel):
    """What assistance is available after returning to ``country`` and practical information,
    in one language, maintained by ``office``."""

    office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        related_name="country_pages",
        verbose_name=_("maintained by"),
    )
    country = models.CharField(_("country"), max_length=2, validators=[validate_country])
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    title = models.CharField(_("title"), max_length=200, validators=[validate_single_line])
    assistance = models.TextField(
        _("assistance available"), max_length=10000, validators=[validate_multiline]
    )
    practical_information = models.TextField(
        _("practical information"),
        max_length=10000,
        blank=True,
        validators=[validate_multiline],
    )
    last_reviewed = models.DateField(_("last reviewed on"))
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    published = models.BooleanField(_("published"), default=False)

    class Meta:
        verbose_name = _("country page")
        verbose_name_plural = _("country pages")
        ordering: ClassVar = ["country", "language", "office__code"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["office", "country", "language"], name="one_country_page_per_language"
            )
        ]

    def __str__(self) -> str:
        return f"Country page {self.country} {self.language}"


class InquiryStatus(models.TextChoices):
    NEW = "new", _("New")
    CONTACTED = "contacted", _("Contacted")
    CLOSED = "closed", _("Closed")


class Outcome(models.TextChoices):
    WANTS_TO_APPLY = "wants_to_apply", _("Wants to apply")
    INFORMATION_ONLY = "information_only", _("Wanted information only")
    UNREACHABLE = "unreachable", _("Could not be reached")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    OTHER = "other", _("Other")


class BestTime(models.TextChoices):
    ANY = "any", _("Any time")
    MORNING = "morning", _("Morning")
    AFTERNOON = "afternoon", _("Afternoon")
    EVENING = "evening", _("Evening")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Portal form")
    API = "api", _("API")


class Inquiry(BaseModel):
    """Someone asked to be contacted by ``office`` about returning home."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="inquiries", verbose_name=_("office")
    )
    name = EncryptedTextField(_("name"), max_length=200, validators=[validate_single_line])
    phone = EncryptedTextField(
        _("phone"), max_length=40, blank=True, validators=[validate_single_line, validate_phone]
    )
    email = EncryptedTextField(
        _("e-mail"),
        max_length=254,
        blank=True,
        validators=[validate_single_line, EmailValidator(_("Check the e-mail address."))],
    )
    message = EncryptedTextField(
        _("message"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=8, blank=True, validators=[validate_language]
    )
    country_of_origin = models.CharField(
        _("country of origin"), max_length=2, blank=True, validators=[validate_country]
    )
    best_time = models.CharField(
        _("best time to call"), max_length=12, choices=BestTime.choices, default=BestTime.ANY
    )
    callback_consent = models.BooleanField(_("agrees to be contacted"), default=False)
    status = models.CharField(
        _("status"), max_length=12, choices=InquiryStatus.choices, default=InquiryStatus.NEW
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    staff_notes = EncryptedTextField(
        _("staff notes"), max_length=5000, blank=True, validators=[validate_multiline]
    )
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("handled by"),
    )
    contacted_at = models.DateTimeField(_("contacted at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    channel = models.CharField(
        _("received through"), max_length=8, choices=Channel.choices, default=Channel.PORTAL
    )

    class Meta:
        verbose_name = _("inquiry")
        verbose_name_plural = _("inquiries")
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(callback_consent=True), name="inquiry_has_callback_consent"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["office", "status", "-created_at"], name="inquiry_queue")
        ]

    def __str__(self) -> str:
        return f"Inquiry {self.pk}"

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if not self.callback_consent:
            errors["callback_consent"] = str(
                _("We can only call or write to you if you agree to it.")
            )
        if not (self.phone or "").strip() and not (self.email or "").strip():
            errors["phone"] = str(_("Give a phone number or an e-mail address (or both)."))
        if self.status == InquiryStatus.CLOSED and not self.outcome:
            errors["outcome"] = str(_("Say how the inquiry ended before closing it."))
        if errors:
            raise ValidationError(errors)
