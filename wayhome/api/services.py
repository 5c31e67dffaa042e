"""Issuing and revoking API tokens, each audited in the same transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wayhome.accounts.models import User
from wayhome.api.models import ApiToken
from wayhome.api.tokens import secret_digest, secret_new, secret_prefix
from wayhome.audit.services import audit_record


def token_issue(
    *, actor: Any, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """A new token for ``user`` and its secret, which is shown once and never stored."""
    if not user.is_active:
        raise ValidationError(_("Tokens cannot be issued to an inactive account."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError({"expires_at": _("The expiry date must be in the future.")})
    secret = secret_new()
    token = ApiToken(
        user=user,
        name=name.strip(),
        prefix=secret_prefix(secret),
        digest=secret_digest(secret),
        expires_at=expires_at,
    )
    token.full_clean()
    with transaction.atomic():
        token.save()
        audit_record(
            actor=actor,
            action="token.issue",
            obj=token,
            details={"user_id": str(user.pk), "expires": expires_at is not None},
        )
    return token, secret


def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    """Revokes the token at once; revoking a revoked token changes nothing.

    Callers fetch ``token`` through ``selectors.token_get``, which answers 404 for a token that is
    not the actor's own.
    """
    with transaction.atomic():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.version += 1
            locked.save(update_fields=["revoked_at", "version", "updated_at"])
            audit_record(
                actor=actor,
                action="token.revoke",
                obj=locked,
                details={"user_id": str(locked.user_id)},
            )
    return locked
