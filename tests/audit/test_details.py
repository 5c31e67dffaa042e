"""The events the accounts services write hold ids, names of things and outcomes: no personal
values (no e-mail address, no name, no password) in ``details`` or anywhere else in the event."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import TEST_PASSWORD
from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Role
from wayhome.accounts.services import office_create, role_grant, user_create
from wayhome.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

EMAIL = "amina.haddad.private@example.org"
FULL_NAME = "Amina Haddad-Private"
PASSWORD = "Unusual passphrase 4 Amina!"
PERSONAL = [EMAIL, FULL_NAME, PASSWORD, "Amina", "Haddad", "amina.haddad"]
ALLOWED_DETAIL_KEYS = {"role", "user_id", "field_names", "filters"}


def _event_text(event: AuditEvent) -> str:
    fields = [event.action, event.object_type, event.object_id, event.request_id]
    return json.dumps(event.details) + " " + " ".join(fields)


def _assert_no_personal_values(events: list[AuditEvent]) -> None:
    assert events
    for event in events:
        text = _event_text(event).lower()
        for value in PERSONAL:
            assert value.lower() not in text, (event.action, value)
        assert set(event.details) <= ALLOWED_DETAIL_KEYS, (event.action, event.details)


def test_account_events_hold_no_personal_values() -> None:
    admin = user_create(actor=None, email="admin@example.org", full_name="Admin")
    office = office_create(actor=admin, code="tunis", name="Tunis", kind="origin", country="tn")
    start = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True)[0]
    user = user_create(
        actor=admin,
        email=EMAIL,
        full_name=FULL_NAME,
        password=PASSWORD,
        office=office,
        role=Role.CASEWORKER,
    )
    other = Office.objects.create(code="sfax", name="Sfax", kind="origin", country="TN")
    role_grant(actor=admin, user=user, office=other, role=Role.AUDITOR)
    response = Client().post(reverse("accounts:login"), {"username": EMAIL, "password": PASSWORD})
    assert response.status_code == 302
    events = list(AuditEvent.objects.filter(seq__gt=start).order_by("seq"))
    assert [e.action for e in events] == ["user.create", "role.grant", "role.grant", "auth.login"]
    _assert_no_personal_values(events)
    assert events[0].object_id == str(user.pk)
    assert events[1].details == {"role": Role.CASEWORKER, "user_id": str(user.pk)}
    assert events[3].actor_id == user.pk


def test_office_create_holds_no_personal_values() -> None:
    actor = user_create(actor=None, email=EMAIL, full_name=FULL_NAME, password=PASSWORD)
    office = office_create(actor=actor, code="rabat", name="Rabat", kind="origin", country="ma")
    event = AuditEvent.objects.get(action="office.create")
    assert (event.object_id, event.office_id, event.actor_id) == (
        str(office.pk),
        office.pk,
        actor.pk,
    )
    _assert_no_personal_values([event])


def test_a_failed_sign_in_writes_no_personal_values() -> None:
    user_create(actor=None, email=EMAIL, full_name=FULL_NAME, password=TEST_PASSWORD)
    response = Client().post(reverse("accounts:login"), {"username": EMAIL, "password": "wrong"})
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="auth.login").exists()
    _assert_no_personal_values(list(AuditEvent.objects.all()))
