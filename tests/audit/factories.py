"""Audit events are never made by a factory: they are written through ``audit_record`` only, so
that every one of them is correctly chained. ``record_events`` writes a few for tests."""

from __future__ import annotations

from typing import Any

from wayhome.audit.models import AuditEvent
from wayhome.audit.services import audit_record


def record_events(
    count: int, *, office: Any = None, actor: Any = None, action: str = "test.event"
) -> list[AuditEvent]:
    return [
        audit_record(
            actor=actor,
            action=action,
            object_type="test.thing",
            object_id=str(number),
            office_id=getattr(office, "pk", None),
            details={"field_names": ["status"], "n": number},
        )
        for number in range(count)
    ]
