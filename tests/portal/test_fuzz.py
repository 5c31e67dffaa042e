"""Arbitrary input to the public endpoints never gets a server error: JSON of any shape to the
API, any form fields to the contact page, any path and language to a country's page."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import OfficeFactory
from tests.portal.factories import CountryPageFactory

pytestmark = pytest.mark.django_db

FIELDS = (
    "office",
    "name",
    "phone",
    "email",
    "preferred_language",
    "country_of_origin",
    "best_time",
    "message",
    "callback_consent",
    "website",
)
FUZZ = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False)
    | st.text(max_size=60)
    | st.sampled_from(["de-ber", "NG", "ar", "morning", "+49 30 5555 0100", "a@b.org", ""])
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
# Mostly the right keys with wrong values, sometimes anything at all.
payloads = st.fixed_dictionaries({}, optional=dict.fromkeys(FIELDS, json_values)) | json_values


@pytest.fixture
def public(settings: Any) -> Client:
    settings.PUBLIC_FORM_LIMIT = 10**6
    settings.PUBLIC_API_READ_LIMIT = 10**6
    OfficeFactory.create(code="de-ber", name="Berlin")
    CountryPageFactory.create(country="NG")
    return Client(raise_request_exception=False)


@FUZZ
@given(payload=payloads)
def test_the_inquiry_api_never_fails(public: Client, payload: Any) -> None:
    response = public.post(
        "/api/v1/public/inquiries", json.dumps(payload), content_type="application/json"
    )
    assert response.status_code in (201, 400, 422), response.content
    if response.status_code != 201:
        assert set(response.json()["error"]) == {"code", "message", "details"}


@FUZZ
@given(body=st.binary(max_size=200))
def test_the_inquiry_api_takes_any_bytes(public: Client, body: bytes) -> None:
    response = public.post("/api/v1/public/inquiries", body, content_type="application/json")
    assert response.status_code in (400, 422), response.content


@FUZZ
@given(
    data=st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            FIELDS,
            st.text(max_size=80)
            | st.sampled_from(["de-ber", "on", "SN", "wo", "evening", "+221 77 123 4567"]),
        ),
    )
)
def test_the_contact_form_never_fails(public: Client, data: dict[str, str]) -> None:
    response = public.post("/portal/contact/", data)
    assert response.status_code in (302, 400), response.status_code


@FUZZ
@given(country=st.text(min_size=1, max_size=12), language=st.text(max_size=8))
def test_country_pages_never_fail(public: Client, country: str, language: str) -> None:
    for path in (f"/portal/countries/{country}/", f"/api/v1/public/countries/{country}"):
        response = public.get(path, {"language": language})
        assert response.status_code < 500, path


def test_lone_surrogates_in_json_are_refused_not_crashed(public: Client) -> None:
    body = (
        '{"office": "de-ber", "name": "\\ud800", "phone": "+49 30 5555 0100", '
        '"callback_consent": true, "message": "\\udfff"}'
    )
    response = public.post("/api/v1/public/inquiries", body, content_type="application/json")
    assert response.status_code in (400, 422)
