"""Reads about cases, through the office policy (invisible cases answer 404)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import OfficePolicy
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case

case_policy = OfficePolicy(Case, view=Perm.CASE_VIEW)


def case_list(user: Any) -> QuerySet[Case]:
    return (
        case_policy.filter(user)
        .select_related("office", "principal", "assigned_to")
        .order_by("-created_at", "-id")
    )


def case_get(user: Any, case_id: Any, *, perm: Perm | None = None) -> Case:
    """The case if ``user`` may see it (and holds ``perm`` in its office); else 404. Unaudited."""
    return case_policy.get_or_404(
        user, case_id, perm=perm, queryset=Case.objects.select_related("office", "principal")
    )


def case_access(user: Any, case_id: Any, *, perm: Perm | None = None) -> Case:
    """``case_get`` for showing the case (it names people): writes "case.view"."""
    case = case_get(user, case_id, perm=perm)
    audit_record(actor=user, action="case.view", obj=case)
    return case
