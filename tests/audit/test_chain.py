from __future__ import annotations

import pytest

from wayhome.audit.chain import chain_verify
from wayhome.audit.models import AuditEvent
from wayhome.audit.services import audit_record

pytestmark = pytest.mark.django_db


def test_events_chain_and_verify() -> None:
    first = audit_record(actor=None, action="test.one", object_type="x", object_id="1")
    second = audit_record(actor=None, action="test.two", object_type="x", object_id="2")
    assert second.prev_hash == first.hash
    assert second.seq == first.seq + 1
    checked, broken = chain_verify()
    assert broken is None
    assert checked == AuditEvent.objects.count()


def test_raw_values_are_refused_in_details() -> None:
    with pytest.raises(TypeError):
        audit_record(actor=None, action="test.bad", details={"value": b"raw"})
