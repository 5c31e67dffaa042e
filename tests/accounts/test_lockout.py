from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas
from tests.factories import TEST_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
SAME_ADDRESS = "203.0.113.7"


def _post(client: Client, email: str, password: str) -> Any:
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=SAME_ADDRESS)


def test_after_the_limit_the_attacked_account_is_locked_even_with_the_right_password(
    personas: Personas, settings: Any
) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _post(client, "cw-a@example.org", "wrong password")
    response = _post(client, "cw-a@example.org", TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "Sign-in paused" in response.content.decode()


def test_below_the_limit_the_right_password_still_works(personas: Personas, settings: Any) -> None:
    client = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _post(client, "cw-a@example.org", "wrong password")
    assert _post(client, "cw-a@example.org", TEST_PASSWORD).status_code == 302


def test_another_account_from_the_same_address_still_signs_in(
    personas: Personas, settings: Any
) -> None:
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT + 2):
        _post(attacker, "cw-a@example.org", "wrong password")
    colleague = Client()
    response = _post(colleague, "pm-a@example.org", TEST_PASSWORD)
    assert response.status_code == 302
    assert colleague.session["_auth_user_id"] == str(personas.manager_a.pk)


def test_changing_the_case_of_the_email_does_not_reset_the_count(
    personas: Personas, settings: Any
) -> None:
    client = Client()
    variants = ["CW-A@example.org", "cw-a@EXAMPLE.org", " cw-a@example.org", "Cw-A@Example.Org"]
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        _post(client, variants[attempt % len(variants)], "wrong password")
    assert _post(client, "cw-a@example.org", TEST_PASSWORD).status_code == 429
