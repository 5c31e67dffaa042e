"""Bulk-access alerts: a user who opens the threshold-th different person record within the
window raises one alert (not one record before); the data protection officers of the office see
it and are e-mailed; others get 404; an officer closes it with an outcome."""

from __future__ import annotations

import datetime
from typing import Any
from unittest import mock

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from tests.cases.factories import CaseFactory
from tests.conftest import Personas, client_for
from tests.exports.factories import bulk_cases
from tests.factories import UserFactory
from tests.people.factories import PersonFactory
from tests.protection.factories import AccessAlertFactory
from wayhome.accounts.permissions import Role
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent
from wayhome.people.models import Person
from wayhome.protection import alerts
from wayhome.protection.models import AccessAlert

pytestmark = pytest.mark.django_db

RECORDS = {"ACCESS_ALERT_RECORDS": 4, "ACCESS_ALERT_MINUTES": 10}


def open_people(client: Client, people: list[Person]) -> None:
    for person in people:
        response = client.get(f"/people/{person.pk}/")
        assert response.status_code == 200


@override_settings(**RECORDS)
def test_the_alert_fires_at_the_threshold_and_not_below(
    personas: Personas, django_capture_on_commit_callbacks: Any
) -> None:
    dpo = UserFactory.create(email="dpo-a@example.org", roles=[(personas.office_a, Role.DPO)])
    UserFactory.create(email="dpo-b@example.org", roles=[(personas.office_b, Role.DPO)])
    people = [PersonFactory.create(office=personas.office_a) for _ in range(5)]
    case = CaseFactory.create(office=personas.office_a)
    client = client_for(personas.caseworker_a)
    open_people(client, people[:2])
    assert client.get(f"/cases/{case.pk}/").status_code == 200  # a case counts as a record
    open_people(client, people[:2])  # the same records again: still three different ones
    assert not AccessAlert.objects.exists()
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        open_people(client, people[2:3])  # the fourth different record: the threshold
    alert = AccessAlert.objects.get()
    assert (alert.user, alert.kind, alert.count, alert.threshold) == (
        personas.caseworker_a,
        AccessAlert.Kind.RECORDS,
        4,
        4,
    )
    assert list(alert.offices.all()) == [personas.office_a]
    assert [m.to for m in mail.outbox] == [[dpo.email]]
    assert str(people[0].given_name) not in mail.outbox[0].body

    with django_capture_on_commit_callbacks(execute=True):
        open_people(client, people[3:5])  # more within the window: the same alert, updated
    alert.refresh_from_db()
    assert AccessAlert.objects.count() == 1
    assert alert.count == 6
    assert len(mail.outbox) == 1


@override_settings(**RECORDS)
def test_records_opened_before_the_window_do_not_count(personas: Personas) -> None:
    people = [PersonFactory.create(office=personas.office_a) for _ in range(6)]
    client = client_for(personas.caseworker_a)
    open_people(client, people[:3])
    later = timezone.now() + datetime.timedelta(minutes=11)
    with mock.patch.object(alerts, "_now", return_value=later):
        open_people(client, people[3:6])  # three in the new window, six in all
    assert not AccessAlert.objects.exists()


@override_settings(**RECORDS)
def test_other_users_accesses_are_counted_apart(personas: Personas) -> None:
    people = [PersonFactory.create(office=personas.office_a) for _ in range(4)]
    other = UserFactory.create(roles=[(personas.office_a, Role.CASEWORKER)])
    open_people(client_for(personas.caseworker_a), people[:2])
    open_people(client_for(other), people[2:4])
    assert not AccessAlert.objects.exists()


@override_settings(**RECORDS)
def test_api_reads_count_too(personas: Personas) -> None:
    people = [PersonFactory.create(office=personas.office_a) for _ in range(4)]
    _token, secret = token_issue(actor=None, user=personas.caseworker_a, name="tests")
    client = client_for(personas.caseworker_a)
    for person in people:
        response = client.get(
            f"/api/v1/people/{person.pk}", headers={"Authorization": f"Bearer {secret}"}
        )
        assert response.status_code == 200
    assert AccessAlert.objects.get().count == 4


