"""Writes on the reintegration side of a case. Each runs in one transaction with its audit event,
locks the case first, and validates everything before saving anything: bad input raises
``ValidationError`` (or ``PlanBlocked`` with every reason at once) and leaves nothing half-saved.

Who may write, in an office working the case (``access.py``): counselling: "change case" or
"manage reintegration"; plans, budget lines, deliveries, referrals: "manage reintegration";
approval of a plan and reopening a closed case: "approve" (a programme manager), never by someone
who changed the plan since its last approval; closing: "change case" or "manage reintegration".
Partner users answer and report on the referrals sent to their organisation only.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.accounts.models import Office
from wayhome.accounts.permissions import Perm
from wayhome.accounts.policies import has_perm
from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, CaseMember
from wayhome.cases.services import transition_locked
from wayhome.cases.workflow import PRE_DEPARTURE, Status
from wayhome.consent.models import DataSharingConsent
from wayhome.consent.services import signed_form_check
from wayhome.consent.sharing import sharing_allowed
from wayhome.consent.signals import sharing_consent_revoked
from wayhome.core.choices import check_code_list
from wayhome.core.countries import validate_country, validate_subdivision
from wayhome.eligibility.evaluation import member_labels
from wayhome.protection.models import Transfer
from wayhome.protection.transfers import package_fields, transfer_record
from wayhome.reintegration import access, rules
from wayhome.reintegration.models import (
    OPEN_REFERRAL,
    BudgetLine,
    Category,
    Closure,
    Counselling,
    CounsellingStage,
    Delivery,
    Partner,
    Plan,
    PlanApproval,
    PlanStatus,
    ProgrammeCap,
    Referral,
    ReferralStatus,
    ReferralUpdate,
)

S = Status
MANAGE = Perm.REINTEGRATION_MANAGE
COUNSEL_PERMS = (Perm.CASE_CHANGE, Perm.REINTEGRATION_MANAGE)

#: After arrival, until closure.
AFTER_ARRIVAL = frozenset(
    {S.ARRIVED, S.REINTEGRATION_PLANNING, S.REINTEGRATION_ASSISTANCE, S.MONITORING}
)
#: A plan may be drafted from approval of the return (counselling starts before departure).
PLAN_STATUSES = frozenset(
    {S.APPROVED, S.TRAVEL_PREPARATION, S.READY_TO_DEPART, S.DEPARTED, S.ON_HOLD} | AFTER_ARRIVAL
)
#: Assistance is delivered after arrival.
DELIVERY_STATUSES = frozenset(
    {S.ARRIVED, S.REINTEGRATION_PLANNING, S.REINTEGRATION_ASSISTANCE, S.MONITORING}
)


class PlanBlocked(ValidationError):
    """A plan cannot be approved: every reason, at once."""

    def __init__(self, problems: list[rules.Problem]) -> None:
        self.problems = problems
        super().__init__([ValidationError(str(p.message), code=p.code) for p in problems])


def _lock(case: Case | Any, actor: Any, *perms: Perm) -> tuple[Case, Any]:
    """The case, locked, and the office ``actor`` acts for (one holding any of ``perms``)."""
    locked = Case.objects.select_for_update().select_related("office").get(pk=case.pk)
    office_id = access.require(actor, locked, *perms)
    return locked, office_id


def _status(case: Case, allowed: frozenset[Status], message: Any) -> None:
    if case.status not in allowed:
        raise ValidationError(message, code="wrong_status")


def _stale(current: Any, version: int | None, what: Any) -> None:
    if version is not None and current.version != version:
        raise ValidationError(
            _("Someone else changed this %(what)s while you were editing. Reload and try again.")
            % {"what": what},
            code="stale",
        )


def _members(case: Case, members: Iterable[CaseMember | Any]) -> list[CaseMember]:
    ids = {getattr(m, "pk", m) for m in members}
    found = list(CaseMember.objects.filter(case=case, pk__in=ids))
    if len(found) != len(ids):
        raise ValidationError(
            {"members": ValidationError(_("Choose people on this case."), code="not_member")}
        )
    return found


def _audit(actor: Any, action: str, case: Case, office_id: Any, **details: Any) -> None:
    audit_record(
        actor=actor,
        action=action,
        object_type="cases.case",
        object_id=case.pk,
        office_id=office_id,
        details=details,
    )


# --- counselling ------------------------------------------------------------------------------


def counselling_record(
    *,
    actor: Any,
    case: Case,
    stage: str,
    held_on: datetime.date,
    mode: str,
    notes: str,
    members: Iterable[Any] = (),
) -> Counselling:
    with transaction.atomic():
        locked, office_id = _lock(case, actor, *COUNSEL_PERMS)
        if stage == CounsellingStage.BEFORE_DEPARTURE:
            _status(
                locked,
                frozenset(PRE_DEPARTURE | {S.ON_HOLD}),
                _("Counselling before departure is recorded before the case departs."),
            )
        else:
            _status(
                locked,
                AFTER_ARRIVAL,
                _("Counselling after arrival is recorded once the arrival is confirmed."),
            )
        chosen = _members(locked, members)
        session = Counselling(
            case=locked,
            stage=stage,
            held_on=held_on,
            mode=mode,
            notes=notes,
            office_id=office_id,
            counsellor=actor,
        )
        session.full_clean(exclude=["case", "office", "counsellor"])
        session.save(force_insert=True)
        session.members.set(chosen)
        _audit(actor, "reintegration.counselling_record", locked, office_id, stage=stage)
    return session


# --- caps -------------------------------------------------------------------------------------


def cap_set(
    *,
    actor: Any,
    office: Office,
    programme: str,
    currency: str,
    per_person: Decimal,
    per_household: Decimal,
) -> ProgrammeCap:
    """Sets (or changes) an office's cap for a programme: a programme manager's decision."""
    if actor is not None and not has_perm(actor, Perm.CASE_APPROVE, office.pk):
        raise PermissionDenied
    with transaction.atomic():
        cap = ProgrammeCap.objects.select_for_update().filter(
            office=office, programme=programme
        ).first() or ProgrammeCap(office=office, programme=programme)
        cap.currency, cap.per_person, cap.per_household = currency, per_person, per_household
        cap.full_clean(exclude=["office"], validate_unique=False)
        if per_household < per_person:
            raise ValidationError(
                {"per_household": _("The cap per household cannot be below the cap per person.")}
            )
        if cap._state.adding:
            cap.save(force_insert=True)
        else:
            cap.version += 1
            cap.save()
        audit_record(
            actor=actor,
            action="reintegration.cap_set",
            obj=cap,
            office_id=office.pk,
            details={"programme": programme, "currency": currency},
        )
    return cap


def cap_for(case: Case) -> ProgrammeCap | None:
    return ProgrammeCap.objects.filter(office_id=case.office_id, programme=case.programme).first()


# --- plans ------------------------------------------------------------------------------------

PLAN_FIELDS = ("needs", "skills", "assessment_results")
LINE_FIELDS = (
    "dimension",
    "level",
    "category",
    "description",
    "amount",
    "currency",
    "delivery_mode",
    "provider",
    "beneficiary",
)


def _contributed(plan: Plan, actor: Any) -> None:
    if actor is not None:
        contributors = set(plan.contributors or [])
        contributors.add(str(actor.pk))
        plan.contributors = sorted(contributors)


def plan_create(*, actor: Any, case: Case, member: CaseMember | None = None, **fields: Any) -> Plan:
    """A draft plan for one returnee (``member``) or the household (``member`` None). A case has
    either one household plan or plans per returnee, not both."""
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    with transaction.atomic():
        locked, office_id = _lock(case, actor, MANAGE)
        _status(locked, PLAN_STATUSES, _("A plan is drafted once the return is approved."))
        if member is not None:
            member = _members(locked, [member])[0]
        existing = Plan.objects.filter(case=locked)
        if member is None and existing.exists():
            raise ValidationError(
                _("This case has plans already; a household plan would count the budget twice."),
                code="plan_exists",
            )
        if existing.filter(member__isnull=True).exists() or existing.filter(member=member).exists():
            raise ValidationError(
                _("This returnee or household has a plan already; revise it instead."),
                code="plan_exists",
            )
        plan = Plan(case=locked, member=member, office_id=office_id, drafted_by=actor, **fields)
        _contributed(plan, actor)
        plan.full_clean(
            exclude=["case", "member", "office", "drafted_by"], validate_constraints=False
        )
        plan.save(force_insert=True)
        _audit(actor, "reintegration.plan_create", locked, office_id, household=member is None)
    return plan


def _lock_plan(plan: Plan, actor: Any, *perms: Perm) -> tuple[Case, Any, Plan]:
    locked, office_id = _lock(plan.case, actor, *perms)
    current = Plan.objects.select_for_update().get(pk=plan.pk)
    return locked, office_id, current


def _open_for_change(plan: Plan, actor: Any) -> None:
    """An approved plan that changes becomes the draft of its next revision."""
    if plan.status == PlanStatus.SUBMITTED:
        raise ValidationError(
            _("The plan is waiting for approval. Return it to draft to change it."),
            code="submitted",
        )
    if plan.status == PlanStatus.APPROVED:
        plan.status = PlanStatus.DRAFT
        plan.revision += 1
        plan.drafted_by = actor
        plan.contributors = []
        plan.return_reason = ""
    _contributed(plan, actor)
    plan.version += 1
    plan.save()


def plan_update(*, actor: Any, plan: Plan, version: int | None = None, **fields: Any) -> Plan:
    unknown = set(fields) - set(PLAN_FIELDS)
    if unknown:
        raise TypeError(f"unknown plan fields: {sorted(unknown)}")
    with transaction.atomic():
        locked, office_id, current = _lock_plan(plan, actor, MANAGE)
        _status(locked, PLAN_STATUSES, _("This case's plan can no longer change."))
        _stale(current, version, _("plan"))
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed:
            return current
        for name in changed:
            setattr(current, name, fields[name])
        current.full_clean(
            exclude=["case", "member", "office", "drafted_by"], validate_constraints=False
        )
        _open_for_change(current, actor)
        _audit(actor, "reintegration.plan_change", locked, office_id, fields=changed)
    return current


def _delivered(line: BudgetLine) -> Decimal:
    total = Delivery.objects.filter(line=line).aggregate(total=Sum("amount"))["total"]
    return total or Decimal(0)


def _clean_line(line: BudgetLine, case: Case) -> None:
    line.full_clean(exclude=["plan", "beneficiary", "approved_amount"])
    if (
        line.beneficiary_id is not None
        and not CaseMember.objects.filter(pk=line.beneficiary_id, case=case).exists()
    ):
        raise ValidationError({"beneficiary": _("Choose someone on this case.")})


def line_add(*, actor: Any, plan: Plan, **fields: Any) -> BudgetLine:
    unknown = set(fields) - set(LINE_FIELDS)
    if unknown:
        raise TypeError(f"unknown budget line fields: {sorted(unknown)}")
    with transaction.atomic():
        locked, office_id, current = _lock_plan(plan, actor, MANAGE)
        _status(locked, PLAN_STATUSES, _("This case's plan can no longer change."))
        line = BudgetLine(plan=current, **fields)
        _clean_line(line, locked)
        _open_for_change(current, actor)
        line.save(force_insert=True)
        _audit(
            actor,
            "reintegration.line_add",
            locked,
            office_id,
            category=line.category,
            currency=line.currency,
        )
    return line


def line_change(
    *, actor: Any, line: BudgetLine, version: int | None = None, **fields: Any
) -> BudgetLine:
    unknown = set(fields) - set(LINE_FIELDS)
    if unknown:
        raise TypeError(f"unknown budget line fields: {sorted(unknown)}")
    with transaction.atomic():
        locked, office_id, plan = _lock_plan(line.plan, actor, MANAGE)
        _status(locked, PLAN_STATUSES, _("This case's plan can no longer change."))
        current = BudgetLine.objects.select_for_update().get(pk=line.pk)
        _stale(current, version, _("budget line"))
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed:
            return current
        delivered = _delivered(current)
        if delivered and "currency" in changed:
            raise ValidationError(
                {"currency": _("Assistance was delivered in this currency; it cannot change.")}
            )
        for name in changed:
            setattr(current, name, fields[name])
        _clean_line(current, locked)
        if current.amount < delivered:
            raise ValidationError(
                {
                    "amount": _("%(delivered)s was delivered already; the amount cannot be less.")
                    % {"delivered": delivered}
                }
            )
        _open_for_change(plan, actor)
        current.version += 1
        current.save()
        _audit(actor, "reintegration.line_change", locked, office_id, fields=changed)
    return current


def line_remove(*, actor: Any, line: BudgetLine) -> None:
    """Takes a line out of the plan: deleted if nothing was delivered on it, else kept as
    withdrawn (its deliveries stay; nothing more can be delivered on it)."""
    with transaction.atomic():
        locked, office_id, plan = _lock_plan(line.plan, actor, MANAGE)
        _status(locked, PLAN_STATUSES, _("This case's plan can no longer change."))
        current = BudgetLine.objects.select_for_update().get(pk=line.pk)
        if Referral.objects.filter(line=current, status__in=OPEN_REFERRAL).exists():
            raise ValidationError(
                _("This service is referred to a partner; revoke the referral first."),
                code="referred",
            )
        _open_for_change(plan, actor)
        if current.deliveries.exists():
            current.withdrawn = True
            current.version += 1
            current.save()
        else:
            Referral.objects.filter(line=current).update(line=None)
            current.delete()
        _audit(actor, "reintegration.line_remove", locked, office_id)


def plan_submit(*, actor: Any, plan: Plan, version: int | None = None) -> Plan:
    with transaction.atomic():
        locked, office_id, current = _lock_plan(plan, actor, MANAGE)
        _status(locked, PLAN_STATUSES, _("This case's plan can no longer change."))
        _stale(current, version, _("plan"))
        if current.status != PlanStatus.DRAFT:
            raise ValidationError(_("Only a draft plan is submitted."), code="not_draft")
        if not current.lines.filter(withdrawn=False).exists():
            raise ValidationError(
                _("Plan at least one item of assistance before submitting."), code="empty"
            )
        current.status = PlanStatus.SUBMITTED
        current.submitted_at = timezone.now()
        current.return_reason = ""
        _contributed(current, actor)
        current.version += 1
        current.save()
        _audit(actor, "reintegration.plan_submit", locked, office_id, revision=current.revision)
    return current


def plan_return(*, actor: Any, plan: Plan, reason: str, version: int | None = None) -> Plan:
    """Sends a submitted plan back to draft, with the reason (by the approver or the drafter)."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the plan goes back to draft.")})
    with transaction.atomic():
        locked, office_id, current = _lock_plan(plan, actor, MANAGE, Perm.CASE_APPROVE)
        _stale(current, version, _("plan"))
        if current.status != PlanStatus.SUBMITTED:
            raise ValidationError(_("Only a submitted plan is returned."), code="not_submitted")
        current.status = PlanStatus.DRAFT
        current.return_reason = reason
        current.full_clean(
            exclude=["case", "member", "office", "drafted_by"], validate_constraints=False
        )
        current.version += 1
        current.save()
        _audit(actor, "reintegration.plan_return", locked, office_id, revision=current.revision)
    return current


