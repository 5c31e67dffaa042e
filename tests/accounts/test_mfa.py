from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import Personas
from tests.factories import TEST_PASSWORD
from wayhome.accounts.models import User

pytestmark = pytest.mark.django_db

ENROL = reverse("accounts:mfa-enrol")
VERIFY = reverse("accounts:mfa-verify")
HOME = reverse("core:home")


@pytest.fixture(autouse=True)
def _require_mfa(settings: Any) -> None:
    settings.REQUIRE_MFA = True


def _code(device: TOTPDevice, drift: int = 0) -> str:
    value = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
    return str(value).zfill(device.digits)


def _sign_in(user: User) -> Client:
    client = Client()
    response = client.post(
        reverse("accounts:login"), {"username": user.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 302
    return client


def _enrol(client: Client, user: User) -> TOTPDevice:
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(ENROL, {"code": _code(device)})
    assert response.status_code == 302
    assert response["Location"] == HOME
    return device


@pytest.mark.parametrize(
    "path",
    [
        reverse("core:home"),
        reverse("people:person-list"),
        reverse("audit:event-list"),
        reverse("api:token-list"),
    ],
)
def test_without_a_device_every_page_leads_to_enrolment(personas: Personas, path: str) -> None:
    client = _sign_in(personas.manager_a)
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == ENROL


def test_without_a_device_the_office_switcher_leads_to_enrolment(personas: Personas) -> None:
    client = _sign_in(personas.caseworker_a)
    response = client.post(reverse("accounts:office-switch"), {"office": personas.office_a.pk})
    assert response.status_code == 302
    assert response["Location"] == ENROL
    assert "wh_office" not in client.session


def test_enrolment_page_shows_the_secret_and_a_qr_code(personas: Personas) -> None:
    client = _sign_in(personas.caseworker_a)
    page = client.get(ENROL)
    assert page.status_code == 200
    device = TOTPDevice.objects.get(user=personas.caseworker_a, confirmed=False)
    html = page.content.decode()
    assert page.context["secret"] in html
    assert reverse("accounts:mfa-qr") in html
    qr = client.get(reverse("accounts:mfa-qr"))
    assert qr.status_code == 200
    assert qr["Content-Type"] == "image/svg+xml"
    assert not device.confirmed


def test_enrolment_with_a_valid_code_confirms_the_device_and_opens_the_app(
    personas: Personas,
) -> None:
    client = _sign_in(personas.caseworker_a)
    device = _enrol(client, personas.caseworker_a)
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(HOME).status_code == 200
    # The QR code of an enrolled account is not shown again.
    assert client.get(reverse("accounts:mfa-qr")).status_code == 404


def test_enrolment_with_a_wrong_code_fails(personas: Personas) -> None:
    client = _sign_in(personas.caseworker_a)
    client.get(ENROL)
    device = TOTPDevice.objects.get(user=personas.caseworker_a, confirmed=False)
    wrong = str((int(_code(device)) + 1) % 1_000_000).zfill(6)
    response = client.post(ENROL, {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get(HOME)["Location"] == ENROL


def test_enrolment_rejects_a_code_that_is_not_six_digits(personas: Personas) -> None:
    client = _sign_in(personas.caseworker_a)
    response = client.post(ENROL, {"code": "abc"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]


def test_next_sign_in_asks_for_a_code(personas: Personas) -> None:
    user = personas.caseworker_a
    device = _enrol(_sign_in(user), user)
    client = _sign_in(user)
    assert client.get(HOME)["Location"] == VERIFY
    # A fresh password sign-in cannot enrol another device to skip the code.
    assert client.get(ENROL)["Location"] == VERIFY
    device.refresh_from_db()
    response = client.post(VERIFY, {"code": _code(device, drift=1)})
    assert response.status_code == 302
    assert response["Location"] == HOME
    assert client.get(HOME).status_code == 200


def test_verify_with_a_wrong_code_fails(personas: Personas) -> None:
    user = personas.caseworker_a
    device = _enrol(_sign_in(user), user)
    client = _sign_in(user)
    wrong = str((int(_code(device, drift=1)) + 1) % 1_000_000).zfill(6)
    response = client.post(VERIFY, {"code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"]
    assert client.get(HOME)["Location"] == VERIFY


def test_a_used_code_cannot_be_replayed(personas: Personas) -> None:
    user = personas.caseworker_a
    device = _enrol(_sign_in(user), user)
    client = _sign_in(user)
    response = client.post(VERIFY, {"code": _code(device)})
    assert response.status_code == 200
    assert client.get(HOME)["Location"] == VERIFY


def test_without_require_mfa_users_without_a_device_go_straight_in(
    personas: Personas, settings: Any
) -> None:
    settings.REQUIRE_MFA = False
    client = _sign_in(personas.caseworker_a)
    assert client.get(HOME).status_code == 200
