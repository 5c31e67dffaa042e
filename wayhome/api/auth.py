"""Bearer-token authentication for the API.

``Authorization: Bearer wh_...``. A token is accepted only if it is known, not revoked, not
expired, and its user is active. The candidate rows are found by the token's prefix and the
digest is compared in constant time. The header's value is never logged.
"""

from __future__ import annotations

import hmac
from datetime import timedelta
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja.errors import AuthenticationError
from ninja.security import HttpBearer

from wayhome.accounts.policies import is_office_staff
from wayhome.api.models import ApiToken
from wayhome.api.tokens import PREFIX_LENGTH, TOKEN_PREFIX, secret_digest, secret_prefix

#: What a token of a user without any office permission (a partner user) may reach.
NON_STAFF_API = ("/api/v1/partner/", "/api/v1/me")

# ``last_used_at`` is written at most this often, so that reads do not write on every request.
LAST_USED_RESOLUTION = timedelta(minutes=1)
_MAX_SECRET_LENGTH = 128


class InvalidToken(AuthenticationError):
    """A token was sent but is unknown, revoked, expired or belongs to an inactive user."""

    def __init__(self) -> None:
        super().__init__(401, str(_("The token is not valid.")))


def token_authenticate(secret: str) -> ApiToken | None:
    """The active token with this secret, or None."""
    if (
        not secret.startswith(TOKEN_PREFIX)
        or len(secret) <= PREFIX_LENGTH
        or len(secret) > _MAX_SECRET_LENGTH
    ):
        return None
    digest = secret_digest(secret)
    now = timezone.now()
    candidates = ApiToken.objects.select_related("user").filter(prefix=secret_prefix(secret))
    found = None
    for candidate in candidates:
        if hmac.compare_digest(candidate.digest, digest):
            found = candidate
    if found is None or found.revoked_at is not None or not found.user.is_active:
        return None
    if found.expires_at is not None and found.expires_at <= now:
        return None
    if found.last_used_at is None or now - found.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    return found


class BearerAuth(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        # Not HttpBearer.__call__, which logs the header's value when DEBUG is on.
        value = request.headers.get(self.header, "")
        if not value:
            return None
        scheme, _sep, secret = value.partition(" ")
        if scheme.lower() != self.openapi_scheme:
            raise InvalidToken
        return self.authenticate(request, secret.strip())

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = token_authenticate(token)
        if found is None:
            raise InvalidToken
        if not request.path.startswith(NON_STAFF_API) and not is_office_staff(found.user):
            # A user without any office permission (a partner user) reaches only their own
            # operations; the rest does not exist for them.
            raise Http404
        request.user = found.user
        request.api_token = found  # type: ignore[attr-defined]
        return found


bearer_auth = BearerAuth()
