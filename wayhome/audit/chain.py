"""Computing and checking the audit trail's hash chain."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from wayhome.audit.models import GENESIS_HASH, AuditEvent, AuditHead


def _key() -> bytes:
    return hashlib.sha256(b"wayhome-audit-chain:" + settings.AUDIT_KEY.encode()).digest()


def _iso(value: datetime) -> str:
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def event_hash(
    *,
    seq: int,
    occurred_at: datetime,
    actor_id: Any,
    action: str,
    object_type: str,
    object_id: str,
    office_id: Any,
    request_id: str,
    details: dict[str, Any],
    prev_hash: str,
) -> str:
    content = {
        "seq": seq,
        "occurred_at": _iso(occurred_at),
        "actor_id": str(actor_id) if actor_id else None,
        "action": action,
        "object_type": object_type,
        "object_id": object_id,
        "office_id": str(office_id) if office_id else None,
        "request_id": request_id,
        "details": details,
        "prev_hash": prev_hash,
    }
    payload = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hmac.new(_key(), payload.encode(), hashlib.sha256).hexdigest()


def hash_of(event: AuditEvent) -> str:
    return event_hash(
        seq=event.seq,
        occurred_at=event.occurred_at,
        actor_id=event.actor_id,
        action=event.action,
        object_type=event.object_type,
        object_id=event.object_id,
        office_id=event.office_id,
        request_id=event.request_id,
        details=event.details,
        prev_hash=event.prev_hash,
    )


@dataclass(frozen=True)
class Break:
    """The first place where the chain does not hold."""

    seq: int
    reason: str


def chain_verify(*, batch_size: int = 5000) -> tuple[int, Break | None]:
    """Walks the whole chain in order; returns the number of events checked and the first break."""
    expected_seq = 1
    previous = GENESIS_HASH
    checked = 0
    events = AuditEvent.objects.order_by("seq").iterator(chunk_size=batch_size)
    for event in events:
        if event.seq != expected_seq:
            if event.seq > expected_seq:
                return checked, Break(expected_seq, "missing: the event was removed")
            return checked, Break(event.seq, "out of sequence")
        if event.prev_hash != previous:
            return checked, Break(event.seq, "does not follow the previous event (inserted?)")
        if not hmac.compare_digest(event.hash, hash_of(event)):
            return checked, Break(event.seq, "content altered: its hash does not match")
        previous = event.hash
        expected_seq += 1
        checked += 1
    head = AuditHead.objects.filter(pk=1).first()
    head_seq = head.seq if head else 0
    head_hash = head.hash if head else GENESIS_HASH
    if head_seq != checked:
        if head_seq > checked:
            return checked, Break(checked + 1, "missing: the newest events were removed")
        return checked, Break(head_seq + 1, "inserted after the recorded end of the trail")
    if head_hash != previous:
        return checked, Break(checked, "the recorded end of the trail does not match")
    return checked, None
