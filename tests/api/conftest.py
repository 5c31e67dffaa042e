from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue


@pytest.fixture
def api_client() -> Client:
    """A client that returns the 500 page instead of raising, as a real server would."""
    return Client(raise_request_exception=False)


@pytest.fixture
def token_user(db: None) -> User:
    """A member of staff (a user without any office permission reaches only the partner API)."""
    return UserFactory.create(
        email="api-user@example.org", roles=[(OfficeFactory.create(), Role.AUDITOR)]
    )


@pytest.fixture
def bearer(token_user: User) -> str:
    _token, secret = token_issue(actor=None, user=token_user, name="tests")
    return f"Bearer {secret}"
