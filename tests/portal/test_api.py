"""The portal over the API: the public operations (no token, rate-limited, offices by code,
nothing personal returned) and the staff side (office-scoped, audited reads, versioned edits)."""

from __future__ import annotations

import json
from typing import Any, get_args

import pytest
from django.test import Client

from tests.conftest import Personas
from tests.factories import OfficeFactory, UserFactory
from tests.portal.factories import CountryPageFactory, InquiryFactory
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.portal import schemas
from wayhome.portal.models import (
    BestTime,
    Channel,
    CountryPage,
    Inquiry,
    InquiryStatus,
    Outcome,
)

pytestmark = pytest.mark.django_db

PUBLIC = "/api/v1/public"
STAFF = "/api/v1/portal"


def _post(client: Client, path: str, body: Any, **extra: Any) -> Any:
    return client.post(path, json.dumps(body), content_type="application/json", **extra)


class Api:
    def __init__(self, user: User) -> None:
        _token, secret = token_issue(actor=None, user=user, name="tests")
        self.client = Client(raise_request_exception=False)
        self.headers = {"Authorization": f"Bearer {secret}"}

    def get(self, path: str) -> Any:
        return self.client.get(path, headers=self.headers)

    def send(self, method: str, path: str, body: Any) -> Any:
        call = getattr(self.client, method)
        return call(path, json.dumps(body), content_type="application/json", headers=self.headers)


def test_vocabularies_match_the_models() -> None:
    assert set(get_args(schemas.InquiryStatusCode)) == set(InquiryStatus.values)
    assert set(get_args(schemas.OutcomeCode)) == set(Outcome.values)
    assert set(get_args(schemas.BestTimeCode)) == set(BestTime.values)
    assert set(get_args(schemas.ChannelCode)) == set(Channel.values)
    from django.conf import settings

    assert set(get_args(schemas.PageLanguageCode)) == {code for code, _ in settings.LANGUAGES}


# --- public -------------------------------------------------------------------------------------


def test_public_offices_by_code_without_ids() -> None:
    berlin = OfficeFactory.create(code="de-ber", name="Berlin", country="DE")
    OfficeFactory.create(code="gone", is_active=False)
    response = Client().get(f"{PUBLIC}/offices")
    assert response.status_code == 200
    assert response.json() == [{"code": "de-ber", "name": "Berlin", "country": "DE"}]
    assert str(berlin.pk) not in response.content.decode()


def test_public_countries_and_a_countrys_page() -> None:
    lagos = OfficeFactory.create(code="ng-los", name="Lagos", country="NG")
    page = CountryPageFactory.create(office=lagos, country="NG", language="en", title="Back")
    CountryPageFactory.create(office=lagos, country="NG", language="fr", title="Retour")
    CountryPageFactory.create(country="IQ", published=False)
    client = Client()
    countries = client.get(f"{PUBLIC}/countries").json()
    assert countries == [{"country": "NG", "name": "Nigeria", "languages": ["en", "fr"]}]
    body = client.get(f"{PUBLIC}/countries/NG?language=fr").json()
    assert body["title"] == "Retour"
    assert body["language"] == "fr"
    assert body["office"] == {"code": "ng-los", "name": "Lagos", "country": "NG"}
    assert body["languages"] == ["en", "fr"]
    assert body["review_overdue"] is False
    spanish = client.get(f"{PUBLIC}/countries/ng", headers={"accept-language": "es"}).json()
    assert spanish["title"] == "Back"  # English when there is no Spanish page
    text = json.dumps(body) + json.dumps(spanish)
    assert str(page.pk) not in text
    assert str(lagos.pk) not in text
    for missing in ("IQ", "XX", "nowhere"):
        response = client.get(f"{PUBLIC}/countries/{missing}")
        assert response.status_code == 404
        assert response.json()["error"]["code"] == "not_found"
    bad_language = client.get(f"{PUBLIC}/countries/NG?language=zz")
    assert bad_language.status_code == 422


