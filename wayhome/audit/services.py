"""Writing audit events. Every view of a person's record, every export and every change calls
``audit_record`` in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from wayhome.audit.chain import event_hash, head_mac
from wayhome.audit.models import AuditEvent, AuditHead
from wayhome.core.context import current_request_id

_FORBIDDEN_DETAIL_TYPES = (bytes, bytearray)


def audit_record(
    *,
    actor: Any,
    action: str,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: Any = "",
    office_id: Any = None,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Appends one event to the chain.

    ``details`` must hold no personal values (field names, counts, outcomes only). When ``obj`` is
    given, its type and id are taken from it, and its office from an ``office_id`` attribute.
    """
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or obj.pk
        if office_id is None:
            office_id = getattr(obj, "office_id", None)
    details = details or {}
    for value in details.values():
        if isinstance(value, _FORBIDDEN_DETAIL_TYPES):
            raise TypeError("audit details take names, counts and outcomes, not raw values")
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if actor_id is not None and not getattr(actor, "is_authenticated", True):
        actor_id = None
    # Inside a caller's transaction no savepoint is taken: if the event cannot be written, the
    # whole transaction fails, so nothing is done that the trail does not record.
    with transaction.atomic(savepoint=False):
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq = head.seq + 1
        occurred_at = timezone.now()
        fields = {
            "seq": seq,
            "occurred_at": occurred_at,
            "actor_id": actor_id,
            "action": action,
            "object_type": object_type,
            "object_id": str(object_id) if object_id else "",
            "office_id": office_id,
            "request_id": current_request_id(),
            "details": details,
            "prev_hash": head.hash,
        }
        digest = event_hash(**fields)
        event = AuditEvent.objects.create(**fields, hash=digest)
        head.seq = seq
        head.hash = digest
        head.mac = head_mac(seq=seq, hash=digest)
        head.save(update_fields=["seq", "hash", "mac"])
    return event
