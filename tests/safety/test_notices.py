"""Caseworkers are told: an e-mail with case references (never names), and the home page's work
queue lists the held cases the user may see."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.people.factories import PersonFactory
from tests.safety.factories import record, safety_officer

pytestmark = pytest.mark.django_db


def test_the_mail_carries_references_and_no_names(
    personas: Personas, django_capture_on_commit_callbacks: Callable[..., Any]
) -> None:
    principal = PersonFactory.create(office=personas.office_a)
    case = CaseFactory.create(
        office=personas.office_a,
        principal=principal,
        destination_country="AF",
        assigned_to=personas.caseworker_a,
    )
    unassigned = CaseFactory.create(office=personas.office_a, destination_country="AF")
    officer = safety_officer(personas.office_b)
    with django_capture_on_commit_callbacks(execute=True):
        version, _ = record(officer)
    by_address = {m.to[0]: m for m in mail.outbox}
    message = by_address[personas.caseworker_a.email]
    assert case.reference in message.body
    assert unassigned.reference in message.body  # the office's caseworkers get unassigned ones
    assert personas.caseworker_b.email not in by_address
    names = [str(getattr(principal, attr, "")) for attr in ("given_name", "family_name", "name")]
    for message in mail.outbox:
        for name in filter(None, names):
            assert name not in message.body
            assert name not in message.subject
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        record(officer, previous=version, status="open")
    assert any("Released" in m.body and case.reference in m.body for m in mail.outbox)


def test_the_work_queue_shows_held_cases_only_to_those_who_may_see_them(
    personas: Personas,
) -> None:
    case = CaseFactory.create(office=personas.office_a, destination_country="AF")
    record(safety_officer(personas.office_a))
    home = reverse("core:home")
    page = client_for(personas.caseworker_a).get(home).content.decode()
    assert "Cases held by a return restriction" in page
    assert case.reference in page
    other = client_for(personas.caseworker_b).get(home).content.decode()
    assert case.reference not in other
    dashboard = reverse("safety:dashboard")
    assert case.reference in client_for(personas.manager_a).get(dashboard).content.decode()
    assert case.reference not in client_for(personas.caseworker_b).get(dashboard).content.decode()
