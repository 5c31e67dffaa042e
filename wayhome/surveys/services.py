"""Writes of the surveys app. Each runs in one transaction with its audit event and validates
everything before saving anything.

Who may write:
- instrument versions (drafted, published): "manage surveys" in any office (the instruments are
  shared by every office);
- the follow-up schedule of an office: "manage surveys" in that office;
- an interview: "conduct surveys" in an office working the case (the host office, or an origin
  office that took the case over, ``reintegration.access``);
- a recomputation of an interview's scores: "manage surveys" in an office working the case.

Scores are computed once, when an interview is recorded, under the version of the instrument
published then, and stored with that version. Publishing a new version never touches a stored
score: ``recompute`` is the only way scores change, an explicit and audited act that adds a new
current score set and keeps the old one.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm, has_perm_anywhere
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.movements.models import Arrival
from wayhome.reintegration import access
from wayhome.surveys import scoring
from wayhome.surveys.models import (
    Consent,
    Instrument,
    InstrumentVersion,
    Interview,
    Outcome,
    ScheduleItem,
    ScoreReason,
    ScoreSet,
    VersionStatus,
)

CONDUCT = Perm.SURVEY_CONDUCT
MANAGE = Perm.SURVEY_MANAGE


def may_manage_instruments(actor: Any) -> bool:
    return actor is None or has_perm_anywhere(actor, MANAGE)


def _stale(current: Any, version: int | None, what: Any) -> None:
    if version is not None and current.version != version:
        raise ValidationError(
            _("Someone else changed this %(what)s while you were editing. Reload and try again.")
            % {"what": what},
            code="stale",
        )


# --- instrument versions --------------------------------------------------------------------------


def published_version(instrument: Instrument | Any) -> InstrumentVersion | None:
    return (
        InstrumentVersion.objects.filter(instrument=instrument, status=VersionStatus.PUBLISHED)
        .select_related("instrument")
        .first()
    )


def version_create(*, actor: Any, code: str, definition: Any, notes: str = "") -> InstrumentVersion:
    """A draft version of the instrument ``code`` (made if new) from ``definition``; every
    problem of the definition is listed on ``definition`` (``ValidationError``)."""
    if not may_manage_instruments(actor):
        raise PermissionDenied
    with transaction.atomic():
        instrument = Instrument.objects.select_for_update().filter(code=code).first()
        if instrument is None:
            instrument = Instrument(code=code)
            instrument.full_clean()
            instrument.save(force_insert=True)
        last = instrument.versions.aggregate(last=Max("number"))["last"] or 0
        version = InstrumentVersion(
            instrument=instrument,
            number=last + 1,
            definition=definition,
            status=VersionStatus.DRAFT,
            notes=notes,
            created_by=actor,
        )
        version.full_clean(exclude=["instrument", "created_by"], validate_constraints=False)
        version.save(force_insert=True)
        audit_record(
            actor=actor,
            action="surveys.version_create",
            obj=version,
            details={"instrument": code, "number": version.number},
        )
    return version


def version_publish(*, actor: Any, version: InstrumentVersion) -> InstrumentVersion:
    """Publishes a draft: it is used for the interviews recorded from now on; the version
    published before is superseded. No stored score changes."""
    if not may_manage_instruments(actor):
        raise PermissionDenied
    with transaction.atomic():
        Instrument.objects.select_for_update().get(pk=version.instrument_id)
        current = InstrumentVersion.objects.select_for_update().get(pk=version.pk)
        if current.status != VersionStatus.DRAFT:
            raise ValidationError(_("Only a draft version can be published."), code="not_draft")
        scoring.parse(current.definition)  # checked again: nothing invalid is ever published
        previous = (
            InstrumentVersion.objects.select_for_update()
            .filter(instrument_id=current.instrument_id, status=VersionStatus.PUBLISHED)
            .first()
        )
        if previous is not None:
            previous.status = VersionStatus.SUPERSEDED
            previous.version += 1
            previous.save(update_fields=["status", "version", "updated_at"])
        current.status = VersionStatus.PUBLISHED
        current.published_at = timezone.now()
        current.published_by = actor
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="surveys.version_publish",
            obj=current,
            details={
                "instrument": current.instrument.code,
                "number": current.number,
                "superseded": previous.number if previous is not None else None,
            },
        )
    return current


# --- the schedule ---------------------------------------------------------------------------------

SCHEDULE_FIELDS = ("name", "days_after_arrival", "window_days", "active")


def schedule_item_create(
    *,
    actor: Any,
    office: Office,
    programme: str,
    instrument: Instrument,
    name: str,
    days_after_arrival: int,
    window_days: int | None = None,
) -> ScheduleItem:
    if actor is not None and not has_perm(actor, MANAGE, office.pk):
        raise PermissionDenied
    with transaction.atomic():
        item = ScheduleItem(
            office=office,
            programme=programme,
            instrument=instrument,
            name=name,
            days_after_arrival=days_after_arrival,
        )
        if window_days is not None:
            item.window_days = window_days
        item.full_clean(exclude=["office", "instrument"])
        if published_version(instrument) is None:
            raise ValidationError(
                {"instrument": _("This survey has no published version yet.")}, code="unpublished"
            )
        item.save(force_insert=True)
        audit_record(
            actor=actor,
            action="surveys.schedule_create",
            obj=item,
            details={"programme": programme, "instrument": instrument.code},
        )
    return item


def schedule_item_update(
    *, actor: Any, item: ScheduleItem, version: int | None = None, **fields: Any
) -> ScheduleItem:
    unknown = set(fields) - set(SCHEDULE_FIELDS)
    if unknown:
        raise TypeError(f"unknown schedule fields: {sorted(unknown)}")
    if actor is not None and not has_perm(actor, MANAGE, item.office_id):
        raise PermissionDenied
    with transaction.atomic():
        current = ScheduleItem.objects.select_for_update().get(pk=item.pk)
        _stale(current, version, _("follow-up"))
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, fields[name])
        current.full_clean(exclude=["office", "instrument"])
        current.version += 1
        current.save()
        action = (
            "surveys.schedule_deactivate"
            if changed == ["active"] and not current.active
            else "surveys.schedule_change"
        )
        audit_record(actor=actor, action=action, obj=current, details={"fields": changed})
    return current


def schedule_item_deactivate(*, actor: Any, item: ScheduleItem) -> ScheduleItem:
    """No more follow-ups are due for it; the interviews recorded for it stay."""
    return schedule_item_update(actor=actor, item=item, active=False)


# --- interviews -----------------------------------------------------------------------------------


def _returnee(case: Case, member: CaseMember | Any) -> CaseMember:
    found = CaseMember.objects.filter(
        case=case, pk=getattr(member, "pk", member), travelling=True
    ).first()
    if found is None:
        raise ValidationError(
            {"member": ValidationError(_("Choose a returnee of this case."), code="not_member")}
        )
    return found


def _check_outcome(consent: str, outcome: str) -> str:
    """The consent to store (none when the person was not reached)."""
    if outcome not in Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")}, code="invalid")
    if outcome == Outcome.UNREACHABLE:
        return ""
    if consent not in Consent.values:
        raise ValidationError(
            {"consent": _("Say whether the person consented to the interview.")},
            code="consent_missing",
        )
    if outcome == Outcome.COMPLETED and consent != Consent.GIVEN:
        raise ValidationError(
            {"consent": _("An interview is completed only with the person's consent.")},
            code="no_consent",
        )
    if consent == Consent.REFUSED and outcome != Outcome.REFUSED:
        raise ValidationError(
            {"outcome": _("The person refused: the outcome is a refusal.")}, code="refused"
        )
    return consent


def interview_record(
    *,
    actor: Any,
    case: Case,
    member: CaseMember | Any,
    instrument: Instrument | None = None,
    schedule_item: ScheduleItem | None = None,
    mode: str,
    conducted_on: datetime.date,
    consent: str,
    outcome: str,
    answers: Mapping[str, Any] | None = None,
    notes: str = "",
    interviewer: Any = None,
) -> Interview:
    """Records an interview (or an attempt: refused, unreachable) under the version of the
    instrument published now. Answers are kept, and scored, only for a completed interview."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
        office_id = access.require(actor, locked, CONDUCT)
        if not Arrival.objects.filter(case=locked).exists():
            raise ValidationError(
                _("Follow-up surveys are recorded once the arrival is confirmed."),
                code="not_arrived",
            )
        returnee = _returnee(locked, member)
        if schedule_item is not None:
            item = ScheduleItem.objects.filter(pk=schedule_item.pk).first()
            if (
                item is None
                or item.office_id != locked.office_id
                or item.programme != locked.programme
            ):
                raise ValidationError(
                    {"schedule_item": _("Choose a follow-up of this case's programme.")},
                    code="wrong_schedule",
                )
            if instrument is not None and instrument.pk != item.instrument_id:
                raise ValidationError(
                    {"instrument": _("This follow-up uses another survey.")}, code="mismatch"
                )
            instrument = item.instrument
            if (
                outcome == Outcome.COMPLETED
                and Interview.objects.filter(
                    member=returnee, schedule_item=item, outcome=Outcome.COMPLETED
                ).exists()
            ):
                raise ValidationError(
                    {"schedule_item": _("This follow-up was completed already for this person.")},
                    code="done",
                )
        if instrument is None:
            raise ValidationError({"instrument": _("Choose a survey.")}, code="required")
        version = published_version(instrument)
        if version is None:
            raise ValidationError(
                {"instrument": _("This survey has no published version yet.")}, code="unpublished"
            )
        stored_consent = _check_outcome(consent, outcome)
        definition = version.parsed
        cleaned: dict[str, str] = {}
        if outcome == Outcome.COMPLETED:
            try:
                cleaned = scoring.clean_answers(definition, answers or {})
            except ValidationError as exc:
                raise ValidationError(
                    {
                        f"q_{code}": errors
                        for code, errors in getattr(exc, "error_dict", {"answers": exc}).items()
                    }
                ) from None
        interview = Interview(
            office_id=office_id,
            case=locked,
            member=returnee,
            schedule_item=item if schedule_item is not None else None,
            instrument_version=version,
            mode=mode,
            interviewer=interviewer if interviewer is not None else actor,
            conducted_on=conducted_on,
            consent=stored_consent,
            outcome=outcome,
            answers=cleaned,
            notes=notes,
            recorded_by=actor,
        )
        interview.full_clean(
            exclude=[
                "office",
                "case",
                "member",
                "schedule_item",
                "instrument_version",
                "interviewer",
            ]
        )
        interview.save(force_insert=True)
        if outcome == Outcome.COMPLETED:
            _score(interview, version, cleaned, ScoreReason.INITIAL, actor, "")
        audit_record(
            actor=actor,
            action="surveys.interview_record",
            obj=interview,
            office_id=office_id,
            details={
                "case": str(locked.pk),
                "instrument": instrument.code,
                "number": version.number,
                "outcome": outcome,
            },
        )
    return interview


