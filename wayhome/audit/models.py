"""The append-only, hash-chained audit trail.

Events never hold personal values: only who (a user id), what (an action name), which object (its
type and id), where (an office id), when (UTC) and the request id, plus non-personal details such
as the names of changed fields. Each event's ``hash`` is an HMAC over its content and the previous
event's hash, so altering, inserting or removing an event breaks the chain from that point on.
``AuditHead`` holds the position and hash of the last event, which also reveals a removed tail; its
``mac`` (keyed like the events) stops the tip from being rewound to an earlier event's values.

The table is append-only in the database itself: triggers (migration 0002) refuse UPDATE, DELETE
and TRUNCATE of ``audit_auditevent``. ``AuditHead`` stays updatable: it is the chain's tip.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models

GENESIS_HASH = "0" * 64


class AuditEvent(models.Model):
    seq = models.BigIntegerField(primary_key=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor_id = models.UUIDField(null=True, blank=True, db_index=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    office_id = models.UUIDField(null=True, blank=True, db_index=True)
    request_id = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        ordering: ClassVar = ["-seq"]
        indexes: ClassVar = [
            models.Index(fields=["object_type", "object_id"]),
            # The auditor's page: one office's events, newest first, cut by keyset on seq.
            models.Index(fields=["office_id", "seq"], name="audit_event_office_seq"),
            # A user's recent events (wayhome.protection's bulk-access alerts).
            models.Index(fields=["actor_id", "occurred_at"], name="audit_event_actor_time"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """One row: the sequence number and hash of the newest event (the chain's tip)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default=GENESIS_HASH)
    mac = models.CharField(max_length=64, default="", blank=True)

    def __str__(self) -> str:
        return f"head #{self.seq}"
