"""Photo (served only to permitted users, never cached), documents, field errors, and the API."""

from __future__ import annotations

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import Personas, client_for
from tests.people.factories import DocumentFactory, PersonFactory
from tests.people.test_api import Api
from wayhome.core import crypto
from wayhome.people.models import IdentityDocument, Person

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_photo_upload_and_serving_to_permitted_users_only(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    url = reverse("people:person-photo", kwargs={"person_id": person.pk})
    client = client_for(personas.caseworker_a)
    bad = client.post(url, {"photo": SimpleUploadedFile("x.gif", b"GIF89a....", "image/gif")})
    assert bad.status_code == 400
    assert "JPEG or PNG" in bad.content.decode()
    assert (
        client.post(url, {"photo": SimpleUploadedFile("x.png", PNG, "image/png")}).status_code
        == 302
    )
    shown = client.get(url)
    assert shown.status_code == 200
    assert shown.content == PNG
    assert shown["Content-Type"] == "image/png"
    assert "no-store" in shown["Cache-Control"]
    assert client_for(personas.caseworker_b).get(url).status_code == 404
    assert Person.objects.get().photo_type == "image/png"


def test_document_add_edit_remove_keeps_the_number_index(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    add = reverse("people:document-create", kwargs={"person_id": person.pk})
    refused = client.post(add, {"kind": "passport", "number": "A1\x07", "issuing_country": "XX"})
    assert refused.status_code == 400
    assert not IdentityDocument.objects.exists()
    client.post(add, {"kind": "passport", "number": "A 123", "issuing_country": "NG"})
    document = IdentityDocument.objects.get()
    assert document.number_index == crypto.document_number_index("A123")
    edit = reverse(
        "people:document-update", kwargs={"person_id": person.pk, "document_id": document.pk}
    )
    client.post(edit, {"kind": "passport", "number": "B 9", "issuing_country": "NG"})
    assert IdentityDocument.objects.get().number_index == crypto.document_number_index("b9")
    other = DocumentFactory.create(office=personas.office_b)
    foreign = reverse(
        "people:document-delete", kwargs={"person_id": person.pk, "document_id": other.pk}
    )
    assert client.post(foreign).status_code == 404
    delete = reverse(
        "people:document-delete", kwargs={"person_id": person.pk, "document_id": document.pk}
    )
    assert client.post(delete).status_code == 302
    assert IdentityDocument.objects.count() == 1


def test_details_edit_with_field_errors_and_scripts_round_trip(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    url = reverse("people:person-update", kwargs={"person_id": person.pk})
    base = {
        "given_name": "أمينة",
        "family_name": "Yusuf",
        "dob_precision": "exact",
        "sex": "female",
        "nationality": "NG",
        "version": "1",
    }
    bad = client.post(url, {**base, "languages": "ar, zz9", "gender_identity": "a\x85b"})
    assert bad.status_code == 400
    body = bad.content.decode()
    assert "zz9" in body
    good = client.post(
        url,
        {
            **base,
            "other_names": "ليلى\nLeila",
            "languages": "ar, en",
            "other_nationalities": ["SD"],
            "contacts": "phone: +49 30 1234",
        },
    )
    assert good.status_code == 302
    stored = Person.objects.get()
    assert stored.given_name == "أمينة"
    assert stored.other_names == ["ليلى", "Leila"]
    assert stored.languages == ["ar", "en"]
    assert stored.contacts == [{"kind": "phone", "value": "+49 30 1234"}]
    detail = client.get(reverse("people:person-detail", kwargs={"person_id": person.pk}))
    assert "ليلى" in detail.content.decode()


def test_api_duplicates_and_documents(personas: Personas) -> None:
    PersonFactory.create(
        office=personas.office_b,
        given_name="Amina",
        family_name="Yusuf",
        date_of_birth=datetime.date(1990, 5, 17),
    )
    api = Api(personas.caseworker_a)
    answer = api.send(
        "post",
        "/api/v1/people/duplicates",
        {"given_name": "Amina", "family_name": "Yusuf", "date_of_birth": "1990-05-17"},
    )
    assert answer.status_code == 200
    [candidate] = answer.json()
    assert candidate["person"] is None
    assert candidate["office_name"] == personas.office_b.name
    asked = api.send(
        "post",
        "/api/v1/people/enquiries",
        {"reference": candidate["reference"], "from_office_id": str(personas.office_a.pk)},
    )
    assert asked.status_code == 201
    mine = PersonFactory.create(office=personas.office_a)
    path = f"/api/v1/people/{mine.pk}/documents"
    bad = api.send("post", path, {"kind": "passport", "number": "X1", "issuing_country": "XX"})
    assert bad.status_code == 422
    assert "issuing_country" in str(bad.json())
    made = api.send("post", path, {"kind": "passport", "number": "X1", "issuing_country": "NG"})
    assert made.status_code == 201
    assert api.get(path).json()[0]["number"] == "X1"
    refused = api.send("patch", f"/api/v1/people/{mine.pk}", {"version": 1, "languages": ["zz9"]})
    assert refused.status_code == 422