def persons_covered(plan: Plan) -> int:
    return (
        1 if plan.member_id is not None else CaseMember.objects.filter(case_id=plan.case_id).count()
    )


def _amounts(lines: Iterable[BudgetLine]) -> list[rules.Amount]:
    return [
        rules.Amount(line.amount, line.currency, line.beneficiary_id)
        for line in lines
        if not line.withdrawn
    ]


def _others_total(plan: Plan, cap_currency: str) -> Decimal:
    """What the case's other returnee plans were last approved for, in the cap's currency."""
    total = Decimal(0)
    for other in Plan.objects.filter(case_id=plan.case_id).exclude(pk=plan.pk):
        approval = other.approvals.order_by("-revision").first()
        if approval is None:
            continue
        if approval.cap_currency != cap_currency:
            raise ValidationError(
                _(
                    "The cap's currency changed since another plan of this household was "
                    "approved; revise that plan first."
                ),
                code="cap_currency_changed",
            )
        total += approval.total
    return total


def plan_check(plan: Plan, rates: Mapping[str, Any]) -> rules.Check:
    """The plan's lines against its programme's cap at ``rates`` (raw values are parsed; a bad
    rate is a problem, not an exception)."""
    cap = cap_for(plan.case)
    if cap is None:
        result = rules.Check()
        result.problems.append(
            rules.Problem(
                "no_cap",
                _(
                    "No cap is set for this programme in the host office; a programme manager "
                    "sets it first."
                ),
            )
        )
        return result
    lines = _amounts(plan.lines.all())
    parsed: dict[str, Decimal] = {}
    bad: list[rules.Problem] = []
    for currency in rules.currencies_needing_rates(lines, cap.currency):
        raw = rates.get(currency)
        if raw in (None, ""):
            continue
        try:
            parsed[currency] = rules.parse_rate(raw)
        except ValueError:
            bad.append(
                rules.Problem(
                    "rate_invalid",
                    _("The exchange rate for %(currency)s must be a positive number.")
                    % {"currency": currency},
                )
            )
    result = rules.check(
        lines,
        rules.Cap(cap.currency, cap.per_person, cap.per_household),
        parsed,
        household=plan.member_id is None,
        persons=persons_covered(plan),
        others_total=Decimal(0) if plan.member_id is None else _others_total(plan, cap.currency),
    )
    result.problems[:0] = bad
    return result


