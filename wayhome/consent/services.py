"""Writes about voluntariness and consent. Each runs in one transaction with its audit event.

Everything recorded about a case's consent locks the case first, needs "change case" in its
office, and is refused once the case has left the steps before departure (a withdrawn, rejected,
closed or departed case keeps its record as it was). Audit details hold codes and counts, never
names, reasons or notes.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.services import TransitionBlocked, case_transition
from wayhome.cases.workflow import PRE_DEPARTURE, Status, Unmet
from wayhome.consent.models import (
    SIGNED_FORM_MAX_BYTES,
    SIGNED_FORM_TYPES,
    CapacityAssessment,
    DataSharingConsent,
    InformationSession,
    LegalRepresentative,
    RepresentativeDecision,
    VoluntarinessDeclaration,
    Withdrawal,
)
from wayhome.consent.signals import sharing_consent_revoked
from wayhome.people.models import Person

#: Where consent may still be recorded, and a migrant may withdraw.
OPEN_STATUSES: frozenset[str] = frozenset({*PRE_DEPARTURE, Status.ON_HOLD})

_MAGIC: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def signed_form_check(data: bytes, content_type: str, *, field: str = "signed_form") -> str:
    """The content type of an uploaded signed form, checked against its bytes; else a field error.

    Only PDF, JPEG and PNG, up to ``SIGNED_FORM_MAX_BYTES``; the declared type must match what
    the file really is (a renamed file is refused)."""
    content_type = content_type.split(";")[0].strip().lower()
    if content_type == "image/jpg":
        content_type = "image/jpeg"
    if not data:
        raise ValidationError({field: ValidationError(_("The file is empty."), code="empty")})
    if len(data) > SIGNED_FORM_MAX_BYTES:
        message = _("The file is too large (at most %(limit)s MB).") % {
            "limit": SIGNED_FORM_MAX_BYTES // 1_000_000
        }
        raise ValidationError({field: ValidationError(message, code="too_large")})
    if content_type not in SIGNED_FORM_TYPES or not data.startswith(_MAGIC[content_type]):
        wrong = _("Attach the signed form as a PDF, JPEG or PNG file.")
        raise ValidationError({field: ValidationError(wrong, code="file_type")})
    return content_type


def _require(actor: Any, perm: Perm, office_id: Any) -> None:
    if actor is not None and not has_perm(actor, perm, office_id):
        raise PermissionDenied


def _lock_open_case(actor: Any, case_id: Any) -> Case:
    """The case locked for update, if ``actor`` may change it and it is still before departure."""
    locked = Case.objects.select_for_update().get(pk=case_id)
    _require(actor, Perm.CASE_CHANGE, locked.office_id)
    if locked.status not in OPEN_STATUSES:
        raise ValidationError(
            _("The case is “%(status)s”: its consent record can no longer change.")
            % {"status": Status(locked.status).label},
            code="case_closed",
        )
    return locked


def _collect(errors: dict[str, Any], exc: ValidationError) -> None:
    """Adds ``exc`` to ``errors`` (field -> list of ValidationError), keeping each error's code
    so that the API can say which kind of error it is (``future_date``, ``required``...)."""
    for field, items in (
        exc.error_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.error_list}
    ).items():
        errors.setdefault(field, []).extend(items)


def _clean_text(value: str) -> str:
    return value.strip()


def session_record(
    *,
    actor: Any,
    case: Case,
    held_on: datetime.date,
    language: str,
    topics: Iterable[str],
    attendees: Iterable[CaseMember],
    counsellor: Any = None,
    interpreter: bool = False,
    interpreter_name: str = "",
    materials_given: str = "",
) -> InformationSession:
    """Records an information session held for some members of ``case``."""
    people = list(attendees)
    with transaction.atomic():
        locked = _lock_open_case(actor, case.pk)
        counsellor = counsellor or actor
        session = InformationSession(
            case=locked,
            held_on=held_on,
            counsellor=counsellor,
            language=language,
            interpreter=interpreter,
            interpreter_name=_clean_text(interpreter_name),
            topics=list(topics),
            materials_given=_clean_text(materials_given),
            recorded_by=actor,
        )
        errors: dict[str, Any] = {}
        try:
            session.full_clean()
        except ValidationError as exc:
            _collect(errors, exc)
        if not people:
            errors["attendees"] = [ValidationError(_("Choose who attended."), code="required")]
        elif any(member.case_id != locked.pk for member in people):
            errors["attendees"] = [
                ValidationError(
                    _("Choose attendees among the members of this case."), code="invalid"
                )
            ]
        if counsellor is not None and not has_perm(counsellor, Perm.CASE_CHANGE, locked.office_id):
            errors["counsellor"] = [
                ValidationError(
                    _("The counsellor must be a caseworker of the case's office."), code="invalid"
                )
            ]
        if errors:
            raise ValidationError(errors)
        session.save(force_insert=True)
        session.attendees.set(people)
        audit_record(
            actor=actor,
            action="consent.session_record",
            obj=session,
            office_id=locked.office_id,
            details={"attendees": len(people), "topics": len(session.topics)},
        )
    return session


def declaration_record(
    *,
    actor: Any,
    member: CaseMember,
    freedom_of_choice: bool,
    informed_decision: bool,
    declared_on: datetime.date,
    in_detention: bool = False,
    signed_form: bytes | None = None,
    signed_form_type: str = "",
) -> VoluntarinessDeclaration:
    """Records a voluntariness declaration; it replaces the member's earlier one."""
    with transaction.atomic():
        locked = _lock_open_case(actor, member.case_id)
        declaration = VoluntarinessDeclaration(
            member=member,
            freedom_of_choice=freedom_of_choice,
            informed_decision=informed_decision,
            declared_on=declared_on,
            in_detention=in_detention,
            recorded_by=actor,
        )
        errors: dict[str, Any] = {}
        try:
            declaration.full_clean(exclude=["signed_form"])
        except ValidationError as exc:
            _collect(errors, exc)
        if signed_form:
            try:
                declaration.signed_form_type = signed_form_check(signed_form, signed_form_type)
                declaration.signed_form = signed_form
            except ValidationError as exc:
                _collect(errors, exc)
        if errors:
            raise ValidationError(errors)
        declaration.save(force_insert=True)
        audit_record(
            actor=actor,
            action="consent.declaration_record",
            obj=declaration,
            office_id=locked.office_id,
            details={
                "freedom_of_choice": freedom_of_choice,
                "informed_decision": informed_decision,
                "in_detention": in_detention,
                "signed_form": bool(signed_form),
            },
        )
    return declaration


