"""A reference is found by its index when whole, by a scan of references when a part with a
digit, and a search by name never scans the references."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.cases.factories import CaseFactory
from tests.conftest import Personas
from wayhome.cases.models import Case
from wayhome.cases.selectors import case_search, reference_matches

pytestmark = pytest.mark.django_db


def test_whole_parts_and_names(personas: Personas) -> None:
    first, second = (CaseFactory.create(office=personas.office_a) for _ in range(2))
    user = personas.caseworker_a

    def found(text: str) -> set[str]:
        return {c.reference for c in case_search(user, text)}

    assert found(first.reference.lower()) == {first.reference}
    assert found(first.reference[-5:]) == {first.reference}
    year = first.reference.split("-")[-2]
    assert found(year) == {first.reference, second.reference}
    assert found("OFFICE") == set()  # no digit: not a reference search


def test_a_whole_reference_is_an_exact_lookup_and_a_name_no_reference_scan() -> None:
    whole = Case.objects.filter(reference_matches("de-ber-2026-00042"))
    with CaptureQueriesContext(connection) as captured:
        list(whole)
    sql = captured[0]["sql"]
    assert "LIKE" not in sql.upper()
    assert "DE-BER-2026-00042" in sql
    assert str(reference_matches("Amina Diallo")) == str(reference_matches("no digits"))
