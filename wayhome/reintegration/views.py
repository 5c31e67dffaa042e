"""Staff pages of the reintegration side: the work queue, a case's reintegration page (counselling,
plans, referrals, the reintegration moves, closure), a plan with its budget and approval, a budget
line with the assistance delivered on it, referrals to partners, the partners registry, the
programmes' caps and the reconciliation of budgets and deliveries.

Every case page fetches its case through ``access`` first: the host office, and an origin office
that took the case over (which sees these pages, never the host's pages of the case); anything
else answers 404 whatever the method. Objects under a case come through ``selectors`` (404 when
not visible). Pages showing what was recorded about people write "case.view"; the proof of a
delivery and the reconciliation file are audited downloads. People appear by their label on the
case ("Principal applicant (1)"), never by name.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm, has_perm_anywhere, offices_with
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember, Programme
from wayhome.cases.services import TransitionBlocked, transition_unmet
from wayhome.cases.workflow import Status, Unmet, allowed_targets
from wayhome.consent.forms import read_upload
from wayhome.consent.models import SIGNED_FORM_TYPES, DataSharingConsent
from wayhome.core.countries import country_name, subdivision_name
from wayhome.core.exports import safe_cell as csv_cell
from wayhome.core.forms import add_service_errors
from wayhome.core.http import no_store
from wayhome.core.languages import language_name
from wayhome.core.money import CENT
from wayhome.eligibility.evaluation import member_labels
from wayhome.people.models import Person
from wayhome.reintegration import access, rules, selectors, services
from wayhome.reintegration.forms import (
    RECONCILE_LABELS,
    REFERRAL_FIELD_LABELS,
    ApproveForm,
    CapForm,
    CloseForm,
    CounsellingForm,
    DeliveryForm,
    LineForm,
    MoveForm,
    PartnerConsentForm,
    PartnerForm,
    PartnerUserForm,
    PlanCreateForm,
    PlanForm,
    ReconciliationForm,
    ReferralForm,
    ReferralNoteForm,
    ReopenForm,
    ReturnForm,
    RevokeForm,
    posted_version,
)
from wayhome.reintegration.models import (
    OPEN_REFERRAL,
    BudgetLine,
    Category,
    Plan,
    PlanStatus,
    ProgrammeCap,
    Referral,
)

S = Status
MANAGE = Perm.REINTEGRATION_MANAGE
#: The reintegration moves in their order along the case.
MOVE_ORDER = (S.REINTEGRATION_PLANNING, S.REINTEGRATION_ASSISTANCE, S.MONITORING)


# --- who may do what on a case ------------------------------------------------------------------


@dataclass(frozen=True)
class Abilities:
    """What the user may do on a case, in any office working it (``access``)."""

    counsel: bool  # counselling, the reintegration moves, closing
    manage: bool  # plans, budget lines, deliveries, referrals
    approve: bool  # approving a plan, reopening a closed case
    sees_host_case: bool  # the case's own pages (the host office)
    surveys: bool  # the case's sustainability and satisfaction surveys
    viewing_office: Any  # the office the user sees the case for (for the audit trail)


def _abilities(user: Any, case: Case) -> Abilities:
    offices = access.working_offices(case)
    ordered = [case.office_id, *sorted(offices - {case.office_id})]

    def holds(*perms: Perm) -> bool:
        return any(has_perm(user, perm, office) for office in ordered for perm in perms)

    viewing = next((o for o in ordered if has_perm(user, Perm.CASE_VIEW, o)), case.office_id)
    return Abilities(
        counsel=holds(*services.COUNSEL_PERMS),
        manage=holds(MANAGE),
        approve=holds(Perm.CASE_APPROVE),
        sees_host_case=has_perm(user, Perm.CASE_VIEW, case.office_id),
        surveys=holds(Perm.SURVEY_CONDUCT),
        viewing_office=viewing,
    )


def _audit_view(request: HttpRequest, case: Case, can: Abilities) -> None:
    audit_record(actor=request.user, action="case.view", obj=case, office_id=can.viewing_office)


def _labels(case: Case) -> tuple[list[tuple[CaseMember, str]], dict[Any, str]]:
    members = member_labels(case)
    return members, {member.pk: label for member, label in members}


def _plan_label(plan: Plan, label_of: dict[Any, str]) -> str:
    if plan.member_id is None:
        return _("Household")
    return label_of.get(plan.member_id, "?")


def _money(value: Any) -> Decimal:
    """An amount with its two decimal places (sums come back from some databases without)."""
    return Decimal(value or 0).quantize(CENT)


def _refused(exc: ValidationError) -> list[Unmet]:
    return [Unmet(getattr(exc, "code", None) or "invalid", message) for message in exc.messages]


# --- the work queue -----------------------------------------------------------------------------


@login_required
@require_GET
def queue(request: HttpRequest) -> HttpResponse:
    """Plans due (and overdue) after arrival, plans to approve, referrals without an answer."""
    if not has_perm_anywhere(request.user, Perm.CASE_VIEW):
        raise PermissionDenied
    context = {
        "queue": selectors.reintegration_queue(request.user),
        "can_reconcile": _may_reconcile(request.user),
    }
    return no_store(render(request, "reintegration/queue.html", context))


# --- a case's reintegration page ----------------------------------------------------------------


def _plan_totals(plans: Iterable[Plan]) -> dict[Any, list[tuple[str, Decimal]]]:
    """Per plan, the total of its lines per currency (currencies never added together)."""
    totals: dict[Any, list[tuple[str, Decimal]]] = defaultdict(list)
    rows = (
        BudgetLine.objects.filter(plan__in=list(plans), withdrawn=False)
        .values("plan_id", "currency")
        .annotate(total=Sum("amount"))
        .order_by("plan_id", "currency")
    )
    for row in rows:
        totals[row["plan_id"]].append((row["currency"], _money(row["total"])))
    return totals


def _case_page(
    request: HttpRequest,
    case: Case,
    *,
    status: int = 200,
    refused: list[Unmet] | None = None,
    **forms: Any,
) -> HttpResponse:
    can = _abilities(request.user, case)
    _audit_view(request, case, can)
    members, label_of = _labels(case)
    arrived_on = selectors.arrival_date(case)
    due_on = services.plan_due(arrived_on)
    plans = list(Plan.objects.filter(case=case).order_by("created_at", "id"))
    totals = _plan_totals(plans)
    ever_approved = any(plan.approved_at is not None for plan in plans)
    sessions = list(
        case.counselling_sessions.select_related("counsellor").prefetch_related("members")
    )
    closures = list(case.closures.select_related("closed_by", "reopened_by"))
    moves: list[tuple[Status, list[Unmet]]] = []
    if can.counsel:
        possible = allowed_targets(case.status) & services.REINTEGRATION_MOVES
        moves = [
            (target, transition_unmet(actor=request.user, case=case, target=target))
            for target in MOVE_ORDER
            if target in possible
        ]
    context = {
        "case": case,
        "can": can,
        "arrived_on": arrived_on,
        "due_on": due_on,
        "overdue": due_on is not None
        and not ever_approved
        and case.status in (S.ARRIVED, S.REINTEGRATION_PLANNING)
        and due_on < timezone.localdate(),
        "sessions": [
            (session, [label_of.get(m.pk, "?") for m in session.members.all()])
            for session in sessions
        ],
        "plans": [(plan, _plan_label(plan, label_of), totals.get(plan.pk, [])) for plan in plans],
        "referrals": list(case.referrals.select_related("partner")),
        "moves": moves,
        "earlier_closures": [c for c in closures if c.reopened_at is not None],
        "open_closure": next((c for c in closures if c.reopened_at is None), None),
        "counselling_open": case.status in services.AFTER_ARRIVAL
        or case.status in services.PLAN_STATUSES,
        "plans_open": case.status in services.PLAN_STATUSES,
        "closable": case.status in services.AFTER_ARRIVAL,
        "is_closed": case.status == S.CLOSED,
        "refused": refused,
        "counselling_form": forms.get("counselling_form") or CounsellingForm(members=members),
        "plan_form": forms.get("plan_form") or PlanCreateForm(members=members),
        "close_form": forms.get("close_form") or CloseForm(),
        "reopen_form": forms.get("reopen_form") or ReopenForm(),
    }
    return no_store(render(request, "reintegration/case.html", context, status=status))


@login_required
@require_GET
def case(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _case_page(request, access.case_get(request.user, case_id))


def _back(case: Case) -> HttpResponse:
    return redirect("reintegration:case", case_id=case.pk)


def _case_form_post(
    request: HttpRequest,
    case_id: uuid.UUID,
    *,
    perms: tuple[Perm, ...],
    make_form: Callable[[Case], BaseForm],
    form_name: str,
    save: Callable[[Case, Any], Any],
    done: str,
) -> HttpResponse:
    """A form posted from the case page: saved through its service, or the page again with the
    form's errors (nothing saved), or the unmet conditions of a refused move."""
    case = access.case_get(request.user, case_id)
    access.require(request.user, case, *perms)
    form = make_form(case)
    forms: dict[str, Any] = {form_name: form}
    if form.is_valid():
        try:
            save(case, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        except TransitionBlocked as exc:
            case.refresh_from_db()
            return _case_page(request, case, status=409, refused=exc.unmet, **forms)
        else:
            messages.success(request, done)
            return _back(case)
    case.refresh_from_db()
    return _case_page(request, case, status=400, **forms)


@login_required
@require_POST
def counselling_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _case_form_post(
        request,
        case_id,
        perms=services.COUNSEL_PERMS,
        make_form=lambda case: CounsellingForm(request.POST, members=member_labels(case)),
        form_name="counselling_form",
        save=lambda case, form: services.counselling_record(
            actor=request.user, case=case, **form.values()
        ),
        done=_("The counselling session is recorded."),
    )


@login_required
@require_POST
def plan_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = access.case_get(request.user, case_id)
    access.require(request.user, case, MANAGE)
    form = PlanCreateForm(request.POST, members=member_labels(case))
    if form.is_valid():
        try:
            plan = services.plan_create(
                actor=request.user, case=case, member=form.member_of("member")
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The plan is started: describe the needs and the budget."))
            return redirect("reintegration:plan", case_id=case.pk, plan_id=plan.pk)
    return _case_page(request, case, status=400, plan_form=form)


@login_required
@require_POST
def case_move(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """A reintegration move (planning, assistance, monitoring); refused with every unmet
    condition."""
    case = access.case_get(request.user, case_id)
    access.require(request.user, case, *services.COUNSEL_PERMS)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _case_page(request, case, status=400)
    try:
        services.reintegration_move(actor=request.user, case=case, target=form.cleaned_data["to"])
    except TransitionBlocked as exc:
        return _case_page(request, case, status=409, refused=exc.unmet)
    except ValidationError as exc:
        return _case_page(request, case, status=400, refused=_refused(exc))
    messages.success(request, _("The case moved on."))
    return _back(case)


@login_required
@require_POST
def case_close(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _case_form_post(
        request,
        case_id,
        perms=services.COUNSEL_PERMS,
        make_form=lambda case: CloseForm(request.POST),
        form_name="close_form",
        save=lambda case, form: services.case_close(
            actor=request.user,
            case=case,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        ),
        done=_("The case is closed."),
    )


@login_required
@require_POST
def case_reopen(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    return _case_form_post(
        request,
        case_id,
        perms=(Perm.CASE_APPROVE,),
        make_form=lambda case: ReopenForm(request.POST),
        form_name="reopen_form",
        save=lambda case, form: services.case_reopen(
            actor=request.user, case=case, reason=form.cleaned_data["reason"]
        ),
        done=_("The case is reopened."),
    )


def case_panel_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    """The case page's reintegration panel: the plans' status and the open referrals, no
    names."""
    plans = list(Plan.objects.filter(case=case).order_by("created_at", "id"))
    due_on = None
    if case.status in (S.ARRIVED, S.REINTEGRATION_PLANNING) and not any(
        plan.approved_at for plan in plans
    ):
        due_on = services.plan_due(selectors.arrival_date(case))
    return {
        "reintegration_plans": plans,
        "reintegration_open_referrals": Referral.objects.filter(
            case=case, status__in=OPEN_REFERRAL
        ).count(),
        "reintegration_due_on": due_on,
        "reintegration_overdue": due_on is not None and due_on < timezone.localdate(),
    }


# --- a plan -------------------------------------------------------------------------------------


def _amounts(lines: Iterable[BudgetLine]) -> list[rules.Amount]:
    return [
        rules.Amount(line.amount, line.currency, line.beneficiary_id)
        for line in lines
        if not line.withdrawn
    ]


def _currency_totals(lines: Iterable[BudgetLine]) -> list[tuple[str, Decimal]]:
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for line in lines:
        if not line.withdrawn:
            totals[line.currency] += line.amount
    return sorted((currency, _money(total)) for currency, total in totals.items())


def _line_rows(lines: list[BudgetLine], label_of: dict[Any, str]) -> list[dict[str, Any]]:
    rows = []
    for line in lines:
        delivered = _money(getattr(line, "delivered", None))
        rows.append(
            {
                "line": line,
                "for": label_of.get(line.beneficiary_id, "?")
                if line.beneficiary_id
                else _("Household"),
                "delivered": delivered,
                "remaining": None
                if line.approved_amount is None
                else line.approved_amount - delivered,
            }
        )
    return rows


def _approve_form(plan: Plan, lines: list[BudgetLine], data: Any = None) -> ApproveForm:
    cap = services.cap_for(plan.case)
    currencies = rules.currencies_needing_rates(_amounts(lines), cap.currency) if cap else []
    return ApproveForm(data, currencies=currencies, cap_currency=cap.currency if cap else "")


def _plan_page(
    request: HttpRequest, plan: Plan, *, status: int = 200, **forms: Any
) -> HttpResponse:
    case = plan.case
    can = _abilities(request.user, case)
    _audit_view(request, case, can)
    members, label_of = _labels(case)
    lines = selectors.lines_with_delivered(plan)
    cap = services.cap_for(case)
    approvals = list(plan.approvals.select_related("approved_by"))
    approve_form = forms.get("approve_form") or _approve_form(plan, lines)
    if approve_form.is_bound:
        rates = approve_form.rates()
    elif plan.status == PlanStatus.APPROVED and approvals:
        rates = dict(approvals[0].rates or {})  # checked as approved
    else:
        rates = {}
    check = services.plan_check(plan, rates)
    plan_open = case.status in services.PLAN_STATUSES
    user_pk = str(request.user.pk)
    context = {
        "case": case,
        "plan": plan,
        "plan_label": _plan_label(plan, label_of),
        "can": can,
        "rows": _line_rows(lines, label_of),
        "totals": _currency_totals(lines),
        "cap": cap,
        "check": check,
        "rates_missing": any(p.code == "rate_missing" for p in check.problems),
        "approvals": approvals,
        "editable": can.manage and plan_open and plan.status != PlanStatus.SUBMITTED,
        "can_submit": can.manage and plan_open and plan.status == PlanStatus.DRAFT,
        "can_return": (can.manage or can.approve) and plan.status == PlanStatus.SUBMITTED,
        "can_approve": can.approve and plan_open and plan.status == PlanStatus.SUBMITTED,
        "contributed": user_pk in (plan.contributors or [])
        or plan.drafted_by_id == request.user.pk,
        "plan_form": forms.get("plan_form")
        or PlanForm(initial={name: getattr(plan, name) for name in services.PLAN_FIELDS}),
        "line_form": forms.get("line_form") or LineForm(members=members),
        "return_form": forms.get("return_form") or ReturnForm(),
        "approve_form": approve_form,
        "submit_errors": forms.get("submit_errors") or [],
    }
    return no_store(render(request, "reintegration/plan.html", context, status=status))


def _to_plan(plan: Plan) -> HttpResponse:
    return redirect("reintegration:plan", case_id=plan.case_id, plan_id=plan.pk)


@login_required
@require_http_methods(["GET", "POST"])
def plan(request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    """The plan (GET) and the change of its needs, skills and assessment results (POST)."""
    current = selectors.plan_get(request.user, case_id, plan_id)
    if request.method == "GET":
        return _plan_page(request, current)
    access.require(request.user, current.case, MANAGE)
    form = PlanForm(request.POST)
    if form.is_valid():
        try:
            services.plan_update(
                actor=request.user,
                plan=current,
                version=posted_version(request.POST),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The plan is saved."))
            return _to_plan(current)
    return _plan_page(request, current, status=400, plan_form=form)


@login_required
@require_POST
def line_create(request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    current = selectors.plan_get(request.user, case_id, plan_id)
    access.require(request.user, current.case, MANAGE)
    form = LineForm(request.POST, members=member_labels(current.case))
    if form.is_valid():
        try:
            services.line_add(actor=request.user, plan=current, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The item is added to the plan."))
            return _to_plan(current)
    return _plan_page(request, current, status=400, line_form=form)


@login_required
@require_POST
def plan_submit(request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    current = selectors.plan_get(request.user, case_id, plan_id)
    access.require(request.user, current.case, MANAGE)
    try:
        services.plan_submit(actor=request.user, plan=current, version=posted_version(request.POST))
    except ValidationError as exc:
        return _plan_page(request, current, status=400, submit_errors=exc.messages)
    messages.success(request, _("The plan is submitted for approval."))
    return _to_plan(current)


@login_required
@require_POST
def plan_return(request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    current = selectors.plan_get(request.user, case_id, plan_id)
    access.require(request.user, current.case, MANAGE, Perm.CASE_APPROVE)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.plan_return(
                actor=request.user,
                plan=current,
                reason=form.cleaned_data["reason"],
                version=posted_version(request.POST),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The plan is back in draft."))
            return _to_plan(current)
    return _plan_page(request, current, status=400, return_form=form)


@login_required
@require_POST
def plan_approve(request: HttpRequest, case_id: uuid.UUID, plan_id: uuid.UUID) -> HttpResponse:
    """Approval at the exchange rates given; refused with every reason (``PlanBlocked``)."""
    current = selectors.plan_get(request.user, case_id, plan_id)
    access.require(request.user, current.case, Perm.CASE_APPROVE)
    form = _approve_form(current, list(current.lines.all()), request.POST)
    if form.is_valid():
        try:
            services.plan_approve(
                actor=request.user,
                plan=current,
                rates=form.rates(),
                version=posted_version(request.POST),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The plan is approved."))
            return _to_plan(current)
    return _plan_page(request, current, status=400, approve_form=form)


# --- a budget line and its deliveries -----------------------------------------------------------


def _line_page(
    request: HttpRequest, line: BudgetLine, *, status: int = 200, **forms: Any
) -> HttpResponse:
    current_plan = line.plan
    case = current_plan.case
    can = _abilities(request.user, case)
    _audit_view(request, case, can)
    members, label_of = _labels(case)
    deliveries = list(line.deliveries.select_related("recorded_by").defer("proof"))
    delivered = _money(sum((d.amount for d in deliveries), Decimal(0)))
    plan_open = case.status in services.PLAN_STATUSES
    context = {
        "case": case,
        "plan": current_plan,
        "plan_label": _plan_label(current_plan, label_of),
        "line": line,
        "for": label_of.get(line.beneficiary_id, "?") if line.beneficiary_id else _("Household"),
        "deliveries": deliveries,
        "delivered": delivered,
        "remaining": None if line.approved_amount is None else line.approved_amount - delivered,
        "can": can,
        "editable": can.manage
        and plan_open
        and not line.withdrawn
        and current_plan.status != PlanStatus.SUBMITTED,
        "can_deliver": can.manage
        and line.approved_amount is not None
        and case.status in services.DELIVERY_STATUSES,
        "form": forms.get("form") or LineForm(members=members, initial=LineForm.initial_of(line)),
        "delivery_form": forms.get("delivery_form") or DeliveryForm(),
    }
    return no_store(render(request, "reintegration/budget_line.html", context, status=status))


def _to_line(line: BudgetLine) -> HttpResponse:
    return redirect("reintegration:budget-line", case_id=line.plan.case_id, budget_line_id=line.pk)


@login_required
@require_http_methods(["GET", "POST"])
def budget_line(
    request: HttpRequest, case_id: uuid.UUID, budget_line_id: uuid.UUID
) -> HttpResponse:
    """The line with its deliveries (GET) and its change (POST)."""
    line = selectors.line_get(request.user, case_id, budget_line_id)
    if request.method == "GET":
        return _line_page(request, line)
    access.require(request.user, line.plan.case, MANAGE)
    form = LineForm(request.POST, members=member_labels(line.plan.case))
    if form.is_valid():
        try:
            services.line_change(
                actor=request.user,
                line=line,
                version=posted_version(request.POST),
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The item is changed."))
            return _to_line(line)
    return _line_page(request, line, status=400, form=form)


@login_required
@require_POST
def line_remove(
    request: HttpRequest, case_id: uuid.UUID, budget_line_id: uuid.UUID
) -> HttpResponse:
    line = selectors.line_get(request.user, case_id, budget_line_id)
    access.require(request.user, line.plan.case, MANAGE)
    try:
        services.line_remove(actor=request.user, line=line)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return _to_line(line)
    messages.success(request, _("The item is taken out of the plan."))
    return _to_plan(line.plan)


@login_required
@require_POST
def delivery_create(
    request: HttpRequest, case_id: uuid.UUID, budget_line_id: uuid.UUID
) -> HttpResponse:
    """Assistance delivered on an approved line, with an optional proof (PDF, JPEG, PNG)."""
    line = selectors.line_get(request.user, case_id, budget_line_id)
    access.require(request.user, line.plan.case, MANAGE)
    form = DeliveryForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        proof, proof_type = read_upload(data.get("proof"))
        try:
            services.delivery_record(
                actor=request.user,
                line=line,
                delivered_on=data["delivered_on"],
                amount=data["amount"],
                method=data["method"],
                delivered_by=data["delivered_by"],
                notes=data["notes"],
                proof=proof,
                proof_type=proof_type,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The delivery is recorded."))
            return _to_line(line)
    return _line_page(request, line, status=400, delivery_form=form)


@login_required
@require_GET
def delivery_proof(
    request: HttpRequest, case_id: uuid.UUID, delivery_id: uuid.UUID
) -> HttpResponse:
    """The proof of a delivery, as an attachment: audited, never cached, never sniffed."""
    delivery = selectors.delivery_get(request.user, case_id, delivery_id)
    if not delivery.proof_type or not delivery.proof:
        raise Http404
    case = delivery.line.plan.case
    can = _abilities(request.user, case)
    audit_record(
        actor=request.user,
        action="reintegration.proof_download",
        obj=delivery,
        office_id=can.viewing_office,
        details={"case": str(case.pk)},
    )
    extension = SIGNED_FORM_TYPES.get(delivery.proof_type, "bin")
    response = HttpResponse(bytes(delivery.proof), content_type=delivery.proof_type)
    response["Content-Disposition"] = f'attachment; filename="proof-{delivery.pk}.{extension}"'
    response["X-Content-Type-Options"] = "nosniff"
    return no_store(response)


# --- referrals ----------------------------------------------------------------------------------


def _referral_form(case: Case, data: Any = None) -> ReferralForm:
    partners = [
        (
            partner,
            partner.name
            if services.agreement_in_force(partner)
            else _("%(name)s (no data-sharing agreement in force)") % {"name": partner.name},
        )
        for partner in selectors.partners_for(case).order_by("name", "id")
    ]
    lines = BudgetLine.objects.filter(plan__case=case, withdrawn=False).order_by("created_at", "id")
    return ReferralForm(
        data,
        members=member_labels(case),
        partners=partners,
        lines=[
            (
                line,
                f"{Category(line.category).label if line.category in Category.values else ''}"
                f" · {line.description} · {line.amount} {line.currency}",
            )
            for line in lines
        ],
    )


def _consent_form(case: Case, data: Any = None) -> PartnerConsentForm:
    return PartnerConsentForm(
        data,
        members=member_labels(case),
        partners=selectors.partners_for(case).order_by("name", "id"),
    )


def _referral_create_page(
    request: HttpRequest,
    case: Case,
    *,
    form: ReferralForm | None = None,
    consent_form: PartnerConsentForm | None = None,
    status: int = 200,
) -> HttpResponse:
    labels, _label_of_member = _labels(case)
    consents = services.partner_consents(case)
    context = {
        "case": case,
        "form": form or _referral_form(case),
        "consent_form": consent_form or _consent_form(case),
        "consents": [(label, consents.get(member.pk, [])) for member, label in labels],
    }
    _audit_view(request, case, _abilities(request.user, case))
    return no_store(render(request, "reintegration/referral_create.html", context, status=status))


def _referral_case(request: HttpRequest, case_id: uuid.UUID) -> Case:
    case = access.case_get(request.user, case_id)
    if not _abilities(request.user, case).manage:
        raise PermissionDenied
    return case


@login_required
@require_http_methods(["GET", "POST"])
def referral_create(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    case = _referral_case(request, case_id)
    if request.method != "POST":
        return _referral_create_page(request, case)
    form = _referral_form(case, request.POST)
    if form.is_valid():
        try:
            referral = services.referral_send(actor=request.user, case=case, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The referral is sent to the partner."))
            return redirect("reintegration:referral", case_id=case.pk, referral_id=referral.pk)
    return _referral_create_page(request, case, form=form, status=400)


@login_required
@require_POST
def partner_consent(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """Records a person's consent to share with a partner (from the referral page)."""
    case = _referral_case(request, case_id)
    form = _consent_form(case, request.POST)
    if form.is_valid():
        try:
            services.partner_consent_give(actor=request.user, case=case, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The consent is recorded."))
            return redirect("reintegration:referral-create", case_id=case.pk)
    return _referral_create_page(request, case, consent_form=form, status=400)


@login_required
@require_POST
def partner_consent_revoke(request: HttpRequest, case_id: uuid.UUID) -> HttpResponse:
    """The person withdraws a consent to share with a partner (the consent's id is posted)."""
    case = _referral_case(request, case_id)
    persons = case.members.values_list("person_id", flat=True)
    consent_id = _uuid_or_none(request.POST.get("consent"))
    if consent_id is None:
        raise Http404
    consent = DataSharingConsent.objects.filter(
        pk=consent_id,
        person_id__in=persons,
        recipient_kind=DataSharingConsent.RecipientKind.PARTNER,
    ).first()
    if consent is None:
        raise Http404
    try:
        services.partner_consent_revoke(actor=request.user, case=case, consent=consent)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The consent is revoked, and the referrals it allowed."))
    return redirect("reintegration:referral-create", case_id=case.pk)


def _uuid_or_none(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _label_of(choices: Any, value: Any) -> str:
    if value in choices.values:
        return str(choices(value).label)
    return "" if value is None else str(value)


def _shared_value(name: str, value: Any) -> str:
    """A shared field as the partner reads it."""
    if value in (None, "", []):
        return ""
    if name == "sex":
        return _label_of(Person.Sex, value)
    if name == "languages" and isinstance(value, list):
        return ", ".join(language_name(str(code)) for code in value)
    if name == "contacts" and isinstance(value, list):
        return "; ".join(
            f"{c.get('kind', '')}: {c.get('value', '')}" if isinstance(c, dict) else str(c)
            for c in value
        )
    if name == "destination_region":
        return subdivision_name(str(value))
    return str(value)


def readable_package(package: dict[str, Any], fields: Iterable[str]) -> dict[str, Any]:
    """A referral's shared package with labels, for the page: the case rows, and a table of
    the people with a column per shared field."""
    if not package:
        return {}
    columns = [name for name in services.PERSON_FIELDS if name in set(fields)]
    case_rows = [
        (_("Case reference"), str(package.get("reference") or "")),
        (_("Type of assistance"), _label_of(Category, package.get("category"))),
    ]
    if package.get("service"):
        case_rows.append((_("Service"), str(package["service"])))
    if package.get("destination_country"):
        case_rows.append(
            (_("Country of return"), country_name(str(package["destination_country"])))
        )
    for name in services.CASE_FIELDS:
        if name in package:
            label = str(REFERRAL_FIELD_LABELS.get(name, name))
            case_rows.append((label, _shared_value(name, package[name])))
    people = [
        {
            "label": str(row.get("label", "")),
            "values": [_shared_value(name, row.get(name)) for name in columns],
        }
        for row in package.get("people") or []
        if isinstance(row, dict)
    ]
    return {
        "case_rows": case_rows,
        "columns": [str(REFERRAL_FIELD_LABELS.get(name, name)) for name in columns],
        "people": people,
        "note": str(package.get("note") or ""),
    }


def _referral_page(
    request: HttpRequest, referral: Referral, *, status: int = 200, **forms: Any
) -> HttpResponse:
    case = referral.case
    can = _abilities(request.user, case)
    _audit_view(request, case, can)
    _members, label_of = _labels(case)
    context = {
        "case": case,
        "referral": referral,
        "can": can,
        "members": [label_of.get(m.pk, "?") for m in referral.members.all()],
        "shared": [str(REFERRAL_FIELD_LABELS.get(name, name)) for name in referral.fields or []],
        "package": readable_package(services.shared_package(referral), referral.fields or []),
        "updates": list(referral.updates.select_related("by")),
        "note_form": forms.get("note_form") or ReferralNoteForm(),
        "revoke_form": forms.get("revoke_form") or RevokeForm(),
    }
    return no_store(render(request, "reintegration/referral.html", context, status=status))


@login_required
@require_GET
def referral(request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID) -> HttpResponse:
    return _referral_page(request, selectors.referral_get(request.user, case_id, referral_id))


def _referral_post(
    request: HttpRequest,
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    *,
    form: Any,
    form_name: str,
    save: Callable[[Referral, Any], Any],
    done: str,
) -> HttpResponse:
    current = selectors.referral_get(request.user, case_id, referral_id)
    access.require(request.user, current.case, MANAGE)
    if form.is_valid():
        try:
            save(current, form)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, done)
            return redirect(
                "reintegration:referral", case_id=current.case_id, referral_id=current.pk
            )
    return _referral_page(request, current, status=400, **{form_name: form})


@login_required
@require_POST
def referral_note(request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID) -> HttpResponse:
    return _referral_post(
        request,
        case_id,
        referral_id,
        form=ReferralNoteForm(request.POST),
        form_name="note_form",
        save=lambda referral, form: services.referral_note(
            actor=request.user, referral=referral, note=form.cleaned_data["note"]
        ),
        done=_("The note is added."),
    )


@login_required
@require_POST
def referral_revoke(
    request: HttpRequest, case_id: uuid.UUID, referral_id: uuid.UUID
) -> HttpResponse:
    return _referral_post(
        request,
        case_id,
        referral_id,
        form=RevokeForm(request.POST),
        form_name="revoke_form",
        save=lambda referral, form: services.referral_revoke(
            actor=request.user, referral=referral, reason=form.cleaned_data["reason"]
        ),
        done=_("The referral is revoked: the partner sees nothing of it any more."),
    )


# --- partners -----------------------------------------------------------------------------------


def _offices(user: Any, *perms: Perm) -> list[Office]:
    """The active offices where ``user`` holds every one of ``perms``."""
    ids = offices_with(user, perms[0])
    for perm in perms[1:]:
        ids &= offices_with(user, perm)
    return list(Office.objects.filter(pk__in=ids).order_by("name"))


@login_required
@require_GET
def partner_list(request: HttpRequest) -> HttpResponse:
    if not has_perm_anywhere(request.user, Perm.CASE_VIEW):
        raise PermissionDenied
    partners = list(selectors.partners_visible(request.user).order_by("name", "id"))
    labels = dict(Category.choices)
    context = {
        "partners": [
            (p, [str(labels.get(code, code)) for code in p.services or []]) for p in partners
        ],
        "today": timezone.localdate(),
        "can_create": bool(_offices(request.user, Perm.CASE_VIEW, MANAGE)),
    }
    return render(request, "reintegration/partner_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def partner_create(request: HttpRequest) -> HttpResponse:
    offices = _offices(request.user, Perm.CASE_VIEW, MANAGE)
    if not offices:
        raise PermissionDenied
    form = PartnerForm(request.POST or None, offices=offices)
    if request.method == "POST" and form.is_valid():
        try:
            partner = services.partner_create(
                actor=request.user, office=form.chosen_office(), **form.values()
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The partner is registered."))
            return redirect("reintegration:partner", partner_id=partner.pk)
    status = 400 if form.is_bound else 200
    return render(request, "reintegration/partner_create.html", {"form": form}, status=status)


def _partner_page(
    request: HttpRequest, partner: Any, *, status: int = 200, **forms: Any
) -> HttpResponse:
    can_change = has_perm(request.user, MANAGE, partner.office_id)
    can_users = has_perm(request.user, Perm.USER_MANAGE, partner.office_id)
    labels = dict(Category.choices)
    context = {
        "partner": partner,
        "countries": [(code, country_name(code)) for code in partner.countries or []],
        "regions": [(code, subdivision_name(code)) for code in partner.regions or []],
        "services": [str(labels.get(code, code)) for code in partner.services or []],
        "in_force": services.agreement_in_force(partner),
        "can_change": can_change,
        "can_users": can_users,
        "users": list(partner.users.order_by("email")) if can_users else [],
        "form": forms.get("form") or PartnerForm(initial=PartnerForm.initial_of(partner)),
        "user_form": forms.get("user_form") or PartnerUserForm(),
    }
    return no_store(render(request, "reintegration/partner.html", context, status=status))


def _to_partner(partner: Any) -> HttpResponse:
    return redirect("reintegration:partner", partner_id=partner.pk)


@login_required
@require_http_methods(["GET", "POST"])
def partner(request: HttpRequest, partner_id: uuid.UUID) -> HttpResponse:
    """The partner (GET) and the change of its details and agreement (POST)."""
    current = selectors.partner_get(request.user, partner_id)
    if request.method == "GET":
        return _partner_page(request, current)
    if not has_perm(request.user, MANAGE, current.office_id):
        raise PermissionDenied
    form = PartnerForm(request.POST)
    if form.is_valid():
        try:
            services.partner_update(
                actor=request.user,
                partner=current,
                version=posted_version(request.POST),
                **form.values(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The partner is saved."))
            return _to_partner(current)
    return _partner_page(request, current, status=400, form=form)


@login_required
@require_POST
def partner_user_add(request: HttpRequest, partner_id: uuid.UUID) -> HttpResponse:
    current = selectors.partner_get(request.user, partner_id)
    if not has_perm(request.user, Perm.USER_MANAGE, current.office_id):
        raise PermissionDenied
    form = PartnerUserForm(request.POST)
    if form.is_valid():
        found = (
            get_user_model()
            .objects.filter(email__iexact=form.cleaned_data["email"], is_active=True)
            .first()
        )
        if found is None:
            form.add_error("email", _("No active user has this e-mail address."))
        else:
            services.partner_user_add(actor=request.user, partner=current, user=found)
            messages.success(request, _("The user may now sign in for this partner."))
            return _to_partner(current)
    return _partner_page(request, current, status=400, user_form=form)


@login_required
@require_POST
def partner_user_remove(request: HttpRequest, partner_id: uuid.UUID) -> HttpResponse:
    current = selectors.partner_get(request.user, partner_id)
    if not has_perm(request.user, Perm.USER_MANAGE, current.office_id):
        raise PermissionDenied
    try:
        found = current.users.filter(pk=request.POST.get("user", "")).first()
    except (ValueError, ValidationError):
        found = None
    if found is None:
        raise Http404
    services.partner_user_remove(actor=request.user, partner=current, user=found)
    messages.success(request, _("The user no longer signs in for this partner."))
    return _to_partner(current)


# --- caps ---------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def caps(request: HttpRequest) -> HttpResponse:
    """The caps of the user's offices; a programme manager sets or changes them."""
    if not has_perm_anywhere(request.user, Perm.CASE_VIEW):
        raise PermissionDenied
    offices = _offices(request.user, Perm.CASE_VIEW, Perm.CASE_APPROVE)
    if request.method == "POST" and not offices:
        raise PermissionDenied
    form = CapForm(request.POST if request.method == "POST" else None, offices=offices)
    if request.method == "POST" and form.is_valid():
        try:
            services.cap_set(actor=request.user, **form.values())
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The cap is saved."))
            return redirect("reintegration:caps")
    rows = (
        ProgrammeCap.objects.filter(office_id__in=offices_with(request.user, Perm.CASE_VIEW))
        .select_related("office")
        .order_by("office__name", "programme")
    )
    context = {
        "caps": [(cap, _label_of(Programme, cap.programme)) for cap in rows],
        "form": form if offices else None,
    }
    status = 400 if form.is_bound else 200
    return render(request, "reintegration/caps.html", context, status=status)


# --- reconciliation -----------------------------------------------------------------------------


def _may_reconcile(user: Any) -> bool:
    return has_perm_anywhere(user, Perm.REPORT_VIEW) or has_perm_anywhere(user, MANAGE)


def _reconciliation(request: HttpRequest) -> tuple[ReconciliationForm, str, str, list[Any]]:
    offices = _offices(request.user, Perm.CASE_VIEW)
    form = ReconciliationForm(request.GET or None, offices=offices)
    by, office = form.choice()
    rows = selectors.reconciliation(request.user, by=by, office_id=office or None)
    for row in rows:
        for name in ("approved", "delivered", "remaining"):
            row[name] = _money(row[name])
    if by == "programme":
        for row in rows:
            row["label"] = _label_of(Programme, row["key"])
    else:
        for row in rows:
            row["label"] = row["key"] or _("Not recorded")
    return form, by, office, rows


@login_required
@require_GET
def reconciliation(request: HttpRequest) -> HttpResponse:
    """Approved, delivered and remaining per case, programme or funding source, per currency."""
    if not (
        has_perm_anywhere(request.user, Perm.REPORT_VIEW) or has_perm_anywhere(request.user, MANAGE)
    ):
        raise PermissionDenied
    form, by, office, rows = _reconciliation(request)
    context = {
        "form": form,
        "by": by,
        "by_label": RECONCILE_LABELS.get(by, by),
        "office": office,
        "rows": rows,
        "can_export": has_perm_anywhere(request.user, Perm.EXPORT),
        "query": request.GET.urlencode(),
    }
    return render(request, "reintegration/reconciliation.html", context)


@login_required
@require_GET
def reconciliation_csv(request: HttpRequest) -> HttpResponse:
    """The same rows as a CSV file: audited; cells that a spreadsheet would read as a formula
    are neutralised."""
    if not has_perm_anywhere(request.user, Perm.EXPORT):
        raise PermissionDenied
    _form, by, office, rows = _reconciliation(request)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(
        [
            str(RECONCILE_LABELS.get(by, by)),
            _("Currency"),
            _("Approved"),
            _("Delivered"),
            _("Remaining"),
        ]
    )
    for row in rows:
        writer.writerow(
            [
                csv_cell(value)
                for value in (
                    row["label"],
                    row["currency"],
                    row["approved"],
                    row["delivered"],
                    row["remaining"],
                )
            ]
        )
    audit_record(
        actor=request.user,
        action="reintegration.reconciliation_export",
        object_type="reconciliation",
        object_id=by,
        office_id=office or None,
        details={"by": by, "rows": len(rows)},
    )
    response = HttpResponse(
        buffer.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="reconciliation-{by}.csv"'
    return no_store(response)
