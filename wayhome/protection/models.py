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


class Transfer(models.Model):
    """One transfer of personal data out of the office, in the transfer register: a hand-over
    (to an origin office, a partner or an authority), a referral to a partner, a manifest for an
    airline, or a file (an export, a microdata release) downloaded. Per person for packages
    (with the consent relied on where consent governs the recipient); one row per file, with
    the number of rows, for files. Written by ``protection.transfers.transfer_record`` in the
    transaction of the transfer itself; never changed afterwards."""

    class Kind(models.TextChoices):
        HANDOVER = "handover", _("Hand-over")
        REFERRAL = "referral", _("Referral to a partner")
        EXPORT = "export", _("Export file")
        MICRODATA = "microdata", _("Microdata file")
        MANIFEST = "manifest", _("Airline manifest")

    class RecipientKind(models.TextChoices):
        ORIGIN_OFFICE = "origin_office", _("Office in the country of origin")
        PARTNER = "partner", _("Partner organisation")
        GOVERNMENT_AUTHORITY = "government_authority", _("Government authority")
        STAFF_FILE = "staff_file", _("A member of staff (file downloaded)")
        CARRIER = "carrier", _("Airline (manifest)")

    id = models.BigAutoField(primary_key=True)
    occurred_at = models.DateTimeField(_("when"), db_index=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("from office")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    case = models.ForeignKey(
        "cases.Case",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("case"),
    )
    recipient_kind = models.CharField(_("recipient"), max_length=24, choices=RecipientKind.choices)
    recipient_office = models.ForeignKey(
        Office,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recipient office"),
    )
    recipient_name = models.CharField(_("recipient name"), max_length=200, blank=True)
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("downloaded by"),
    )
    purpose = models.CharField(_("purpose"), max_length=500, blank=True)
    consent = models.ForeignKey(
        "consent.DataSharingConsent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent relied on"),
    )
    fields = models.JSONField(_("fields"), default=list)
    rows = models.PositiveIntegerField(_("people or rows"), default=1)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering: ClassVar = ["-occurred_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["office", "-occurred_at", "-id"], name="transfer_office_recent"),
        ]

    def __str__(self) -> str:
        return f"Transfer {self.pk}"

    @property
    def purpose_label(self) -> str:
        """A consent purpose's words (a code), else the purpose as written (a file's)."""
        from wayhome.consent.models import DataSharingConsent

        purposes = dict(DataSharingConsent.Purpose.choices)
        return str(purposes.get(self.purpose, self.purpose))


class DataRequest(BaseModel):
    """A request by a person about their own data, tracked from receipt to closure within the
    legal time limit: to see it (subject access: the data protection officer produces the
    bundle, as a PDF in the person's language and as JSON) or to have it corrected
    (rectification: closed as rectified or refused, with the reason). What the person asked and
    the officer's note are encrypted."""

    class Kind(models.TextChoices):
        ACCESS = "access", _("Access to their data")
        RECTIFICATION = "rectification", _("Rectification")

    class Channel(models.TextChoices):
        IN_PERSON = "in_person", _("In person")
        LETTER = "letter", _("Letter")
        EMAIL = "email", _("E-mail")
        PHONE = "phone", _("Telephone")
        REPRESENTATIVE = "representative", _("Through a representative")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    class Outcome(models.TextChoices):
        ANSWERED = "answered", _("Answered: the data was given")
        RECTIFIED = "rectified", _("Rectified")
        REFUSED = "refused", _("Refused, with the reason given to the person")
        WITHDRAWN = "withdrawn", _("Withdrawn by the person")

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="data_requests",
        verbose_name=_("person"),
    )
    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("office")
    )
    kind = models.CharField(_("request"), max_length=16, choices=Kind.choices)
    channel = models.CharField(
        _("received through"), max_length=16, choices=Channel.choices, default=Channel.IN_PERSON
    )
    received_on = models.DateField(_("received on"))
    due_on = models.DateField(_("answer due by"))
    details = EncryptedTextField(_("what the person asks"), blank=True)
    language = models.CharField(_("language of the answer"), max_length=8, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.CharField(_("outcome"), max_length=16, choices=Outcome.choices, blank=True)
    note = EncryptedTextField(_("note"), blank=True)
    produced_count = models.PositiveIntegerField(_("bundles produced"), default=0)
    last_produced_at = models.DateTimeField(_("last produced"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
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
        verbose_name = _("data protection request")
        verbose_name_plural = _("data protection requests")
        ordering: ClassVar = ["status", "due_on", "-created_at"]
        indexes: ClassVar = [
            models.Index(fields=["office", "status", "due_on"], name="datarequest_office_due"),
        ]

    def __str__(self) -> str:
        return f"Data request {self.pk}"

    @property
    def overdue(self) -> bool:
        from django.utils import timezone

        return self.status == self.Status.OPEN and self.due_on < timezone.localdate()

    def outcomes(self) -> list[tuple[str, str]]:
        """The outcomes that close a request of this kind."""
        allowed = {
            self.Kind.ACCESS: {self.Outcome.ANSWERED, self.Outcome.REFUSED, self.Outcome.WITHDRAWN},
            self.Kind.RECTIFICATION: {
                self.Outcome.RECTIFIED,
                self.Outcome.REFUSED,
                self.Outcome.WITHDRAWN,
            },
        }[self.Kind(self.kind)]
        return [(value, str(label)) for value, label in self.Outcome.choices if value in allowed]
