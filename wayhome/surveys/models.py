"""Surveys (build order 6): instruments as versioned data, the schedule of follow-up interviews
per office and programme, the interviews themselves and the scores computed from them.

A definition (``InstrumentVersion.definition``) is checked by ``scoring.parse``; a published
version is never edited (a change is a new version). A ``ScoreSet`` holds the scores of one
interview computed under one version and is never changed either: a recomputation adds a new
current set and keeps the old one (``services.recompute``). Answers and notes are encrypted;
``str()`` never names anyone.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.cases.models import Case, CaseMember, Programme
from wayhome.consent.models import validate_not_future
from wayhome.core.fields import EncryptedJSONField, EncryptedTextField
from wayhome.core.models import BaseModel
from wayhome.core.text import validate_multiline, validate_single_line
from wayhome.surveys import scoring


class Instrument(BaseModel):
    """A survey (the Reintegration Sustainability Survey, the satisfaction survey...): its
    questions and scoring live in its versions."""

    code = models.SlugField(_("code"), max_length=60, unique=True)

    class Meta:
        verbose_name = _("survey instrument")
        verbose_name_plural = _("survey instruments")
        ordering: ClassVar = ["code"]

    def __str__(self) -> str:
        return self.code


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published (in use)")
    SUPERSEDED = "superseded", _("Superseded")


class InstrumentVersion(BaseModel):
    instrument = models.ForeignKey(Instrument, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("version"))
    definition = models.JSONField(_("definition"))
    status = models.CharField(
        _("status"), max_length=12, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    notes = models.TextField(
        _("what changed"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        ordering: ClassVar = ["instrument__code", "-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["instrument", "number"], name="one_version_number"),
            models.UniqueConstraint(
                fields=["instrument"],
                condition=Q(status="published"),
                name="one_published_version",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.instrument_id} v{self.number}"

    def clean(self) -> None:
        try:
            parsed = scoring.parse(self.definition)
        except ValidationError as exc:
            raise ValidationError({"definition": exc.messages}) from None
        code = getattr(self, "_instrument_code", None) or (
            self.instrument.code if self.instrument_id else None
        )
        if code and parsed.code != code:
            raise ValidationError(
                {"definition": _('The definition\'s "code" must be %(code)s.') % {"code": code}}
            )

    @cached_property
    def parsed(self) -> scoring.Definition:
        return scoring.parse(self.definition)

    def text(self, texts: Any) -> str:
        """A text of the definition in the current language (else English)."""
        return self.parsed.text(texts)

    @property
    def title(self) -> str:
        return self.parsed.text(self.definition.get("title"))


def default_window() -> int:
    return int(getattr(settings, "SURVEY_WINDOW_DAYS", 30))


class ScheduleItem(BaseModel):
    """A follow-up interview due ``days_after_arrival`` days after a returnee's arrival, for the
    cases of an office and a programme, open for ``window_days`` days before it is overdue."""

    office = models.ForeignKey(Office, on_delete=models.PROTECT, related_name="+")
    programme = models.CharField(_("programme"), max_length=8, choices=Programme.choices)
    instrument = models.ForeignKey(
        Instrument, on_delete=models.PROTECT, related_name="+", verbose_name=_("survey")
    )
    name = models.CharField(_("name"), max_length=120, validators=[validate_single_line])
    days_after_arrival = models.PositiveIntegerField(
        _("days after arrival"), validators=[MaxValueValidator(3650)]
    )
    window_days = models.PositiveIntegerField(
        _("days to complete it"),
        default=default_window,
        validators=[MaxValueValidator(365)],
        help_text=_("After this many days past its due date, the interview is overdue."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("follow-up schedule item")
        verbose_name_plural = _("follow-up schedule")
        ordering: ClassVar = ["programme", "days_after_arrival", "name", "id"]

    def __str__(self) -> str:
        return self.name


class Mode(models.TextChoices):
    PHONE = "phone", _("By phone")
    VISIT = "visit", _("Visit")
    SELF = "self_completed", _("Self-completed")


class Consent(models.TextChoices):
    GIVEN = "given", _("Consented to the interview")
    REFUSED = "refused", _("Refused to be interviewed")


class Outcome(models.TextChoices):
    COMPLETED = "completed", _("Completed")
    REFUSED = "refused", _("Refused")
    UNREACHABLE = "unreachable", _("Could not be reached")


class Interview(BaseModel):
    """One administration of a survey to one returnee (``member``), under the version published
    when it was recorded. Answers are kept only when the interview was completed."""

    office = models.ForeignKey(
        Office, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded in")
    )
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="survey_interviews")
    member = models.ForeignKey(
        CaseMember, on_delete=models.PROTECT, related_name="+", verbose_name=_("returnee")
    )
    schedule_item = models.ForeignKey(
        ScheduleItem,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="interviews",
        verbose_name=_("follow-up"),
    )
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version")
    )
    mode = models.CharField(_("mode"), max_length=16, choices=Mode.choices)
    interviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("interviewer"),
    )
    conducted_on = models.DateField(_("date"), validators=[validate_not_future])
    consent = models.CharField(_("consent"), max_length=8, choices=Consent.choices, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices)
    answers = EncryptedJSONField(default=dict, blank=True)
    notes = EncryptedTextField(
        _("notes"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("survey interview")
        verbose_name_plural = _("survey interviews")
        ordering: ClassVar = ["-conducted_on", "-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["member", "schedule_item"])]

    def __str__(self) -> str:
        return f"Interview {self.pk}"


class ScoreReason(models.TextChoices):
    INITIAL = "initial", _("Computed when the interview was recorded")
    RECOMPUTED = "recomputed", _("Recomputed")


class ScoreSet(BaseModel):
    """The scores of one interview under one version (``values`` = ``Scores.as_json()``)."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="score_sets")
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="+", verbose_name=_("version")
    )
    values = models.JSONField(default=dict)
    #: The composite, for aggregates (``values`` holds it too).
    composite = models.DecimalField(max_digits=8, decimal_places=6, null=True, blank=True)
    current = models.BooleanField(default=True)
    reason = models.CharField(max_length=12, choices=ScoreReason.choices)
    note = EncryptedTextField(
        _("reason"), max_length=2000, blank=True, validators=[validate_multiline]
    )
    computed_at = models.DateTimeField(default=timezone.now)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("score set")
        verbose_name_plural = _("score sets")
        ordering: ClassVar = ["-computed_at", "-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["interview"], condition=Q(current=True), name="one_current_score_set"
            )
        ]

    def __str__(self) -> str:
        return f"Score set {self.pk}"

    def dimension(self, code: str) -> str | None:
        """A stored score as text ("0.62"), ``composite`` included, or None."""
        if code == "composite":
            value = self.values.get("composite")
        else:
            value = (self.values.get("dimensions") or {}).get(code)
        return None if value is None else str(value)
