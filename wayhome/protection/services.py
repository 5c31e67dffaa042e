"""Changes to data protection records, each audited in the same transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.people.models import Person
from wayhome.protection import subject_access
from wayhome.protection.models import AccessAlert, DataRequest


def alert_close(
    *, actor: Any, alert: AccessAlert, outcome: str, note: str, version: int
) -> AccessAlert:
    """Closes an open alert with its outcome and the officer's note. A closed alert, an unknown
    outcome or an empty note is refused (``ValidationError`` naming the field); a stale version
    raises a ``ValidationError`` coded ``stale`` (the API's 409)."""
    if outcome not in AccessAlert.Outcome.values:
        raise ValidationError({"outcome": _("Choose an outcome.")})
    if not note.strip():
        raise ValidationError({"note": _("Say what was found.")})
    with transaction.atomic():
        current = AccessAlert.objects.select_for_update().get(pk=alert.pk)
        if current.version != version:
            raise ValidationError(
                _("Someone changed this alert while you were reading it: read it again."),
                code="stale",
            )
        if current.status == AccessAlert.Status.CLOSED:
            raise ValidationError({"outcome": _("This alert is already closed.")})
        current.status = AccessAlert.Status.CLOSED
        current.outcome = outcome
        current.note = note.strip()
        current.closed_by = actor
        current.closed_at = timezone.now()
        current.version += 1
        current.full_clean()
        current.save()
        audit_record(
            actor=actor,
            action="protection.alert_close",
            obj=current,
            office_id=current.offices.values_list("pk", flat=True).first(),
            details={"outcome": outcome, "kind": current.kind},
        )
    return current


def _stale(what: str) -> ValidationError:
    return ValidationError(
        _("Someone changed this %(what)s while you were reading it: read it again.")
        % {"what": what},
        code="stale",
    )


def request_create(
    *,
    actor: Any,
    person: Person,
    kind: str,
    received_on: datetime.date,
    details: str = "",
    channel: str = DataRequest.Channel.IN_PERSON,
    language: str = "",
) -> DataRequest:
    """Records a person's request about their data, due ``DATA_REQUEST_DAYS`` after receipt.
    Only a data protection officer of the person's office may; bad values raise
    ``ValidationError`` naming the field and nothing is saved."""
    if not has_perm(actor, Perm.DATA_PROTECTION, person.office_id):
        raise PermissionDenied
    errors: dict[str, str] = {}
    if kind not in DataRequest.Kind.values:
        errors["kind"] = _("Choose what the person asks for.")
    if channel not in DataRequest.Channel.values:
        errors["channel"] = _("Choose how the request was received.")
    today = timezone.localdate()
    if received_on > today:
        errors["received_on"] = _("The date of receipt cannot be in the future.")
    if language and language not in dict(settings.LANGUAGES):
        errors["language"] = _("Choose a language from the list.")
    if kind == DataRequest.Kind.RECTIFICATION and not details.strip():
        errors["details"] = _("Say what the person says is wrong, and what it should say.")
    if errors:
        raise ValidationError(errors)
    days = settings.DATA_REQUEST_DAYS
    with transaction.atomic():
        request = DataRequest(
            person=person,
            office_id=person.office_id,
            kind=kind,
            channel=channel,
            received_on=received_on,
            due_on=received_on + datetime.timedelta(days=days),
            details=details.strip(),
            language=language,
            created_by=actor,
        )
        request.full_clean()
        request.save()
        audit_record(
            actor=actor,
            action="protection.request_create",
            obj=request,
            details={"kind": kind, "channel": channel},
        )
    return request


def request_produce(
    *, actor: Any, request: DataRequest, fmt: str
) -> tuple[subject_access.Bundle, DataRequest]:
    """The subject-access bundle of the request's person (``fmt``: "pdf" or "json"), counted
    on the request and audited (the record ids it holds are counted, never listed)."""
    if request.kind != DataRequest.Kind.ACCESS:
        raise ValidationError(
            {"kind": _("Only a request for access is answered with the person's data.")}
        )
    with transaction.atomic():
        data = subject_access.bundle(request.person, produced_by=actor, language=request.language)
        DataRequest.objects.filter(pk=request.pk).update(
            produced_count=F("produced_count") + 1, last_produced_at=timezone.now()
        )
        request.refresh_from_db()
        audit_record(
            actor=actor,
            action="protection.subject_access",
            obj=request.person,
            details={
                "request": str(request.pk),
                "format": fmt,
                "sections": len(data.sections),
                "records": len(data.record_ids()),
                "language": data.language,
            },
        )
    return data, request


def request_close(
    *, actor: Any, request: DataRequest, outcome: str, note: str, version: int
) -> DataRequest:
    """Closes an open request with an outcome its kind allows (an access request is answered
    only once its bundle was produced; a refusal needs its reason in the note). A stale version
    raises a ``ValidationError`` coded ``stale``."""
    if outcome not in dict(request.outcomes()):
        raise ValidationError({"outcome": _("Choose an outcome for this kind of request.")})
    if outcome == DataRequest.Outcome.REFUSED and not note.strip():
        raise ValidationError({"note": _("Give the reason for the refusal.")})
    with transaction.atomic():
        current = DataRequest.objects.select_for_update().get(pk=request.pk)
        if current.version != version:
            raise _stale(_("request"))
        if current.status == DataRequest.Status.CLOSED:
            raise ValidationError({"outcome": _("This request is already closed.")})
        if outcome == DataRequest.Outcome.ANSWERED and not current.produced_count:
            raise ValidationError(
                {"outcome": _("Produce the person's data (PDF or JSON) before answering.")}
            )
        late = current.overdue
        current.status = DataRequest.Status.CLOSED
        current.outcome = outcome
        current.note = note.strip()
        current.closed_by = actor
        current.closed_at = timezone.now()
        current.version += 1
        current.full_clean()
        current.save()
        audit_record(
            actor=actor,
            action="protection.request_close",
            obj=current,
            details={"kind": current.kind, "outcome": outcome, "late": late},
        )
    return current
