"""Persona fixtures and test-wide settings.

Personas: a caseworker of office A, a programme manager of office A, a caseworker of office B who
must see nothing of A, a partner user, an auditor of office A, and an anonymous visitor (the
migrant on the public pages).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from tests.factories import OfficeFactory, UserFactory
from wayhome.accounts.models import Office, User
from wayhome.accounts.permissions import Role


@pytest.fixture(scope="session", autouse=True)
def _compiled_translations() -> None:
    """The .mo files are built, not committed (``make messages``): build stale ones here too."""
    from tests.i18n import compile_messages

    compile_messages()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres_only`` run in the PostgreSQL pass of ``make test`` (``.ci/run``
    always makes one); on SQLite they are deselected, and the summary says how many."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    deselected = [item for item in items if item.get_closest_marker("postgres_only")]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = [item for item in items if not item.get_closest_marker("postgres_only")]


@pytest.fixture(autouse=True)
def _english_unless_asked() -> Iterator[None]:
    """Each test starts in English: a request in another language (``Accept-Language``, the
    language cookie) leaves that language active in the thread, which would turn the next test's
    messages to French or Spanish depending on the order the tests happen to run in."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _fast_settings(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.REQUIRE_MFA = False


_TRANSACTIONAL_FIXTURES = {"transactional_db", "live_server", "django_db_reset_sequences"}


@pytest.fixture(autouse=True)
def _audit_trail_flushable(request: pytest.FixtureRequest) -> Iterator[None]:
    """Transactional tests end by flushing every table, which the append-only audit table refuses
    while it holds events: empty it first (its triggers bypassed inside a transaction)."""
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(_TRANSACTIONAL_FIXTURES & set(request.fixturenames)) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if not transactional:
        yield
        return
    request.getfixturevalue("transactional_db")  # so that this is torn down before the flush
    yield
    from tests.audit.tamper import purge

    purge()


@dataclass
class Personas:
    office_a: Office
    office_b: Office
    caseworker_a: User
    manager_a: User
    caseworker_b: User
    partner: User
    auditor_a: User


@pytest.fixture
def personas(db: None) -> Personas:
    office_a = OfficeFactory.create(code="office-a", name="Office A", country="DE")
    office_b = OfficeFactory.create(code="office-b", name="Office B", country="GR")
    user = UserFactory.create
    return Personas(
        office_a=office_a,
        office_b=office_b,
        caseworker_a=user(email="cw-a@example.org", roles=[(office_a, Role.CASEWORKER)]),
        manager_a=user(email="pm-a@example.org", roles=[(office_a, Role.MANAGER)]),
        caseworker_b=user(email="cw-b@example.org", roles=[(office_b, Role.CASEWORKER)]),
        partner=user(email="partner@example.org", roles=[(office_b, Role.PARTNER)]),
        auditor_a=user(email="auditor-a@example.org", roles=[(office_a, Role.AUDITOR)]),
    )


def client_for(user: User) -> Client:
    """A test client signed in as ``user`` (MFA not required in tests unless a test turns it on)."""
    client = Client()
    client.force_login(user)
    return client