def _inquiry(**changes: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "office": "de-ber",
        "name": "Karim Rarename",
        "phone": "+49 30 5555 0100",
        "email": "karim@example.org",
        "preferred_language": "ar",
        "country_of_origin": "IQ",
        "best_time": "afternoon",
        "message": "أريد العودة إلى بغداد",
        "callback_consent": True,
    }
    body.update(changes)
    return body


def test_public_inquiry_is_received_and_says_nothing_else() -> None:
    berlin = OfficeFactory.create(code="de-ber")
    response = _post(Client(), f"{PUBLIC}/inquiries", _inquiry())
    assert response.status_code == 201
    assert response.json() == {"received": True}
    inquiry = Inquiry.objects.get()
    assert inquiry.office == berlin
    assert inquiry.channel == Channel.API
    assert inquiry.name == "Karim Rarename"
    assert inquiry.message == "أريد العودة إلى بغداد"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"callback_consent": False}, "callback_consent"),
        ({"phone": "", "email": ""}, "phone"),
        ({"office": "nowhere"}, "office"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"country_of_origin": "XX"}, "country_of_origin"),
        ({"preferred_language": "zzz"}, "preferred_language"),
        ({"best_time": "midnight"}, "best_time"),
        ({"name": ""}, "name"),
        ({"name": "Karim\x00"}, "name"),
    ],
)
def test_public_inquiry_refuses_bad_input_with_field_details(
    changes: dict[str, Any], field: str
) -> None:
    OfficeFactory.create(code="de-ber")
    response = _post(Client(), f"{PUBLIC}/inquiries", _inquiry(**changes))
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert field in {detail["field"] for detail in error["details"]}
    assert "Karim" not in response.content.decode()  # the values sent are not repeated
    assert not Inquiry.objects.exists()


def test_public_inquiries_are_rate_limited(settings: Any) -> None:
    settings.PUBLIC_FORM_LIMIT = 2
    OfficeFactory.create(code="de-ber")
    client = Client()
    assert _post(client, f"{PUBLIC}/inquiries", _inquiry()).status_code == 201
    assert _post(client, f"{PUBLIC}/inquiries", _inquiry()).status_code == 201
    response = _post(client, f"{PUBLIC}/inquiries", _inquiry())
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "too_many_requests"
    assert response["Retry-After"] == "3600"
    assert Inquiry.objects.count() == 2
    # The portal's form shares the limit.
    assert client.post("/portal/contact/", {"office": "de-ber"}).status_code == 429


def test_public_reads_are_rate_limited(settings: Any) -> None:
    settings.PUBLIC_API_READ_LIMIT = 2
    client = Client()
    assert client.get(f"{PUBLIC}/offices").status_code == 200
    assert client.get(f"{PUBLIC}/countries").status_code == 200
    response = client.get(f"{PUBLIC}/countries/NG")
    assert response.status_code == 429
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_public_operations_need_no_token_and_staff_ones_do() -> None:
    from wayhome.api import api as api_module

    schema = api_module.api.get_openapi_schema()
    for path, item in schema["paths"].items():
        for operation in item.values():
            if path.startswith("/api/v1/public/") and operation["tags"] == ["public portal"]:
                assert not operation.get("security"), path
                assert "429" in {str(code) for code in operation["responses"]}, path
            if path.startswith("/api/v1/portal/"):
                assert operation["security"] == [{"BearerAuth": []}], path
    assert Client().get(f"{STAFF}/inquiries").status_code == 401


# --- staff --------------------------------------------------------------------------------------


@pytest.fixture
def officer_a(personas: Personas) -> User:
    return UserFactory.create(
        email="ro-a@example.org", roles=[(personas.office_a, Role.REINTEGRATION)]
    )


