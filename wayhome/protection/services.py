"""Changes to data protection records, each audited in the same transaction."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wayhome.audit.services import audit_record
from wayhome.protection.models import AccessAlert


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
