from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import Personas
from tests.factories import TEST_PASSWORD
from wayhome.accounts import middleware

pytestmark = pytest.mark.django_db

HOME = reverse("core:home")
LOGIN = reverse("accounts:login")


class Clock:
    """Moves the time the session middleware reads."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.now = middleware._now_ts()
        monkeypatch.setattr(middleware, "_now_ts", lambda: self.now)

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    return Clock(monkeypatch)


def _sign_in(personas: Personas) -> Client:
    client = Client()
    client.post(LOGIN, {"username": "cw-a@example.org", "password": TEST_PASSWORD})
    assert client.get(HOME).status_code == 200
    return client


def _signed_out(client: Client) -> bool:
    response = client.get(HOME)
    return response.status_code == 302 and response["Location"].startswith(LOGIN)


def test_sign_in_starts_both_clocks(personas: Personas, clock: Clock) -> None:
    client = _sign_in(personas)
    assert client.session[middleware.SESSION_STARTED] == clock.now
    assert client.session[middleware.SESSION_LAST_SEEN] == clock.now


def test_activity_within_the_idle_timeout_keeps_the_session(
    personas: Personas, clock: Clock, settings: Any
) -> None:
    client = _sign_in(personas)
    idle = settings.SESSION_IDLE_TIMEOUT.total_seconds()
    for _ in range(3):
        clock.advance(idle - 5)
        assert client.get(HOME).status_code == 200


def test_idle_session_is_signed_out(personas: Personas, clock: Clock, settings: Any) -> None:
    client = _sign_in(personas)
    clock.advance(settings.SESSION_IDLE_TIMEOUT.total_seconds() + 1)
    assert _signed_out(client)
    assert "_auth_user_id" not in client.session
    # Going back in time does not bring the session back.
    clock.advance(-settings.SESSION_IDLE_TIMEOUT.total_seconds())
    assert _signed_out(client)


def test_session_ends_at_the_absolute_timeout_even_when_active(
    personas: Personas, clock: Clock, settings: Any
) -> None:
    client = _sign_in(personas)
    step = settings.SESSION_IDLE_TIMEOUT.total_seconds() / 2
    absolute = settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
    elapsed = 0.0
    while elapsed + step <= absolute:
        clock.advance(step)
        elapsed += step
        assert client.get(HOME).status_code == 200, elapsed
    clock.advance(absolute - elapsed + 1)
    assert _signed_out(client)


def test_signed_out_user_is_told_why(personas: Personas, clock: Clock, settings: Any) -> None:
    client = _sign_in(personas)
    clock.advance(settings.SESSION_IDLE_TIMEOUT.total_seconds() + 1)
    response = client.get(HOME, follow=True)
    assert "Your session has ended" in response.content.decode()
