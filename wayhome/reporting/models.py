"""Reporting: the facts statistics are computed from, microdata releases and monthly reports.

``ReturnFact`` is one row per person on a case, kept in step with the case by ``facts.py`` (on
commit of every change that moves a figure, and rebuilt by ``manage.py reporting_rebuild``). It
holds no personal value: every field is a code, a date of the process or a generalised value
(an age group, never a date of birth). Statistics read this one narrow table instead of joining
and decrypting the case records, which keeps a dashboard over a million cases fast, and the
figures survive the anonymisation of the cases they count (build order 9), which keeps the
case rows.
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import Case, CaseMember
from wayhome.core.fields import EncryptedBinaryField
from wayhome.core.models import BaseModel

#: Statuses a case can spend time in, each with its column of days on ``ReturnFact``.
TIMED_STATUSES: tuple[str, ...] = (
    "registered",
    "counselling",
    "application_submitted",
    "approved",
    "travel_preparation",
    "ready_to_depart",
    "departed",
    "arrived",
    "reintegration_planning",
    "reintegration_assistance",
    "monitoring",
    "on_hold",
)


def days_field(status: str) -> str:
    return f"days_{status}"


class ReturnFact(models.Model):
    """One person on one case, as statistics see them (no personal value)."""

    id = models.BigAutoField(primary_key=True)
    member = models.OneToOneField(CaseMember, on_delete=models.CASCADE, related_name="+")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="+")
    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    host_country = models.CharField(max_length=2)
    origin_country = models.CharField(max_length=2)
    origin_region = models.CharField(max_length=8, blank=True)  # ISO 3166-2
    origin_area = models.CharField(max_length=40, blank=True)  # UN M49 sub-region
    programme = models.CharField(max_length=8)
    category = models.CharField(max_length=32)
    status = models.CharField(max_length=32)
    principal = models.BooleanField(default=False)  # counts the case once
    travelling = models.BooleanField(default=True)
    sex = models.CharField(max_length=16)
    age_group = models.CharField(max_length=8, blank=True)  # "" when the age is not known
    vulnerability = models.CharField(max_length=24)  # the main one (dimensions.VULNERABILITY)
    child = models.BooleanField(default=False)
    trafficking = models.BooleanField(default=False)
    health = models.BooleanField(default=False)
    funding_source = models.CharField(max_length=120, blank=True)
    registered_on = models.DateField()
    applied_on = models.DateField(null=True)
    approved_on = models.DateField(null=True)
    departure_date = models.DateField(null=True)
    arrival_date = models.DateField(null=True)
    closed_on = models.DateField(null=True)
    days_to_departure = models.IntegerField(null=True)  # application to departure
    # Days the case spent in each status (principal rows only; null when never there).
    days_registered = models.IntegerField(null=True)
    days_counselling = models.IntegerField(null=True)
    days_application_submitted = models.IntegerField(null=True)
    days_approved = models.IntegerField(null=True)
    days_travel_preparation = models.IntegerField(null=True)
    days_ready_to_depart = models.IntegerField(null=True)
    days_departed = models.IntegerField(null=True)
    days_arrived = models.IntegerField(null=True)
    days_reintegration_planning = models.IntegerField(null=True)
    days_reintegration_assistance = models.IntegerField(null=True)
    days_monitoring = models.IntegerField(null=True)
    days_on_hold = models.IntegerField(null=True)
    refreshed_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["office", "departure_date"], name="fact_office_departure"),
            models.Index(fields=["office", "status"], name="fact_office_status"),
            models.Index(fields=["case"], name="fact_case"),
        ]

    def __str__(self) -> str:
        return f"ReturnFact {self.pk}"


class MicrodataRelease(BaseModel):
    """A file of pseudonymised records for an evaluation: released only when k-anonymous.

    The file is pseudonymised personal data: it is stored encrypted, downloadable by the person who
    asked for it while it is valid, and every release, refusal and download is audited."""

    class Status(models.TextChoices):
        RELEASED = "released", _("Released")
        REFUSED = "refused", _("Refused")

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    offices = models.ManyToManyField(Office, related_name="+", verbose_name=_("offices"))
    purpose = models.CharField(_("purpose"), max_length=500)
    recipient = models.CharField(_("recipient"), max_length=200)
    period_from = models.DateField(_("departures from"), null=True, blank=True)
    period_to = models.DateField(_("departures to"), null=True, blank=True)
    quasi_identifiers = models.JSONField(_("quasi-identifiers"), default=list)
    generalisation = models.JSONField(_("generalisation"), default=dict)
    k = models.PositiveIntegerField(_("k"), default=5)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices)
    rows = models.PositiveIntegerField(default=0)
    smallest_class = models.PositiveIntegerField(null=True)
    classes_below_k = models.PositiveIntegerField(default=0)
    content = EncryptedBinaryField(null=True, blank=True, max_length=500_000_000)
    digest = models.CharField(max_length=64, blank=True)  # SHA-256 of the file
    expires_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("microdata release")
        verbose_name_plural = _("microdata releases")
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"MicrodataRelease {self.pk}"


class MonthlyReport(BaseModel):
    """The monthly report of an office as a PDF (aggregated figures after disclosure control)."""

    office = models.ForeignKey(Office, on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("month"))  # its first day
    pdf = models.BinaryField()
    sent_to = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        ordering: ClassVar = ["-month", "office__code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["office", "month"], name="monthly_report_once"),
        ]

    def __str__(self) -> str:
        return f"MonthlyReport {self.month:%Y-%m}"


class StaleCase(models.Model):
    """A case whose facts must be recomputed: marked in the same transaction as the change (so a
    committed change is never forgotten), cleared by ``facts.facts_sync`` once recomputed."""

    case_id = models.UUIDField(primary_key=True)
    marked_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"StaleCase {self.case_id}"
