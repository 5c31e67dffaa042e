"""Writing audit events. Every view of a person's record, every export and every change calls
``audit_record`` in the same transaction as the change it records."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone

from wayhome.audit import watchers
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
    [event] = _append(actor, action, [(object_type, object_id, office_id, details or {})])
    return event


def audit_record_many(
    *,
    actor: Any,
    action: str,
    objects: list[tuple[str, Any, Any, dict[str, Any]]],
) -> int:
    """Appends one event per ``(object_type, object_id, office_id, details)``, in that order, in
    one go: the tip is locked once, the chain computed in memory and written with bulk inserts.
    The events are exactly those ``audit_record`` would write one by one, for operations on many
    records at once (a suspension holding thousands of cases). Returns the number written."""
    return len(_append(actor, action, objects)) if objects else 0


_BATCH = 2000


def _append(
    actor: Any, action: str, objects: list[tuple[str, Any, Any, dict[str, Any]]]
) -> list[AuditEvent]:
    for *_head, details in objects:
        for value in details.values():
            if isinstance(value, _FORBIDDEN_DETAIL_TYPES):
                raise TypeError("audit details take names, counts and outcomes, not raw values")
    actor_id = getattr(actor, "pk", None) if actor is not None else None
    if actor_id is not None and not getattr(actor, "is_authenticated", True):
        actor_id = None
    request_id = current_request_id()
    # Inside a caller's transaction no savepoint is taken: if the events cannot be written, the
    # whole transaction fails, so nothing is done that the trail does not record.
    with transaction.atomic(savepoint=False):
        head, _ = AuditHead.objects.select_for_update().get_or_create(pk=1)
        seq, previous = head.seq, head.hash
        occurred_at = timezone.now()
        events: list[AuditEvent] = []
        for object_type, object_id, office_id, details in objects:
            seq += 1
            fields = {
                "seq": seq,
                "occurred_at": occurred_at,
                "actor_id": actor_id,
                "action": action,
                "object_type": object_type,
                "object_id": str(object_id) if object_id else "",
                "office_id": office_id,
                "request_id": request_id,
                "details": details,
                "prev_hash": previous,
            }
            previous = event_hash(**fields)
            events.append(AuditEvent(**fields, hash=previous))
        for start in range(0, len(events), _BATCH):
            AuditEvent.objects.bulk_create(events[start : start + _BATCH])
        head.seq = seq
        head.hash = previous
        head.mac = head_mac(seq=seq, hash=previous)
        head.save(update_fields=["seq", "hash", "mac"])
        watchers.notify(actor_id, action, events)
    return events
