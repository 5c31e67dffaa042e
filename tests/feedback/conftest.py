"""Fixtures of the feedback tests: the ethics officer of office A (the independent queue), and a
user holding every other role in office A."""

from __future__ import annotations

import pytest

from tests.conftest import Personas
from tests.factories import UserFactory
from wayhome.accounts.models import User
from wayhome.accounts.permissions import Role


@pytest.fixture
def ethics_a(personas: Personas) -> User:
    return UserFactory.create(
        email="ethics-a@example.org", roles=[(personas.office_a, Role.ETHICS)]
    )


@pytest.fixture
def office_roles_a(personas: Personas) -> User:
    """Every role of office A except the ethics officer's, in one user."""
    return UserFactory.create(
        email="all-but-ethics-a@example.org",
        roles=[(personas.office_a, role) for role in Role.values if role != Role.ETHICS],
    )
