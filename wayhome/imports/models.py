"""Bulk import: where files come from (``ImportSource``, with its column mapping), each upload
and its outcome (``ImportRun``), and what was imported from which row (``ImportedRecord``).

The uploaded file is stored encrypted (it holds personal data) and the per-row report holds row
numbers, external ids, field names and problems only, never a value from the file. An external
id is stored as a blind index (``crypto.blind_index``): an office may use a national number as
its id, and the database need only answer "was this id imported from this source before?".
"""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.core.fields import EncryptedBinaryField
from wayhome.core.models import BaseModel


class ImportSource(BaseModel):
    """A kind of file an office imports (a KoBoToolbox form, a partner's spreadsheet), with the
    saved mapping of its column headers to Wayhome's fields (``mapping``: header -> field)."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="import_sources", verbose_name=_("office")
    )
    name = models.CharField(_("name"), max_length=120)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("import source")
        verbose_name_plural = _("import sources")
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["office", "name"], name="import_source_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class ImportRun(BaseModel):
    """One upload of a file for one source: a dry run (validates, saves nothing) or a real run."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Kind(models.TextChoices):
        CSV = "csv", _("CSV")
        XLSX = "xlsx", _("Excel workbook (XLSX)")

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="import_runs", verbose_name=_("office")
    )
    source = models.ForeignKey(
        ImportSource, on_delete=models.PROTECT, related_name="runs", verbose_name=_("source")
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_kind = models.CharField(_("file type"), max_length=8, choices=Kind.choices)
    file_digest = models.CharField(_("SHA-256 of the file"), max_length=64)
    content = EncryptedBinaryField(_("file"), null=True, blank=True, editable=False)
    dry_run = models.BooleanField(_("dry run"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.QUEUED
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    unchanged_count = models.PositiveIntegerField(_("already imported"), default=0)
    error_count = models.PositiveIntegerField(_("rows with errors"), default=0)
    held_count = models.PositiveIntegerField(_("held as possible duplicates"), default=0)
    cases_created = models.PositiveIntegerField(_("cases opened"), default=0)
    # [[row, external id, field, problem], ...] in row order: never a value from the file.
    report = models.JSONField(default=list, blank=True, editable=False)
    message = models.CharField(max_length=500, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("import run")
        verbose_name_plural = _("import runs")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["office", "-created_at", "-id"], name="import_run_office_recent"),
        ]

    def __str__(self) -> str:
        return f"ImportRun {self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if not self.rows_total:
            return 100 if self.finished else 0
        return min(100, (100 * self.rows_done) // self.rows_total)


class ImportedRecord(models.Model):
    """A row imported from a source: its external id (as a blind index) and what it became.
    Re-importing the id creates nothing; ``digest`` tells an unchanged row from a changed one."""

    id = models.BigAutoField(primary_key=True)
    source = models.ForeignKey(ImportSource, on_delete=models.PROTECT, related_name="records")
    external_key = models.CharField(max_length=32)
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+", null=True, blank=True
    )
    case = models.ForeignKey(
        "cases.Case", on_delete=models.SET_NULL, related_name="+", null=True, blank=True
    )
    run = models.ForeignKey(
        ImportRun, on_delete=models.SET_NULL, related_name="records", null=True, blank=True
    )
    digest = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["source", "external_key"], name="imported_record_once"),
        ]

    def __str__(self) -> str:
        return f"ImportedRecord {self.pk}"
