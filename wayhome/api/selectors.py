"""Reads about API tokens: a user sees and manages their own tokens only."""

from __future__ import annotations

import uuid

from django.db.models import QuerySet
from django.http import Http404

from wayhome.accounts.policies import AnyUser
from wayhome.api.models import ApiToken


def token_list(*, actor: AnyUser) -> QuerySet[ApiToken]:
    if not actor.is_authenticated:
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=actor.pk).order_by("-created_at")


def token_get(*, actor: AnyUser, token_id: uuid.UUID) -> ApiToken:
    """The actor's own token, or 404 (someone else's token is not disclosed)."""
    token = token_list(actor=actor).filter(pk=token_id).first()
    if token is None:
        raise Http404
    return token