def test_staff_inquiries_list_read_and_update(personas: Personas) -> None:
    mine = InquiryFactory.create(office=personas.office_a)
    theirs = InquiryFactory.create(office=personas.office_b)
    api = Api(personas.caseworker_a)
    listing = api.get(f"{STAFF}/inquiries")
    assert listing.status_code == 200
    items = listing.json()["items"]
    assert [item["id"] for item in items] == [str(mine.pk)]
    assert "name" not in items[0]
    assert "Fatou" not in listing.content.decode()
    assert api.get(f"{STAFF}/inquiries?status=closed").json()["items"] == []
    assert not AuditEvent.objects.filter(action="portal.inquiry_view").exists()

    one = api.get(f"{STAFF}/inquiries/{mine.pk}")
    assert one.status_code == 200
    assert one.json()["name"] == "Fatou Diallo"
    assert AuditEvent.objects.filter(
        action="portal.inquiry_view", object_id=str(mine.pk), actor_id=personas.caseworker_a.pk
    ).exists()
    assert api.get(f"{STAFF}/inquiries/{theirs.pk}").status_code == 404

    path = f"{STAFF}/inquiries/{mine.pk}"
    contacted = api.send("patch", path, {"version": 1, "status": "contacted", "staff_notes": "Ok"})
    assert contacted.status_code == 200
    assert contacted.json()["status"] == "contacted"
    assert contacted.json()["contacted_at"] is not None
    stale = api.send("patch", path, {"version": 1, "staff_notes": "Again"})
    assert stale.status_code == 409
    no_outcome = api.send("patch", path, {"version": 2, "status": "closed"})
    assert no_outcome.status_code == 422
    assert {d["field"] for d in no_outcome.json()["error"]["details"]} == {"outcome"}
    closed = api.send(
        "patch", path, {"version": 2, "status": "closed", "outcome": "information_only"}
    )
    assert closed.status_code == 200
    assert closed.json()["closed_at"] is not None
    back_to_new = api.send("patch", path, {"version": 3, "status": "new"})
    assert back_to_new.status_code == 422
    null = api.send("patch", path, {"version": 3, "outcome": None})
    assert null.status_code == 422


def test_staff_of_another_office_get_404(personas: Personas) -> None:
    inquiry = InquiryFactory.create(office=personas.office_a)
    api = Api(personas.caseworker_b)
    assert api.get(f"{STAFF}/inquiries/{inquiry.pk}").status_code == 404
    response = api.send("patch", f"{STAFF}/inquiries/{inquiry.pk}", {"version": 1})
    assert response.status_code == 404
    assert api.get(f"{STAFF}/inquiries").json()["items"] == []


def test_staff_country_pages(personas: Personas, officer_a: User) -> None:
    api = Api(officer_a)
    body = {
        "office_id": str(personas.office_a.pk),
        "country": "SN",
        "language": "fr",
        "title": "Retourner au Sénégal",
        "assistance": "Accueil.",
    }
    created = api.send("post", f"{STAFF}/country-pages", body)
    assert created.status_code == 201, created.content
    page_id = created.json()["id"]
    assert created.json()["published"] is False
    duplicate = api.send("post", f"{STAFF}/country-pages", body)
    assert duplicate.status_code == 422
    other_office = api.send(
        "post", f"{STAFF}/country-pages", {**body, "office_id": str(personas.office_b.pk)}
    )
    assert other_office.status_code == 422
    assert [p["id"] for p in api.get(f"{STAFF}/country-pages").json()["items"]] == [page_id]

    put = {
        "version": 1,
        "country": "SN",
        "language": "fr",
        "title": "Rentrer au Sénégal",
        "assistance": "Accueil à Dakar.",
        "practical_information": "",
        "published": True,
        "mark_reviewed": True,
    }
    replaced = api.send("put", f"{STAFF}/country-pages/{page_id}", put)
    assert replaced.status_code == 200, replaced.content
    assert replaced.json()["published"] is True
    assert replaced.json()["title"] == "Rentrer au Sénégal"
    assert Client().get(f"{PUBLIC}/countries/SN").json()["title"] == "Rentrer au Sénégal"
    assert api.send("put", f"{STAFF}/country-pages/{page_id}", put).status_code == 409
    bad = api.send(
        "put", f"{STAFF}/country-pages/{page_id}", {**put, "version": 4, "country": "XX"}
    )
    assert bad.status_code == 422
    page = CountryPage.objects.get(pk=page_id)
    assert page.country == "SN"
    assert page.published is True

    caseworker = Api(personas.caseworker_a)
    assert caseworker.get(f"{STAFF}/country-pages/{page_id}").status_code == 404
    assert caseworker.get(f"{STAFF}/country-pages").json()["items"] == []
