"""Reads of the export app: a user's own exports only. Anyone else's export, or one of an
office where the user no longer holds ``Perm.EXPORT``, answers 404."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere, offices_with
from wayhome.exports.kinds import KINDS
from wayhome.exports.models import Export


def may_export(user: Any) -> bool:
    """Whether ``user`` may export anything (the "Export" buttons are shown)."""
    return has_perm_anywhere(user, Perm.EXPORT)


def may_export_kind(user: Any, kind: str) -> bool:
    export_kind = KINDS.get(kind)
    return export_kind is not None and bool(export_kind.offices(user))


def export_list(user: Any) -> QuerySet[Export]:
    if not getattr(user, "is_authenticated", False):
        return Export.objects.none()
    return Export.objects.filter(
        owner_id=user.pk, office_id__in=offices_with(user, Perm.EXPORT)
    ).order_by("-created_at", "-id")


def export_get(user: Any, export_id: Any) -> Export:
    """The user's own export, else 404."""
    try:
        return export_list(user).get(pk=export_id)
    except (Export.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
