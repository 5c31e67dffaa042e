"""People's requests about their data, tracked to closure: recorded by the data protection
officer of the person's office; an access request answered with the bundle (PDF or JSON, each
download counted and audited); a rectification closed as rectified or refused with its reason;
bad input refused with nothing saved; stale closes 409; nobody else sees any of it."""

from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.conftest import Personas, client_for
from tests.factories import UserFactory
from tests.people.factories import PersonFactory
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.protection.models import DataRequest

pytestmark = pytest.mark.django_db


def _dpo(personas: Personas) -> Any:
    return UserFactory.create(roles=[(personas.office_a, Role.DPO)])


def test_the_officer_records_an_access_request_and_answers_it(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a, given_name="Amara", languages=["es"])
    officer = _dpo(personas)
    dpo = client_for(officer)
    page = dpo.get(f"/people/{person.pk}/")
    assert f"/protection/people/{person.pk}/requests/new/" in page.content.decode()
    assert f"/protection/people/{person.pk}/requests/new/" not in (
        client_for(personas.caseworker_a).get(f"/people/{person.pk}/").content.decode()
    )

    received = timezone.localdate() - datetime.timedelta(days=3)
    response = dpo.post(
        f"/protection/people/{person.pk}/requests/new/",
        {"kind": "access", "channel": "letter", "received_on": received.isoformat()},
    )
    assert response.status_code == 302
    request = DataRequest.objects.get(person=person)
    assert request.due_on == received + datetime.timedelta(days=30)
    assert request.office == personas.office_a
    assert response["Location"] == f"/protection/requests/{request.pk}/"

    # Answering before the data was produced is refused.
    early = dpo.post(response["Location"], {"outcome": "answered", "version": 1})
    assert early.status_code == 400
    assert "Produce the person" in early.content.decode()

    pdf = dpo.get(f"/protection/requests/{request.pk}/bundle.pdf")
    assert pdf.status_code == 200
    assert pdf["Content-Type"] == "application/pdf"
    assert pdf["Content-Disposition"].startswith("attachment;")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Amara" in text
    data = dpo.get(f"/protection/requests/{request.pk}/bundle.json").json()
    assert data["person_id"] == str(person.pk)
    assert data["language"] == "es"
    assert data["sections"][0]["model"] == "people.person"
    # Who read the record: the officer's own view of the person's page is there.
    assert any(a["action"] == "person.view" and a["by"] == str(officer) for a in data["accesses"])
    request.refresh_from_db()
    assert request.produced_count == 2
    events = AuditEvent.objects.filter(action="protection.subject_access", object_id=str(person.pk))
    assert sorted(e.details["format"] for e in events) == ["json", "pdf"]
    assert all("Amara" not in str(e.details) for e in events)

    closed = dpo.post(response["Location"], {"outcome": "answered", "version": 1})
    assert closed.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.outcome, request.closed_by) == ("closed", "answered", officer)
    listing = dpo.get("/protection/requests/").content.decode()
    assert "Amara" in listing


