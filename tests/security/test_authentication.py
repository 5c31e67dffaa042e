"""Sign-in: MFA that cannot be bypassed, lockout without mass lockout, no account enumeration.

ASVS 5.0 V6 (authentication). The pages are found from the URL configuration (tests/routes.py),
so a new page is covered without editing this file.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, ClassVar

import pytest
from django.contrib.auth import views as auth_views
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.conftest import Personas
from tests.factories import TEST_PASSWORD
from tests.routes import OPENAPI_PARAM, collect_routes, ui_url
from wayhome.accounts.middleware import MFA_EXEMPT_PREFIXES
from wayhome.accounts.models import User
from wayhome.api.models import ApiToken

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
VERIFY = reverse("accounts:mfa-verify")
PUBLIC_API = "/api/v1/public/"
SAME_ADDRESS = "203.0.113.7"
CSRF_INPUT = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def _sign_in(user: User, password: str = TEST_PASSWORD) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": user.email, "password": password})
    assert response.status_code == 302
    return client


def _with_device(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


# --- MFA cannot be bypassed ---------------------------------------------------------------------


def test_after_the_password_alone_every_page_leads_to_the_code(personas: Personas) -> None:
    """V6.3.3: with a device enrolled, a password-only session reaches no page, by GET or POST,
    typing its address directly: every route of the URL configuration answers a redirect to
    the code page, except the MFA pages themselves and what needs no session."""
    user = personas.manager_a
    _with_device(user)
    client = _sign_in(user)
    checked = 0
    for route in collect_routes():
        if route.kind != "ui":
            continue
        path = ui_url(route, {})
        if path.startswith(MFA_EXEMPT_PREFIXES):
            continue
        for method in ("GET", "POST"):
            response = client.generic(method, path)
            assert response.status_code == 302, (method, path, response.status_code)
            assert response["Location"] == VERIFY, (method, path)
            checked += 1
    assert checked > 100
    assert not ApiToken.objects.filter(user=user).exists()


def test_a_session_is_no_credential_for_the_api(personas: Personas) -> None:
    """V6.3.3, V6.3.4: the API takes bearer tokens only, so a password-only session (or any
    session) is refused by every operation outside the public portal's."""
    user = personas.manager_a
    _with_device(user)
    client = _sign_in(user)
    checked = 0
    for route in collect_routes():
        if route.kind != "api" or route.template.startswith(PUBLIC_API):
            continue
        path = OPENAPI_PARAM.sub(lambda _m: str(uuid.uuid4()), route.template)
        for method in route.methods:
            response = client.generic(method, path, "{}", content_type="application/json")
            assert response.status_code == 401, (method, path, response.status_code)
            checked += 1
    assert checked > 50


def _reset_views(patterns: list[Any]) -> list[Any]:
    found = []
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            found += _reset_views(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            view = getattr(pattern.callback, "view_class", None)
            if isinstance(view, type) and issubclass(view, auth_views.PasswordResetConfirmView):
                found.append(view)
    return found


def test_no_sign_in_other_than_the_code_passes_mfa(personas: Personas) -> None:
    """V6.4.3, V6.3.4: whatever signs a user in without the code (a password reset that signs
    in, ``django.contrib.auth.login`` from any view) leaves the session unverified, and the gate
    sends it to the code page. No password-reset confirmation may sign in by itself."""
    user = personas.manager_a
    _with_device(user)
    client = Client()
    client.force_login(user)  # what PasswordResetConfirmView(post_reset_login=True) would do
    response = client.get(reverse("core:home"))
    assert response.status_code == 302
    assert response["Location"] == VERIFY
    signing_in = [v for v in _reset_views(get_resolver().url_patterns) if v.post_reset_login]
    assert signing_in == []


def test_there_is_no_self_service_password_reset() -> None:
    """There is no password reset route (operators set passwords with ``manage.py create_user``
    and ``seed_demo --reset-passwords``). If one is added, it must get the enumeration and MFA
    tests of this module: this test fails to say so."""
    names = [
        route.template for route in collect_routes() if re.search("passw|reset", route.template)
    ]
    assert names == []
    assert _reset_views(get_resolver().url_patterns) == []


# --- lockout without mass lockout ---------------------------------------------------------------


def _attempt(client: Client, email: str, password: str) -> Any:
    return client.post(LOGIN, {"username": email, "password": password}, REMOTE_ADDR=SAME_ADDRESS)


def test_the_attacked_account_is_locked_and_colleagues_at_the_same_address_are_not(
    personas: Personas, settings: Any
) -> None:
    """V6.3.1: failures lock the account attacked; other accounts behind the same address
    (an office, a reception centre) still sign in, from the very client of the attacker."""
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _attempt(attacker, "cw-a@example.org", "wrong password").status_code == 200
    assert _attempt(attacker, "cw-a@example.org", "wrong password").status_code == 429
    locked = _attempt(attacker, "cw-a@example.org", TEST_PASSWORD)
    assert locked.status_code == 429
    assert "_auth_user_id" not in attacker.session
    for colleague in (personas.manager_a, personas.auditor_a, personas.caseworker_b):
        client = Client()
        response = _attempt(client, colleague.email, TEST_PASSWORD)
        assert response.status_code == 302, colleague.email
        assert client.session["_auth_user_id"] == str(colleague.pk)


# --- no enumeration -----------------------------------------------------------------------------


class CountingHasher(MD5PasswordHasher):
    """Counts the password hashes computed, to compare the work done for each answer."""

    algorithm = "counting_md5"
    calls: ClassVar[list[str]] = []

    def encode(self, password: str, salt: str) -> str:
        CountingHasher.calls.append(password)
        return super().encode(password, salt)


def _answer(email: str, password: str) -> tuple[int, bytes, int]:
    CountingHasher.calls.clear()
    response = Client().post(LOGIN, {"username": email, "password": password})
    body = CSRF_INPUT.sub(b"", response.content).replace(email.encode(), b"EMAIL")
    return response.status_code, body, len(CountingHasher.calls)


def test_known_and_unknown_accounts_get_the_same_answer_after_the_same_work(
    personas: Personas, settings: Any
) -> None:
    """V6.3.8 (level 3 in ASVS 5.0): a wrong password for a known account, an unknown account
    and a disabled account get the same status and page, and one password hash is computed for
    each."""
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    disabled = personas.auditor_a
    for user in (personas.caseworker_a, disabled):
        user.set_password(TEST_PASSWORD)
        user.save()
    User.objects.filter(pk=disabled.pk).update(is_active=False)
    known = _answer("cw-a@example.org", "not the password")
    unknown = _answer("nobody-here@example.org", "not the password")
    inactive = _answer(disabled.email, TEST_PASSWORD)
    assert known[0] == unknown[0] == inactive[0] == 200
    assert known[1] == unknown[1] == inactive[1]
    assert known[2] == unknown[2] == inactive[2] == 1


def test_an_unknown_account_is_locked_like_a_known_one(personas: Personas, settings: Any) -> None:
    """V6.3.8: the lockout answer does not tell which addresses have an account."""
    answers = {}
    for email in ("cw-a@example.org", "nobody-here@example.org"):
        client = Client()
        for _ in range(settings.AXES_FAILURE_LIMIT):
            _attempt(client, email, "wrong password")
        response = _attempt(client, email, "wrong password")
        body = CSRF_INPUT.sub(b"", response.content).replace(email.encode(), b"EMAIL")
        answers[email] = (response.status_code, body)
    assert answers["cw-a@example.org"] == answers["nobody-here@example.org"]
    assert answers["cw-a@example.org"][0] == 429