def declaration_form_attach(
    *, actor: Any, declaration: VoluntarinessDeclaration, data: bytes, content_type: str
) -> VoluntarinessDeclaration:
    """Attaches (or replaces) the signed form. Refused once a detention review was made: the
    reviewer saw the declaration as it was, so a new declaration is recorded instead."""
    content_type = signed_form_check(data, content_type)
    with transaction.atomic():
        locked_case = _lock_open_case(actor, declaration.member.case_id)
        current = VoluntarinessDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if current.detention_review_by_id is not None:
            raise ValidationError(
                {
                    "signed_form": _(
                        "This declaration was reviewed: record a new declaration instead."
                    )
                },
                code="reviewed",
            )
        replaced = current.has_signed_form
        current.signed_form = data
        current.signed_form_type = content_type
        current.version += 1
        current.save(update_fields=["signed_form", "signed_form_type", "version", "updated_at"])
        audit_record(
            actor=actor,
            action="consent.form_attach",
            obj=current,
            office_id=locked_case.office_id,
            details={"content_type": content_type, "size": len(data), "replaced": replaced},
        )
    return current


def declaration_review(
    *, actor: Any, declaration: VoluntarinessDeclaration, note: str = ""
) -> VoluntarinessDeclaration:
    """A second staff member reviews the declaration of a person in detention.

    The reviewer holds "change case" or "approve case" in the office and is not the person who
    recorded the declaration; the signed form must be attached first."""
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=declaration.member.case_id)
        if actor is None or not (
            has_perm(actor, Perm.CASE_CHANGE, case.office_id)
            or has_perm(actor, Perm.CASE_APPROVE, case.office_id)
        ):
            raise PermissionDenied
        if case.status not in OPEN_STATUSES:
            raise ValidationError(
                _("The case is “%(status)s”: its consent record can no longer change.")
                % {"status": Status(case.status).label},
                code="case_closed",
            )
        current = VoluntarinessDeclaration.objects.select_for_update().get(pk=declaration.pk)
        if not current.in_detention:
            raise ValidationError(
                _("Only the declaration of a person in detention needs a second review."),
                code="not_in_detention",
            )
        if current.recorded_by_id == actor.pk:
            raise ValidationError(
                _("You recorded this declaration: a second staff member must review it."),
                code="same_person",
            )
        if current.detention_review_by_id is not None:
            raise ValidationError(_("This declaration is already reviewed."), code="reviewed")
        if not current.has_signed_form:
            raise ValidationError(
                _("Attach the signed form before the review."), code="form_missing"
            )
        current.detention_review_by = actor
        current.detention_reviewed_at = timezone.now()
        current.detention_review_note = _clean_text(note)
        current.full_clean(exclude=["signed_form"])
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="consent.detention_review",
            obj=current,
            office_id=case.office_id,
        )
    return current


