"""Portal inquiries and feedback under their own rules: the closed ones due are erased (every
encrypted value of the row and of the rows hanging off it, found from the model graph), the
others untouched; no case, member or person is entered; the feedback figures do not move."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests.factories import OfficeFactory
from tests.feedback.factories import FeedbackFactory, FeedbackNoteFactory
from tests.portal.factories import InquiryFactory
from tests.retention.factories import RetentionRuleFactory, officer
from wayhome.audit.models import AuditEvent
from wayhome.core.fields import encrypted_fields
from wayhome.feedback.models import Feedback, FeedbackNote
from wayhome.portal.models import Inquiry
from wayhome.reporting import figures
from wayhome.retention.models import AnonymisedRecord, RecordType, RetentionItem
from wayhome.retention.services import retention_run, rule_create

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 12, 2)


def _closed(obj: Any, days_ago: int) -> Any:
    moment = timezone.make_aware(
        datetime.datetime.combine(TODAY - datetime.timedelta(days=days_ago), datetime.time(9))
    )
    type(obj).objects.filter(pk=obj.pk).update(closed_at=moment)
    return obj


def _values(obj: Any) -> list[Any]:
    obj.refresh_from_db()
    return [getattr(obj, f.name) for f in encrypted_fields(type(obj))]


def test_closed_inquiries_and_feedback_are_erased_under_their_rules() -> None:
    office = OfficeFactory.create()
    RetentionRuleFactory.create(
        office=office, record_type=RecordType.PORTAL_INQUIRIES, amount=90, unit="days"
    )
    RetentionRuleFactory.create(office=office, record_type=RecordType.FEEDBACK, amount=1)
    old_inquiry = _closed(InquiryFactory.create(office=office, staff_notes="CANARY notes"), 100)
    recent_inquiry = _closed(InquiryFactory.create(office=office), 10)
    open_inquiry = InquiryFactory.create(office=office)
    note = FeedbackNoteFactory.create(office=office, text="CANARY note on the complaint")
    old_feedback = _closed(note.feedback, 400)
    Feedback.objects.filter(pk=old_feedback.pk).update(
        name="CANARY name", contact="CANARY contact", response="CANARY answer"
    )
    recent_feedback = _closed(FeedbackFactory.create(office=office), 100)
    table_before = figures.feedback_table({office.pk})
    kept = [_values(x) for x in (recent_inquiry, open_inquiry, recent_feedback)]
    assert any("CANARY" in str(v) for v in _values(old_feedback))

    dry = retention_run(office=office, dry_run=True, today=TODAY)
    assert {i.object_id for i in RetentionItem.objects.filter(run=dry)} == {
        old_inquiry.pk,
        old_feedback.pk,
    }
    assert "CANARY" in str(_values(old_feedback))

    run = retention_run(office=office, dry_run=False, today=TODAY)

    assert run.cases == 2
    for row in (old_inquiry, old_feedback, FeedbackNote.objects.get(pk=note.pk)):
        assert all(value in (None, "", b"", {}, []) for value in _values(row)), row
    assert [_values(x) for x in (recent_inquiry, open_inquiry, recent_feedback)] == kept
    assert Inquiry.objects.count() == 3  # rows stay, for the figures
    assert AnonymisedRecord.objects.count() == 2
    assert figures.feedback_table({office.pk}) == table_before
    events = AuditEvent.objects.filter(action="retention.anonymise")
    assert {e.object_id for e in events} == {str(old_inquiry.pk), str(old_feedback.pk)}
    assert "CANARY" not in str([e.details for e in events])
    assert retention_run(office=office, dry_run=False, today=TODAY).cases == 0


def test_only_case_rules_have_a_programme() -> None:
    office = OfficeFactory.create()
    with pytest.raises(ValidationError):
        rule_create(
            actor=officer(office),
            office=office,
            programme="AVRR",
            record_type=RecordType.FEEDBACK,
            amount=1,
            unit="years",
        )