@override_settings(ACCESS_ALERT_EXPORTS=2, ACCESS_ALERT_EXPORT_HOURS=24)
def test_many_exports_raise_an_alert(personas: Personas) -> None:
    bulk_cases(personas.office_a, 3)
    client = client_for(personas.manager_a)
    response = client.post("/exports/", {"kind": "cases", "format": "csv"})
    assert response.status_code in (302, 303), response.content[:500]
    assert not AccessAlert.objects.exists()
    client.post("/exports/", {"kind": "cases", "format": "csv"})
    alert = AccessAlert.objects.get()
    assert (alert.kind, alert.count, alert.threshold) == (AccessAlert.Kind.EXPORTS, 2, 2)


def test_only_the_offices_officers_see_an_alert_and_close_it(personas: Personas) -> None:
    alert = AccessAlertFactory.create(office=personas.office_a)
    dpo_a = client_for(UserFactory.create(roles=[(personas.office_a, Role.DPO)]))
    dpo_b = client_for(UserFactory.create(roles=[(personas.office_b, Role.DPO)]))
    url = f"/protection/alerts/{alert.pk}/"
    assert str(alert.pk) in dpo_a.get("/protection/alerts/").content.decode()
    assert str(alert.pk) not in dpo_b.get("/protection/alerts/").content.decode()
    assert dpo_b.get(url).status_code == 404
    assert client_for(personas.manager_a).get(url).status_code == 404
    assert client_for(personas.manager_a).get("/protection/alerts/").status_code == 404

    refused = dpo_a.post(url, {"outcome": "justified", "note": "  ", "version": alert.version})
    assert refused.status_code == 400
    stale = dpo_a.post(url, {"outcome": "justified", "note": "x", "version": alert.version + 1})
    assert stale.status_code == 409
    alert.refresh_from_db()
    assert alert.status == AccessAlert.Status.OPEN

    closed = dpo_a.post(
        url, {"outcome": "justified", "note": "Monthly file review.", "version": alert.version}
    )
    assert closed.status_code == 302
    alert.refresh_from_db()
    assert (alert.status, alert.outcome, alert.note) == (
        "closed",
        "justified",
        "Monthly file review.",
    )
    assert AuditEvent.objects.filter(
        action="protection.alert_close", object_id=str(alert.pk)
    ).exists()
    assert AuditEvent.objects.filter(action="protection.alert_view").exists()


def test_the_api_lists_gets_and_closes_with_the_version(personas: Personas) -> None:
    alert = AccessAlertFactory.create(office=personas.office_a)
    dpo = UserFactory.create(roles=[(personas.office_a, Role.DPO)])
    _token, secret = token_issue(actor=None, user=dpo, name="tests")
    headers = {"Authorization": f"Bearer {secret}"}
    client = client_for(dpo)
    listed = client.get("/api/v1/protection/alerts?status=open", headers=headers).json()
    assert [item["id"] for item in listed["items"]] == [str(alert.pk)]
    assert listed["items"][0]["office_ids"] == [str(personas.office_a.pk)]
    close = f"/api/v1/protection/alerts/{alert.pk}/close"
    stale = client.post(
        close,
        {"outcome": "escalated", "note": "Asked the manager.", "version": 99},
        content_type="application/json",
        headers=headers,
    )
    assert stale.status_code == 409
    done = client.post(
        close,
        {"outcome": "escalated", "note": "Asked the manager.", "version": alert.version},
        content_type="application/json",
        headers=headers,
    )
    assert done.status_code == 200, done.content
    assert done.json()["status"] == "closed"
    bad = client.post(
        close,
        {"outcome": "escalated", "note": "Again.", "version": done.json()["version"]},
        content_type="application/json",
        headers=headers,
    )
    assert bad.status_code == 422
