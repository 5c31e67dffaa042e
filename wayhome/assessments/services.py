"""Writes about vulnerability: screenings, specialised assessments, step consents and
break-the-glass accesses. Each runs in one transaction, locks the case, validates every field
(``full_clean``) and records its audit event. Audit details hold codes and counts, never notes,
findings or reasons.

Recording needs "change case" in the case's office (a medical officer's "medical record" is
enough for medical assessments and fitness checks). A case that reached a final status keeps its
record as it was.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.assessments.models import (
    BREAK_GLASS_MINUTES,
    BREAK_GLASS_REASON_MIN,
    Assessment,
    BreakGlassAccess,
    Kind,
    Screening,
    StepConsent,
)
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.workflow import TERMINAL, Status

HEALTH_KINDS = frozenset({Kind.MEDICAL, Kind.FITNESS})


def may_record(actor: Any, office_id: Any, kind: str | None = None) -> bool:
    if has_perm(actor, Perm.CASE_CHANGE, office_id):
        return True
    return kind in HEALTH_KINDS and has_perm(actor, Perm.MEDICAL_RECORD, office_id)


def _lock_case(actor: Any, member: CaseMember, kind: str | None = None) -> Case:
    locked = Case.objects.select_for_update().get(pk=member.case_id)
    if actor is not None and not may_record(actor, locked.office_id, kind):
        raise PermissionDenied
    if locked.status in TERMINAL:
        raise ValidationError(
            _("The case is “%(status)s”: its record can no longer change.")
            % {"status": Status(locked.status).label},
            code="case_closed",
        )
    return locked


def _full_clean(record: Any) -> None:
    """``full_clean`` keeping each error's code (``future_date``, ``unknown_flag``...)."""
    try:
        record.full_clean()
    except ValidationError as exc:
        errors = (
            exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
        )
        raise ValidationError(errors) from None


def _text(value: str) -> str:
    return value.strip() if isinstance(value, str) else value


def screening_record(
    *,
    actor: Any,
    member: CaseMember,
    screened_on: datetime.date,
    factors: dict[str, str],
    flags: Iterable[str],
    notes: str = "",
) -> Screening:
    """Records a screening of ``member``; it replaces the earlier one (which is kept)."""
    with transaction.atomic():
        locked = _lock_case(actor, member)
        screening = Screening(
            member=member,
            screened_on=screened_on,
            factors=dict(factors),
            flags=list(flags),
            notes=_text(notes),
            recorded_by=actor,
        )
        _full_clean(screening)
        screening.save(force_insert=True)
        audit_record(
            actor=actor,
            action="assessments.screening_record",
            obj=screening,
            office_id=locked.office_id,
            details={"flags": sorted(screening.flags), "factors": len(screening.factors)},
        )
    return screening


ASSESSMENT_FIELDS = (
    "details",
    "recommendation",
    "panel",
    "guardian",
    "family_assessment",
    "reception_arrangement",
    "supervised_travel",
    "retrafficking_risk",
    "escort",
    "receiving_provider",
    "fit_to_travel",
    "valid_until",
    "travel_conditions",
)


def assessment_record(
    *, actor: Any, member: CaseMember, kind: str, assessed_on: datetime.date, **fields: Any
) -> Assessment:
    """Records a specialised assessment of ``member`` (the latest of its kind is in force).
    ``fields``: those of ``ASSESSMENT_FIELDS`` that the kind uses."""
    unknown = set(fields) - set(ASSESSMENT_FIELDS)
    if unknown:
        raise TypeError(f"unknown assessment fields: {sorted(unknown)}")
    with transaction.atomic():
        locked = _lock_case(actor, member, kind)
        assessment = Assessment(
            member=member,
            kind=kind,
            assessed_on=assessed_on,
            recorded_by=actor,
            **{name: _text(value) for name, value in fields.items()},
        )
        _full_clean(assessment)
        assessment.save(force_insert=True)
        audit_record(
            actor=actor,
            action="assessments.assessment_record",
            obj=assessment,
            office_id=locked.office_id,
            details={"kind": kind, "satisfies": assessment.satisfies},
        )
    return assessment


def step_consent_record(
    *,
    actor: Any,
    member: CaseMember,
    step: str,
    consents: bool,
    right_to_decline_explained: bool,
    given_on: datetime.date,
) -> StepConsent:
    """Records a trafficking victim's informed consent (or refusal) at one step."""
    with transaction.atomic():
        locked = _lock_case(actor, member)
        consent = StepConsent(
            member=member,
            step=step,
            consents=consents,
            right_to_decline_explained=right_to_decline_explained,
            given_on=given_on,
            recorded_by=actor,
        )
        _full_clean(consent)
        consent.save(force_insert=True)
        audit_record(
            actor=actor,
            action="assessments.step_consent_record",
            obj=consent,
            office_id=locked.office_id,
            details={"step": step, "consents": consents},
        )
    return consent


def break_glass_open(*, actor: Any, assessment: Assessment, reason: str) -> BreakGlassAccess:
    """Grants ``actor``, who may see the case but lacks the kind's permission, the details of
    ``assessment`` for ``BREAK_GLASS_MINUTES``. The reason is kept (encrypted) for the data
    protection officer; the audit event says that it happened, not why."""
    reason = _text(reason)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=assessment.member.case_id)
        if not has_perm(actor, Perm.CASE_VIEW, case.office_id):
            raise PermissionDenied
        if has_perm(actor, assessment.perm, case.office_id):
            raise ValidationError(_("You may already read these details."), code="not_needed")
        access = BreakGlassAccess(
            user=actor,
            assessment=assessment,
            office_id=case.office_id,
            reason=reason,
            expires_at=timezone.now() + timedelta(minutes=BREAK_GLASS_MINUTES),
        )
        errors: dict[str, list[ValidationError]] = {}
        try:
            access.full_clean()
        except ValidationError as exc:
            errors.update(exc.error_dict)
        if len(reason) < BREAK_GLASS_REASON_MIN and "reason" not in errors:
            errors["reason"] = [
                ValidationError(
                    _("Give a reason of at least %(min)s characters.")
                    % {"min": BREAK_GLASS_REASON_MIN},
                    code="too_short",
                )
            ]
        if errors:
            raise ValidationError(errors)
        access.save(force_insert=True)
        audit_record(
            actor=actor,
            action="assessments.break_glass",
            obj=access,
            office_id=case.office_id,
            details={"kind": assessment.kind, "assessment": str(assessment.pk)},
        )
    return access