def plan_approve(
    *, actor: Any, plan: Plan, rates: Mapping[str, Any] | None = None, version: int | None = None
) -> PlanApproval:
    """Approves a submitted plan: by a programme manager of an office working the case who has
    not changed it since the last approval; refused, with every reason, when the plan in the
    cap's currency at ``rates`` (units of the cap currency for one unit of each other currency)
    is over the programme's cap."""
    with transaction.atomic():
        locked, office_id, current = _lock_plan(plan, actor, Perm.CASE_APPROVE)
        _status(locked, PLAN_STATUSES, _("This case's plan can no longer change."))
        _stale(current, version, _("plan"))
        problems: list[rules.Problem] = []
        if current.status != PlanStatus.SUBMITTED:
            problems.append(
                rules.Problem("not_submitted", _("Only a plan submitted for approval is approved."))
            )
        if actor is not None and (
            str(actor.pk) in (current.contributors or []) or current.drafted_by_id == actor.pk
        ):
            problems.append(
                rules.Problem(
                    "drafter",
                    _("You drafted or changed this plan: another programme manager approves it."),
                )
            )
        lines = list(current.lines.select_for_update().order_by("created_at", "id"))
        if not [line for line in lines if not line.withdrawn]:
            problems.append(rules.Problem("empty", _("The plan has no assistance planned.")))
        result = plan_check(current, rates or {})
        problems += result.problems
        if problems:
            raise PlanBlocked(problems)
        cap = cap_for(locked)
        if cap is None:  # plan_check reported it; the cap was removed since
            raise PlanBlocked([rules.Problem("no_cap", _("No cap is set for this programme."))])
        used = {
            currency: str(rules.parse_rate((rates or {})[currency]))
            for currency in rules.currencies_needing_rates(_amounts(lines), cap.currency)
        }
        for line in lines:
            line.approved_amount = _delivered(line) if line.withdrawn else line.amount
            line.version += 1
            line.save()
        now = timezone.now()
        approval = PlanApproval.objects.create(
            plan=current,
            revision=current.revision,
            approved_by=actor,
            drafted_by=current.drafted_by,
            cap_currency=cap.currency,
            cap_per_person=cap.per_person,
            cap_per_household=cap.per_household,
            persons=persons_covered(current),
            rates=used,
            total=result.total_rounded,
            lines=[
                {
                    "id": str(line.pk),
                    "dimension": line.dimension,
                    "level": line.level,
                    "category": line.category,
                    "description": line.description,
                    "amount": str(line.amount),
                    "currency": line.currency,
                    "delivery_mode": line.delivery_mode,
                    "provider": line.provider,
                    "beneficiary": str(line.beneficiary_id or ""),
                    "withdrawn": line.withdrawn,
                    "approved_amount": str(line.approved_amount),
                }
                for line in lines
            ],
        )
        current.status = PlanStatus.APPROVED
        current.approved_at = now
        current.approved_by = actor
        current.version += 1
        current.save()
        _audit(
            actor,
            "reintegration.plan_approve",
            locked,
            office_id,
            revision=current.revision,
            currency=cap.currency,
        )
    return approval


