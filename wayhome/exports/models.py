"""An export asked for by a user: what (a kind and filters of codes), in which format, how far
the writing has got, and the encrypted file it produced (a blob, ``wayhome.core.blobs``).

``filters`` holds codes and ids only (a status, a country code, an office's id), never a name.
The file holds personal data: it is stored encrypted, only its owner may download it, and it is
deleted when the export expires (``expires_at``, ``manage.py purge_exports``).
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.core.models import BaseModel


class Export(BaseModel):
    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    class Format(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel workbook (XLSX)")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="exports", verbose_name=_("office")
    )
    kind = models.CharField(_("kind"), max_length=32)
    format = models.CharField(_("format"), max_length=8, choices=Format.choices)
    filters = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    total = models.PositiveIntegerField(_("rows"), default=0)
    done = models.PositiveIntegerField(_("rows written"), default=0)
    blob = models.CharField(max_length=80, blank=True, editable=False)
    size = models.PositiveBigIntegerField(_("size in bytes"), default=0)
    error = models.CharField(_("error"), max_length=500, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"))

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["owner", "-created_at", "-id"], name="export_owner_recent"),
            models.Index(fields=["expires_at"], name="export_expiry"),
        ]

    def __str__(self) -> str:
        return f"Export {self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.EXPIRED)

    @property
    def is_expired(self) -> bool:
        return self.status == self.Status.EXPIRED or self.expires_at <= timezone.now()

    @property
    def percent(self) -> int:
        if not self.total:
            return 100 if self.finished else 0
        return min(100, (100 * self.done) // self.total)

    @property
    def file_name(self) -> str:
        """The download's name: the kind, the day and the format (no name, no reference)."""
        day = timezone.localtime(self.created_at).strftime("%Y-%m-%d")
        return f"wayhome-{self.kind}-{day}.{self.format}"
