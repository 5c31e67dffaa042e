"""The demo surveys: schedules for the host offices, interviews with scores; a second run
changes nothing."""

from __future__ import annotations

import pytest

from tests.factories import OfficeFactory
from tests.surveys.factories import arrived
from wayhome.surveys.demo import seed_surveys
from wayhome.surveys.models import Interview, ScheduleItem, ScoreSet

pytestmark = pytest.mark.django_db


def test_seed_surveys_is_idempotent() -> None:
    office = OfficeFactory.create(code="de-ber", name="Berlin", country="DE")
    for _n in range(3):
        arrived(office, days_ago=10)
    made = seed_surveys(None)
    assert ScheduleItem.objects.filter(office=office).count() == 9  # 3 programmes x 3
    assert Interview.objects.count() >= 3
    assert ScoreSet.objects.filter(current=True).count() >= 3
    assert made == 9 + Interview.objects.count()
    assert seed_surveys(None) == 0
    assert Interview.objects.count() == made - 9