def plan_due(arrived_on: datetime.date | None) -> datetime.date | None:
    if arrived_on is None:
        return None
    return arrived_on + datetime.timedelta(days=int(getattr(settings, "PLAN_DUE_DAYS", 30)))


# --- deliveries -------------------------------------------------------------------------------


def delivery_record(
    *,
    actor: Any,
    line: BudgetLine,
    delivered_on: datetime.date,
    amount: Decimal,
    method: str,
    delivered_by: str,
    notes: str = "",
    proof: bytes | None = None,
    proof_type: str = "",
) -> Delivery:
    """Records assistance delivered on an approved line; never beyond what was approved."""
    with transaction.atomic():
        locked, office_id, _plan = _lock_plan(line.plan, actor, MANAGE)
        _status(
            locked, DELIVERY_STATUSES, _("Assistance is delivered after arrival, until closure.")
        )
        current = BudgetLine.objects.select_for_update().get(pk=line.pk)
        if current.approved_amount is None:
            raise ValidationError(
                _("This item is not approved yet; nothing can be delivered on it."),
                code="not_approved",
            )
        delivery = Delivery(
            line=current,
            delivered_on=delivered_on,
            amount=amount,
            method=method,
            delivered_by=delivered_by,
            notes=notes,
            office_id=office_id,
            recorded_by=actor,
        )
        delivery.full_clean(exclude=["line", "office", "recorded_by", "proof"])
        remaining = current.approved_amount - _delivered(current)
        if delivery.amount > remaining:
            message = _(
                "This is beyond what was approved for this item: %(remaining)s %(currency)s "
                "remain. A larger amount needs a new approval of the plan."
            ) % {"remaining": remaining, "currency": current.currency}
            raise ValidationError({"amount": ValidationError(message, code="beyond_approved")})
        if proof:
            delivery.proof_type = signed_form_check(proof, proof_type, field="proof")
            delivery.proof = proof
        delivery.save(force_insert=True)
        _audit(
            actor,
            "reintegration.delivery_record",
            locked,
            office_id,
            method=method,
            currency=current.currency,
        )
    return delivery


# --- partners ---------------------------------------------------------------------------------

PARTNER_FIELDS = (
    "name",
    "kind",
    "countries",
    "regions",
    "services",
    "contacts",
    "agreement_reference",
    "agreement_signed_on",
    "agreement_expires_on",
    "active",
)


def _clean_partner(partner: Partner) -> None:
    partner.full_clean(
        exclude=["office", "countries", "regions", "services"], validate_constraints=False
    )
    errors: dict[str, Any] = {}
    for name, allowed, check in (
        ("countries", None, validate_country),
        ("regions", None, validate_subdivision),
        ("services", set(Category.values), None),
    ):
        value = getattr(partner, name)
        try:
            check_code_list(
                value,
                allowed if allowed is not None else value if isinstance(value, list) else [],
                invalid=_("Give a list of codes."),
                unknown=_("Choose from the list."),
                duplicate=_("Each appears once."),
                required=_("Choose at least one.") if name != "regions" else None,
            )
            if check is not None:
                for code in value:
                    check(code)
        except ValidationError as exc:
            errors[name] = exc.messages
    if (
        partner.agreement_expires_on
        and partner.agreement_signed_on
        and (partner.agreement_expires_on < partner.agreement_signed_on)
    ):
        errors["agreement_expires_on"] = [_("The agreement expires after it is signed.")]
    if errors:
        raise ValidationError(errors)
    duplicate = Partner.objects.filter(office_id=partner.office_id, name__iexact=partner.name)
    if duplicate.exclude(pk=partner.pk).exists():
        raise ValidationError({"name": _("This office has a partner of that name already.")})


def partner_create(*, actor: Any, office: Office, **fields: Any) -> Partner:
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"unknown partner fields: {sorted(unknown)}")
    if actor is not None and not has_perm(actor, MANAGE, office.pk):
        raise PermissionDenied
    with transaction.atomic():
        partner = Partner(office=office, **fields)
        partner.name = " ".join(str(partner.name).split())
        _clean_partner(partner)
        partner.save(force_insert=True)
        audit_record(actor=actor, action="reintegration.partner_create", obj=partner)
    return partner


def partner_update(
    *, actor: Any, partner: Partner, version: int | None = None, **fields: Any
) -> Partner:
    unknown = set(fields) - set(PARTNER_FIELDS)
    if unknown:
        raise TypeError(f"unknown partner fields: {sorted(unknown)}")
    if actor is not None and not has_perm(actor, MANAGE, partner.office_id):
        raise PermissionDenied
    with transaction.atomic():
        current = Partner.objects.select_for_update().get(pk=partner.pk)
        _stale(current, version, _("partner"))
        if "name" in fields:
            fields["name"] = " ".join(str(fields["name"]).split())
        changed = sorted(name for name, value in fields.items() if getattr(current, name) != value)
        if not changed:
            return current
        if "name" in changed and current.referrals.exists():
            raise ValidationError(
                {"name": _("Cases were referred to this partner under its name; it stays.")}
            )
        for name in changed:
            setattr(current, name, fields[name])
        _clean_partner(current)
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="reintegration.partner_change",
            obj=current,
            details={"fields": changed},
        )
    return current


def partner_user_add(*, actor: Any, partner: Partner, user: Any) -> None:
    """Lets ``user`` sign in for ``partner``: an office administrator's decision."""
    if actor is not None and not has_perm(actor, Perm.USER_MANAGE, partner.office_id):
        raise PermissionDenied
    with transaction.atomic():
        partner.users.add(user)
        audit_record(
            actor=actor,
            action="reintegration.partner_user_add",
            obj=partner,
            details={"user": str(user.pk)},
        )


def partner_user_remove(*, actor: Any, partner: Partner, user: Any) -> None:
    if actor is not None and not has_perm(actor, Perm.USER_MANAGE, partner.office_id):
        raise PermissionDenied
    with transaction.atomic():
        partner.users.remove(user)
        audit_record(
            actor=actor,
            action="reintegration.partner_user_remove",
            obj=partner,
            details={"user": str(user.pk)},
        )


def agreement_in_force(partner: Partner, today: datetime.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        partner.active
        and partner.agreement_signed_on is not None
        and partner.agreement_signed_on <= today
        and (partner.agreement_expires_on is None or partner.agreement_expires_on >= today)
    )


# --- referrals --------------------------------------------------------------------------------

#: What a referral may carry about each person, chosen per referral (the minimum necessary).
PERSON_FIELDS = ("given_name", "family_name", "sex", "date_of_birth", "languages", "contacts")
#: ... and about the case.
CASE_FIELDS = ("destination_region", "destination_place")
REFERRAL_FIELDS = PERSON_FIELDS + CASE_FIELDS
#: Always carried: each person's label, the service asked for, the officer's note.


