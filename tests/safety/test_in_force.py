"""``restriction_in_force`` against an oracle written from the rule's words, over random
histories of register versions and random questions.

The oracle: for each restriction (a series), take the versions that started on or before the day
asked; the one with the highest number is in force, unless it ended before that day. It applies
when it names the programme and is country-wide or for the region asked. The answer is the most
restrictive status that applies, open when none does.
"""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory
from wayhome.accounts.models import User
from wayhome.safety.models import Restriction
from wayhome.safety.selectors import restriction_in_force

pytestmark = pytest.mark.django_db


@pytest.fixture
def approver(db: None) -> User:
    return UserFactory.create()


START = datetime.date(2026, 1, 1)
PLACES = [("AF", ""), ("AF", "AF-KAB"), ("AF", "AF-HER"), ("IQ", ""), ("IQ", "IQ-NI")]
PROGRAMMES = ["AVR", "AVRR", "VHR"]
STATUSES = ["open", "case_by_case", "suspended"]
ORDER = {"open": 0, "case_by_case": 1, "suspended": 2}

days = st.integers(min_value=0, max_value=60)
version = st.fixed_dictionaries(
    {
        "series": st.integers(min_value=0, max_value=5),
        "place": st.sampled_from(PLACES),
        "programmes": st.lists(st.sampled_from(PROGRAMMES), min_size=1, max_size=3, unique=True),
        "status": st.sampled_from(STATUSES),
        "start": days,
        "length": st.none() | st.integers(min_value=0, max_value=40),
    }
)
question = st.tuples(
    st.sampled_from(["AF", "IQ"]),
    st.sampled_from(["", "AF-KAB", "AF-HER", "IQ-NI", "IQ-BG"]),
    st.sampled_from(PROGRAMMES),
    days,
)


def oracle(
    history: list[dict[str, Any]], country: str, region: str, programme: str, day: int
) -> str:
    best = "open"
    for series in {v["series"] for v in history}:
        started = [v for v in history if v["series"] == series and v["start"] <= day]
        if not started:
            continue
        current = max(started, key=lambda v: v["number"])
        if current["length"] is not None and day > current["start"] + current["length"]:
            continue
        c, r = current["place"]
        if c != country or (r and r != region) or programme not in current["programmes"]:
            continue
        if ORDER[current["status"]] > ORDER[best]:
            best = current["status"]
    return best


@settings(
    max_examples=50,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    history=st.lists(version, min_size=0, max_size=12),
    questions=st.lists(question, min_size=1, max_size=8),
)
def test_restriction_in_force_agrees_with_the_oracle(
    approver: User, history: list[dict[str, Any]], questions: list[Any]
) -> None:
    Restriction.objects.all().delete()
    rows = []
    series_ids: dict[int, uuid.UUID] = {}
    places: dict[int, tuple[str, str]] = {}
    numbers: dict[int, int] = {}
    for item in history:
        key = item["series"]
        series_ids.setdefault(key, uuid.uuid4())
        item["place"] = places.setdefault(key, item["place"])  # a series keeps its place
        numbers[key] = numbers.get(key, 0) + 1
        item["number"] = numbers[key]
        start = START + datetime.timedelta(days=item["start"])
        rows.append(
            Restriction(
                series=series_ids[key],
                number=item["number"],
                country=item["place"][0],
                region=item["place"][1],
                programmes=item["programmes"],
                status=item["status"],
                valid_from=start,
                valid_to=None
                if item["length"] is None
                else start + datetime.timedelta(days=item["length"]),
                reason="r",
                source="s",
                approved_by=approver,
            )
        )
    Restriction.objects.bulk_create(rows)
    for country, region, programme, day in questions:
        if region and not region.startswith(country):
            region = ""
        on = START + datetime.timedelta(days=day)
        expected = oracle(history, country, region, programme, day)
        answer = restriction_in_force(country, region, programme, on)
        assert answer.status == expected, (country, region, programme, day)
        if expected != "open":
            assert answer.deciding is not None
            assert answer.deciding.status == expected
