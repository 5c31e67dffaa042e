"""Eligibility: the rules of each programme, kept as versioned data, and the decisions taken.

A ``RuleSet`` is never changed once saved: editing a programme's rules saves a new version, and
the newest version of a programme is its active one. A decision points at the exact version it
applied, so an old decision still says which rules it was taken under.

``RuleSet`` is not a ``BaseModel``: its ``version`` is the rules' version number within the
programme (1, 2, 3...), not an optimistic-concurrency counter (a rule set is never edited).
"""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wayhome.cases.models import Case, Programme
from wayhome.core.fields import EncryptedTextField
from wayhome.core.models import BaseModel


class RuleSet(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    programme = models.CharField(_("programme"), max_length=8, choices=Programme.choices)
    version = models.PositiveIntegerField(_("version"))
    rules = models.JSONField(_("rules"))  # validated by rules.validate_rules
    note = models.CharField(_("what changed and why"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("eligibility rule set")
        verbose_name_plural = _("eligibility rule sets")
        ordering: ClassVar = ["programme", "-version"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["programme", "version"], name="ruleset_version_once_per_programme"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} v{self.version}"


class EligibilityDecision(BaseModel):
    class Outcome(models.TextChoices):
        ELIGIBLE = "eligible", _("Eligible")
        NOT_ELIGIBLE = "not_eligible", _("Not eligible")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="eligibility_decisions")
    ruleset = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="decisions")
    # [{"kind", "passed", "message", "subject"}] (rules.RuleResult.as_dict)
    results = models.JSONField(default=list)
    # What the decision looked at (category, destination, travellers' ids): when it changes,
    # the decision is out of date (selectors.decision_problems).
    basis = models.JSONField(default=dict)
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField()
    override = models.BooleanField(_("overridden"), default=False)
    override_reason = EncryptedTextField(_("reason for the override"), max_length=2000, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    overridden_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("eligibility decision")
        verbose_name_plural = _("eligibility decisions")
        ordering: ClassVar = ["-decided_at", "-created_at"]

    def __str__(self) -> str:
        return f"Eligibility decision {self.pk}"

    @property
    def positive(self) -> bool:
        """Eligible, or not eligible and overridden by a programme manager."""
        return self.outcome == self.Outcome.ELIGIBLE or self.override