def build_referral_package(
    case: Case,
    members: list[CaseMember],
    fields: list[str],
    *,
    category: str,
    line: BudgetLine | None,
    note: str,
    partner_name: str,
) -> dict[str, Any]:
    chosen = {m.pk for m in members}
    people = []
    for member, label in member_labels(case):
        if member.pk not in chosen:
            continue
        person = member.person
        row: dict[str, Any] = {"label": label}
        for name in PERSON_FIELDS:
            if name not in fields:
                continue
            value = getattr(person, name)
            if name == "date_of_birth":
                value = value.isoformat() if value else None
            elif name == "contacts":
                value = [c for c in (value or []) if isinstance(c, (str, dict))]
            row[name] = value
        people.append(row)
    return {
        "version": 1,
        "reference": case.reference,
        "partner": partner_name,
        "category": category,
        "service": line.description if line is not None else "",
        "destination_country": case.destination_country,
        **{name: getattr(case, name) for name in CASE_FIELDS if name in fields},
        "people": people,
        "note": note,
    }


def shared_package(referral: Referral) -> dict[str, Any]:
    """A stored package as shown to anyone: only the fields the referral shared, whatever was
    stored (a revoked referral shows nothing)."""
    if referral.status == ReferralStatus.REVOKED:
        return {}
    allowed = set(referral.fields or [])
    package = dict(referral.package or {})
    for name in CASE_FIELDS:
        if name not in allowed:
            package.pop(name, None)
    people = []
    for row in package.get("people") or []:
        if isinstance(row, dict):
            people.append(
                {
                    k: v
                    for k, v in row.items()
                    if k == "label" or (k in PERSON_FIELDS and k in allowed)
                }
            )
    package["people"] = people
    return package


def referral_send(
    *,
    actor: Any,
    case: Case,
    partner: Partner,
    members: Iterable[Any],
    fields: Iterable[str] = (),
    category: str = "",
    line: BudgetLine | None = None,
    note: str = "",
) -> Referral:
    """Refers the case (or one budget line, ``line``) to ``partner`` for ``members``: only with
    each person's active consent to share their data with that partner for reintegration
    assistance, under an agreement in force, carrying ``fields`` only."""
    fields = list(dict.fromkeys(fields))
    unknown = set(fields) - set(REFERRAL_FIELDS)
    if unknown:
        raise ValidationError(
            {"fields": ValidationError(_("Choose fields from the list."), code="unknown_field")}
        )
    with transaction.atomic():
        locked, office_id = _lock(case, actor, MANAGE)
        _status(locked, PLAN_STATUSES, _("Referrals are made for open cases after approval."))
        partner = Partner.objects.get(pk=partner.pk)
        if partner.office_id not in access.working_offices(locked):
            raise ValidationError(
                {
                    "partner": ValidationError(
                        _("Choose a partner of an office working this case."),
                        code="foreign_partner",
                    )
                }
            )
        if not agreement_in_force(partner):
            raise ValidationError(
                {
                    "partner": ValidationError(
                        _("This partner has no data-sharing agreement in force."),
                        code="no_agreement",
                    )
                }
            )
        if line is not None:
            line = BudgetLine.objects.select_related("plan").get(pk=line.pk)
            if line.plan.case_id != locked.pk or line.withdrawn:
                raise ValidationError({"line": _("Choose an item of this case's plan.")})
            category = line.category
        if category not in Category.values:
            raise ValidationError({"category": _("Choose the type of assistance.")})
        chosen = _members(locked, members)
        if not chosen:
            raise ValidationError(
                {"members": ValidationError(_("Choose who is referred."), code="required")}
            )
        labels = dict(member_labels(locked))
        refused = [
            labels.get(m, str(m.pk))
            for m in chosen
            if not sharing_allowed(
                m.person,
                purpose=DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE,
                recipient_kind=DataSharingConsent.RecipientKind.PARTNER,
                recipient_name=partner.name,
            )
        ]
        if refused:
            message = _(
                "No consent to share data with %(partner)s for reintegration assistance: %(who)s."
            ) % {"partner": partner.name, "who": ", ".join(refused)}
            raise ValidationError({"members": ValidationError(message, code="no_consent")})
        note = note.strip()
        referral = Referral(
            case=locked,
            partner=partner,
            line=line,
            category=category,
            fields=fields,
            office_id=office_id,
            sent_by=actor,
            sent_at=timezone.now(),
        )
        referral.package = build_referral_package(
            locked,
            chosen,
            fields,
            category=category,
            line=line,
            note=note,
            partner_name=partner.name,
        )
        referral.save(force_insert=True)
        referral.members.set(chosen)
        ReferralUpdate.objects.create(referral=referral, status=ReferralStatus.SENT, by=actor)
        _audit(
            actor,
            "reintegration.referral_send",
            locked,
            office_id,
            partner=str(partner.pk),
            fields=fields,
            people=len(chosen),
        )
        transfer_record(
            actor=actor,
            kind=Transfer.Kind.REFERRAL,
            office_id=office_id,
            obj=referral,
            case=locked,
            people=[m.person for m in chosen],
            recipient_kind=DataSharingConsent.RecipientKind.PARTNER,
            recipient_name=partner.name,
            purpose=DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE,
            fields=package_fields(referral.package),
        )
    return referral


