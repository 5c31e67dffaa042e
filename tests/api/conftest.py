from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import UserFactory
from wayhome.accounts.models import User
from wayhome.api.services import token_issue


@pytest.fixture
def api_client() -> Client:
    """A client that returns the 500 page instead of raising, as a real server would."""
    return Client(raise_request_exception=False)


@pytest.fixture
def token_user(db: None) -> User:
    return UserFactory.create(email="api-user@example.org")


@pytest.fixture
def bearer(token_user: User) -> str:
    _token, secret = token_issue(actor=None, user=token_user, name="tests")
    return f"Bearer {secret}"