def _score(
    interview: Interview,
    version: InstrumentVersion,
    answers: Mapping[str, str],
    reason: str,
    actor: Any,
    note: str,
) -> ScoreSet:
    scores = scoring.score(version.parsed, answers)
    score_set = ScoreSet(
        interview=interview,
        instrument_version=version,
        values=scores.as_json(),
        composite=scores.composite,
        current=True,
        reason=reason,
        note=note,
        computed_by=actor,
    )
    score_set.save(force_insert=True)
    return score_set


def _fitting(definition: scoring.Definition, answers: Mapping[str, Any]) -> dict[str, str]:
    """The answers that are questions and options of ``definition`` (the others dropped)."""
    kept = {}
    for code, value in answers.items():
        try:
            question = definition.question(str(code))
        except KeyError:
            continue
        if isinstance(value, str) and question.option(value) is not None:
            kept[question.code] = value
    return kept


def recompute(
    *, actor: Any, interview: Interview, version: InstrumentVersion, reason: str
) -> ScoreSet:
    """Scores ``interview`` again under ``version`` (of its instrument, published now or
    before): a new current score set; the old one is kept. Answers that the version does not
    ask are left out (and counted in the audit event)."""
    reason = (reason or "").strip()
    with transaction.atomic():
        locked_case = Case.objects.select_for_update().get(pk=interview.case_id)
        office_id = access.require(actor, locked_case, MANAGE)
        current = (
            Interview.objects.select_for_update()
            .select_related("instrument_version__instrument")
            .get(pk=interview.pk)
        )
        if current.outcome != Outcome.COMPLETED:
            raise ValidationError(_("Only a completed interview has scores."), code="not_completed")
        target = (
            InstrumentVersion.objects.select_related("instrument").filter(pk=version.pk).first()
        )
        if target is None or target.instrument_id != current.instrument_version.instrument_id:
            raise ValidationError(
                {"version": _("Choose a version of this interview's survey.")}, code="mismatch"
            )
        if target.status == VersionStatus.DRAFT:
            raise ValidationError(
                {"version": _("Scores are computed under published versions only.")},
                code="draft",
            )
        if not reason:
            raise ValidationError(
                {"reason": _("Say why the scores are recomputed.")}, code="required"
            )
        if len(reason) > 2000:
            raise ValidationError({"reason": _("At most 2000 characters.")}, code="max_length")
        old = ScoreSet.objects.select_for_update().filter(interview=current, current=True).first()
        answers = dict(current.answers or {})
        kept = _fitting(target.parsed, answers)
        if old is not None:
            old.current = False
            old.save(update_fields=["current", "updated_at"])
        new = _score(current, target, kept, ScoreReason.RECOMPUTED, actor, reason)
        audit_record(
            actor=actor,
            action="surveys.recompute",
            obj=current,
            office_id=office_id,
            details={
                "instrument": target.instrument.code,
                "old_version": old.instrument_version.number if old is not None else None,
                "new_version": target.number,
                "answers_left_out": len(answers) - len(kept),
            },
        )
    return new
