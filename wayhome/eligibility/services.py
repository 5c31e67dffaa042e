"""Writes about eligibility, each in one transaction with its audit event.

- ``ruleset_create``: a new version of a programme's rules (administrators only). Old versions are
  never changed, so decisions keep naming the exact rules they applied.
- ``eligibility_decide``: applies the programme's active rules to the case and records the result.
- ``eligibility_override``: a programme manager overrides a negative decision, with a reason.

Segregation of duties: any programme manager of the case's office may override, including one who
took the decision; but the manager who overrode may not also approve the case (the approval guard
refuses with ``eligibility_override_approver``), so an exception to the rules is always seen by
two managers.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wayhome.audit.services import audit_record
from wayhome.cases.models import Case, Programme
from wayhome.cases.workflow import Status
from wayhome.eligibility.evaluation import case_basis, evaluate
from wayhome.eligibility.models import EligibilityDecision, RuleSet
from wayhome.eligibility.policies import may_decide, may_override, rules_admin
from wayhome.eligibility.rules import validate_rules
from wayhome.eligibility.selectors import latest_decision, ruleset_active

#: Eligibility is decided before approval (and again, when needed, before it).
DECIDABLE = frozenset(
    {Status.REGISTERED, Status.COUNSELLING, Status.APPLICATION_SUBMITTED, Status.ON_HOLD}
)
NOTE_MAX = 500
REASON_MAX = 2000


def _clean_text(value: str, *, field: str, limit: int, required: bool) -> str:
    text = " ".join(value.split())
    if required and not text:
        raise ValidationError({field: _("This field is required.")}, code="required")
    if len(text) > limit:
        raise ValidationError(
            {field: _("At most %(limit)s characters.") % {"limit": limit}}, code="max_length"
        )
    if any(ord(char) < 32 or 127 <= ord(char) < 160 for char in text):
        raise ValidationError({field: _("Remove the control characters.")}, code="control")
    return text


def ruleset_create(*, actor: Any, programme: str, rules: Any, note: str = "") -> RuleSet:
    """Saves ``rules`` as the next version of ``programme``'s rules (it becomes the active one)."""
    if not rules_admin(actor):
        raise PermissionDenied
    if programme not in Programme.values:
        raise ValidationError({"programme": _("Unknown programme.")}, code="invalid_choice")
    note = _clean_text(note, field="note", limit=NOTE_MAX, required=True)
    cleaned = validate_rules(rules)
    for _attempt in range(3):  # two administrators saving at once: the later one retries
        try:
            with transaction.atomic():
                latest = RuleSet.objects.filter(programme=programme).aggregate(v=Max("version"))
                ruleset = RuleSet.objects.create(
                    programme=programme,
                    version=(latest["v"] or 0) + 1,
                    rules=cleaned,
                    note=note,
                    created_by=actor,
                )
                audit_record(
                    actor=actor,
                    action="eligibility.rules_change",
                    obj=ruleset,
                    details={"programme": programme, "version": ruleset.version},
                )
            return ruleset
        except IntegrityError:
            continue
    raise ValidationError(_("The rules were changed at the same time: try again."), code="stale")


def eligibility_decide(*, actor: Any, case: Case) -> EligibilityDecision:
    """Applies the active rules of the case's programme to the case and records the decision."""
    with transaction.atomic():
        locked = Case.objects.select_for_update().get(pk=case.pk)
        if not may_decide(actor, locked):
            raise PermissionDenied
        if locked.status not in DECIDABLE:
            raise ValidationError(
                _("Eligibility is decided before the case is approved."), code="status"
            )
        ruleset = ruleset_active(locked.programme)
        if ruleset is None:
            raise ValidationError(
                _("This programme has no eligibility rules yet: ask an administrator."),
                code="no_rules",
            )
        results = evaluate(locked, ruleset)
        eligible = all(result.passed for result in results)
        decision = EligibilityDecision.objects.create(
            case=locked,
            ruleset=ruleset,
            results=[result.as_dict() for result in results],
            basis=case_basis(locked),
            outcome=(
                EligibilityDecision.Outcome.ELIGIBLE
                if eligible
                else EligibilityDecision.Outcome.NOT_ELIGIBLE
            ),
            decided_by=actor,
            decided_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action="eligibility.decide",
            obj=locked,
            details={
                "decision": str(decision.pk),
                "programme": ruleset.programme,
                "version": ruleset.version,
                "outcome": decision.outcome,
                "failed": sorted({r.kind for r in results if not r.passed}),
            },
        )
    return decision


def eligibility_override(
    *, actor: Any, decision: EligibilityDecision, reason: str
) -> EligibilityDecision:
    """A programme manager of the case's office overrides the case's latest decision, which must
    be negative, giving a reason (kept encrypted; the audit event holds no text of it)."""
    reason = _clean_text(reason, field="reason", limit=REASON_MAX, required=True)
    with transaction.atomic():
        case = Case.objects.select_for_update().get(pk=decision.case_id)
        if not may_override(actor, case):
            raise PermissionDenied
        current = EligibilityDecision.objects.select_for_update().get(pk=decision.pk)
        latest = latest_decision(case)
        if latest is None or latest.pk != current.pk:
            raise ValidationError(
                _("A newer decision was taken: only the latest can be overridden."), code="stale"
            )
        if current.outcome == EligibilityDecision.Outcome.ELIGIBLE or current.override:
            raise ValidationError(
                _("Only a negative decision that is not yet overridden can be overridden."),
                code="not_negative",
            )
        current.override = True
        current.override_reason = reason
        current.overridden_by = actor
        current.overridden_at = timezone.now()
        current.version += 1
        current.save()
        audit_record(
            actor=actor,
            action="eligibility.override",
            obj=case,
            details={"decision": str(current.pk), "version": current.ruleset.version},
        )
    return current
