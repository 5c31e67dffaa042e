"""The database itself refuses to change or remove audit events (migration 0002)."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection, transaction

from tests.audit import tamper
from tests.audit.factories import record_events
from wayhome.audit.chain import chain_verify
from wayhome.audit.models import AuditEvent, AuditHead

pytestmark = pytest.mark.django_db

REFUSED = "audit events are append-only"
UPDATE = "UPDATE audit_auditevent SET object_id = %s WHERE seq = %s"
DELETE = "DELETE FROM audit_auditevent WHERE seq = %s"
DELETE_ALL = "DELETE FROM audit_auditevent"
TRUNCATE = "TRUNCATE audit_auditevent"


def test_orm_update_is_refused() -> None:
    event = record_events(2)[0]
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        AuditEvent.objects.filter(seq=event.seq).update(action="nothing.happened")
    event.refresh_from_db()
    assert event.action == "test.event"


def test_orm_save_of_a_changed_event_is_refused() -> None:
    event = record_events(1)[0]
    event.object_id = "other"
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        event.save()


def test_orm_delete_is_refused() -> None:
    events = record_events(3)
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        events[1].delete()
    with pytest.raises(IntegrityError, match=REFUSED), transaction.atomic():
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 3


def test_raw_sql_update_is_refused() -> None:
    event = record_events(1)[0]
    with (
        pytest.raises(IntegrityError, match=REFUSED),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(UPDATE, ["x", event.seq])
    assert AuditEvent.objects.get(seq=event.seq).object_id == "0"


def test_raw_sql_delete_is_refused() -> None:
    event = record_events(1)[0]
    with (
        pytest.raises(IntegrityError, match=REFUSED),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(DELETE, [event.seq])
    assert AuditEvent.objects.filter(seq=event.seq).exists()


def test_emptying_the_table_is_refused() -> None:
    """PostgreSQL: TRUNCATE (statement trigger); SQLite, which has no TRUNCATE: DELETE FROM."""
    record_events(2)
    statement = {"postgresql": TRUNCATE, "sqlite": DELETE_ALL}[connection.vendor]
    with (
        pytest.raises(IntegrityError, match=REFUSED),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEvent.objects.count() == 2


def test_appending_still_works_and_the_head_stays_updatable() -> None:
    record_events(2)
    assert AuditHead.objects.get(pk=1).seq == 2
    assert chain_verify() == (2, None)


def test_the_bypass_used_by_the_tamper_tests_restores_the_triggers() -> None:
    before = tamper.trigger_names()
    assert len(before) == 2
    with tamper.append_only_bypassed():
        assert tamper.trigger_names() == set()
    assert tamper.trigger_names() == before
