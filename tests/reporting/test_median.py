"""The median days from application to departure: the middle value, or the mean of the two
middle values, the same on PostgreSQL (percentile_cont, one query) and SQLite (the middle
rows); below the threshold it is withheld. Runs in both passes of the suite."""

from __future__ import annotations

import statistics
from decimal import Decimal

import pytest

from tests.factories import OfficeFactory
from tests.reporting.factories import ReturnFactFactory
from wayhome.reporting.figures import median_days_to_departure
from wayhome.reporting.models import ReturnFact
from wayhome.reporting.tables import threshold

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "days",
    [
        [3, 10, 49, 7, 20],  # odd: the middle value
        [3, 10, 49, 7, 20, 100],  # even: the mean of 10 and 20
        [1, 2, 2, 3, 4, 6],  # even, a mean with a half
    ],
)
def test_the_median_is_the_middle(days: list[int]) -> None:
    office = OfficeFactory.create()
    for value in days:
        ReturnFactFactory.create(office=office, days_to_departure=value)
    ReturnFactFactory.create(office=office, days_to_departure=None)  # not departed: left out
    ReturnFactFactory.create(office=office, days_to_departure=500, principal=False)  # a member
    assert len(days) >= threshold()
    found = median_days_to_departure(ReturnFact.objects.all())
    assert found.cases == len(days)
    assert found.days == Decimal(str(statistics.median(days))).quantize(Decimal("0.1"))


def test_below_the_threshold_it_is_withheld() -> None:
    office = OfficeFactory.create()
    for value in range(threshold() - 1):
        ReturnFactFactory.create(office=office, days_to_departure=value)
    found = median_days_to_departure(ReturnFact.objects.all())
    assert (found.cases, found.days) == (threshold() - 1, None)
