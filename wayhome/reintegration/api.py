"""The reintegration side over the REST API, under /api/v1/reintegration/...: a case's overview,
counselling, plans with their budget lines (submit, return, approve against the programme's cap),
deliveries, partners, referrals to partners, closure and reopening, the reintegration steps of
the workflow, and the reconciliation of budgets and deliveries.

The same services, selectors and access rules as the pages (``access.py``): a case neither of the
user's offices nor taken over by one of them answers 404 whatever the operation; reading needs
"view case" there; writing needs what the service asks (403 otherwise); bad input answers 422
with field errors and saves nothing; a stale ``version`` answers 409; a refused move in the
workflow answers 409 ``transition_blocked`` with every unmet condition. A refused approval
answers 422 ``approval_refused`` with every reason (``type`` is the reason's code). Reads that
show people's data are audited, in the trail of the office the user works the case from.
A delivery's proof is uploaded on the case's pages; here a delivery says only whether it has one.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import offices_with
from wayhome.api.errors import (
    error_response,
    invalid_field,
    run_service,
)
from wayhome.api.fields import api_user
from wayhome.api.schemas import Error
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.core.money import CENT
from wayhome.core.paging import CappedLimitOffset
from wayhome.reintegration import access, selectors, services
from wayhome.reintegration.models import (
    BudgetLine,
    Closure,
    Counselling,
    Delivery,
    Partner,
    Plan,
    Referral,
    ReferralUpdate,
)
from wayhome.reintegration.schemas import (
    ReintApproveIn,
    ReintCaseOut,
    ReintCaseStatusOut,
    ReintCloseIn,
    ReintCounsellingIn,
    ReintCounsellingOut,
    ReintDeliveryIn,
    ReintDeliveryOut,
    ReintLineIn,
    ReintLineOut,
    ReintLinePatch,
    ReintMoveIn,
    ReintNoteIn,
    ReintPartnerIn,
    ReintPartnerOut,
    ReintPartnerPatch,
    ReintPlanIn,
    ReintPlanOut,
    ReintPlanPatch,
    ReintPlanSummaryOut,
    ReintReasonIn,
    ReintReconciliationQuery,
    ReintReconciliationRowOut,
    ReintReferralIn,
    ReintReferralOut,
    ReintReferralSummaryOut,
    ReintReferralUpdateOut,
    ReintReturnIn,
    ReintVersionIn,
)

router = Router(tags=["reintegration"])

ERRORS: dict[int, Any] = {401: Error, 403: Error, 404: Error, 422: Error}
CONFLICT: dict[int, Any] = {409: Error}


# --- helpers --------------------------------------------------------------------------------------


def _no_nulls(data: dict[str, Any], nullable: set[str]) -> None:
    """A PATCH may clear a date or a beneficiary, not a text or a choice (those take "")."""
    for key, value in data.items():
        if value is None and key not in nullable:
            raise invalid_field(key, "This field may not be null.", "null")


def _viewed(user: Any, case: Case) -> None:
    """A read that shows people's data, in the trail of the office the user works the case
    from (the host office, or the origin office that took it over)."""
    audit_record(
        actor=user,
        action="case.view",
        obj=case,
        office_id=access.acting_office(user, case, Perm.CASE_VIEW),
    )


def _members(case: Case, ids: Iterable[uuid.UUID], field: str) -> list[CaseMember]:
    ids = list(dict.fromkeys(ids))
    found = {m.pk: m for m in CaseMember.objects.filter(case=case, pk__in=ids)}
    if any(pk not in found for pk in ids):
        raise invalid_field(field, "Choose members of this case.", "unknown")
    return [found[pk] for pk in ids]


def _member(case: Case, member_id: uuid.UUID | None, field: str) -> CaseMember | None:
    return None if member_id is None else _members(case, [member_id], field)[0]


def _money(value: Any) -> Decimal:
    """An amount with its two places (a sum may come back from the database without them)."""
    return Decimal(value or 0).quantize(CENT)


def _status_out(case: Case) -> dict[str, Any]:
    return {"case_id": case.pk, "status": case.status, "version": case.version}


# --- plans as read -------------------------------------------------------------------------------


def _line_out(line: BudgetLine) -> dict[str, Any]:
    delivered = getattr(line, "delivered", None)
    if delivered is None:  # just saved: read it with what was delivered on it
        return _line_out(
            BudgetLine.objects.annotate(
                delivered=Coalesce(selectors.delivered_sum(), selectors.ZERO)
            ).get(pk=line.pk)
        )
    return {
        "id": line.pk,
        "plan_id": line.plan_id,
        "dimension": line.dimension,
        "level": line.level,
        "category": line.category,
        "description": line.description,
        "amount": line.amount,
        "currency": line.currency,
        "delivery_mode": line.delivery_mode,
        "provider": line.provider,
        "beneficiary_id": line.beneficiary_id,
        "approved_amount": line.approved_amount,
        "delivered": _money(delivered),
        "remaining": None
        if line.approved_amount is None
        else _money(line.approved_amount - delivered),
        "withdrawn": line.withdrawn,
        "version": line.version,
    }


def _totals(lines: list[BudgetLine]) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = {}
    for line in lines:
        row = totals.setdefault(
            line.currency,
            {
                "currency": line.currency,
                "planned": Decimal(0),
                "approved": Decimal(0),
                "delivered": Decimal(0),
            },
        )
        if not line.withdrawn:
            row["planned"] += line.amount
        row["approved"] += line.approved_amount or Decimal(0)
        row["delivered"] += getattr(line, "delivered", Decimal(0)) or Decimal(0)
    return [
        {key: value if key == "currency" else _money(value) for key, value in totals[c].items()}
        for c in sorted(totals)
    ]


def _plan_summary(plan: Plan, lines: list[BudgetLine] | None = None) -> dict[str, Any]:
    lines = selectors.lines_with_delivered(plan) if lines is None else lines
    return {
        "id": plan.pk,
        "member_id": plan.member_id,
        "household": plan.is_household,
        "status": plan.status,
        "revision": plan.revision,
        "totals": _totals(lines),
        "version": plan.version,
    }


def _plan_out(plan: Plan) -> dict[str, Any]:
    lines = selectors.lines_with_delivered(plan)
    return {
        **_plan_summary(plan, lines),
        "needs": plan.needs,
        "skills": plan.skills,
        "assessment_results": plan.assessment_results,
        "return_reason": plan.return_reason,
        "drafted_by_id": plan.drafted_by_id,
        "submitted_at": plan.submitted_at,
        "approved_at": plan.approved_at,
        "approved_by_id": plan.approved_by_id,
        "office_id": plan.office_id,
        "lines": [_line_out(line) for line in lines],
        "approvals": [
            {
                "revision": a.revision,
                "approved_by_id": a.approved_by_id,
                "drafted_by_id": a.drafted_by_id,
                "approved_at": a.created_at,
                "cap_currency": a.cap_currency,
                "cap_per_person": a.cap_per_person,
                "cap_per_household": a.cap_per_household,
                "persons": a.persons,
                "rates": {str(k): str(v) for k, v in (a.rates or {}).items()},
                "total": a.total,
            }
            for a in plan.approvals.defer("lines").order_by("-revision")
        ],
    }


def _plan(user: Any, case_id: uuid.UUID, plan_id: uuid.UUID) -> Plan:
    return selectors.plan_get(user, case_id, plan_id)


def _fresh_plan(plan: Plan) -> Plan:
    return Plan.objects.select_related("case", "member").get(pk=plan.pk)


def _line(user: Any, case_id: uuid.UUID, plan_id: uuid.UUID, line_id: uuid.UUID) -> BudgetLine:
    line = selectors.line_get(user, case_id, line_id)
    if line.plan_id != plan_id:
        raise Http404
    return line


# --- the case ------------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}",
    response={200: ReintCaseOut, **ERRORS},
    summary="A case's reintegration: status, arrival, plan due date, plans, referrals, closure",
)
def get_case(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """For the host office and an origin office that took the case over. Audited as a view of
    the case."""
    user = api_user(request)
    case = access.case_get(user, case_id)
    _viewed(user, case)
    arrived_on = selectors.arrival_date(case)
    due = services.plan_due(arrived_on)
    approved = Plan.objects.filter(case=case, approvals__isnull=False).exists()
    plans = list(Plan.objects.filter(case=case).order_by("created_at", "id"))
    referrals = (
        Referral.objects.filter(case=case).select_related("partner").prefetch_related("members")
    )
    return {
        **_status_out(case),
        "reference": case.reference,
        "arrival_date": arrived_on,
        "plan_due_on": due,
        "plan_overdue": bool(
            due is not None
            and due < timezone.localdate()
            and not approved
            and case.status in services.AFTER_ARRIVAL
        ),
        "plans": [_plan_summary(plan) for plan in plans],
        "referrals": list(referrals),
        "closure": Closure.objects.filter(case=case).first(),
    }


@router.post(
    "/cases/{case_id}/close",
    response={200: ReintCaseStatusOut, **CONFLICT, **ERRORS},
    summary="Close a case after arrival, with one of the Handbook's reasons",
)
def close_case(request: HttpRequest, case_id: uuid.UUID, payload: ReintCloseIn) -> Any:
    """Open referrals are revoked (the partners see nothing more of the case)."""
    user = api_user(request)
    case = access.case_get(user, case_id)
    run_service(
        lambda: services.case_close(actor=user, case=case, reason=payload.reason, note=payload.note)
    )
    return _status_out(Case.objects.get(pk=case.pk))


@router.post(
    "/cases/{case_id}/reopen",
    response={200: ReintCaseStatusOut, **CONFLICT, **ERRORS},
    summary="Reopen a case closed after arrival (a programme manager, with the reason)",
)
def reopen_case(request: HttpRequest, case_id: uuid.UUID, payload: ReintReasonIn) -> Any:
    """Back to the status it was closed from."""
    user = api_user(request)
    case = access.case_get(user, case_id)
    moved: Case = run_service(
        lambda: services.case_reopen(actor=user, case=case, reason=payload.reason)
    )
    return _status_out(moved)


@router.post(
    "/cases/{case_id}/move",
    response={200: ReintCaseStatusOut, **CONFLICT, **ERRORS},
    summary="Move a case along its reintegration: planning, assistance, monitoring",
)
def move_case(request: HttpRequest, case_id: uuid.UUID, payload: ReintMoveIn) -> Any:
    """A refused move answers 409 ``transition_blocked`` with every unmet condition (assistance
    starts once a plan is approved)."""
    user = api_user(request)
    case = access.case_get(user, case_id)
    moved: Case = run_service(
        lambda: services.reintegration_move(
            actor=user, case=case, target=payload.to, reason=payload.reason
        )
    )
    return _status_out(moved)


# --- counselling ---------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/counselling",
    response={200: list[ReintCounsellingOut], **ERRORS},
    summary="A case's reintegration counselling sessions, latest first",
)
def list_counselling(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """Audited as a view of the case (the notes may describe people)."""
    user = api_user(request)
    case = access.case_get(user, case_id)
    _viewed(user, case)
    return list(Counselling.objects.filter(case=case).prefetch_related("members"))


@router.post(
    "/cases/{case_id}/counselling",
    response={201: ReintCounsellingOut, **ERRORS},
    summary="Record a reintegration counselling session (before departure or after arrival)",
)
def create_counselling(
    request: HttpRequest, case_id: uuid.UUID, payload: ReintCounsellingIn
) -> Status:
    user = api_user(request)
    case = access.case_get(user, case_id)
    members = _members(case, payload.member_ids, "member_ids")
    session: Counselling = run_service(
        lambda: services.counselling_record(
            actor=user,
            case=case,
            stage=payload.stage,
            held_on=payload.held_on,
            mode=payload.mode,
            notes=payload.notes,
            members=members,
        ),
        fields={"members": "member_ids"},
    )
    return Status(201, Counselling.objects.prefetch_related("members").get(pk=session.pk))


# --- plans ---------------------------------------------------------------------------------------


@router.get(
    "/cases/{case_id}/plans",
    response={200: list[ReintPlanSummaryOut], **ERRORS},
    summary="A case's reintegration plans (the household's, or one per returnee), with totals",
)
def list_plans(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = access.case_get(api_user(request), case_id)
    return [_plan_summary(plan) for plan in Plan.objects.filter(case=case)]


@router.post(
    "/cases/{case_id}/plans",
    response={201: ReintPlanOut, **ERRORS},
    summary="Draft a plan for the household or for one returnee",
)
def create_plan(request: HttpRequest, case_id: uuid.UUID, payload: ReintPlanIn) -> Status:
    """A case has one household plan or plans per returnee, not both (422 ``plan_exists``)."""
    user = api_user(request)
    case = access.case_get(user, case_id)
    member = _member(case, payload.member_id, "member_id")
    values = payload.dict(exclude={"member_id"})
    plan: Plan = run_service(
        lambda: services.plan_create(actor=user, case=case, member=member, **values),
        fields={"members": "member_id"},
    )
    return Status(201, _plan_out(_fresh_plan(plan)))


@router.get(
    "/cases/{case_id}/plans/{plan_id}",
    response={200: ReintPlanOut, **ERRORS},
    summary="A plan: needs, budget lines with what was delivered, approvals",
)
def get_plan(request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID) -> Any:
    """Audited as a view of the case."""
    user = api_user(request)
    plan = _plan(user, case_id, plan_id)
    _viewed(user, plan.case)
    return _plan_out(plan)


@router.patch(
    "/cases/{case_id}/plans/{plan_id}",
    response={200: ReintPlanOut, **CONFLICT, **ERRORS},
    summary="Change a plan's needs, skills or assessment results",
)
def update_plan(
    request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID, payload: ReintPlanPatch
) -> Any:
    """``version`` must be the one read: a stale edit answers 409. An approved plan that changes
    becomes the draft of its next revision."""
    user = api_user(request)
    plan = _plan(user, case_id, plan_id)
    data = payload.dict(exclude={"version"}, exclude_unset=True)
    _no_nulls(data, set())
    updated: Plan = run_service(
        lambda: services.plan_update(actor=user, plan=plan, version=payload.version, **data)
    )
    return _plan_out(_fresh_plan(updated))


LINE_FIELDS = {"beneficiary": "beneficiary_id"}


@router.post(
    "/cases/{case_id}/plans/{plan_id}/lines",
    response={201: ReintLineOut, **ERRORS},
    summary="Add an item of assistance to a plan",
)
def create_line(
    request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID, payload: ReintLineIn
) -> Status:
    """An approved plan that changes becomes the draft of its next revision."""
    user = api_user(request)
    plan = _plan(user, case_id, plan_id)
    beneficiary = _member(plan.case, payload.beneficiary_id, "beneficiary_id")
    values = payload.dict(exclude={"beneficiary_id"})
    line: BudgetLine = run_service(
        lambda: services.line_add(actor=user, plan=plan, beneficiary=beneficiary, **values),
        fields=LINE_FIELDS,
    )
    return Status(201, _line_out(line))


@router.patch(
    "/cases/{case_id}/plans/{plan_id}/lines/{budget_line_id}",
    response={200: ReintLineOut, **CONFLICT, **ERRORS},
    summary="Change an item of assistance of a plan",
)
def update_line(
    request: HttpRequest,
    case_id: uuid.UUID,
    plan_id: uuid.UUID,
    budget_line_id: uuid.UUID,
    payload: ReintLinePatch,
) -> Any:
    """``version`` must be the one read (409 otherwise). The amount cannot fall below what was
    delivered, nor the currency change once something was delivered."""
    user = api_user(request)
    line = _line(user, case_id, plan_id, budget_line_id)
    data = payload.dict(exclude={"version"}, exclude_unset=True)
    _no_nulls(data, {"beneficiary_id"})
    if "beneficiary_id" in data:
        data["beneficiary"] = _member(line.plan.case, data.pop("beneficiary_id"), "beneficiary_id")
    changed: BudgetLine = run_service(
        lambda: services.line_change(actor=user, line=line, version=payload.version, **data),
        fields=LINE_FIELDS,
    )
    return _line_out(changed)


@router.delete(
    "/cases/{case_id}/plans/{plan_id}/lines/{budget_line_id}",
    response={204: None, **ERRORS},
    summary="Take an item out of a plan (kept as withdrawn if something was delivered on it)",
)
def delete_line(
    request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID, budget_line_id: uuid.UUID
) -> Status:
    user = api_user(request)
    line = _line(user, case_id, plan_id, budget_line_id)
    run_service(lambda: services.line_remove(actor=user, line=line))
    return Status(204, None)


@router.post(
    "/cases/{case_id}/plans/{plan_id}/submit",
    response={200: ReintPlanOut, **CONFLICT, **ERRORS},
    summary="Submit a draft plan for approval",
)
def submit_plan(
    request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID, payload: ReintVersionIn
) -> Any:
    user = api_user(request)
    plan = _plan(user, case_id, plan_id)
    run_service(lambda: services.plan_submit(actor=user, plan=plan, version=payload.version))
    return _plan_out(_fresh_plan(plan))


@router.post(
    "/cases/{case_id}/plans/{plan_id}/return",
    response={200: ReintPlanOut, **CONFLICT, **ERRORS},
    summary="Send a submitted plan back to draft, with the reason",
)
def return_plan(
    request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID, payload: ReintReturnIn
) -> Any:
    user = api_user(request)
    plan = _plan(user, case_id, plan_id)
    run_service(
        lambda: services.plan_return(
            actor=user, plan=plan, reason=payload.reason, version=payload.version
        )
    )
    return _plan_out(_fresh_plan(plan))


@router.post(
    "/cases/{case_id}/plans/{plan_id}/approve",
    response={200: ReintPlanOut, **CONFLICT, **ERRORS},
    summary="Approve a submitted plan against the programme's cap, at the exchange rates given",
)
def approve_plan(
    request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID, payload: ReintApproveIn
) -> Any:
    """A programme manager of an office working the case who has not drafted or changed the
    plan. ``rates`` gives, for each currency of the plan other than the cap's, the units of the
    cap currency for one unit of it. Refused with 422 ``approval_refused`` and every reason:
    ``details`` lists each with its code in ``type`` (``over_cap``, ``over_person_cap``,
    ``over_household_cap``, ``rate_missing``, ``rate_invalid``, ``drafter``, ``not_submitted``,
    ``empty``, ``no_cap``)."""
    user = api_user(request)
    plan = _plan(user, case_id, plan_id)
    try:
        run_service(lambda: _approve(user, plan, payload))
    except _Refused as exc:
        return error_response(
            422,
            code="approval_refused",
            message="The plan cannot be approved: see every reason.",
            details=[
                {
                    "location": "body",
                    "field": "rates" if problem.code.startswith("rate_") else "",
                    "message": str(problem.message),
                    "type": problem.code,
                }
                for problem in exc.problems
            ],
        )
    return _plan_out(_fresh_plan(plan))


class _Refused(Exception):
    def __init__(self, problems: list[Any]) -> None:
        super().__init__("approval refused")
        self.problems = problems


def _approve(user: Any, plan: Plan, payload: ReintApproveIn) -> Any:
    try:
        return services.plan_approve(
            actor=user, plan=plan, rates=payload.rates, version=payload.version
        )
    except services.PlanBlocked as exc:
        raise _Refused(exc.problems) from None


# --- deliveries ----------------------------------------------------------------------------------


def _deliveries(case: Case) -> QuerySet[Delivery]:
    return Delivery.objects.filter(line__plan__case=case).select_related("line").defer("proof")


@router.get(
    "/cases/{case_id}/deliveries",
    response={200: list[ReintDeliveryOut], **ERRORS},
    summary="Assistance delivered on a case's plans, latest first (without the proofs)",
)
def list_deliveries(request: HttpRequest, case_id: uuid.UUID) -> Any:
    """Audited as a view of the case (the notes may describe people)."""
    user = api_user(request)
    case = access.case_get(user, case_id)
    _viewed(user, case)
    return list(_deliveries(case))


@router.get(
    "/cases/{case_id}/deliveries/{delivery_id}",
    response={200: ReintDeliveryOut, **ERRORS},
    summary="One delivery (whether it has a proof, not the proof)",
)
def get_delivery(request: HttpRequest, case_id: uuid.UUID, delivery_id: uuid.UUID) -> Any:
    user = api_user(request)
    delivery = selectors.delivery_get(user, case_id, delivery_id)
    _viewed(user, delivery.line.plan.case)
    return _deliveries(delivery.line.plan.case).get(pk=delivery.pk)


@router.post(
    "/cases/{case_id}/deliveries",
    response={201: ReintDeliveryOut, **ERRORS},
    summary="Record assistance delivered on an approved item (never beyond what was approved)",
)
def create_delivery(request: HttpRequest, case_id: uuid.UUID, payload: ReintDeliveryIn) -> Status:
    """Beyond what remains of the approved amount answers 422 ``beyond_approved`` on
    ``amount`` and saves nothing. The proof (a photo or a scan) is uploaded on the case's
    pages."""
    user = api_user(request)
    case = access.case_get(user, case_id)
    line = (
        BudgetLine.objects.filter(plan__case=case, pk=payload.budget_line_id)
        .select_related("plan__case")
        .first()
    )
    if line is None:
        raise invalid_field("budget_line_id", "Choose an item of this case's plans.", "unknown")
    values = payload.dict(exclude={"budget_line_id"})
    delivery: Delivery = run_service(
        lambda: services.delivery_record(actor=user, line=line, **values)
    )
    return Status(201, _deliveries(case).get(pk=delivery.pk))


# --- partners ------------------------------------------------------------------------------------


@router.get(
    "/partners",
    response=list[ReintPartnerOut],
    summary="The partners registered by the user's offices",
)
@paginate(CappedLimitOffset)
def list_partners(request: HttpRequest) -> QuerySet[Partner]:
    """By name, paged with ``limit`` and ``offset``."""
    return selectors.partners_visible(api_user(request)).order_by("name", "id")


@router.post(
    "/partners",
    response={201: ReintPartnerOut, **ERRORS},
    summary="Register a partner of one of the user's offices, with its data-sharing agreement",
)
def create_partner(request: HttpRequest, payload: ReintPartnerIn) -> Status:
    """In an office where the user manages reintegration (403 otherwise)."""
    user = api_user(request)
    office = Office.objects.filter(
        pk=payload.office_id, pk__in=offices_with(user, Perm.CASE_VIEW)
    ).first()
    if office is None:
        raise invalid_field("office_id", "Choose one of your offices.", "unknown")
    values = payload.dict(exclude={"office_id"})
    partner: Partner = run_service(
        lambda: services.partner_create(actor=user, office=office, **values)
    )
    return Status(201, partner)


@router.get(
    "/partners/{partner_id}",
    response={200: ReintPartnerOut, **ERRORS},
    summary="A partner of one of the user's offices",
)
def get_partner(request: HttpRequest, partner_id: uuid.UUID) -> Any:
    return selectors.partner_get(api_user(request), partner_id)


@router.patch(
    "/partners/{partner_id}",
    response={200: ReintPartnerOut, **CONFLICT, **ERRORS},
    summary="Change a partner (its services, agreement, whether it is active)",
)
def update_partner(request: HttpRequest, partner_id: uuid.UUID, payload: ReintPartnerPatch) -> Any:
    """``version`` must be the one read (409 otherwise). A partner cases were referred to keeps
    its name."""
    user = api_user(request)
    partner = selectors.partner_get(user, partner_id)
    data = payload.dict(exclude={"version"}, exclude_unset=True)
    _no_nulls(data, {"agreement_signed_on", "agreement_expires_on"})
    updated: Partner = run_service(
        lambda: services.partner_update(
            actor=user, partner=partner, version=payload.version, **data
        )
    )
    return updated


# --- referrals -----------------------------------------------------------------------------------


def _referral_out(referral: Referral) -> Referral:
    return (
        Referral.objects.select_related("partner").prefetch_related("members").get(pk=referral.pk)
    )


@router.get(
    "/cases/{case_id}/referrals",
    response={200: list[ReintReferralSummaryOut], **ERRORS},
    summary="A case's referrals to partners, latest first (no package)",
)
def list_referrals(request: HttpRequest, case_id: uuid.UUID) -> Any:
    case = access.case_get(api_user(request), case_id)
    return list(
        Referral.objects.filter(case=case).select_related("partner").prefetch_related("members")
    )


@router.post(
    "/cases/{case_id}/referrals",
    response={201: ReintReferralOut, **ERRORS},
    summary="Refer the case, or one item of its plan, to a partner (with each person's consent)",
)
def create_referral(request: HttpRequest, case_id: uuid.UUID, payload: ReintReferralIn) -> Status:
    """Only with each referred person's active consent to share their data with that partner
    for reintegration assistance (else 422 ``no_consent`` on ``member_ids``, naming whose consent
    is missing by label), under a data-sharing agreement in force, carrying ``fields`` only."""
    user = api_user(request)
    case = access.case_get(user, case_id)
    partner = selectors.partners_for(case).filter(pk=payload.partner_id).first()
    if partner is None:
        raise invalid_field(
            "partner_id", "Choose an active partner of an office working this case.", "unknown"
        )
    line = None
    if payload.budget_line_id is not None:
        line = BudgetLine.objects.filter(plan__case=case, pk=payload.budget_line_id).first()
        if line is None:
            raise invalid_field("budget_line_id", "Choose an item of this case's plans.", "unknown")
    members = _members(case, payload.member_ids, "member_ids")
    referral: Referral = run_service(
        lambda: services.referral_send(
            actor=user,
            case=case,
            partner=partner,
            members=members,
            fields=[str(f) for f in payload.fields],
            category=payload.category or "",
            line=line,
            note=payload.note,
        ),
        fields={"members": "member_ids", "partner": "partner_id", "line": "budget_line_id"},
    )
    return Status(201, _referral_out(referral))


@router.get(
    "/cases/{case_id}/referrals/{referral_id}",
    response={200: ReintReferralOut, **ERRORS},
    summary="A referral: what was shared with the partner, and its updates",
)
def get_referral(request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID) -> Any:
    """Audited as a view of the referral."""
    user = api_user(request)
    referral = selectors.referral_get(user, case_id, referral_id)
    audit_record(
        actor=user,
        action="reintegration.referral_view",
        object_type="reintegration.referral",
        object_id=referral.pk,
        office_id=access.acting_office(user, referral.case, Perm.CASE_VIEW),
    )
    return _referral_out(referral)


@router.post(
    "/cases/{case_id}/referrals/{referral_id}/revoke",
    response={200: ReintReferralOut, **ERRORS},
    summary="Revoke a referral: the partner sees nothing of it any more",
)
def revoke_referral(
    request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID, payload: ReintReasonIn
) -> Any:
    user = api_user(request)
    referral = selectors.referral_get(user, case_id, referral_id)
    run_service(
        lambda: services.referral_revoke(actor=user, referral=referral, reason=payload.reason)
    )
    return _referral_out(referral)


@router.post(
    "/cases/{case_id}/referrals/{referral_id}/notes",
    response={201: ReintReferralUpdateOut, **ERRORS},
    summary="Write a note on a referral (the partner sees it)",
)
def create_referral_note(
    request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID, payload: ReintNoteIn
) -> Status:
    user = api_user(request)
    referral = selectors.referral_get(user, case_id, referral_id)
    update: ReferralUpdate = run_service(
        lambda: services.referral_note(actor=user, referral=referral, note=payload.note)
    )
    return Status(201, update)


# --- reconciliation ------------------------------------------------------------------------------


@router.get(
    "/reconciliation",
    response={200: list[ReintReconciliationRowOut], **ERRORS},
    summary="Approved, delivered and remaining amounts by case, programme or funding source",
)
def get_reconciliation(request: HttpRequest, query: Query[ReintReconciliationQuery]) -> Any:
    """Over the approved items of the cases the user may see, per currency (currencies are never
    added together)."""
    rows = selectors.reconciliation(api_user(request), by=query.by, office_id=query.office_id)
    return [
        {**row, **{name: _money(row[name]) for name in ("approved", "delivered", "remaining")}}
        for row in rows
    ]
