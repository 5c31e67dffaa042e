from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")


def _sign_in(client: Client, email: str, password: str = TEST_PASSWORD) -> Any:
    return client.post(LOGIN, {"username": email, "password": password})


def test_sign_in_by_email_lands_on_home(personas: Personas) -> None:
    client = Client()
    response = _sign_in(client, "cw-a@example.org")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert client.get(reverse("core:home")).status_code == 200


def test_sign_in_email_is_case_insensitive_and_trimmed(personas: Personas) -> None:
    client = Client()
    response = _sign_in(client, "  CW-A@Example.ORG ")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(personas.caseworker_a.pk)


def test_wrong_password_and_unknown_account_get_the_same_message(personas: Personas) -> None:
    wrong_password = Client().post(LOGIN, {"username": "cw-a@example.org", "password": "nope"})
    unknown = Client().post(LOGIN, {"username": "nobody@example.org", "password": "nope"})
    assert wrong_password.status_code == unknown.status_code == 200
    errors = wrong_password.context["form"].non_field_errors()
    assert errors == unknown.context["form"].non_field_errors()
    assert errors == ["The e-mail address or the password is not right."]
    body = wrong_password.content.decode()
    assert "password is not right" in body
    assert "not found" not in body.lower()


def test_inactive_account_gets_the_same_message(personas: Personas) -> None:
    personas.caseworker_a.is_active = False
    personas.caseworker_a.save()
    response = _sign_in(Client(), "cw-a@example.org")
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert errors == ["The e-mail address or the password is not right."]


def test_pages_need_sign_in(db: None) -> None:
    response = Client().get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)


def test_sign_in_refuses_an_offsite_next(personas: Personas) -> None:
    client = Client()
    response = client.post(
        LOGIN,
        {"username": "cw-a@example.org", "password": TEST_PASSWORD, "next": "https://evil.test/"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


def test_sign_out_is_post_only(personas: Personas) -> None:
    client = Client()
    _sign_in(client, "cw-a@example.org")
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert client.post(reverse("accounts:logout")).status_code == 302
    assert "_auth_user_id" not in client.session
