"""Reads of data protection records: a data protection officer sees the alerts of the offices
where they hold ``Perm.DATA_PROTECTION``; anyone else sees none (404)."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm_anywhere, offices_with
from wayhome.protection.models import AccessAlert, DataRequest, Transfer


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


@dataclass(frozen=True)
class TransferFilters:
    """The register's filters: codes, dates, a case reference and a recipient's name (an
    organisation's, never a person's)."""

    kind: str = ""
    recipient_kind: str = ""
    office_id: uuid.UUID | None = None
    date_from: datetime.date | None = None
    date_to: datetime.date | None = None
    reference: str = ""
    recipient: str = ""


def transfer_list(user: Any, filters: TransferFilters | None = None) -> QuerySet[Transfer]:
    """The transfers out of the offices where ``user`` holds ``Perm.DATA_PROTECTION``, the
    latest first, filtered."""
    if not getattr(user, "is_authenticated", False):
        return Transfer.objects.none()
    offices = offices_with(user, Perm.DATA_PROTECTION)
    transfers = Transfer.objects.filter(office_id__in=offices)
    f = filters or TransferFilters()
    if f.kind:
        transfers = transfers.filter(kind=f.kind)
    if f.recipient_kind:
        transfers = transfers.filter(recipient_kind=f.recipient_kind)
    if f.office_id:
        transfers = transfers.filter(office_id=f.office_id)
    if f.date_from:
        transfers = transfers.filter(occurred_at__date__gte=f.date_from)
    if f.date_to:
        transfers = transfers.filter(occurred_at__date__lte=f.date_to)
    if f.reference:
        from wayhome.cases.models import Case
        from wayhome.cases.selectors import reference_matches

        found = Case.objects.filter(reference_matches(f.reference)).values("pk")
        transfers = transfers.filter(case_id__in=found)
    if f.recipient:
        transfers = transfers.filter(
            Q(recipient_name__icontains=f.recipient.strip())
            | Q(recipient_office__name__icontains=f.recipient.strip())
        )
    return transfers.select_related("office", "case", "recipient_office", "actor").order_by(
        "-occurred_at", "-id"
    )


def request_list(
    user: Any, *, kind: str = "", status: str = "", overdue: bool = False
) -> QuerySet[DataRequest]:
    """The requests of the offices where ``user`` holds ``Perm.DATA_PROTECTION``: open ones
    first, the earliest due first."""
    if not getattr(user, "is_authenticated", False):
        return DataRequest.objects.none()
    requests = DataRequest.objects.filter(office_id__in=offices_with(user, Perm.DATA_PROTECTION))
    if kind:
        requests = requests.filter(kind=kind)
    if status:
        requests = requests.filter(status=status)
    if overdue:
        from django.utils import timezone

        requests = requests.filter(status=DataRequest.Status.OPEN, due_on__lt=timezone.localdate())
    return requests.select_related("person", "office", "closed_by").order_by(
        "status", "due_on", "-created_at", "-id"
    )


def request_get(user: Any, request_id: Any) -> DataRequest:
    """A request of the user's offices, else 404."""
    try:
        return request_list(user).get(pk=request_id)
    except (DataRequest.DoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc
