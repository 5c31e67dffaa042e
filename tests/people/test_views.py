"""The people pages: list and search, registration, the record and its change."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from tests.conftest import Personas, client_for
from tests.people.factories import PersonFactory
from wayhome.audit.models import AuditEvent
from wayhome.people import views
from wayhome.people.models import Person

pytestmark = pytest.mark.django_db

VISIBLE_FIELD = r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"'
LIST = reverse("people:person-list")
CREATE = reverse("people:person-create")


def detail(person: Person) -> str:
    return reverse("people:person-detail", kwargs={"person_id": person.pk})


def update(person: Person) -> str:
    return reverse("people:person-update", kwargs={"person_id": person.pk})


def valid_data(**overrides: str) -> dict[str, str]:
    data = {
        "given_name": "Amina",
        "family_name": "Yusuf",
        "name_as_written": "أمينة يوسف",
        "date_of_birth": "1990-05-17",
        "dob_precision": "exact",
        "sex": "female",
        "nationality": "NG",
    }
    data.update(overrides)
    return data


def test_list_shows_the_offices_people_linked_by_id(personas: Personas) -> None:
    mine = PersonFactory.create(office=personas.office_a, given_name="Amina", family_name="Yusuf")
    theirs = PersonFactory.create(office=personas.office_b, given_name="Bola", family_name="Ade")
    response = client_for(personas.caseworker_a).get(LIST)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Yusuf, Amina" in body
    assert detail(mine) in body
    assert "Ade" not in body
    assert str(theirs.pk) not in body
    assert AuditEvent.objects.filter(action="person.list").count() == 1


def test_search_finds_by_exact_name_and_audits_without_the_text(personas: Personas) -> None:
    amina = PersonFactory.create(office=personas.office_a, given_name="Amína", family_name="Yusuf")
    PersonFactory.create(office=personas.office_a, given_name="Amira", family_name="Yusuf")
    response = client_for(personas.caseworker_a).post(LIST, {"q": "amina YUSUF"})
    body = response.content.decode()
    assert detail(amina) in body
    assert "Amira" not in body
    event = AuditEvent.objects.get(action="person.search")
    assert event.details == {"by": "name", "page": 1, "shown": 1}
    assert "yusuf" not in str(event.details).lower()


def test_search_by_date_of_birth(personas: Personas) -> None:
    born = PersonFactory.create(office=personas.office_a, date_of_birth=datetime.date(1980, 2, 29))
    PersonFactory.create(office=personas.office_a, date_of_birth=datetime.date(1980, 3, 1))
    body = client_for(personas.caseworker_a).post(LIST, {"q": "1980-02-29"}).content.decode()
    assert body.count("/people/") - body.count('href="/people/"') >= 1
    assert detail(born) in body
    assert AuditEvent.objects.get(action="person.search").details["by"] == "date_of_birth"


def test_htmx_search_answers_the_results_only(personas: Personas) -> None:
    amina = PersonFactory.create(office=personas.office_a, given_name="Amina", family_name="Yusuf")
    response = client_for(personas.caseworker_a).post(
        LIST, {"q": "Amina Yusuf"}, headers={"HX-Request": "true"}
    )
    body = response.content.decode()
    assert body.startswith('<section id="person-results"')
    assert detail(amina) in body
    assert "<html" not in body
    assert "HX-Request" in response["Vary"]


def test_another_offices_person_is_absent_from_list_and_search(personas: Personas) -> None:
    amina = PersonFactory.create(office=personas.office_a, given_name="Amina", family_name="Yusuf")
    client = client_for(personas.caseworker_b)
    for params in ({"q": "Amina Yusuf"}, {"q": amina.date_of_birth.isoformat()}):
        for body in (
            client.get(LIST, params).content.decode(),
            client.post(LIST, params).content.decode(),
        ):
            assert str(amina.pk) not in body
            assert "Yusuf, Amina" not in body
            assert "Nobody" in body
    assert str(amina.pk) not in client.get(LIST).content.decode()


def test_a_search_never_puts_the_name_in_a_url(personas: Personas) -> None:
    """The search form and its pages POST the query: no name in history or access logs."""
    for _ in range(30):
        PersonFactory.create(office=personas.office_a, given_name="Amina", family_name="Yusuf")
    client = client_for(personas.caseworker_a)
    page = client.get(LIST).content.decode()
    assert 'method="post"' in page
    assert 'hx-post="/people/"' in page
    body = client.post(LIST, {"q": "Amina Yusuf"}).content.decode()
    assert "30 people" in body
    assert 'name="page" value="2"' in body
    hrefs = re.findall(r'(?:href|hx-get|hx-post|action)="([^"]*)"', body)
    assert hrefs
    assert not [url for url in hrefs if "amina" in url.lower() or "q=" in url]
    second = client.post(LIST, {"q": "Amina Yusuf", "page": "2"}).content.decode()
    assert "Page 2 of 2" in second


def test_list_pages(personas: Personas, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(views, "PAGE_SIZE", 2)
    people = [PersonFactory.create(office=personas.office_a) for _ in range(5)]
    client = client_for(personas.caseworker_a)
    first = client.get(LIST).content.decode()
    third = client.get(LIST, {"page": 3}).content.decode()
    assert detail(people[-1]) in first  # newest first
    assert detail(people[0]) not in first
    assert detail(people[0]) in third
    assert 'rel="next"' in first
    assert 'rel="next"' not in third


def test_list_query_count_does_not_grow_with_people(
    personas: Personas, django_assert_max_num_queries: DjangoAssertNumQueries
) -> None:
    for _ in range(30):
        PersonFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    with django_assert_max_num_queries(14):
        response = client.get(LIST)
    assert response.content.decode().count('href="/people/') >= 25


def test_detail_shows_the_record_and_writes_a_view_event(personas: Personas) -> None:
    person = PersonFactory.create(
        office=personas.office_a,
        given_name="Amina",
        family_name="Yusuf",
        name_as_written="أمينة يوسف",
        date_of_birth=datetime.date(1990, 5, 17),
        nationality="NG",
    )
    response = client_for(personas.caseworker_a).get(detail(person))
    body = response.content.decode()
    assert response.status_code == 200
    assert "أمينة يوسف" in body
    assert "1990-05-17" in body
    assert update(person) in body
    assert response["Cache-Control"] == "no-store"
    event = AuditEvent.objects.get(action="person.view")
    assert (event.object_id, event.actor_id) == (str(person.pk), personas.caseworker_a.pk)


def test_detail_and_update_answer_404_to_another_office(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    for user in (personas.caseworker_b, personas.partner, personas.auditor_a):
        client = client_for(user)
        assert client.get(detail(person)).status_code == 404
        assert client.get(update(person)).status_code == 404
        assert client.post(update(person), valid_data(version="1")).status_code == 404
    assert not AuditEvent.objects.filter(action="person.view").exists()
    assert Person.objects.get().version == 1


def test_pages_need_sign_in(personas: Personas) -> None:
    from django.test import Client

    person = PersonFactory.create(office=personas.office_a)
    for url in (LIST, CREATE, detail(person), update(person)):
        response = Client().get(url)
        assert response.status_code == 302
        assert "/login" in response["Location"] or "login" in response["Location"]


def test_users_without_people_permissions_get_404(personas: Personas) -> None:
    client = client_for(personas.auditor_a)
    assert client.get(LIST).status_code == 404
    assert client.get(CREATE).status_code == 404


def test_create_registers_and_redirects_to_the_record(personas: Personas) -> None:
    client = client_for(personas.caseworker_a)
    form = client.get(CREATE)
    assert form.status_code == 200
    assert 'type="date"' in form.content.decode()
    response = client.post(
        CREATE, {"step": "register", "office": str(personas.office_a.pk), **valid_data()}
    )
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail(person)
    assert (person.given_name, person.office, person.nationality) == (
        "Amina",
        personas.office_a,
        "NG",
    )
    assert "Amina" not in response["Location"]
    assert AuditEvent.objects.filter(action="person.create").count() == 1


def test_create_shows_clear_errors_and_saves_nothing(personas: Personas) -> None:
    client = client_for(personas.caseworker_a)
    response = client.post(
        CREATE,
        {
            "step": "register",
            "office": str(personas.office_a.pk),
            **valid_data(given_name="", date_of_birth="2999-01-01", nationality="XX"),
        },
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "This field is required." in body
    assert "The date of birth is in the future." in body
    assert "Select a valid choice." in body
    assert 'value="Yusuf"' in body  # what was typed is kept
    assert not Person.objects.exists()


def test_create_refuses_an_office_without_the_permission(personas: Personas) -> None:
    response = client_for(personas.caseworker_a).post(
        CREATE, {"step": "register", "office": str(personas.office_b.pk), **valid_data()}
    )
    assert response.status_code == 400
    assert not Person.objects.exists()


def test_update_changes_the_record(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a, given_name="Amina", family_name="Yusuf")
    client = client_for(personas.caseworker_a)
    page = client.get(update(person)).content.decode()
    assert 'value="Amina"' in page
    assert re.search(r'name="version" value="1"', page)
    response = client.post(update(person), valid_data(family_name="Okafor", version="1"))
    assert response.status_code == 302
    assert response["Location"] == detail(person)
    assert Person.objects.get().family_name == "Okafor"
    assert AuditEvent.objects.get(action="person.change").details["fields"]


def test_a_stale_edit_is_refused_with_a_message(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a, family_name="Yusuf")
    client = client_for(personas.caseworker_a)
    client.post(update(person), valid_data(family_name="Okafor", version="1"))
    response = client.post(update(person), valid_data(family_name="Bello", version="1"))
    assert response.status_code == 400
    assert "Someone else changed" in response.content.decode()
    assert Person.objects.get().family_name == "Okafor"


def test_update_needs_the_change_permission(personas: Personas) -> None:
    from tests.factories import UserFactory
    from wayhome.accounts.permissions import Role

    viewer = UserFactory.create(roles=[(personas.office_a, Role.OPERATIONS)])
    person = PersonFactory.create(office=personas.office_a, family_name="Yusuf")
    client = client_for(viewer)
    assert client.get(detail(person)).status_code == 200
    assert update(person) not in client.get(detail(person)).content.decode()
    assert client.get(update(person)).status_code == 404
    assert client.post(update(person), valid_data(version="1")).status_code == 404
    assert Person.objects.get().family_name == "Yusuf"


def test_pages_have_no_inline_script_or_style(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    for url in (LIST, CREATE, detail(person), update(person)):
        body = client.get(url).content.decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)", body), url
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", body), url
        # every visible input has a label
        fields = re.findall(
            r'<(?:input|select|textarea)(?![^>]*type="hidden")[^>]*\bid="([^"]+)"', body
        )
        assert len(fields) >= 2, url  # at least the header's switchers
        for field_id in fields:
            assert f'for="{field_id}"' in body, (url, field_id)