def capacity_record(
    *,
    actor: Any,
    member: CaseMember,
    has_capacity: bool,
    assessed_on: datetime.date,
    assessor: str,
    notes: str = "",
) -> CapacityAssessment:
    with transaction.atomic():
        locked = _lock_open_case(actor, member.case_id)
        assessment = CapacityAssessment(
            member=member,
            has_capacity=has_capacity,
            assessed_on=assessed_on,
            assessor=_clean_text(assessor),
            notes=_clean_text(notes),
            recorded_by=actor,
        )
        assessment.full_clean()
        assessment.save(force_insert=True)
        audit_record(
            actor=actor,
            action="consent.capacity_record",
            obj=assessment,
            office_id=locked.office_id,
            details={"has_capacity": has_capacity},
        )
    return assessment


def representative_add(
    *,
    actor: Any,
    member: CaseMember,
    name: str,
    kind: str,
    relationship: str = "",
    contact: str = "",
) -> LegalRepresentative:
    with transaction.atomic():
        locked = _lock_open_case(actor, member.case_id)
        representative = LegalRepresentative(
            member=member,
            name=_clean_text(name),
            kind=kind,
            relationship=_clean_text(relationship),
            contact=_clean_text(contact),
            recorded_by=actor,
        )
        representative.full_clean()
        representative.save(force_insert=True)
        audit_record(
            actor=actor,
            action="consent.representative_add",
            obj=representative,
            office_id=locked.office_id,
            details={"kind": kind},
        )
    return representative


def representative_decision_record(
    *,
    actor: Any,
    member: CaseMember,
    representative: LegalRepresentative,
    decision: str,
    decided_on: datetime.date,
    signed_form: bytes | None = None,
    signed_form_type: str = "",
) -> RepresentativeDecision:
    with transaction.atomic():
        locked = _lock_open_case(actor, member.case_id)
        record = RepresentativeDecision(
            member=member,
            representative=representative,
            decision=decision,
            decided_on=decided_on,
            recorded_by=actor,
        )
        errors: dict[str, Any] = {}
        try:
            record.full_clean(exclude=["signed_form"])
        except ValidationError as exc:
            _collect(errors, exc)
        if signed_form:
            try:
                record.signed_form_type = signed_form_check(signed_form, signed_form_type)
                record.signed_form = signed_form
            except ValidationError as exc:
                _collect(errors, exc)
        if errors:
            raise ValidationError(errors)
        record.save(force_insert=True)
        audit_record(
            actor=actor,
            action="consent.decision_record",
            obj=record,
            office_id=locked.office_id,
            details={"decision": decision, "signed_form": bool(signed_form)},
        )
    return record