def test_a_rectification_is_tracked_to_closure(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    dpo = client_for(_dpo(personas))
    today = timezone.localdate().isoformat()
    url = f"/protection/people/{person.pk}/requests/new/"
    # No details: refused, nothing saved.
    missing = dpo.post(url, {"kind": "rectification", "channel": "email", "received_on": today})
    assert missing.status_code == 400
    assert not DataRequest.objects.exists()
    dpo.post(
        url,
        {
            "kind": "rectification",
            "channel": "email",
            "received_on": today,
            "details": "The date of birth is wrong: it is 3 May 1990.",
        },
    )
    request = DataRequest.objects.get()
    assert request.details.startswith("The date of birth")
    # A rectification has no bundle to give, and is not "answered".
    assert dpo.get(f"/protection/requests/{request.pk}/bundle.pdf").status_code == 404
    wrong = dpo.post(f"/protection/requests/{request.pk}/", {"outcome": "answered", "version": 1})
    assert wrong.status_code == 400
    unreasoned = dpo.post(
        f"/protection/requests/{request.pk}/", {"outcome": "refused", "version": 1}
    )
    assert unreasoned.status_code == 400
    assert "Give the reason" in unreasoned.content.decode()
    done = dpo.post(
        f"/protection/requests/{request.pk}/",
        {"outcome": "rectified", "note": "Corrected.", "version": 1},
    )
    assert done.status_code == 302
    request.refresh_from_db()
    assert (request.status, request.outcome) == ("closed", "rectified")
    # Overdue: an open request past its due date is marked and filtered.
    late = DataRequest.objects.create(
        person=person,
        office=personas.office_a,
        kind="access",
        received_on=datetime.date(2026, 1, 1),
        due_on=datetime.date(2026, 1, 31),
    )
    assert late.overdue
    assert not request.overdue
    overdue = dpo.get("/protection/requests/", {"overdue": "on"}).content.decode()
    assert f"/protection/requests/{late.pk}/" in overdue
    assert f"/protection/requests/{request.pk}/" not in overdue


def test_bad_input_is_refused_and_nothing_is_saved(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    dpo = client_for(_dpo(personas))
    url = f"/protection/people/{person.pk}/requests/new/"
    future = (timezone.localdate() + datetime.timedelta(days=2)).isoformat()
    for data in (
        {"kind": "access", "channel": "letter", "received_on": future},
        {"kind": "erase-everything", "channel": "letter", "received_on": "2026-01-01"},
        {"kind": "access", "channel": "letter", "received_on": "yesterday"},
        {"kind": "access", "channel": "letter", "received_on": "2026-01-01", "language": "xx"},
    ):
        assert dpo.post(url, data).status_code == 400, data
    assert not DataRequest.objects.exists()


def test_only_the_persons_officers_see_and_record_requests(personas: Personas) -> None:
    person = PersonFactory.create(office=personas.office_a)
    other_dpo = client_for(UserFactory.create(roles=[(personas.office_b, Role.DPO)]))
    caseworker = client_for(personas.caseworker_a)
    url = f"/protection/people/{person.pk}/requests/new/"
    data = {"kind": "access", "channel": "letter", "received_on": "2026-01-01"}
    assert other_dpo.post(url, data).status_code == 404
    assert caseworker.post(url, data).status_code == 404
    assert caseworker.get("/protection/requests/").status_code == 404
    assert not DataRequest.objects.exists()


def test_the_api_records_produces_and_closes_requests(personas: Personas, settings: Any) -> None:
    settings.DATA_REQUEST_DAYS = 20
    person = PersonFactory.create(office=personas.office_a, given_name="Amara")
    officer = _dpo(personas)
    _token, secret = token_issue(actor=None, user=officer, name="tests")
    client = client_for(officer)
    auth = {"Authorization": f"Bearer {secret}"}
    created = client.post(
        "/api/v1/protection/requests",
        {"person_id": str(person.pk), "kind": "access", "received_on": "2026-11-20"},
        content_type="application/json",
        headers=auth,
    )
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["due_on"] == "2026-12-10"  # received on 20 November, 20 days
    url = f"/api/v1/protection/requests/{body['id']}"
    bundle = client.get(f"{url}/bundle", headers=auth)
    assert bundle.status_code == 200
    assert any(
        record.get("given_name") == "Amara"
        for section in bundle.json()["sections"]
        for record in section["records"]
    )
    pdf = client.get(f"{url}/bundle.pdf", headers=auth)
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")
    assert client.get(url, headers=auth).json()["produced_count"] == 2
    stale = client.post(
        f"{url}/close",
        {"outcome": "answered", "version": 99},
        content_type="application/json",
        headers=auth,
    )
    assert stale.status_code == 409
    closed = client.post(
        f"{url}/close",
        {"outcome": "answered", "version": 1},
        content_type="application/json",
        headers=auth,
    )
    assert closed.status_code == 200
    assert closed.json()["status"] == "closed"
    bad = client.post(
        "/api/v1/protection/requests",
        {"person_id": str(person.pk), "kind": "rectification", "received_on": "2026-11-20"},
        content_type="application/json",
        headers=auth,
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["details"][0]["field"] == "details"
    listed = client.get("/api/v1/protection/requests?status=closed", headers=auth).json()
    assert [item["id"] for item in listed["items"]] == [body["id"]]
