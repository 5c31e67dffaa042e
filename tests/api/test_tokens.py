"""Issuing, checking and revoking tokens; /me; what is stored and audited."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from tests.conftest import Personas
from tests.factories import UserFactory
from wayhome.api.auth import LAST_USED_RESOLUTION, token_authenticate
from wayhome.api.models import ApiToken
from wayhome.api.services import token_issue, token_revoke
from wayhome.api.tokens import secret_digest
from wayhome.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def test_issue_stores_only_a_digest_and_audits_without_the_secret() -> None:
    user = UserFactory.create()
    token, secret = token_issue(actor=user, user=user, name="laptop")
    assert secret.startswith("wh_")
    assert len(secret) >= 3 + 43  # 32 random bytes, URL-safe base64
    stored = ApiToken.objects.get(pk=token.pk)
    assert stored.digest == secret_digest(secret)
    assert secret.startswith(stored.prefix)
    assert secret not in json.dumps(list(ApiToken.objects.values("name", "prefix", "digest")))
    event = AuditEvent.objects.get(action="token.issue")
    assert event.object_id == str(token.pk)
    assert event.actor_id == user.pk
    assert secret not in json.dumps(event.details)
    assert secret[len(stored.prefix) :] not in json.dumps(event.details)


def test_each_token_is_different() -> None:
    user = UserFactory.create()
    secrets = {token_issue(actor=None, user=user, name=f"t{n}")[1] for n in range(20)}
    assert len(secrets) == 20


def test_issue_refuses_a_past_expiry_and_an_inactive_user() -> None:
    user = UserFactory.create()
    with pytest.raises(ValidationError):
        token_issue(
            actor=None, user=user, name="x", expires_at=timezone.now() - timedelta(minutes=1)
        )
    user.is_active = False
    user.save()
    with pytest.raises(ValidationError):
        token_issue(actor=None, user=user, name="x")
    assert not ApiToken.objects.exists()


def test_revoke_is_audited_once() -> None:
    user = UserFactory.create()
    token, secret = token_issue(actor=None, user=user, name="x")
    assert token_authenticate(secret) is not None
    token_revoke(actor=user, token=token)
    token_revoke(actor=user, token=token)
    assert token_authenticate(secret) is None
    assert AuditEvent.objects.filter(action="token.revoke", object_id=str(token.pk)).count() == 1


def test_expiry_is_enforced() -> None:
    user = UserFactory.create()
    _token, secret = token_issue(
        actor=None, user=user, name="x", expires_at=timezone.now() + timedelta(hours=1)
    )
    assert token_authenticate(secret) is not None
    ApiToken.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert token_authenticate(secret) is None


def test_last_used_is_written_at_most_once_a_minute() -> None:
    user = UserFactory.create()
    token, secret = token_issue(actor=None, user=user, name="x")
    first = token_authenticate(secret)
    assert first is not None
    used = ApiToken.objects.get(pk=token.pk).last_used_at
    assert used is not None
    assert token_authenticate(secret) is not None
    assert ApiToken.objects.get(pk=token.pk).last_used_at == used  # not written again
    ApiToken.objects.update(last_used_at=used - LAST_USED_RESOLUTION)
    assert token_authenticate(secret) is not None
    later = ApiToken.objects.get(pk=token.pk).last_used_at
    assert later is not None
    assert later >= used


def test_me_lists_offices_roles_and_permissions(personas: Personas) -> None:
    _token, secret = token_issue(actor=None, user=personas.manager_a, name="x")
    response = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert response.status_code == 200
    body = response.json()
    assert body["id"] == str(personas.manager_a.pk)
    assert body["email"] == "pm-a@example.org"
    assert [office["code"] for office in body["offices"]] == ["office-a"]
    office = body["offices"][0]
    assert office["roles"] == ["manager"]
    assert "case.approve" in office["permissions"]
    assert "audit.view" not in office["permissions"]


def test_bearer_token_works_without_a_session_or_csrf(personas: Personas) -> None:
    _token, secret = token_issue(actor=None, user=personas.caseworker_b, name="x")
    client = Client(enforce_csrf_checks=True)
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"bearer {secret}")
    assert response.status_code == 200
    assert response.json()["offices"][0]["code"] == "office-b"


def test_a_signed_in_session_is_not_an_api_credential(personas: Personas) -> None:
    client = Client(raise_request_exception=False)
    client.force_login(personas.caseworker_a)
    assert client.get("/api/v1/me").status_code == 401
