"""Computing and checking the audit trail's hash chain.

``chain_verify`` streams the trail in keyset batches (``seq > last``), reading plain tuples rather
than model instances, so it runs in constant memory over millions of events.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from wayhome.audit.models import GENESIS_HASH, AuditEvent, AuditHead

# The columns hashed, in the order ``chain_verify`` reads them.
_COLUMNS = (
    "seq",
    "occurred_at",
    "actor_id",
    "action",
    "object_type",
    "object_id",
    "office_id",
    "request_id",
    "details",
    "prev_hash",
    "hash",
)


@functools.lru_cache(maxsize=4)
def _derive_key(audit_key: str) -> bytes:
    return hashlib.sha256(b"wayhome-audit-chain:" + audit_key.encode()).digest()


def _key() -> bytes:
    return _derive_key(settings.AUDIT_KEY)


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


def head_mac(*, seq: int, hash: str) -> str:
    """The MAC of the chain tip, so that the tip cannot be rewound to an earlier event's values."""
    payload = f"head:{seq}:{hash}".encode()
    return hmac.new(_key(), payload, hashlib.sha256).hexdigest()


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


def _rows(batch_size: int, up_to: int | None) -> Iterator[tuple[Any, ...]]:
    """The events up to ``up_to`` as tuples of ``_COLUMNS``, oldest first, one query per batch."""
    queryset = AuditEvent.objects.order_by("seq").values_list(*_COLUMNS)
    if up_to is not None:
        queryset = queryset.filter(seq__lte=up_to)
    last: int | None = None
    while True:
        batch = list((queryset if last is None else queryset.filter(seq__gt=last))[:batch_size])
        yield from batch
        if len(batch) < batch_size:
            return
        last = batch[-1][0]


def chain_verify(*, batch_size: int = 5000) -> tuple[int, Break | None]:
    """Walks the chain in order; returns the number of events checked and the first break.

    It checks the events up to the tip recorded when it starts, so it can run while events are
    being appended (those are left for the next run). An event is written in the same transaction
    that moves the tip, so an event found beyond the tip read *after* it was never appended.
    """
    head = AuditHead.objects.filter(pk=1).first()
    expected_seq = 1
    previous = GENESIS_HASH
    checked = 0
    for row in _rows(batch_size, up_to=head.seq if head else None):
        seq, stored_prev, stored_hash = row[0], row[9], row[10]
        if seq != expected_seq:
            if seq > expected_seq:
                return checked, Break(expected_seq, "missing: the event was removed")
            return checked, Break(seq, "out of sequence: numbered before the start of the trail")
        if stored_prev != previous:
            return checked, Break(seq, "does not follow the previous event (inserted or removed?)")
        content = dict(zip(_COLUMNS[:-1], row[:-1], strict=True))
        if not hmac.compare_digest(stored_hash, event_hash(**content)):
            return checked, Break(seq, "content altered or forged: its hash does not match")
        previous = stored_hash
        expected_seq += 1
        checked += 1
    if head is None:
        return checked, Break(
            checked, "the recorded end of the trail is missing"
        ) if checked else None
    if checked < head.seq:
        return checked, Break(checked + 1, "missing: the newest events were removed")
    if previous != head.hash or not hmac.compare_digest(
        head.mac, head_mac(seq=head.seq, hash=head.hash)
    ):
        return checked, Break(max(checked, 1), "the recorded end does not match: events removed?")
    newest = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    tip = AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first()
    if newest is not None and (tip is None or newest > tip):
        return checked, Break((tip or 0) + 1, "inserted after the recorded end of the trail")
    return checked, None
