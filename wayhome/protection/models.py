"""Data protection in operation (build order 9).

``AccessAlert``: a user opened many person records, or asked for many exports, within a short
time: the pattern of an attacker posing as a legitimate user (the 2022 breach of a humanitarian
database went unnoticed for about 70 days). Raised by ``wayhome.protection.alerts`` as the audit
trail records the accesses, shown to the data protection officers of the offices whose records
were opened, closed by one of them with an outcome. An alert holds counts and times, never a
person's data; the officer's note is encrypted.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.core.fields import EncryptedTextField
from wayhome.core.models import BaseModel


class AccessAlert(BaseModel):
    class Kind(models.TextChoices):
        RECORDS = "records", _("Many person records opened")
        EXPORTS = "exports", _("Many exports")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        JUSTIFIED = "justified", _("Justified by the work")
        ACCESS_REVOKED = "access_revoked", _("Access revoked")
        ESCALATED = "escalated", _("Escalated as a possible breach")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("user"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    offices = models.ManyToManyField(Office, related_name="+", verbose_name=_("offices"))
    count = models.PositiveIntegerField(_("count"))
    threshold = models.PositiveIntegerField(_("threshold"))
    window_minutes = models.PositiveIntegerField(_("window in minutes"))
    first_at = models.DateTimeField(_("first access counted"))
    last_at = models.DateTimeField(_("last access counted"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("closed by"),
    )
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("access alert")
        verbose_name_plural = _("access alerts")
        ordering: ClassVar = ["-last_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["user", "kind", "status", "-last_at"], name="alert_user_recent"),
            models.Index(fields=["status", "-last_at"], name="alert_status_recent"),
        ]

    def __str__(self) -> str:
        return f"Access alert {self.pk}"
