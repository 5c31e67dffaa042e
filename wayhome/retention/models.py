"""Retention of personal data (build order 9, part 2).

``RetentionRule``: how long an office keeps the personal data of one kind of record (closed
cases), for one programme or all, after the record was closed. ``LegalHold``: a case whose data
must be kept whatever the rules say (a court, an investigation, a complaint), placed and lifted
by a data protection officer. ``RetentionRun``: one run of the rules for one office, real or dry,
with counts per rule; ``RetentionItem``: one case the run anonymised (or would have). Once a case
is anonymised, ``AnonymisedCase`` remembers it: its statistics facts are frozen and later runs
skip it. None of these rows holds a personal value except the hold's reason, which is encrypted.
"""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import Programme
from wayhome.core.fields import EncryptedTextField
from wayhome.core.models import BaseModel


class RecordType(models.TextChoices):
    CLOSED_CASES = "closed_cases", _("Closed cases (closed, withdrawn or rejected)")
    PORTAL_INQUIRIES = "portal_inquiries", _("Portal inquiries (closed)")
    FEEDBACK = "feedback", _("Feedback and complaints (closed)")


#: The records other than cases that rules apply to: the model, with ``office`` and ``closed_at``.
RECORD_MODELS: dict[str, str] = {
    RecordType.PORTAL_INQUIRIES: "portal.inquiry",
    RecordType.FEEDBACK: "feedback.feedback",
}


class Unit(models.TextChoices):
    DAYS = "days", _("days")
    YEARS = "years", _("years")


class RetentionRule(BaseModel):
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("office")
    )
    programme = models.CharField(
        _("programme"),
        max_length=8,
        choices=Programme.choices,
        blank=True,
        help_text=_("Leave empty for every programme; a programme's own rule takes precedence."),
    )
    record_type = models.CharField(
        _("records"), max_length=24, choices=RecordType.choices, default=RecordType.CLOSED_CASES
    )
    amount = models.PositiveIntegerField(_("keep for"))
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices, default=Unit.YEARS)
    active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta:
        verbose_name = _("retention rule")
        verbose_name_plural = _("retention rules")
        ordering: ClassVar = ["office__name", "record_type", "programme"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["office", "record_type", "programme"], name="retention_rule_once"
            )
        ]

    def __str__(self) -> str:
        return f"Retention rule {self.pk}"

    def cutoff(self, today: datetime.date) -> datetime.date:
        """Records closed before this day are due."""
        if self.unit == Unit.DAYS:
            return today - datetime.timedelta(days=self.amount)
        year = today.year - self.amount
        try:
            return today.replace(year=year)
        except ValueError:  # 29 February
            return today.replace(year=year, day=28)

    @property
    def period_label(self) -> str:
        return f"{self.amount} {self.get_unit_display()}"


class LegalHold(BaseModel):
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, related_name="+", verbose_name=_("case")
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("office")
    )
    reason = EncryptedTextField(_("reason"), max_length=2000)
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("placed by"),
    )
    placed_at = models.DateTimeField(_("placed at"))
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("legal hold")
        verbose_name_plural = _("legal holds")
        ordering: ClassVar = ["-placed_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["case"],
                condition=models.Q(lifted_at__isnull=True),
                name="legal_hold_one_in_force",
            )
        ]
        indexes: ClassVar = [
            models.Index(fields=["office", "-placed_at", "-id"], name="legal_hold_office_recent")
        ]

    def __str__(self) -> str:
        return f"Legal hold {self.pk}"

    @property
    def in_force(self) -> bool:
        return self.lifted_at is None


class RetentionRun(BaseModel):
    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("office")
    )
    dry_run = models.BooleanField(_("dry run"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RUNNING
    )
    started_at = models.DateTimeField(_("started"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    as_of = models.DateField(_("as of"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    cases = models.PositiveIntegerField(_("cases"), default=0)
    held = models.PositiveIntegerField(_("cases held"), default=0)
    rows = models.PositiveIntegerField(_("rows erased"), default=0)
    #: ``{rule id: {"cases": n, "held": n, "rows": n}}``
    counts = models.JSONField(_("counts per rule"), default=dict)

    class Meta:
        verbose_name = _("retention run")
        verbose_name_plural = _("retention runs")
        ordering: ClassVar = ["-started_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["office", "-started_at", "-id"], name="retention_run_recent")
        ]

    def __str__(self) -> str:
        return f"Retention run {self.pk}"


class RetentionItem(models.Model):
    """A case (or an inquiry, a feedback: ``object_type``/``object_id``) a run anonymised
    (``outcome=anonymised``), would anonymise (dry run) or left alone because of a legal hold.
    Case reference and rule only: no name."""

    class Outcome(models.TextChoices):
        ANONYMISED = "anonymised", _("Anonymised")
        DUE = "due", _("Would be anonymised")
        HELD = "held", _("Kept: legal hold")

    id = models.BigAutoField(primary_key=True)
    run = models.ForeignKey(RetentionRun, on_delete=models.CASCADE, related_name="items")
    case = models.ForeignKey(
        "cases.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    object_type = models.CharField(max_length=64, default="cases.case")
    object_id = models.UUIDField(null=True, blank=True)
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    closed_on = models.DateField(_("closed on"))
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    rows = models.PositiveIntegerField(_("rows erased"), default=0)

    class Meta:
        ordering: ClassVar = ["closed_on", "id"]

    def __str__(self) -> str:
        return f"Retention item {self.pk}"

    @property
    def label(self) -> str:
        """The case's reference, else the kind of record and the start of its id."""
        if self.case_id is not None and self.case is not None:
            return self.case.reference
        return f"{self.object_type} {str(self.object_id)[:8]}"


class AnonymisedCase(models.Model):
    """A case whose personal data was erased: its statistics facts are kept as they were."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.PROTECT, primary_key=True, related_name="+"
    )
    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    anonymised_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Anonymised case {self.pk}"


class AnonymisedRecord(models.Model):
    """An inquiry or a feedback whose personal data was erased: later runs skip it."""

    id = models.BigAutoField(primary_key=True)
    object_type = models.CharField(max_length=64)
    object_id = models.UUIDField()
    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="+")
    rule = models.ForeignKey(RetentionRule, on_delete=models.PROTECT, related_name="+")
    anonymised_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["object_type", "object_id"], name="anonymised_record_once"
            )
        ]

    def __str__(self) -> str:
        return f"Anonymised record {self.pk}"