def partner_consent_give(
    *,
    actor: Any,
    case: Case,
    member: CaseMember | Any,
    partner: Partner,
    given_on: datetime.date | None = None,
) -> DataSharingConsent:
    """Records, in an office working the case (the origin office too), a person's consent to
    share their data with ``partner`` for reintegration assistance: what a referral needs. The
    host office records other consents on its consent pages."""
    with transaction.atomic():
        locked, office_id = _lock(case, actor, MANAGE)
        [chosen] = _members(locked, [member])
        partner = Partner.objects.get(pk=partner.pk)
        if partner.office_id not in access.working_offices(locked):
            raise ValidationError(
                {
                    "partner": ValidationError(
                        _("Choose a partner of an office working this case."),
                        code="foreign_partner",
                    )
                }
            )
        consent = DataSharingConsent(
            person=chosen.person,
            purpose=DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE,
            recipient_kind=DataSharingConsent.RecipientKind.PARTNER,
            recipient_name=partner.name,
            given_on=given_on or timezone.localdate(),
            recorded_by=actor,
        )
        consent.full_clean()
        consent.save(force_insert=True)
        audit_record(
            actor=actor,
            action="consent.sharing_give",
            obj=consent,
            office_id=office_id,
            details={
                "purpose": consent.purpose,
                "recipient_kind": consent.recipient_kind,
                "partner": str(partner.pk),
            },
        )
    return consent


def partner_consent_revoke(
    *, actor: Any, case: Case, consent: DataSharingConsent
) -> DataSharingConsent:
    """The person withdraws a consent to share with a partner, told to an office working the
    case: revoked at once, and the referrals it covered with it (``consent.signals``)."""
    with transaction.atomic():
        locked, office_id = _lock(case, actor, MANAGE)
        current = DataSharingConsent.objects.select_for_update().get(pk=consent.pk)
        if (
            current.recipient_kind != DataSharingConsent.RecipientKind.PARTNER
            or not CaseMember.objects.filter(case=locked, person_id=current.person_id).exists()
        ):
            raise PermissionDenied
        if current.revoked_on is not None:
            raise ValidationError(_("This consent is already revoked."), code="revoked")
        current.revoked_on = timezone.localdate()
        current.revoked_by = actor
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="consent.sharing_revoke",
            obj=current,
            office_id=office_id,
            details={"purpose": current.purpose, "recipient_kind": current.recipient_kind},
        )
        sharing_consent_revoked.send(sender=DataSharingConsent, consent=current, actor=actor)
    return current


def partner_consents(case: Case) -> dict[Any, list[DataSharingConsent]]:
    """Member id -> the active consents of that person to share with partners for reintegration
    assistance (what the referral form shows)."""
    members = {m.person_id: m.pk for m in case.members.all()}
    result: dict[Any, list[DataSharingConsent]] = {pk: [] for pk in members.values()}
    for consent in DataSharingConsent.objects.filter(
        person_id__in=list(members),
        purpose=DataSharingConsent.Purpose.REINTEGRATION_ASSISTANCE,
        recipient_kind=DataSharingConsent.RecipientKind.PARTNER,
        revoked_on__isnull=True,
    ).order_by("given_on"):
        result[members[consent.person_id]].append(consent)
    return result


def _revoke(referral: Referral, actor: Any, note: str) -> None:
    referral.status = ReferralStatus.REVOKED
    referral.package = {}
    referral.closed_at = timezone.now()
    referral.version += 1
    referral.save()
    ReferralUpdate.objects.create(
        referral=referral, status=ReferralStatus.REVOKED, note=note, by=actor
    )


