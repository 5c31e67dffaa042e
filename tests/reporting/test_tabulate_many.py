"""The dashboard's tables read in one pass (GROUPING SETS on PostgreSQL) are the tables read one
by one: same rows, columns and counts, for people and cases, periods and not, one- and two-way."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.conftest import Personas
from tests.reporting.factories import ReturnFactFactory
from wayhome.reporting.models import ReturnFact
from wayhome.reporting.tables import tabulate, tabulate_many
from wayhome.reporting.views import DASHBOARD

pytestmark = pytest.mark.django_db

SPECS = [
    *DASHBOARD,
    ("month", "sex", "people"),
    ("quarter", None, "cases"),
    ("origin_country", "category", "cases"),
    ("status", None, "cases"),
    ("year", "programme", "people"),
    ("sex", "age_group", "cases"),
]


def _random_facts(personas: Personas, count: int, seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(count):
        departed = rng.random() < 0.7
        day = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randrange(600))
        ReturnFactFactory.create(
            office=rng.choice([personas.office_a, personas.office_b]),
            origin_country=rng.choice(["NG", "GH", "SN", ""]),
            programme=rng.choice(["AVRR", "AVR"]),
            category=rng.choice(["stranded", "rejected_asylum_seeker", "irregular_migrant"]),
            status=rng.choice(["departed", "closed", "counselling"]),
            principal=rng.random() < 0.5,
            sex=rng.choice(["female", "male", "unknown"]),
            age_group=rng.choice(["0-4", "18-24", "25-59", "60+", ""]),
            vulnerability=rng.choice(["none", "health", "trafficking"]),
            departure_date=day if departed else None,
        )


@pytest.mark.parametrize("seed", [1, 2])
def test_one_pass_equals_one_query_per_table(personas: Personas, seed: int) -> None:
    _random_facts(personas, 40, seed)
    facts = ReturnFact.objects.all()
    with CaptureQueriesContext(connection) as captured:
        many = tabulate_many(facts, SPECS)
    reads = [q for q in captured if "reporting_returnfact" in q["sql"]]
    assert len(reads) == (1 if connection.vendor == "postgresql" else len(SPECS))
    for (rows, cols, measure), table in zip(SPECS, many, strict=True):
        alone = tabulate(facts, rows, cols, measure=measure)
        assert table.counts == alone.counts, (rows, cols, measure)
        assert table.rows == alone.rows
        assert table.cols == alone.cols
        assert table.total == alone.total
    assert sum(t.total for t in many) > 0
