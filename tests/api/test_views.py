"""The token pages: list, create (secret shown once), revoke; someone else's token is 404."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.api.factories import ApiTokenFactory
from tests.conftest import Personas, client_for
from wayhome.api.auth import token_authenticate
from wayhome.api.models import ApiToken
from wayhome.api.services import token_issue
from wayhome.audit.models import AuditEvent

pytestmark = pytest.mark.django_db

LIST = "/api/tokens/"
INLINE = re.compile(r"<script(?![^>]*\bsrc=)|<style|\sstyle=|\son[a-z]+=", re.IGNORECASE)


def secret_in(html: str) -> str:
    match = re.search(r'id="new-token-secret"[^>]*><code>(wh_[A-Za-z0-9_-]+)</code>', html)
    assert match, "the new token is not shown"
    return match.group(1)


def test_url_names() -> None:
    assert reverse("api:token-list") == LIST
    token_id = uuid.uuid4()
    assert reverse("api:token-revoke", kwargs={"token_id": token_id}) == (
        f"/api/tokens/{token_id}/revoke/"
    )


def test_sign_in_required(client: Client) -> None:
    response = client.get(LIST)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_mfa_required_before_tokens_can_be_made(personas: Personas, settings: Any) -> None:
    settings.REQUIRE_MFA = True
    client = client_for(personas.caseworker_a)
    response = client.post(LIST, {"name": "sneaky"})
    assert response.status_code == 302
    assert "/accounts/mfa/" in response["Location"]
    assert not ApiToken.objects.exists()


def test_mfa_device_must_be_verified_before_tokens_can_be_made(personas: Personas) -> None:
    TOTPDevice.objects.create(user=personas.caseworker_a, name="phone", confirmed=True)
    response = client_for(personas.caseworker_a).post(LIST, {"name": "sneaky"})
    assert response.status_code == 302
    assert "/accounts/mfa/verify/" in response["Location"]
    assert not ApiToken.objects.exists()


def test_create_shows_the_secret_once(personas: Personas) -> None:
    client = client_for(personas.caseworker_a)
    response = client.post(LIST, {"name": "reporting laptop", "expires_on": ""})
    assert response.status_code == 200
    html = response.content.decode()
    secret = secret_in(html)
    assert "will not be shown again" in html
    token = token_authenticate(secret)
    assert token is not None
    assert token.user == personas.caseworker_a
    assert token.name == "reporting laptop"
    assert token.expires_at is None
    assert response["Cache-Control"] == "no-store"
    assert AuditEvent.objects.filter(action="token.issue").count() == 1
    # Shown once: the list afterwards has the prefix, never the secret.
    again = client.get(LIST).content.decode()
    assert secret not in again
    assert token.prefix in again
    assert "reporting laptop" in again


def test_create_with_expiry_ends_with_that_day(personas: Personas) -> None:
    day = timezone.localdate() + timedelta(days=30)
    response = client_for(personas.caseworker_a).post(
        LIST, {"name": "short", "expires_on": day.isoformat()}
    )
    token = token_authenticate(secret_in(response.content.decode()))
    assert token is not None
    assert token.expires_at is not None
    assert timezone.localtime(token.expires_at).date() == day + timedelta(days=1)


@pytest.mark.parametrize(
    "data",
    [{"name": ""}, {"name": "   "}, {"name": "x", "expires_on": "2000-01-01"}, {"name": "x" * 101}],
)
def test_create_refuses_bad_input_and_keeps_it(personas: Personas, data: dict[str, str]) -> None:
    response = client_for(personas.caseworker_a).post(LIST, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="error"' in html
    assert "new-token-secret" not in html
    assert not ApiToken.objects.exists()


def test_list_shows_only_own_tokens(personas: Personas) -> None:
    own, _ = token_issue(actor=None, user=personas.caseworker_a, name="mine")
    other, _ = token_issue(actor=None, user=personas.manager_a, name="theirs")
    html = client_for(personas.caseworker_a).get(LIST).content.decode()
    assert "mine" in html
    assert own.prefix in html
    assert "theirs" not in html
    assert other.prefix not in html
    assert str(other.pk) not in html


def test_revoke(personas: Personas) -> None:
    token, secret = token_issue(actor=None, user=personas.caseworker_a, name="old")
    client = client_for(personas.caseworker_a)
    url = reverse("api:token-revoke", kwargs={"token_id": token.pk})
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert token_authenticate(secret) is None
    page = client.get(LIST).content.decode()
    assert "Revoked" in page
    assert url not in page  # no revoke button any more
    event = AuditEvent.objects.get(action="token.revoke")
    assert event.actor_id == personas.caseworker_a.pk


def test_revoking_someone_elses_token_is_404(personas: Personas) -> None:
    token = ApiTokenFactory.create(office=personas.office_a)
    url = reverse("api:token-revoke", kwargs={"token_id": token.pk})
    for user in (personas.caseworker_b, personas.manager_a):
        assert client_for(user).post(url).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert not AuditEvent.objects.filter(action="token.revoke").exists()
    unknown = reverse("api:token-revoke", kwargs={"token_id": uuid.uuid4()})
    assert client_for(personas.caseworker_a).post(unknown).status_code == 404


def test_page_has_no_inline_script_or_style_and_labels_every_field(personas: Personas) -> None:
    token_issue(actor=None, user=personas.caseworker_a, name="x")
    response = client_for(personas.caseworker_a).post(LIST, {"name": "y"})
    html = response.content.decode()
    assert not INLINE.search(html)
    for field_id in re.findall(r'<input[^>]+id="([^"]+)"', html):
        assert f'for="{field_id}"' in html
    assert "Content-Security-Policy" in response
