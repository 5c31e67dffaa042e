"""Reads of data protection records: a data protection officer sees the alerts of the offices
where they hold ``Perm.DATA_PROTECTION``; anyone else sees none (404)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere, offices_with
from wayhome.protection.models import AccessAlert


def may_protect(user: Any) -> bool:
    return has_perm_anywhere(user, Perm.DATA_PROTECTION)


def alert_list(user: Any, *, status: str = "") -> QuerySet[AccessAlert]:
    if not getattr(user, "is_authenticated", False):
        return AccessAlert.objects.none()
    offices = offices_with(user, Perm.DATA_PROTECTION)
    if not offices:
        return AccessAlert.objects.none()
    visible = AccessAlert.objects.filter(offices__in=offices).values("pk")
    alerts = AccessAlert.objects.filter(pk__in=visible)
    if status:
        alerts = alerts.filter(status=status)
    return alerts.select_related("user", "closed_by").order_by("-last_at", "-id")


def alert_get(user: Any, alert_id: Any) -> AccessAlert:
    """An alert of the user's offices, else 404."""
    try:
        return alert_list(user).get(pk=alert_id)
    except (AccessAlert.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
