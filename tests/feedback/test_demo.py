"""The demo feedback: made once for the Berlin office, one answered, one in the independent
queue."""

from __future__ import annotations

import pytest

from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.permissions import Role
from wayhome.feedback.demo import seed_feedback
from wayhome.feedback.models import Feedback, FeedbackStatus, Kind

pytestmark = pytest.mark.django_db


def test_seed_feedback_is_idempotent() -> None:
    office = OfficeFactory.create(code="de-ber", name="Berlin")
    UserFactory.create(roles=[(office, Role.CASEWORKER)])
    assert seed_feedback(None) == 4
    assert seed_feedback(None) == 0
    reports = Feedback.objects.filter(office=office)
    assert reports.count() == 4
    assert reports.filter(kind=Kind.MISCONDUCT).count() == 1
    assert reports.filter(status=FeedbackStatus.ANSWERED).count() == 1
