"""The return-restriction register: append-only versions, the cases a suspension holds, and the
programme managers' decisions that let a case proceed under a case-by-case restriction.

A restriction is a *series* of versions (``series`` groups them, ``number`` counts 1, 2, 3...).
Nothing is changed in place or deleted: changing or lifting a restriction saves the next version.
A series keeps its place (country and optional region); its programmes, status, dates, reason and
source may change from one version to the next. On a date D, the version of a series in force is
the newest version that starts on or before D; it applies if it has not ended by D
(``selectors.restriction_in_force``).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wayhome.cases.models import Case
from wayhome.core.fields import EncryptedTextField
from wayhome.core.models import BaseModel


class RestrictionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CASE_BY_CASE = "case_by_case", _("Case by case")
    SUSPENDED = "suspended", _("Suspended")


#: The higher, the more restrictive.
SEVERITY: dict[str, int] = {
    RestrictionStatus.OPEN: 0,
    RestrictionStatus.CASE_BY_CASE: 1,
    RestrictionStatus.SUSPENDED: 2,
}


class Restriction(models.Model):
    """One version of a restriction; never changed once saved."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    series = models.UUIDField(_("restriction"), default=uuid.uuid4, db_index=True)
    number = models.PositiveIntegerField(_("version"), default=1)
    country = models.CharField(_("country"), max_length=2)
    region = models.CharField(_("region (ISO 3166-2)"), max_length=8, blank=True)
    programmes = models.JSONField(_("programmes"), default=list)  # Programme codes
    status = models.CharField(_("status"), max_length=16, choices=RestrictionStatus.choices)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    reason = models.CharField(_("reason"), max_length=1000)
    source = models.CharField(_("source"), max_length=500)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("approved by"),
    )
    pauses_post_arrival = models.BooleanField(
        _("pauses post-arrival services in this place"), default=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("return restriction")
        verbose_name_plural = _("return restrictions")
        ordering: ClassVar = ["country", "region", "series", "-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["series", "number"], name="restriction_version_once"),
        ]
        indexes: ClassVar = [models.Index(fields=["country", "region"])]

    def __str__(self) -> str:
        place = self.region or self.country
        return f"{place} v{self.number}: {self.status}"

    @property
    def place(self) -> str:
        return self.region or self.country


class RestrictionHold(models.Model):
    """A case put on hold by a suspension (``restriction``: the version that held it, or took the
    hold over when another suspension was lifted). ``released_at`` is set when it is released."""

    id = models.BigAutoField(primary_key=True)
    series = models.UUIDField(db_index=True)
    restriction = models.ForeignKey(Restriction, on_delete=models.PROTECT, related_name="holds")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="restriction_holds")
    held_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)
    released_by = models.ForeignKey(
        Restriction, on_delete=models.PROTECT, null=True, blank=True, related_name="releases"
    )

    class Meta:
        ordering: ClassVar = ["-held_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(released_at__isnull=True),
                name="restriction_hold_one_open_per_case",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.case_id} held by {self.restriction_id}"


class RestrictionDecision(BaseModel):
    """A programme manager allows a case's return under the case-by-case versions in force."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="restriction_decisions")
    restrictions = models.ManyToManyField(Restriction, related_name="decisions")
    reason = EncryptedTextField(_("reason"), max_length=2000)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField()

    class Meta:
        verbose_name = _("case-by-case decision")
        verbose_name_plural = _("case-by-case decisions")
        ordering: ClassVar = ["-decided_at", "-created_at"]

    def __str__(self) -> str:
        return f"Restriction decision {self.pk}"
