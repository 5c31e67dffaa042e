"""No personal data in logs, URLs or error pages: a canary name taken through the create, edit,
search and error paths of the pages and the API never appears in the captured logs, in any URL
a response holds (Location, links, forms, htmx headers), in an error answer, nor in the audit
trail. Extends tests/people/test_canary.py (database files, dumps), whose canary it reuses.
ASVS 5.0 V14.2.1 (no sensitive data in URLs), V16.2.5 (logs), V16.5.1 (errors)."""

from __future__ import annotations

import json
import logging
import re
import uuid
from typing import Any

import pytest
from django.http.response import HttpResponseBase
from django.test import Client

from tests.conftest import Personas, client_for
from tests.people.test_canary import canary, forms_of, leaks
from tests.routes import response_body, viewer
from wayhome.audit.models import AuditEvent
from wayhome.people.models import Person

pytestmark = pytest.mark.django_db

URL_ATTRIBUTE = re.compile(rb'(?:href|src|action|hx-get|hx-post|hx-push-url)="([^"]*)"')
URL_HEADERS = ("Location", "HX-Redirect", "HX-Location", "HX-Push-Url", "Content-Location")


class Trail:
    """Every request made, with the canary's forbidden forms checked on each answer."""

    def __init__(self, forbidden: set[bytes]) -> None:
        self.forbidden = forbidden
        self.answers: list[tuple[str, HttpResponseBase]] = []

    def add(self, label: str, response: HttpResponseBase) -> HttpResponseBase:
        self.answers.append((label, response))
        return response

    def urls(self) -> list[bytes]:
        found = []
        for _label, response in self.answers:
            found += [response[h].encode() for h in URL_HEADERS if response.has_header(h)]
            found += URL_ATTRIBUTE.findall(response_body(response))
        return found


def test_a_canary_name_leaves_no_trace_in_logs_urls_errors_or_the_audit_trail(
    personas: Personas, caplog: pytest.LogCaptureFixture
) -> None:
    values = canary()
    full_name = f"{values['given']} {values['family']}"
    forbidden = forms_of(values)
    trail = Trail(forbidden)
    user = personas.caseworker_a
    session = client_for(user)
    api = Client(raise_request_exception=False)
    bearer = f"Bearer {viewer('canary', user).token}"

    def api_call(method: str, path: str, body: Any) -> HttpResponseBase:
        return api.generic(
            method,
            path,
            json.dumps(body),
            content_type="application/json",
            HTTP_AUTHORIZATION=bearer,
        )

    with caplog.at_level(logging.DEBUG):
        # Create: on the page (two steps) and through the API.
        form = {
            "office": str(personas.office_a.pk),
            "given_name": values["given"],
            "family_name": values["family"],
            "name_as_written": values["written"],
            "date_of_birth": values["born"],
            "dob_precision": "exact",
            "sex": "female",
            "nationality": "NG",
        }
        trail.add("identify", session.post("/people/new/", {**form, "step": "check"}))
        created = trail.add("register", session.post("/people/new/", {**form, "step": "register"}))
        assert created.status_code == 302, response_body(created)[:3000]
        person = Person.objects.get(pk=created["Location"].rstrip("/").rsplit("/", 1)[-1])
        assert person.given_name == values["given"]
        body = {
            "office_id": str(personas.office_a.pk),
            "given_name": values["given"],
            "family_name": values["family"] + "x",
            "date_of_birth": values["born"],
        }
        assert trail.add("api create", api_call("POST", "/api/v1/people", body)).status_code == 201
        # Read and edit.
        trail.add("detail", session.get(f"/people/{person.pk}/"))
        edit = {
            **form,
            "version": str(person.version),
            "name_as_written": values["written"] + "\u03bf",
        }
        edited = trail.add("edit", session.post(f"/people/{person.pk}/edit/", edit))
        assert edited.status_code == 302
        patch = {"version": person.version + 1, "other_names": [values["given"] + "a"]}
        patched = api_call("PATCH", f"/api/v1/people/{person.pk}", patch)
        assert trail.add("api edit", patched).status_code == 200
        # Search: the pages (POSTed, with paging) and the API.
        found = trail.add("search", session.post("/people/", {"q": full_name}))
        assert found.status_code == 200
        assert str(person.pk).encode() in response_body(found)
        trail.add(
            "search partial", session.post("/people/", {"q": full_name}, HTTP_HX_REQUEST="true")
        )
        trail.add("case search", session.post("/cases/", {"q": full_name}))
        searched = api_call("POST", "/api/v1/people/search", {"q": full_name})
        assert trail.add("api search", searched).status_code == 200
        assert json.loads(response_body(searched))["count"] == 1
        trail.add("duplicates", api_call("POST", "/api/v1/people/duplicates", body))
        # Errors: invalid input holding the canary, stale edits, unknown records.
        errors = [
            api_call("POST", "/api/v1/people", {**body, "date_of_birth": values["given"]}),
            api_call("POST", "/api/v1/people", {**body, "sex": values["family"]}),
            api_call("POST", "/api/v1/people/search", {"q": full_name * 20}),
            api_call("PATCH", f"/api/v1/people/{person.pk}", {**patch, "version": 1}),
            api_call("PATCH", f"/api/v1/people/{uuid.uuid4()}", patch),
            api_call("POST", "/api/v1/people", f"{{{values['given']}"),
            session.get(f"/people/{uuid.uuid4()}/"),
            session.post(f"/people/{uuid.uuid4()}/edit/", edit),
        ]
        assert sorted({r.status_code for r in errors}) == [404, 409, 422]
        for response in errors:
            trail.add("error", response)

    # The error answers (4xx/5xx, pages and API) hold no form of the canary. (A page re-showing
    # a form the user is correcting shows what they typed, to them: that is not an error page.)
    for label, response in trail.answers:
        if response.status_code >= 400 and not (
            response.status_code == 400 and label in ("identify", "register", "edit")
        ):
            assert not leaks(response_body(response), forbidden), (label, response.status_code)
    # No URL in any answer.
    urls = trail.urls()
    assert len(urls) > 20
    assert [url for url in urls if leaks(url, forbidden)] == []
    # Nor the logs (every logger, DEBUG included), nor the audit trail.
    assert caplog.records
    assert not leaks(caplog.text.encode(), forbidden)
    details = json.dumps(list(AuditEvent.objects.values_list("details", flat=True))).encode()
    assert AuditEvent.objects.filter(action="person.search").exists()
    assert not leaks(details, forbidden)
