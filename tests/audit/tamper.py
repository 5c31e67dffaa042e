"""What an attacker with direct database access can do to the audit table.

``append_only_bypassed`` removes the append-only triggers inside a savepoint (PostgreSQL:
``ALTER TABLE ... DISABLE TRIGGER ALL``; SQLite: ``DROP TRIGGER``) and puts them back on leaving,
so the tampering functions below can rewrite history; the chain must still reveal it.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from wayhome.audit.models import GENESIS_HASH, AuditEvent, AuditHead

TABLE = AuditEvent._meta.db_table
_RENUMBER_OFFSET = 1_000_000_000


def trigger_names() -> set[str]:
    """The triggers on the audit table that are in force now."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass"
                " AND NOT tgisinternal AND tgenabled <> 'D'",
                [TABLE],
            )
        else:
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE]
            )
        return {row[0] for row in cursor.fetchall()}


@contextmanager
def append_only_bypassed() -> Iterator[None]:
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER ALL")
            yield
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER ALL")
        else:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s",
                [TABLE],
            )
            triggers = cursor.fetchall()
            for name, _sql in triggers:
                cursor.execute(f'DROP TRIGGER "{name}"')
            yield
            for _name, sql in triggers:
                cursor.execute(sql)


def alter(seq: int, field: str) -> None:
    """Changes one field of event ``seq`` to a plausible other value."""
    event = AuditEvent.objects.get(seq=seq)
    changes = {
        "action": event.action + ".x",
        "object_id": event.object_id + "0",
        "actor_id": None if event.actor_id else "0b6f1f7e-8a52-4a0e-9d31-3f7f0d1b2c3d",
        "occurred_at": event.occurred_at + timedelta(seconds=1),
        "details": {**event.details, "forged": True},
        "request_id": event.request_id + "x",
        "hash": secrets.token_hex(32),
        "prev_hash": secrets.token_hex(32),
    }
    with append_only_bypassed():
        AuditEvent.objects.filter(seq=seq).update(**{field: changes[field]})


def insert_forged(at: int, *, renumber: bool) -> None:
    """Inserts a forged event as number ``at``; with ``renumber`` the later events move up one.

    The forger links it to the previous event's hash, but cannot compute its own HMAC.
    """
    with append_only_bypassed():
        if renumber:
            later = AuditEvent.objects.filter(seq__gte=at)
            later.update(seq=F("seq") + _RENUMBER_OFFSET)
            AuditEvent.objects.filter(seq__gte=_RENUMBER_OFFSET).update(
                seq=F("seq") - _RENUMBER_OFFSET + 1
            )
        previous = AuditEvent.objects.filter(seq=at - 1).values_list("hash", flat=True).first()
        AuditEvent.objects.create(
            seq=at,
            occurred_at=timezone.now(),
            action="person.view",
            object_type="people.person",
            object_id="forged",
            prev_hash=previous or GENESIS_HASH,
            hash=secrets.token_hex(32),
        )


def delete(seq: int, *, renumber: bool = False) -> None:
    """Removes event ``seq``; with ``renumber`` the later events move down one to close the gap."""
    with append_only_bypassed():
        AuditEvent.objects.filter(seq=seq).delete()
        if renumber:
            AuditEvent.objects.filter(seq__gt=seq).update(seq=F("seq") + _RENUMBER_OFFSET)
            AuditEvent.objects.filter(seq__gte=_RENUMBER_OFFSET).update(
                seq=F("seq") - _RENUMBER_OFFSET - 1
            )


def delete_newest(*, rewind_head: bool) -> None:
    """Removes the newest event; with ``rewind_head`` the tip is copied from the event before."""
    newest = AuditEvent.objects.order_by("-seq").first()
    assert newest is not None
    with append_only_bypassed():
        AuditEvent.objects.filter(seq=newest.seq).delete()
    if rewind_head:
        before = AuditEvent.objects.filter(seq=newest.seq - 1).values_list("hash", flat=True)
        AuditHead.objects.filter(pk=1).update(
            seq=newest.seq - 1, hash=before.first() or GENESIS_HASH
        )


def purge() -> None:
    """Empties the trail (for transactional tests, whose teardown flushes every table)."""
    with append_only_bypassed():
        AuditEvent.objects.all().delete()
        AuditHead.objects.all().delete()
