"""Counts that stop at a cap: a list never counts more than cap + 1 rows, says "more than" when
it stopped, and serves only the pages it counted; the API says so with ``count_capped``."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from wayhome.api.services import token_issue
from wayhome.cases.models import Case
from wayhome.core.paging import CappedPaginator, capped_count

pytestmark = pytest.mark.django_db


def test_the_count_reads_at_most_one_row_past_the_cap(personas: Personas) -> None:
    for _ in range(5):
        CaseFactory.create(office=personas.office_a)
    cases = Case.objects.order_by("reference")
    with CaptureQueriesContext(connection) as queries:
        assert capped_count(cases, 3) == (3, True)
    (count_sql,) = [q["sql"] for q in queries.captured_queries]
    assert re.search(r"LIMIT 4\b", count_sql), count_sql
    assert capped_count(cases, 5) == (5, False)
    assert capped_count(cases, 4) == (4, True)
    assert capped_count(list(range(50)), 3) == (50, False)


def test_the_paginator_serves_only_the_counted_pages(personas: Personas) -> None:
    for _ in range(5):
        CaseFactory.create(office=personas.office_a)
    cases = Case.objects.order_by("reference")
    paginator = CappedPaginator(cases, 2, cap=3)
    assert (paginator.count, paginator.capped, paginator.num_pages) == (3, True, 2)
    last = paginator.get_page(9)
    assert last.number == 2
    assert not last.has_next()
    assert [c.pk for c in last.object_list] == [c.pk for c in cases[2:3]]  # row 3, the cap
    whole = CappedPaginator(cases, 2, cap=10)
    assert (whole.count, whole.capped, whole.num_pages) == (5, False, 3)


def test_the_case_list_says_more_than_and_how_to_see_the_rest(personas: Personas) -> None:
    for _ in range(5):
        CaseFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    with override_settings(LIST_COUNT_CAP=3):
        html = client.get("/cases/").content.decode()
    assert (
        "More than 3 cases: only the first 3 are listed; narrow the filters to see the others."
        in html
    )
    assert len(set(re.findall(r'href="/cases/([0-9a-f-]{36})/"', html))) == 3
    exact = client.get("/cases/").content.decode()
    assert "5 cases" in exact
    assert "More than" not in exact


def test_the_api_count_stops_at_the_cap_and_says_so(personas: Personas) -> None:
    for _ in range(5):
        CaseFactory.create(office=personas.office_a)
    _token, secret = token_issue(actor=None, user=personas.caseworker_a, name="tests")
    headers = {"Authorization": f"Bearer {secret}"}
    client = client_for(personas.caseworker_a)
    with override_settings(LIST_COUNT_CAP=3):
        body = client.get("/api/v1/cases?limit=2&offset=2", headers=headers).json()
    assert (body["count"], body["count_capped"], len(body["items"])) == (3, True, 2)
    with override_settings(LIST_COUNT_CAP=3):
        beyond = client.get("/api/v1/cases?limit=2&offset=4", headers=headers).json()
    assert len(beyond["items"]) == 1  # offsets past the cap still serve the items
    body = client.get("/api/v1/cases", headers=headers).json()
    assert (body["count"], body["count_capped"]) == (5, False)