def case_withdraw(
    *, actor: Any, case: Case, reason: str, withdrawn_on: datetime.date | None = None
) -> Withdrawal:
    """The migrant withdraws: effective at once, only before departure, with a reason.

    Moves the case to ``withdrawn`` through ``case_transition`` (a final status: no move leaves
    it) and records the withdrawal. Raises ``TransitionBlocked`` after departure; the people on
    the case may apply again later on a new case."""
    reason = " ".join(reason.split())
    withdrawn_on = withdrawn_on or timezone.localdate()
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        _require(actor, Perm.CASE_CHANGE, locked.office_id)
        if locked.status not in OPEN_STATUSES:
            raise TransitionBlocked(
                [
                    Unmet(
                        "withdrawal_after_departure",
                        _("A withdrawal is possible only before departure."),
                    )
                ]
            )
        check = Withdrawal(case=locked, reason=reason, withdrawn_on=withdrawn_on, recorded_by=actor)
        check.full_clean(exclude=["case"])
        case_transition(actor=actor, case=locked, target=Status.WITHDRAWN, reason=reason)
        # record_withdrawal (receivers.py) wrote it with the move; keep the date given.
        withdrawal = Withdrawal.objects.get(case=locked)
        if withdrawal.withdrawn_on != withdrawn_on:
            withdrawal.withdrawn_on = withdrawn_on
            withdrawal.save(update_fields=["withdrawn_on", "updated_at"])
    return withdrawal


def consent_give(
    *,
    actor: Any,
    person: Person,
    purpose: str,
    recipient_kind: str,
    given_on: datetime.date,
    recipient_office: Office | None = None,
    recipient_name: str = "",
) -> DataSharingConsent:
    """Records a person's consent to share their data for ``purpose`` with one recipient."""
    _require(actor, Perm.CASE_CHANGE, person.office_id)
    consent = DataSharingConsent(
        person=person,
        purpose=purpose,
        recipient_kind=recipient_kind,
        recipient_office=recipient_office,
        recipient_name=" ".join(recipient_name.split()),
        given_on=given_on,
        recorded_by=actor,
    )
    consent.full_clean()
    with transaction.atomic():
        consent.save(force_insert=True)
        audit_record(
            actor=actor,
            action="consent.sharing_give",
            obj=consent,
            office_id=person.office_id,
            details={"purpose": purpose, "recipient_kind": recipient_kind},
        )
    return consent


def consent_revoke(
    *, actor: Any, consent: DataSharingConsent, revoked_on: datetime.date | None = None
) -> DataSharingConsent:
    """Revokes a data-sharing consent, effective at once: ``sharing_allowed`` turns false."""
    with transaction.atomic():
        current = (
            DataSharingConsent.objects.select_for_update()
            .select_related("person")
            .get(pk=consent.pk)
        )
        _require(actor, Perm.CASE_CHANGE, current.person.office_id)
        if current.revoked_on is not None:
            raise ValidationError(_("This consent is already revoked."), code="revoked")
        current.revoked_on = revoked_on or timezone.localdate()
        current.revoked_by = actor
        current.full_clean()
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="consent.sharing_revoke",
            obj=current,
            office_id=current.person.office_id,
            details={"purpose": current.purpose, "recipient_kind": current.recipient_kind},
        )
        sharing_consent_revoked.send(sender=DataSharingConsent, consent=current, actor=actor)
    return current
