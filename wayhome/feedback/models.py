"""Feedback, complaints and reports of staff misconduct (build order 6).

A report concerns one office (chosen by the person by the office's code). The person gets a
public ``reference`` ("FB-7KQM-2XDA") and a random secret, shown once and never stored: only its
keyed digest (``secret_digest``) is kept, so that the reference and the secret together open the
report's status and answer, and nothing else.

Reports of staff misconduct (``kind`` misconduct) belong to the independent queue: only the
ethics and conduct officers of the office concerned see them (``access.py``). Every value that
could name or describe someone (name, contact, message, response, notes) is encrypted; ``str()``
never names anyone.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.core.fields import EncryptedTextField
from wayhome.core.languages import validate_language
from wayhome.core.models import BaseModel
from wayhome.core.text import validate_multiline, validate_single_line


class Kind(models.TextChoices):
    FEEDBACK = "feedback", _("Feedback")
    COMPLAINT = "complaint", _("Complaint")
    MISCONDUCT = "misconduct", _("Report of staff misconduct")


class MisconductType(models.TextChoices):
    SEXUAL_EXPLOITATION = "sexual_exploitation_abuse", _("Sexual exploitation or abuse")
    FRAUD = "fraud_corruption", _("Fraud or corruption")
    OTHER = "other_misconduct", _("Other misconduct")


class FeedbackStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    TRIAGED = "triaged", _("Triaged")
    IN_PROGRESS = "in_progress", _("In progress")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


#: Still waiting for an answer (overdue once past ``due_on``).
OPEN_STATUSES = (FeedbackStatus.RECEIVED, FeedbackStatus.TRIAGED, FeedbackStatus.IN_PROGRESS)


class FeedbackCategory(models.TextChoices):
    ASSISTANCE = "assistance", _("Assistance received")
    COUNSELLING = "counselling", _("Counselling and information")
    TRAVEL = "travel", _("Travel and departure")
    REINTEGRATION = "reintegration", _("Reintegration support")
    MEDICAL = "medical", _("Medical care")
    STAFF_CONDUCT = "staff_conduct", _("Staff conduct")
    DATA_PROTECTION = "data_protection", _("Data protection")
    OTHER = "other", _("Other")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Channel(models.TextChoices):
    PORTAL = "portal", _("Public portal")
    API = "api", _("Public API")
    STAFF = "staff", _("Recorded by staff (phone or in person)")


class Feedback(BaseModel):
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="feedback", verbose_name=_("office")
    )
    reference = models.CharField(_("reference"), max_length=16, unique=True, editable=False)
    secret_digest = models.CharField(max_length=64, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    misconduct_type = models.CharField(
        _("type of misconduct"), max_length=32, choices=MisconductType.choices, blank=True
    )
    anonymous = models.BooleanField(_("anonymous"), default=True)
    name = EncryptedTextField(
        _("name"), max_length=200, blank=True, validators=[validate_single_line]
    )
    contact = EncryptedTextField(
        _("how to reach the person"), max_length=200, blank=True, validators=[validate_single_line]
    )
    message = EncryptedTextField(_("message"), max_length=5000, validators=[validate_multiline])
    language = models.CharField(
        _("language"), max_length=8, blank=True, validators=[validate_language]
    )
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=FeedbackStatus.choices,
        default=FeedbackStatus.RECEIVED,
    )
    category = models.CharField(
        _("category"), max_length=20, choices=FeedbackCategory.choices, blank=True
    )
    priority = models.CharField(
        _("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL
    )
    due_on = models.DateField(_("answer due on"))
    assigned_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assigned to"),
    )
    response = EncryptedTextField(
        _("response to the person"), max_length=5000, blank=True, validators=[validate_multiline]
    )
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(_("received"), default=timezone.now)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        ordering: ClassVar = ["due_on", "submitted_at", "id"]
        indexes: ClassVar = [
            models.Index(fields=["office", "kind", "status"], name="feedback_queue"),
            models.Index(fields=["due_on"], name="feedback_due"),
        ]

    def __str__(self) -> str:
        return f"Feedback {self.reference}"

    @property
    def is_misconduct(self) -> bool:
        return self.kind == Kind.MISCONDUCT

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate()

    def clean(self) -> None:
        errors: dict[str, ValidationError] = {}
        if self.kind == Kind.MISCONDUCT and not self.misconduct_type:
            errors["misconduct_type"] = ValidationError(
                _("Say what kind of misconduct this is."), code="required"
            )
        if self.kind != Kind.MISCONDUCT and self.misconduct_type:
            errors["misconduct_type"] = ValidationError(
                _("A type of misconduct is given only for a report of misconduct."),
                code="not_misconduct",
            )
        if self.anonymous and (self.name or self.contact):
            errors["anonymous"] = ValidationError(
                _("An anonymous report has no name and no contact."), code="anonymous"
            )
        if errors:
            raise ValidationError(errors)


class FeedbackNote(BaseModel):
    """An internal note on a report: never shown to the person. A note written while the report
    was in the independent queue (``independent``) stays there, even if the report is sent back
    to the office."""

    feedback = models.ForeignKey(Feedback, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    text = EncryptedTextField(_("note"), max_length=5000, validators=[validate_multiline])
    independent = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("internal note")
        verbose_name_plural = _("internal notes")
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk}"