def referral_revoke(*, actor: Any, referral: Referral, reason: str) -> Referral:
    """Withdraws a referral: the partner sees nothing of it any more."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the referral is revoked.")})
    with transaction.atomic():
        locked, office_id = _lock(referral.case, actor, MANAGE)
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if current.status == ReferralStatus.REVOKED:
            raise ValidationError(_("This referral is revoked already."), code="revoked")
        _revoke(current, actor, reason)
        _audit(actor, "reintegration.referral_revoke", locked, office_id)
    return current


def revoke_referrals(referrals: Iterable[Referral], note: str) -> int:
    """Revokes open referrals without an actor (consent revoked, case closed or withdrawn)."""
    count = 0
    for referral in referrals:
        _revoke(referral, None, note)
        audit_record(
            actor=None,
            action="reintegration.referral_revoke",
            object_type="cases.case",
            object_id=referral.case_id,
            office_id=referral.office_id,
            details={"automatic": True},
        )
        count += 1
    return count


#: What a partner may do: (from which statuses, to which status).
PARTNER_MOVES: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({ReferralStatus.SENT}), ReferralStatus.ACCEPTED),
    "decline": (frozenset({ReferralStatus.SENT}), ReferralStatus.DECLINED),
    "progress": (
        frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}),
        ReferralStatus.IN_PROGRESS,
    ),
    "complete": (
        frozenset({ReferralStatus.ACCEPTED, ReferralStatus.IN_PROGRESS}),
        ReferralStatus.COMPLETED,
    ),
}


def is_partner_user(user: Any, partner_id: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and Partner.objects.filter(pk=partner_id, users=user, active=True).exists()
    )


def referral_report(*, actor: Any, referral: Referral, move: str, note: str = "") -> Referral:
    """A partner user's answer or report: ``accept``, ``decline`` (with the reason),
    ``progress`` (a note) or ``complete``."""
    if move not in PARTNER_MOVES:
        raise ValidationError({"move": _("Unknown action.")})
    note = note.strip()
    if move in ("decline", "progress") and not note:
        raise ValidationError(
            {
                "note": _("Say why you decline.")
                if move == "decline"
                else _("Describe the progress.")
            }
        )
    with transaction.atomic():
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        if not is_partner_user(actor, current.partner_id):
            raise PermissionDenied
        sources, target = PARTNER_MOVES[move]
        if current.status not in sources:
            raise ValidationError(
                _("This referral is %(status)s; that cannot be done now.")
                % {"status": current.get_status_display()},
                code="wrong_status",
            )
        now = timezone.now()
        if current.status == ReferralStatus.SENT:
            current.answered_at = now
        current.status = target
        if current.status in (ReferralStatus.DECLINED, ReferralStatus.COMPLETED):
            current.closed_at = now
        current.version += 1
        current.save()
        update = ReferralUpdate(
            referral=current, status=current.status, note=note, by=actor, by_partner=True
        )
        update.full_clean(exclude=["referral", "by"])
        update.save(force_insert=True)
        audit_record(
            actor=actor,
            action=f"reintegration.referral_{move}",
            object_type="reintegration.referral",
            object_id=current.pk,
            office_id=current.office_id,
        )
    return current


def referral_note(*, actor: Any, referral: Referral, note: str) -> ReferralUpdate:
    """A note from the office on a referral (shown to the partner)."""
    note = note.strip()
    if not note:
        raise ValidationError({"note": _("Write the note.")})
    with transaction.atomic():
        locked, office_id = _lock(referral.case, actor, MANAGE)
        current = Referral.objects.select_for_update().get(pk=referral.pk)
        update = ReferralUpdate(referral=current, status=current.status, note=note, by=actor)
        update.full_clean(exclude=["referral", "by"])
        update.save(force_insert=True)
        _audit(actor, "reintegration.referral_note", locked, office_id)
    return update


def referral_reminders(
    now: datetime.datetime | None = None,
) -> tuple[list[Referral], list[Referral]]:
    """Marks the referrals due a reminder (sent, no answer after ``REFERRAL_ANSWER_DAYS``) and
    those due escalation (no answer ``REFERRAL_ESCALATE_DAYS`` after the reminder); returns both
    lists. Each referral is reminded once and escalated once."""
    now = now or timezone.now()
    answer = datetime.timedelta(days=int(getattr(settings, "REFERRAL_ANSWER_DAYS", 7)))
    escalate = datetime.timedelta(days=int(getattr(settings, "REFERRAL_ESCALATE_DAYS", 7)))
    with transaction.atomic():
        waiting = Referral.objects.select_for_update().filter(status=ReferralStatus.SENT)
        remind = list(waiting.filter(reminded_at__isnull=True, sent_at__lte=now - answer))
        escalated = list(
            waiting.filter(
                reminded_at__isnull=False,
                escalated_at__isnull=True,
                reminded_at__lte=now - escalate,
            )
        )
        for referral in remind:
            referral.reminded_at = now
            referral.save(update_fields=["reminded_at", "updated_at"])
        for referral in escalated:
            referral.escalated_at = now
            referral.save(update_fields=["escalated_at", "updated_at"])
    return remind, escalated


# --- closure ----------------------------------------------------------------------------------


def case_close(*, actor: Any, case: Case, reason: str, note: str = "") -> Closure:
    """Closes a case after arrival with one of the Handbook's reasons; open referrals are revoked
    (the partners see nothing more of it)."""
    with transaction.atomic():
        locked, office_id = _lock(case, actor, *COUNSEL_PERMS)
        _status(locked, AFTER_ARRIVAL, _("A case is closed this way after arrival."))
        closure = Closure(
            case=locked,
            reason=reason,
            note=note,
            closed_from=locked.status,
            office_id=office_id,
            closed_by=actor,
        )
        closure.full_clean(exclude=["case", "office", "closed_by"], validate_constraints=False)
        closure.save(force_insert=True)
        transition_locked(
            actor=actor, locked=locked, target=S.CLOSED, reason=str(closure.get_reason_display())
        )
    return closure


def case_reopen(*, actor: Any, case: Case, reason: str) -> Case:
    """Reopens a closed case where it was closed from: a programme manager, with a reason."""
    reason = " ".join(reason.split())
    with transaction.atomic():
        locked, _office_id = _lock(case, actor, Perm.CASE_APPROVE)
        closure = Closure.objects.filter(case=locked, reopened_at__isnull=True).first()
        if locked.status != S.CLOSED or closure is None:
            raise ValidationError(
                _("Only a case closed after arrival is reopened."), code="not_closed"
            )
        return transition_locked(
            actor=actor, locked=locked, target=closure.closed_from, reason=reason
        )


#: Moves on the reintegration side, by "change case" or "manage reintegration" in an office
#: working the case (the host office's own users may also use the case page).
REINTEGRATION_MOVES = frozenset(
    {S.REINTEGRATION_PLANNING, S.REINTEGRATION_ASSISTANCE, S.MONITORING}
)


def reintegration_move(*, actor: Any, case: Case, target: str, reason: str = "") -> Case:
    """Moves a case along its reintegration (planning, assistance, monitoring), for the host
    office or an origin office that took it over; the workflow's guards decide."""
    if target not in REINTEGRATION_MOVES:
        raise ValidationError({"to": _("Use this for the reintegration steps only.")})
    with transaction.atomic():
        locked, _office_id = _lock(case, actor, *COUNSEL_PERMS)
        return transition_locked(actor=actor, locked=locked, target=target, reason=reason)
