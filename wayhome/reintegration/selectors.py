"""Reads on the reintegration side: what a user may see (``access.cases_worked``; a partner
user: ``partner_referrals``), the work queue, and the reconciliation of budgets and deliveries.
Anything a user may not see raises ``Http404``."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.db.models import DecimalField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.cases.models import Case
from wayhome.cases.workflow import Status
from wayhome.movements.models import Arrival
from wayhome.reintegration import access
from wayhome.reintegration.models import (
    BudgetLine,
    Delivery,
    Partner,
    Plan,
    PlanStatus,
    Referral,
    ReferralStatus,
)

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=14, decimal_places=2))


def _get(queryset: QuerySet[Any], pk: Any) -> Any:
    try:
        return queryset.get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError) as exc:
        raise Http404 from exc


# --- staff --------------------------------------------------------------------------------------


def plan_get(user: Any, case_id: Any, plan_id: Any) -> Plan:
    case = access.case_get(user, case_id)
    return _get(Plan.objects.filter(case=case).select_related("case", "member"), plan_id)


def line_get(user: Any, case_id: Any, line_id: Any) -> BudgetLine:
    case = access.case_get(user, case_id)
    return _get(BudgetLine.objects.filter(plan__case=case).select_related("plan__case"), line_id)


def delivery_get(user: Any, case_id: Any, delivery_id: Any) -> Delivery:
    case = access.case_get(user, case_id)
    return _get(Delivery.objects.filter(line__plan__case=case).select_related("line"), delivery_id)


def referral_get(user: Any, case_id: Any, referral_id: Any) -> Referral:
    case = access.case_get(user, case_id)
    return _get(
        Referral.objects.filter(case=case).select_related("partner", "case", "line"), referral_id
    )


def partners_visible(user: Any) -> QuerySet[Partner]:
    """The partners registered by the user's offices."""
    return Partner.objects.filter(office_id__in=offices_with(user, Perm.CASE_VIEW)).select_related(
        "office"
    )


def partner_get(user: Any, partner_id: Any) -> Partner:
    return _get(partners_visible(user), partner_id)


def partners_for(case: Case) -> QuerySet[Partner]:
    """Active partners of the offices working ``case`` (where it may be referred)."""
    return Partner.objects.filter(office_id__in=access.working_offices(case), active=True)


def delivered_sum() -> Subquery:
    return Subquery(
        Delivery.objects.filter(line=OuterRef("pk"))
        .values("line")
        .annotate(total=Sum("amount"))
        .values("total")[:1]
    )


def lines_with_delivered(plan: Plan) -> list[BudgetLine]:
    return list(
        plan.lines.select_related("beneficiary")
        .annotate(delivered=Coalesce(delivered_sum(), ZERO))
        .order_by("created_at", "id")
    )


def arrival_date(case: Case) -> datetime.date | None:
    return Arrival.objects.filter(case=case).values_list("arrived_on", flat=True).first()


# --- the work queue ------------------------------------------------------------------------------


@dataclass
class Queue:
    plans_due: list[Any] = field(default_factory=list)  # cases arrived without an approved plan
    plans_to_approve: list[Plan] = field(default_factory=list)
    referrals_unanswered: list[Referral] = field(default_factory=list)
    referrals_escalated: list[Referral] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (
            self.plans_due
            or self.plans_to_approve
            or self.referrals_unanswered
            or self.referrals_escalated
        )


def reintegration_queue(user: Any, today: datetime.date | None = None) -> Queue:
    today = today or timezone.localdate()
    days = int(getattr(settings, "PLAN_DUE_DAYS", 30))
    cases = access.cases_worked(user)
    due = (
        cases.filter(
            status__in=[Status.ARRIVED, Status.REINTEGRATION_PLANNING],
            arrival__isnull=False,
        )
        .exclude(plans__approvals__isnull=False)
        .annotate(
            arrived_on=Subquery(
                Arrival.objects.filter(case=OuterRef("pk")).values("arrived_on")[:1]
            )
        )
        .order_by("arrived_on", "reference")
        .distinct()
    )
    rows = []
    for case in due[:200]:
        due_on = case.arrived_on + datetime.timedelta(days=days)
        rows.append({"case": case, "due_on": due_on, "overdue": due_on < today})
    approvable = access.cases_worked(user, Perm.CASE_APPROVE)
    submitted = (
        Plan.objects.filter(case__in=approvable, status=PlanStatus.SUBMITTED)
        .select_related("case")
        .order_by("submitted_at")[:200]
    )
    # Not the plans the user changed: someone else approves those.
    to_approve = [p for p in submitted if str(user.pk) not in (p.contributors or [])]
    referrals = Referral.objects.filter(case__in=cases, status=ReferralStatus.SENT).select_related(
        "case", "partner"
    )
    return Queue(
        plans_due=rows,
        plans_to_approve=to_approve,
        referrals_unanswered=list(
            referrals.filter(reminded_at__isnull=False, escalated_at__isnull=True)[:200]
        ),
        referrals_escalated=list(referrals.filter(escalated_at__isnull=False)[:200]),
    )


# --- reconciliation ------------------------------------------------------------------------------

RECONCILE_BY = {
    "case": "plan__case__reference",
    "programme": "plan__case__programme",
    "funding_source": "plan__case__funding_source",
}


def reconciliation(user: Any, *, by: str = "case", office_id: Any = None) -> list[dict[str, Any]]:
    """Approved, delivered and remaining amounts per ``by`` (case, programme or funding source)
    and currency, over the approved lines of the cases the user may see. Currencies are never
    added together."""
    key = RECONCILE_BY.get(by, RECONCILE_BY["case"])
    cases = access.cases_worked(user)
    if office_id:
        cases = cases.filter(Q(office_id=office_id) | Q(handovers__recipient_office_id=office_id))
    lines = (
        BudgetLine.objects.filter(plan__case__in=cases, approved_amount__isnull=False)
        .annotate(delivered=Coalesce(delivered_sum(), ZERO))
        .values(key, "currency")
        .annotate(approved=Sum("approved_amount"), delivered_total=Sum("delivered"))
        .order_by(key, "currency")
    )
    rows = []
    for row in lines:
        approved = row["approved"] or Decimal(0)
        delivered = row["delivered_total"] or Decimal(0)
        rows.append(
            {
                "key": row[key] or "",
                "currency": row["currency"],
                "approved": approved,
                "delivered": delivered,
                "remaining": approved - delivered,
            }
        )
    return rows


# --- partner users -------------------------------------------------------------------------------


def is_partner_user(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and Partner.objects.filter(users=user, active=True).exists()
    )


def partner_referrals(user: Any) -> QuerySet[Referral]:
    """What was referred to the user's partner organisations: never a revoked referral."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Referral.objects.none()
    return (
        Referral.objects.filter(partner__users=user, partner__active=True)
        .exclude(status=ReferralStatus.REVOKED)
        .select_related("partner")
        .order_by("-sent_at", "-id")
    )


def partner_referral_get(user: Any, referral_id: Any) -> Referral:
    return _get(partner_referrals(user), referral_id)
