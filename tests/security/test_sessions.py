"""Sessions: a new id at sign-in, idle and absolute timeouts, and revocation on sign-out, when
the user is disabled and when the password changes. ASVS 5.0 V7 (session management)."""

from __future__ import annotations

from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from tests.accounts.test_session_timeout import Clock
from tests.conftest import Personas
from tests.factories import TEST_PASSWORD
from tests.routes import viewer
from wayhome.accounts.models import User

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")
LOGIN = reverse("accounts:login")
LOGOUT = reverse("accounts:logout")


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _session_key(client: Client) -> str:
    return client.cookies[django_settings.SESSION_COOKIE_NAME].value


def _signed_in(user: User) -> Client:
    client = Client()
    response = client.post(LOGIN, {"username": user.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert client.get(HOME).status_code == 200
    return client


def _signed_out(client: Client) -> bool:
    response = client.get(HOME)
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_sign_in_gives_a_new_session_id(personas: Personas) -> None:
    """V7.2.4: an id planted before sign-in (session fixation) is not the id after it, and the
    planted session no longer exists."""
    planted = SessionStore()
    planted["planted"] = True
    planted.create()
    assert planted.session_key is not None
    client = Client()
    client.cookies[django_settings.SESSION_COOKIE_NAME] = planted.session_key
    response = client.post(LOGIN, {"username": "cw-a@example.org", "password": TEST_PASSWORD})
    assert response.status_code == 302
    assert _session_key(client) != planted.session_key
    assert not Session.objects.filter(session_key=planted.session_key).exists()
    # And the planted id does not carry the signed-in user.
    fixed = Client()
    fixed.cookies[django_settings.SESSION_COOKIE_NAME] = planted.session_key
    assert _signed_out(fixed)


def test_an_idle_session_ends(personas: Personas, clock: Clock, settings: Any) -> None:
    """V7.3.1."""
    client = _signed_in(personas.caseworker_a)
    clock.advance(settings.SESSION_IDLE_TIMEOUT.total_seconds() - 30)
    assert client.get(HOME).status_code == 200
    clock.advance(settings.SESSION_IDLE_TIMEOUT.total_seconds() + 1)
    assert _signed_out(client)


def test_a_busy_session_ends_at_the_absolute_timeout(
    personas: Personas, clock: Clock, settings: Any
) -> None:
    """V7.3.2: activity every few minutes does not keep a session past the absolute limit."""
    client = _signed_in(personas.caseworker_a)
    step = settings.SESSION_IDLE_TIMEOUT.total_seconds() / 2
    elapsed = 0.0
    while elapsed + step < settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds():
        clock.advance(step)
        elapsed += step
        assert client.get(HOME).status_code == 200
    clock.advance(step + 1)
    assert _signed_out(client)


def test_sign_out_ends_the_session_on_the_server(personas: Personas) -> None:
    """V7.4.1: the id is useless after sign-out, even to someone who copied it."""
    client = _signed_in(personas.caseworker_a)
    key = _session_key(client)
    assert client.post(LOGOUT).status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    copied = Client()
    copied.cookies[django_settings.SESSION_COOKIE_NAME] = key
    assert _signed_out(copied)


def test_disabling_a_user_ends_their_sessions_and_tokens(personas: Personas) -> None:
    """V7.4.2: every session and every API token of a disabled user stops working at once."""
    user = personas.caseworker_a
    first, second = _signed_in(user), _signed_in(user)
    token = viewer("disabled", user).token
    api = Client()
    bearer = f"Bearer {token}"
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 200
    User.objects.filter(pk=user.pk).update(is_active=False)
    assert _signed_out(first)
    assert _signed_out(second)
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=bearer).status_code == 401


def test_a_new_password_ends_the_other_sessions(personas: Personas) -> None:
    """V7.4.3: after the password changes (an operator resets it), sessions signed in with the
    old one end; signing in with the new one works."""
    user = personas.caseworker_a
    first, second = _signed_in(user), _signed_in(user)
    user.set_password("a completely new passphrase")
    user.save()
    assert _signed_out(first)
    assert _signed_out(second)
    client = Client()
    response = client.post(
        LOGIN, {"username": user.email, "password": "a completely new passphrase"}
    )
    assert response.status_code == 302
    assert client.get(HOME).status_code == 200
