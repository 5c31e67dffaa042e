"""The statistics API: protected figures whoever asks, the reader's offices only."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from tests.conftest import Personas
from tests.reporting.factories import ReturnFactFactory
from wayhome.accounts.models import User
from wayhome.api.services import token_issue

pytestmark = pytest.mark.django_db
BASE = "/api/v1/reporting"


def get(user: User, path: str, params: dict[str, Any] | None = None) -> Any:
    _token, secret = token_issue(actor=None, user=user, name="tests")
    client = Client(raise_request_exception=False)
    return client.get(BASE + path, params or {}, headers={"Authorization": f"Bearer {secret}"})


@pytest.fixture
def data(personas: Personas) -> None:
    for country, count in (("NG", 12), ("SN", 3), ("IQ", 7)):
        for _ in range(count):
            ReturnFactFactory.create(office=personas.office_a, origin_country=country)
    for _ in range(20):
        ReturnFactFactory.create(office=personas.office_b, origin_country="SN")


def test_a_table_is_protected_even_for_a_manager_who_may_see_the_cases(
    personas: Personas, data: None
) -> None:
    response = get(personas.manager_a, "/table", {"rows": "origin_country"})
    assert response.status_code == 200
    body = response.json()
    cells = {row["code"]: row["cells"] for row in body["rows"]}
    assert cells == {"NG": [12], "IQ": [None], "SN": [None], "__total__": [22]}
    assert body["suppressed"] >= 2
    assert body["k"] == 5


def test_two_way_tables_and_totals(personas: Personas, data: None) -> None:
    body = get(
        personas.manager_a, "/table", {"rows": "origin_country", "cols": "sex", "measure": "cases"}
    ).json()
    assert [column["code"] for column in body["columns"]] == ["female", "male", "other", "unknown"]
    totals = next(row for row in body["rows"] if row["code"] == "__total__")
    assert totals["cells"] == [22, 0, 0, 0, 22]


def test_readers_only_and_their_offices_only(personas: Personas, data: None) -> None:
    assert get(personas.caseworker_a, "/table", {"rows": "sex"}).status_code == 403
    refused = get(
        personas.manager_a, "/table", {"rows": "sex", "office": str(personas.office_b.pk)}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][0]["field"] == "office"
    bad = get(personas.manager_a, "/table", {"rows": "name"})
    assert bad.status_code == 422


def test_dimensions_pipeline_and_indicators(personas: Personas, data: None) -> None:
    names = [row["name"] for row in get(personas.manager_a, "/dimensions").json()]
    assert "age_group" in names
    pipeline = get(personas.manager_a, "/pipeline").json()
    last = pipeline[-1]
    assert last["status"] == "to_departure"
    assert last["cases"] == 22
    assert last["days"] == "49.0"  # every fact: applied 20 January, departed 10 March
    indicators = get(personas.manager_a, "/indicators").json()
    assert {row["objective"] for row in indicators} == {1, 2, 3, 4, 5, 6}
    for row in indicators:
        if row["suppressed"]:
            assert row["value"] is None
