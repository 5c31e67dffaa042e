"""Reading people: only those of the reader's offices; exact search through blind indexes."""

from __future__ import annotations

import datetime

import pytest
from django.http import Http404

from tests.conftest import Personas
from tests.people.factories import PersonFactory
from wayhome.audit.models import AuditEvent
from wayhome.people.selectors import person_access, person_get, person_list, search_kind

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(personas: Personas) -> dict[str, object]:
    return {
        "amina": PersonFactory.create(
            office=personas.office_a,
            given_name="Amína",
            family_name="Núñez Yusuf",
            date_of_birth=datetime.date(1990, 5, 17),
        ),
        "amira": PersonFactory.create(
            office=personas.office_a,
            given_name="Amira",
            family_name="Nunez Yusuf",
            date_of_birth=datetime.date(1990, 5, 18),
        ),
        "b": PersonFactory.create(
            office=personas.office_b,
            given_name="Amina",
            family_name="Nunez Yusuf",
            date_of_birth=datetime.date(1990, 5, 17),
        ),
    }


@pytest.mark.parametrize(
    "query",
    ["Amína Núñez Yusuf", "amina nunez yusuf", "  AMINA   NUNEZ  YUSUF ", "Nunez-Yusuf, Amina"],
)
def test_search_by_name_finds_exactly_that_name(
    personas: Personas, people: dict, query: str
) -> None:
    assert list(person_list(personas.caseworker_a, query=query)) == [people["amina"]]


@pytest.mark.parametrize("query", ["Amina Nunez", "Amina", "Yusuf", "Amina Nunez Yusu", "xyz"])
def test_search_does_not_find_other_or_partial_names(
    personas: Personas, people: dict, query: str
) -> None:
    assert list(person_list(personas.caseworker_a, query=query)) == []


def test_search_by_date_of_birth(personas: Personas, people: dict) -> None:
    assert list(person_list(personas.caseworker_a, query="1990-05-17")) == [people["amina"]]
    assert list(person_list(personas.caseworker_b, query="1990-05-17")) == [people["b"]]
    assert list(person_list(personas.caseworker_a, query="1990-05-19")) == []


def test_list_and_search_hold_only_the_readers_offices(personas: Personas, people: dict) -> None:
    assert set(person_list(personas.caseworker_a)) == {people["amina"], people["amira"]}
    assert list(person_list(personas.caseworker_b)) == [people["b"]]
    assert list(person_list(personas.caseworker_b, query="Amína Núñez Yusuf")) == [people["b"]]
    for outsider in (personas.partner, personas.auditor_a):
        assert list(person_list(outsider)) == []
        assert list(person_list(outsider, query="Amina Nunez Yusuf")) == []


def test_get_answers_404_outside_the_readers_offices(personas: Personas, people: dict) -> None:
    assert person_get(personas.caseworker_a, people["amina"].pk) == people["amina"]
    for outsider in (personas.caseworker_b, personas.partner, personas.auditor_a):
        with pytest.raises(Http404):
            person_get(outsider, people["amina"].pk)
    with pytest.raises(Http404):
        person_get(personas.caseworker_a, "not-a-uuid")


def test_access_writes_a_view_event(personas: Personas, people: dict) -> None:
    person_access(personas.caseworker_a, people["amina"].pk)
    event = AuditEvent.objects.get(action="person.view")
    assert (event.object_id, event.actor_id, event.office_id, event.details) == (
        str(people["amina"].pk),
        personas.caseworker_a.pk,
        personas.office_a.pk,
        {},
    )
    with pytest.raises(Http404):
        person_access(personas.caseworker_b, people["amina"].pk)
    assert AuditEvent.objects.filter(action="person.view").count() == 1


@pytest.mark.parametrize(
    ("query", "kind"),
    [("", ""), ("  ", ""), ("1990-05-17", "date_of_birth"), ("1990-13-01", "name"), ("A", "name")],
)
def test_search_kind(query: str, kind: str) -> None:
    assert search_kind(query) == kind
